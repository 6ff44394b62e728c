#include "autograd/saved_variable.h"

#include "autograd/meta.h"
#include "tensor/make.h"

namespace ember::autograd {

// Note [Saved outputs]
// A node that saves its own output must not hold that output's TensorImpl:
// the impl holds the node as grad_fn, and the cycle would never be freed. It
// keeps a detached alias of the storage instead, and unpack() gives back a
// tensor whose grad_fn is the node again (so a create_graph backward can
// differentiate through it).
SavedVariable::SavedVariable(const Tensor& t, bool is_output, const std::shared_ptr<Node>& node) {
  if (!t.defined()) return;
  was_defined_ = true;
  is_output_ = is_output;
  version_ = t.impl().storage->version.load(std::memory_order_relaxed);
  requires_grad_ = t.requires_grad();
  if (const AutogradMeta* m = meta_if(t); m && m->grad_fn)
    produced_by_ = ember::detail::str_cat(", which is output ", m->output_nr, " of ", m->grad_fn->name(), ",");
  if (is_output) {
    data_ = t.detach();
    output_of_ = node;
    output_nr_ = meta_if(t) ? meta_if(t)->output_nr : 0;
  } else {
    data_ = t;
  }
}

Tensor SavedVariable::unpack(const Node& owner) const {
  if (!was_defined_) return Tensor();
  EMBER_CHECK(!released_, "Trying to backward through the graph a second time (or directly access saved tensors ",
              "after they have already been freed). Saved intermediate values of the graph are freed when you call ",
              ".backward() or autograd::grad(). Specify retain_graph=true if you need to backward through the graph ",
              "a second time or if you need to access saved tensors after calling backward. (in ", owner.name(), ")");
  const uint32_t now = data_.impl().storage->version.load(std::memory_order_relaxed);
  EMBER_CHECK(now == version_,
              "one of the variables needed for gradient computation has been modified by an inplace operation: [",
              dtype_name(data_.dtype()), " ", ember::detail::shape_str(data_.sizes()), "]", produced_by_, " is at version ",
              now, "; expected version ", version_,
              " instead. Hint: the backward of ", owner.name(),
              " needs this tensor's value; clone() it before the in-place change, or make the change out of place.");
  if (!is_output_) return data_;
  Tensor out = data_.detach();
  if (requires_grad_)
    if (std::shared_ptr<Node> node = output_of_.lock()) set_history(out, node, output_nr_);
  return out;
}

}  // namespace ember::autograd
