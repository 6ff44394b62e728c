#pragma once
// Activation modules with options, as torch.nn; each prints as Python does
// (`LeakyReLU(negative_slope=0.01)`, `Softmax(dim=1)`). ReLU, Sigmoid and Tanh
// are in modules.h.
#include <ostream>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

class LeakyReLUImpl : public Module {
 public:
  explicit LeakyReLUImpl(const LeakyReLUOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& out) const override;
  LeakyReLUOptions options;
};
EMBER_MODULE(LeakyReLU);

class GELUImpl : public Module {
 public:
  explicit GELUImpl(const GELUOptions& options = {});
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& out) const override;
  GELUOptions options;
};
EMBER_MODULE(GELU);

// x·sigmoid(x).
class SiLUImpl : public Module {
 public:
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(SiLU);

class SoftmaxImpl : public Module {
 public:
  explicit SoftmaxImpl(int64_t dim) : SoftmaxImpl(SoftmaxOptions(dim)) {}
  explicit SoftmaxImpl(const SoftmaxOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& out) const override;
  SoftmaxOptions options;
};
EMBER_MODULE(Softmax);

class LogSoftmaxImpl : public Module {
 public:
  explicit LogSoftmaxImpl(int64_t dim) : LogSoftmaxImpl(LogSoftmaxOptions(dim)) {}
  explicit LogSoftmaxImpl(const LogSoftmaxOptions& options) : options(options) {}
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& out) const override;
  LogSoftmaxOptions options;
};
EMBER_MODULE(LogSoftmax);

// Zeroes elements with probability p while training (is_training()); the
// identity in eval mode.
class DropoutImpl : public Module {
 public:
  explicit DropoutImpl(double p) : DropoutImpl(DropoutOptions(p)) {}
  explicit DropoutImpl(const DropoutOptions& options = {});
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& out) const override;
  DropoutOptions options;
};
EMBER_MODULE(Dropout);

}  // namespace ember::nn
