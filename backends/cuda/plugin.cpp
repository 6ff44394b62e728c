// The CUDA backend as a plugin: device type "cuda", one device per CUDA
// device, memory from cudaMalloc, one stream per device as its queue, and
// kernels compiled ahead of time by nvcc (cuBLAS for bmm).
//
// Without a usable GPU (no driver library, no device, a driver older than
// the runtime) probe fails with the CUDA runtime's reason: the plugin is
// listed as not loaded, and nothing else changes.
//
// Status: written and built without a GPU. The no-GPU path is tested
// (tests/cuda/devices.cmake); the kernels have not yet run on a GPU:
// tools/gpu-check.sh is the first thing to run on a machine with one.
#include "context.h"

namespace ember::cuda {
namespace {

int32_t device_count() {
  // probe() counted them already; a failure here means none.
  try {
    return int32_t(devices().size());
  } catch (...) {
    return 0;
  }
}

const char* device_name(int32_t index) {
  auto& all = devices();
  if (index < 0 || size_t(index) >= all.size()) return "unknown CUDA device";
  return all[size_t(index)]->name.c_str();
}

void* queue(int32_t index) {
  try {
    return device(index).stream;
  } catch (...) {
    return nullptr;
  }
}

void manual_seed(int32_t index, uint64_t seed) {
  auto& all = devices();
  if (index < 0 || size_t(index) >= all.size()) return;
  Device& d = *all[size_t(index)];
  std::lock_guard<std::mutex> lock(d.rng_mutex);
  d.seed = seed;
  d.counter = 0;
}

const ember_device_api kApi = {
    sizeof(ember_device_api),
    "cuda",
    /*host_accessible=*/0,  // device pointers; the host cannot dereference them
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

void probe() {
  probe_devices();
  devices();
}

void register_cuda(sdk::Registrar& r) {
  const int32_t type = r.device_type(kApi);
  register_unary_kernels(r, type);
  register_binary_kernels(r, type);
  register_reduce_kernels(r, type);
  register_matmul_kernels(r, type);
  register_copy_kernels(r, type);
  register_index_kernels(r, type);
  register_random_kernels(r, type);
  register_window_kernels(r, type);
  register_softmax_kernels(r, type);
  register_conv_kernels(r, type);
  register_linear_kernels(r, type);
  register_layer_norm_kernels(r, type);
}

}  // namespace
}  // namespace ember::cuda

EMBER_DEFINE_PLUGIN("cuda", EMBER_VERSION_STRING, ember::cuda::probe, ember::cuda::register_cuda)
