// The losses, as compositions of ember ops following PyTorch 1.13's formulas
// (aten/src/ATen/native/Loss.cpp, LossNLL.cpp), so autograd differentiates
// them; binary_cross_entropy alone has a formula backward (Note [Composite
// forward, formula backward] in detail.h).
#include "ember/nn/loss.h"

#include <vector>

#include "ember/factories.h"
#include "ember/functions.h"
#include "nn/detail.h"

namespace ember::nn {
namespace functional {
namespace {

Tensor reduce(const Tensor& loss, Reduction reduction, const char* op) {
  switch (reduction) {
    case Reduction::None: return loss;
    case Reduction::Mean: return loss.mean();
    case Reduction::Sum: return loss.sum();
    case Reduction::BatchMean: break;
  }
  EMBER_CHECK(false, op, ": reduction kBatchMean is only for kl_div; use kNone, kMean or kSum");
  return {};
}

// The class dimension: 0 for an unbatched (C) input, else 1.
int64_t class_dim_of(const Tensor& input) { return input.dim() == 1 ? 0 : 1; }

void check_class_weight(const Tensor& weight, int64_t classes, const char* op) {
  EMBER_CHECK(!weight.defined() || (weight.dim() == 1 && weight.numel() == classes), op,
              ": weight should be a 1D tensor with one element per class (", classes, "), got shape ",
              weight.defined() ? weight.sizes() : IntArrayRef{});
}

// The class weight, shaped to broadcast along the input's class dimension.
Tensor class_weight_view(const Tensor& weight, const Tensor& input) {
  std::vector<int64_t> shape(size_t(input.dim()), 1);
  shape[size_t(class_dim_of(input))] = weight.numel();
  return weight.view(shape);
}

struct PickedTargets {
  Tensor safe_target;  // the target with ignored entries replaced by class 0
  Tensor ignored;      // kBool, where target == ignore_index
};

PickedTargets check_class_targets(const Tensor& input, const Tensor& target, int64_t ignore_index, const char* op) {
  EMBER_CHECK(input.dim() >= 1, op, ": expected an input with a class dimension, got a 0-dimensional tensor");
  EMBER_CHECK(target.dtype() == kInt64, op, ": expected a target of class indices of dtype int64 (Long), got ",
              target.dtype(), "; for class probabilities pass a floating target shaped like the input ",
              input.sizes());
  const int64_t class_dim = class_dim_of(input);
  std::vector<int64_t> expected(input.sizes().begin(), input.sizes().end());
  expected.erase(expected.begin() + class_dim);
  EMBER_CHECK(target.sizes() == expected, op, ": an input of shape ", input.sizes(),
              " (classes in dimension ", class_dim, ") expects a target of shape ", IntArrayRef(expected), ", got ",
              target.sizes());
  PickedTargets out;
  out.ignored = target == ignore_index;
  out.safe_target = target.masked_fill(out.ignored, 0);
  const int64_t classes = input.size(class_dim);
  const Tensor bad = (out.safe_target < 0) | (out.safe_target >= classes);
  if (bad.numel() > 0 && bad.any().item<bool>()) {
    const auto values = out.safe_target.flatten().to_vector<int64_t>();
    const auto flags = bad.flatten().to_vector<bool>();
    for (size_t i = 0; i < values.size(); ++i)
      EMBER_CHECK(!flags[i], op, ": target ", values[i], " is out of bounds for ", classes,
                  " classes (targets are class indices in [0, ", classes, ") or ignore_index ", ignore_index, ")");
  }
  return out;
}

// nll_loss given checked targets: -w[t]·input[t], the mean divided by Σ w[t].
Tensor nll(const Tensor& input, const PickedTargets& t, const Tensor& weight, Reduction reduction, const char* op) {
  const int64_t class_dim = class_dim_of(input);
  const Tensor picked = input.gather(class_dim, t.safe_target.unsqueeze(class_dim)).squeeze(class_dim);
  Tensor w = weight.defined() ? weight.index_select(0, t.safe_target.flatten()).view(t.safe_target.sizes())
                              : ones_like(picked, TensorOptions().requires_grad(false));
  w = w.masked_fill(t.ignored, 0);
  const Tensor loss = -(picked * w);
  if (reduction == Reduction::Mean) return loss.sum() / w.sum();
  return reduce(loss, reduction, op);
}

}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  // Like PyTorch, mismatched shapes broadcast (PyTorch warns); a shape that
  // does not broadcast is an Error from the subtraction.
  Tensor diff = input - target;
  return reduce(diff * diff, reduction, "mse_loss");
}

Tensor l1_loss(const Tensor& input, const Tensor& target, const L1LossFuncOptions& options) {
  return reduce((input - target).abs(), options.reduction(), "l1_loss");
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, const SmoothL1LossFuncOptions& options) {
  const double beta = options.beta();
  EMBER_CHECK(beta >= 0, "smooth_l1_loss: beta must be non-negative, got ", beta);
  if (beta == 0) return l1_loss(input, target, options.reduction());
  const Tensor z = (input - target).abs();
  // PyTorch's kernel: z < beta ? 0.5 * z * z / beta : z - 0.5 * beta.
  const Tensor loss = where(z < beta, z.mul(0.5).mul(z).div(beta), z - 0.5 * beta);
  return reduce(loss, options.reduction(), "smooth_l1_loss");
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossFuncOptions& options) {
  const auto t = check_class_targets(input, target, options.ignore_index(), "nll_loss");
  check_class_weight(options.weight(), input.size(class_dim_of(input)), "nll_loss");
  return nll(input, t, options.weight(), options.reduction(), "nll_loss");
}

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyFuncOptions& options) {
  constexpr const char* op = "cross_entropy";
  EMBER_CHECK(input.dim() >= 1, op, ": expected an input with a class dimension, got a 0-dimensional tensor");
  const double smoothing = options.label_smoothing();
  EMBER_CHECK(smoothing >= 0 && smoothing <= 1, op, ": label_smoothing must be between 0.0 and 1.0, got ", smoothing);
  const int64_t class_dim = class_dim_of(input);
  const int64_t classes = input.size(class_dim);
  const Tensor& weight = options.weight();
  check_class_weight(weight, classes, op);
  const Tensor log_p = input.log_softmax(class_dim);

  if (target.sizes() == input.sizes()) {
    // Class probabilities (cross_entropy_loss_prob_target).
    EMBER_CHECK(target.is_floating_point(), op, ": a target shaped like the input holds class probabilities and ",
                "must be floating point, got ", target.dtype());
    EMBER_CHECK(options.ignore_index() < 0, op, ": ignore_index is not supported for class-probability targets");
    const Tensor p = smoothing > 0 ? target * (1 - smoothing) + smoothing / double(classes) : target;
    Tensor terms = log_p * p;
    if (weight.defined()) terms = terms * class_weight_view(weight, input);
    switch (options.reduction()) {
      case Reduction::None: return -terms.sum({class_dim});
      case Reduction::Sum: return -terms.sum();
      case Reduction::Mean: return -terms.sum() / double(input.numel() / classes);
      case Reduction::BatchMean: break;
    }
    return reduce(terms, options.reduction(), op);
  }

  const auto t = check_class_targets(input, target, options.ignore_index(), op);
  const Tensor loss = nll(log_p, t, weight, options.reduction(), op);
  if (smoothing == 0) return loss;
  // Label smoothing (cross_entropy_loss_label_smoothing): the smoothed part
  // is the (weighted) sum of -log p over the classes.
  Tensor smooth = weight.defined() ? -(log_p * class_weight_view(weight, input)).sum({class_dim})
                                   : -log_p.sum({class_dim});
  smooth = smooth.masked_fill(t.ignored, 0);
  Tensor smooth_reduced;
  switch (options.reduction()) {
    case Reduction::None: smooth_reduced = smooth; break;
    case Reduction::Sum: smooth_reduced = smooth.sum(); break;
    case Reduction::Mean: {
      // Normalised as nll_loss is: by the total weight of the counted targets.
      const Tensor counted = t.ignored.logical_not();
      smooth_reduced = weight.defined()
                           ? smooth.sum() / weight.index_select(0, t.safe_target.flatten())
                                                .view(t.safe_target.sizes())
                                                .masked_fill(t.ignored, 0)
                                                .sum()
                           : smooth.sum() / counted.sum();
      break;
    }
    case Reduction::BatchMean: return reduce(smooth, options.reduction(), op);
  }
  return loss * (1 - smoothing) + smooth_reduced * (smoothing / double(classes));
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BinaryCrossEntropyFuncOptions& options) {
  constexpr const char* op = "binary_cross_entropy";
  EMBER_CHECK(input.sizes() == target.sizes(), op, ": the target's shape ", target.sizes(),
              " must be the input's shape ", input.sizes());
  const Tensor inside = (input >= 0) & (input <= 1);
  EMBER_CHECK(input.numel() == 0 || inside.all().item<bool>(), op,
              ": all elements of input should be between 0 and 1 (apply sigmoid first, or use "
              "binary_cross_entropy_with_logits on the logits)");
  // -(t·log x + (1-t)·log(1-x)), each log clamped at -100 as PyTorch does.
  // The gradient is PyTorch's (x - t) / max(x(1-x), 1e-12), finite at 0 and 1
  // where the composite's would be NaN.
  Tensor loss = detail::with_formula_backward(
      "BinaryCrossEntropyBackward0", {input, target},
      [&] { return (target - 1) * (1 - input).log().clamp_min(-100) - target * input.log().clamp_min(-100); },
      [](const autograd::variable_list& saved, const Tensor& grad, const std::vector<bool>& needs) {
        const Tensor& x = saved[0];
        const Tensor& t = saved[1];
        autograd::variable_list out(2);
        if (needs[0]) out[0] = grad * (x - t) / ((1 - x) * x).clamp_min(1e-12);
        if (needs[1]) out[1] = grad * ((1 - x).log().clamp_min(-100) - x.log().clamp_min(-100));
        return out;
      });
  if (options.weight().defined()) loss = loss * options.weight();
  return reduce(loss, options.reduction(), op);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BinaryCrossEntropyWithLogitsFuncOptions& options) {
  constexpr const char* op = "binary_cross_entropy_with_logits";
  EMBER_CHECK(input.sizes() == target.sizes(), op, ": the target's shape ", target.sizes(),
              " must be the input's shape ", input.sizes());
  // PyTorch's stable form: with m = max(-x, 0),
  // (1-t)·x + (1 + (pw-1)·t)·(log(e^-m + e^(-x-m)) + m).
  const Tensor max_val = (-input).clamp_min(0);
  const Tensor log_term = ((-max_val).exp() + (-input - max_val).exp()).log() + max_val;
  Tensor loss;
  if (options.pos_weight().defined()) {
    const Tensor log_weight = (options.pos_weight() - 1) * target + 1;
    loss = (1 - target) * input + log_weight * log_term;
  } else {
    loss = (1 - target) * input + log_term;
  }
  if (options.weight().defined()) loss = loss * options.weight();
  return reduce(loss, options.reduction(), op);
}

