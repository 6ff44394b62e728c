#pragma once
// Convolution modules: Conv1d, Conv2d, ConvTranspose2d, initialised and
// printed as PyTorch's.
#include <ostream>

#include "ember/nn/functional/conv.h"
#include "ember/nn/module.h"

namespace ember::nn {

// weight: (out_channels, in_channels / groups, *kernel_size) — for the
// transposed form (in_channels, out_channels / groups, *kernel_size).
template <size_t D, typename Options>
class ConvNdImpl : public Module {
 public:
  explicit ConvNdImpl(const Options& options);
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  Options options;
  Tensor weight;
  Tensor bias;
};

class Conv1dImpl : public ConvNdImpl<1, Conv1dOptions> {
 public:
  Conv1dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<1> kernel_size)
      : Conv1dImpl(Conv1dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv1dImpl(const Conv1dOptions& options) : ConvNdImpl(options) {}
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Conv1d);

class Conv2dImpl : public ConvNdImpl<2, Conv2dOptions> {
 public:
  Conv2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : Conv2dImpl(Conv2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit Conv2dImpl(const Conv2dOptions& options) : ConvNdImpl(options) {}
  Tensor forward(const Tensor& input);
};
EMBER_MODULE(Conv2d);

class ConvTranspose2dImpl : public ConvNdImpl<2, ConvTranspose2dOptions> {
 public:
  ConvTranspose2dImpl(int64_t in_channels, int64_t out_channels, ExpandingArray<2> kernel_size)
      : ConvTranspose2dImpl(ConvTranspose2dOptions(in_channels, out_channels, kernel_size)) {}
  explicit ConvTranspose2dImpl(const ConvTranspose2dOptions& options) : ConvNdImpl(options) {}
  // output_size, when given, picks the output_padding that reaches it.
  Tensor forward(const Tensor& input, const std::vector<int64_t>& output_size = {});
};
EMBER_MODULE(ConvTranspose2d);

}  // namespace ember::nn
