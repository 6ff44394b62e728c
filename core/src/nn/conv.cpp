// Convolutions: F::conv1d/conv2d/conv_transpose2d, F::unfold/fold and the
// Conv modules. Everything reaches the backend as im2col/col2im and a
// batched matmul (ops/window.h); conv1d is conv2d over a height of 1.
#include <cmath>
#include <ostream>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/nn/conv.h"
#include "ember/nn/functional/layers.h"
#include "ember/nn/init.h"
#include "ops/window.h"
#include "tensor/make.h"

namespace ember::nn {

using ember::detail::describe;
using ember::detail::shape_str;
using ember::detail::Window2d;

namespace {

template <size_t D>
std::string str(const ExpandingArray<D>& a) {
  std::ostringstream out;
  a.print_tuple(out);
  return out.str();
}

// Checks a window's sizes (kernel and dilation ≥ 1, stride ≥ 1, padding ≥ 0).
Window2d window_of(const char* op, const ExpandingArray<2>& kernel, const ExpandingArray<2>& stride,
                   const ExpandingArray<2>& padding, const ExpandingArray<2>& dilation) {
  for (int a = 0; a < 2; ++a) {
    EMBER_CHECK(kernel[a] > 0, op, ": kernel_size must be positive, got ", str(kernel));
    EMBER_CHECK(stride[a] > 0, op, ": stride must be positive, got ", str(stride));
    EMBER_CHECK(padding[a] >= 0, op, ": padding must be non-negative, got ", str(padding));
    EMBER_CHECK(dilation[a] > 0, op, ": dilation must be positive, got ", str(dilation));
  }
  Window2d w;
  w.kernel = *kernel, w.stride = *stride, w.padding = *padding, w.dilation = *dilation;
  return w;
}

void check_pair(const char* op, const Tensor& input, const Tensor& weight) {
  EMBER_CHECK(input.device() == weight.device(), op, ": the input (", describe(input), ") and weight (",
              describe(weight), ") must be on one device; move one with .to(device)");
  EMBER_CHECK(input.dtype() == weight.dtype(), op, ": the input (", describe(input), ") and weight (",
              describe(weight), ") must have one dtype; convert one with .to(dtype)");
  EMBER_CHECK(input.is_floating_point(), op, ": expected a floating point input, got ", describe(input));
}

void check_bias(const char* op, const Tensor& bias, const Tensor& input, int64_t channels) {
  if (!bias.defined()) return;
  EMBER_CHECK(bias.dim() == 1 && bias.size(0) == channels, op, ": expected a bias of shape [", channels, "], got ",
              describe(bias));
  EMBER_CHECK(bias.device() == input.device() && bias.dtype() == input.dtype(), op, ": the bias (", describe(bias),
              ") must match the input (", describe(input), ") in device and dtype");
}

// Runs `body` on a batched (N, C, H, W) view of a 4-d or unbatched 3-d input.
template <typename Body>
Tensor batched(const char* op, const Tensor& input, Body body) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, op, ": expected a 3-d (unbatched) or 4-d (batched) input, got ",
              describe(input));
  if (input.dim() == 4) return body(input);
  return body(input.unsqueeze(0)).squeeze(0);
}

}  // namespace

