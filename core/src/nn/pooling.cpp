// Pooling: F::max_pool2d (a kernel of its own), F::avg_pool2d (the mean of
// im2col's columns), F::adaptive_avg_pool2d (two averaging matrices), and
// their modules.
#include <ostream>
#include <vector>

#include "ember/factories.h"
#include "ember/nn/pooling.h"
#include "ops/window.h"
#include "tensor/make.h"

namespace ember::nn {

using ember::detail::describe;
using ember::detail::shape_str;
using ember::detail::Window2d;

namespace {

std::string str(const ExpandingArray<2>& a) {
  std::ostringstream out;
  a.print_tuple(out);
  return out.str();
}

void check_image(const char* op, const Tensor& input) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, op, ": expected a 3-d (unbatched) or 4-d (batched) input, got ",
              describe(input));
  EMBER_CHECK(input.is_floating_point(), op, ": expected a floating point input, got ", describe(input));
}

// A pooling window, checked as PyTorch checks it: padding at most half the
// (dilated) kernel, so that every window holds a pixel of the image.
Window2d pool_window(const char* op, const ExpandingArray<2>& kernel, const ExpandingArray<2>& stride,
                     const ExpandingArray<2>& padding, const ExpandingArray<2>& dilation) {
  Window2d w;
  w.kernel = *kernel, w.stride = *stride, w.padding = *padding, w.dilation = *dilation;
  for (int a = 0; a < 2; ++a) {
    EMBER_CHECK(w.kernel[a] > 0 && w.stride[a] > 0 && w.dilation[a] > 0, op,
                ": kernel_size, stride and dilation must be positive, got kernel_size=", str(kernel),
                ", stride=", str(stride), ", dilation=", str(dilation));
    EMBER_CHECK(w.padding[a] >= 0 && w.padding[a] <= (w.dilation[a] * (w.kernel[a] - 1) + 1) / 2, op,
                ": padding ", str(padding), " must be non-negative and at most half of the kernel size ",
                str(kernel));
  }
  return w;
}

// (N, C, H, W) of a 3-d or 4-d input.
Tensor as_batch(const Tensor& input) { return input.dim() == 4 ? input : input.unsqueeze(0); }
Tensor like_input(const Tensor& out, const Tensor& input) { return input.dim() == 4 ? out : out.squeeze(0); }

std::array<int64_t, 2> pooled_size(const char* op, const Window2d& w, const Tensor& x, bool ceil_mode) {
  const std::array<int64_t, 2> out = {w.positions(0, x.size(2), ceil_mode), w.positions(1, x.size(3), ceil_mode)};
  EMBER_CHECK(out[0] > 0 && out[1] > 0, op, ": the input ", shape_str(x.sizes()), " is too small for kernel ",
              "(", w.kernel[0], ", ", w.kernel[1], "): the output would be ", out[0], " x ", out[1]);
  return out;
}

// Row i of the (out, in) matrix averaging [⌊i·in/out⌋, ⌈(i+1)·in/out⌉).
Tensor averaging_matrix(int64_t out, int64_t in, const Tensor& like) {
  std::vector<double> m(size_t(out * in), 0.0);
  for (int64_t i = 0; i < out; ++i) {
    const int64_t start = i * in / out, end = ((i + 1) * in + out - 1) / out;
    for (int64_t j = start; j < end; ++j) m[size_t(i * in + j)] = 1.0 / double(end - start);
  }
  return tensor(m, TensorOptions().dtype(kFloat64)).reshape({out, in}).to(like.device(), like.dtype());
}

}  // namespace

