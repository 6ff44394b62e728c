// The 2-d window primitives (im2col, col2im, max pooling) and convolution
// built on them: the columns of im2col times the weight is a convolution,
// col2im of the weight's transpose times the gradient its input gradient.
#include "ops/window.h"

#include "autograd/formulas.h"
#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "tensor/make.h"

namespace ember::detail {

int64_t Window2d::positions(int a, int64_t size, bool ceil_mode) const {
  const int64_t span = size + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1;
  if (span < 0) return 0;
  int64_t out = (ceil_mode ? (span + stride[a] - 1) / stride[a] : span / stride[a]) + 1;
  // With ceil_mode the last window must start inside the image or its left padding.
  if (ceil_mode && (out - 1) * stride[a] >= size + padding[a]) --out;
  return out;
}

std::array<int64_t, 10> Window2d::abi_ints(int64_t out_h, int64_t out_w) const {
  return {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1], out_h, out_w};
}

Window2d Window2d::from_ints(IntArrayRef i) {
  Window2d w;
  w.kernel = {i[0], i[1]}, w.stride = {i[2], i[3]}, w.padding = {i[4], i[5]}, w.dilation = {i[6], i[7]};
  return w;
}

namespace {
void save_geometry(autograd::FormulaNode* n, const Window2d& w, int64_t out_h, int64_t out_w, int64_t height,
                   int64_t width) {
  const auto ints = w.abi_ints(out_h, out_w);
  n->ints.assign(IntArrayRef(ints.data(), ints.size()));
  n->ints.push_back(height);
  n->ints.push_back(width);
}
}  // namespace

Tensor im2col(const Tensor& input, const Window2d& w, int64_t out_h, int64_t out_w) {
  const Tensor x = input;
  Tensor cols = make_tensor({x.size(0), x.size(1) * w.kernel[0] * w.kernel[1], out_h * out_w}, x.dtype(), x.device());
  if (cols.numel() > 0) {
    NoGradGuard no_grad;
    const auto ints = w.abi_ints(out_h, out_w);
    dispatch::call(EMBER_OP_IM2COL, {&x, 1}, {&cols, 1}, {}, ints);
  }
  if (auto* n = autograd::record(autograd::Op::Im2Col, {x}, {cols})) save_geometry(n, w, out_h, out_w, x.size(2), x.size(3));
  return cols;
}

Tensor col2im(const Tensor& columns, const Window2d& w, int64_t height, int64_t width, int64_t out_h, int64_t out_w) {
  const int64_t taps = w.kernel[0] * w.kernel[1];
  Tensor out = make_tensor({columns.size(0), columns.size(1) / taps, height, width}, columns.dtype(), columns.device());
  if (out.numel() > 0) {
    NoGradGuard no_grad;
    if (columns.numel() == 0) {
      out.zero_();
    } else {
      const auto ints = w.abi_ints(out_h, out_w);
      dispatch::call(EMBER_OP_COL2IM, {&columns, 1}, {&out, 1}, {}, ints);
    }
  }
  if (auto* n = autograd::record(autograd::Op::Col2Im, {columns}, {out})) save_geometry(n, w, out_h, out_w, height, width);
  return out;
}

std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& x, const Window2d& w, int64_t out_h, int64_t out_w) {
  Tensor outs[2] = {make_tensor({x.size(0), x.size(1), out_h, out_w}, x.dtype(), x.device()),
                    make_tensor({x.size(0), x.size(1), out_h, out_w}, kInt64, x.device())};
  if (outs[0].numel() > 0) {
    NoGradGuard no_grad;
    const auto ints = w.abi_ints(out_h, out_w);
    dispatch::call(EMBER_OP_MAX_POOL2D, {&x, 1}, outs, {}, ints);
  }
  if (auto* n = autograd::record(autograd::Op::MaxPool2d, {x}, {outs[0]})) autograd::save(n, outs[1]);
  return {outs[0], outs[1]};
}

namespace {
// Whether the columns of `x` are `x` itself: a 1x1 kernel that visits every pixel once.
bool columns_are_input(const Window2d& w) {
  return w.kernel == std::array<int64_t, 2>{1, 1} && w.stride == std::array<int64_t, 2>{1, 1} &&
         w.padding == std::array<int64_t, 2>{0, 0};
}

// The columns of the convolution of `x`, as (N, groups, C/groups*kh*kw, L).
Tensor grouped_columns(const Tensor& x, const Window2d& w, int64_t groups, int64_t out_h, int64_t out_w) {
  const int64_t n = x.size(0), c = x.size(1);
  const Tensor cols = columns_are_input(w) ? x.reshape({n, c, out_h * out_w}) : im2col(x, w, out_h, out_w);
  return cols.view({n, groups, cols.size(1) / groups, out_h * out_w});
}
}  // namespace

