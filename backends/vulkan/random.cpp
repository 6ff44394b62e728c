// Random fills from the device's generator: Philox4x32-10, counter based
// (shaders/random.comp), so every element is an independent function of
// (seed, counter). Each call takes the next `numel` counters; manual_seed
// resets the key and the counter. The streams are not the CPU's (that one is
// PyTorch's mt19937): the distributions are what is promised.
#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "context.h"

namespace ember::vulkan {
namespace {

// Reserves `n` counters of the device's stream; returns (key, first counter).
std::pair<uint64_t, uint64_t> take(Device& dev, int64_t n) {
  std::lock_guard<std::recursive_mutex> lock(dev.mutex);
  const uint64_t first = dev.counter;
  dev.counter += uint64_t(n);
  return {dev.seed, first};
}

double scalar_double(const ember_op_call& call, int k) {
  if (call.num_scalars <= k) sdk::fail("random kernel: missing scalar argument " + std::to_string(k));
  const ember_scalar& s = call.scalars[k];
  return s.kind == EMBER_SCALAR_DOUBLE ? s.d : double(s.i);
}
int64_t scalar_int(const ember_op_call& call, int k) {
  if (call.num_scalars <= k) sdk::fail("random kernel: missing scalar argument " + std::to_string(k));
  const ember_scalar& s = call.scalars[k];
  return s.kind == EMBER_SCALAR_DOUBLE ? int64_t(s.d) : s.i;
}

// One dispatch of random.comp over `out` (and the probabilities `prob`).
void fill(const ember_op_call& call, int32_t op, const ember_tensor* prob, Push push) {
  const ember_tensor& out = call.outputs[0];
  Device& dev = device_of(call);
  suffix(dev, EMBER_DTYPE_INT64);  // the counters are 64-bit
  if (prob && prob->dtype != EMBER_DTYPE_FLOAT32 && prob->dtype != EMBER_DTYPE_FLOAT64)
    sdk::unsupported("bernoulli: the probabilities must be floating point");
  if (prob) suffix(dev, prob->dtype);
  const std::string name = prob ? variant(prob->dtype == EMBER_DTYPE_FLOAT64 ? "random_prob64" : "random_prob", dev,
                                          out.dtype)
                                : variant("random", dev, out.dtype);
  const Geometry g = prob ? make_geometry({&out, prob}) : make_geometry({&out});
  if (numel(out) == 0) return;
  const auto [key, base] = take(dev, g.numel);
  push.u64(0, key);
  push.u64(1, base);
  Dispatch d;
  d.variant = name.c_str();
  d.op = op;
  d.buffers[0] = allocation(out);
  if (prob) d.buffers[1] = allocation(*prob);
  d.params = &g;
  d.params_size = sizeof g;
  d.push = push;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
}

EMBER_KERNEL(uniform_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (out.dtype != EMBER_DTYPE_FLOAT32 && out.dtype != EMBER_DTYPE_FLOAT64)
    sdk::unsupported(std::string("uniform_: cannot fill a ") + sdk::dtype_name(out.dtype) + " tensor");
  Push p;
  p.f32(2, float(scalar_double(call, 0)));
  p.f32(3, float(scalar_double(call, 1)));
  fill(call, EMBER_OP_UNIFORM, nullptr, p);
}

EMBER_KERNEL(normal_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (out.dtype != EMBER_DTYPE_FLOAT32 && out.dtype != EMBER_DTYPE_FLOAT64)
    sdk::unsupported(std::string("normal_: cannot fill a ") + sdk::dtype_name(out.dtype) + " tensor");
  const double std = scalar_double(call, 1);
  if (!(std >= 0)) sdk::fail("normal_: expects std >= 0.0, but found std " + std::to_string(std));
  Push p;
  p.f32(2, float(scalar_double(call, 0)));
  p.f32(3, float(std));
  fill(call, EMBER_OP_NORMAL, nullptr, p);
}

EMBER_KERNEL(randint_kernel) {
  const int64_t from = scalar_int(call, 0), to = scalar_int(call, 1);
  if (from >= to) sdk::fail("random_: expects 'from' < 'to', got " + std::to_string(from) + " >= " + std::to_string(to));
  Push p;
  p.u64(2, uint64_t(from));
  p.u64(3, uint64_t(to) - uint64_t(from));
  fill(call, EMBER_OP_RANDINT, nullptr, p);
}

EMBER_KERNEL(bernoulli_kernel) {
  if (call.num_inputs >= 1) {
    fill(call, EMBER_OP_BERNOULLI, &call.inputs[0], Push{});
    return;
  }
  const double p = scalar_double(call, 0);
  if (!(p >= 0 && p <= 1)) sdk::fail("bernoulli_: expects 0 <= p <= 1, got " + std::to_string(p));
  Push push;
  push.f32(2, float(p));
  fill(call, EMBER_OP_BERNOULLI, nullptr, push);
}

// A permutation is a sequential shuffle: drawn on the host from the device's
// stream (seeded by its key and counter) and uploaded in stream order.
EMBER_KERNEL(randperm_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("randperm: the output must be 1-d");
  const int64_t n = out.sizes[0];
  if (n > 1 && out.strides[0] != 1) sdk::unsupported("randperm: strided output");
  Device& dev = device_of(call);
  suffix(dev, out.dtype);
  if (n == 0) return;
  const auto [key, base] = take(dev, n);
  std::mt19937_64 engine(key ^ (base * 0x9E3779B97F4A7C15ull));
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[size_t(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[size_t(i)], perm[size_t(engine() % uint64_t(i + 1))]);
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, sdk::Half> || std::is_same_v<T, sdk::BFloat16>) {
      sdk::unsupported(std::string("randperm: cannot fill a ") + sdk::dtype_name(out.dtype) + " tensor");
    } else {
      if constexpr (std::is_integral_v<T>)
        if (uint64_t(n - 1) > uint64_t(std::numeric_limits<T>::max()))
          sdk::fail("randperm: n = " + std::to_string(n) + " is too large for " + sdk::dtype_name(out.dtype));
      std::vector<T> values(static_cast<size_t>(n));
      for (size_t i = 0; i < values.size(); ++i) values[i] = T(perm[i]);
      std::lock_guard<std::recursive_mutex> lock(dev.mutex);
      upload_locked(dev, *allocation(out), VkDeviceSize(out.offset) * sizeof(T), values.data(), values.size() * sizeof(T));
    }
  });
}

}  // namespace

void register_random_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_UNIFORM, type, uniform_kernel);
  r.kernel(EMBER_OP_NORMAL, type, normal_kernel);
  r.kernel(EMBER_OP_RANDINT, type, randint_kernel);
  r.kernel(EMBER_OP_BERNOULLI, type, bernoulli_kernel);
  r.kernel(EMBER_OP_RANDPERM, type, randperm_kernel);
}

}  // namespace ember::vulkan
