// The CPU generator and the random-fill kernels.
//
// Every stream reproduces PyTorch 1.13's CPU generator bit for bit: the same
// mt19937, the same draws per element, the same transformations and the same
// rounding. Where PyTorch's result depends on the CPU capability its kernels
// were built for, we follow AVX2, what x86 builds of 1.13 run by default: the
// fused multiply-adds GCC forms there, and for float normal_fill the Cephes
// log/sincos of avx_mathfun.h (the default-capability build uses libm and no
// FMA, so its last bits differ). References are to ATen:
// core/MT19937RNGEngine.h, core/DistributionsHelper.h,
// core/TransformationHelper.h, native/cpu/DistributionTemplates.h,
// native/cpu/avx_mathfun.h and native/TensorFactories.cpp (randperm_cpu).
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "kernels.h"

namespace ember::cpu {
namespace {

using sdk::BFloat16;
using sdk::Half;
using sdk::TensorArg;

// at::mt19937: the standard MT19937 seeded with the low 32 bits of the seed,
// so its stream equals std::mt19937(uint32_t(seed)).
class MT19937 {
 public:
  explicit MT19937(uint64_t seed) { this->seed(seed); }
  void seed(uint64_t seed) {
    state_[0] = uint32_t(seed);
    for (uint32_t j = 1; j < N; ++j) state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + j;
    next_ = N;
  }
  uint32_t operator()() {
    if (next_ == N) twist();
    uint32_t y = state_[next_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    return y ^ (y >> 18);
  }

 private:
  static constexpr uint32_t N = 624, M = 397;
  void twist() {
    for (uint32_t i = 0; i < N; ++i) {
      const uint32_t y = (state_[i] & 0x80000000u) | (state_[(i + 1) % N] & 0x7fffffffu);
      state_[i] = state_[(i + M) % N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    next_ = 0;
  }
  uint32_t state_[N];
  uint32_t next_ = N;
};

// at::CPUGeneratorImpl. Box–Muller makes two samples; normal_distribution
// keeps the second in `next_double_normal` for the next call (the float cache
// exists in PyTorch too, but no CPU kernel draws normal floats serially).
struct Generator {
  static constexpr uint64_t kDefaultSeed = 67280421310721ull;  // c10::default_rng_seed_val
  std::mutex mutex;  // kernels may run on several threads; each fill holds it throughout
  MT19937 engine{kDefaultSeed};
  std::optional<double> next_double_normal;
  std::optional<float> next_float_normal;

  uint32_t random() { return engine(); }
  uint64_t random64() {  // detail::make64BitsFrom32Bits(hi, lo): the first draw is the high word
    const uint64_t hi = engine();
    return (hi << 32) | engine();
  }
  void seed(uint64_t s) {
    engine.seed(s);
    next_double_normal.reset();
    next_float_normal.reset();
  }
};

Generator& generator() {
  static Generator g;
  return g;
}

template <typename T>
constexpr bool kIsFloating = std::is_floating_point_v<T> || std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>;
// dist_acctype<T>: the type the distributions compute in.
template <typename T>
using acc_t = std::conditional_t<std::is_same_v<T, double>, double, float>;
// std::numeric_limits<T>::digits: the uniform bits a sample of T gets.
template <typename T>
constexpr int kDigits = std::is_same_v<T, double> ? 53 : std::is_same_v<T, float> ? 24 : std::is_same_v<T, Half> ? 11 : 8;

constexpr double kPi = 3.14159265358979323846;

// static_cast<T>(v) as in ATen: c10::Half and c10::BFloat16 convert through float.
template <typename T, typename V>
T cast(V v) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>)
    return T(float(v));
  else
    return static_cast<T>(v);
}

// at::uniform_real_distribution<T>(from, to): the low `digits` bits of one
// draw (two for double) scaled to [0, 1), then x * (to - from) + from, fused
// as in PyTorch's AVX2 build. `to - from` is rounded to T (c10::Half's
// operators return Half).
template <typename T>
acc_t<T> uniform_real(Generator& g, T from, T to) {
  using A = acc_t<T>;
  const uint64_t v = std::is_same_v<T, double> ? g.random64() : g.random();
  const A x = A(v & ((uint64_t(1) << kDigits<T>) - 1)) * (A(1) / A(uint64_t(1) << kDigits<T>));
  return std::fma(x, A(T(A(to) - A(from))), A(from));
}

// at::normal_distribution<double>: Box–Muller returning r*cos and caching r*sin.
double normal_sample(Generator& g, double mean, double std) {
  double z;
  if (g.next_double_normal) {
    z = *g.next_double_normal;
    g.next_double_normal.reset();
  } else {
    const double u1 = uniform_real<double>(g, 0.0, 1.0);
    const double u2 = uniform_real<double>(g, 0.0, 1.0);
    const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 2.0 * kPi * u1;
    g.next_double_normal = r * std::sin(theta);
    z = r * std::cos(theta);
  }
  return std::fma(z, std, mean);  // transformation::normal: z * std + mean
}

// log256_ps and sincos256_ps of avx_mathfun.h (Cephes logf, sinf, cosf) for
// one lane, with the FMAs GCC forms from them in PyTorch's AVX2 kernels.
// Inputs are those of normal_fill: log's argument is in (0, 1] and sincos's in
// [0, 2*pi), so the NaN, denormal and sign handling of the vector code is moot.
float cephes_log(float x) {
  const uint32_t bits = std::bit_cast<uint32_t>(x);
  float e = float(int32_t(bits >> 23) - 0x7f) + 1.0f;
  x = std::bit_cast<float>((bits & ~0x7f800000u) | std::bit_cast<uint32_t>(0.5f));  // mantissa in [0.5, 1)
  const bool small = x < float(0.707106781186547524);
  if (small) e -= 1.0f;
  x = (x - 1.0f) + (small ? x : 0.0f);
  const float z = x * x;
  static const float p[] = {float(7.0376836292E-2),   float(-1.1514610310E-1), float(1.1676998740E-1),
                            float(-1.2420140846E-1),  float(1.4249322787E-1),  float(-1.6668057665E-1),
                            float(2.0000714765E-1),   float(-2.4999993993E-1), float(3.3333331174E-1)};
  float y = p[0];
  for (int k = 1; k < 9; ++k) y = std::fma(y, x, p[k]);
  y = std::fma(y * x, z, e * float(-2.12194440e-4));
  y = std::fma(-z, 0.5f, y);
  return std::fma(e, float(0.693359375), x + y);
}

void cephes_sincos(float x, float* s, float* c) {
  const uint32_t j = (uint32_t(int32_t(x * float(1.27323954473516))) + 1) & ~1u;  // x * 4/pi, rounded up to even
  const float y = float(int32_t(j));
  const uint32_t sign_sin = (j & 4) << 29, sign_cos = (~(j - 2) & 4) << 29;
  const bool sin_poly_for_sin = (j & 2) == 0;
  // x - y*pi/4 in three parts
  x = std::fma(y, float(-0.78515625), x);
  x = std::fma(y, float(-2.4187564849853515625e-4), x);
  x = std::fma(y, float(-3.77489497744594108e-8), x);
  const float z = x * x;
  float yc = std::fma(std::fma(float(2.443315711809948E-005), z, float(-1.388731625493765E-003)), z,
                      float(4.166664568298827E-002));
  yc = std::fma(z, z * yc, -(z * 0.5f)) + 1.0f;
  float ys = std::fma(std::fma(float(-1.9515295891E-4), z, float(8.3321608736E-3)), z, float(-1.6666654611E-1));
  ys = std::fma(x, z * ys, x);
  // The vector code selects with masks and adds: keep its sums (they decide signed zeros).
  const float sin1 = sin_poly_for_sin ? 0.0f : yc, sin2 = sin_poly_for_sin ? ys : 0.0f;
  *s = std::bit_cast<float>(std::bit_cast<uint32_t>(sin1 + sin2) ^ sign_sin);
  *c = std::bit_cast<float>(std::bit_cast<uint32_t>((ys - sin2) + (yc - sin1)) ^ sign_cos);
}

// normal_fill_16 (normal_fill_16_AVX2 for float): Box–Muller on a block of 16
// uniforms, the first 8 giving u1 = 1 - data[j] (so log sees (0, 1]), the
// last 8 u2. For half and bfloat16 each step rounds to T as c10's operators do.
template <typename T>
void normal_fill_16(T* data, T mean, T std) {
  using A = acc_t<T>;
  for (int j = 0; j < 8; ++j) {
    if constexpr (std::is_same_v<T, float>) {
      const float radius = std::sqrt(-2.0f * cephes_log(1.0f - data[j]));
      float s, c;
      cephes_sincos(float(2.0 * kPi) * data[j + 8], &s, &c);
      data[j] = std::fma(radius * c, std, mean);
      data[j + 8] = std::fma(radius * s, std, mean);
    } else if constexpr (std::is_same_v<T, BFloat16>) {
      // c10/util/BFloat16-math.h overloads std::log, sqrt, cos and sin for
      // BFloat16, and its operators return BFloat16: every step rounds.
      using B = BFloat16;
      const B u1 = B(1.0f - float(data[j]));
      const B radius = B(std::sqrt(float(B(-2.0f * float(B(std::log(float(u1))))))));
      const B theta = B(float(2.0 * kPi * double(data[j + 8])));
      auto scale = [&](B trig) {  // radius * trig * std + mean
        const B product = B(float(radius) * float(trig));
        return B(float(B(float(product) * float(std))) + float(mean));
      };
      data[j] = scale(B(std::cos(float(theta))));
      data[j + 8] = scale(B(std::sin(float(theta))));
    } else {  // double, and Half whose std::log etc. resolve to the float functions
      const T u1 = T(A(1) - A(data[j]));
      const T radius = T(std::sqrt(A(-2) * std::log(A(u1))));
      const T theta = T(A(2.0 * kPi * double(data[j + 8])));
      data[j] = T(std::fma(A(radius) * std::cos(A(theta)), A(std), A(mean)));
      data[j + 8] = T(std::fma(A(radius) * std::sin(A(theta)), A(std), A(mean)));
    }
  }
}

// normal_fill: uniforms for all elements, Box–Muller on each block of 16, and
// when numel % 16 != 0 the last 16 elements are redrawn and transformed again.
template <typename T>
void normal_fill(Generator& g, T* data, int64_t n, T mean, T std) {
  for (int64_t i = 0; i < n; ++i) data[i] = T(uniform_real<T>(g, T(0.0f), T(1.0f)));
  for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16(data + i, mean, std);
  if (n % 16 != 0) {
    T* tail = data + n - 16;
    for (int i = 0; i < 16; ++i) tail[i] = T(uniform_real<T>(g, T(0.0f), T(1.0f)));
    normal_fill_16(tail, mean, std);
  }
}

// Visits the elements of `out` (and the same elements of `in`, if given) in
// the order of PyTorch's TensorIterator, which serial kernels draw in: the
// dimensions sorted by stride, smallest innermost (TensorIteratorBase::
// reorder_dimensions), i.e. row-major for contiguous tensors and memory order
// for permuted ones. `fn(out_offset, in_offset)` gets element offsets.
template <typename Fn>
void for_each_element(const ember_tensor& out, const ember_tensor* in, Fn&& fn) {
  const int nd = out.ndim;
  std::vector<int> perm(nd);  // perm[0] is the innermost dimension
  for (int i = 0; i < nd; ++i) perm[i] = nd - 1 - i;
  auto should_swap = [&](int d0, int d1) {
    for (const ember_tensor* t : {&out, in}) {
      if (!t) continue;
      const int64_t s0 = t->strides[d0], s1 = t->strides[d1];
      if (s0 == 0 || s1 == 0) continue;  // broadcast: this operand does not decide
      if (s0 != s1) return s0 < s1 ? -1 : 1;
      if (out.sizes[d0] > out.sizes[d1]) return 1;  // equal strides: the smaller size goes inner
    }
    return 0;
  };
  for (int i = 1; i < nd; ++i) {
    for (int d1 = i, d0 = i - 1; d0 >= 0; --d0) {
      const int cmp = should_swap(perm[d0], perm[d1]);
      if (cmp > 0) {
        std::swap(perm[d0], perm[d1]);
        d1 = d0;
      } else if (cmp < 0) {
        break;
      }
    }
  }
  const int64_t numel = TensorArg{&out}.numel();
  std::vector<int64_t> index(nd, 0);
  int64_t o = 0, p = 0;
  for (int64_t k = 0; k < numel; ++k) {
    fn(o, p);
    for (int i = 0; i < nd; ++i) {
      const int d = perm[i];
      const int64_t in_stride = in ? in->strides[d] : 0;
      if (++index[d] < out.sizes[d]) {
        o += out.strides[d];
        p += in_stride;
        break;
      }
      o -= (out.sizes[d] - 1) * out.strides[d];
      p -= (out.sizes[d] - 1) * in_stride;
      index[d] = 0;
    }
  }
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
std::string no_dtype(const char* op, int32_t dtype, const char* needs) {
  return std::string(op) + ": cannot fill a " + sdk::dtype_name(dtype) + " tensor; it needs " + needs;
}

}  // namespace

void manual_seed(uint64_t seed) {
  Generator& g = generator();
  std::lock_guard<std::mutex> lock(g.mutex);
  g.seed(seed);
}

// uniform_kernel: one uniform_real_distribution<T>(T(from), T(to)) sample per element.
EMBER_KERNEL(ember_cpu_random_uniform) {
  const ember_tensor& out = call.outputs[0];
  const double from = scalar_double(call, 0), to = scalar_double(call, 1);
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    if constexpr (!kIsFloating<T>) {
      sdk::unsupported(no_dtype("uniform_", out.dtype, "a floating-point dtype"));
    } else {
      T* data = TensorArg{&out}.data<T>();
      Generator& g = generator();
      std::lock_guard<std::mutex> lock(g.mutex);
      for_each_element(out, nullptr, [&](int64_t o, int64_t) { data[o] = T(uniform_real<T>(g, cast<T>(from), cast<T>(to))); });
    }
  });
}

// normal_kernel: normal_fill for contiguous tensors of 16 elements or more,
// else a serial loop over normal_distribution<double> cast to T.
EMBER_KERNEL(ember_cpu_random_normal) {
  const ember_tensor& out = call.outputs[0];
  const double mean = scalar_double(call, 0), std = scalar_double(call, 1);
  if (!(std >= 0)) sdk::fail("normal_: expects std >= 0.0, but found std " + std::to_string(std));
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    if constexpr (!kIsFloating<T>) {
      sdk::unsupported(no_dtype("normal_", out.dtype, "a floating-point dtype"));
    } else {
      const TensorArg arg{&out};
      T* data = arg.data<T>();
      Generator& g = generator();
      std::lock_guard<std::mutex> lock(g.mutex);
      if (arg.numel() >= 16 && arg.is_contiguous()) {
        normal_fill<T>(g, data, arg.numel(), cast<T>(mean), cast<T>(std));
      } else {
        for_each_element(out, nullptr, [&](int64_t o, int64_t) { data[o] = cast<T>(normal_sample(g, mean, std)); });
      }
    }
  });
}

