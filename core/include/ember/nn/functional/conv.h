#pragma once
// nn::functional's convolutions and pooling. Images are (N, C, H, W) or
// unbatched (C, H, W); Conv1d's sequences (N, C, L) or (C, L).
#include <tuple>

#include "ember/nn/options/conv.h"
#include "ember/nn/options/pooling.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

// weight: (out_channels, in_channels / groups, kH, kW).
Tensor conv2d(const Tensor& input, const Tensor& weight, const Conv2dFuncOptions& options = {});
// weight: (out_channels, in_channels / groups, k).
Tensor conv1d(const Tensor& input, const Tensor& weight, const Conv1dFuncOptions& options = {});
// The gradient of conv2d with respect to its input, as a layer; weight:
// (in_channels, out_channels / groups, kH, kW).
Tensor conv_transpose2d(const Tensor& input, const Tensor& weight, const ConvTranspose2dFuncOptions& options = {});

// Sliding local blocks: (N, C, H, W) -> (N, C*kH*kW, L), and back (summing).
Tensor unfold(const Tensor& input, const UnfoldFuncOptions& options);
Tensor fold(const Tensor& input, const FoldFuncOptions& options);

Tensor max_pool2d(const Tensor& input, const MaxPool2dFuncOptions& options);
// The maxima and their indices into each flattened H*W plane.
std::tuple<Tensor, Tensor> max_pool2d_with_indices(const Tensor& input, const MaxPool2dFuncOptions& options);
Tensor avg_pool2d(const Tensor& input, const AvgPool2dFuncOptions& options);
// Output cell (i, j) averages rows [⌊i·H/oH⌋, ⌈(i+1)·H/oH⌉) and the same for columns.
Tensor adaptive_avg_pool2d(const Tensor& input, const AdaptiveAvgPool2dFuncOptions& options);

}  // namespace ember::nn::functional
