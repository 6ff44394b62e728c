// The CPU backend as a plugin: host memory, oneTBB for threads, and the
// kernels of every family registered for the "cpu" device type.
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>

#include "isa.h"
#include "kernels.h"

namespace ember::cpu {
namespace {

constexpr size_t kAlignment = 64;

int32_t cpu_device_count() { return 1; }
const char* cpu_device_name(int32_t) {
  static const std::string name = std::string("host CPU (oneTBB; ") + isa_name(active_isa) + " kernels)";
  return name.c_str();
}

int32_t cpu_allocate(int32_t, size_t nbytes, void** out, char* err, size_t cap) {
  const size_t rounded = (std::max<size_t>(nbytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
  *out = std::aligned_alloc(kAlignment, rounded);
  if (!*out) {
    sdk::write_message(err, cap, "aligned_alloc failed");
    return EMBER_ERR_OUT_OF_MEMORY;
  }
  return EMBER_OK;
}
void cpu_deallocate(int32_t, void* ptr) { std::free(ptr); }

int32_t cpu_copy_to_host(int32_t, const void* src, size_t offset, void* dst, size_t n, char*, size_t) {
  std::memcpy(dst, static_cast<const char*>(src) + offset, n);
  return EMBER_OK;
}
int32_t cpu_copy_from_host(int32_t, const void* src, void* dst, size_t offset, size_t n, char*, size_t) {
  std::memcpy(static_cast<char*>(dst) + offset, src, n);
  return EMBER_OK;
}

// oneTBB's concurrency is set through a global_control that lives until the
// next call replaces it.
struct Threads {
  std::mutex mutex;
  std::unique_ptr<tbb::global_control> control;
  std::atomic<int> count{tbb::info::default_concurrency()};
};
Threads& threads() {
  static Threads* t = new Threads;  // lives as long as the process
  return *t;
}
void cpu_set_num_threads(int32_t n) {
  Threads& t = threads();
  std::lock_guard<std::mutex> lock(t.mutex);
  t.control.reset();
  t.control = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism, size_t(n));
  t.count = n;
}
int32_t cpu_get_num_threads() { return threads().count.load(); }

void cpu_manual_seed(int32_t, uint64_t seed) { manual_seed(seed); }

const ember_device_api kCpuApi = {
    sizeof(ember_device_api),
    "cpu",
    /*host_accessible=*/1,
    cpu_device_count,
    cpu_device_name,
    cpu_allocate,
    cpu_deallocate,
    cpu_copy_to_host,
    cpu_copy_from_host,
    /*synchronize=*/nullptr,  // kernels finish before they return
    /*queue=*/nullptr,
    cpu_manual_seed,
    cpu_set_num_threads,
    cpu_get_num_threads,
};

// A CPU is always there; the probe picks which of the kernels' instruction
// sets it runs (Note [Instruction sets] in isa.h).
void probe() { select_isa(); }

void register_cpu(sdk::Registrar& r) {
  const int32_t type = r.device_type(kCpuApi);
  register_unary_kernels(r, type);
  register_binary_kernels(r, type);
  register_reduce_kernels(r, type);
  register_matmul_kernels(r, type);
  register_copy_kernels(r, type);
  register_index_kernels(r, type);
  register_random_kernels(r, type);
  register_softmax_kernels(r, type);
  register_window_kernels(r, type);
  register_conv_kernels(r, type);
  register_linear_kernels(r, type);
  register_layer_norm_kernels(r, type);
  register_adam_kernels(r, type);
}

}  // namespace
}  // namespace ember::cpu

EMBER_DEFINE_PLUGIN("cpu", EMBER_VERSION_STRING, ember::cpu::probe, ember::cpu::register_cpu)
