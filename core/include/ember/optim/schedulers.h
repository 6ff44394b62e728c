#pragma once
// Learning-rate schedulers with **Python** PyTorch 1.13's semantics
// (torch/optim/lr_scheduler.py), which libtorch 1.13's differ from: the
// constructor takes step 0, so StepLR(opt, 2, 0.1) decays after the second
// step(). They read and write each group's lr through
// `optimizer.param_groups()[i].options().get_lr()/set_lr()`.
#include <cstdint>
#include <vector>

#include "ember/optim/optimizer.h"

namespace ember::optim {

// Python's LRScheduler: step() advances last_epoch and sets each group's lr
// to get_lrs() (the "chainable" form, computed from the current lrs).
class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  void step();
  // The lrs the last step set, one per parameter group (get_last_lr()).
  const std::vector<double>& get_last_lr() const noexcept { return last_lr_; }
  int64_t last_epoch() const noexcept { return last_epoch_; }

 protected:
  // Records the groups' lrs as base_lrs. A derived constructor ends with
  // step(), as Python's _initial_step() does.
  explicit LRScheduler(Optimizer& optimizer);
  virtual std::vector<double> get_lrs() = 0;
  std::vector<double> get_current_lrs() const;

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;

 private:
  std::vector<double> last_lr_;
};

// Multiplies the lr by gamma every step_size steps.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  int64_t step_size_;
  double gamma_;
};

// Multiplies the lr by gamma at each milestone (a step count; a milestone
// listed twice multiplies by gamma twice).
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 private:
  std::vector<double> get_lrs() override;
  std::vector<int64_t> milestones_;
  double gamma_;
};

// Multiplies the lr by gamma every step.
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 private:
  std::vector<double> get_lrs() override;
  double gamma_;
};

// Cosine annealing from the base lr to eta_min over T_max steps (and back
// up, periodically, past T_max), in Python's recursive form.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0);

 private:
  std::vector<double> get_lrs() override;
  int64_t T_max_;
  double eta_min_;
};

// Reduces the lr by `factor` once the metric passed to step(metric) has not
// improved for `patience` steps; libtorch's ReduceLROnPlateauScheduler.
class ReduceLROnPlateau {
 public:
  enum SchedulerMode { min, max };
  enum ThresholdMode { rel, abs };
  // min_lr: one floor for every group ({lr}) or one per group; empty is 0.
  explicit ReduceLROnPlateau(Optimizer& optimizer, SchedulerMode mode = min, double factor = 0.1,
                             int64_t patience = 10, double threshold = 1e-4, ThresholdMode threshold_mode = rel,
                             int64_t cooldown = 0, const std::vector<double>& min_lr = {}, double eps = 1e-8);
  void step(double metric);
  const std::vector<double>& get_last_lr() const noexcept { return last_lr_; }
  int64_t last_epoch() const noexcept { return last_epoch_; }
  int64_t num_bad_epochs() const noexcept { return num_bad_epochs_; }
  double best() const noexcept { return best_; }

 private:
  bool is_better(double current) const;
  void reduce_lr();

  Optimizer& optimizer_;
  SchedulerMode mode_;
  double factor_;
  int64_t patience_;
  double threshold_;
  ThresholdMode threshold_mode_;
  int64_t cooldown_;
  std::vector<double> min_lrs_;
  double eps_;
  double best_;
  int64_t num_bad_epochs_ = 0;
  int64_t cooldown_counter_ = 0;
  int64_t last_epoch_ = 0;
  std::vector<double> last_lr_;
};
using ReduceLROnPlateauScheduler = ReduceLROnPlateau;

}  // namespace ember::optim
