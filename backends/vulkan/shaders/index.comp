#version 450
// index_select, gather, scatter_add over T with int64 indices, and the
// bounds check that runs before them (index.cpp). Each op is an elementwise
// walk once the index is seen as one more strided operand (as in the OpenCL
// backend); scatter_add gives each invocation one column along `dim` and
// adds in index order: deterministic, no atomics, the CPU's order.
#define NEEDS_I64 1
#include "common.glsl"
#include "geometry.glsl"
#include "ops.glsl"

#define OP_CHECK 1000

layout(std430, set = 0, binding = 0) buffer Out { T out_[]; };
layout(std430, set = 0, binding = 1) readonly buffer Src { T src_[]; };
layout(std430, set = 0, binding = 2) readonly buffer Index { int64_t index_[]; };
layout(std430, set = 0, binding = 3) buffer Bad { int bad_[]; };  // check: flag, then the index as two words

void main() {
  if (OP == OP_CHECK) {  // operand 0: the index; extra[0]: the size
    FOR_EACH(i, g.numel) {
      const int64_t v = index_[at(0, i)];
      if (v < 0 || v >= int64_t(g.extra[0])) {
        if (atomicCompSwap(bad_[0], 0, 1) == 0) {
          bad_[1] = int(v & 0xffffffffl);
          bad_[2] = int(v >> 32);
        }
      }
    }
    return;
  }
  const int dim_stride = g.extra[0];
  if (OP == OP_INDEX_SELECT) {  // operands: out, src (stride 0 along dim), index (stride 0 but along dim)
    FOR_EACH(i, g.numel) out_[at(0, i)] = src_[at(1, i) + int(index_[at(2, i)]) * dim_stride];
  } else if (OP == OP_GATHER) {  // operands: out, src (stride 0 along dim), index
    FOR_EACH(i, g.numel) out_[at(0, i)] = src_[at(1, i) + int(index_[at(2, i)]) * dim_stride];
  } else if (OP == OP_SCATTER_ADD) {
    // operands: self (stride 0 along dim), src, index; shape index's with dim 1
    const int n = g.extra[1], index_stride = g.extra[2], src_stride = g.extra[3];
    FOR_EACH(i, g.numel) {
      const int oo = at(0, i), os = at(1, i), oi = at(2, i);
      for (int j = 0; j < n; ++j) {
        const int slot = oo + int(index_[oi + j * index_stride]) * dim_stride;
#if defined(T_BOOL)
        out_[slot] = T((uint(out_[slot]) != 0u || uint(src_[os + j * src_stride]) != 0u) ? 1u : 0u);
#else
        out_[slot] = T(T_C(out_[slot]) + T_C(src_[os + j * src_stride]));
#endif
      }
    }
  }
}
