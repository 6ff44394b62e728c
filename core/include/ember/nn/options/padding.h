#pragma once
// Options of F::pad, as libtorch's torch/nn/options/padding.h.
#include <cstdint>
#include <utility>
#include <variant>
#include <vector>

#include "ember/nn/options/arg.h"
#include "ember/nn/options/enumtype.h"

namespace ember::nn::functional {

struct PadFuncOptions {
  using mode_t = std::variant<enumtype::kConstant, enumtype::kReflect, enumtype::kReplicate, enumtype::kCircular>;
  // (left, right) of the last dimension, then (top, bottom) of the one
  // before, and so on; a negative amount crops.
  PadFuncOptions(std::vector<int64_t> pad) : pad_(std::move(pad)) {}
  EMBER_NN_ARG(std::vector<int64_t>, pad, {});
  EMBER_NN_ARG(mode_t, mode, kConstant);
  // The fill of kConstant.
  EMBER_NN_ARG(double, value, 0);
};

}  // namespace ember::nn::functional
