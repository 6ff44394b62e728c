// batch_norm, layer_norm, group_norm and their modules, composed from ember
// ops: mean and biased variance over the normalised dimensions, then
// (x - mean) / sqrt(var + eps), then the affine weight and bias. layer_norm
// runs a device's fused kernel instead where it has one (ops/layer_norm.cpp).
#include "ember/nn/normalization.h"

#include <ostream>
#include <string>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/nn/init.h"
#include "nn/detail.h"
#include "ops/layer_norm.h"

namespace ember::nn {
namespace functional {
namespace {

// (x - mean) / sqrt(var + eps) over `dims`, with the batch's own statistics.
Tensor normalize(const Tensor& x, IntArrayRef dims, double eps) {
  const Tensor mean = x.mean(dims, /*keepdim=*/true);
  const Tensor var = x.var(dims, /*unbiased=*/false, /*keepdim=*/true);
  return (x - mean) * (var + eps).rsqrt();
}

// A per-channel vector (C) shaped (1, C, 1, ...) to broadcast against an
// input of `dim` dimensions.
Tensor channel_view(const Tensor& t, int64_t dim) {
  std::vector<int64_t> shape(size_t(dim), 1);
  shape[1] = -1;
  return t.reshape(shape);
}

void check_per_channel(const char* op, const char* what, const Tensor& t, const Tensor& input) {
  EMBER_CHECK(!t.defined() || t.numel() == input.size(1), op, ": ", what, " should contain ", input.size(1),
              " elements (one per channel of the input of shape ", input.sizes(), "), not ", t.numel());
}

}  // namespace

Tensor batch_norm(const Tensor& input, const Tensor& running_mean, const Tensor& running_var,
                  const BatchNormFuncOptions& options) {
  EMBER_CHECK(input.dim() >= 2, "batch_norm: expected an input of shape (N, C, ...), got one of shape ", input.sizes());
  check_per_channel("batch_norm", "running_mean", running_mean, input);
  check_per_channel("batch_norm", "running_var", running_var, input);
  check_per_channel("batch_norm", "weight", options.weight(), input);
  check_per_channel("batch_norm", "bias", options.bias(), input);
  const int64_t dim = input.dim();
  Tensor out;
  if (options.training()) {
    const int64_t per_channel = input.numel() / input.size(1);
    EMBER_CHECK(per_channel > 1,
                "batch_norm: expected more than 1 value per channel when training, got input of shape ", input.sizes(),
                "; use a larger batch or eval mode");
    std::vector<int64_t> dims{0};
    for (int64_t d = 2; d < dim; ++d) dims.push_back(d);
    out = normalize(input, dims, options.eps());
    if (running_mean.defined() || running_var.defined()) {
      EMBER_CHECK(options.momentum().has_value(),
                  "batch_norm: momentum nullopt (a cumulative average) is only for the BatchNorm modules; pass "
                  "momentum 1 / (number of batches) instead");
      const double m = *options.momentum();
      NoGradGuard no_grad;
      const Tensor x = input.detach();
      // In place, so the module's buffers keep their identity.
      if (running_mean.defined()) running_mean.mul_(1 - m).add_(x.mean(dims).to(running_mean.dtype()) * m);
      if (running_var.defined())
        running_var.mul_(1 - m).add_(x.var(dims, /*unbiased=*/true).to(running_var.dtype()) * m);
    }
  } else {
    EMBER_CHECK(running_mean.defined() && running_var.defined(),
                "batch_norm: running_mean and running_var must be defined in evaluation mode (training false)");
    out = (input - channel_view(running_mean, dim)) * (channel_view(running_var, dim) + options.eps()).rsqrt();
  }
  if (options.weight().defined()) out = out * channel_view(options.weight(), dim);
  if (options.bias().defined()) out = out + channel_view(options.bias(), dim);
  return out;
}

Tensor layer_norm(const Tensor& input, const LayerNormFuncOptions& options) {
  const std::vector<int64_t>& shape = options.normalized_shape();
  const int64_t k = int64_t(shape.size());
  bool fits = k >= 1 && input.dim() >= k;
  for (int64_t i = 0; fits && i < k; ++i) fits = input.size(input.dim() - k + i) == shape[size_t(i)];
  if (!fits) {
    std::string trailing;  // "3, 4" of [*, 3, 4]
    for (int64_t s : shape) trailing += ", " + std::to_string(s);
    EMBER_CHECK(false, "layer_norm: given normalized_shape=", IntArrayRef(shape), ", expected an input of shape [*",
                trailing, "], but got one of shape ", input.sizes());
  }
  for (const Tensor* t : {&options.weight(), &options.bias()})
    EMBER_CHECK(!t->defined() || t->sizes() == shape, "layer_norm: weight and bias must have the normalized_shape ",
                IntArrayRef(shape), ", got one of shape ", t->sizes());
  // One fused node (NativeLayerNormBackward0) where the device has the
  // kernel; else the composite, on any device.
  if (auto fused = ember::detail::fused_layer_norm(input, k, options.weight(), options.bias(), options.eps()))
    return *fused;
  std::vector<int64_t> dims;
  for (int64_t d = input.dim() - k; d < input.dim(); ++d) dims.push_back(d);
  Tensor out = normalize(input, dims, options.eps());
  if (options.weight().defined()) out = out * options.weight();
  if (options.bias().defined()) out = out + options.bias();
  return out;
}

Tensor group_norm(const Tensor& input, const GroupNormFuncOptions& options) {
  const int64_t groups = options.num_groups();
  EMBER_CHECK(input.dim() >= 2, "group_norm: expected an input of shape (N, C, ...), got one of shape ", input.sizes());
  EMBER_CHECK(groups > 0 && input.size(1) % groups == 0,
              "group_norm: expected the number of channels of the input to be divisible by num_groups, but got an "
              "input of shape ",
              input.sizes(), " and num_groups=", groups);
  check_per_channel("group_norm", "weight", options.weight(), input);
  check_per_channel("group_norm", "bias", options.bias(), input);
  // Each (sample, group) is one row of (N, G, C/G · spatial).
  const Tensor rows = input.reshape({input.size(0), groups, -1});
  Tensor out = normalize(rows, {2}, options.eps()).reshape(input.sizes());
  if (options.weight().defined()) out = out * channel_view(options.weight(), input.dim());
  if (options.bias().defined()) out = out + channel_view(options.bias(), input.dim());
  return out;
}

}  // namespace functional

namespace F = functional;
using detail::python_bool;
using detail::python_float;

BatchNormImplBase::BatchNormImplBase(const BatchNormOptions& options) : options(options) {
  EMBER_CHECK(options.num_features() > 0, "BatchNorm: num_features must be positive, got ", options.num_features());
  const int64_t c = options.num_features();
  if (options.affine()) {
    weight = register_parameter("weight", empty({c}));
    bias = register_parameter("bias", empty({c}));
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", zeros({c}));
    running_var = register_buffer("running_var", ones({c}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, kInt64));
  }
  reset_parameters();
}

void BatchNormImplBase::reset_running_stats() {
  if (!options.track_running_stats()) return;
  NoGradGuard no_grad;
  running_mean.zero_();
  running_var.fill_(1);
  num_batches_tracked.zero_();
}

void BatchNormImplBase::reset_parameters() {
  reset_running_stats();
  if (!options.affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

// Python's _BatchNorm.forward: which statistics to use, and the momentum.
Tensor BatchNormImplBase::forward(const Tensor& input) {
  check_input_dim(input);
  EMBER_CHECK(input.size(1) == options.num_features(), name(), ": expected an input with ", options.num_features(),
              " channels (num_features) in dimension 1, got one of shape ", input.sizes());
  std::optional<double> momentum = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats()) {
    {
      NoGradGuard no_grad;
      num_batches_tracked.add_(1);
    }
    if (!options.momentum()) momentum = 1.0 / double(num_batches_tracked.item<int64_t>());
  }
  // Without running statistics, eval mode too normalises with the batch's.
  const bool use_batch_stats = is_training() || !options.track_running_stats();
  return F::batch_norm(input, running_mean, running_var,
                       F::BatchNormFuncOptions()
                           .weight(weight)
                           .bias(bias)
                           .training(use_batch_stats)
                           .momentum(momentum)
                           .eps(options.eps()));
}

void BatchNormImplBase::pretty_print(std::ostream& out) const {
  out << options.num_features() << ", eps=" << python_float(options.eps())
      << ", momentum=" << (options.momentum() ? python_float(*options.momentum()) : "None")
      << ", affine=" << python_bool(options.affine())
      << ", track_running_stats=" << python_bool(options.track_running_stats());
}

void BatchNorm1dImpl::check_input_dim(const Tensor& input) const {
  EMBER_CHECK(input.dim() == 2 || input.dim() == 3, "BatchNorm1d: expected a 2D (N, C) or 3D (N, C, L) input, got ",
              input.dim(), "D input of shape ", input.sizes());
}

void BatchNorm2dImpl::check_input_dim(const Tensor& input) const {
  EMBER_CHECK(input.dim() == 4, "BatchNorm2d: expected a 4D (N, C, H, W) input, got ", input.dim(), "D input of shape ",
              input.sizes(), "; for (N, C) or (N, C, L) use BatchNorm1d");
}

LayerNormImpl::LayerNormImpl(const LayerNormOptions& options) : options(options) {
  for (int64_t s : options.normalized_shape())
    EMBER_CHECK(s > 0, "LayerNorm: normalized_shape must hold positive sizes, got ",
                IntArrayRef(options.normalized_shape()));
  if (options.elementwise_affine()) {
    weight = register_parameter("weight", ember::empty(options.normalized_shape()));
    bias = register_parameter("bias", ember::empty(options.normalized_shape()));
  }
  reset_parameters();
}

void LayerNormImpl::reset_parameters() {
  if (!options.elementwise_affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor LayerNormImpl::forward(const Tensor& input) {
  return F::layer_norm(
      input, F::LayerNormFuncOptions(options.normalized_shape()).weight(weight).bias(bias).eps(options.eps()));
}

// normalized_shape prints as a Python tuple: (8,) or (2, 3).
void LayerNormImpl::pretty_print(std::ostream& out) const {
  const auto& shape = options.normalized_shape();
  out << "(";
  for (size_t i = 0; i < shape.size(); ++i) out << (i ? ", " : "") << shape[i];
  out << (shape.size() == 1 ? ",)" : ")") << ", eps=" << python_float(options.eps())
      << ", elementwise_affine=" << python_bool(options.elementwise_affine());
}

GroupNormImpl::GroupNormImpl(const GroupNormOptions& options) : options(options) {
  EMBER_CHECK(options.num_groups() > 0 && options.num_channels() % options.num_groups() == 0,
              "GroupNorm: num_channels (", options.num_channels(), ") must be divisible by num_groups (",
              options.num_groups(), ")");
  if (options.affine()) {
    weight = register_parameter("weight", empty({options.num_channels()}));
    bias = register_parameter("bias", empty({options.num_channels()}));
  }
  reset_parameters();
}

void GroupNormImpl::reset_parameters() {
  if (!options.affine()) return;
  init::ones_(weight);
  init::zeros_(bias);
}

Tensor GroupNormImpl::forward(const Tensor& input) {
  EMBER_CHECK(input.dim() >= 2 && input.size(1) == options.num_channels(), "GroupNorm: expected an input of shape (N, ",
              options.num_channels(), ", ...), got one of shape ", input.sizes());
  return F::group_norm(input,
                       F::GroupNormFuncOptions(options.num_groups()).weight(weight).bias(bias).eps(options.eps()));
}

void GroupNormImpl::pretty_print(std::ostream& out) const {
  out << options.num_groups() << ", " << options.num_channels() << ", eps=" << python_float(options.eps())
      << ", affine=" << python_bool(options.affine());
}

}  // namespace ember::nn
