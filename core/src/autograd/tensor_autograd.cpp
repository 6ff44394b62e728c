// The autograd methods of Tensor: requires_grad_, grad, grad_fn, detach,
// retain_grad, hooks.
#include "autograd/accumulate_grad.h"
#include "autograd/meta.h"
#include "tensor/make.h"

namespace ember {

using autograd::meta;
using autograd::meta_if;

Tensor& Tensor::requires_grad_(bool value) const {
  EMBER_CHECK(!value || is_floating_point(), "requires_grad_: only tensors of floating point dtype can require ",
              "gradients, but this is a ", ember::detail::describe(*this));
  EMBER_CHECK(is_leaf() || value, "requires_grad_: you can only change requires_grad flags of leaf variables; ",
              "use detach() to get a tensor that does not require grad");
  impl().requires_grad = value;
  return self();
}

const Tensor& Tensor::grad() const {
  static const Tensor undefined;
  const autograd::AutogradMeta* m = meta_if(*this);
  return m ? m->grad : undefined;
}

Tensor& Tensor::mutable_grad() const { return meta(*this).grad; }

bool Tensor::is_leaf() const {
  const autograd::AutogradMeta* m = meta_if(*this);
  return !m || !m->grad_fn;
}

const std::shared_ptr<autograd::Node>& Tensor::grad_fn() const {
  static const std::shared_ptr<autograd::Node> none;
  const autograd::AutogradMeta* m = meta_if(*this);
  return m ? m->grad_fn : none;
}

Tensor Tensor::detach() const { return ember::detail::make_view(*this, sizes(), strides(), storage_offset()); }

Tensor& Tensor::detach_() const {
  if (auto* m = meta_if(*this)) {
    m->grad_fn.reset();
    m->output_nr = 0;
  }
  impl().requires_grad = false;
  return self();
}

Tensor Tensor::data() const { return detach(); }

void Tensor::retain_grad() const {
  EMBER_CHECK(requires_grad(), "retain_grad: can't retain_grad on a tensor that has requires_grad=False");
  if (is_leaf()) return;  // leaves keep their gradient anyway
  autograd::AutogradMeta& m = meta(*this);
  if (m.retains_grad) return;
  m.retains_grad = true;
  std::weak_ptr<ember::detail::TensorImpl> self = impl_ptr();
  m.grad_fn->pre_hooks_.emplace_back(m.output_nr, [self](const Tensor& g) {
    if (auto impl = self.lock()) {
      Tensor t(impl);
      autograd::AutogradMeta& tm = meta(t);
      std::lock_guard<std::mutex> lock(tm.mutex);
      tm.grad = tm.grad.defined() ? tm.grad + g : g.detach().clone();
    }
    return Tensor();
  });
}

bool Tensor::retains_grad() const {
  const autograd::AutogradMeta* m = meta_if(*this);
  return m && m->retains_grad;
}

unsigned Tensor::register_hook(std::function<Tensor(const Tensor&)> hook) const {
  EMBER_CHECK(requires_grad(), "register_hook: cannot register a hook on a tensor that doesn't require gradient");
  autograd::AutogradMeta& m = meta(*this);
  if (m.grad_fn) {
    m.grad_fn->pre_hooks_.emplace_back(m.output_nr, std::move(hook));
    return unsigned(m.grad_fn->pre_hooks_.size() - 1);
  }
  // A leaf: the hook runs in its AccumulateGrad, which the leaf keeps alive
  // from now on so the hook is not lost between graphs.
  autograd::Edge edge = autograd::gradient_edge(*this);
  edge.function->pre_hooks_.emplace_back(0, std::move(hook));
  m.leaf_hooks_owner = edge.function;
  return unsigned(edge.function->pre_hooks_.size() - 1);
}

}  // namespace ember
