// The factories of api.md: tensors from values, filled, ranged and random.
#include "ember/factories.h"

#include <cmath>
#include <cstring>

#include "device/registry.h"
#include "dispatch/dispatch.h"
#include "ember/functions.h"
#include "ember/runtime.h"
#include "plugin/loader.h"
#include "tensor/make.h"

namespace ember {

using detail::make_tensor;

namespace {
void fill(const Tensor& t, const Scalar& v) {
  if (t.numel() == 0) return;
  const ember_scalar s = dispatch::to_abi(v);
  dispatch::call(EMBER_OP_FILL, {}, {&t, 1}, {&s, 1});
}
Tensor with_grad(Tensor t, const TensorOptions& options) {
  if (options.requires_grad()) t.requires_grad_(true);
  return t;
}
void random_fill(const Tensor& t, ember_op op, std::initializer_list<ember_scalar> params, const char* name) {
  if (t.numel() == 0) return;
  dispatch::call(op, {}, {&t, 1}, {params.begin(), params.size()});
  (void)name;
}
ember_scalar d(double v) { return {EMBER_SCALAR_DOUBLE, v, int64_t(v)}; }
ember_scalar i(int64_t v) { return {EMBER_SCALAR_INT64, double(v), v}; }
}  // namespace

Tensor detail::tensor_from_host(const void* data, Dtype dtype, IntArrayRef sizes, const TensorOptions& options) {
  Tensor host = make_tensor(sizes, dtype, Device(kCPU));
  if (host.numel() > 0) std::memcpy(host.impl().storage->data, data, size_t(host.nbytes()));
  Tensor out = host.to(options.dtype(options.dtype_opt().value_or(dtype)).device(options.device()));
  return with_grad(out, options);
}

Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options) {
  return from_blob(data, sizes, detail::contiguous_strides(sizes), options);
}

Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options) {
  const Device device = options.device().normalized();
  const auto& e = device_registry::require(device);
  EMBER_CHECK(e.api->host_accessible, "from_blob: device ", device.str(),
              " does not use host memory; from_blob wraps host memory only");
  EMBER_CHECK(sizes.size() == strides.size(), "from_blob: ", sizes.size(), " sizes but ", strides.size(), " strides");
  auto impl = std::make_shared<detail::TensorImpl>();
  impl->storage = std::make_shared<detail::Storage>();
  impl->storage->data = data;
  impl->storage->device = device;
  int64_t extent = 1;
  for (size_t k = 0; k < sizes.size(); ++k) extent += (sizes[k] - 1) * strides[k];
  impl->storage->nbytes = size_t(std::max<int64_t>(extent, 0) * element_size(options.dtype()));
  impl->sizes.assign(sizes);
  impl->strides.assign(strides);
  impl->dtype = options.dtype();
  impl->refresh();
  return with_grad(Tensor(std::move(impl)), options);
}

Tensor empty(IntArrayRef sizes, const TensorOptions& options) {
  return with_grad(make_tensor(sizes, options.dtype(), options.device().normalized()), options);
}

Tensor empty_strided(IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options) {
  EMBER_CHECK(sizes.size() == strides.size(), "empty_strided: ", sizes.size(), " sizes but ", strides.size(),
              " strides");
  int64_t extent = 1;
  for (size_t k = 0; k < sizes.size(); ++k) {
    if (sizes[k] == 0) extent = 0;
    if (extent) extent += (sizes[k] - 1) * strides[k];
  }
  Tensor base = make_tensor({extent}, options.dtype(), options.device().normalized());
  return with_grad(base.as_strided(sizes, strides, 0), options);
}

Tensor zeros(IntArrayRef sizes, const TensorOptions& options) { return full(sizes, 0, options.dtype(options.dtype())); }
Tensor ones(IntArrayRef sizes, const TensorOptions& options) { return full(sizes, 1, options.dtype(options.dtype())); }