Tensor kl_div(const Tensor& input, const Tensor& target, const KLDivFuncOptions& options) {
  Tensor loss;
  if (options.log_target()) {
    loss = target.exp() * (target - input);
  } else {
    // xlogy(t, t) - t·x, with 0·log 0 = 0 (and its gradient 0, not NaN).
    const Tensor is_zero = target == 0;
    loss = target * target.masked_fill(is_zero, 1).log() - target * input;
  }
  if (options.reduction() == Reduction::BatchMean)
    return input.dim() == 0 ? loss.sum() : loss.sum() / double(input.size(0));
  return reduce(loss, options.reduction(), "kl_div");
}

}  // namespace functional

namespace F = functional;

L1LossImpl::L1LossImpl(const L1LossOptions& options) : options(options) {}
Tensor L1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::l1_loss(input, target, options);
}

SmoothL1LossImpl::SmoothL1LossImpl(const SmoothL1LossOptions& options) : options(options) {}
Tensor SmoothL1LossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::smooth_l1_loss(input, target, options);
}

CrossEntropyLossImpl::CrossEntropyLossImpl(const CrossEntropyLossOptions& options) : options(options) {
  weight = register_buffer("weight", options.weight());
}
Tensor CrossEntropyLossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, CrossEntropyLossOptions(options).weight(weight));
}

NLLLossImpl::NLLLossImpl(const NLLLossOptions& options) : options(options) {
  weight = register_buffer("weight", options.weight());
}
Tensor NLLLossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::nll_loss(input, target, NLLLossOptions(options).weight(weight));
}

BCELossImpl::BCELossImpl(const BCELossOptions& options) : options(options) {
  weight = register_buffer("weight", options.weight());
}
Tensor BCELossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, BCELossOptions(options).weight(weight));
}

BCEWithLogitsLossImpl::BCEWithLogitsLossImpl(const BCEWithLogitsLossOptions& options) : options(options) {
  weight = register_buffer("weight", options.weight());
  pos_weight = register_buffer("pos_weight", options.pos_weight());
}
Tensor BCEWithLogitsLossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target,
                                             BCEWithLogitsLossOptions(options).weight(weight).pos_weight(pos_weight));
}

KLDivLossImpl::KLDivLossImpl(const KLDivLossOptions& options) : options(options) {}
Tensor KLDivLossImpl::forward(const Tensor& input, const Tensor& target) {
  return F::kl_div(input, target, options);
}

}  // namespace ember::nn
