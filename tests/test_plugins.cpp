// Plugin loading and dispatch across devices, with the test plugins of
// tests/plugins on EMBER_PLUGIN_PATH: a minimal "testdev" backend (fill and
// add only, two devices) and one plugin for each way loading can fail.
#include <gtest/gtest.h>

#include <ember/ember.h>
#include <ember/sdk/abi.h>

#include "test_util.h"

#include <algorithm>
#include <functional>

namespace {

using ember_test::error_of;

ember::plugins::PluginInfo find_plugin(const std::string& file_part) {
  for (const auto& p : ember::plugins::list())
    if (p.path.find(file_part) != std::string::npos) return p;
  ADD_FAILURE() << "no plugin file matching " << file_part;
  return {};
}

const ember::Device kTestdev0("testdev:0");

TEST(Plugins, CpuAndTestdevLoad) {
  const auto cpu = find_plugin("libember-backend-cpu.so");
  EXPECT_TRUE(cpu.loaded) << cpu.reason;
  EXPECT_EQ(cpu.name, "cpu");
  EXPECT_EQ(cpu.device_types, std::vector<std::string>{"cpu"});
  const auto testdev = find_plugin("libember-backend-testdev.so");
  EXPECT_TRUE(testdev.loaded) << testdev.reason;
  EXPECT_EQ(testdev.version, "1.0");
}

TEST(Plugins, MissingEntryPointIsRecorded) {
  const auto p = find_plugin("libember-plugin-no-entry-point.so");
  EXPECT_FALSE(p.loaded);
  EXPECT_NE(p.reason.find("does not export 'ember_plugin_entry'"), std::string::npos) << p.reason;
}

TEST(Plugins, AbiOutOfRangeNamesBothVersions) {
  const auto p = find_plugin("libember-plugin-abi-out-of-range.so");
  EXPECT_FALSE(p.loaded);
  EXPECT_EQ(p.name, "future");
  EXPECT_NE(p.reason.find("ABI mismatch"), std::string::npos) << p.reason;
  EXPECT_NE(p.reason.find("998 to 999"), std::string::npos) << p.reason;
  EXPECT_NE(p.reason.find("core speaks version " + std::to_string(EMBER_ABI_VERSION)), std::string::npos) << p.reason;
}

TEST(Plugins, MissingDependencyIsRecorded) {
  const auto p = find_plugin("libember-plugin-missing-dependency.so");
  EXPECT_FALSE(p.loaded);
  EXPECT_NE(p.reason.find("cannot load the library"), std::string::npos) << p.reason;
  EXPECT_NE(p.reason.find("libember-test-dependency.so"), std::string::npos) << p.reason;
}

TEST(Plugins, ProbeFailureIsRecorded) {
  const auto p = find_plugin("libember-plugin-no-device.so");
  EXPECT_FALSE(p.loaded);
  EXPECT_NE(p.reason.find("no usable device: no test accelerator present"), std::string::npos) << p.reason;
}

TEST(Plugins, ExplicitLoadOfAMissingFileIsRecordedNotThrown) {
  const auto p = ember::plugins::load("/nonexistent/libember-backend-ghost.so");
  EXPECT_FALSE(p.loaded);
  EXPECT_NE(p.reason.find("cannot load the library"), std::string::npos) << p.reason;
}

TEST(Plugins, LoadingALoadedPluginAgainReturnsIt) {
  const auto first = find_plugin("libember-backend-testdev.so");
  const auto again = ember::plugins::load(first.path);
  EXPECT_TRUE(again.loaded);
  EXPECT_EQ(again.path, first.path);
}

TEST(Plugins, SearchPathStartsWithTheEnvironment) {
  const auto dirs = ember::plugins::search_path();
  ASSERT_GE(dirs.size(), 2u);
  EXPECT_NE(dirs[0].find("lib/ember/plugins"), std::string::npos);
}

TEST(Plugins, DevicesOfEveryLoadedBackend) {
  const auto all = ember::devices();
  EXPECT_NE(std::find(all.begin(), all.end(), ember::Device("cpu")), all.end());
  EXPECT_NE(std::find(all.begin(), all.end(), ember::Device("testdev:1")), all.end());
  EXPECT_TRUE(ember::is_available(ember::DeviceType("testdev")));
  EXPECT_EQ(ember::device_count(ember::DeviceType("testdev")), 2);
  const std::string message = error_of([] { ember::ones({1}, ember::Device("testdev:2")); });
  EXPECT_NE(message.find("there are 2 devices of type 'testdev'"), std::string::npos) << message;
  EXPECT_NE(message.find("testdev:0, testdev:1"), std::string::npos) << message;
}

TEST(Dispatch, KernelsRunOnTheDevice) {
  auto a = ember::ones({2, 3}, kTestdev0);
  auto b = ember::full({3}, 2.5, kTestdev0);
  EXPECT_EQ(a.device(), kTestdev0);
  testing::internal::CaptureStderr();
  auto c = a + b;  // add is a testdev kernel, broadcast through strides
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(c.device(), kTestdev0);
  EXPECT_EQ(c.to_vector<float>(), std::vector<float>(6, 3.5f));
}

TEST(Dispatch, MissingKernelFallsBackToTheCpuOnceWarned) {
  auto a = ember::full({4}, 3.0, kTestdev0);
  testing::internal::CaptureStderr();
  auto product = a * a;  // no mul kernel on testdev
  auto again = a * a;
  const std::string warnings = testing::internal::GetCapturedStderr();
  EXPECT_EQ(product.device(), kTestdev0);
  EXPECT_EQ(product.to_vector<float>(), std::vector<float>(4, 9.0f));
  EXPECT_EQ(again.to_vector<float>(), std::vector<float>(4, 9.0f));
  EXPECT_NE(warnings.find("'mul' has no kernel for device type 'testdev'"), std::string::npos) << warnings;
  EXPECT_EQ(warnings.find("'mul'"), warnings.rfind("'mul'")) << "warned more than once: " << warnings;
}

TEST(Dispatch, DeclinedCaseFallsBack) {
  // testdev's add declines int64: the CPU computes it.
  auto a = ember::arange(4).to(kTestdev0);
  EXPECT_EQ((a + a).to_vector<int64_t>(), (std::vector<int64_t>{0, 2, 4, 6}));
}

TEST(Dispatch, StrictModeTurnsFallbackIntoAnError) {
  auto a = ember::full({2}, 1.0, kTestdev0);
  ember::set_fallback(ember::FallbackMode::Strict);
  const std::string message = error_of([&] { auto b = a.exp(); });
  ember::set_fallback(ember::FallbackMode::Warn);
  EXPECT_NE(message.find("exp"), std::string::npos) << message;
  EXPECT_NE(message.find("'testdev'"), std::string::npos) << message;
  EXPECT_NE(message.find("strict"), std::string::npos) << message;
  EXPECT_EQ(a.to_vector<float>(), std::vector<float>(2, 1.0f)) << "a failed op changed its input";
}

TEST(Dispatch, MixingDevicesNamesBoth) {
  auto a = ember::ones({2}, kTestdev0);
  auto b = ember::ones({2});
  const std::string message = error_of([&] { auto c = a + b; });
  EXPECT_NE(message.find("testdev:0"), std::string::npos) << message;
  EXPECT_NE(message.find("cpu"), std::string::npos) << message;
}

TEST(Dispatch, MovesBetweenDevicesBitExactly) {
  auto host = ember::tensor({1.5f, -0.0f, 3.25e-20f, 1e30f, -7.0f, 0.1f});
  auto there = host.to(ember::Device("testdev:1"));
  EXPECT_EQ(there.device(), ember::Device("testdev:1"));
  auto back = there.to(ember::kCPU);
  EXPECT_TRUE(back.equal(host));
  EXPECT_EQ(back.to_vector<float>(), host.to_vector<float>());
  // A strided source and destination, across devices.
  auto matrix = ember::arange(6, ember::kFloat32).reshape({2, 3});
  auto remote = ember::zeros({3, 2}, kTestdev0);
  remote.copy_(matrix.t());
  EXPECT_EQ(remote.to_vector<float>(), (std::vector<float>{0, 3, 1, 4, 2, 5}));
  auto transposed_back = ember::zeros({2, 3});
  transposed_back.t().copy_(remote);
  EXPECT_TRUE(transposed_back.equal(matrix));
}

TEST(Dispatch, HostPointerOfADeviceTensorIsAnError) {
  auto a = ember::ones({2}, kTestdev0);
  const std::string message = error_of([&] { a.data_ptr<float>(); });
  EXPECT_NE(message.find("not addressable from the host"), std::string::npos) << message;
}

TEST(Dispatch, PrintingShowsTheDevice) {
  auto a = ember::tensor({1.0f, 2.0f}).to(kTestdev0);
  EXPECT_EQ(ember::to_string(a), "tensor([1., 2.], device='testdev:0')");
}

}  // namespace

