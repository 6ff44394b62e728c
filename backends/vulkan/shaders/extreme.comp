#version 450
// max_dim / min_dim: the first extreme along one dim and its int64 index;
// a nan wins. One invocation per output.
#define NEEDS_I64 1
#include "common.glsl"
#include "reduce.glsl"
#include "ops.glsl"

layout(std430, set = 0, binding = 0) buffer Values { T values_[]; };
layout(std430, set = 0, binding = 1) readonly buffer In { T in_[]; };
layout(std430, set = 0, binding = 2) buffer Indices { int64_t indices_[]; };

bool better(T_C v, T_C best) {
#if defined(T_FLOAT)
  if (isnan(v)) return true;
#endif
  return OP == OP_MAX_DIM ? v > best : v < best;
}

void main() {
  FOR_EACH(o, g.outputs) {
    int oi, oo, oo2;
    kept_offsets(o, oi, oo, oo2);
    const int stride = g.nr > 0 ? g.r_in[0] : 0;
    T_C best = T_LOAD(in_[oi]);
    int best_at = 0;
    for (int j = 1; j < g.count; ++j) {
#if defined(T_FLOAT)
      if (isnan(best)) break;
#endif
      const T_C v = T_LOAD(in_[oi + j * stride]);
      if (better(v, best)) {
        best = v;
        best_at = j;
      }
    }
    values_[oo] = T_STORE(best);
    indices_[oo2] = int64_t(best_at);
  }
}
