// The Vulkan backend as a plugin: device type "vulkan", one device per
// physical device with a compute queue, memory as sub-allocated ranges of
// large blocks, and kernels as GLSL compute shaders compiled to SPIR-V at
// build time.
#include "context.h"

namespace ember::vulkan {
namespace {

int32_t device_count() {
  // probe() enumerated them already; a failure here means none.
  try {
    return int32_t(devices().size());
  } catch (...) {
    return 0;
  }
}

const char* device_name(int32_t index) {
  try {
    return device(index).name.c_str();
  } catch (...) {
    return "unknown Vulkan device";
  }
}

void* queue(int32_t index) {
  try {
    return &device(index);
  } catch (...) {
    return nullptr;
  }
}

void manual_seed(int32_t index, uint64_t seed) {
  try {
    Device& d = device(index);
    std::lock_guard<std::recursive_mutex> lock(d.mutex);
    d.seed = seed;
    d.counter = 0;
  } catch (...) {
  }
}

const ember_device_api kApi = {
    sizeof(ember_device_api),
    "vulkan",
    /*host_accessible=*/0,  // data pointers are Allocation records
    device_count,
    device_name,
    allocate,
    deallocate,
    copy_to_host,
    copy_from_host,
    synchronize,
    queue,
    manual_seed,
    /*set_num_threads=*/nullptr,
    /*get_num_threads=*/nullptr,
};

// Enumerating opens every device; a machine without a driver or a compute
// queue fails here with the reason, and the core records it.
void probe() { devices(); }

void register_vulkan(sdk::Registrar& r) {
  const int32_t type = r.device_type(kApi);
  register_copy_kernels(r, type);
  register_unary_kernels(r, type);
  register_binary_kernels(r, type);
  register_reduce_kernels(r, type);
  register_matmul_kernels(r, type);
  register_index_kernels(r, type);
  register_random_kernels(r, type);
  register_window_kernels(r, type);
  register_softmax_kernels(r, type);
}

}  // namespace
}  // namespace ember::vulkan

EMBER_DEFINE_PLUGIN("vulkan", EMBER_VERSION_STRING, ember::vulkan::probe, ember::vulkan::register_vulkan)
