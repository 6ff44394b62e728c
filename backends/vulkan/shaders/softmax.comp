#version 450
// softmax / log_softmax along one dim, fused: one invocation per slice makes
// the three passes (max, sum of exponentials, write). The iteration shape is
// the tensor's with `dim` of size 1; operands out, in; extra: n, strides.
#include "common.glsl"
#include "geometry.glsl"
#include "ops.glsl"

layout(std430, set = 0, binding = 0) buffer Out { T out_[]; };
layout(std430, set = 0, binding = 1) readonly buffer In { T in_[]; };

void main() {
  const int n = g.extra[0], os = g.extra[1], is = g.extra[2];
  FOR_EACH(s, g.numel) {
    const int o = at(0, s), x = at(1, s);
    T_C m = T_C(-1.0 / 0.0);
    for (int i = 0; i < n; ++i) m = T_C(in_[x + i * is]) > m ? T_C(in_[x + i * is]) : m;
    const T_C shift = isinf(m) ? T_C(0) : m;  // a nan input makes every output nan below
    T_C sum = T_C(0);
    for (int i = 0; i < n; ++i) sum += exp(T_C(in_[x + i * is]) - shift);
    if (OP == OP_LOG_SOFTMAX) {
      const T_C log_sum = log(sum);
      for (int i = 0; i < n; ++i) out_[o + i * os] = T((T_C(in_[x + i * is]) - shift) - log_sum);
    } else {
      for (int i = 0; i < n; ++i) out_[o + i * os] = T(exp(T_C(in_[x + i * is]) - shift) / sum);
    }
  }
}
