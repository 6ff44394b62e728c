#pragma once
// Options of pooling, as libtorch's torch/nn/options/pooling.h. The stride
// defaults to the kernel size.
#include <optional>

#include "ember/nn/options/arg.h"
#include "ember/nn/options/expanding_array.h"

namespace ember::nn {

template <size_t D>
struct MaxPoolOptions {
  MaxPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_NN_ARG(ExpandingArray<D>, kernel_size, 1);
  EMBER_NN_ARG(ExpandingArray<D>, stride, 1);
  EMBER_NN_ARG(ExpandingArray<D>, padding, 0);
  EMBER_NN_ARG(ExpandingArray<D>, dilation, 1);
  // Count a last window that starts inside the image but runs past its end.
  EMBER_NN_ARG(bool, ceil_mode, false);
};
using MaxPool2dOptions = MaxPoolOptions<2>;

template <size_t D>
struct AvgPoolOptions {
  AvgPoolOptions(ExpandingArray<D> kernel_size) : kernel_size_(kernel_size), stride_(kernel_size) {}
  EMBER_NN_ARG(ExpandingArray<D>, kernel_size, 1);
  EMBER_NN_ARG(ExpandingArray<D>, stride, 1);
  EMBER_NN_ARG(ExpandingArray<D>, padding, 0);
  EMBER_NN_ARG(bool, ceil_mode, false);
  // Whether the zeros of the padding count in a window's mean.
  EMBER_NN_ARG(bool, count_include_pad, true);
  // A fixed divisor instead of the window's size.
  EMBER_NN_ARG(std::optional<int64_t>, divisor_override, std::nullopt);
};
using AvgPool2dOptions = AvgPoolOptions<2>;

template <size_t D>
struct AdaptiveAvgPoolOptions {
  AdaptiveAvgPoolOptions(ExpandingArray<D> output_size) : output_size_(output_size) {}
  EMBER_NN_ARG(ExpandingArray<D>, output_size, 1);
};
using AdaptiveAvgPool2dOptions = AdaptiveAvgPoolOptions<2>;

namespace functional {
using MaxPool2dFuncOptions = MaxPool2dOptions;
using AvgPool2dFuncOptions = AvgPool2dOptions;
using AdaptiveAvgPool2dFuncOptions = AdaptiveAvgPool2dOptions;
}  // namespace functional

}  // namespace ember::nn
