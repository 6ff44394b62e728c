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
void matmul_64(benchmark::State& s) { matmul(s, 64); }
void matmul_128(benchmark::State& s) { matmul(s, 128); }
void matmul_256(benchmark::State& s) { matmul(s, 256); }
void matmul_512(benchmark::State& s) { matmul(s, 512); }
void matmul_1024(benchmark::State& s) { matmul(s, 1024); }
void matmul_2048(benchmark::State& s) { matmul(s, 2048); }
BENCHMARK(matmul_64)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(matmul_128)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(matmul_256)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(matmul_512)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(matmul_1024)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);
BENCHMARK(matmul_2048)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// The products of the MLP 784-512-512-10 at batch 128, with the operands laid
// out as Linear's forward and backward see them: X (128x784), W (512x784,
// out x in, contiguous), G the output's gradient (128x512). The transposes
// are views, as in autograd.
void mlp_product(benchmark::State& state, int64_t m, int64_t k, int64_t n, bool ta, bool tb) {
  set_threads(state);
  lib::manual_seed(0);
  // a is (m, k) after the optional transpose, b is (k, n).
  auto a = ta ? lib::rand({k, m}).t() : lib::rand({m, k});
  auto b = tb ? lib::rand({n, k}).t() : lib::rand({k, n});
  for (auto _ : state) benchmark::DoNotOptimize(a.matmul(b));
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * double(m) * double(k) * double(n),
                                                benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::OneK::kIs1000);
}
// Forward of the first layer: X . W^T = (128x784) . (512x784)^T.
void mlp_fwd_xwt(benchmark::State& s) { mlp_product(s, 128, 784, 512, false, true); }
// grad_X of the first layer: G . W = (128x512) . (512x784).
void mlp_bwd_gw(benchmark::State& s) { mlp_product(s, 128, 512, 784, false, false); }
// grad_W of the first layer: G^T . X = (128x512)^T . (128x784).
void mlp_bwd_gtx(benchmark::State& s) { mlp_product(s, 512, 128, 784, true, false); }
// grad_W of the second layer: G^T . H = (128x512)^T . (128x512).
void mlp_bwd_gtx_512(benchmark::State& s) { mlp_product(s, 512, 128, 512, true, false); }
BENCHMARK(mlp_fwd_xwt)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(mlp_bwd_gw)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(mlp_bwd_gtx)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);
BENCHMARK(mlp_bwd_gtx_512)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

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

void layer_norm_128x512(benchmark::State& state) {
  set_threads(state);
  auto a = lib::rand({128, 512});
  const auto options = lib::nn::functional::LayerNormFuncOptions({512});
  for (auto _ : state) benchmark::DoNotOptimize(lib::nn::functional::layer_norm(a, options));
}
BENCHMARK(layer_norm_128x512)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

// Forward and backward of an affine layer norm (a transformer block's): the
// gradients of the input, the weight and the bias.
void layer_norm_backward_128x512(benchmark::State& state) {
  set_threads(state);
  const auto grad = lib::TensorOptions().requires_grad(true);
  auto x = lib::rand({128, 512}, grad), w = lib::rand({512}, grad), b = lib::rand({512}, grad);
  auto g = lib::rand({128, 512});
  const auto options = lib::nn::functional::LayerNormFuncOptions({512}).weight(w).bias(b);
  for (auto _ : state) {
    lib::nn::functional::layer_norm(x, options).backward(g);
    benchmark::DoNotOptimize(x.grad());
  }
}
BENCHMARK(layer_norm_backward_128x512)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

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

