#pragma once
// The CUDA backend's shared state: one Device per CUDA device (its stream,
// cuBLAS handle, pinned staging buffer and generator), the error choke
// point, and the strided geometry every kernel family hands its kernels.
// Host code only; device helpers are in device.cuh.
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <initializer_list>
#include <mutex>
#include <string>
#include <vector>

#include "ember/sdk/backend.h"

namespace ember::cuda {

inline constexpr int kMaxDims = 16;

// Every CUDA runtime and cuBLAS call's status goes through here: a failure
// becomes a KernelError naming the call and the error (allocation failures
// as EMBER_ERR_OUT_OF_MEMORY, so the core can free its cache and retry).
[[noreturn]] void fail(cudaError_t code, const char* call);
[[noreturn]] void fail(cublasStatus_t code, const char* call);
inline void check(cudaError_t code, const char* call) {
  if (code != cudaSuccess) fail(code, call);
}
inline void check(cublasStatus_t code, const char* call) {
  if (code != CUBLAS_STATUS_SUCCESS) fail(code, call);
}
// After a <<<...>>> launch: a bad configuration shows up here, naming the kernel.
inline void check_launch(const char* kernel) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) fail(e, kernel);
}

struct Device {
  int index = 0;
  std::string name;  // "NVIDIA H100 80GB HBM3 (sm_90, 132 SMs, 79.1 GiB)"
  int sm_count = 1;
  // Created on first use (it creates the device's context), under `once`.
  std::once_flag once;
  cudaStream_t stream = nullptr;  // the queue: every kernel and copy of this device, in program order
  // cuBLAS handles are not safe to use from two threads at once.
  cublasHandle_t blas = nullptr;
  std::mutex blas_mutex;
  // cuDNN's handle (a cudnnHandle_t, created on first use; conv.cpp), likewise.
  void* cudnn = nullptr;
  std::mutex cudnn_mutex;
  // Pinned host memory that transfers go through; `staged` marks the end of
  // the last upload from it, which the next use waits for.
  std::mutex staging_mutex;
  void* staging = nullptr;
  size_t staging_size = 0;
  cudaEvent_t staged = nullptr;
  // index.cu's check of indices: its device result and the pinned host copy
  // (used with the stream's order, under index_check_mutex).
  unsigned long long* index_check = nullptr;
  unsigned long long* index_check_host = nullptr;
  std::mutex index_check_mutex;
  // Philox key and counter of the device's generator (random.cu).
  uint64_t seed = 67280421310721ull;
  uint64_t counter = 0;
  std::mutex rng_mutex;
};

// The number of devices; throws the runtime's reason when there are none
// (no driver, no device, a driver too old for this runtime).
int32_t probe_devices();
// Device `index`, its stream created, and current on this thread.
Device& device(int32_t index);
// The device of a kernel call (its first output's).
inline Device& device_of(const ember_op_call& call) { return device(call.outputs[0].device.index); }
// Devices as enumerated (no context created); empty when unusable.
std::vector<Device*>& devices();

// Strided geometry handed to kernels by value: the iteration shape, and per
// operand its element offset and strides. Operands share the shape (the
// core broadcast them); dims of size 1 are dropped and contiguous runs are
// merged, so most tensors arrive as 1-d.
inline constexpr int kMaxOperands = 4;
struct Geometry {
  int64_t ndim;
  int64_t numel;
  int64_t contiguous;  // every operand dense in order: offsets are offset + i
  int64_t sizes[kMaxDims];
  int64_t offsets[kMaxOperands];
  int64_t strides[kMaxOperands][kMaxDims];
};
static_assert(sizeof(Geometry) <= 4096, "kernel parameters are at most 4 KiB");
Geometry make_geometry(std::initializer_list<const ember_tensor*> ops);
int64_t numel(const ember_tensor& t);
bool is_contiguous(const ember_tensor& t);

// A launch of `n` grid-stride work items: blocks of 256 threads, at most
// enough blocks to fill the device several times over.
struct Launch {
  unsigned blocks;
  unsigned threads;
};
Launch launch_for(const Device& dev, int64_t n);

// A scalar parameter as double / int64 (as the CPU backend reads them).
inline double scalar_double(const ember_scalar& s) { return s.kind == EMBER_SCALAR_DOUBLE ? s.d : double(s.i); }
inline int64_t scalar_int(const ember_scalar& s) { return s.kind == EMBER_SCALAR_DOUBLE ? int64_t(s.d) : s.i; }

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
void register_conv_kernels(sdk::Registrar& r, int32_t type);
void register_linear_kernels(sdk::Registrar& r, int32_t type);
void register_layer_norm_kernels(sdk::Registrar& r, int32_t type);
// conv.cpp: "cuDNN 9.19.0", or why convolutions do not use it.
std::string cudnn_status();

// context.cpp: the device API's memory slots.
int32_t allocate(int32_t index, size_t nbytes, void** out, char* err, size_t cap);
void deallocate(int32_t index, void* ptr);
int32_t copy_to_host(int32_t index, const void* src, size_t offset, void* dst, size_t n, char* err, size_t cap);
int32_t copy_from_host(int32_t index, const void* src, void* dst, size_t offset, size_t n, char* err, size_t cap);
int32_t synchronize(int32_t index, char* err, size_t cap);

}  // namespace ember::cuda
