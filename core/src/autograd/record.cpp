// Recording: the one place every differentiable op attaches its node.
#include <array>
#include <atomic>
#include <mutex>
#include <unordered_map>

#include "autograd/copy_slices.h"
#include "autograd/formulas.h"
#include "autograd/meta.h"
#include "dispatch/custom_ops.h"
#include "tensor/make.h"

namespace ember::autograd {

namespace {
struct Overrides {
  std::array<std::array<std::atomic<ember_kernel_fn>, DeviceType::kMaxTypes>, size_t(Op::Count)> table{};
};
Overrides& overrides() {
  static Overrides* o = new Overrides;
  return *o;
}

const Tensor& tensor_of(const Tensor& t) { return t; }
const Tensor& tensor_of(const TensorRef& r) { return *r.tensor; }

// Ref is Tensor or TensorRef.
template <typename Ref>
FormulaNode* record_impl(Op op, const Ref* input_refs, size_t n_in, const Ref* output_refs, size_t n_out) {
  if (!GradMode::is_enabled()) return nullptr;
  bool any = false;
  for (size_t i = 0; i < n_in; ++i) {
    const Tensor& t = tensor_of(input_refs[i]);
    any = any || (t.defined() && t.requires_grad());
  }
  if (!any) return nullptr;
  auto inputs = [&](size_t i) -> const Tensor& { return tensor_of(input_refs[i]); };
  auto outputs = [&](size_t i) -> const Tensor& { return tensor_of(output_refs[i]); };
  auto node = std::make_shared<FormulaNode>(op);
  node->sequence_nr_ = next_sequence_nr();
  node->next_edges_.reserve(n_in);
  node->inputs.reserve(n_in);
  node->outputs_.reserve(n_out);
  for (size_t i = 0; i < n_in; ++i) {
    const Tensor& t = inputs(i);
    node->next_edges_.push_back(gradient_edge(t));
    InputMeta& meta = node->inputs.emplace_back();
    if (t.defined()) {
      meta.sizes.assign(t.sizes());
      meta.strides.assign(t.strides());
      meta.offset = t.storage_offset();
      meta.dtype = t.dtype();
      meta.device = t.device();
    }
  }
  for (size_t i = 0; i < n_out; ++i) {
    const Tensor& out = outputs(i);
    Node::OutputMeta& meta = node->outputs_.emplace_back();
    meta.sizes.assign(out.sizes());
    meta.dtype = out.dtype();
    meta.device = out.device();
    // Integer outputs (indices) carry no gradient.
    if (is_floating_point(out.dtype())) set_history(out, node, uint32_t(i));
  }
  // An in-place op (its output is its first input) on a view rewrites the
  // history of the viewed tensor too.
  if (n_out == 1 && n_in > 0 && outputs(0).unsafe_impl() == inputs(0).unsafe_impl() &&
      outputs(0).impl().view_base) {
    FormulaNode* raw = node.get();
    rebase_history(outputs(0), node);  // the base's CopySlices now owns the node
    return raw;
  }
  return node.get();  // the outputs own the node
}
}  // namespace

std::optional<Op> find_op(const std::string& node_name) {
  for (size_t i = 0; i < size_t(Op::Count); ++i)
    if (FormulaNode(Op(i)).name() == node_name) return Op(i);
  return std::nullopt;
}

void register_backward_kernel(const std::string& name, int device_type, ember_kernel_fn kernel) {
  if (auto op = find_op(name)) {
    overrides().table[size_t(*op)][device_type].store(kernel, std::memory_order_release);
    return;
  }
  const dispatch::CustomOp* custom = dispatch::find_custom_op(name);
  EMBER_ASSERT(custom, "register_backward_kernel: unknown op ", name);
  auto* op = const_cast<dispatch::CustomOp*>(custom);
  if (device_type < 0) op->backward_any.store(kernel, std::memory_order_release);
  else op->backward[device_type].store(kernel, std::memory_order_release);
}

ember_kernel_fn device_override(Op op, int device_type) {
  return overrides().table[size_t(op)][device_type].load(std::memory_order_acquire);
}

FormulaNode* record(Op op, std::initializer_list<TensorRef> inputs, std::initializer_list<TensorRef> outputs) {
  return record_impl(op, inputs.begin(), inputs.size(), outputs.begin(), outputs.size());
}

FormulaNode* record(Op op, const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs) {
  return record_impl(op, inputs.data(), inputs.size(), outputs.data(), outputs.size());
}

void save(FormulaNode* node, const Tensor& t) { node->saved.emplace_back(t, false); }

void save_output(FormulaNode* node, const Tensor& t) {
  // The node is owned by t's grad_fn; find its shared_ptr there.
  const AutogradMeta* m = meta_if(t);
  node->saved.emplace_back(t, true, m ? m->grad_fn : nullptr);
}

void check_inplace(const Tensor& self, const char* op) {
  if (!GradMode::is_enabled()) return;
  EMBER_CHECK(!(self.requires_grad() && self.is_leaf() && !self.impl().view_base), op,
              ": a leaf Variable that requires grad is being used in an in-place operation; do it under "
              "ember::NoGradGuard, or on a clone()");
  if (const auto& base = self.impl().view_base) {
    const Tensor root(base);
    EMBER_CHECK(!(root.requires_grad() && root.is_leaf()), op,
                ": a view of a leaf Variable that requires grad is being used in an in-place operation; do it "
                "under ember::NoGradGuard, or on a clone() of the leaf");
  }
}

}  // namespace ember::autograd
