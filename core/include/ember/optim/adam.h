#pragma once
// Adam with PyTorch 1.13's update rule (torch/optim/adam.py, single-tensor
// form) and libtorch's option names.
#include <memory>
#include <tuple>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdamOptions : OptimizerOptions {
  AdamOptions(double lr = 1e-3) : lr_(lr) {}
  AdamOptions& lr(double v) { lr_ = v; return *this; }
  AdamOptions& betas(const std::tuple<double, double>& v) { betas_ = v; return *this; }
  AdamOptions& eps(double v) { eps_ = v; return *this; }
  AdamOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  AdamOptions& amsgrad(bool v) { amsgrad_ = v; return *this; }
  double lr() const { return lr_; }
  const std::tuple<double, double>& betas() const { return betas_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  bool amsgrad() const { return amsgrad_; }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<AdamOptions>(*this); }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

 private:
  double lr_;
  std::tuple<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8, weight_decay_ = 0;
  bool amsgrad_ = false;
};

// The moments of one parameter.
struct AdamParamState : OptimizerParamState {
  int64_t step = 0;
  Tensor exp_avg;         // the first moment
  Tensor exp_avg_sq;      // the second moment
  Tensor max_exp_avg_sq;  // its running maximum, with amsgrad
};

class Adam : public Optimizer {
 public:
  explicit Adam(std::vector<Tensor> params, const AdamOptions& options = {});
  explicit Adam(std::vector<OptimizerParamGroup> groups, const AdamOptions& defaults = {});
  Tensor step(std::function<Tensor()> closure = nullptr) override;
};

}  // namespace ember::optim
