#pragma once
// Adagrad with PyTorch 1.13's update rule (torch/optim/adagrad.py,
// single-tensor form) and libtorch's option names.
#include <memory>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

struct AdagradOptions : OptimizerOptions {
  AdagradOptions(double lr = 1e-2) : lr_(lr) {}
  AdagradOptions& lr(double v) { lr_ = v; return *this; }
  AdagradOptions& lr_decay(double v) { lr_decay_ = v; return *this; }
  AdagradOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  AdagradOptions& initial_accumulator_value(double v) { initial_accumulator_value_ = v; return *this; }
  AdagradOptions& eps(double v) { eps_ = v; return *this; }
  double lr() const { return lr_; }
  double lr_decay() const { return lr_decay_; }
  double weight_decay() const { return weight_decay_; }
  double initial_accumulator_value() const { return initial_accumulator_value_; }
  double eps() const { return eps_; }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<AdagradOptions>(*this); }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

 private:
  double lr_, lr_decay_ = 0, weight_decay_ = 0, initial_accumulator_value_ = 0, eps_ = 1e-10;
};

struct AdagradParamState : OptimizerParamState {
  int64_t step = 0;
  Tensor sum;  // the running sum of squared gradients
};

// As in PyTorch, the constructor creates every parameter's state (its sum
// starts at initial_accumulator_value).
class Adagrad : public Optimizer {
 public:
  explicit Adagrad(std::vector<Tensor> params, const AdagradOptions& options = {});
  explicit Adagrad(std::vector<OptimizerParamGroup> groups, const AdagradOptions& defaults = {});
  Tensor step(std::function<Tensor()> closure = nullptr) override;
};

}  // namespace ember::optim