namespace functional {

Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& o) {
  check_pair("conv2d", input, weight);
  EMBER_CHECK(weight.dim() == 4, "conv2d: expected a 4-d weight (out_channels, in_channels/groups, kH, kW), got ",
              describe(weight));
  const int64_t groups = o.groups(), out_channels = weight.size(0);
  EMBER_CHECK(groups > 0, "conv2d: groups must be positive, got ", groups);
  EMBER_CHECK(out_channels % groups == 0, "conv2d: out_channels (", out_channels, ") must be divisible by groups (",
              groups, ")");
  check_bias("conv2d", o.bias(), input, out_channels);
  const Window2d w = window_of("conv2d", {weight.size(2), weight.size(3)}, o.stride(), o.padding(), o.dilation());
  return batched("conv2d", input, [&](const Tensor& x) {
    EMBER_CHECK(x.size(1) == weight.size(1) * groups, "conv2d: the weight ", shape_str(weight.sizes()),
                " with groups=", groups, " expects ", weight.size(1) * groups, " input channels, but the input ",
                shape_str(input.sizes()), " has ", x.size(1));
    for (int a = 0; a < 2; ++a)
      EMBER_CHECK(w.positions(a, x.size(2 + a)) > 0, "conv2d: the padded input (", x.size(2) + 2 * w.padding[0],
                  " x ", x.size(3) + 2 * w.padding[1], ") is smaller than the dilated kernel (",
                  w.dilation[0] * (w.kernel[0] - 1) + 1, " x ", w.dilation[1] * (w.kernel[1] - 1) + 1, ")");
    return ember::detail::convolution2d(x, weight, o.bias(), w, groups);
  });
}

Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& o) {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "conv1d: expected a 2-d (unbatched) or 3-d (batched) input, got ",
              describe(input));
  EMBER_CHECK(weight.dim() == 3, "conv1d: expected a 3-d weight (out_channels, in_channels/groups, k), got ",
              describe(weight));
  const auto options = Conv2dFuncOptions()
                           .bias(o.bias())
                           .stride({1, o.stride()[0]})
                           .padding({0, o.padding()[0]})
                           .dilation({1, o.dilation()[0]})
                           .groups(o.groups());
  return conv2d(input.unsqueeze(-2), weight.unsqueeze(2), options).squeeze(-2);
}

Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const ConvTranspose2dFuncOptions& o) {
  check_pair("conv_transpose2d", input, weight);
  EMBER_CHECK(weight.dim() == 4,
              "conv_transpose2d: expected a 4-d weight (in_channels, out_channels/groups, kH, kW), got ",
              describe(weight));
  const int64_t groups = o.groups();
  EMBER_CHECK(groups > 0, "conv_transpose2d: groups must be positive, got ", groups);
  const int64_t out_channels = weight.size(1) * groups;
  check_bias("conv_transpose2d", o.bias(), input, out_channels);
  const Window2d w =
      window_of("conv_transpose2d", {weight.size(2), weight.size(3)}, o.stride(), o.padding(), o.dilation());
  for (int a = 0; a < 2; ++a)
    EMBER_CHECK(o.output_padding()[a] >= 0 &&
                    (o.output_padding()[a] < w.stride[a] || o.output_padding()[a] < w.dilation[a]),
                "conv_transpose2d: output_padding ", str(o.output_padding()),
                " must be smaller than either stride ", str(o.stride()), " or dilation ", str(o.dilation()));
  return batched("conv_transpose2d", input, [&](const Tensor& x) {
    const int64_t n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
    EMBER_CHECK(c == weight.size(0), "conv_transpose2d: the weight ", shape_str(weight.sizes()), " expects ",
                weight.size(0), " input channels, but the input ", shape_str(input.sizes()), " has ", c);
    EMBER_CHECK(c % groups == 0, "conv_transpose2d: in_channels (", c, ") must be divisible by groups (", groups, ")");
    int64_t out[2];
    for (int a = 0; a < 2; ++a) {
      out[a] = (x.size(2 + a) - 1) * w.stride[a] - 2 * w.padding[a] + w.dilation[a] * (w.kernel[a] - 1) +
               o.output_padding()[a] + 1;
      EMBER_CHECK(out[a] > 0, "conv_transpose2d: the output size would be ", out[a], " for input ",
                  shape_str(input.sizes()), "; reduce the padding");
    }
    // The columns a convolution of the output would read, summed back by col2im.
    const Tensor xg = x.reshape({n, groups, c / groups, h * wd});
    const Tensor cols = weight.reshape({groups, c / groups, -1}).transpose(1, 2).matmul(xg);
    // Rows spelled out, not -1: with an empty batch, -1 would be ambiguous.
    Tensor y = ember::detail::col2im(cols.reshape({n, groups * cols.size(2), h * wd}), w, out[0], out[1], h, wd);
    if (o.bias().defined()) y = y + o.bias().view({1, out_channels, 1, 1});
    return y;
  });
}

