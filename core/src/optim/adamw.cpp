// AdamW, as torch/optim/adamw.py's _single_tensor_adamw in PyTorch 1.13:
// the weight decay scales the parameter, then Adam's step follows.
#include "ember/optim/adamw.h"

#include "ember/autograd.h"
#include "ember/factories.h"
#include "optim/detail.h"

namespace ember::optim {

AdamW::AdamW(std::vector<Tensor> params, const AdamWOptions& options)
    : AdamW(detail::one_group(std::move(params)), options) {}

AdamW::AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& defaults)
    : Optimizer(std::move(groups), std::make_unique<AdamWOptions>(defaults)) {
  const auto [beta1, beta2] = defaults.betas();
  EMBER_CHECK(defaults.lr() >= 0, "AdamW: invalid learning rate ", defaults.lr());
  EMBER_CHECK(defaults.eps() >= 0, "AdamW: invalid epsilon value ", defaults.eps());
  EMBER_CHECK(beta1 >= 0 && beta1 < 1, "AdamW: invalid beta parameter at index 0: ", beta1, " (must be in [0, 1))");
  EMBER_CHECK(beta2 >= 0 && beta2 < 1, "AdamW: invalid beta parameter at index 1: ", beta2, " (must be in [0, 1))");
  EMBER_CHECK(defaults.weight_decay() >= 0, "AdamW: invalid weight_decay value ", defaults.weight_decay());
}

Tensor AdamW::step(std::function<Tensor()> closure) {
  Tensor loss = detail::run_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : groups_) {
    const auto& o = detail::group_options<AdamWOptions>(group, "AdamW");
    const auto [beta1, beta2] = o.betas();
    for (Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& state = detail::adam_state(state_, p);
      // param.mul_(1 - lr * weight_decay)
      p.mul_(1 - o.lr() * o.weight_decay());
      detail::adam_update(p, p.grad(), state, o.lr(), beta1, beta2, o.eps(), o.amsgrad());
    }
  }
  return loss;
}

}  // namespace ember::optim
