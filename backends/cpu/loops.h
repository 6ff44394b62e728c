#pragma once
// Strided iteration for the CPU kernels: operands of one shape are walked
// with their dims coalesced, as 1-d runs handed to a body that can take a
// fast path when every stride is the element size (vectorisable) or an
// operand is broadcast (stride 0). Large iterations are split into fixed
// chunks over oneTBB; chunk boundaries never depend on the thread count, so
// results do not depend on timing.
#include <array>
#include <cstdint>

#include "ember/sdk/backend.h"
#include "isa.h"
#include "parallel.h"

namespace ember::cpu {

inline constexpr int kMaxDims = 16;
// Elements per parallel chunk: below this, one thread does it all.
inline constexpr int64_t kGrain = 32768;

template <int N>
struct StridedPlan {
  int ndim = 0;
  int64_t sizes[kMaxDims];              // innermost last
  int64_t strides[N][kMaxDims];         // bytes
  char* base[N];
  int64_t numel = 1;
};

// Operands must share `ops[0]`'s sizes (the core broadcasts beforehand).
template <int N>
StridedPlan<N> make_plan(const std::array<const ember_tensor*, N>& ops) {
  StridedPlan<N> p;
  const ember_tensor& ref = *ops[0];
  if (ref.ndim > kMaxDims) sdk::unsupported("the CPU backend supports at most 16 dimensions");
  for (int k = 0; k < N; ++k) {
    if (ops[k]->ndim != ref.ndim) sdk::fail("operands of an elementwise kernel must have one rank");
    p.base[k] = sdk::TensorArg{ops[k]}.bytes();
  }
  for (int d = 0; d < ref.ndim; ++d) {
    const int64_t size = ref.sizes[d];
    p.numel *= size;
    if (size == 1) continue;
    // Merge into the previous dim when every operand is contiguous across them.
    bool merge = p.ndim > 0;
    for (int k = 0; k < N && merge; ++k) {
      const int64_t es = sdk::dtype_size(ops[k]->dtype);
      merge = p.strides[k][p.ndim - 1] == ops[k]->strides[d] * es * size;
    }
    if (merge) {
      p.sizes[p.ndim - 1] *= size;
      for (int k = 0; k < N; ++k) p.strides[k][p.ndim - 1] = ops[k]->strides[d] * sdk::dtype_size(ops[k]->dtype);
      continue;
    }
    p.sizes[p.ndim] = size;
    for (int k = 0; k < N; ++k) p.strides[k][p.ndim] = ops[k]->strides[d] * sdk::dtype_size(ops[k]->dtype);
    ++p.ndim;
  }
  if (p.ndim == 0) {  // a single element
    p.sizes[0] = 1;
    for (int k = 0; k < N; ++k) p.strides[k][0] = 0;
    p.ndim = 1;
  }
  return p;
}

// Calls body(ptrs, n, inner_strides) for every 1-d run of elements in the
// linear range [begin, end) of the plan's iteration space.
template <int N, typename Body>
void run_range(const StridedPlan<N>& p, int64_t begin, int64_t end, Body& body) {
  const int last = p.ndim - 1;
  const int64_t inner = p.sizes[last];
  int64_t coord[kMaxDims];
  int64_t rest = begin / inner;
  for (int d = last - 1; d >= 0; --d) {
    coord[d] = rest % p.sizes[d];
    rest /= p.sizes[d];
  }
  int64_t i = begin % inner;
  int64_t pos = begin;
  std::array<int64_t, N> inner_strides;
  for (int k = 0; k < N; ++k) inner_strides[k] = p.strides[k][last];
  while (pos < end) {
    std::array<char*, N> ptrs;
    for (int k = 0; k < N; ++k) {
      char* ptr = p.base[k] + i * p.strides[k][last];
      for (int d = 0; d < last; ++d) ptr += coord[d] * p.strides[k][d];
      ptrs[k] = ptr;
    }
    const int64_t n = std::min(inner - i, end - pos);
    body(ptrs, n, inner_strides);
    pos += n;
    i = 0;
    for (int d = last - 1; d >= 0; --d) {
      if (++coord[d] < p.sizes[d]) break;
      coord[d] = 0;
    }
  }
}

// Runs the whole plan, in parallel chunks of `grain` points when it is
// larger (a kernel whose every point is a long slice, as softmax's rows,
// passes a smaller grain).
template <int N, typename Body>
void for_each_run(const StridedPlan<N>& p, Body&& body, int64_t grain = kGrain) {
  if (p.numel <= grain) {
    run_range(p, 0, p.numel, body);
    return;
  }
  const int64_t chunks = (p.numel + grain - 1) / grain;
  parallel_for_each(chunks, [&](int64_t c) {
    const int64_t begin = c * grain;
    run_range(p, begin, std::min(begin + grain, p.numel), body);
  });
}

// Half and bfloat16 compute in float.
template <typename T> struct compute_type { using type = T; };
template <> struct compute_type<sdk::Half> { using type = float; };
template <> struct compute_type<sdk::BFloat16> { using type = float; };
template <typename T> using compute_t = typename compute_type<T>::type;

// A scalar parameter as T.
template <typename T>
T scalar_as(const ember_scalar& s) {
  if (s.kind == EMBER_SCALAR_DOUBLE) return T(compute_t<T>(s.d));
  return T(compute_t<T>(s.i));
}

}  // namespace ember::cpu