// random_from_to_kernel: from + v % (to - from), v one draw, or two when the
// range needs 64 bits (uniform_int_from_to_distribution).
EMBER_KERNEL(ember_cpu_random_randint) {
  const ember_tensor& out = call.outputs[0];
  const int64_t from = scalar_int(call, 0), to = scalar_int(call, 1);
  if (from >= to) sdk::fail("random_: expects 'from' < 'to', got " + std::to_string(from) + " >= " + std::to_string(to));
  const uint64_t range = uint64_t(to) - uint64_t(from);
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    T* data = TensorArg{&out}.data<T>();
    Generator& g = generator();
    std::lock_guard<std::mutex> lock(g.mutex);
    for_each_element(out, nullptr, [&](int64_t o, int64_t) {
      const uint64_t v = range >= (uint64_t(1) << 32) ? g.random64() : g.random();
      data[o] = cast<T>(int64_t(v % range + uint64_t(from)));
    });
  });
}

// bernoulli: with a probability tensor, bernoulli_tensor_cpu_kernel draws
// uniform_real<double> for float64 probabilities and uniform_real<float>
// otherwise; with a scalar p (the non-MKL bernoulli_scalar path, which
// Debian's torch takes) it draws uniform_real<double>. Each gives u < p.
EMBER_KERNEL(ember_cpu_random_bernoulli) {
  const ember_tensor& out = call.outputs[0];
  const ember_tensor* prob = call.num_inputs >= 1 ? &call.inputs[0] : nullptr;
  if (prob && (prob->ndim != out.ndim || !std::equal(out.sizes, out.sizes + out.ndim, prob->sizes)))
    sdk::fail("bernoulli: the probabilities' shape must match the output's");
  const double p = prob ? 0.0 : scalar_double(call, 0);
  if (!prob && !(p >= 0 && p <= 1)) sdk::fail("bernoulli_: expects 0 <= p <= 1, got " + std::to_string(p));
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    T* data = TensorArg{&out}.data<T>();
    Generator& g = generator();
    std::lock_guard<std::mutex> lock(g.mutex);
    auto put = [&](int64_t o, bool b) { data[o] = cast<T>(b ? 1.0 : 0.0); };
    if (!prob) {
      for_each_element(out, nullptr, [&](int64_t o, int64_t) { put(o, uniform_real<double>(g, 0.0, 1.0) < p); });
      return;
    }
    sdk::dispatch_dtype(prob->dtype, [&]<typename P>() {
      if constexpr (!kIsFloating<P>) {
        sdk::unsupported(no_dtype("bernoulli", prob->dtype, "floating-point probabilities"));
      } else {
        const P* probs = TensorArg{prob}.data<P>();
        for_each_element(out, prob, [&](int64_t o, int64_t i) {
          if constexpr (std::is_same_v<P, double>)
            put(o, uniform_real<double>(g, 0.0, 1.0) < probs[i]);
          else
            put(o, uniform_real<float>(g, 0.0f, 1.0f) < float(probs[i]));
        });
      }
    });
  });
}

