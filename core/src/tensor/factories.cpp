// The factories of api.md: tensors from values, filled, ranged and random.
#include "ember/factories.h"

#include <cmath>
#include <cstring>

#include "autograd/formulas.h"
#include "device/registry.h"
#include "ember/autograd.h"
#include "dispatch/dispatch.h"
#include "ember/functions.h"
#include "ember/runtime.h"
#include "ember/sdk/half.h"
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
  int64_t extent = 1;  // elements from the first to one past the last (none when a size is 0)
  for (size_t k = 0; k < sizes.size(); ++k) {
    EMBER_CHECK(sizes[k] >= 0 && strides[k] >= 0, "from_blob: negative size or stride in ", detail::shape_str(sizes),
                " / ", detail::shape_str(strides));
    if (sizes[k] == 0) extent = 0;
    if (extent) extent += (sizes[k] - 1) * strides[k];
  }
  impl->storage->nbytes = size_t(extent * element_size(options.dtype()));
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

Tensor& Tensor::uniform_(double from, double to) const {
  EMBER_CHECK(from <= to, "uniform_: expects from <= to, but got from=", from, " > to=", to);
  EMBER_CHECK(is_floating_point(), "uniform_: expects a floating point tensor, got ", detail::describe(*this));
  random_fill(*this, EMBER_OP_UNIFORM, {d(from), d(to)}, "uniform_");
  return self();
}

Tensor& Tensor::normal_(double mean, double std) const {
  EMBER_CHECK(std >= 0, "normal_: expects std >= 0.0, but found std ", std);
  EMBER_CHECK(is_floating_point(), "normal_: expects a floating point tensor, got ", detail::describe(*this));
  random_fill(*this, EMBER_OP_NORMAL, {d(mean), d(std)}, "normal_");
  return self();
}

Tensor& Tensor::bernoulli_(double p) const {
  EMBER_CHECK(p >= 0 && p <= 1, "bernoulli_: expects 0 <= p <= 1, but got p=", p);
  random_fill(*this, EMBER_OP_BERNOULLI, {d(p)}, "bernoulli_");
  return self();
}

Tensor& Tensor::random_(int64_t from, int64_t to) const {
  EMBER_CHECK(from < to, "random_: expects 'from' to be less than 'to', but got from=", from, " >= to=", to);
  random_fill(*this, EMBER_OP_RANDINT, {i(from), i(to)}, "random_");
  return self();
}

Tensor arange(const Scalar& end, const TensorOptions& options) { return arange(0, end, 1, options); }
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options) {
  return arange(start, end, 1, options);
}

Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options) {
  const bool any_float = start.is_floating_point() || end.is_floating_point() || step.is_floating_point();
  const Dtype dtype = options.dtype_opt().value_or(any_float ? kDefaultFloat : kInt64);
  EMBER_CHECK(dtype != kBool, "arange: bool is not supported (as in PyTorch); ask for a numeric dtype");
  // As PyTorch, an integral output computes in integers: start, end and step
  // are truncated first (arange(0, 5, 1.5, dtype=int64) is 0, 1, 2, 3, 4).
  const bool integral = is_integral(dtype);
  const Scalar first = integral ? Scalar(start.to_long()) : start;
  const Scalar last = integral ? Scalar(end.to_long()) : end;
  const Scalar stride = integral ? Scalar(step.to_long()) : step;
  const double s = first.to_double(), e = last.to_double(), st = stride.to_double();
  EMBER_CHECK(st != 0, "arange: step must be nonzero",
              integral && step.is_floating_point() ? " (it is truncated for an integral dtype)" : "");
  EMBER_CHECK(std::isfinite(s) && std::isfinite(e), "arange: start and end must be finite, got ", s, " and ", e);
  EMBER_CHECK((st > 0 && e >= s) || (st < 0 && e <= s), "arange: upper bound and larger bound inconsistent with step sign (start=",
              s, ", end=", e, ", step=", st, ")");
  // The length: exact for int64 outputs and integer arguments; otherwise
  // ceil((end - start) / step) in double from the arguments as given (PyTorch
  // sizes every other dtype from the untruncated values).
  int64_t n;
  if (dtype == kInt64 || !any_float) {
    const int64_t a = first.to_long(), b = last.to_long(), c = stride.to_long();
    n = c > 0 ? (b - a + c - 1) / c : (a - b + (-c) - 1) / (-c);
  } else {
    n = int64_t(std::ceil((end.to_double() - start.to_double()) / step.to_double()));
  }
  Tensor t = make_tensor({n}, dtype, options.device().normalized());
  if (n > 0) {
    const ember_scalar params[2] = {dispatch::to_abi(first), dispatch::to_abi(stride)};
    dispatch::call(EMBER_OP_ARANGE, {}, {&t, 1}, params);
  }
  return with_grad(t, options);
}

