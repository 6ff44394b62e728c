#pragma once
// The Vulkan backend's shared state: the instance and its devices (one per
// physical device with a compute queue), the error choke point, device
// memory sub-allocated from large blocks, the command stream every kernel
// records into, and the helpers kernel families use to describe strided
// tensors and dispatch shaders.
#include <vulkan/vulkan.h>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/sdk/backend.h"

namespace ember::vulkan {

inline constexpr int kMaxDims = 8;  // as shaders/geometry.glsl; more falls back

// Every VkResult goes through here: a failure becomes a KernelError naming
// the call and the result (out-of-memory results as EMBER_ERR_OUT_OF_MEMORY,
// so the core frees its cache and retries).
const char* vk_result_name(VkResult r);
void check(VkResult r, const char* call);

// A device memory block with one VkBuffer over all of it; tensors are
// ranges of it (Allocation). Free ranges by offset, coalesced on free.
struct Block {
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceSize size = 0;
  VkDeviceSize used = 0;
  std::map<VkDeviceSize, VkDeviceSize> free;  // offset -> size
};

// What allocate() hands the core as a tensor's storage (host_accessible = 0).
struct Allocation {
  Block* block;
  VkDeviceSize offset;  // into block->buffer, aligned for storage descriptors
  VkDeviceSize size;
};

// A host-visible, persistently mapped buffer: parameters, uploads, readbacks.
struct HostBuffer {
  VkBuffer buffer = VK_NULL_HANDLE;
  VkDeviceMemory memory = VK_NULL_HANDLE;
  VkDeviceSize size = 0;
  char* mapped = nullptr;
};

struct Device {
  int32_t index = 0;  // vulkan:<index>
  VkPhysicalDevice physical = VK_NULL_HANDLE;
  VkDevice device = VK_NULL_HANDLE;
  VkQueue queue = VK_NULL_HANDLE;
  uint32_t family = 0;
  std::string name;
  VkPhysicalDeviceProperties props{};
  VkPhysicalDeviceMemoryProperties memory_props{};
  bool fp64 = false;           // shaderFloat64: float64 tensors (arithmetic; no transcendentals)
  bool int64 = false;          // shaderInt64: int64 tensors and every int64 index
  bool int8 = false;           // 8-bit storage + arithmetic: bool and uint8 tensors
  bool half = false;           // 16-bit storage, float16 and int16 arithmetic: float16 / bfloat16 tensors
  bool subgroup_arith = false;  // subgroup arithmetic in compute shaders
  VkDeviceSize max_allocation = 0;  // maxMemoryAllocationSize
  uint32_t device_memory_type = 0, upload_memory_type = 0, readback_memory_type = 0;

