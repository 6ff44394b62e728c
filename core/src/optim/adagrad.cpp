// Adagrad, as torch/optim/adagrad.py's _single_tensor_adagrad in PyTorch 1.13.
#include "ember/optim/adagrad.h"

#include "ember/autograd.h"
#include "ember/factories.h"
#include "optim/detail.h"

namespace ember::optim {

namespace {
AdagradParamState& adagrad_state(std::map<const void*, std::unique_ptr<OptimizerParamState>>& states,
                                 const Tensor& param, double initial_accumulator_value) {
  return detail::param_state<AdagradParamState>(states, param, [&](AdagradParamState& s) {
    s.sum = full_like(param, initial_accumulator_value);
  });
}
}  // namespace

Adagrad::Adagrad(std::vector<Tensor> params, const AdagradOptions& options)
    : Adagrad(detail::one_group(std::move(params)), options) {}

Adagrad::Adagrad(std::vector<OptimizerParamGroup> groups, const AdagradOptions& defaults)
    : Optimizer(std::move(groups), std::make_unique<AdagradOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, "Adagrad: invalid learning rate ", defaults.lr());
  EMBER_CHECK(defaults.lr_decay() >= 0, "Adagrad: invalid lr_decay value ", defaults.lr_decay());
  EMBER_CHECK(defaults.weight_decay() >= 0, "Adagrad: invalid weight_decay value ", defaults.weight_decay());
  EMBER_CHECK(defaults.initial_accumulator_value() >= 0, "Adagrad: invalid initial_accumulator_value ",
              defaults.initial_accumulator_value());
  EMBER_CHECK(defaults.eps() >= 0, "Adagrad: invalid epsilon value ", defaults.eps());
  NoGradGuard no_grad;
  for (auto& group : groups_) {
    const auto& o = detail::group_options<AdagradOptions>(group, "Adagrad");
    for (const Tensor& p : group.params()) adagrad_state(state_, p, o.initial_accumulator_value());
  }
}

Tensor Adagrad::step(std::function<Tensor()> closure) {
  Tensor loss = detail::run_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : groups_) {
    const auto& o = detail::group_options<AdagradOptions>(group, "Adagrad");
    for (Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      // A group added after construction gets its state here.
      auto& state = adagrad_state(state_, p, o.initial_accumulator_value());
      state.step += 1;
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      const double clr = o.lr() / (1 + double(state.step - 1) * o.lr_decay());
      // state_sum.addcmul_(grad, grad, value=1); std = state_sum.sqrt().add_(eps)
      state.sum.add_(grad.mul(grad));
      Tensor std = state.sum.sqrt().add_(o.eps());
      // param.addcdiv_(grad, std, value=-clr)
      p.add_(grad / std, -clr);
    }
  }
  return loss;
}

}  // namespace ember::optim
