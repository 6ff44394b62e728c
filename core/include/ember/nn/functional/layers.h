#pragma once
// The functional forms of the normalization layers, Embedding, pad and
// interpolate, as torch.nn.functional; each is a composite of ember ops, so
// autograd differentiates it.
#include "ember/nn/options/embedding.h"
#include "ember/nn/options/normalization.h"
#include "ember/nn/options/padding.h"
#include "ember/nn/options/vision.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

// Normalises each channel (dimension 1) of (N, C, ...) with the batch's
// statistics when training — updating running_mean and running_var in place
// (with the unbiased variance) when they are defined — else with the running
// statistics.
Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options = {});
// Normalises over the trailing normalized_shape dimensions.
Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options);
// Normalises each of num_groups groups of channels of (N, C, ...).
Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options);

// The rows of weight (num_embeddings, embedding_dim) that int64 (or int32)
// indices select: shape indices.sizes() + [embedding_dim].
Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options = {});

// Pads (or, with negative amounts, crops) the last pad.size()/2 dimensions.
// kConstant pads any number of dimensions; kReflect, kReplicate and
// kCircular pad the last 1, 2 or 3 of an input with one or two more.
Tensor pad(const Tensor& input, const PadFuncOptions& options);

// Resamples the spatial dimensions of (N, C, ...): kNearest and
// kNearestExact for 1 to 3 of them, kLinear / kBilinear / kTrilinear for
// exactly 1 / 2 / 3.
Tensor interpolate(const Tensor& input, const InterpolateFuncOptions& options = {});

}  // namespace ember::nn::functional
