// A few of bench_ops.cpp's cases on any device: EMBER_BENCH_DEVICE=cuda:0
// (default cpu). Each iteration ends with ember::synchronize(device), so an
// asynchronous device is timed for its work, not for queueing it.
//   EMBER_BENCH_DEVICE=cuda:0 build/bin/bench_device [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <ember/ember.h>

#include <cstdlib>
#include <exception>

namespace {

ember::Device device() {
  const char* name = std::getenv("EMBER_BENCH_DEVICE");
  return ember::Device(name && *name ? name : "cpu");
}

void sync() { ember::synchronize(device()); }

// Registers a case so that an error in it (a missing kernel, a device that is
// not there) skips that case with the error's message, as Google Benchmark's
// ERROR OCCURRED line, and the other cases still run.
benchmark::internal::Benchmark* device_case(const char* name, void (*run)(benchmark::State&),
                                            benchmark::TimeUnit unit) {
  return benchmark::RegisterBenchmark(name,
                                      [run](benchmark::State& state) {
                                        try {
                                          run(state);
                                        } catch (const std::exception& e) {
                                          state.SkipWithError(e.what());
                                        }
                                      })
      ->Unit(unit)
      ->UseRealTime();
}
#define DEVICE_BENCHMARK(name, unit) [[maybe_unused]] auto* const name##_case = device_case(#name, name, unit)

void add_16m(benchmark::State& state) {
  auto a = ember::rand({1 << 24}).to(device()), b = ember::rand({1 << 24}).to(device());
  for (auto _ : state) {
    benchmark::DoNotOptimize(a + b);
    sync();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * 3 * (int64_t(1) << 24) * 4);
}
DEVICE_BENCHMARK(add_16m, benchmark::kMillisecond);

void matmul(benchmark::State& state, int64_t n) {
  auto a = ember::rand({n, n}).to(device()), b = ember::rand({n, n}).to(device());
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.matmul(b));
    sync();
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(n) * double(n) * double(n),
                                                benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::OneK::kIs1000);
}
void matmul_1024(benchmark::State& s) { matmul(s, 1024); }
void matmul_4096(benchmark::State& s) { matmul(s, 4096); }
DEVICE_BENCHMARK(matmul_1024, benchmark::kMillisecond);
DEVICE_BENCHMARK(matmul_4096, benchmark::kMillisecond);

void sum_16m(benchmark::State& state) {
  auto a = ember::rand({1 << 24}).to(device());
  for (auto _ : state) benchmark::DoNotOptimize(a.sum().item<float>());  // item() synchronises
}
DEVICE_BENCHMARK(sum_16m, benchmark::kMicrosecond);

void softmax_128x512(benchmark::State& state) {
  auto a = ember::rand({128, 512}).to(device());
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.softmax(1));
    sync();
  }
}
DEVICE_BENCHMARK(softmax_128x512, benchmark::kMicrosecond);

// Training steps as in bench_ops.cpp: zero_grad, forward, cross-entropy,
// backward, step; one step before the timing (it compiles or loads the
// device's kernels), and each timed step waits for the device.
template <typename Optimizer>
void train_steps(benchmark::State& state, ember::nn::Sequential& net, Optimizer& optimizer, const ember::Tensor& x,
                 const ember::Tensor& y) {
  auto step = [&] {
    optimizer.zero_grad();
    auto loss = ember::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    optimizer.step();
    sync();
  };
  step();  // warm-up, outside the timing
  for (auto _ : state) step();
  state.SetItemsProcessed(int64_t(state.iterations()) * x.size(0));
}

// The MLP 784-512-512-10 of bench_ops.cpp, batch 128.
ember::nn::Sequential mlp_784_512_512_10() {
  ember::nn::Sequential net;
  net->push_back(ember::nn::Linear(784, 512));
  net->push_back(ember::nn::ReLU());
  net->push_back(ember::nn::Linear(512, 512));
  net->push_back(ember::nn::ReLU());
  net->push_back(ember::nn::Linear(512, 10));
  net->to(device());
  return net;
}

void mlp_step_sgd(benchmark::State& state) {
  ember::manual_seed(0);
  auto net = mlp_784_512_512_10();
  ember::optim::SGD sgd(net->parameters(), ember::optim::SGDOptions(0.01).momentum(0.9));
  auto x = ember::rand({128, 784}).to(device()), y = ember::randint(0, 10, {128}).to(device());
  train_steps(state, net, sgd, x, y);
}
DEVICE_BENCHMARK(mlp_step_sgd, benchmark::kMillisecond);

void mlp_step_adam(benchmark::State& state) {
  ember::manual_seed(0);
  auto net = mlp_784_512_512_10();
  ember::optim::Adam adam(net->parameters(), ember::optim::AdamOptions(1e-3));
  auto x = ember::rand({128, 784}).to(device()), y = ember::randint(0, 10, {128}).to(device());
  train_steps(state, net, adam, x, y);
}
DEVICE_BENCHMARK(mlp_step_adam, benchmark::kMillisecond);

// The CNN of examples/fashion_mnist (without its dropout), one Adam step on
// a batch of 64.
void cnn_step_adam(benchmark::State& state) {
  ember::manual_seed(0);
  ember::nn::Sequential net;
  net->push_back(ember::nn::Conv2d(ember::nn::Conv2dOptions(1, 32, 3).padding(1)));
  net->push_back(ember::nn::ReLU());
  net->push_back(ember::nn::MaxPool2d(ember::nn::MaxPool2dOptions(2)));
  net->push_back(ember::nn::Conv2d(ember::nn::Conv2dOptions(32, 64, 3).padding(1)));
  net->push_back(ember::nn::ReLU());
  net->push_back(ember::nn::MaxPool2d(ember::nn::MaxPool2dOptions(2)));
  net->push_back(ember::nn::Flatten());
  net->push_back(ember::nn::Linear(64 * 7 * 7, 128));
  net->push_back(ember::nn::ReLU());
  net->push_back(ember::nn::Linear(128, 10));
  net->to(device());
  ember::optim::Adam adam(net->parameters(), ember::optim::AdamOptions(1e-3));
  auto x = ember::rand({64, 1, 28, 28}).to(device()), y = ember::randint(0, 10, {64}).to(device());
  train_steps(state, net, adam, x, y);
}
DEVICE_BENCHMARK(cnn_step_adam, benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
