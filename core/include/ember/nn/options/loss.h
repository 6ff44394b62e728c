#pragma once
// Options of the losses, as libtorch's torch/nn/options/loss.h: each loss
// module takes `XxxLossOptions`, its functional form the same struct under
// the name `functional::XxxFuncOptions`. A `Reduction` converts implicitly, so
// `F::l1_loss(x, y, ember::kSum)` works as in libtorch.
#include <optional>

#include "ember/nn/options/arg.h"
#include "ember/tensor.h"

namespace ember {
// kBatchMean is KLDivLoss's 'batchmean' (the sum divided by the batch size);
// the other losses reject it, as libtorch's per-loss reduction types do.
enum class Reduction { None, Mean, Sum, BatchMean };
inline constexpr Reduction kNone = Reduction::None;
inline constexpr Reduction kMean = Reduction::Mean;
inline constexpr Reduction kSum = Reduction::Sum;
inline constexpr Reduction kBatchMean = Reduction::BatchMean;
}  // namespace ember

namespace ember::nn {

struct L1LossOptions {
  L1LossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_NN_ARG(Reduction, reduction, kMean);
};

struct SmoothL1LossOptions {
  SmoothL1LossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_NN_ARG(Reduction, reduction, kMean);
  // Where the loss turns from quadratic to linear; 0 gives the L1 loss.
  EMBER_NN_ARG(double, beta, 1.0);
};

struct CrossEntropyLossOptions {
  CrossEntropyLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_NN_ARG(Tensor, weight, {});  // one weight per class
  EMBER_NN_ARG(int64_t, ignore_index, -100);
  EMBER_NN_ARG(Reduction, reduction, kMean);
  EMBER_NN_ARG(double, label_smoothing, 0.0);
};

struct NLLLossOptions {
  NLLLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_NN_ARG(Tensor, weight, {});
  EMBER_NN_ARG(int64_t, ignore_index, -100);
  EMBER_NN_ARG(Reduction, reduction, kMean);
};

struct BCELossOptions {
  BCELossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_NN_ARG(Tensor, weight, {});  // broadcast against the input
  EMBER_NN_ARG(Reduction, reduction, kMean);
};

struct BCEWithLogitsLossOptions {
  BCEWithLogitsLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_NN_ARG(Tensor, weight, {});
  EMBER_NN_ARG(Reduction, reduction, kMean);
  // The weight of positive examples, broadcast along the last dimension.
  EMBER_NN_ARG(Tensor, pos_weight, {});
};

struct KLDivLossOptions {
  KLDivLossOptions(Reduction reduction = kMean) : reduction_(reduction) {}
  EMBER_NN_ARG(Reduction, reduction, kMean);
  // Whether the target is given as log-probabilities.
  EMBER_NN_ARG(bool, log_target, false);
};

namespace functional {
using L1LossFuncOptions = L1LossOptions;
using SmoothL1LossFuncOptions = SmoothL1LossOptions;
using CrossEntropyFuncOptions = CrossEntropyLossOptions;
using NLLLossFuncOptions = NLLLossOptions;
using BinaryCrossEntropyFuncOptions = BCELossOptions;
using BinaryCrossEntropyWithLogitsFuncOptions = BCEWithLogitsLossOptions;
using KLDivFuncOptions = KLDivLossOptions;
}  // namespace functional

}  // namespace ember::nn
