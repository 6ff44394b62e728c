#pragma once
// The OpenCL backend's shared state: the devices of every platform, one
// context and in-order queue each, the error choke point, and the helpers
// every kernel family uses to describe strided tensors and launch kernels.
#include <CL/cl.h>

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "ember/sdk/backend.h"

namespace ember::opencl {

inline constexpr int kMaxDims = 16;

// Every cl* call's status goes through here: a failure becomes a
// KernelError naming the call and the CL error code's name (allocation
// failures as EMBER_ERR_OUT_OF_MEMORY, so the core can free caches and retry).
const char* cl_error_name(cl_int code);
void check(cl_int code, const char* call);


struct Device {
  cl_platform_id platform = nullptr;
  cl_device_id id = nullptr;
  cl_context context = nullptr;
  cl_command_queue queue = nullptr;
  std::string name;  // "Portable Computing Language: pthread-... (2 compute units)"
  bool fp64 = false;
  size_t max_work_group = 1;
  // Kernel objects are not safe to set arguments on from two threads at
  // once: every launch (set args + enqueue) holds this.
  std::mutex launch_mutex;
  // Philox key and counter of the device's generator (random.cpp).
  uint64_t seed = 67280421310721ull;
  uint64_t counter = 0;
  std::mutex rng_mutex;
};

// The devices, enumerated once on first use (every device of every
// platform, in platform order). Throws when none is usable.
std::vector<Device*>& devices();
Device& device(int32_t index);
// The device of a kernel call (its first output's).
inline Device& device_of(const ember_op_call& call) { return device(call.outputs[0].device.index); }

inline cl_mem buffer(const ember_tensor& t) { return static_cast<cl_mem>(t.data); }

// A kernel from a program built from `source` on `dev`, compiled on first
// use and cached for the life of the process.
cl_kernel kernel(Device& dev, const std::string& source, const char* name);

// The OpenCL C type name of a dtype's storage ("float", "long", "uchar" for
// bool, "ushort" for float16 and bfloat16); unsupported() for double without
// cl_khr_fp64.
const char* cl_type(Device& dev, int32_t dtype);
bool is_half_type(int32_t dtype);  // float16 or bfloat16
// `#define <name> <storage type>`, <name>_C (the compute type: float for the
// half types, which are storage only), <name>_FLOAT / <name>_BOOL / <name>_INT
// flags (<name>_HALF too for half types), <name>_S (the type its scalars
// arrive in, see ScalarArg), and the accessors LOAD_<name>(p, i) (as <name>_C),
// STORE_<name>(p, i, v) (rounding to nearest even) and ROUND_<name>(v).
std::string define_type(Device& dev, const char* name, int32_t dtype);
// A program's source: fp64 enabled where the device has it, the geometry
// helpers, `defines`, then `body`.
std::string program_source(const std::string& defines, const char* body);

// Strided geometry handed to kernels by value: the iteration shape, and per
// operand its element offset and strides. Operands share the shape (the
// core broadcast them); dims of size 1 are dropped and contiguous runs are
// merged, so most tensors arrive as 1-d. All fields are 64-bit, so host
// and device agree on the layout without packing rules.
inline constexpr int kMaxOperands = 4;
struct Geometry {
  int64_t ndim;
  int64_t numel;
  int64_t contiguous;  // every operand dense in order: offsets are offset + i
  int64_t sizes[kMaxDims];
  int64_t offsets[kMaxOperands];
  int64_t strides[kMaxOperands][kMaxDims];
};
static_assert(sizeof(Geometry) <= 1024, "kernel arguments may be at most 1 KiB on some devices");
Geometry make_geometry(std::initializer_list<const ember_tensor*> ops);
// The OpenCL C declaration of Geometry and its offset function, for sources.
extern const char* const kGeometrySource;
// The float16 / bfloat16 conversions every program gets.
extern const char* const kHalfSource;

int64_t numel(const ember_tensor& t);

// Sets the arguments and enqueues a 1-d range of `work_items` work items (a
// kernel loops with a grid stride when asked for fewer than it has items).
struct Arg {
  size_t size;
  const void* value;
};
template <typename T>
Arg arg(const T& v) {
  return Arg{sizeof(T), &v};
}
void launch(Device& dev, cl_kernel k, std::initializer_list<Arg> args, int64_t work_items);
// A grid size for `n` elements: enough groups to fill the device.
int64_t grid_for(int64_t n);

// A kernel's scalar as the program's scalar type: double programs and
// float programs take their scalars in their own type; integer programs in long.
struct ScalarArg {
  float f;
  float fh, fb;  // f rounded to float16 / bfloat16
  double d;
  int64_t i;
  Arg as(int32_t dtype) const;
};
ScalarArg scalar_arg(const ember_scalar& s);

// The kernel families; each registers its ops.
void register_unary_kernels(sdk::Registrar& r, int32_t type);
void register_binary_kernels(sdk::Registrar& r, int32_t type);
void register_reduce_kernels(sdk::Registrar& r, int32_t type);
void register_matmul_kernels(sdk::Registrar& r, int32_t type);
void register_copy_kernels(sdk::Registrar& r, int32_t type);
void register_index_kernels(sdk::Registrar& r, int32_t type);
void register_random_kernels(sdk::Registrar& r, int32_t type);
void register_window_kernels(sdk::Registrar& r, int32_t type);
void register_softmax_kernels(sdk::Registrar& r, int32_t type);

// memory.cpp: the device API's memory slots.
int32_t allocate(int32_t index, size_t nbytes, void** out, char* err, size_t cap);
void deallocate(int32_t index, void* ptr);
int32_t copy_to_host(int32_t index, const void* src, size_t offset, void* dst, size_t n, char* err, size_t cap);
int32_t copy_from_host(int32_t index, const void* src, void* dst, size_t offset, size_t n, char* err, size_t cap);
int32_t synchronize(int32_t index, char* err, size_t cap);

}  // namespace ember::opencl
