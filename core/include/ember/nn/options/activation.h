#pragma once
// Options of the activations, as libtorch's torch/nn/options/activation.h.
#include <optional>
#include <string>

#include "ember/nn/options/arg.h"
#include "ember/tensor.h"

namespace ember::nn {

struct LeakyReLUOptions {
  EMBER_NN_ARG(double, negative_slope, 1e-2);
  EMBER_NN_ARG(bool, inplace, false);
};

struct GELUOptions {
  // "none" (the exact erf form) or "tanh" (the tanh approximation).
  EMBER_NN_ARG(std::string, approximate, "none");
};

struct SoftmaxOptions {
  SoftmaxOptions(int64_t dim) : dim_(dim) {}
  EMBER_NN_ARG(int64_t, dim, 0);
};

struct LogSoftmaxOptions {
  LogSoftmaxOptions(int64_t dim) : dim_(dim) {}
  EMBER_NN_ARG(int64_t, dim, 0);
};

namespace functional {
using LeakyReLUFuncOptions = LeakyReLUOptions;
using GELUFuncOptions = GELUOptions;

struct SoftmaxFuncOptions {
  SoftmaxFuncOptions(int64_t dim) : dim_(dim) {}
  EMBER_NN_ARG(int64_t, dim, 0);
  // The dtype the input is cast to before the operation.
  EMBER_NN_ARG(std::optional<Dtype>, dtype, std::nullopt);
};

struct LogSoftmaxFuncOptions {
  LogSoftmaxFuncOptions(int64_t dim) : dim_(dim) {}
  EMBER_NN_ARG(int64_t, dim, 0);
  EMBER_NN_ARG(std::optional<Dtype>, dtype, std::nullopt);
};
}  // namespace functional

}  // namespace ember::nn
