// Plugins load in two steps (Note [Plugin discovery] in core/src/plugin/
// loader.cpp): CPU work loads only the CPU plugin; the first thing that needs
// another device loads the rest, which then receive the manual_seed and
// set_num_threads called before. One test, alone in its process, since the
// point is the order in which a process does things.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <fstream>
#include <sstream>
#include <string>

namespace {

// Whether a shared library whose file name contains `name` is mapped.
bool mapped(const std::string& name) {
  std::ifstream maps("/proc/self/maps");
  std::stringstream all;
  all << maps.rdbuf();
  return all.str().find(name) != std::string::npos;
}

bool has_device(const std::string& type) {
  for (const ember::Device& d : ember::devices())
    if (d.type().name() == type) return true;
  return false;
}

TEST(LazyPlugins, CpuWorkLoadsOnlyTheCpuPlugin) {
  ember::manual_seed(123);
  ember::set_num_threads(1);
  const ember::Tensor sum = ember::ones({4}) + ember::ones({4});
  EXPECT_EQ(sum.sum().item<float>(), 8.0f);
  EXPECT_TRUE(mapped("libember-backend-cpu.so"));
  EXPECT_FALSE(mapped("libember-backend-testdev.so"));
  EXPECT_FALSE(mapped("libember-backend-opencl.so"));
  EXPECT_FALSE(mapped("libember-backend-vulkan.so"));
  EXPECT_FALSE(mapped("libember-backend-cuda.so"));

  // Naming another device type loads every other plugin.
  const ember::Device testdev("testdev");
  EXPECT_TRUE(mapped("libember-backend-testdev.so"));
  EXPECT_EQ(ember::get_num_threads(), 1);

  // A plugin loaded after manual_seed draws as if seeded with it.
  if (has_device("opencl")) {
    const ember::Device cl("opencl:0");
    const ember::Tensor first = ember::rand({8}, ember::TensorOptions().device(cl)).to(ember::kCPU);
    ember::manual_seed(123);
    const ember::Tensor again = ember::rand({8}, ember::TensorOptions().device(cl)).to(ember::kCPU);
    EXPECT_TRUE(ember::equal(first, again)) << first << again;
  }
}

}  // namespace