#include <dlfcn.h>

namespace {

// A counter inside the testdev plugin, read through the loaded library.
int testdev_relu_backward_calls() {
  const auto testdev = find_plugin("libember-backend-testdev.so");
  void* handle = dlopen(testdev.path.c_str(), RTLD_NOW | RTLD_NOLOAD);
  EXPECT_NE(handle, nullptr);
  auto* counter = static_cast<int*>(dlsym(handle, "ember_testdev_relu_backward_calls"));
  EXPECT_NE(counter, nullptr);
  const int value = counter ? *counter : -1;
  dlclose(handle);
  return value;
}

TEST(Autograd, BackwardRunsOnTheTensorsDevice) {
  auto x = ember::tensor({1.0f, -2.0f, 3.0f}).to(kTestdev0).requires_grad_();
  auto y = (x * x + x).sum();  // mul and sum fall back; the graph stays on testdev
  y.backward();
  EXPECT_EQ(x.grad().device(), kTestdev0);
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{3, -3, 7}));
}

TEST(Autograd, ADeviceCanOverrideABuiltInFormula) {
  auto x = ember::tensor({1.0f, -2.0f, 3.0f}).to(kTestdev0).requires_grad_();
  const int before = testdev_relu_backward_calls();
  x.relu().sum().backward();
  EXPECT_EQ(testdev_relu_backward_calls(), before + 1) << "testdev's own ReluBackward0 did not run";
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{1, 0, 1}));
  // On the CPU the core's formula runs.
  auto h = ember::tensor({1.0f, -2.0f}, ember::requires_grad());
  h.relu().sum().backward();
  EXPECT_EQ(testdev_relu_backward_calls(), before + 1);
  EXPECT_EQ(h.grad().to_vector<float>(), (std::vector<float>{1, 0}));
}

