// Grad mode, per-tensor autograd state, leaves' gradient accumulation.
#include "autograd/meta.h"

#include <atomic>

#include "autograd/accumulate_grad.h"
#include "tensor/make.h"

namespace ember {

namespace {
// initial-exec: read at a fixed offset from the thread pointer, without the
// __tls_get_addr call a shared library's thread_local costs otherwise (grad
// mode is read by every op). Linked, the core's TLS is in the static block;
// a host that dlopen()s the core (a language binding) takes this one byte
// from the spare static TLS glibc keeps for such libraries.
__attribute__((tls_model("initial-exec"))) thread_local bool grad_enabled = true;
}

bool GradMode::is_enabled() { return grad_enabled; }
void GradMode::set_enabled(bool enabled) { grad_enabled = enabled; }

namespace autograd {

AutogradMeta& meta(const Tensor& t) {
  auto& impl = t.impl();
  if (!impl.autograd) impl.autograd = std::make_shared<AutogradMeta>();
  return *impl.autograd;
}

Edge gradient_edge(const Tensor& t) {
  if (!t.defined() || !t.requires_grad()) return {};
  AutogradMeta& m = meta(t);
  if (m.grad_fn) return {m.grad_fn, m.output_nr};
  // A leaf: its AccumulateGrad, shared by every graph that uses it.
  std::lock_guard<std::mutex> lock(m.mutex);
  std::shared_ptr<Node> acc = m.accumulator.lock();
  if (!acc) {
    acc = std::make_shared<AccumulateGrad>(t);
    m.accumulator = acc;
  }
  return {acc, 0};
}

void set_history(const Tensor& t, const std::shared_ptr<Node>& node, uint32_t output_nr) {
  AutogradMeta& m = meta(t);
  m.grad_fn = node;
  m.output_nr = output_nr;
  t.impl().requires_grad = true;
}

bool should_record(std::initializer_list<const Tensor*> inputs) {
  if (!GradMode::is_enabled()) return false;
  for (const Tensor* t : inputs)
    if (t->defined() && t->requires_grad()) return true;
  return false;
}

uint64_t next_sequence_nr() {
  static std::atomic<uint64_t> counter{0};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

// ---- AccumulateGrad ----

AccumulateGrad::AccumulateGrad(const Tensor& leaf) : leaf_(leaf.impl_ptr()) {
  sequence_nr_ = UINT64_MAX;  // leaves run last
  outputs_.push_back({DimVector(leaf.sizes()), leaf.dtype(), leaf.device()});
}

variable_list AccumulateGrad::apply(variable_list&& grads) {
  std::shared_ptr<ember::detail::TensorImpl> impl = leaf_.lock();
  if (!impl || !grads[0].defined()) return {};
  Tensor leaf(impl);
  AutogradMeta& m = meta(leaf);
  std::lock_guard<std::mutex> lock(m.mutex);
  if (!m.grad.defined()) {
    // The first gradient is taken over when nothing else holds it (the
    // engine passes each buffer once); otherwise later in-place accumulation
    // would write into another tensor's gradient too.
    // A gradient that is not contiguous (Linear's weight gradient is the
    // transpose of a product) is stored contiguous, as PyTorch's layout
    // contract does, so the optimizer's elementwise updates walk parameter
    // and gradient in the same order.
    Tensor& g = grads[0];
    const bool sole_owner = g.use_count() == 1 && g.impl().storage.use_count() == 1;
    if (GradMode::is_enabled()) m.grad = g;
    else if (!g.is_contiguous()) m.grad = g.detach().contiguous();
    else m.grad = sole_owner ? g.detach() : g.detach().clone();
  } else if (GradMode::is_enabled()) {
    m.grad = m.grad + grads[0];  // create_graph: keep the sum differentiable
  } else {
    m.grad.add_(grads[0]);
  }
  return {};
}

}  // namespace autograd
}  // namespace ember
