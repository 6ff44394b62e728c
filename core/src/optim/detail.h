#pragma once
// Helpers shared by the optimizers; not part of the public API.
#include <functional>
#include <map>
#include <memory>
#include <utility>
#include <vector>

#include "ember/autograd.h"
#include "ember/optim/optimizer.h"

namespace ember::optim {
struct AdamParamState;
}  // namespace ember::optim

namespace ember::optim::detail {

inline std::vector<OptimizerParamGroup> one_group(std::vector<Tensor> params) {
  std::vector<OptimizerParamGroup> groups;
  groups.emplace_back(std::move(params));
  return groups;
}

// step(closure) evaluates the closure with gradients on, as PyTorch's
// `with torch.enable_grad(): loss = closure()`.
inline Tensor run_closure(const std::function<Tensor()>& closure) {
  if (!closure) return {};
  AutoGradMode enable(true);
  return closure();
}

// A group's options as the optimizer's own type; a group given another
// optimizer's options is an Error, not undefined behaviour.
template <typename Options>
const Options& group_options(const OptimizerParamGroup& group, const char* optimizer) {
  const auto* options = dynamic_cast<const Options*>(&group.options());
  EMBER_CHECK(options, optimizer, ": a parameter group has another optimizer's options; give it ", optimizer,
              "'s options (or none, for the defaults)");
  return *options;
}

// The state of `param`, created by `init` on first use.
template <typename State, typename Init>
State& param_state(std::map<const void*, std::unique_ptr<OptimizerParamState>>& states, const Tensor& param,
                   Init init) {
  auto& slot = states[param.unsafe_impl()];
  if (!slot) {
    auto state = std::make_unique<State>();
    init(*state);
    slot = std::move(state);
  }
  return static_cast<State&>(*slot);
}

// Adam's and AdamW's state of `param`: zero moments at first (adam.cpp); the
// amsgrad maximum is made by adam_update when first needed.
AdamParamState& adam_state(std::map<const void*, std::unique_ptr<OptimizerParamState>>& states, const Tensor& param);
// The part of the Adam step that AdamW shares: after weight decay, update
// the moments of `param` (its gradient `grad`) and take the step (adam.cpp).
void adam_update(const Tensor& param, const Tensor& grad, AdamParamState& state, double lr, double beta1, double beta2,
                 double eps, bool amsgrad);

}  // namespace ember::optim::detail