namespace {

// Note [linspace]
// linspace is computed on the host, element for element as PyTorch 1.13's CPU
// kernel (AVX2 build) computes it, so results are bit-identical to torch's:
//  - step = (end - start) / (steps - 1) in the output type (double for
//    integers); element i is start + i*step in the first half and
//    end - (steps-1-i)*step in the second, so both ends are exact; both are
//    one fused multiply-add (the compiler contracts them in PyTorch's build);
//  - the output goes in pairs of 32-byte vectors while a whole pair fits:
//    each vector's lane k is base + k*step (rounded twice, no FMA) where base
//    is the formula above at the vector's first index (truncated to the type
//    for integers); the rest is element by element;
//  - float16 and bfloat16 round to their type after every operation (c10's
//    Half and BFloat16 arithmetic), in vectors of 16 lanes.
// PyTorch splits more than 32768 steps among its threads, each restarting
// the vectors at its chunk; Ember computes them as one chunk.
template <typename T>
T no_contract(T v) {  // keeps `a + b * c` from becoming one fused operation
  volatile T barrier = v;
  return barrier;
}

template <typename T>
void linspace_floating(T* out, int64_t n, T start, T end) {
  constexpr int64_t lanes = 32 / int64_t(sizeof(T));
  const T step = (end - start) / T(n - 1);
  const int64_t half = n / 2;
  auto at = [&](int64_t i) { return i < half ? std::fma(step, T(i), start) : std::fma(-step, T(n - 1 - i), end); };
  auto vector = [&](int64_t i) {
    const T base = at(i);
    out[i] = base;
    for (int64_t k = 1; k < lanes; ++k) out[i + k] = base + no_contract(T(k) * step);
  };
  int64_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    vector(i);
    vector(i + lanes);
  }
  for (; i < n; ++i) out[i] = at(i);
}

template <typename T>
void linspace_integral(T* out, int64_t n, int64_t start_value, int64_t end_value) {
  constexpr int64_t lanes = 32 / int64_t(sizeof(T));
  const T start = T(start_value), end = T(end_value);
  const double step = (double(end) - double(start)) / double(n - 1);
  const int64_t half = n / 2;
  auto at = [&](int64_t i) {
    return T(i < half ? std::fma(step, double(i), double(start)) : std::fma(-step, double(n - 1 - i), double(end)));
  };
  auto vector = [&](int64_t i) {
    const T base = at(i);
    out[i] = base;
    for (int64_t k = 1; k < lanes; ++k) out[i + k] = T(double(base) + no_contract(double(k) * step));
  };
  int64_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    vector(i);
    vector(i + lanes);
  }
  for (; i < n; ++i) out[i] = at(i);
}

template <typename H>  // sdk::Half or sdk::BFloat16
void linspace_16bit(H* out, int64_t n, double start_value, double end_value) {
  constexpr int64_t lanes = 16;
  auto r = [](float v) { return float(H(v)); };  // one c10 operation's rounding
  const float start = r(float(start_value)), end = r(float(end_value));
  const float step = r(r(end - start) / r(float(n - 1)));
  const int64_t half = n / 2;
  auto at = [&](int64_t i) {
    return i < half ? r(start + r(step * r(float(i)))) : r(end - r(step * r(float(n - 1 - i))));
  };
  auto vector = [&](int64_t i) {
    const float base = at(i);
    out[i] = H(base);
    for (int64_t k = 1; k < lanes; ++k) out[i + k] = H(base + r(r(float(k)) * step));
  };
  int64_t i = 0;
  for (; i + 2 * lanes <= n; i += 2 * lanes) {
    vector(i);
    vector(i + lanes);
  }
  for (; i < n; ++i) out[i] = H(at(i));
}

}  // namespace

Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options) {
  EMBER_CHECK(steps >= 0, "linspace: number of steps must be non-negative, got ", steps);
  const Dtype dtype = options.dtype();
  EMBER_CHECK(dtype != kBool, "linspace: bool is not supported (as in PyTorch); ask for a numeric dtype and ",
              "compare, or convert the result with .to(ember::kBool)");
  const Device device = options.device().normalized();
  device_registry::require(device);
  Tensor host = make_tensor({steps}, dtype, Device(kCPU));
  void* p = host.data_ptr();
  const double a = start.to_double(), b = end.to_double();
  if (steps == 1) {
    host.fill_(start);
  } else if (steps > 1) {
    switch (dtype) {
      case kFloat32: linspace_floating(static_cast<float*>(p), steps, float(a), float(b)); break;
      case kFloat64: linspace_floating(static_cast<double*>(p), steps, a, b); break;
      case kInt32: linspace_integral(static_cast<int32_t*>(p), steps, start.to_long(), end.to_long()); break;
      case kInt64: linspace_integral(static_cast<int64_t*>(p), steps, start.to_long(), end.to_long()); break;
      case kUInt8: linspace_integral(static_cast<uint8_t*>(p), steps, start.to_long(), end.to_long()); break;
      case kFloat16: linspace_16bit(static_cast<sdk::Half*>(p), steps, a, b); break;
      case kBFloat16: linspace_16bit(static_cast<sdk::BFloat16*>(p), steps, a, b); break;
      case kBool: break;
    }
  }
  return with_grad(host.to(device), options);
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
  // Seeds the loaded plugins' devices now, and those loaded later as they load.
  plugins::ensure_cpu_loaded();
  plugins::remember_seed(seed);
  for (int id = 0; id < DeviceType::kMaxTypes; ++id) {
    const auto* e = device_registry::find(id);
    if (!e || !e->api->manual_seed) continue;
    for (int index = 0; index < e->count; ++index) e->api->manual_seed(index, seed);
  }
}

Tensor& Tensor::zero_() const { return fill_(0); }

Tensor& Tensor::fill_(const Scalar& value) const {
  detail::check_no_internal_overlap("fill_", *this);
  autograd::check_inplace(*this, "fill_");
  fill(*this, value);
  autograd::record(autograd::Op::Fill, {*this}, {*this});
  return self();
}

}  // namespace ember
