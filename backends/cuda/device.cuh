#pragma once
// Device-side helpers shared by the .cu files: the storage type of each
// dtype, loads and stores through the compute type (float16 and bfloat16
// compute in float, as the CPU backend does), strided offsets, grid-stride
// loops, and the host-side dtype dispatch that instantiates kernels.
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "context.h"

namespace ember::cuda {

using half = __half;
using bf16 = __nv_bfloat16;

template <typename T> struct compute_type { using type = T; };
template <> struct compute_type<half> { using type = float; };
template <> struct compute_type<bf16> { using type = float; };
template <typename T> using compute_t = typename compute_type<T>::type;

template <typename T>
inline constexpr bool is_floating_v = std::is_floating_point_v<T> || std::is_same_v<T, half> || std::is_same_v<T, bf16>;
template <typename T>
inline constexpr bool is_reduced_float_v = std::is_same_v<T, half> || std::is_same_v<T, bf16>;

// The value of a stored element, in its compute type.
template <typename T>
__device__ __forceinline__ compute_t<T> load(const T& v) {
  if constexpr (std::is_same_v<T, half>) return __half2float(v);
  else if constexpr (std::is_same_v<T, bf16>) return __bfloat162float(v);
  else return v;
}
// A compute-type value rounded to storage (nearest even for the half types).
template <typename T>
__device__ __forceinline__ T to_storage(compute_t<T> v) {
  if constexpr (std::is_same_v<T, half>) return __float2half_rn(v);
  else if constexpr (std::is_same_v<T, bf16>) return __float2bfloat16_rn(v);
  else return v;
}

// The element offset of operand k at linear index i of the iteration space.
__device__ __forceinline__ int64_t at(const Geometry& g, int k, int64_t i) {
  if (g.contiguous) return g.offsets[k] + i;
  int64_t o = g.offsets[k];
  for (int d = int(g.ndim) - 1; d >= 0; --d) {
    const int64_t size = g.sizes[d];
    const int64_t c = i % size;
    i /= size;
    o += c * g.strides[k][d];
  }
  return o;
}

#define EMBER_CUDA_FOR_EACH(i, n)                                                               \
  for (int64_t i = int64_t(blockIdx.x) * blockDim.x + threadIdx.x; i < (n); \
       i += int64_t(gridDim.x) * blockDim.x)

// Calls fn.template operator()<T>() with T the storage type of `dtype`.
template <typename Fn>
decltype(auto) dispatch(int32_t dtype, Fn&& fn) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return fn.template operator()<float>();
    case EMBER_DTYPE_FLOAT64: return fn.template operator()<double>();
    case EMBER_DTYPE_INT32: return fn.template operator()<int32_t>();
    case EMBER_DTYPE_INT64: return fn.template operator()<int64_t>();
    case EMBER_DTYPE_BOOL: return fn.template operator()<bool>();
    case EMBER_DTYPE_UINT8: return fn.template operator()<uint8_t>();
    case EMBER_DTYPE_FLOAT16: return fn.template operator()<half>();
    case EMBER_DTYPE_BFLOAT16: return fn.template operator()<bf16>();
  }
  sdk::unsupported(std::string("unknown dtype code ") + std::to_string(dtype));
}

// Only the floating dtypes (float32, float64, float16, bfloat16); others are
// declined with `what` in the message (the core then runs them on the CPU).
template <typename Fn>
void dispatch_floating(int32_t dtype, const char* what, Fn&& fn) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: fn.template operator()<float>(); return;
    case EMBER_DTYPE_FLOAT64: fn.template operator()<double>(); return;
    case EMBER_DTYPE_FLOAT16: fn.template operator()<half>(); return;
    case EMBER_DTYPE_BFLOAT16: fn.template operator()<bf16>(); return;
    default: sdk::unsupported(std::string(what) + " needs a floating point tensor, not " + sdk::dtype_name(dtype));
  }
}

// Calls fn.template operator()<U>() with U an unsigned integer of `bytes`:
// for kernels that move elements without arithmetic (copy, where, index ops).
template <typename Fn>
void dispatch_bytes(int64_t bytes, Fn&& fn) {
  switch (bytes) {
    case 1: fn.template operator()<uint8_t>(); return;
    case 2: fn.template operator()<uint16_t>(); return;
    case 4: fn.template operator()<uint32_t>(); return;
    case 8: fn.template operator()<uint64_t>(); return;
    default: sdk::unsupported("no element type of " + std::to_string(bytes) + " bytes");
  }
}

template <typename T>
T* ptr(const ember_tensor& t) {
  return static_cast<T*>(t.data);
}

}  // namespace ember::cuda
