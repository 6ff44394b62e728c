// Adam, as torch/optim/adam.py's _single_tensor_adam in PyTorch 1.13.
#include "ember/optim/adam.h"

#include <cmath>

#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "optim/detail.h"

namespace ember::optim {

namespace detail {

namespace {
// The device's fused ADAM_STEP kernel (one pass over the four tensors
// instead of eleven ops and their temporaries), when it has one and the
// operands suit it; false leaves everything untouched.
bool fused_adam_update(const Tensor& param, const Tensor& grad, AdamParamState& state, double beta1, double beta2,
                       double step_size, double bias_correction2_sqrt, double eps) {
  const int device_type = param.device().type().id();
  if (!param.is_floating_point() || !dispatch::has_kernel(EMBER_OP_ADAM_STEP, device_type)) return false;
  const Tensor* operands[] = {&param, &grad, &state.exp_avg, &state.exp_avg_sq};
  for (const Tensor* t : operands)
    if (t->dtype() != param.dtype() || t->device() != param.device() || !t->sizes().equals(param.sizes()) ||
        !t->is_contiguous())
      return false;
  // The kernel reads and writes the four in one pass, so they must not share
  // memory (a .grad set to a view of the parameter, say): the composition
  // handles that case.
  for (size_t i = 0; i < 4; ++i)
    for (size_t j = i + 1; j < 4; ++j)
      if (operands[i]->impl().storage == operands[j]->impl().storage) return false;
  const Tensor inputs[4] = {param, grad, state.exp_avg, state.exp_avg_sq};
  const Tensor outputs[3] = {param, state.exp_avg, state.exp_avg_sq};
  const ember_scalar scalars[5] = {dispatch::to_abi(beta1), dispatch::to_abi(beta2), dispatch::to_abi(step_size),
                                   dispatch::to_abi(bias_correction2_sqrt), dispatch::to_abi(eps)};
  return dispatch::try_call(EMBER_OP_ADAM_STEP, inputs, outputs, scalars);
}
}  // namespace

void adam_update(const Tensor& param, const Tensor& grad, AdamParamState& state, double lr, double beta1, double beta2,
                 double eps, bool amsgrad) {
  state.step += 1;
  const double step = double(state.step);
  const double bias_correction1 = 1 - std::pow(beta1, step);
  const double bias_correction2 = 1 - std::pow(beta2, step);
  const double step_size = lr / bias_correction1;
  const double bias_correction2_sqrt = std::sqrt(bias_correction2);
  if (!amsgrad && fused_adam_update(param, grad, state, beta1, beta2, step_size, bias_correction2_sqrt, eps)) return;
  // exp_avg.mul_(beta1).add_(grad, alpha=1 - beta1)
  state.exp_avg.mul_(beta1).add_(grad, 1 - beta1);
  // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2), whose
  // kernel computes value * grad * grad left to right.
  state.exp_avg_sq.mul_(beta2).add_(grad.mul(1 - beta2).mul(grad));
  Tensor denom;
  if (amsgrad) {
    if (!state.max_exp_avg_sq.defined()) state.max_exp_avg_sq = zeros_like(param);
    state.max_exp_avg_sq.copy_(maximum(state.max_exp_avg_sq, state.exp_avg_sq));
    denom = (state.max_exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps);
  } else {
    denom = (state.exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps);
  }
  // param.addcdiv_(exp_avg, denom, value=-step_size)
  param.add_(state.exp_avg / denom, -step_size);
}

}  // namespace detail

namespace {
void check_adam(const char* name, double lr, double eps, const std::tuple<double, double>& betas,
                double weight_decay) {
  const auto [beta1, beta2] = betas;
  EMBER_CHECK(lr >= 0, name, ": invalid learning rate ", lr);
  EMBER_CHECK(eps >= 0, name, ": invalid epsilon value ", eps);
  EMBER_CHECK(beta1 >= 0 && beta1 < 1, name, ": invalid beta parameter at index 0: ", beta1, " (must be in [0, 1))");
  EMBER_CHECK(beta2 >= 0 && beta2 < 1, name, ": invalid beta parameter at index 1: ", beta2, " (must be in [0, 1))");
  EMBER_CHECK(weight_decay >= 0, name, ": invalid weight_decay value ", weight_decay);
}

}  // namespace

namespace detail {
AdamParamState& adam_state(std::map<const void*, std::unique_ptr<OptimizerParamState>>& states, const Tensor& param) {
  return param_state<AdamParamState>(states, param, [&](AdamParamState& s) {
    s.exp_avg = zeros_like(param);
    s.exp_avg_sq = zeros_like(param);
  });
}
}  // namespace detail

Adam::Adam(std::vector<Tensor> params, const AdamOptions& options)
    : Adam(detail::one_group(std::move(params)), options) {}

Adam::Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults)
    : Optimizer(std::move(groups), std::make_unique<AdamOptions>(defaults)) {
  check_adam("Adam", defaults.lr(), defaults.eps(), defaults.betas(), defaults.weight_decay());
}

Tensor Adam::step(std::function<Tensor()> closure) {
  Tensor loss = detail::run_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : groups_) {
    const auto& o = detail::group_options<AdamOptions>(group, "Adam");
    const auto [beta1, beta2] = o.betas();
    for (Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& state = detail::adam_state(state_, p);
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      detail::adam_update(p, grad, state, o.lr(), beta1, beta2, o.eps(), o.amsgrad());
    }
  }
  return loss;
}

}  // namespace ember::optim