// randperm_cpu: 0..n-1, then for each i < n-1 swap r[i] with r[i + random() % (n - i)].
EMBER_KERNEL(ember_cpu_random_randperm) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("randperm: the output must be 1-d");
  const int64_t n = out.sizes[0], stride = out.strides[0];
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      sdk::unsupported(no_dtype("randperm", out.dtype, "a numeric dtype"));
    } else {
      if constexpr (std::is_integral_v<T>)
        if (n > 0 && uint64_t(n - 1) > uint64_t(std::numeric_limits<T>::max()))
          sdk::fail("randperm: n = " + std::to_string(n) + " is too large for " + sdk::dtype_name(out.dtype));
      T* r = TensorArg{&out}.data<T>();
      for (int64_t i = 0; i < n; ++i) r[i * stride] = cast<T>(i);
      Generator& g = generator();
      std::lock_guard<std::mutex> lock(g.mutex);
      for (int64_t i = 0; i < n - 1; ++i) {
        const int64_t z = int64_t(g.random()) % (n - i);
        std::swap(r[i * stride], r[(z + i) * stride]);
      }
    }
  });
}

void register_random_kernels(sdk::Registrar& r, int32_t device_type) {
  r.kernel(EMBER_OP_UNIFORM, device_type, ember_cpu_random_uniform);
  r.kernel(EMBER_OP_NORMAL, device_type, ember_cpu_random_normal);
  r.kernel(EMBER_OP_RANDINT, device_type, ember_cpu_random_randint);
  r.kernel(EMBER_OP_BERNOULLI, device_type, ember_cpu_random_bernoulli);
  r.kernel(EMBER_OP_RANDPERM, device_type, ember_cpu_random_randperm);
}

}  // namespace ember::cpu