namespace functional {

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dFuncOptions& o) {
  check_image("max_pool2d", input);
  const Window2d w = pool_window("max_pool2d", o.kernel_size(), o.stride(), o.padding(), o.dilation());
  const Tensor x = as_batch(input);
  const auto out = pooled_size("max_pool2d", w, x, o.ceil_mode());
  auto [values, indices] = ember::detail::max_pool2d_with_indices(x, w, out[0], out[1]);
  return {like_input(values, input), like_input(indices, input)};
}

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options) {
  return std::get<0>(max_pool2d_with_indices(input, options));
}

Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& o) {
  check_image("avg_pool2d", input);
  const Window2d w = pool_window("avg_pool2d", o.kernel_size(), o.stride(), o.padding(), 1);
  if (o.divisor_override())
    EMBER_CHECK(*o.divisor_override() != 0, "avg_pool2d: divisor_override must be non-zero");
  const Tensor x = as_batch(input);
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
  const auto out = pooled_size("avg_pool2d", w, x, o.ceil_mode());
  // Each window's divisor, as PyTorch's: the window clipped to the padded
  // image, or to the image itself without count_include_pad.
  std::vector<double> divisor(size_t(out[0] * out[1]));
  for (int64_t i = 0; i < out[0]; ++i)
    for (int64_t j = 0; j < out[1]; ++j) {
      int64_t h0 = i * w.stride[0] - w.padding[0], w0 = j * w.stride[1] - w.padding[1];
      int64_t h1 = std::min(h0 + w.kernel[0], h + w.padding[0]), w1 = std::min(w0 + w.kernel[1], wd + w.padding[1]);
      const int64_t padded = (h1 - h0) * (w1 - w0);
      h0 = std::max<int64_t>(h0, 0), w0 = std::max<int64_t>(w0, 0);
      h1 = std::min(h1, h), w1 = std::min(w1, wd);
      divisor[size_t(i * out[1] + j)] = o.divisor_override()   ? double(*o.divisor_override())
                                        : o.count_include_pad() ? double(padded)
                                                                : double((h1 - h0) * (w1 - w0));
    }
  const Tensor d = tensor(divisor, TensorOptions().dtype(kFloat64)).to(x.device(), x.dtype());
  const Tensor cols = ember::detail::im2col(x.reshape({n * c, 1, h, wd}), w, out[0], out[1]);
  return like_input((cols.sum({1}) / d).view({n, c, out[0], out[1]}), input);
}

Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& o) {
  check_image("adaptive_avg_pool2d", input);
  const int64_t oh = o.output_size()[0], ow = o.output_size()[1];
  EMBER_CHECK(oh > 0 && ow > 0, "adaptive_avg_pool2d: output_size must be positive, got ", str(o.output_size()));
  const int64_t h = input.size(-2), w = input.size(-1);
  EMBER_CHECK(h > 0 && w > 0, "adaptive_avg_pool2d: expected a non-empty image, got ", describe(input));
  if (oh == 1 && ow == 1) return input.mean({-2, -1}, true);
  // out = A_h · x · A_wᵀ: the same averages as PyTorch's loops, differentiable as they stand.
  return averaging_matrix(oh, h, input).matmul(input.matmul(averaging_matrix(ow, w, input).t()));
}

}  // namespace functional

// Python's repr: sizes as they were given.
void MaxPool2dImpl::pretty_print(std::ostream& out) const {
  out << "kernel_size=";
  options.kernel_size().print_as_given(out);
  out << ", stride=";
  options.stride().print_as_given(out);
  out << ", padding=";
  options.padding().print_as_given(out);
  out << ", dilation=";
  options.dilation().print_as_given(out);
  out << ", ceil_mode=" << (options.ceil_mode() ? "True" : "False");
}

void AvgPool2dImpl::pretty_print(std::ostream& out) const {
  out << "kernel_size=";
  options.kernel_size().print_as_given(out);
  out << ", stride=";
  options.stride().print_as_given(out);
  out << ", padding=";
  options.padding().print_as_given(out);
}

void AdaptiveAvgPool2dImpl::pretty_print(std::ostream& out) const {
  out << "output_size=";
  options.output_size().print_as_given(out);
}

}  // namespace ember::nn
