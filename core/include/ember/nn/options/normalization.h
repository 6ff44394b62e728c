#pragma once
// Options of the normalization layers, as libtorch's
// torch/nn/options/{batchnorm,normalization}.h.
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ember/nn/options/arg.h"
#include "ember/tensor.h"

namespace ember::nn {

struct BatchNormOptions {
  BatchNormOptions(int64_t num_features) : num_features_(num_features) {}
  // C of an input (N, C) or (N, C, ...).
  EMBER_NN_ARG(int64_t, num_features, 0);
  EMBER_NN_ARG(double, eps, 1e-5);
  // The weight of the new batch in the running statistics; nullopt gives the
  // cumulative average (1 / num_batches_tracked), as Python's momentum=None.
  EMBER_NN_ARG(std::optional<double>, momentum, 0.1);
  // A learnable per-channel weight and bias.
  EMBER_NN_ARG(bool, affine, true);
  // Keep running_mean / running_var for eval mode; without them eval mode
  // normalises with the batch's own statistics.
  EMBER_NN_ARG(bool, track_running_stats, true);
};

struct LayerNormOptions {
  LayerNormOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  // The trailing dimensions to normalise over.
  EMBER_NN_ARG(std::vector<int64_t>, normalized_shape, {});
  EMBER_NN_ARG(double, eps, 1e-5);
  EMBER_NN_ARG(bool, elementwise_affine, true);
};

struct GroupNormOptions {
  GroupNormOptions(int64_t num_groups, int64_t num_channels) : num_groups_(num_groups), num_channels_(num_channels) {}
  EMBER_NN_ARG(int64_t, num_groups, 0);
  EMBER_NN_ARG(int64_t, num_channels, 0);
  EMBER_NN_ARG(double, eps, 1e-5);
  EMBER_NN_ARG(bool, affine, true);
};

namespace functional {

struct BatchNormFuncOptions {
  EMBER_NN_ARG(Tensor, weight, {});
  EMBER_NN_ARG(Tensor, bias, {});
  // Normalise with the batch's statistics (and update the running ones when
  // given) rather than with the running statistics.
  EMBER_NN_ARG(bool, training, false);
  // Must hold a value here; only the modules give nullopt a meaning.
  EMBER_NN_ARG(std::optional<double>, momentum, 0.1);
  EMBER_NN_ARG(double, eps, 1e-5);
};

struct LayerNormFuncOptions {
  LayerNormFuncOptions(std::vector<int64_t> normalized_shape) : normalized_shape_(std::move(normalized_shape)) {}
  EMBER_NN_ARG(std::vector<int64_t>, normalized_shape, {});
  EMBER_NN_ARG(Tensor, weight, {});
  EMBER_NN_ARG(Tensor, bias, {});
  EMBER_NN_ARG(double, eps, 1e-5);
};

struct GroupNormFuncOptions {
  GroupNormFuncOptions(int64_t num_groups) : num_groups_(num_groups) {}
  EMBER_NN_ARG(int64_t, num_groups, 0);
  EMBER_NN_ARG(Tensor, weight, {});
  EMBER_NN_ARG(Tensor, bias, {});
  EMBER_NN_ARG(double, eps, 1e-5);
};

}  // namespace functional

}  // namespace ember::nn