Tensor unfold(const Tensor& input, const UnfoldFuncOptions& o) {
  EMBER_CHECK(input.dim() == 3 || input.dim() == 4, "unfold: expected a 3-d or 4-d input, got ", describe(input));
  EMBER_CHECK(input.is_floating_point(), "unfold: expected a floating point input, got ", describe(input));
  const Window2d w = window_of("unfold", o.kernel_size(), o.stride(), o.padding(), o.dilation());
  const Tensor x = input.dim() == 4 ? input : input.unsqueeze(0);
  const int64_t oh = w.positions(0, x.size(2)), ow = w.positions(1, x.size(3));
  EMBER_CHECK(oh > 0 && ow > 0, "unfold: the kernel ", str(o.kernel_size()), " does not fit the input ",
              shape_str(input.sizes()), " padded by ", str(o.padding()));
  const Tensor cols = ember::detail::im2col(x, w, oh, ow);
  return input.dim() == 4 ? cols : cols.squeeze(0);
}

Tensor fold(const Tensor& input, const FoldFuncOptions& o) {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "fold: expected a 2-d or 3-d input, got ", describe(input));
  EMBER_CHECK(input.is_floating_point(), "fold: expected a floating point input, got ", describe(input));
  const Window2d w = window_of("fold", o.kernel_size(), o.stride(), o.padding(), o.dilation());
  const Tensor x = input.dim() == 3 ? input : input.unsqueeze(0);
  const int64_t taps = w.kernel[0] * w.kernel[1];
  const int64_t oh = w.positions(0, o.output_size()[0]), ow = w.positions(1, o.output_size()[1]);
  EMBER_CHECK(x.size(1) % taps == 0, "fold: the input's dimension 1 (", x.size(1),
              ") must be divisible by the kernel's size (", taps, ")");
  EMBER_CHECK(x.size(2) == oh * ow, "fold: an output of ", str(o.output_size()), " with kernel ",
              str(o.kernel_size()), " has ", oh * ow, " blocks, but the input ", shape_str(input.sizes()), " has ",
              x.size(2));
  const Tensor out = ember::detail::col2im(x, w, o.output_size()[0], o.output_size()[1], oh, ow);
  return input.dim() == 3 ? out : out.squeeze(0);
}

}  // namespace functional

template <size_t D, typename Options>
ConvNdImpl<D, Options>::ConvNdImpl(const Options& o) : options(o) {
  constexpr bool transposed = std::is_same_v<Options, ConvTransposeOptions<D>>;
  const char* kind = transposed ? "ConvTranspose" : "Conv";
  EMBER_CHECK(o.in_channels() > 0 && o.out_channels() > 0, kind, D, "d: channels must be positive, got ",
              o.in_channels(), " and ", o.out_channels());
  EMBER_CHECK(o.groups() > 0 && o.in_channels() % o.groups() == 0 && o.out_channels() % o.groups() == 0, kind, D,
              "d: in_channels (", o.in_channels(), ") and out_channels (", o.out_channels(),
              ") must be divisible by groups (", o.groups(), ")");
  std::vector<int64_t> shape = transposed ? std::vector<int64_t>{o.in_channels(), o.out_channels() / o.groups()}
                                          : std::vector<int64_t>{o.out_channels(), o.in_channels() / o.groups()};
  for (int64_t k : *o.kernel_size()) shape.push_back(k);
  weight = register_parameter("weight", ember::empty(shape));
  if (o.bias()) bias = register_parameter("bias", empty({o.out_channels()}));
  reset_parameters();
}

// PyTorch's _ConvNd.reset_parameters, in the same order of draws (its
// fan_in comes from the weight's dimension 1, for the transposed form too).
template <size_t D, typename Options>
void ConvNdImpl<D, Options>::reset_parameters() {
  NoGradGuard no_grad;
  init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const int64_t fan_in = init::calculate_fan_in_and_fan_out(weight).first;
    const double bound = fan_in > 0 ? 1 / std::sqrt(double(fan_in)) : 0;
    init::uniform_(bias, -bound, bound);
  }
}

