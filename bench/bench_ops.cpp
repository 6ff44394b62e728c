// The same benchmark source compiled twice: against Ember (namespace ember)
// and, when libtorch is installed, against libtorch (namespace torch) — the
// API is the same, so the cases are identical by construction.
// bench/run.sh runs both and prints the ratios.
#include <benchmark/benchmark.h>

#ifdef EMBER_BENCH_LIBTORCH
#include <torch/torch.h>
namespace lib = torch;
#define BACKEND_NAME "libtorch"
#else
#include <ember/ember.h>
namespace lib = ember;
#define BACKEND_NAME "ember"
#endif

namespace {

void set_threads(const benchmark::State& state) { lib::set_num_threads(int(state.range(0))); }

// The latency of a tiny op: dispatch, allocation and bookkeeping dominate.
void add_4(benchmark::State& state) {
  set_threads(state);
  auto a = lib::rand({4}), b = lib::rand({4});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(add_4)->Arg(1)->Arg(2);

// Memory bandwidth: out-of-place add over 16M floats (3 x 64 MiB moved).
void add_16m(benchmark::State& state) {
  set_threads(state);
  auto a = lib::rand({1 << 24}), b = lib::rand({1 << 24});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  state.SetBytesProcessed(int64_t(state.iterations()) * 3 * (int64_t(1) << 24) * 4);
}
BENCHMARK(add_16m)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void matmul(benchmark::State& state, int64_t n) {
  set_threads(state);
  auto a = lib::rand({n, n}), b = lib::rand({n, n});
  for (auto _ : state) benchmark::DoNotOptimize(a.matmul(b));
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(n) * double(n) * double(n),
                                                benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::OneK::kIs1000);
}
void matmul_256(benchmark::State& s) { matmul(s, 256); }
void matmul_1024(benchmark::State& s) { matmul(s, 1024); }
BENCHMARK(matmul_256)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(matmul_1024)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void sum_1m(benchmark::State& state) {
  set_threads(state);
  auto a = lib::rand({1 << 20});
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
}
BENCHMARK(sum_1m)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void softmax_128x512(benchmark::State& state) {
  set_threads(state);
  auto a = lib::rand({128, 512});
  for (auto _ : state) benchmark::DoNotOptimize(a.softmax(1));
}
BENCHMARK(softmax_128x512)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// Autograd's recording overhead: the same 4-element add with an input that
// requires grad (one node recorded per call).
void add_4_requires_grad(benchmark::State& state) {
  set_threads(state);
  auto a = lib::rand({4}, lib::TensorOptions().requires_grad(true)), b = lib::rand({4});
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
}
BENCHMARK(add_4_requires_grad)->Arg(1);

// A tiny forward and backward: (a * b).sum().backward() on 4 elements.
void mul_sum_backward_4(benchmark::State& state) {
  set_threads(state);
  auto a = lib::rand({4}, lib::TensorOptions().requires_grad(true));
  auto b = lib::rand({4}, lib::TensorOptions().requires_grad(true));
  for (auto _ : state) {
    (a * b).sum().backward();
    benchmark::DoNotOptimize(a.grad());
  }
}
BENCHMARK(mul_sum_backward_4)->Arg(1);

}  // namespace

BENCHMARK_MAIN();
