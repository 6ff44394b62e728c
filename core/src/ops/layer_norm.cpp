// Layer norm as one node, NativeLayerNormBackward0, over a device's fused
// LAYER_NORM kernel: the input viewed as (M, N) rows of the normalised
// elements, one pass over each row for its mean and rstd (kept for the
// backward) and one to write — instead of the composite's mean, var, sub,
// rsqrt, mul and the affine ops, each a pass with a temporary.
#include "ops/layer_norm.h"

#include <vector>

#include "autograd/formulas.h"
#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "tensor/make.h"

namespace ember::detail {

std::optional<Tensor> fused_layer_norm(const Tensor& input, int64_t normalized_dims, const Tensor& weight,
                                       const Tensor& bias, double eps) {
  if (input.numel() == 0 || !input.is_floating_point() ||
      !dispatch::has_kernel(EMBER_OP_LAYER_NORM, input.device().type().id()))
    return std::nullopt;
  // Mixed dtypes promote in the composite; the kernel takes one dtype.
  for (const Tensor* t : {&weight, &bias})
    if (t->defined() && (t->dtype() != input.dtype() || t->device() != input.device())) return std::nullopt;
  int64_t n = 1;
  for (int64_t d = input.dim() - normalized_dims; d < input.dim(); ++d) n *= input.size(d);
  const int64_t m = input.numel() / n;
  Tensor out = make_tensor(input.sizes(), input.dtype(), input.device());
  const Tensor mean = make_tensor({m}, input.dtype(), input.device());
  const Tensor rstd = make_tensor({m}, input.dtype(), input.device());
  {
    NoGradGuard no_grad;
    std::vector<Tensor> inputs = {input.contiguous().view({m, n})};
    if (weight.defined()) inputs.push_back(weight.contiguous().view({n}));
    if (bias.defined()) inputs.push_back(bias.contiguous().view({n}));
    const Tensor outputs[3] = {out.view({m, n}), mean, rstd};
    const ember_scalar scalars[1] = {dispatch::to_abi(Scalar(eps))};
    const int64_t ints[2] = {weight.defined(), bias.defined()};
    if (!dispatch::try_call(EMBER_OP_LAYER_NORM, inputs, outputs, scalars, ints)) return std::nullopt;
  }
  // PyTorch's node: three inputs, weight and bias undefined when absent.
  if (auto* node = autograd::record(autograd::Op::NativeLayerNorm, {input, weight, bias}, {out})) {
    node->scalars = {eps};
    node->ints = {n};
    autograd::save(node, input);
    autograd::save(node, mean);
    autograd::save(node, rstd);
    autograd::save(node, weight);
  }
  return out;
}

std::tuple<Tensor, Tensor, Tensor> layer_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& mean,
                                                       const Tensor& rstd, const Tensor& weight, int64_t n,
                                                       double eps, std::array<bool, 3> needs) {
  const int64_t m = input.numel() / n;
  Tensor grad_input, grad_weight, grad_bias;
  // The device's kernel, unless this backward is itself recorded
  // (create_graph): then the composite below, whose ops are differentiable.
  if (needs[0] && !GradMode::is_enabled() && grad.dtype() == input.dtype() &&
      dispatch::has_kernel(EMBER_OP_LAYER_NORM_BACKWARD, input.device().type().id())) {
    Tensor result = make_tensor(input.sizes(), input.dtype(), input.device());
    std::vector<Tensor> inputs = {grad.contiguous().view({m, n}), input.contiguous().view({m, n}), mean, rstd};
    if (weight.defined()) inputs.push_back(weight.contiguous().view({n}));
    const int64_t ints[1] = {weight.defined()};
    const Tensor outputs[1] = {result.view({m, n})};
    if (dispatch::try_call(EMBER_OP_LAYER_NORM_BACKWARD, inputs, outputs, {}, ints)) {
      grad_input = result;
      needs[0] = false;
    }
  }
  const Tensor g = grad.reshape({m, n});
  if (needs[0] || needs[1]) {
    const Tensor x = input.reshape({m, n});
    Tensor mu, r;
    if (GradMode::is_enabled()) {  // statistics that depend on x, for the second derivative
      mu = x.mean({1}, true);
      r = (x.var({1}, /*unbiased=*/false, /*keepdim=*/true) + eps).rsqrt();
    } else {
      mu = mean.view({m, 1});
      r = rstd.view({m, 1});
    }
    const Tensor xhat = (x - mu) * r;
    if (needs[0]) {
      const Tensor gw = weight.defined() ? g * weight.reshape({n}) : g;
      grad_input = (r * (gw - gw.mean({1}, true) - xhat * (gw * xhat).mean({1}, true))).reshape(input.sizes());
    }
    if (needs[1]) grad_weight = (g * xhat).sum({0});
  }
  if (needs[2]) grad_bias = g.sum({0});
  return {grad_input, grad_weight, grad_bias};
}

}  // namespace ember::detail
