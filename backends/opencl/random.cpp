// Random fills from the device's generator: Philox4x32-10, counter based, so
// every element is an independent function of (seed, counter) and kernels
// need no state. Each call takes the next `numel` counters; manual_seed
// resets the key and the counter. The streams are not the CPU's (that one is
// PyTorch's mt19937): the distributions are what is promised.
#include <algorithm>
#include <random>
#include <vector>

#include "context.h"

namespace ember::opencl {
namespace {

const char* const kRandomBody = R"CL(
inline uint4 philox(ulong counter, ulong key) {
  uint c0 = (uint)counter, c1 = (uint)(counter >> 32), c2 = 0x5ca1ab1eu, c3 = 0u;
  uint k0 = (uint)key, k1 = (uint)(key >> 32);
  for (int r = 0; r < 10; ++r) {
    const ulong p0 = (ulong)0xD2511F53u * c0, p1 = (ulong)0xCD9E8D57u * c2;
    const uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0, n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
    c0 = n0;
    c1 = (uint)p1;
    c2 = n2;
    c3 = (uint)p0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return (uint4)(c0, c1, c2, c3);
}

#if defined(HAS_FP64)
typedef double real;
/* [0, 1) from 53 random bits */
inline real unit(uint hi, uint lo) { return (real)(((ulong)hi << 21) ^ (ulong)lo) * 0x1.0p-53; }
#else
typedef float real;
inline real unit(uint hi, uint lo) { return (real)(hi >> 8) * 0x1.0p-24f; }
#endif

__kernel void op_uniform(__global T* out, Geometry g, ulong key, ulong base, real from, real to) {
  FOR_EACH(i, g.numel) {
    const uint4 r = philox(base + i, key);
    T_C v = ROUND_T(from + unit(r.x, r.y) * (to - from));
    if (v >= ROUND_T(to) && to > from) v = ROUND_T(from);  /* rounding must not reach `to` */
    STORE_T(out, at(&g, 0, i), v);
  }
}

/* Box-Muller over (0, 1] x [0, 1). */
__kernel void op_normal(__global T* out, Geometry g, ulong key, ulong base, real mean, real std) {
  FOR_EACH(i, g.numel) {
    const uint4 r = philox(base + i, key);
    const real u1 = (real)1 - unit(r.x, r.y), u2 = unit(r.z, r.w);
    const real z = sqrt((real)-2 * log(u1)) * cos((real)6.283185307179586 * u2);
    STORE_T(out, at(&g, 0, i), (T_C)(mean + std * z));
  }
}

__kernel void op_randint(__global T* out, Geometry g, ulong key, ulong base, long from, ulong range) {
  FOR_EACH(i, g.numel) {
    const uint4 r = philox(base + i, key);
    const ulong v = range >= ((ulong)1 << 32) ? (((ulong)r.x << 32) | r.y) : (ulong)r.x;
    STORE_T(out, at(&g, 0, i), (T_C)(long)(v % range + (ulong)from));
  }
}

__kernel void op_bernoulli_scalar(__global T* out, Geometry g, ulong key, ulong base, real p) {
  FOR_EACH(i, g.numel) {
    const uint4 r = philox(base + i, key);
    STORE_T(out, at(&g, 0, i), unit(r.x, r.y) < p ? (T_C)1 : (T_C)0);
  }
}

/* operand 1: the probabilities */
__kernel void op_bernoulli_tensor(__global T* out, __global const P* prob, Geometry g, ulong key, ulong base) {
  FOR_EACH(i, g.numel) {
    const uint4 r = philox(base + i, key);
    STORE_T(out, at(&g, 0, i), unit(r.x, r.y) < (real)LOAD_P(prob, at(&g, 1, i)) ? (T_C)1 : (T_C)0);
  }
}
)CL";

const std::string& source(Device& dev, int32_t dtype, int32_t prob_dtype) {
  static std::string sources[EMBER_DTYPE_COUNT][EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  const std::string defines = define_type(dev, "T", dtype) + define_type(dev, "P", prob_dtype);
  std::lock_guard<std::mutex> lock(mutex);
  std::string& s = sources[dtype][prob_dtype];
  if (s.empty()) s = program_source(defines, kRandomBody);
  return s;
}

// Reserves `n` counters of the device's stream; returns (key, first counter).
std::pair<uint64_t, uint64_t> take(Device& dev, int64_t n) {
  std::lock_guard<std::mutex> lock(dev.rng_mutex);
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
bool floating(int32_t dtype) {
  return dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64 || is_half_type(dtype);
}

// A real-valued kernel argument: double where the device has fp64.
struct Real {
  double d;
  float f;
  Arg as(const Device& dev) const { return dev.fp64 ? arg(d) : arg(f); }
};
Real real(double v) { return Real{v, float(v)}; }

EMBER_KERNEL(uniform_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (!floating(out.dtype)) sdk::unsupported(std::string("uniform_: cannot fill a ") + sdk::dtype_name(out.dtype) + " tensor");
  Device& dev = device_of(call);
  const Geometry g = make_geometry({&out});
  const auto [key, base] = take(dev, g.numel);
  const Real from = real(scalar_double(call, 0)), to = real(scalar_double(call, 1));
  launch(dev, kernel(dev, source(dev, out.dtype, EMBER_DTYPE_FLOAT32), "op_uniform"),
         {arg(buffer(out)), arg(g), arg(key), arg(base), from.as(dev), to.as(dev)}, grid_for(g.numel));
}

EMBER_KERNEL(normal_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (!floating(out.dtype)) sdk::unsupported(std::string("normal_: cannot fill a ") + sdk::dtype_name(out.dtype) + " tensor");
  const double std = scalar_double(call, 1);
  if (!(std >= 0)) sdk::fail("normal_: expects std >= 0.0, but found std " + std::to_string(std));
  Device& dev = device_of(call);
  const Geometry g = make_geometry({&out});
  const auto [key, base] = take(dev, g.numel);
  const Real mean = real(scalar_double(call, 0)), sd = real(std);
  launch(dev, kernel(dev, source(dev, out.dtype, EMBER_DTYPE_FLOAT32), "op_normal"),
         {arg(buffer(out)), arg(g), arg(key), arg(base), mean.as(dev), sd.as(dev)}, grid_for(g.numel));
}

EMBER_KERNEL(randint_kernel) {
  const ember_tensor& out = call.outputs[0];
  const int64_t from = scalar_int(call, 0), to = scalar_int(call, 1);
  if (from >= to) sdk::fail("random_: expects 'from' < 'to', got " + std::to_string(from) + " >= " + std::to_string(to));
  const uint64_t range = uint64_t(to) - uint64_t(from);
  Device& dev = device_of(call);
  const Geometry g = make_geometry({&out});
  const auto [key, base] = take(dev, g.numel);
  launch(dev, kernel(dev, source(dev, out.dtype, EMBER_DTYPE_FLOAT32), "op_randint"),
         {arg(buffer(out)), arg(g), arg(key), arg(base), arg(from), arg(range)}, grid_for(g.numel));
}

EMBER_KERNEL(bernoulli_kernel) {
  const ember_tensor& out = call.outputs[0];
  Device& dev = device_of(call);
  if (call.num_inputs >= 1) {
    const ember_tensor& prob = call.inputs[0];
    if (!floating(prob.dtype)) sdk::unsupported("bernoulli: the probabilities must be floating point");
    const Geometry g = make_geometry({&out, &prob});
    const auto [key, base] = take(dev, g.numel);
    launch(dev, kernel(dev, source(dev, out.dtype, prob.dtype), "op_bernoulli_tensor"),
           {arg(buffer(out)), arg(buffer(prob)), arg(g), arg(key), arg(base)}, grid_for(g.numel));
    return;
  }
  const double p = scalar_double(call, 0);
  if (!(p >= 0 && p <= 1)) sdk::fail("bernoulli_: expects 0 <= p <= 1, got " + std::to_string(p));
  const Geometry g = make_geometry({&out});
  const auto [key, base] = take(dev, g.numel);
  launch(dev, kernel(dev, source(dev, out.dtype, EMBER_DTYPE_FLOAT32), "op_bernoulli_scalar"),
         {arg(buffer(out)), arg(g), arg(key), arg(base), real(p).as(dev)}, grid_for(g.numel));
}

// A permutation is a sequential shuffle: drawn on the host from the device's
// stream (seeded by its key and counter) and uploaded. Strided outputs are
// declined (the core allocates randperm's output contiguous).
EMBER_KERNEL(randperm_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("randperm: the output must be 1-d");
  const int64_t n = out.sizes[0];
  if (n > 1 && out.strides[0] != 1) sdk::unsupported("randperm: strided output");
  if (n == 0) return;
  Device& dev = device_of(call);
  const auto [key, base] = take(dev, n);
  std::mt19937_64 engine(key ^ (base * 0x9E3779B97F4A7C15ull));
  std::vector<int64_t> perm(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) perm[size_t(i)] = i;
  for (int64_t i = n - 1; i > 0; --i) std::swap(perm[size_t(i)], perm[size_t(engine() % uint64_t(i + 1))]);
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      sdk::unsupported(std::string("randperm: cannot fill a ") + sdk::dtype_name(out.dtype) + " tensor");
    } else {
      if constexpr (std::is_integral_v<T>)
        if (uint64_t(n - 1) > uint64_t(std::numeric_limits<T>::max()))
          sdk::fail("randperm: n = " + std::to_string(n) + " is too large for " + sdk::dtype_name(out.dtype));
      std::vector<T> values(static_cast<size_t>(n));
      for (size_t i = 0; i < values.size(); ++i) {
        if constexpr (std::is_arithmetic_v<T>) values[i] = T(perm[i]);
        else values[i] = T(float(perm[i]));  // half types: through float, as the CPU
      }
      check(clEnqueueWriteBuffer(dev.queue, buffer(out), CL_TRUE, size_t(out.offset) * sizeof(T), values.size() * sizeof(T),
                                 values.data(), 0, nullptr, nullptr),
            "clEnqueueWriteBuffer");
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

}  // namespace ember::opencl
