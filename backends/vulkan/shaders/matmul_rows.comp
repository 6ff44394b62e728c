#version 450
// Batched matmul for CPU devices (lavapipe): no shared memory, which
// llvmpipe turns into per-lane gathers. Each invocation computes 8 rows of
// one column straight from the buffers: neighbouring invocations take
// neighbouring columns, so their loads of B are contiguous and of A
// identical; K is summed in order per output element. Slots as matmul.comp.
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer Cbuf { T c_[]; };
layout(std430, set = 0, binding = 1) readonly buffer Abuf { T a_[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bbuf { T b_[]; };

#define R 8

void main() {
  const int m = scalar_i32(0), n = scalar_i32(1), k = scalar_i32(2);
  const int a_sm = scalar_i32(5), a_sk = scalar_i32(6), b_sk = scalar_i32(9), b_sn = scalar_i32(10);
  const int col = int(gl_GlobalInvocationID.x), row0 = int(gl_GlobalInvocationID.y) * R, b = int(gl_GlobalInvocationID.z);
  if (col >= n || row0 >= m) return;
  const int a_base = scalar_i32(3) + b * scalar_i32(4), b_base = scalar_i32(7) + b * scalar_i32(8) + col * b_sn;
  int rows[R];
  for (int i = 0; i < R; ++i) rows[i] = a_base + min(row0 + i, m - 1) * a_sm;  // the tail repeats the last row
  T_C acc[R];
  for (int i = 0; i < R; ++i) acc[i] = T_C(0);
  for (int kk = 0; kk < k; ++kk) {
    const T_C bv = T_C(b_[b_base + kk * b_sk]);
    for (int i = 0; i < R; ++i) acc[i] += T_C(a_[rows[i] + kk * a_sk]) * bv;
  }
  const int c_at = scalar_i32(11) + b * scalar_i32(12) + col * scalar_i32(14);
  for (int i = 0; i < R && row0 + i < m; ++i) c_[c_at + (row0 + i) * scalar_i32(13)] = T(acc[i]);
}
