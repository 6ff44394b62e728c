#pragma once
// nn::functional (conventionally `namespace F = ember::nn::functional;`).
#include "ember/nn/functional/conv.h"
#include "ember/nn/functional/layers.h"
#include "ember/nn/options/activation.h"
#include "ember/nn/options/dropout.h"
#include "ember/nn/options/loss.h"
#include "ember/tensor.h"

namespace ember::nn::functional {

Tensor linear(const Tensor& input, const Tensor& weight, const Tensor& bias = {});

// Activations.
Tensor relu(const Tensor& input);
Tensor sigmoid(const Tensor& input);
Tensor tanh(const Tensor& input);
Tensor leaky_relu(const Tensor& input, const LeakyReLUFuncOptions& options = {});
// The exact form x·Φ(x), or with approximate("tanh") PyTorch's tanh form.
Tensor gelu(const Tensor& input, const GELUFuncOptions& options = {});
Tensor silu(const Tensor& input);
Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options);
Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options);
// Zeroes each element with probability p and scales the rest by 1/(1-p),
// drawing the mask exactly as PyTorch's CPU dropout does.
Tensor dropout(const Tensor& input, const DropoutFuncOptions& options = {});

// Losses. Targets of nll_loss and cross_entropy are class indices
// (kInt64); cross_entropy also takes class probabilities shaped as the input.
Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = kMean);
Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options = {});
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options = {});
Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options = {});
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options = {});
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BinaryCrossEntropyFuncOptions& options = {});
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options = {});
// The input holds log-probabilities; kBatchMean divides the sum by size(0).
Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options = {});

// One-hot encoding of int64 class indices: shape [..., num_classes], int64
// (num_classes = -1: the largest index + 1), as F.one_hot.
Tensor one_hot(const Tensor& tensor, int64_t num_classes = -1);

}  // namespace ember::nn::functional
