#include "ember/nn/functional.h"

#include "ember/functions.h"
#include "ops/linear.h"

namespace ember::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias) {
  EMBER_CHECK(input.dim() >= 1 && weight.dim() == 2 && input.size(-1) == weight.size(1), "linear: an input of shape ",
              input.sizes(), " does not fit a weight of shape ", weight.sizes(), " (the input's last dimension must be ",
              weight.dim() == 2 ? weight.size(1) : -1, ")");
  if (auto fused = ember::detail::fused_linear(input, weight, bias)) return *fused;
  Tensor out = input.matmul(weight.t());
  return bias.defined() ? out + bias : out;
}

Tensor relu(const Tensor& input) { return input.relu(); }
Tensor sigmoid(const Tensor& input) { return input.sigmoid(); }
Tensor tanh(const Tensor& input) { return input.tanh(); }

}  // namespace ember::nn::functional
