#pragma once
// nn::functional (conventionally `namespace F = ember::nn::functional;`).
#include "ember/tensor.h"

namespace ember {
enum class Reduction { None, Mean, Sum };
inline constexpr Reduction kNone = Reduction::None;
inline constexpr Reduction kMean = Reduction::Mean;
inline constexpr Reduction kSum = Reduction::Sum;
}  // namespace ember

namespace ember::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});
Tensor relu(const Tensor& input);
Tensor sigmoid(const Tensor& input);
Tensor tanh(const Tensor& input);
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean);

}  // namespace ember::nn::functional
