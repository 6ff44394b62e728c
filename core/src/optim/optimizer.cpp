#include "ember/optim/optimizer.h"

#include "ember/autograd.h"

namespace ember::optim {

Optimizer::Optimizer(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults)
    : defaults_(std::move(defaults)) {
  for (const auto& g : groups) add_param_group(g);
}

void Optimizer::add_param_group(const OptimizerParamGroup& group) {
  OptimizerParamGroup g(group);
  if (!g.has_options()) g.set_options(defaults_->clone());
  for (const Tensor& p : g.params()) {
    EMBER_CHECK(p.defined() && p.is_leaf(), "optimizer: can't optimize a non-leaf or undefined tensor; pass "
                                            "module->parameters()");
    for (const auto& other : groups_)
      for (const Tensor& q : other.params())
        EMBER_CHECK(!q.is_same(p), "optimizer: some parameters appear in more than one parameter group");
  }
  groups_.push_back(std::move(g));
}

void Optimizer::zero_grad(bool set_to_none) {
  for (auto& g : groups_)
    for (Tensor& p : g.params()) {
      if (!p.grad().defined()) continue;
      if (set_to_none) {
        p.mutable_grad() = Tensor();
      } else {
        NoGradGuard no_grad;
        p.mutable_grad() = p.grad().detach();
        p.mutable_grad().zero_();
      }
    }
}

namespace {
std::vector<OptimizerParamGroup> one_group(std::vector<Tensor> params) { return {OptimizerParamGroup(std::move(params))}; }

void check_sgd(const SGDOptions& o) {
  EMBER_CHECK(o.lr() >= 0, "SGD: invalid learning rate ", o.lr());
  EMBER_CHECK(o.momentum() >= 0, "SGD: invalid momentum value ", o.momentum());
  EMBER_CHECK(o.weight_decay() >= 0, "SGD: invalid weight_decay value ", o.weight_decay());
  EMBER_CHECK(!o.nesterov() || (o.momentum() > 0 && o.dampening() == 0),
              "SGD: nesterov momentum requires a momentum and zero dampening");
}
}  // namespace

SGD::SGD(std::vector<Tensor> params, const SGDOptions& options) : SGD(one_group(std::move(params)), options) {}

SGD::SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults)
    : Optimizer(std::move(groups), std::make_unique<SGDOptions>(defaults)) {
  check_sgd(defaults);
}

Tensor SGD::step(std::function<Tensor()> closure) {
  Tensor loss;
  if (closure) {
    AutoGradMode enable(true);
    loss = closure();
  }
  NoGradGuard no_grad;
  for (auto& group : groups_) {
    const auto& o = static_cast<const SGDOptions&>(group.options());
    for (Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      Tensor d_p = p.grad();
      if (o.weight_decay() != 0) d_p = d_p.add(p, o.weight_decay());
      if (o.momentum() != 0) {
        auto& slot = state_[p.unsafe_impl()];
        if (!slot) slot = std::make_unique<SGDParamState>();
        auto& buf = static_cast<SGDParamState&>(*slot).momentum_buffer;
        if (!buf.defined()) buf = d_p.clone().detach();
        else buf.mul_(o.momentum()).add_(d_p, 1 - o.dampening());
        d_p = o.nesterov() ? d_p.add(buf, o.momentum()) : buf;
      }
      p.add_(d_p, -o.lr());
    }
  }
  return loss;
}

}  // namespace ember::optim
