// Random fills from the device's generator: Philox4x32-10 (our own, no
// cuRAND), counter based, so every element is an independent function of
// (seed, counter) and kernels need no state. Each call takes the next
// `numel` counters; manual_seed resets the key and the counter. The streams
// are the OpenCL backend's, not the CPU's (that one is PyTorch's mt19937):
// the distributions are what is promised. Values are drawn in double and
// converted as copy converts.
#include <algorithm>
#include <random>
#include <vector>

#include "device.cuh"

namespace ember::cuda {
namespace {

struct Philox {
  uint32_t x, y, z, w;
};

__device__ __forceinline__ Philox philox(uint64_t counter, uint64_t key) {
  uint32_t c0 = uint32_t(counter), c1 = uint32_t(counter >> 32), c2 = 0x5ca1ab1eu, c3 = 0u;
  uint32_t k0 = uint32_t(key), k1 = uint32_t(key >> 32);
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    const uint64_t p0 = uint64_t(0xD2511F53u) * c0, p1 = uint64_t(0xCD9E8D57u) * c2;
    const uint32_t n0 = uint32_t(p1 >> 32) ^ c1 ^ k0, n2 = uint32_t(p0 >> 32) ^ c3 ^ k1;
    c0 = n0;
    c1 = uint32_t(p1);
    c2 = n2;
    c3 = uint32_t(p0);
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Philox{c0, c1, c2, c3};
}

// [0, 1) from 53 random bits.
__device__ __forceinline__ double unit(uint32_t hi, uint32_t lo) {
  return double((uint64_t(hi) << 21) ^ uint64_t(lo)) * 0x1.0p-53;
}

template <typename T>
__device__ __forceinline__ T from_double(double v) {
  if constexpr (std::is_same_v<T, bool>) return v != 0;
  else return to_storage<T>(compute_t<T>(v));
}

template <typename T>
__global__ void uniform_kernel(T* out, Geometry g, uint64_t key, uint64_t base, double from, double to) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    const Philox r = philox(base + uint64_t(i), key);
    T v = from_double<T>(from + unit(r.x, r.y) * (to - from));
    if (double(load(v)) >= to && to > from) v = from_double<T>(from);  // rounding must not reach `to`
    out[at(g, 0, i)] = v;
  }
}

// Box-Muller over (0, 1] x [0, 1).
template <typename T>
__global__ void normal_kernel(T* out, Geometry g, uint64_t key, uint64_t base, double mean, double std) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    const Philox r = philox(base + uint64_t(i), key);
    const double u1 = 1.0 - unit(r.x, r.y), u2 = unit(r.z, r.w);
    const double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
    out[at(g, 0, i)] = from_double<T>(mean + std * z);
  }
}

template <typename T>
__global__ void randint_kernel(T* out, Geometry g, uint64_t key, uint64_t base, int64_t from, uint64_t range) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    const Philox r = philox(base + uint64_t(i), key);
    const uint64_t v = range >= (uint64_t(1) << 32) ? ((uint64_t(r.x) << 32) | r.y) : uint64_t(r.x);
    const int64_t value = int64_t(v % range + uint64_t(from));
    if constexpr (std::is_same_v<T, bool>) out[at(g, 0, i)] = value != 0;
    else out[at(g, 0, i)] = to_storage<T>(compute_t<T>(value));
  }
}

// p: a scalar probability, or (prob non-null) operand 1 of dtype prob_dtype.
__device__ __forceinline__ double load_real(const void* p, int32_t dtype, int64_t i) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT64: return static_cast<const double*>(p)[i];
    case EMBER_DTYPE_FLOAT16: return __half2float(static_cast<const half*>(p)[i]);
    case EMBER_DTYPE_BFLOAT16: return __bfloat162float(static_cast<const bf16*>(p)[i]);
    default: return static_cast<const float*>(p)[i];
  }
}

template <typename T>
__global__ void bernoulli_kernel(T* out, const void* prob, int32_t prob_dtype, Geometry g, uint64_t key, uint64_t base,
                                 double p) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    const Philox r = philox(base + uint64_t(i), key);
    const double pi = prob ? load_real(prob, prob_dtype, at(g, 1, i)) : p;
    out[at(g, 0, i)] = from_double<T>(unit(r.x, r.y) < pi ? 1.0 : 0.0);
  }
}

// Reserves `n` counters of the device's stream; returns (key, first counter).
std::pair<uint64_t, uint64_t> take(Device& dev, int64_t n) {
  std::lock_guard<std::mutex> lock(dev.rng_mutex);
  const uint64_t first = dev.counter;
  dev.counter += uint64_t(n);
  return {dev.seed, first};
}

const ember_scalar& scalar(const ember_op_call& call, int k) {
  if (call.num_scalars <= k) sdk::fail("random kernel: missing scalar argument " + std::to_string(k));
  return call.scalars[k];
}

EMBER_KERNEL(uniform_entry) {
  const ember_tensor& out = call.outputs[0];
  const Geometry g = make_geometry({&out});
  const double from = scalar_double(scalar(call, 0)), to = scalar_double(scalar(call, 1));
  Device& dev = device_of(call);
  dispatch_floating(out.dtype, "uniform_", [&]<typename T>() {
    if (g.numel == 0) return;
    const auto [key, base] = take(dev, g.numel);
    const Launch l = launch_for(dev, g.numel);
    uniform_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<T>(out), g, key, base, from, to);
    check_launch("uniform_kernel");
  });
}

