#pragma once
// Options of convolutions, as libtorch's torch/nn/options/conv.h (and
// fold.h): ConvOptions<D> for the modules, ConvFuncOptions<D> for F::.
#include <variant>

#include "ember/nn/options/arg.h"
#include "ember/nn/options/enumtype.h"
#include "ember/nn/options/expanding_array.h"
#include "ember/tensor.h"

namespace ember::nn {

// How a convolution pads its input: with zeros, or by F::pad's modes.
using conv_padding_mode_t = std::variant<enumtype::kZeros, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;

template <size_t D>
struct ConvOptions {
  ConvOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  EMBER_NN_ARG(int64_t, in_channels, 0);
  EMBER_NN_ARG(int64_t, out_channels, 0);
  EMBER_NN_ARG(ExpandingArray<D>, kernel_size, 1);
  EMBER_NN_ARG(ExpandingArray<D>, stride, 1);
  EMBER_NN_ARG(ExpandingArray<D>, padding, 0);
  EMBER_NN_ARG(ExpandingArray<D>, dilation, 1);
  EMBER_NN_ARG(int64_t, groups, 1);
  EMBER_NN_ARG(bool, bias, true);
  EMBER_NN_ARG(conv_padding_mode_t, padding_mode, kZeros);
};
using Conv1dOptions = ConvOptions<1>;
using Conv2dOptions = ConvOptions<2>;

template <size_t D>
struct ConvTransposeOptions {
  ConvTransposeOptions(int64_t in_channels, int64_t out_channels, ExpandingArray<D> kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  EMBER_NN_ARG(int64_t, in_channels, 0);
  EMBER_NN_ARG(int64_t, out_channels, 0);
  EMBER_NN_ARG(ExpandingArray<D>, kernel_size, 1);
  EMBER_NN_ARG(ExpandingArray<D>, stride, 1);
  EMBER_NN_ARG(ExpandingArray<D>, padding, 0);
  // Added to one side of the output, to pick among the sizes a strided
  // convolution maps to the same input size.
  EMBER_NN_ARG(ExpandingArray<D>, output_padding, 0);
  EMBER_NN_ARG(int64_t, groups, 1);
  EMBER_NN_ARG(bool, bias, true);
  EMBER_NN_ARG(ExpandingArray<D>, dilation, 1);
};
using ConvTranspose2dOptions = ConvTransposeOptions<2>;

// Unfold (im2col) and Fold (col2im) of 4-d images.
struct UnfoldOptions {
  UnfoldOptions(ExpandingArray<2> kernel_size) : kernel_size_(kernel_size) {}
  EMBER_NN_ARG(ExpandingArray<2>, kernel_size, 1);
  EMBER_NN_ARG(ExpandingArray<2>, dilation, 1);
  EMBER_NN_ARG(ExpandingArray<2>, padding, 0);
  EMBER_NN_ARG(ExpandingArray<2>, stride, 1);
};
struct FoldOptions {
  FoldOptions(ExpandingArray<2> output_size, ExpandingArray<2> kernel_size)
      : output_size_(output_size), kernel_size_(kernel_size) {}
  EMBER_NN_ARG(ExpandingArray<2>, output_size, 1);
  EMBER_NN_ARG(ExpandingArray<2>, kernel_size, 1);
  EMBER_NN_ARG(ExpandingArray<2>, dilation, 1);
  EMBER_NN_ARG(ExpandingArray<2>, padding, 0);
  EMBER_NN_ARG(ExpandingArray<2>, stride, 1);
};

namespace functional {
template <size_t D>
struct ConvFuncOptions {
  EMBER_NN_ARG(Tensor, bias, Tensor());
  EMBER_NN_ARG(ExpandingArray<D>, stride, 1);
  EMBER_NN_ARG(ExpandingArray<D>, padding, 0);
  EMBER_NN_ARG(ExpandingArray<D>, dilation, 1);
  EMBER_NN_ARG(int64_t, groups, 1);
};
using Conv1dFuncOptions = ConvFuncOptions<1>;
using Conv2dFuncOptions = ConvFuncOptions<2>;

template <size_t D>
struct ConvTransposeFuncOptions {
  EMBER_NN_ARG(Tensor, bias, Tensor());
  EMBER_NN_ARG(ExpandingArray<D>, stride, 1);
  EMBER_NN_ARG(ExpandingArray<D>, padding, 0);
  EMBER_NN_ARG(ExpandingArray<D>, output_padding, 0);
  EMBER_NN_ARG(int64_t, groups, 1);
  EMBER_NN_ARG(ExpandingArray<D>, dilation, 1);
};
using ConvTranspose2dFuncOptions = ConvTransposeFuncOptions<2>;

using UnfoldFuncOptions = UnfoldOptions;
using FoldFuncOptions = FoldOptions;
}  // namespace functional

}  // namespace ember::nn