// One epoch of the seed tutorial's XOR training: Linear(2, 4), ReLU,
// Linear(4, 1), MSE loss, SGD lr 0.1 over the 4 samples in one batch.
void xor_epoch(benchmark::State& state) {
  set_threads(state);
  lib::manual_seed(0);
  lib::nn::Sequential net;
  net->push_back(lib::nn::Linear(2, 4));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::Linear(4, 1));
  auto x = lib::tensor({{0.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 1.0f}});
  auto y = lib::tensor({{0.0f}, {1.0f}, {1.0f}, {0.0f}});
  lib::nn::MSELoss criterion;
  lib::optim::SGD sgd(net->parameters(), lib::optim::SGDOptions(0.1));
  for (auto _ : state) {
    sgd.zero_grad();
    auto loss = criterion(net->forward(x), y);
    loss.backward();
    sgd.step();
  }
}
BENCHMARK(xor_epoch)->Arg(1)->Arg(2);

// Training steps: zero_grad, forward, cross-entropy, backward, step.
lib::nn::Sequential mlp_784_512_512_10() {
  lib::nn::Sequential net;
  net->push_back(lib::nn::Linear(784, 512));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::Linear(512, 512));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::Linear(512, 10));
  return net;
}

// The CNN of examples/fashion_mnist (without its dropout): two 3x3
// convolutions with ReLU and 2x2 max pooling, then 3136 -> 128 -> 10.
lib::nn::Sequential small_cnn() {
  lib::nn::Sequential net;
  net->push_back(lib::nn::Conv2d(lib::nn::Conv2dOptions(1, 32, 3).padding(1)));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::MaxPool2d(lib::nn::MaxPool2dOptions(2)));
  net->push_back(lib::nn::Conv2d(lib::nn::Conv2dOptions(32, 64, 3).padding(1)));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::MaxPool2d(lib::nn::MaxPool2dOptions(2)));
  net->push_back(lib::nn::Flatten());
  net->push_back(lib::nn::Linear(64 * 7 * 7, 128));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::Linear(128, 10));
  return net;
}

template <typename Optimizer>
void train_steps(benchmark::State& state, lib::nn::Sequential net, Optimizer& optimizer, const lib::Tensor& x,
                 const lib::Tensor& y) {
  for (auto _ : state) {
    optimizer.zero_grad();
    auto loss = lib::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    optimizer.step();
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * x.size(0));
}

void mlp_step_sgd(benchmark::State& state) {
  set_threads(state);
  lib::manual_seed(0);
  auto net = mlp_784_512_512_10();
  lib::optim::SGD sgd(net->parameters(), lib::optim::SGDOptions(0.01).momentum(0.9));
  train_steps(state, net, sgd, lib::rand({128, 784}), lib::randint(0, 10, {128}));
}
BENCHMARK(mlp_step_sgd)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void mlp_step_adam(benchmark::State& state) {
  set_threads(state);
  lib::manual_seed(0);
  auto net = mlp_784_512_512_10();
  lib::optim::Adam adam(net->parameters(), lib::optim::AdamOptions(1e-3));
  train_steps(state, net, adam, lib::rand({128, 784}), lib::randint(0, 10, {128}));
}
BENCHMARK(mlp_step_adam)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// Adam's step alone over the MLP's parameters (669,706 floats): the
// gradients are set once by one forward and backward, then only step() runs.
void adam_step_mlp(benchmark::State& state) {
  set_threads(state);
  lib::manual_seed(0);
  auto net = mlp_784_512_512_10();
  lib::optim::Adam adam(net->parameters(), lib::optim::AdamOptions(1e-3));
  lib::nn::functional::cross_entropy(net->forward(lib::rand({128, 784})), lib::randint(0, 10, {128})).backward();
  for (auto _ : state) adam.step();
}
BENCHMARK(adam_step_mlp)->Arg(1)->Arg(2)->Unit(benchmark::kMicrosecond);

void cnn_step_adam(benchmark::State& state) {
  set_threads(state);
  lib::manual_seed(0);
  auto net = small_cnn();
  lib::optim::Adam adam(net->parameters(), lib::optim::AdamOptions(1e-3));
  train_steps(state, net, adam, lib::rand({64, 1, 28, 28}), lib::randint(0, 10, {64}));
}
BENCHMARK(cnn_step_adam)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