Tensor full(IntArrayRef sizes, const Scalar& value, const TensorOptions& options) {
  const Dtype dtype = options.dtype_opt().value_or(value.is_floating_point() ? kDefaultFloat : value.dtype());
  Tensor t = make_tensor(sizes, dtype, options.device().normalized());
  fill(t, value);
  return with_grad(t, options);
}

Tensor rand(IntArrayRef sizes, const TensorOptions& options) {
  Tensor t = empty(sizes, options.dtype(options.dtype()).requires_grad(false));
  t.uniform_(0, 1);
  return with_grad(t, options);
}

Tensor randn(IntArrayRef sizes, const TensorOptions& options) {
  Tensor t = empty(sizes, options.dtype(options.dtype()).requires_grad(false));
  t.normal_(0, 1);
  return with_grad(t, options);
}

Tensor randint(int64_t high, IntArrayRef sizes, const TensorOptions& options) {
  return randint(0, high, sizes, options);
}

Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, const TensorOptions& options) {
  Tensor t = empty(sizes, options.dtype(options.dtype_opt().value_or(kInt64)));
  t.random_(low, high);
  return t;
}

Tensor randperm(int64_t n, const TensorOptions& options) {
  EMBER_CHECK(n >= 0, "randperm: n must be non-negative, got ", n);
  Tensor t = empty({n}, options.dtype(options.dtype_opt().value_or(kInt64)));
  random_fill(t, EMBER_OP_RANDPERM, {}, "randperm");
  return t;
}

Tensor bernoulli(const Tensor& probabilities) {
  EMBER_CHECK(probabilities.is_floating_point(), "bernoulli: the probabilities must be floating point, got ",
              detail::describe(probabilities));
  Tensor out = make_tensor(probabilities.sizes(), probabilities.dtype(), probabilities.device());
  if (out.numel() > 0) dispatch::call(EMBER_OP_BERNOULLI, {&probabilities, 1}, {&out, 1});
  return out;
}

Tensor bernoulli(const Tensor& like, double p) {
  Tensor out = make_tensor(like.sizes(), like.dtype(), like.device());
  out.bernoulli_(p);
  return out;
}

Tensor& Tensor::uniform_(double from, double to) {
  EMBER_CHECK(from <= to, "uniform_: expects from <= to, but got from=", from, " > to=", to);
  EMBER_CHECK(is_floating_point(), "uniform_: expects a floating point tensor, got ", detail::describe(*this));
  random_fill(*this, EMBER_OP_UNIFORM, {d(from), d(to)}, "uniform_");
  return *this;
}

Tensor& Tensor::normal_(double mean, double std) {
  EMBER_CHECK(std >= 0, "normal_: expects std >= 0.0, but found std ", std);
  EMBER_CHECK(is_floating_point(), "normal_: expects a floating point tensor, got ", detail::describe(*this));
  random_fill(*this, EMBER_OP_NORMAL, {d(mean), d(std)}, "normal_");
  return *this;
}

Tensor& Tensor::bernoulli_(double p) {
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli_: expects 0 <= p <= 1, but got p=", p);
  random_fill(*this, EMBER_OP_BERNOULLI, {d(p)}, "bernoulli_");
  return *this;
}

Tensor& Tensor::random_(int64_t from, int64_t to) {
  EMBER_CHECK(from < to, "random_: expects 'from' to be less than 'to', but got from=", from, " >= to=", to);
  random_fill(*this, EMBER_OP_RANDINT, {i(from), i(to)}, "random_");
  return *this;
}

