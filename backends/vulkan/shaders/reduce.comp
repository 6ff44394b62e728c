#version 450
// sum / prod / amax / amin (out T) and all / any (ALLANY: out bool) of T.
// Long slices: one workgroup per output, each invocation folding a strided
// share, then the group combines with subgroup arithmetic where the device
// has it (SUBGROUP variants) and shared memory otherwise. Short slices
// (per_item): one invocation per output. Float sums are Kahan-compensated,
// so float32 matches the CPU's double accumulation closely.
#include "common.glsl"
#include "reduce.glsl"
#include "ops.glsl"
#if defined(SUBGROUP)
#extension GL_KHR_shader_subgroup_arithmetic : require
#endif

#if defined(ALLANY)
layout(std430, set = 0, binding = 0) buffer Out { uint8_t out_[]; };
#define ACC uint
#define STORE(v) uint8_t(v)
#else
layout(std430, set = 0, binding = 0) buffer Out { T out_[]; };
#define ACC T_C
#define STORE(v) T_STORE(v)
#endif
layout(std430, set = 0, binding = 1) readonly buffer In { T in_[]; };

#if defined(T_FLOAT)
#define LOWEST T_C(-1.0 / 0.0)
#define HIGHEST T_C(1.0 / 0.0)
#elif defined(T_I32)
#define LOWEST T_C(-2147483648)
#define HIGHEST T_C(2147483647)
#elif defined(T_I64)
#define LOWEST T_C(-9223372036854775807l - 1l)
#define HIGHEST T_C(9223372036854775807l)
#elif defined(T_BOOL)
#define LOWEST 0u
#define HIGHEST 1u
#else
#define LOWEST 0u
#define HIGHEST 255u
#endif

ACC identity() {
  switch (OP) {
    case OP_SUM: return ACC(0);
    case OP_PROD: return ACC(1);
    case OP_AMAX: return ACC(LOWEST);
    case OP_AMIN: return ACC(HIGHEST);
    case OP_ALL: return ACC(1);
  }
  return ACC(0);  // any
}

ACC combine(ACC acc, ACC v) {
  switch (OP) {
    case OP_SUM: return acc + v;
    case OP_PROD: return acc * v;
#if defined(T_FLOAT) && !defined(ALLANY)  // nan propagates
    case OP_AMAX: return isnan(acc) ? acc : (isnan(v) || v > acc ? v : acc);
    case OP_AMIN: return isnan(acc) ? acc : (isnan(v) || v < acc ? v : acc);
#else
    case OP_AMAX: return v > acc ? v : acc;
    case OP_AMIN: return v < acc ? v : acc;
#endif
#if defined(ALLANY)
    case OP_ALL: return (acc != 0u && v != 0u) ? 1u : 0u;
    case OP_ANY: return (acc != 0u || v != 0u) ? 1u : 0u;
#endif
  }
  return acc;
}

ACC load(int at) {
#if defined(ALLANY)
  return T_LOAD(in_[at]) != T_C(0) ? 1u : 0u;
#else
  return ACC(T_LOAD(in_[at]));
#endif
}

// Folds elements [begin, end) step `step` of the slice at `oi`.
ACC fold(int oi, int begin, int end, int step) {
#if defined(T_FLOAT) && !defined(ALLANY)
  if (OP == OP_SUM) {  // Kahan: `precise` keeps the compensation from being optimised away
    precise ACC sum = ACC(0), c = ACC(0);
    for (int j = begin; j < end; j += step) {
      precise ACC y = load(oi + reduced_offset(j)) - c;
      precise ACC t = sum + y;
      c = (t - sum) - y;
      sum = t;
    }
    return sum;
  }
#endif
  ACC acc = identity();
  for (int j = begin; j < end; j += step) acc = combine(acc, load(oi + reduced_offset(j)));
  return acc;
}

shared ACC partial[gl_WorkGroupSize.x];

void main() {
  if (g.per_item != 0) {
    FOR_EACH(o, g.outputs) {
      int oi, oo, unused;
      kept_offsets(o, oi, oo, unused);
      out_[oo] = STORE(fold(oi, 0, g.count, 1));
    }
    return;
  }
  const int o = int(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x);
  if (o >= g.outputs) return;  // uniform across the group
  int oi, oo, unused;
  kept_offsets(o, oi, oo, unused);
  const int lid = int(gl_LocalInvocationID.x), n = int(gl_WorkGroupSize.x);
  ACC acc = fold(oi, lid, g.count, n);
#if defined(SUBGROUP)
  // float amax/amin must propagate nan, which subgroupMax does not promise:
  // they take the shared-memory path below
  bool done = true;
  switch (OP) {
    case OP_SUM: acc = subgroupAdd(acc); break;
    case OP_PROD: acc = subgroupMul(acc); break;
#if defined(ALLANY)
    case OP_ALL: acc = subgroupAnd(acc); break;
    case OP_ANY: acc = subgroupOr(acc); break;
#endif
#if !defined(T_FLOAT) || defined(ALLANY)
    case OP_AMAX: acc = subgroupMax(acc); break;
    case OP_AMIN: acc = subgroupMin(acc); break;
#endif
    default: done = false;
  }
  if (done) {  // OP is a constant: the branch is uniform
    if (gl_SubgroupInvocationID == 0) partial[gl_SubgroupID] = acc;
    barrier();
    if (lid == 0) {
      ACC r = identity();
      for (uint s = 0; s < gl_NumSubgroups; ++s) r = combine(r, partial[s]);
      out_[oo] = STORE(r);
    }
    return;
  }
#endif
  partial[lid] = acc;
  barrier();
  for (int width = n / 2; width > 0; width /= 2) {
    if (lid < width) partial[lid] = combine(partial[lid], partial[lid + width]);
    barrier();
  }
  if (lid == 0) out_[oo] = STORE(partial[0]);
}
