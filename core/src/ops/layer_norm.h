#pragma once
// Layer norm through a device's fused kernels (core-private): the
// overridable composites LAYER_NORM and LAYER_NORM_BACKWARD, recorded as one
// node, NativeLayerNormBackward0, as PyTorch's native_layer_norm.
// nn/normalization.cpp composes layer_norm from primitives on a device
// without the kernels; the derivative formula calls the backward here.
#include <array>
#include <optional>
#include <tuple>

#include "ember/tensor.h"

namespace ember::detail {

// Normalises `input` over its last `normalized_dims` dims (which the caller
// has checked against weight and bias, either of which may be undefined)
// with the device's LAYER_NORM kernel: the result, recorded as one node; or
// nothing when the device has no kernel or declines the case (a dtype it
// lacks), an empty input, or weight or bias of another dtype or device than
// the input's — the caller then composes it.
std::optional<Tensor> fused_layer_norm(const Tensor& input, int64_t normalized_dims, const Tensor& weight,
                                       const Tensor& bias, double eps);

// The gradients of the input, the weight and the bias (those asked for) of
// layer norm over rows of `n` elements, from the gradient of its output, its
// input and the mean and rstd (m) that the forward computed. The input's
// through the device's LAYER_NORM_BACKWARD kernel where it has one and this
// backward is not itself recorded (create_graph); otherwise composed from
// differentiable ops, with the statistics recomputed from the input when
// recorded, so that the second derivative sees them depend on it.
std::tuple<Tensor, Tensor, Tensor> layer_norm_backward(const Tensor& grad, const Tensor& input, const Tensor& mean,
                                                       const Tensor& rstd, const Tensor& weight, int64_t n,
                                                       double eps, std::array<bool, 3> needs);

}  // namespace ember::detail