// Python's _ConvNd.extra_repr: the defaults are left out.
template <size_t D, typename Options>
void ConvNdImpl<D, Options>::pretty_print(std::ostream& out) const {
  const auto& o = options;
  out << o.in_channels() << ", " << o.out_channels() << ", kernel_size=" << str(o.kernel_size())
      << ", stride=" << str(o.stride());
  if (!o.padding().all_equal(0)) out << ", padding=" << str(o.padding());
  if (!o.dilation().all_equal(1)) out << ", dilation=" << str(o.dilation());
  if constexpr (std::is_same_v<Options, ConvTransposeOptions<D>>)
    if (!o.output_padding().all_equal(0)) out << ", output_padding=" << str(o.output_padding());
  if (o.groups() != 1) out << ", groups=" << o.groups();
  if (!o.bias()) out << ", bias=False";
  if constexpr (!std::is_same_v<Options, ConvTransposeOptions<D>>)
    if (!std::holds_alternative<enumtype::kZeros>(o.padding_mode()))
      out << ", padding_mode=" << enumtype::name(o.padding_mode());
}

namespace {
// A convolution whose padding_mode is not zeros pads its input with F::pad
// first and convolves without padding, as PyTorch's _conv_forward.
template <size_t D>
Tensor padded_input(const Tensor& input, const ConvOptions<D>& o) {
  if (std::holds_alternative<enumtype::kZeros>(o.padding_mode())) return input;
  std::vector<int64_t> pad;  // (left, right) of the last dim first
  for (size_t i = D; i-- > 0;) {
    pad.push_back(o.padding()[i]);
    pad.push_back(o.padding()[i]);
  }
  functional::PadFuncOptions options(pad);
  std::visit([&](auto mode) {
    if constexpr (!std::is_same_v<decltype(mode), enumtype::kZeros>) options.mode(mode);
  }, o.padding_mode());
  return functional::pad(input, options);
}
template <size_t D>
ExpandingArray<D> conv_padding(const ConvOptions<D>& o) {
  return std::holds_alternative<enumtype::kZeros>(o.padding_mode()) ? o.padding() : ExpandingArray<D>(0);
}
}  // namespace

template class ConvNdImpl<1, Conv1dOptions>;
template class ConvNdImpl<2, Conv2dOptions>;
template class ConvNdImpl<2, ConvTranspose2dOptions>;

Tensor Conv1dImpl::forward(const Tensor& input) {
  return functional::conv1d(padded_input(input, options), weight,
                            functional::Conv1dFuncOptions()
                                .bias(bias)
                                .stride(options.stride())
                                .padding(conv_padding(options))
                                .dilation(options.dilation())
                                .groups(options.groups()));
}

Tensor Conv2dImpl::forward(const Tensor& input) {
  return functional::conv2d(padded_input(input, options), weight,
                            functional::Conv2dFuncOptions()
                                .bias(bias)
                                .stride(options.stride())
                                .padding(conv_padding(options))
                                .dilation(options.dilation())
                                .groups(options.groups()));
}

Tensor ConvTranspose2dImpl::forward(const Tensor& input, const std::vector<int64_t>& output_size) {
  ExpandingArray<2> output_padding = options.output_padding();
  if (!output_size.empty()) {
    EMBER_CHECK(output_size.size() == 2 || output_size.size() == size_t(input.dim()),
                "ConvTranspose2d: output_size must have 2 entries (or one per input dimension), got ",
                output_size.size());
    for (int a = 0; a < 2; ++a) {
      const int64_t in = input.size(input.dim() - 2 + a);
      const int64_t want = output_size[output_size.size() - 2 + a];
      const int64_t least = (in - 1) * options.stride()[a] - 2 * options.padding()[a] +
                            options.dilation()[a] * (options.kernel_size()[a] - 1) + 1;
      EMBER_CHECK(want >= least && want < least + options.stride()[a], "ConvTranspose2d: requested an output size of ",
                  want, " along dimension ", a, ", but valid sizes range from ", least, " to ",
                  least + options.stride()[a] - 1, " for this input");
      output_padding[a] = want - least;
    }
  }
  return functional::conv_transpose2d(input, weight,
                                      functional::ConvTranspose2dFuncOptions()
                                          .bias(bias)
                                          .stride(options.stride())
                                          .padding(options.padding())
                                          .output_padding(output_padding)
                                          .groups(options.groups())
                                          .dilation(options.dilation()));
}

}  // namespace ember::nn
