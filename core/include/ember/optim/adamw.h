#pragma once
// AdamW (decoupled weight decay) with PyTorch 1.13's update rule
// (torch/optim/adamw.py, single-tensor form) and libtorch's option names.
#include <memory>
#include <tuple>
#include <vector>

#include "ember/optim/adam.h"

namespace ember::optim {

// AdamW's options are Adam's with a default weight decay of 1e-2, applied
// to the parameter itself instead of the gradient.
struct AdamWOptions : OptimizerOptions {
  AdamWOptions(double lr = 1e-3) : lr_(lr) {}
  AdamWOptions& lr(double v) { lr_ = v; return *this; }
  AdamWOptions& betas(const std::tuple<double, double>& v) { betas_ = v; return *this; }
  AdamWOptions& eps(double v) { eps_ = v; return *this; }
  AdamWOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  AdamWOptions& amsgrad(bool v) { amsgrad_ = v; return *this; }
  double lr() const { return lr_; }
  const std::tuple<double, double>& betas() const { return betas_; }
  double eps() const { return eps_; }
  double weight_decay() const { return weight_decay_; }
  bool amsgrad() const { return amsgrad_; }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<AdamWOptions>(*this); }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

 private:
  double lr_;
  std::tuple<double, double> betas_{0.9, 0.999};
  double eps_ = 1e-8, weight_decay_ = 1e-2;
  bool amsgrad_ = false;
};

using AdamWParamState = AdamParamState;

class AdamW : public Optimizer {
 public:
  explicit AdamW(std::vector<Tensor> params, const AdamWOptions& options = {});
  explicit AdamW(std::vector<OptimizerParamGroup> groups, const AdamWOptions& defaults = {});
  Tensor step(std::function<Tensor()> closure = nullptr) override;
};

}  // namespace ember::optim
