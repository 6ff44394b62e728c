// Device names: parsing, printing, and the errors for malformed or
// unavailable devices.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "test_util.h"

#include <functional>
#include <sstream>

namespace {

using ember_test::error_of;

TEST(Device, ParsesTypeAndIndex) {
  ember::Device cpu("cpu");
  EXPECT_TRUE(cpu.is_cpu());
  EXPECT_FALSE(cpu.has_index());
  EXPECT_EQ(cpu.str(), "cpu");

  ember::Device cuda("cuda:1");
  EXPECT_TRUE(cuda.is_cuda());
  EXPECT_EQ(cuda.index(), 1);
  EXPECT_EQ(cuda.type(), ember::kCUDA);
  EXPECT_EQ(cuda.str(), "cuda:1");

  EXPECT_EQ(ember::Device("opencl").type(), ember::kOpenCL);
  EXPECT_EQ(ember::Device(ember::kVulkan, 2).str(), "vulkan:2");
  EXPECT_EQ(ember::Device("cpu:0").index(), 0);
}

TEST(Device, PrintsLikeItsString) {
  std::ostringstream out;
  out << ember::Device("cuda:3") << " " << ember::kOpenCL;
  EXPECT_EQ(out.str(), "cuda:3 opencl");
}

TEST(Device, ComparesTypeAndIndex) {
  EXPECT_EQ(ember::Device("cuda:0"), ember::Device(ember::kCUDA, 0));
  EXPECT_NE(ember::Device("cuda:0"), ember::Device("cuda:1"));
  EXPECT_EQ(ember::DeviceType("opencl"), ember::kOpenCL);
}

TEST(Device, MalformedStringsThrow) {
  for (const char* bad : {"", "CPU", "cuda:", "cuda:x", "cuda:-1", "cuda:01", ":0", "cuda:1:2", "cu da"}) {
    const std::string message = error_of([&] { ember::Device d(bad); });
    EXPECT_NE(message.find("malformed device string"), std::string::npos) << bad << " -> " << message;
  }
}

TEST(Device, UnknownTypeListsAvailableDevices) {
  const std::string message = error_of([] { ember::Device d("tpu:0"); });
  EXPECT_NE(message.find("unknown device type 'tpu'"), std::string::npos) << message;
  EXPECT_NE(message.find("available devices: cpu"), std::string::npos) << message;
}

TEST(Device, UnavailableDeviceThrowsWhenUsed) {
  // CUDA parses everywhere, but a tensor cannot live on a device with no plugin.
  const std::string message = error_of([] { ember::zeros({2}, ember::Device("cuda:0")); });
  EXPECT_NE(message.find("device 'cuda:0' is not available"), std::string::npos) << message;
  EXPECT_NE(message.find("available devices: cpu"), std::string::npos) << message;
  // As in PyTorch, the CPU ignores an index: 'cpu:1' is the CPU.
  EXPECT_EQ(ember::zeros({2}, ember::Device("cpu:1")).device(), ember::Device("cpu"));
}

TEST(Device, CpuIsAlwaysThere) {
  EXPECT_TRUE(ember::is_available(ember::kCPU));
  EXPECT_EQ(ember::device_count(ember::kCPU), 1);
  const auto all = ember::devices();
  ASSERT_FALSE(all.empty());
  EXPECT_EQ(all[0], ember::Device("cpu"));
  EXPECT_EQ(ember::zeros({1}).device(), ember::Device("cpu"));
}

TEST(Device, NumThreadsGovernsTheCpuBackend) {
  ember::set_num_threads(1);
  EXPECT_EQ(ember::get_num_threads(), 1);
  ember::set_num_threads(2);
  EXPECT_EQ(ember::get_num_threads(), 2);
  EXPECT_THROW(ember::set_num_threads(0), ember::Error);
}

}  // namespace
