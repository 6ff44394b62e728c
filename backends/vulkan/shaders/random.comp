#version 450
// Random fills from the device's generator: Philox4x32-10, counter based,
// so every element is an independent function of (key, counter) and the
// shader needs no state (random.cpp reserves the counters). Slots: 0 key,
// 1 first counter, then the op's bounds (float) or from / range (randint).
#define NEEDS_I64 1
#include "common.glsl"
#include "geometry.glsl"
#include "ops.glsl"

layout(std430, set = 0, binding = 0) buffer Out { T out_[]; };
#if defined(P_FLOAT)
layout(std430, set = 0, binding = 1) readonly buffer Prob { P prob_[]; };
#endif

uvec4 philox(uint64_t counter, uint64_t key) {
  uint c0 = uint(counter), c1 = uint(counter >> 32), c2 = 0x5ca1ab1eu, c3 = 0u;
  uint k0 = uint(key), k1 = uint(key >> 32);
  for (int r = 0; r < 10; ++r) {
    uint hi0, lo0, hi1, lo1;
    umulExtended(0xD2511F53u, c0, hi0, lo0);
    umulExtended(0xCD9E8D57u, c2, hi1, lo1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return uvec4(c0, c1, c2, c3);
}

// [0, 1) from 24 random bits: exact in float
float unit(uint bits) { return float(bits >> 8) * (1.0 / 16777216.0); }

void main() {
  const uint64_t key = scalar_u64(0), base = scalar_u64(1);
  FOR_EACH(i, g.numel) {
    const uvec4 r = philox(base + uint64_t(i), key);
    const int at0 = at(0, i);
#if defined(T_FLOAT)
    if (OP == OP_UNIFORM) {
      const float from = scalar_f32(2), to = scalar_f32(3);
      float v = from + unit(r.x) * (to - from);
      if (v >= to && to > from) v = from;  // rounding must not reach `to`
      out_[at0] = T(v);
    } else if (OP == OP_NORMAL) {  // Box-Muller over (0, 1] x [0, 1)
      const float u1 = 1.0 - unit(r.x), u2 = unit(r.y);
      const float z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
      out_[at0] = T(scalar_f32(2) + scalar_f32(3) * z);
    }
#endif
    if (OP == OP_RANDINT) {
      const uint64_t range = scalar_u64(3);
      const uint64_t v = range > 0xffffffffUL ? (uint64_t(r.x) << 32) | uint64_t(r.y) : uint64_t(r.x);
      out_[at0] = T(int64_t(v % range + scalar_u64(2)));
    } else if (OP == OP_BERNOULLI) {
#if defined(P_FLOAT)
      const float p = float(prob_[at(1, i)]);
#else
      const float p = scalar_f32(2);
#endif
      out_[at0] = T(unit(r.x) < p ? 1 : 0);
    }
  }
}