Tensor arange(const Scalar& end, const TensorOptions& options) { return arange(0, end, 1, options); }
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options) {
  return arange(start, end, 1, options);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options) {
  const bool any_float = start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  const Dtype dtype = options.dtype_opt().value_or(any_float ? kDefaultFloat : kInt64);
  const double s = start.to_double(), e = end.to_double(), st = step.to_double();
  EMBER_CHECK(st != 0, "arange: step must be nonzero");
  EMBER_CHECK(std::isfinite(s) && std::isfinite(e), "arange: start and end must be finite, got ", s, " and ", e);
  EMBER_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "arange: upper bound and larger bound inconsistent with step sign (start=",
              s, ", end=", e, ", step=", st, ")");
  // PyTorch computes the length in double, or exactly for integer arguments.
  int64_t n;
  if (!any_float) {
    const int64_t a = start.to_long(), b = end.to_long(), c = step.to_long();
    n = c > 0 ? (b - a + c - 1) / c : (a - b + (-c) - 1) / (-c);
  } else {
    n = int64_t(std::ceil((e - s) / st));
  }
  Tensor t = make_tensor({n}, dtype, options.device().normalized());
  if (n > 0) {
    const ember_scalar params[2] = {dispatch::to_abi(start), dispatch::to_abi(step)};
    dispatch::call(EMBER_OP_ARANGE, {}, {&t, 1}, params);
  }
  return with_grad(t, options);
}

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options) {
  EMBER_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  const Dtype dtype = options.dtype();
  const Device device = options.device().normalized();
  if (steps == 0) return with_grad(make_tensor({0}, dtype, device), options);
  if (steps == 1) return full({1}, start, options);
  // PyTorch's kernel: start + i*step for the first half, end - (steps-1-i)*step
  // for the second, so both ends are exact.
  const double a = start.to_double(), b = end.to_double();
  const Dtype compute = is_floating_point(dtype) ? (dtype == kFloat64 ? kFloat64 : kFloat32) : kFloat64;
  const double step = (b - a) / double(steps - 1);
  Tensor idx = arange(0, steps, TensorOptions().dtype(compute).device(device));
  Tensor head = idx * step + a;
  Tensor tail = b - (double(steps - 1) - idx) * step;
  Tensor out = where(idx < double(steps / 2), head, tail);
  return with_grad(out.to(dtype), options);
}

Tensor eye(int64_t n, const TensorOptions& options) { return eye(n, n, options); }

Tensor eye(int64_t n, int64_t m, const TensorOptions& options) {
  EMBER_CHECK(n >= 0 && m >= 0, "eye: n and m must be non-negative, got ", n, " and ", m);
  Tensor t = zeros({n, m}, options.dtype(options.dtype()).requires_grad(false));
  const int64_t k = std::min(n, m);
  if (k > 0) t.as_strided({k}, {m + 1}, 0).fill_(1);
  return with_grad(t, options);
}

namespace {
TensorOptions like(const Tensor& t, const TensorOptions& options) {
  return TensorOptions()
      .dtype(options.dtype_opt().value_or(t.dtype()))
      .device(options.has_device() ? options.device() : t.device())
      .requires_grad(options.requires_grad());
}
}  // namespace

Tensor empty_like(const Tensor& t, const TensorOptions& o) { return empty(t.sizes(), like(t, o)); }
Tensor zeros_like(const Tensor& t, const TensorOptions& o) { return zeros(t.sizes(), like(t, o)); }
Tensor ones_like(const Tensor& t, const TensorOptions& o) { return ones(t.sizes(), like(t, o)); }
Tensor full_like(const Tensor& t, const Scalar& v, const TensorOptions& o) { return full(t.sizes(), v, like(t, o)); }
Tensor rand_like(const Tensor& t, const TensorOptions& o) { return rand(t.sizes(), like(t, o)); }
Tensor randn_like(const Tensor& t, const TensorOptions& o) { return randn(t.sizes(), like(t, o)); }

void manual_seed(uint64_t seed) {
  plugins::ensure_loaded();
  for (int id = 0; id < DeviceType::kMaxTypes; ++id) {
    const auto* e = device_registry::find(id);
    if (!e || !e->api->manual_seed) continue;
    for (int index = 0; index < e->count; ++index) e->api->manual_seed(index, seed);
  }
}

Tensor& Tensor::zero_() { return fill_(0); }

Tensor& Tensor::fill_(const Scalar& value) {
  fill(*this, value);
  return *this;
}

}  // namespace ember
