// The OpenCL backend against the CPU backend: every primitive on the same
// inputs (several dtypes, broadcasting, non-contiguous views, empty
// tensors), in strict fallback mode so that each op provably ran on
// OpenCL; round trips, printing, device mixing, random distributions, and a
// few training steps of an MLP and a CNN.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <cmath>
#include <functional>
#include <limits>
#include <sstream>
#include <vector>

#include "test_util.h"

namespace {

namespace F = ember::nn::functional;
namespace nn = ember::nn;
namespace optim = ember::optim;
using ember::Tensor;

const ember::Device kCpu("cpu");

ember::Device cl() { return ember::Device("opencl:0"); }

// Every test runs in strict mode: an op without an OpenCL kernel (or whose
// kernel declines the case) raises instead of running on the CPU.
class OpenCL : public ::testing::Test {
 protected:
  void SetUp() override {
    // Built only with the plugin, and CI installs PoCL: a missing device is a failure.
    if (!ember::is_available(ember::DeviceType("opencl"))) GTEST_FAIL() << "no OpenCL device (is pocl-opencl-icd installed?)";
    ember::set_fallback(ember::FallbackMode::Strict);
  }
  void TearDown() override { ember::set_fallback(ember::FallbackMode::Warn); }
};

using Op = std::function<Tensor(const std::vector<Tensor>&)>;

// Runs `op` on CPU inputs and on their OpenCL copies; the OpenCL result
// must stay on OpenCL and match the CPU's dtype, shape and values.
void expect_same(const Op& op, const std::vector<Tensor>& inputs, double rtol = 1e-5, double atol = 1e-6,
                 const std::string& what = "") {
  std::vector<Tensor> on_cl;
  for (const Tensor& t : inputs) on_cl.push_back(t.to(cl()));
  const Tensor want = op(inputs);
  const Tensor got = op(on_cl);
  ASSERT_EQ(got.device(), cl()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  ASSERT_EQ(got.sizes().vec(), want.sizes().vec()) << what;
  const Tensor back = got.to(kCpu);
  if (want.is_floating_point()) {
    EXPECT_TRUE(ember::allclose(back, want, rtol, atol, /*equal_nan=*/true))
        << what << "\nopencl:\n" << back << "\ncpu:\n" << want;
  } else {
    EXPECT_TRUE(ember::equal(back, want)) << what << "\nopencl:\n" << back << "\ncpu:\n" << want;
  }
}

Tensor randn(std::vector<int64_t> sizes, ember::Dtype dtype = ember::kFloat32) {
  return ember::randn(sizes).to(dtype);
}
Tensor ints(std::vector<int64_t> sizes, int64_t low, int64_t high, ember::Dtype dtype) {
  return ember::randint(low, high, sizes, ember::TensorOptions().dtype(dtype));
}

TEST_F(OpenCL, DevicesAreEnumerated) {
  EXPECT_GE(ember::device_count(ember::DeviceType("opencl")), 1);
  const auto all = ember::devices();
  EXPECT_NE(std::find(all.begin(), all.end(), cl()), all.end());
  bool listed = false;
  for (const auto& p : ember::plugins::list())
    if (p.name == "opencl") listed = p.loaded;
  EXPECT_TRUE(listed);
}

TEST_F(OpenCL, RoundTripsAreBitExact) {
  Tensor f = ember::tensor({1.5f, -0.0f, std::numeric_limits<float>::infinity(), std::nanf(""), 1e-40f, 3.25f});
  for (const Tensor& t : {f, f.to(ember::kFloat64), ints({3, 4}, -1000, 1000, ember::kInt32),
                          ints({5}, -(int64_t(1) << 40), int64_t(1) << 40, ember::kInt64),
                          ints({7}, 0, 2, ember::kInt64).to(ember::kBool), ints({2, 3}, 0, 256, ember::kUInt8),
                          ember::zeros({0, 3}), randn({4, 5}).transpose(0, 1),
                          // contiguous, starting inside its storage (was uploaded from the storage's start)
                          randn({21}).narrow(0, 1, 20).view({4, 5})}) {
    const Tensor there = t.to(cl());
    EXPECT_EQ(there.device(), cl());
    const Tensor back = there.to(kCpu);
    ASSERT_EQ(back.sizes().vec(), t.sizes().vec());
    ASSERT_EQ(back.dtype(), t.dtype());
    // bit for bit, nan payloads and signed zeros included
    const Tensor a = t.contiguous(), b = back.contiguous();
    EXPECT_EQ(std::memcmp(a.data_ptr(), b.data_ptr(), size_t(a.nbytes())), 0) << t;
  }
}

TEST_F(OpenCL, PrintingNamesTheDevice) {
  std::ostringstream out;
  out << ember::tensor({1.0f, 2.0f}).to(cl());
  EXPECT_NE(out.str().find("device='opencl:0'"), std::string::npos) << out.str();
}

TEST_F(OpenCL, MixingDevicesNamesBoth) {
  const Tensor a = ember::ones({3}).to(cl()), b = ember::ones({3});
  EXPECT_ERROR_HAS(a + b, "opencl:0", "cpu");
}

TEST_F(OpenCL, UnaryFloat) {
  ember::manual_seed(1);
  using U = Tensor (*)(const Tensor&);
  const std::vector<std::pair<const char*, U>> ops = {
      {"neg", ember::neg},     {"abs", ember::abs},     {"exp", ember::exp},         {"sin", ember::sin},
      {"cos", ember::cos},     {"tanh", ember::tanh},   {"sigmoid", ember::sigmoid}, {"relu", ember::relu},
      {"sign", ember::sign},   {"floor", ember::floor}, {"ceil", ember::ceil},       {"round", ember::round},
      {"trunc", ember::trunc}, {"logical_not", ember::logical_not}};
  for (ember::Dtype dt : {ember::kFloat32, ember::kFloat64}) {
    const Tensor x = randn({6, 7}, dt) * 3;
    for (const auto& [name, fn] : ops) {
      expect_same([&](auto& in) { return fn(in[0]); }, {x}, 1e-5, 1e-6, name);
      expect_same([&](auto& in) { return fn(in[0].transpose(0, 1)); }, {x}, 1e-5, 1e-6, name);  // strided
      expect_same([&](auto& in) { return fn(in[0].slice(1, 1, 6, 2)); }, {x}, 1e-5, 1e-6, name);
    }
    const Tensor pos = ember::rand({5, 4}).to(dt) + 0.1;
    for (const auto& [name, fn] : std::vector<std::pair<const char*, U>>{
             {"log", ember::log}, {"sqrt", ember::sqrt}, {"rsqrt", ember::rsqrt}})
      expect_same([&](auto& in) { return fn(in[0]); }, {pos}, 1e-5, 1e-6, name);
    expect_same([](auto& in) { return ember::clamp(in[0], -0.5, 0.7); }, {x}, 0, 0, "clamp");
    expect_same([](auto& in) { return ember::clamp(in[0], {}, 0.2); }, {x}, 0, 0, "clamp max");
    expect_same([](auto& in) { return ember::relu(in[0]); }, {ember::zeros({0, 4}).to(dt)}, 0, 0, "empty");
  }
  // round is half to even; nan stays nan through clamp and relu
  expect_same([](auto& in) { return ember::round(in[0]); }, {ember::tensor({0.5f, 1.5f, 2.5f, -0.5f, -1.5f})});
  const Tensor nan = ember::tensor({std::nanf(""), 1.0f, -2.0f});
  expect_same([](auto& in) { return ember::clamp(in[0], 0, 0.5); }, {nan});
  expect_same([](auto& in) { return ember::relu(in[0]); }, {nan});
}

TEST_F(OpenCL, UnaryIntegers) {
  for (ember::Dtype dt : {ember::kInt32, ember::kInt64, ember::kUInt8}) {
    const Tensor x = dt == ember::kUInt8 ? ints({4, 5}, 0, 200, dt) : ints({4, 5}, -50, 50, dt);
    expect_same([](auto& in) { return ember::abs(in[0]); }, {x}, 0, 0, "abs");
    expect_same([](auto& in) { return ember::relu(in[0]); }, {x}, 0, 0, "relu");
    expect_same([](auto& in) { return ember::sign(in[0]); }, {x}, 0, 0, "sign");
    expect_same([](auto& in) { return ember::clamp(in[0], 3, 40); }, {x}, 0, 0, "clamp");
    expect_same([](auto& in) { return ember::logical_not(in[0].transpose(0, 1)); }, {x}, 0, 0, "not");
    if (dt != ember::kUInt8) expect_same([](auto& in) { return ember::neg(in[0]); }, {x}, 0, 0, "neg");
  }
  const Tensor b = ints({9}, 0, 2, ember::kInt64).to(ember::kBool);
  expect_same([](auto& in) { return ember::logical_not(in[0]); }, {b});
}

TEST_F(OpenCL, BinaryFloatWithBroadcastingAndViews) {
  ember::manual_seed(2);
  using B = Tensor (*)(const Tensor&, const Tensor&);
  const std::vector<std::pair<const char*, B>> ops = {
      {"mul", ember::mul},      {"div", ember::div},       {"maximum", ember::maximum},
      {"minimum", ember::minimum}, {"eq", ember::eq},      {"ne", ember::ne},
      {"lt", ember::lt},        {"le", ember::le},         {"gt", ember::gt},
      {"ge", ember::ge},        {"logical_and", ember::logical_and}, {"logical_or", ember::logical_or},
      {"logical_xor", ember::logical_xor}};
  for (ember::Dtype dt : {ember::kFloat32, ember::kFloat64}) {
    const Tensor a = randn({4, 5}, dt), b = randn({5}, dt), c = randn({5, 4}, dt), col = randn({4, 1}, dt);
    Tensor eqs = a.clone();
    for (const auto& [name, fn] : ops) {
      expect_same([&](auto& in) { return fn(in[0], in[1]); }, {a, b}, 1e-5, 1e-6, name);       // broadcast row
      expect_same([&](auto& in) { return fn(in[0], in[1].t()); }, {a, c}, 1e-5, 1e-6, name);   // transposed
      expect_same([&](auto& in) { return fn(in[1], in[0]); }, {a, col}, 1e-5, 1e-6, name);    // broadcast column
      expect_same([&](auto& in) { return fn(in[0], in[0]); }, {a}, 1e-5, 1e-6, name);
    }
    expect_same([](auto& in) { return ember::add(in[0], in[1], 2.5); }, {a, b}, 1e-5, 1e-6, "add alpha");
    expect_same([](auto& in) { return ember::sub(in[0], in[1].t(), 0.5); }, {a, c}, 1e-5, 1e-6, "sub alpha");
    expect_same([](auto& in) { return ember::pow(in[0].abs(), in[1]); }, {a, b}, 1e-5, 1e-6, "pow");
    expect_same([](auto& in) { return ember::pow(in[0], 2); }, {a}, 1e-5, 1e-6, "square");
    expect_same([](auto& in) { return in[0] + 1.5; }, {a}, 1e-5, 1e-6, "scalar");
    expect_same([](auto& in) { return ember::where(in[0] > 0, in[0], in[1]); }, {a, b}, 0, 0, "where");
    expect_same([](auto& in) { return ember::mul(in[0], in[1]); }, {ember::zeros({0, 5}).to(dt), b}, 0, 0, "empty");
  }
  const Tensor nan = ember::tensor({std::nanf(""), 1.0f, 2.0f}), other = ember::tensor({0.0f, std::nanf(""), 3.0f});
  expect_same([](auto& in) { return ember::maximum(in[0], in[1]); }, {nan, other});
  expect_same([](auto& in) { return ember::minimum(in[0], in[1]); }, {nan, other});
}

TEST_F(OpenCL, BinaryIntegersAndBool) {
  for (ember::Dtype dt : {ember::kInt32, ember::kInt64, ember::kUInt8}) {
    const Tensor a = ints({3, 4}, 0, 20, dt), b = ints({4}, 0, 20, dt);
    expect_same([](auto& in) { return in[0] + in[1]; }, {a, b}, 0, 0, "add");
    expect_same([](auto& in) { return ember::add(in[0], in[1], 3); }, {a, b}, 0, 0, "add alpha");
    expect_same([](auto& in) { return in[0] - in[1]; }, {a, b}, 0, 0, "sub");
    expect_same([](auto& in) { return in[0] * in[1].unsqueeze(0); }, {a, b}, 0, 0, "mul");
    expect_same([](auto& in) { return ember::pow(in[0], ember::minimum(in[1], ember::full_like(in[1], 3))); },
                {a, b}, 0, 0, "pow");
    expect_same([](auto& in) { return ember::maximum(in[0], in[1]); }, {a, b}, 0, 0, "maximum");
    expect_same([](auto& in) { return ember::lt(in[0].t(), in[1].unsqueeze(1)); }, {a, b}, 0, 0, "lt");
    expect_same([](auto& in) { return ember::where(in[0] > 5, in[0], in[1]); }, {a, b}, 0, 0, "where");
  }
  const Tensor p = ints({6}, 0, 2, ember::kInt64).to(ember::kBool), q = ints({6}, 0, 2, ember::kInt64).to(ember::kBool);
  expect_same([](auto& in) { return ember::logical_xor(in[0], in[1]); }, {p, q});
  expect_same([](auto& in) { return ember::eq(in[0], in[1]); }, {p, q});
  expect_same([](auto& in) { return ember::where(in[0], in[1], in[0]); }, {p, q});
}

TEST_F(OpenCL, Reductions) {
  ember::manual_seed(3);
  for (ember::Dtype dt : {ember::kFloat32, ember::kFloat64}) {
    const Tensor x = randn({5, 6, 7}, dt);
    for (std::vector<int64_t> dims : {std::vector<int64_t>{0}, {1}, {2}, {0, 2}, {0, 1, 2}}) {
      expect_same([&](auto& in) { return in[0].sum(dims); }, {x}, 1e-5, 1e-5, "sum");
      expect_same([&](auto& in) { return in[0].sum(dims, true); }, {x}, 1e-5, 1e-5, "sum keepdim");
      expect_same([&](auto& in) { return in[0].amax(dims); }, {x}, 0, 0, "amax");
      expect_same([&](auto& in) { return in[0].amin(dims); }, {x}, 0, 0, "amin");
      expect_same([&](auto& in) { return in[0].transpose(0, 2).sum(dims); }, {x}, 1e-5, 1e-5, "sum strided");
    }
    expect_same([](auto& in) { return ember::prod(in[0]); }, {ember::rand({10}).to(dt) + 0.5}, 1e-5, 1e-6, "prod");
    expect_same([](auto& in) { return ember::sum(in[0]); }, {x}, 1e-5, 1e-5, "sum all");
    expect_same([](auto& in) { return ember::mean(in[0]); }, {x}, 1e-5, 1e-6, "mean");
    for (int64_t d : {0, 1, 2}) {
      expect_same([&](auto& in) { return std::get<0>(in[0].max(d)); }, {x}, 0, 0, "max values");
      expect_same([&](auto& in) { return std::get<1>(in[0].max(d)); }, {x}, 0, 0, "max indices");
      expect_same([&](auto& in) { return std::get<1>(in[0].transpose(1, 2).min(d, true)); }, {x}, 0, 0, "min");
    }
    expect_same([](auto& in) { return in[0].argmax(); }, {x}, 0, 0, "argmax");
  }
  // A long reduction takes the chunked two-kernel path.
  const Tensor big = ember::rand({300000});
  expect_same([](auto& in) { return ember::sum(in[0]); }, {big}, 1e-6, 1e-3, "big sum");
  expect_same([](auto& in) { return in[0].amax(); }, {big}, 0, 0, "big amax");
  expect_same([](auto& in) { return in[0].reshape({3, 100000}).sum({1}); }, {big}, 1e-6, 1e-3, "big rows");
  // nan propagates; integers sum exactly; all/any write bool; empty sums are 0
  expect_same([](auto& in) { return in[0].amax(); }, {ember::tensor({1.0f, std::nanf(""), 2.0f})});
  expect_same([](auto& in) { return std::get<1>(in[0].max(0)); }, {ember::tensor({1.0f, std::nanf(""), 2.0f})});
  for (ember::Dtype dt : {ember::kInt32, ember::kInt64, ember::kUInt8}) {
    const Tensor n = ints({4, 9}, 0, 100, dt);
    expect_same([](auto& in) { return ember::sum(in[0]); }, {n}, 0, 0, "int sum");
    expect_same([](auto& in) { return in[0].sum({1}); }, {n}, 0, 0, "int sum dim");
    expect_same([](auto& in) { return in[0].amax({0}); }, {n}, 0, 0, "int amax");
    expect_same([](auto& in) { return in[0].amin({1}); }, {n}, 0, 0, "int amin");
    expect_same([](auto& in) { return std::get<1>(in[0].min(1)); }, {n}, 0, 0, "int argmin");
  }
  const Tensor mask = ints({3, 4}, 0, 2, ember::kInt64).to(ember::kBool);
  expect_same([](auto& in) { return ember::all(in[0]); }, {mask}, 0, 0, "all");
  expect_same([](auto& in) { return ember::any(in[0]); }, {mask}, 0, 0, "any");
  expect_same([](auto& in) { return ember::sum(in[0]); }, {mask}, 0, 0, "bool sum");
  expect_same([](auto& in) { return in[0].sum({0}); }, {ember::zeros({0, 3})}, 0, 0, "empty sum");
}

TEST_F(OpenCL, Matmul) {
  ember::manual_seed(4);
  for (auto [b, m, k, n] : std::vector<std::array<int64_t, 4>>{{1, 1, 1, 1}, {2, 17, 33, 5}, {3, 16, 16, 16},
                                                              {1, 40, 7, 65}, {2, 3, 0, 4}, {2, 7, 13, 24}, {1, 64, 64, 64}}) {
    const Tensor x = randn({b, m, k}), y = randn({b, k, n});
    expect_same([](auto& in) { return ember::bmm(in[0], in[1]); }, {x, y}, 1e-5, 1e-5, "bmm");
  }
  const Tensor a = randn({20, 30}), w = randn({25, 30});
  expect_same([](auto& in) { return ember::matmul(in[0], in[1].t()); }, {a, w}, 1e-5, 1e-5, "transposed");
  expect_same([](auto& in) { return ember::matmul(in[0].t(), in[0]); }, {a}, 1e-5, 1e-5, "both strided");
  // the register-blocked kernel (dense rows of B, 8 | N) with a strided A and a row tail
  expect_same([](auto& in) { return ember::matmul(in[0].t(), in[1]); }, {randn({12, 9}), randn({12, 16})}, 1e-5,
              1e-5, "blocked");
  expect_same([](auto& in) { return ember::matmul(in[0], in[1]); }, {randn({4, 3, 5}), randn({5, 2})}, 1e-5, 1e-5,
              "broadcast");
  expect_same([](auto& in) { return ember::mm(in[0], in[1]); }, {randn({8, 9}, ember::kFloat64),
                                                                 randn({9, 3}, ember::kFloat64)}, 1e-10, 1e-10, "f64");
  expect_same([](auto& in) { return ember::mm(in[0], in[1]); },
              {ints({5, 6}, -9, 9, ember::kInt64), ints({6, 7}, -9, 9, ember::kInt64)}, 0, 0, "int64");
}

TEST_F(OpenCL, CopyFillArange) {
  const std::vector<ember::Dtype> dtypes = {ember::kFloat32, ember::kFloat64, ember::kInt32,
                                            ember::kInt64,   ember::kBool,    ember::kUInt8};
  const Tensor src = ember::tensor({0.0f, 1.0f, 2.75f, 3.5f, 100.0f, 7.25f});
  for (ember::Dtype from : dtypes)
    for (ember::Dtype to : dtypes) {
      const Tensor x = src.to(from).reshape({2, 3});
      expect_same([&](auto& in) { return in[0].to(to); }, {x}, 0, 0, "cast");
      expect_same([&](auto& in) { return in[0].t().to(to).contiguous(); }, {x}, 0, 0, "strided cast");
    }
  expect_same([](auto& in) { return in[0].t().contiguous(); }, {randn({3, 4})}, 0, 0, "strided copy");
  expect_same([](auto& in) {
    Tensor d = ember::zeros({4, 4}, in[0].options());
    d.slice(1, 1, 3).copy_(in[0]);
    return d;
  }, {randn({4, 2})}, 0, 0, "copy into a view");
  for (ember::Dtype dt : dtypes) {
    expect_same([&](auto& in) { return ember::full({3, 2}, 5, in[0].options().dtype(dt)); }, {randn({1})}, 0, 0,
                "fill");
    if (dt != ember::kBool)  // as PyTorch, arange has no bool
      expect_same([&](auto& in) { return ember::arange(2, 9, 2, in[0].options().dtype(dt)); }, {randn({1})}, 0, 0,
                  "arange");
  }
  expect_same([](auto& in) { return ember::arange(0.5, 3.0, 0.25, in[0].options()); }, {randn({1})}, 0, 0,
              "float arange");
  expect_same([](auto& in) {
    Tensor z = ember::zeros({3, 4}, in[0].options());
    z.t().fill_(2.5);
    z.slice(0, 0, 2).fill_(-1);
    return z;
  }, {randn({1})}, 0, 0, "fill views");
}

TEST_F(OpenCL, IndexOps) {
  ember::manual_seed(5);
  const Tensor x = randn({5, 6});
  const Tensor idx = ember::tensor({4, 0, 0, 3}, ember::TensorOptions().dtype(ember::kInt64));
  for (int64_t d : {0, 1}) {
    expect_same([&](auto& in) { return ember::index_select(in[0], d, in[1]); }, {x, idx}, 0, 0, "index_select");
    expect_same([&](auto& in) { return ember::index_select(in[0].t(), d, in[1]); }, {x, idx}, 0, 0, "strided");
  }
  expect_same([](auto& in) { return ember::index_select(in[0], 0, in[1]); },
              {ints({5, 3}, 0, 9, ember::kInt32), idx}, 0, 0, "int index_select");
  const Tensor g = ints({5, 6}, 0, 5, ember::kInt64);
  expect_same([](auto& in) { return ember::gather(in[0], 0, in[1]); }, {x, g}, 0, 0, "gather 0");
  expect_same([](auto& in) { return ember::gather(in[0], 1, in[1].slice(1, 0, 3)); }, {x, g}, 0, 0, "gather 1");
  // duplicates add up, in the CPU's order, so even floats agree exactly
  const Tensor src = randn({5, 6});
  expect_same([](auto& in) { return ember::scatter_add(ember::zeros({5, 6}, in[0].options()), 0, in[1], in[0]); },
              {src, g}, 0, 0, "scatter_add 0");
  expect_same([](auto& in) { return ember::scatter_add(in[0], 1, in[1].slice(1, 0, 4), in[0]); }, {src, g}, 0, 0,
              "scatter_add 1");
  expect_same([](auto& in) { return ember::scatter_add(in[0], 0, in[1], in[0]); },
              {ints({5, 6}, 0, 9, ember::kInt64), g}, 0, 0, "int scatter_add");
  // out-of-range indices are reported with the index and the size
  const Tensor bad = ember::tensor({1, 7}, ember::TensorOptions().dtype(ember::kInt64)).to(cl());
  EXPECT_ERROR_HAS(ember::index_select(x.to(cl()), 0, bad), "index 7", "size 5");
  EXPECT_ERROR_HAS(ember::gather(x.to(cl()), 1, bad.reshape({1, 2})), "index 7", "size 6");
}

TEST_F(OpenCL, RandomDistributions) {
  ember::manual_seed(6);
  const auto opts = ember::TensorOptions().device(cl());
  const int64_t n = 200000;
  const Tensor u = ember::rand({n}, opts);
  EXPECT_EQ(u.device(), cl());
  EXPECT_GE(u.min().item<float>(), 0.0f);
  EXPECT_LT(u.max().item<float>(), 1.0f);
  EXPECT_NEAR(u.mean().item<double>(), 0.5, 0.01);
  EXPECT_NEAR(u.var().item<double>(), 1.0 / 12, 0.005);
  const Tensor z = ember::randn({n}, opts) * 2 + 1;
  EXPECT_NEAR(z.mean().item<double>(), 1.0, 0.03);
  EXPECT_NEAR(z.std().item<double>(), 2.0, 0.03);
  const Tensor r = ember::randint(-3, 5, {n}, opts.dtype(ember::kInt64));
  EXPECT_EQ(r.min().item<int64_t>(), -3);
  EXPECT_EQ(r.max().item<int64_t>(), 4);
  EXPECT_NEAR(r.to(ember::kFloat64).mean().item<double>(), 0.5, 0.05);
  const Tensor b = ember::bernoulli(ember::zeros({n}, opts), 0.3);
  EXPECT_NEAR(b.mean().item<double>(), 0.3, 0.01);
  const Tensor p = ember::full({n}, 0.8, opts);
  EXPECT_NEAR(ember::bernoulli(p).mean().item<double>(), 0.8, 0.01);
  const Tensor perm = ember::randperm(1000, opts.dtype(ember::kInt64));
  EXPECT_EQ(perm.device(), cl());
  std::vector<int64_t> v = perm.to_vector<int64_t>();
  std::sort(v.begin(), v.end());
  for (int64_t i = 0; i < 1000; ++i) ASSERT_EQ(v[size_t(i)], i);
  EXPECT_FALSE(ember::equal(perm.to(kCpu), ember::arange(1000, ember::TensorOptions().dtype(ember::kInt64))));
  // a seed gives the same stream again, and successive draws differ
  ember::manual_seed(7);
  const Tensor first = ember::rand({100}, opts);
  const Tensor second = ember::rand({100}, opts);
  ember::manual_seed(7);
  EXPECT_TRUE(ember::equal(ember::rand({100}, opts).to(kCpu), first.to(kCpu)));
  EXPECT_FALSE(ember::equal(first.to(kCpu), second.to(kCpu)));
  // strided outputs are filled through their strides
  Tensor t = ember::zeros({50, 40}, opts);
  t.t().uniform_(2, 3);
  EXPECT_GE(t.min().item<float>(), 2.0f);
}

TEST_F(OpenCL, Softmax) {
  const Tensor x = randn({4, 7, 3}) * 4;
  for (int64_t d : {0, 1, 2}) {
    expect_same([&](auto& in) { return in[0].softmax(d); }, {x}, 1e-5, 1e-6, "softmax");
    expect_same([&](auto& in) { return in[0].transpose(0, 2).log_softmax(d); }, {x}, 1e-5, 1e-5, "log_softmax");
  }
}

TEST_F(OpenCL, ConvolutionAndPooling) {
  ember::manual_seed(8);
  const Tensor img = randn({2, 3, 9, 8}), w = randn({4, 3, 3, 3}), bias = randn({4});
  expect_same([](auto& in) { return F::conv2d(in[0], in[1], F::Conv2dFuncOptions().bias(in[2])); },
              {img, w, bias}, 1e-4, 1e-5, "conv2d");
  expect_same([](auto& in) { return F::conv2d(in[0], in[1], F::Conv2dFuncOptions().stride(2).padding(1).dilation(2)); },
              {img, w}, 1e-4, 1e-5, "conv2d strided");
  expect_same([](auto& in) { return F::fold(F::unfold(in[0], F::UnfoldFuncOptions(3).padding(1)),
                                            F::FoldFuncOptions({9, 8}, 3).padding(1)); },
              {img}, 1e-5, 1e-5, "fold(unfold)");
  expect_same([](auto& in) { return F::max_pool2d(in[0], F::MaxPool2dFuncOptions(2)); }, {img}, 0, 0, "pool");
  expect_same([](auto& in) { return std::get<1>(F::max_pool2d_with_indices(in[0].transpose(2, 3),
                                                                           F::MaxPool2dFuncOptions(3).stride(2).padding(1))); },
              {img}, 0, 0, "pool indices");
}

// Trains the same model on the CPU and on OpenCL; the parameters must agree.
template <typename Model, typename Step>
void expect_same_training(Model cpu_model, Model cl_model, Step step, int steps) {
  cl_model->to(cl());
  optim::Adam cpu_opt(cpu_model->parameters(), optim::AdamOptions(1e-2));
  optim::Adam cl_opt(cl_model->parameters(), optim::AdamOptions(1e-2));
  for (int i = 0; i < steps; ++i) {
    step(cpu_model, cpu_opt, kCpu);
    step(cl_model, cl_opt, cl());
  }
  const auto a = cpu_model->parameters(), b = cl_model->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i].device(), cl());
    EXPECT_TRUE(ember::allclose(b[i].to(kCpu), a[i], 1e-4, 1e-4)) << i << "\n" << (b[i].to(kCpu) - a[i]).abs().max();
  }
}

