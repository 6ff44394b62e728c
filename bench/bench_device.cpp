// A few of bench_ops.cpp's cases on any device: EMBER_BENCH_DEVICE=cuda:0
// (default cpu). Each iteration ends with ember::synchronize(device), so an
// asynchronous device is timed for its work, not for queueing it.
//   EMBER_BENCH_DEVICE=cuda:0 build/bin/bench_device [--benchmark_filter=...]
#include <benchmark/benchmark.h>

#include <ember/ember.h>

#include <cstdlib>

namespace {

ember::Device device() {
  const char* name = std::getenv("EMBER_BENCH_DEVICE");
  return ember::Device(name && *name ? name : "cpu");
}

void sync() { ember::synchronize(device()); }

void add_16m(benchmark::State& state) {
  auto a = ember::rand({1 << 24}).to(device()), b = ember::rand({1 << 24}).to(device());
  for (auto _ : state) {
    benchmark::DoNotOptimize(a + b);
    sync();
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * 3 * (int64_t(1) << 24) * 4);
}
BENCHMARK(add_16m)->Unit(benchmark::kMillisecond)->UseRealTime();

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
BENCHMARK(matmul_1024)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(matmul_4096)->Unit(benchmark::kMillisecond)->UseRealTime();

void sum_16m(benchmark::State& state) {
  auto a = ember::rand({1 << 24}).to(device());
  for (auto _ : state) benchmark::DoNotOptimize(a.sum().item<float>());  // item() synchronises
}
BENCHMARK(sum_16m)->Unit(benchmark::kMicrosecond)->UseRealTime();

void softmax_128x512(benchmark::State& state) {
  auto a = ember::rand({128, 512}).to(device());
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.softmax(1));
    sync();
  }
}
BENCHMARK(softmax_128x512)->Unit(benchmark::kMicrosecond)->UseRealTime();

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
  for (auto _ : state) {
    adam.zero_grad();
    auto loss = ember::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    adam.step();
    sync();
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * 64);
}
BENCHMARK(cnn_step_adam)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
