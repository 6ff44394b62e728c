#pragma once
// The node at a leaf: adds the incoming gradient into the leaf's .grad.
#include <memory>

#include "ember/autograd.h"

namespace ember::autograd {

class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(const Tensor& leaf);
  std::string name() const override { return "AccumulateGrad"; }
  variable_list apply(variable_list&& grads) override;
  // The leaf, while it lives.
  std::shared_ptr<ember::detail::TensorImpl> leaf() const { return leaf_.lock(); }

 private:
  std::weak_ptr<ember::detail::TensorImpl> leaf_;
};

}  // namespace ember::autograd