// The CNN's layers one at a time (batch 64): forward, and forward + backward.
void cnn_conv2_forward(benchmark::State& state) {
  set_threads(state);
  lib::nn::Conv2d conv(lib::nn::Conv2dOptions(32, 64, 3).padding(1));
  auto x = lib::rand({64, 32, 14, 14});
  lib::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(conv->forward(x));
}
BENCHMARK(cnn_conv2_forward)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void cnn_conv2_backward(benchmark::State& state) {
  set_threads(state);
  lib::nn::Conv2d conv(lib::nn::Conv2dOptions(32, 64, 3).padding(1));
  auto x = lib::rand({64, 32, 14, 14}, lib::TensorOptions().requires_grad(true));
  for (auto _ : state) conv->forward(x).sum().backward();
}
BENCHMARK(cnn_conv2_backward)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

void cnn_max_pool(benchmark::State& state) {
  set_threads(state);
  lib::nn::MaxPool2d pool(lib::nn::MaxPool2dOptions(2));
  auto x = lib::rand({64, 32, 28, 28});
  lib::NoGradGuard no_grad;
  for (auto _ : state) benchmark::DoNotOptimize(pool->forward(x));
}
BENCHMARK(cnn_max_pool)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond);

#ifndef EMBER_BENCH_LIBTORCH
// Ember only: matmul 1024 and the MLP step (SGD with momentum, batch 128) on
// every non-CPU device found at startup, as device_<case>/<device>. Each
// iteration waits for the device, so the times are the device's.
void device_matmul_1024(benchmark::State& state, ember::Device device) {
  ember::manual_seed(0);
  const auto o = ember::device(device);
  auto a = ember::rand({1024, 1024}, o), b = ember::rand({1024, 1024}, o);
  benchmark::DoNotOptimize(a.matmul(b));  // compiles the device's kernels outside the timing
  ember::synchronize(device);
  for (auto _ : state) {
    benchmark::DoNotOptimize(a.matmul(b));
    ember::synchronize(device);
  }
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * 1024 * 1024 * 1024, benchmark::Counter::kIsIterationInvariantRate,
                                                benchmark::Counter::OneK::kIs1000);
}

void device_mlp_step_sgd(benchmark::State& state, ember::Device device) {
  ember::manual_seed(0);
  auto net = mlp_784_512_512_10();
  net->to(device);
  ember::optim::SGD sgd(net->parameters(), ember::optim::SGDOptions(0.01).momentum(0.9));
  const auto x = ember::rand({128, 784}).to(device), y = ember::randint(0, 10, {128}).to(device);
  auto step = [&] {
    sgd.zero_grad();
    auto loss = ember::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    sgd.step();
    ember::synchronize(device);
  };
  step();  // compiles the device's kernels outside the timing
  for (auto _ : state) {
    sgd.zero_grad();
    auto loss = ember::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    sgd.step();
    ember::synchronize(device);
  }
  state.SetItemsProcessed(int64_t(state.iterations()) * x.size(0));
}

void register_device_benchmarks() {
  for (const ember::Device& device : ember::devices()) {
    if (device.is_cpu()) continue;
    const std::string suffix = "/" + device.str();
    benchmark::RegisterBenchmark(("device_matmul_1024" + suffix).c_str(),
                                 [device](benchmark::State& s) { device_matmul_1024(s, device); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();  // the host thread mostly waits for the device
    benchmark::RegisterBenchmark(("device_mlp_step_sgd" + suffix).c_str(),
                                 [device](benchmark::State& s) { device_mlp_step_sgd(s, device); })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();  // the host thread mostly waits for the device
  }
}
#endif

}  // namespace

// BENCHMARK_MAIN's steps, with the device cases registered first.
int main(int argc, char** argv) {
#ifndef EMBER_BENCH_LIBTORCH
  register_device_benchmarks();
#endif
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
