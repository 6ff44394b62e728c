// Ember-only hardware probes: the denominators of issue #6's targets.
//   fma_peak    independent FMAs on registers, one benchmark thread per core
//               (FLOP/s): matmul's target is >= 90% of the 1-thread figure.
//   stream_triad a[i] = b[i] + s * c[i] over 3 arrays of 16M floats (bytes/s,
//               counting 3 x 4 bytes per element as add_16m does): the
//               elementwise target is >= 85% of it.
// Compiled with -march=native; AVX-512 when the build machine has it, else
// AVX2 + FMA, else GCC vector extensions (the label says which ran).
#include <benchmark/benchmark.h>
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#include <cstddef>
#include <cstdint>
#include <memory>

namespace {

#if defined(__AVX512F__)
using vec = __m512;
constexpr int kLanes = 16;
inline vec splat(float x) { return _mm512_set1_ps(x); }
inline vec fma(vec a, vec b, vec c) { return _mm512_fmadd_ps(a, b, c); }
inline void store(float* p, vec v) { _mm512_storeu_ps(p, v); }
constexpr const char* kIsa = "avx512";
#elif defined(__AVX2__) && defined(__FMA__)
using vec = __m256;
constexpr int kLanes = 8;
inline vec splat(float x) { return _mm256_set1_ps(x); }
inline vec fma(vec a, vec b, vec c) { return _mm256_fmadd_ps(a, b, c); }
inline void store(float* p, vec v) { _mm256_storeu_ps(p, v); }
constexpr const char* kIsa = "avx2";
#else
// Any other target: GCC/Clang vector extensions, 4 lanes; the compiler
// contracts a * b + c to an FMA where the target has one (16-byte vectors:
// every 64-bit target has them, so no ABI warning).
using vec = float __attribute__((vector_size(16)));
constexpr int kLanes = 4;
inline vec splat(float x) { return vec{} + x; }
inline vec fma(vec a, vec b, vec c) { return a * b + c; }
inline void store(float* p, vec v) {
  for (int i = 0; i < kLanes; ++i) p[i] = v[i];
}
constexpr const char* kIsa = "generic";
#endif

// 12 independent accumulators hide the FMA latency (4 cycles) on two FMA
// pipes (8 in flight needed).
constexpr int kAcc = 12;
constexpr int kInner = 256;

void fma_peak(benchmark::State& state) {
  volatile float seed_a = 0.999999f, seed_b = 1e-7f;
  const vec a = splat(seed_a), b = splat(seed_b);
  vec acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = splat(float(i));
  for (auto _ : state) {
    for (int k = 0; k < kInner; ++k) {
#pragma GCC unroll 12
      for (int i = 0; i < kAcc; ++i) acc[i] = fma(acc[i], a, b);
    }
    // Keeps the accumulators in registers and live across iterations.
    for (int i = 0; i < kAcc; ++i) benchmark::DoNotOptimize(acc[i]);
  }
  // (Stored rather than reduced with _mm512_reduce_add_ps, whose GCC 12
  // header trips -Wuninitialized.)
  float out[kLanes];
  float s = 0;
  for (int i = 0; i < kAcc; ++i) {
    store(out, acc[i]);
    for (float x : out) s += x;
  }
  benchmark::DoNotOptimize(s);
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * kLanes * kAcc * kInner, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::OneK::kIs1000);
  state.SetLabel(kIsa);
}
BENCHMARK(fma_peak)->Threads(1)->Threads(2)->UseRealTime();

constexpr std::size_t kN = std::size_t(1) << 24;

struct Arrays {
  std::unique_ptr<float[]> a{new float[kN]}, b{new float[kN]}, c{new float[kN]};
  Arrays() {
    for (std::size_t i = 0; i < kN; ++i) a[i] = 0.f, b[i] = float(i & 1023), c[i] = 1.f;
  }
};

void stream_triad(benchmark::State& state) {
  static Arrays arrays;  // shared by the benchmark's threads; built once
  const std::size_t per = kN / std::size_t(state.threads());
  const std::size_t begin = per * std::size_t(state.thread_index()), end = begin + per;
  float* __restrict a = arrays.a.get();
  const float* __restrict b = arrays.b.get();
  const float* __restrict c = arrays.c.get();
  const float s = 3.f;
  for (auto _ : state) {
    for (std::size_t i = begin; i < end; ++i) a[i] = b[i] + s * c[i];
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(per) * 3 * 4);
}
BENCHMARK(stream_triad)->Threads(1)->Threads(2)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