namespace {
// Runs a device's fused convolution kernel into a new `out` of `sizes`;
// false when the device has none or declines (then the caller composes).
bool fused_convolution(ember_op op, std::initializer_list<Tensor> inputs, IntArrayRef sizes, const Window2d& w,
                       int64_t out_h, int64_t out_w, int64_t groups, Tensor& out) {
  const Tensor& first = *inputs.begin();
  Tensor result = make_tensor(sizes, first.dtype(), first.device());
  if (result.numel() == 0 || first.numel() == 0) return false;
  std::array<int64_t, 11> ints;
  const auto geometry = w.abi_ints(out_h, out_w);
  std::copy(geometry.begin(), geometry.end(), ints.begin());
  ints[10] = groups;
  if (!dispatch::try_call(op, {inputs.begin(), inputs.size()}, {&result, 1}, {}, ints)) return false;
  out = result;
  return true;
}
}  // namespace

Tensor convolution2d(const Tensor& x, const Tensor& weight, const Tensor& bias, const Window2d& w, int64_t groups) {
  const int64_t n = x.size(0), o = weight.size(0);
  const int64_t out_h = w.positions(0, x.size(2)), out_w = w.positions(1, x.size(3));
  Tensor out;
  {
    NoGradGuard no_grad;
    if (!fused_convolution(EMBER_OP_CONV2D, {x.contiguous(), weight.contiguous()},
                           {n, o, out_h, out_w}, w, out_h, out_w, groups, out)) {
      const Tensor cols = grouped_columns(x, w, groups, out_h, out_w);
      out = weight.reshape({groups, o / groups, -1}).matmul(cols).view({n, o, out_h, out_w});
    }
    if (bias.defined()) out.add_(bias.view({1, o, 1, 1}));
  }
  std::vector<Tensor> inputs = {x, weight};
  if (bias.defined()) inputs.push_back(bias);
  if (auto* node = autograd::record(autograd::Op::Convolution, inputs, {out})) {
    const auto ints = w.abi_ints(0, 0);
    node->ints.assign(IntArrayRef(ints.data(), 8));
    node->ints.push_back(groups);
    autograd::save(node, x);
    autograd::save(node, weight);
  }
  return out;
}

std::tuple<Tensor, Tensor, Tensor> convolution2d_backward(const Tensor& grad, const Tensor& x, const Tensor& weight,
                                                          const Window2d& w, int64_t groups,
                                                          std::array<bool, 3> needs) {
  const int64_t n = x.size(0), o = weight.size(0), out_h = grad.size(2), out_w = grad.size(3);
  const Tensor g = grad.reshape({n, groups, o / groups, out_h * out_w});
  const Tensor wg = weight.reshape({groups, o / groups, -1});
  Tensor grad_input, grad_weight, grad_bias;
  // A device's fused kernels, unless this backward is itself recorded
  // (create_graph): then the composite below, whose ops are differentiable.
  if (!GradMode::is_enabled()) {
    const Tensor g_c = grad.contiguous();
    if (needs[0] && fused_convolution(EMBER_OP_CONV2D_BACKWARD_INPUT, {g_c, weight.contiguous()}, x.sizes(), w,
                                      out_h, out_w, groups, grad_input))
      needs[0] = false;
    if (needs[1] && fused_convolution(EMBER_OP_CONV2D_BACKWARD_WEIGHT, {g_c, x.contiguous()}, weight.sizes(), w,
                                      out_h, out_w, groups, grad_weight))
      needs[1] = false;
  }
  if (needs[0]) {
    // Rows spelled out, not -1: with an empty batch, -1 would be ambiguous.
    const Tensor cols = wg.transpose(1, 2).matmul(g).reshape({n, groups * wg.size(2), out_h * out_w});
    grad_input = columns_are_input(w) ? cols.reshape(x.sizes())
                                      : col2im(cols, w, x.size(2), x.size(3), out_h, out_w);
  }
  if (needs[1]) {
    const Tensor cols = grouped_columns(x, w, groups, out_h, out_w);
    // One product per image, summed over the batch.
    grad_weight = g.matmul(cols.transpose(2, 3)).sum({0}).reshape(weight.sizes());
  }
  if (needs[2]) grad_bias = grad.sum({0, 2, 3});
  return {grad_input, grad_weight, grad_bias};
}

}  // namespace ember::detail