struct MlpImpl : nn::Module {
  MlpImpl() {
    fc1 = register_module("fc1", nn::Linear(10, 32));
    fc2 = register_module("fc2", nn::Linear(32, 3));
  }
  Tensor forward(const Tensor& x) { return fc2(ember::relu(fc1(x))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
EMBER_MODULE(Mlp);

TEST_F(OpenCL, TrainsAnMlpLikeTheCpu) {
  ember::manual_seed(9);
  Mlp cpu_model;
  ember::manual_seed(9);
  Mlp cl_model;
  const Tensor x = randn({16, 10}), labels = ints({16}, 0, 3, ember::kInt64), target = randn({16, 3});
  expect_same_training(cpu_model, cl_model, [&](Mlp& m, optim::Optimizer& opt, const ember::Device& d) {
    opt.zero_grad();
    const Tensor out = m(x.to(d));
    const Tensor loss = F::cross_entropy(out, labels.to(d)) + F::mse_loss(out, target.to(d));
    loss.backward();
    opt.step();
  }, 5);
  // and plain SGD
  ember::manual_seed(10);
  Mlp a;
  ember::manual_seed(10);
  Mlp b;
  b->to(cl());
  optim::SGD sa(a->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  optim::SGD sb(b->parameters(), optim::SGDOptions(0.1).momentum(0.9));
  for (int i = 0; i < 5; ++i) {
    for (auto [m, o, d] : {std::tuple<Mlp*, optim::SGD*, ember::Device>{&a, &sa, kCpu}, {&b, &sb, cl()}}) {
      o->zero_grad();
      F::mse_loss((*m)(x.to(d)), target.to(d)).backward();
      o->step();
    }
  }
  for (size_t i = 0; i < a->parameters().size(); ++i)
    EXPECT_TRUE(ember::allclose(b->parameters()[i].to(kCpu), a->parameters()[i], 1e-4, 1e-4));
}

struct CnnImpl : nn::Module {
  CnnImpl() {
    conv = register_module("conv", nn::Conv2d(nn::Conv2dOptions(1, 4, 3).padding(1)));
    pool = register_module("pool", nn::MaxPool2d(2));
    fc = register_module("fc", nn::Linear(4 * 4 * 4, 3));
  }
  Tensor forward(const Tensor& x) { return fc(pool(ember::relu(conv(x))).flatten(1)); }
  nn::Conv2d conv{nullptr};
  nn::MaxPool2d pool{nullptr};
  nn::Linear fc{nullptr};
};
EMBER_MODULE(Cnn);

TEST_F(OpenCL, TrainsACnnLikeTheCpu) {
  ember::manual_seed(11);
  Cnn cpu_model;
  ember::manual_seed(11);
  Cnn cl_model;
  const Tensor x = randn({6, 1, 8, 8}), labels = ints({6}, 0, 3, ember::kInt64);
  expect_same_training(cpu_model, cl_model, [&](Cnn& m, optim::Optimizer& opt, const ember::Device& d) {
    opt.zero_grad();
    F::cross_entropy(m(x.to(d)), labels.to(d)).backward();
    opt.step();
  }, 4);
}

// float16 and bfloat16 are storage types computed in float, as on the CPU:
// conversions and exact ops bit for bit, transcendental ones within a few
// units in the last place of the type.
const std::vector<ember::Dtype> kHalfTypes = {ember::kFloat16, ember::kBFloat16};

double half_rtol(ember::Dtype dt) { return dt == ember::kFloat16 ? 2e-3 : 1.6e-2; }

// Like expect_same, but the results must be identical bit for bit (nan
// payloads and signed zeros included).
void expect_bits(const Op& op, const std::vector<Tensor>& inputs, const std::string& what = "") {
  std::vector<Tensor> on_cl;
  for (const Tensor& t : inputs) on_cl.push_back(t.to(cl()));
  const Tensor want = op(inputs).contiguous();
  const Tensor got = op(on_cl);
  ASSERT_EQ(got.device(), cl()) << what;
  ASSERT_EQ(got.dtype(), want.dtype()) << what;
  ASSERT_EQ(got.sizes().vec(), want.sizes().vec()) << what;
  const Tensor back = got.to(kCpu).contiguous();
  EXPECT_EQ(std::memcmp(back.data_ptr(), want.data_ptr(), size_t(want.nbytes())), 0)
      << what << "\nopencl:\n" << back << "\ncpu:\n" << want;
}

// Floats that probe the conversions: ties to even, overflow, subnormals,
// underflow, infinities, nans of both signs, signed zeros.
Tensor conversion_probes() {
  const float inf = std::numeric_limits<float>::infinity(), nan = std::numeric_limits<float>::quiet_NaN();
  return ember::tensor(std::vector<float>{
      0.0f, -0.0f, 1.0f / 3, -2.5f, 65504.0f, 65519.0f, 65520.0f, 1e6f, -1e6f, 1e-8f, 2.98023224e-8f,
      2.9802326e-8f, 3e-5f, -6.1e-5f, 1e-40f, 1.0f + 0x1p-11f, 1.0f + 3 * 0x1p-11f, 1.0f + 0x1p-8f,
      1.0f + 3 * 0x1p-8f, 3.0e38f, inf, -inf, nan, -nan, 123.456f, 0.1f});
}

TEST_F(OpenCL, HalfConversionsAreBitExact) {
  const Tensor probes = conversion_probes();
  const std::vector<ember::Dtype> all = {ember::kFloat32, ember::kFloat64, ember::kInt32, ember::kInt64,
                                         ember::kBool,    ember::kUInt8,   ember::kFloat16, ember::kBFloat16};
  for (ember::Dtype dt : kHalfTypes) {
    // float -> half, and back; then between the half types
    expect_bits([&](auto& in) { return in[0].to(dt); }, {probes}, "float to half");
    expect_bits([&](auto& in) { return in[0].to(ember::kFloat64).to(dt); }, {probes}, "double to half");
    expect_bits([&](auto& in) { return in[0].to(ember::kFloat32); }, {probes.to(dt)}, "half to float");
    expect_bits([&](auto& in) { return in[0].t().contiguous(); }, {probes.reshape({2, 13}).to(dt)}, "strided copy");
    // every other dtype, both ways, on values each holds
    const Tensor small = ember::tensor({0.0f, 1.0f, 2.75f, 3.5f, 100.0f, 7.25f}).reshape({2, 3});
    for (ember::Dtype other : all) {
      expect_bits([&](auto& in) { return in[0].to(dt); }, {small.to(other)}, "cast to half");
      expect_bits([&](auto& in) { return in[0].to(other); }, {small.to(dt)}, "cast from half");
      expect_bits([&](auto& in) { return in[0].t().to(other); }, {small.to(dt)}, "strided cast from half");
    }
    expect_bits([&](auto& in) { return ember::full({3, 2}, 0.1, in[0].options().dtype(dt)); }, {randn({1})}, "fill");
    expect_bits([&](auto& in) { return ember::arange(0.5, 3.0, 0.3, in[0].options().dtype(dt)); }, {randn({1})},
                "arange");
    expect_bits([&](auto& in) { return ember::arange(2, 9, 2, in[0].options().dtype(dt)); }, {randn({1})},
                "integer arange");
  }
}

TEST_F(OpenCL, HalfElementwise) {
  ember::manual_seed(11);
  using U = Tensor (*)(const Tensor&);
  const std::vector<std::pair<const char*, U>> exact = {
      {"neg", ember::neg},   {"abs", ember::abs},     {"relu", ember::relu},   {"sign", ember::sign},
      {"floor", ember::floor}, {"ceil", ember::ceil}, {"round", ember::round}, {"trunc", ember::trunc},
      {"logical_not", ember::logical_not}};
  const std::vector<std::pair<const char*, U>> transcendental = {
      {"exp", ember::exp}, {"sin", ember::sin}, {"cos", ember::cos}, {"tanh", ember::tanh}, {"sigmoid", ember::sigmoid}};
  for (ember::Dtype dt : kHalfTypes) {
    const double rtol = half_rtol(dt);
    const Tensor x = (randn({6, 7}) * 3).to(dt), y = (randn({6, 7}) * 3).to(dt);
    for (const auto& [name, fn] : exact) {
      expect_bits([&](auto& in) { return fn(in[0]); }, {x}, name);
      expect_bits([&](auto& in) { return fn(in[0].transpose(0, 1)); }, {x}, name);
    }
    for (const auto& [name, fn] : transcendental)
      expect_same([&](auto& in) { return fn(in[0].transpose(0, 1)); }, {x}, rtol, 1e-4, name);
    const Tensor pos = (ember::rand({5, 4}) + 0.1).to(dt);
    for (const auto& [name, fn] : std::vector<std::pair<const char*, U>>{
             {"log", ember::log}, {"sqrt", ember::sqrt}, {"rsqrt", ember::rsqrt}})
      expect_same([&](auto& in) { return fn(in[0]); }, {pos}, rtol, 1e-4, name);
    expect_bits([](auto& in) { return ember::clamp(in[0], -0.5, 0.7); }, {x}, "clamp");
    // the basic arithmetic is one float operation rounded once: exact
    expect_bits([](auto& in) { return in[0] + in[1]; }, {x, y}, "add");
    expect_bits([](auto& in) { return ember::add(in[0], in[1].slice(0, 0, 1), 0.3); }, {x, y}, "add alpha broadcast");
    expect_bits([](auto& in) { return in[0] - in[1].t().t(); }, {x, y}, "sub");
    expect_bits([](auto& in) { return in[0] * in[1]; }, {x, y}, "mul");
    expect_bits([](auto& in) { return in[0] / in[1]; }, {x, y}, "div");
    expect_bits([](auto& in) { return in[0] * 2.5; }, {x}, "mul scalar");
    expect_bits([](auto& in) { return ember::maximum(in[0], in[1]); }, {x, y}, "maximum");
    expect_bits([](auto& in) { return ember::minimum(in[0], in[1]); }, {x, y}, "minimum");
    expect_same([](auto& in) { return ember::pow(in[0], in[1]); }, {pos, pos}, rtol, 1e-4, "pow");
    expect_bits([](auto& in) { return in[0] < in[1]; }, {x, y}, "lt");
    expect_bits([](auto& in) { return in[0] == in[1].slice(1, 0, 1); }, {x, x}, "eq");
    expect_bits([](auto& in) { return ember::logical_and(in[0], in[1]); }, {x.relu(), y}, "logical_and");
    expect_bits([](auto& in) { return ember::where(in[0] > in[1], in[0], in[1]); }, {x, y}, "where");
  }
}

TEST_F(OpenCL, HalfReductionsIndexingAndNn) {
  ember::manual_seed(12);
  for (ember::Dtype dt : kHalfTypes) {
    const double rtol = half_rtol(dt);
    const Tensor x = randn({4, 67, 3}).to(dt);
    // sums accumulate in double on both devices: exact
    expect_bits([](auto& in) { return in[0].sum(); }, {x}, "sum");
    expect_bits([](auto& in) { return in[0].sum({1}); }, {x}, "sum dim");
    expect_same([](auto& in) { return in[0].prod(2); }, {x}, 1e-3, 1e-5, "prod");
    expect_bits([](auto& in) { return in[0].amax({0, 2}); }, {x}, "amax");
    expect_bits([](auto& in) { return in[0].amin(); }, {x}, "amin");
    expect_bits([](auto& in) { return std::get<0>(in[0].max(1)); }, {x}, "max values");
    expect_bits([](auto& in) { return std::get<1>(in[0].min(1)); }, {x}, "min indices");
    expect_bits([](auto& in) { return in[0].any(1); }, {x.relu()}, "any");
    expect_bits([](auto& in) { return in[0].all(1); }, {x.relu()}, "all");
    const Tensor m = randn({5, 6}).to(dt);
    const Tensor idx = ember::tensor({4, 0, 0, 3}, ember::TensorOptions().dtype(ember::kInt64));
    const Tensor g = ints({5, 6}, 0, 5, ember::kInt64);
    expect_bits([&](auto& in) { return ember::index_select(in[0].t(), 1, in[1]); }, {m, idx}, "index_select");
    expect_bits([](auto& in) { return ember::gather(in[0], 0, in[1]); }, {m, g}, "gather");
    expect_bits([](auto& in) { return ember::scatter_add(in[0], 0, in[1], in[0]); }, {m, g}, "scatter_add");
    expect_same([](auto& in) { return in[0].softmax(1); }, {x}, rtol, 1e-4, "softmax");
    expect_same([](auto& in) { return in[0].transpose(0, 2).log_softmax(0); }, {x}, rtol, 1e-3, "log_softmax");
    expect_same([](auto& in) { return ember::matmul(in[0], in[1]); }, {m, m.t()}, rtol, 1e-2, "matmul");
    const Tensor img = randn({2, 3, 9, 8}).to(dt);
    expect_bits([](auto& in) { return F::unfold(in[0], F::UnfoldFuncOptions(3).padding(1)); }, {img}, "unfold");
    expect_bits([](auto& in) { return F::fold(F::unfold(in[0], F::UnfoldFuncOptions(3).padding(1)),
                                              F::FoldFuncOptions({9, 8}, 3).padding(1)); },
                {img}, "fold(unfold)");
    expect_bits([](auto& in) { return F::max_pool2d(in[0], F::MaxPool2dFuncOptions(2)); }, {img}, "pool");
    expect_bits([](auto& in) { return std::get<1>(F::max_pool2d_with_indices(in[0].transpose(2, 3),
                                                                             F::MaxPool2dFuncOptions(3).stride(2))); },
                {img}, "pool indices");
  }
}

TEST_F(OpenCL, HalfRandomFills) {
  ember::manual_seed(13);
  for (ember::Dtype dt : kHalfTypes) {
    const auto opts = ember::TensorOptions().device(cl()).dtype(dt);
    const int64_t n = 100000;
    const Tensor u = ember::rand({n}, opts);
    EXPECT_EQ(u.device(), cl());
    EXPECT_EQ(u.dtype(), dt);
    const Tensor u64 = u.to(ember::kFloat64);
    EXPECT_GE(u64.min().item<double>(), 0.0);
    EXPECT_LT(u64.max().item<double>(), 1.0);
    EXPECT_NEAR(u64.mean().item<double>(), 0.5, 0.01);
    const Tensor w = ember::empty({n}, opts).uniform_(-2, 3).to(ember::kFloat64);
    EXPECT_GE(w.min().item<double>(), -2.0);
    EXPECT_LT(w.max().item<double>(), 3.0);
    const Tensor z = ember::randn({n}, opts).to(ember::kFloat64);
    EXPECT_NEAR(z.mean().item<double>(), 0.0, 0.03);
    EXPECT_NEAR(z.std().item<double>(), 1.0, 0.03);
    const Tensor b = ember::bernoulli(ember::full({n}, 0.3, opts)).to(ember::kFloat64);
    EXPECT_NEAR(b.mean().item<double>(), 0.3, 0.01);
    const Tensor r = ember::randint(0, 10, {n}, opts).to(ember::kFloat64);
    EXPECT_EQ(r.min().item<double>(), 0.0);
    EXPECT_EQ(r.max().item<double>(), 9.0);
    std::vector<float> perm = ember::randperm(100, opts).to_vector<float>();
    std::sort(perm.begin(), perm.end());
    for (int i = 0; i < 100; ++i) ASSERT_EQ(perm[size_t(i)], float(i));
  }
}

TEST_F(OpenCL, HalfTypesRunOnTheDevice) {
  // float16 used to fall back to the CPU; now strict mode is satisfied and
  // no op is recorded as having fallen back. (Every primitive has an OpenCL
  // kernel; the fallback itself is covered by tests/plugins.)
  ember::reset_fallback_ops();
  const Tensor h = ember::tensor({1.0f, 2.5f}).to(ember::kFloat16).to(cl());
  const Tensor sum = h + h;
  EXPECT_EQ(sum.device(), cl());
  EXPECT_EQ(sum.to_vector<float>(), (std::vector<float>{2.0f, 5.0f}));
  EXPECT_TRUE(ember::fallback_ops().empty());
}

}  // namespace