EMBER_KERNEL(normal_entry) {
  const ember_tensor& out = call.outputs[0];
  const double mean = scalar_double(scalar(call, 0)), std = scalar_double(scalar(call, 1));
  if (!(std >= 0)) sdk::fail("normal_: expects std >= 0.0, but found std " + std::to_string(std));
  const Geometry g = make_geometry({&out});
  Device& dev = device_of(call);
  dispatch_floating(out.dtype, "normal_", [&]<typename T>() {
    if (g.numel == 0) return;
    const auto [key, base] = take(dev, g.numel);
    const Launch l = launch_for(dev, g.numel);
    normal_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<T>(out), g, key, base, mean, std);
    check_launch("normal_kernel");
  });
}

EMBER_KERNEL(randint_entry) {
  const ember_tensor& out = call.outputs[0];
  const int64_t from = scalar_int(scalar(call, 0)), to = scalar_int(scalar(call, 1));
  if (from >= to) sdk::fail("random_: expects 'from' < 'to', got " + std::to_string(from) + " >= " + std::to_string(to));
  const uint64_t range = uint64_t(to) - uint64_t(from);
  const Geometry g = make_geometry({&out});
  if (g.numel == 0) return;
  Device& dev = device_of(call);
  dispatch(out.dtype, [&]<typename T>() {
    const auto [key, base] = take(dev, g.numel);
    const Launch l = launch_for(dev, g.numel);
    randint_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<T>(out), g, key, base, from, range);
    check_launch("randint_kernel");
  });
}

EMBER_KERNEL(bernoulli_entry) {
  const ember_tensor& out = call.outputs[0];
  Device& dev = device_of(call);
  const ember_tensor* prob = call.num_inputs >= 1 ? &call.inputs[0] : nullptr;
  double p = 0;
  if (prob) {
    const int32_t d = prob->dtype;
    if (d != EMBER_DTYPE_FLOAT32 && d != EMBER_DTYPE_FLOAT64 && d != EMBER_DTYPE_FLOAT16 && d != EMBER_DTYPE_BFLOAT16)
      sdk::unsupported("bernoulli: the probabilities must be floating point");
  } else {
    p = scalar_double(scalar(call, 0));
    if (!(p >= 0 && p <= 1)) sdk::fail("bernoulli_: expects 0 <= p <= 1, got " + std::to_string(p));
  }
  const Geometry g = prob ? make_geometry({&out, prob}) : make_geometry({&out});
  if (g.numel == 0) return;
  dispatch(out.dtype, [&]<typename T>() {
    const auto [key, base] = take(dev, g.numel);
    const Launch l = launch_for(dev, g.numel);
    bernoulli_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(
        ptr<T>(out), prob ? prob->data : nullptr, prob ? prob->dtype : 0, g, key, base, p);
    check_launch("bernoulli_kernel");
  });
}

// A permutation is a sequential shuffle: drawn on the host from the device's
// stream (seeded by its key and counter) and uploaded. Strided outputs are
// declined (the core allocates randperm's output contiguous).
EMBER_KERNEL(randperm_entry) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("randperm: the output must be 1-d");
  const int64_t n = out.sizes[0];
  if (n > 1 && out.strides[0] != 1) sdk::unsupported("randperm: strided output");
  if (n == 0) return;
  Device& dev = device_of(call);
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, sdk::Half> || std::is_same_v<T, sdk::BFloat16>) {
      sdk::unsupported(std::string("randperm: cannot fill a ") + sdk::dtype_name(out.dtype) + " tensor");
    } else {
      if constexpr (std::is_integral_v<T>)
        if (uint64_t(n - 1) > uint64_t(std::numeric_limits<T>::max()))
          sdk::fail("randperm: n = " + std::to_string(n) + " is too large for " + sdk::dtype_name(out.dtype));
      const auto [key, base] = take(dev, n);
      std::mt19937_64 engine(key ^ (base * 0x9E3779B97F4A7C15ull));
      std::vector<int64_t> perm(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i) perm[size_t(i)] = i;
      for (int64_t i = n - 1; i > 0; --i) std::swap(perm[size_t(i)], perm[size_t(engine() % uint64_t(i + 1))]);
      std::vector<T> values(static_cast<size_t>(n));
      for (size_t i = 0; i < values.size(); ++i) values[i] = T(perm[i]);
      char err[256] = {0};
      const int32_t st = copy_from_host(dev.index, values.data(), out.data, size_t(out.offset) * sizeof(T),
                                        values.size() * sizeof(T), err, sizeof err);
      if (st != EMBER_OK) sdk::fail(err, ember_status(st));
    }
  });
}

}  // namespace

void register_random_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_UNIFORM, type, uniform_entry);
  r.kernel(EMBER_OP_NORMAL, type, normal_entry);
  r.kernel(EMBER_OP_RANDINT, type, randint_entry);
  r.kernel(EMBER_OP_BERNOULLI, type, bernoulli_entry);
  r.kernel(EMBER_OP_RANDPERM, type, randperm_entry);
}

}  // namespace ember::cuda