TEST(Autograd, APluginAddsAnOpWithItsFormula) {
  auto x = ember::tensor({1.0f, 2.0f, -3.0f}).to(kTestdev0).requires_grad_();
  auto y = ember::call_op("scaled_square", {x}, {0.5})[0];
  EXPECT_EQ(y.device(), kTestdev0);
  EXPECT_EQ(y.to_vector<float>(), (std::vector<float>{0.5f, 2, 4.5f}));
  EXPECT_EQ(y.grad_fn()->name(), "scaled_squareBackward");
  (y * 2).sum().backward();
  EXPECT_EQ(x.grad().to_vector<float>(), (std::vector<float>{2, 4, -6}));  // 2 * (2 * x * 0.5)
}

TEST(Autograd, AddedOpsAreCheckedByName) {
  const std::string unknown = error_of([] { ember::call_op("no_such_op", {ember::ones({1})}); });
  EXPECT_NE(unknown.find("no loaded plugin adds an op named 'no_such_op'"), std::string::npos) << unknown;
  const std::string arity = error_of([] { ember::call_op("scaled_square", {}); });
  EXPECT_NE(arity.find("expected 1 inputs, got 0"), std::string::npos) << arity;
  // testdev registered scaled_square for its own device only.
  const std::string cpu = error_of([] { ember::call_op("scaled_square", {ember::ones({1})}, {1.0}); });
  EXPECT_NE(cpu.find("scaled_square"), std::string::npos) << cpu;
  EXPECT_NE(cpu.find("no kernel"), std::string::npos) << cpu;
}

}  // namespace
