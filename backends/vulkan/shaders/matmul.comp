#version 450
// Batched matmul C (B,M,N) = A (B,M,K) x B (B,K,N), any strides. 64x64
// output tiles per 16x16 workgroup, each invocation accumulating a 4x4 block
// from 64x16 / 16x64 tiles of A and B staged in shared memory; K is summed
// in order per output element (float in float, as BLAS does).
#include "common.glsl"

layout(std430, set = 0, binding = 0) buffer Cbuf { T c_[]; };
layout(std430, set = 0, binding = 1) readonly buffer Abuf { T a_[]; };
layout(std430, set = 0, binding = 2) readonly buffer Bbuf { T b_[]; };

// sizes and strides (elements) as push constants, slots of matmul.cpp
#define M scalar_i32(0)
#define N scalar_i32(1)
#define K scalar_i32(2)
#define A_OFF scalar_i32(3)
#define A_SB scalar_i32(4)
#define A_SM scalar_i32(5)
#define A_SK scalar_i32(6)
#define B_OFF scalar_i32(7)
#define B_SB scalar_i32(8)
#define B_SK scalar_i32(9)
#define B_SN scalar_i32(10)
#define C_OFF scalar_i32(11)
#define C_SB scalar_i32(12)
#define C_SM scalar_i32(13)
#define C_SN scalar_i32(14)

#define TS 64  // output tile edge
#define TK 16  // depth of a staged slab
#define R 4    // outputs per invocation along each axis

shared T_C As[TK][TS];  // As[k][row]
shared T_C Bs[TK][TS];  // Bs[k][col]

void main() {
  const int lx = int(gl_LocalInvocationID.x), ly = int(gl_LocalInvocationID.y);  // 16 x 16
  const int lin = ly * 16 + lx;
  const int col0 = int(gl_WorkGroupID.x) * TS, row0 = int(gl_WorkGroupID.y) * TS, b = int(gl_WorkGroupID.z);
  const int m = M, n = N, k = K;
  const int a_base = A_OFF + b * A_SB, b_base = B_OFF + b * B_SB;
  T_C acc[R][R];
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < R; ++j) acc[i][j] = T_C(0);
  for (int t = 0; t < k; t += TK) {
    // 256 invocations stage 64x16 of A and 16x64 of B: 4 elements each
    for (int e = lin; e < TS * TK; e += 256) {
      const int r = e / TK, kk = e % TK;  // consecutive invocations walk K of A
      const int gr = row0 + r, gk = t + kk;
      As[kk][r] = gr < m && gk < k ? T_C(a_[a_base + gr * A_SM + gk * A_SK]) : T_C(0);
      const int c = e % TS, kb = e / TS;  // and N of B
      const int gc = col0 + c, gkb = t + kb;
      Bs[kb][c] = gc < n && gkb < k ? T_C(b_[b_base + gkb * B_SK + gc * B_SN]) : T_C(0);
    }
    barrier();
    for (int kk = 0; kk < TK; ++kk) {
      T_C av[R], bv[R];
      for (int i = 0; i < R; ++i) av[i] = As[kk][ly + 16 * i];
      for (int j = 0; j < R; ++j) bv[j] = Bs[kk][lx + 16 * j];
      for (int i = 0; i < R; ++i)
        for (int j = 0; j < R; ++j) acc[i][j] += av[i] * bv[j];
    }
    barrier();
  }
  for (int i = 0; i < R; ++i) {
    const int row = row0 + ly + 16 * i;
    if (row >= m) continue;
    for (int j = 0; j < R; ++j) {
      const int col = col0 + lx + 16 * j;
      if (col < n) c_[C_OFF + b * C_SB + row * C_SM + col * C_SN] = T(acc[i][j]);
    }
  }
}
