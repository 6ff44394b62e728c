// RMSprop, as torch/optim/rmsprop.py's _single_tensor_rmsprop in PyTorch 1.13.
#include "ember/optim/rmsprop.h"

#include "ember/autograd.h"
#include "ember/factories.h"
#include "optim/detail.h"

namespace ember::optim {

RMSprop::RMSprop(std::vector<Tensor> params, const RMSpropOptions& options)
    : RMSprop(detail::one_group(std::move(params)), options) {}

RMSprop::RMSprop(std::vector<OptimizerParamGroup> groups, const RMSpropOptions& defaults)
    : Optimizer(std::move(groups), std::make_unique<RMSpropOptions>(defaults)) {
  EMBER_CHECK(defaults.lr() >= 0, "RMSprop: invalid learning rate ", defaults.lr());
  EMBER_CHECK(defaults.eps() >= 0, "RMSprop: invalid epsilon value ", defaults.eps());
  EMBER_CHECK(defaults.momentum() >= 0, "RMSprop: invalid momentum value ", defaults.momentum());
  EMBER_CHECK(defaults.weight_decay() >= 0, "RMSprop: invalid weight_decay value ", defaults.weight_decay());
  EMBER_CHECK(defaults.alpha() >= 0, "RMSprop: invalid alpha value ", defaults.alpha());
}

Tensor RMSprop::step(std::function<Tensor()> closure) {
  Tensor loss = detail::run_closure(closure);
  NoGradGuard no_grad;
  for (auto& group : groups_) {
    const auto& o = detail::group_options<RMSpropOptions>(group, "RMSprop");
    const double alpha = o.alpha();
    for (Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      auto& state = detail::param_state<RMSpropParamState>(state_, p, [&](RMSpropParamState& s) {
        s.square_avg = zeros_like(p);
      });
      state.step += 1;
      Tensor grad = p.grad();
      if (o.weight_decay() != 0) grad = grad.add(p, o.weight_decay());
      // square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
      state.square_avg.mul_(alpha).add_(grad.mul(1 - alpha).mul(grad));
      Tensor avg;
      if (o.centered()) {
        if (!state.grad_avg.defined()) state.grad_avg = zeros_like(p);
        state.grad_avg.mul_(alpha).add_(grad, 1 - alpha);
        // square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        avg = state.square_avg.add(state.grad_avg.neg().mul(state.grad_avg)).sqrt();
      } else {
        avg = state.square_avg.sqrt();
      }
      avg.add_(o.eps());
      if (o.momentum() > 0) {
        if (!state.momentum_buffer.defined()) state.momentum_buffer = zeros_like(p);
        // buf.mul_(momentum).addcdiv_(grad, avg); param.add_(buf, alpha=-lr)
        state.momentum_buffer.mul_(o.momentum()).add_(grad / avg);
        p.add_(state.momentum_buffer, -o.lr());
      } else {
        // param.addcdiv_(grad, avg, value=-lr)
        p.add_(grad / avg, -o.lr());
      }
    }
  }
  return loss;
}

}  // namespace ember::optim
