#version 450
// Batched matmul for CPU devices (lavapipe) when B's rows are dense and a
// multiple of 4 long (and 16-byte aligned): each invocation computes 8 rows
// x 4 columns, loading B a vec4 at a time; no shared memory, which llvmpipe
// turns into per-lane gathers. K is summed in order per output element.
// Slots as matmul.comp (B's offset and strides in elements, multiples of 4).
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer Cbuf { float c_[]; };
layout(std430, set = 0, binding = 1) readonly buffer Abuf { float a_[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bbuf { vec4 b_[]; };

#define R 8

void main() {
  const int m = scalar_i32(0), n = scalar_i32(1), k = scalar_i32(2);
  const int a_sm = scalar_i32(5), a_sk = scalar_i32(6), b_sk4 = scalar_i32(9) / 4;
  const int col4 = int(gl_GlobalInvocationID.x), row0 = int(gl_GlobalInvocationID.y) * R, b = int(gl_GlobalInvocationID.z);
  if (col4 * 4 >= n || row0 >= m) return;
  const int a_base = scalar_i32(3) + b * scalar_i32(4), b_base = (scalar_i32(7) + b * scalar_i32(8)) / 4 + col4;
  int rows[R];
  for (int i = 0; i < R; ++i) rows[i] = a_base + min(row0 + i, m - 1) * a_sm;  // the tail repeats the last row
  vec4 acc[R];
  for (int i = 0; i < R; ++i) acc[i] = vec4(0);
  for (int kk = 0; kk < k; ++kk) {
    const vec4 bv = b_[b_base + kk * b_sk4];
    for (int i = 0; i < R; ++i) acc[i] += a_[rows[i] + kk * a_sk] * bv;
  }
  const int c_sm = scalar_i32(13), c_sn = scalar_i32(14);
  const int c_at = scalar_i32(11) + b * scalar_i32(12) + col4 * 4 * c_sn;
  for (int i = 0; i < R && row0 + i < m; ++i)
    for (int j = 0; j < 4; ++j) c_[c_at + (row0 + i) * c_sm + j * c_sn] = acc[i][j];
}
