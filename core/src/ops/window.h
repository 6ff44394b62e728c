#pragma once
// 2-d window ops of the core (core-private): im2col, col2im, max pooling and
// convolution, each one recorded autograd node. nn/ builds Conv*, *Pool2d,
// F::unfold and F::fold on these; the derivative formulas call them too.
#include <array>
#include <tuple>

#include "ember/tensor.h"

namespace ember::detail {

// A window's kernel, stride, padding and dilation along (h, w).
struct Window2d {
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};

  // The number of window positions along axis `a` of an input of `size`
  // (PyTorch's pooling_output_shape; ceil_mode drops a last window that
  // would start in the right padding).
  int64_t positions(int a, int64_t size, bool ceil_mode = false) const;
  // The 10 ints of the ABI's window ops (geometry, then out_h, out_w).
  std::array<int64_t, 10> abi_ints(int64_t out_h, int64_t out_w) const;
  static Window2d from_ints(IntArrayRef ints);  // the first 8 of abi_ints
};

// (N, C, H, W) -> (N, C*kh*kw, out_h*out_w); taps outside the image read 0.
Tensor im2col(const Tensor& input, const Window2d& window, int64_t out_h, int64_t out_w);
// The adjoint: (N, C*kh*kw, out_h*out_w) -> (N, C, height, width), summing
// the columns that read one pixel.
Tensor col2im(const Tensor& columns, const Window2d& window, int64_t height, int64_t width, int64_t out_h,
              int64_t out_w);
// Maxima over each window of (N, C, H, W), and their int64 indices into
// the H*W plane (as PyTorch's max_pool2d_with_indices).
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const Window2d& window, int64_t out_h,
                                                   int64_t out_w);
// Convolution of (N, C, H, W) with weight (O, C/groups, kh, kw) plus an
// optional bias (O): one node, ConvolutionBackward0, that keeps only the
// input and weight and recomputes the columns in the backward.
Tensor convolution2d(const Tensor& input, const Tensor& weight, const Tensor& bias, const Window2d& window,
                     int64_t groups);
// Its gradients for the input, weight and bias (those asked for).
std::tuple<Tensor, Tensor, Tensor> convolution2d_backward(const Tensor& grad, const Tensor& input,
                                                          const Tensor& weight, const Window2d& window,
                                                          int64_t groups, std::array<bool, 3> needs);

}  // namespace ember::detail
