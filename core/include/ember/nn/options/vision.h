#pragma once
// Options of F::interpolate (libtorch keeps them in
// torch/nn/options/upsampling.h).
#include <optional>
#include <variant>
#include <vector>

#include "ember/nn/options/arg.h"
#include "ember/nn/options/enumtype.h"

namespace ember::nn::functional {

struct InterpolateFuncOptions {
  using mode_t = std::variant<enumtype::kNearest, enumtype::kNearestExact, enumtype::kLinear, enumtype::kBilinear,
                              enumtype::kTrilinear>;
  // Exactly one of size and scale_factor, with one entry per spatial dimension.
  EMBER_NN_ARG(std::optional<std::vector<int64_t>>, size, std::nullopt);
  EMBER_NN_ARG(std::optional<std::vector<double>>, scale_factor, std::nullopt);
  EMBER_NN_ARG(mode_t, mode, kNearest);
  // Only for the (bi/tri)linear modes; nullopt means false, as in PyTorch.
  EMBER_NN_ARG(std::optional<bool>, align_corners, std::nullopt);
  // true: sample with the ratio of the sizes rather than 1 / scale_factor.
  EMBER_NN_ARG(std::optional<bool>, recompute_scale_factor, std::nullopt);
};

}  // namespace ember::nn::functional