  // Everything below is guarded by `mutex`: kernels, copies and allocation
  // may come from several threads. Recursive, so a kernel can hold it over
  // several steps (index checks: dispatch, read back) that lock it again.
  std::recursive_mutex mutex;
  // memory.cpp
  std::vector<std::unique_ptr<Block>> blocks;
  // stream.cpp: one command buffer being recorded; submitted (and waited
  // for) on a host read, on synchronize, or when a per-submission resource
  // (descriptor sets, parameter or upload space) runs out.
  VkCommandPool command_pool = VK_NULL_HANDLE;
  VkCommandBuffer cmd = VK_NULL_HANDLE;
  VkFence fence = VK_NULL_HANDLE;
  bool recording = false;
  uint32_t commands = 0;  // recorded since the last submission
  VkDescriptorPool descriptor_pool = VK_NULL_HANDLE;
  uint32_t sets_used = 0;
  HostBuffer params, upload, readback;
  VkDeviceSize params_used = 0, upload_used = 0;
  // pipeline.cpp
  VkDescriptorSetLayout set_layout = VK_NULL_HANDLE;
  VkPipelineLayout pipeline_layout = VK_NULL_HANDLE;
  std::unordered_map<std::string, VkShaderModule> modules;
  std::unordered_map<std::string, VkPipeline> pipelines;  // "<variant>/<op>/<wx>x<wy>"
  // random.cpp: the Philox key and counter of the device's generator
  uint64_t seed = 67280421310721ull;
  uint64_t counter = 0;
};

// The devices, enumerated once on first use. Throws (with the reason) when
// there is no Vulkan device with a compute queue.
std::vector<Device*>& devices();
Device& device(int32_t index);
inline Device& device_of(const ember_op_call& call) { return device(call.outputs[0].device.index); }

inline Allocation* allocation(const ember_tensor& t) { return static_cast<Allocation*>(t.data); }

// memory.cpp: the device API's memory slots, and host-visible buffers.
int32_t allocate(int32_t index, size_t nbytes, void** out, char* err, size_t cap);
void deallocate(int32_t index, void* ptr);
int32_t copy_to_host(int32_t index, const void* src, size_t offset, void* dst, size_t n, char* err, size_t cap);
int32_t copy_from_host(int32_t index, const void* src, void* dst, size_t offset, size_t n, char* err, size_t cap);
int32_t synchronize(int32_t index, char* err, size_t cap);
HostBuffer create_host_buffer(Device& dev, VkDeviceSize size, uint32_t memory_type);
// Uploads host bytes into an allocation, in stream order (caller holds the lock).
void upload_locked(Device& dev, const Allocation& dst, VkDeviceSize offset, const void* src, VkDeviceSize n);

// stream.cpp (callers hold dev.mutex)
void init_stream(Device& dev);
void begin_command(Device& dev);  // starts recording, with a barrier after the previous command
void flush(Device& dev);          // submits what is recorded and waits for it
// pipeline.cpp
void init_pipelines(Device& dev);
VkPipeline pipeline(Device& dev, const char* variant, int32_t op, const uint32_t local[2]);

// The shader scalars: 16 slots of 64 bits (shaders/common.glsl, Push).
struct Push {
  uint32_t s[32] = {};
  void f32(int k, float v);
  void i32(int k, int32_t v) { s[2 * k] = uint32_t(v); }
  void u64(int k, uint64_t v) {
    s[2 * k] = uint32_t(v);
    s[2 * k + 1] = uint32_t(v >> 32);
  }
  // a scalar argument in the representation `dtype`'s shaders read (SCALAR_T)
  void scalar(int k, const ember_scalar& v, int32_t dtype);
};

// Records one dispatch of `variant` computing `op` (the OP specialization
// constant): buffers at bindings 0..3 (null: unused), `params` (copied into
// this submission's parameter space) at binding 4, `push` as push constants.
struct Dispatch {
  const char* variant;
  int32_t op = 0;
  const Allocation* buffers[4] = {};
  const void* params = nullptr;
  size_t params_size = 0;
  Push push;
  uint32_t groups[3] = {1, 1, 1};
  uint32_t local[2] = {256, 1};
};
void dispatch(Device& dev, const Dispatch& d);

// Strided geometry of an elementwise kernel (shaders/geometry.glsl): the
// iteration shape, and per operand its element offset and strides; size-1
// dims dropped, contiguous runs merged. 32-bit: a tensor past 2^31 elements
// falls back.
inline constexpr int kMaxOperands = 4;
struct Geometry {
  int32_t ndim, numel, contiguous, pad;
  int32_t sizes[kMaxDims];
  int32_t offsets[kMaxOperands];
  int32_t strides[kMaxOperands][kMaxDims];
  int32_t extra[16];
};
Geometry make_geometry(std::initializer_list<const ember_tensor*> ops);
int64_t numel(const ember_tensor& t);
// Enough workgroups of 256 for n items (the shaders loop with a grid stride).
uint32_t groups_for(int64_t n);
// Fails (unsupported) when a value does not fit the shaders' 32-bit indices.
int32_t to_i32(int64_t v);

// The variant-name suffix of a dtype ("f32", "i64", "b8"), or unsupported()
// when the device lacks it (float64 without shaderFloat64, int64 without
// shaderInt64, bool / uint8 without 8-bit storage, the half types without
// 16-bit storage). The half types have variants of the elementwise, copy and
// reduction shaders only: other families pass half = false.
const char* suffix(Device& dev, int32_t dtype, bool half = false);
inline std::string variant(const char* shader, Device& dev, int32_t dtype, bool half = false) {
  return std::string(shader) + "_" + suffix(dev, dtype, half);
}

// The kernel families; each registers its ops.
void register_copy_kernels(sdk::Registrar& r, int32_t type);
void register_unary_kernels(sdk::Registrar& r, int32_t type);
void register_binary_kernels(sdk::Registrar& r, int32_t type);
void register_reduce_kernels(sdk::Registrar& r, int32_t type);
void register_matmul_kernels(sdk::Registrar& r, int32_t type);
void register_index_kernels(sdk::Registrar& r, int32_t type);
void register_random_kernels(sdk::Registrar& r, int32_t type);
void register_window_kernels(sdk::Registrar& r, int32_t type);
void register_softmax_kernels(sdk::Registrar& r, int32_t type);

}  // namespace ember::vulkan
