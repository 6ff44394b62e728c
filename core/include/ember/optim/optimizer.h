#pragma once
// optim::Optimizer and SGD, as libtorch: parameter groups with their own
// options, per-parameter state, zero_grad/step.
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "ember/tensor.h"

namespace ember::optim {

// Options shared by every optimizer: the learning rate, read and set per group.
class OptimizerOptions {
 public:
  virtual ~OptimizerOptions() = default;
  virtual std::unique_ptr<OptimizerOptions> clone() const = 0;
  virtual double get_lr() const = 0;
  virtual void set_lr(double lr) = 0;
};

class OptimizerParamGroup {
 public:
  OptimizerParamGroup(std::vector<Tensor> params, std::unique_ptr<OptimizerOptions> options = nullptr)
      : params_(std::move(params)), options_(std::move(options)) {}
  OptimizerParamGroup(const OptimizerParamGroup& o)
      : params_(o.params_), options_(o.options_ ? o.options_->clone() : nullptr) {}
  std::vector<Tensor>& params() { return params_; }
  const std::vector<Tensor>& params() const { return params_; }
  OptimizerOptions& options() { return *options_; }
  const OptimizerOptions& options() const { return *options_; }
  bool has_options() const { return options_ != nullptr; }
  void set_options(std::unique_ptr<OptimizerOptions> options) { options_ = std::move(options); }

 private:
  std::vector<Tensor> params_;
  std::unique_ptr<OptimizerOptions> options_;
};

// Per-parameter state (momentum buffers, moments, step counts).
struct OptimizerParamState {
  virtual ~OptimizerParamState() = default;
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  void zero_grad(bool set_to_none = true);
  virtual Tensor step(std::function<Tensor()> closure = nullptr) = 0;
  void add_param_group(const OptimizerParamGroup& group);
  std::vector<OptimizerParamGroup>& param_groups() noexcept { return groups_; }
  const std::vector<OptimizerParamGroup>& param_groups() const noexcept { return groups_; }
  // Keyed by the parameter's TensorImpl: tensors keep identity across
  // module->to(device), so state follows them.
  std::map<const void*, std::unique_ptr<OptimizerParamState>>& state() noexcept { return state_; }

 protected:
  Optimizer(std::vector<OptimizerParamGroup> groups, std::unique_ptr<OptimizerOptions> defaults);
  std::unique_ptr<OptimizerOptions> defaults_;
  std::vector<OptimizerParamGroup> groups_;
  std::map<const void*, std::unique_ptr<OptimizerParamState>> state_;
};

struct SGDOptions : OptimizerOptions {
  explicit SGDOptions(double lr) : lr_(lr) {}
  SGDOptions& lr(double v) { lr_ = v; return *this; }
  SGDOptions& momentum(double v) { momentum_ = v; return *this; }
  SGDOptions& dampening(double v) { dampening_ = v; return *this; }
  SGDOptions& weight_decay(double v) { weight_decay_ = v; return *this; }
  SGDOptions& nesterov(bool v) { nesterov_ = v; return *this; }
  double lr() const { return lr_; }
  double momentum() const { return momentum_; }
  double dampening() const { return dampening_; }
  double weight_decay() const { return weight_decay_; }
  bool nesterov() const { return nesterov_; }
  std::unique_ptr<OptimizerOptions> clone() const override { return std::make_unique<SGDOptions>(*this); }
  double get_lr() const override { return lr_; }
  void set_lr(double lr) override { lr_ = lr; }

 private:
  double lr_, momentum_ = 0, dampening_ = 0, weight_decay_ = 0;
  bool nesterov_ = false;
};

struct SGDParamState : OptimizerParamState {
  Tensor momentum_buffer;
};

// Stochastic gradient descent with PyTorch's update rule.
class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, const SGDOptions& options);
  SGD(std::vector<OptimizerParamGroup> groups, const SGDOptions& defaults);
  Tensor step(std::function<Tensor()> closure = nullptr) override;
};

}  // namespace ember::optim
