#version 450
// 2-d windows over (N, C, H, W): im2col, col2im (its adjoint, gathering in
// the CPU's order so it matches exactly without atomics) and max pooling
// (first maximum wins, a nan beats every number, int64 plane indices).
#define NEEDS_I64 1
#include "common.glsl"
#include "ops.glsl"

layout(std430, set = 0, binding = 0) buffer Y { T y_[]; };        // im2col: cols; pool: maxima
layout(std430, set = 0, binding = 1) buffer X { T x_[]; };        // the image (col2im's output)
layout(std430, set = 0, binding = 2) buffer Idx { int64_t i_[]; };  // pool indices
layout(std430, set = 0, binding = 4) readonly buffer Window {
  int kh, kw, sh, sw, ph, pw, dh, dw, out_h, out_w;
  int n, c, h, w;
  int x_off, x_sn, x_sc, x_sh, x_sw;
  int y_off, y_s0, y_s1, y_s2, y_s3;
  int i_off, i_s0, i_s1, i_s2, i_s3;
} g;

void main() {
  if (OP == OP_IM2COL) {
    const int L = g.out_h * g.out_w, R = g.c * g.kh * g.kw;
    FOR_EACH(e, g.n * R * L) {
      const int l = e % L, r = (e / L) % R, n = e / (L * R);
      const int j = r % g.kw, i = (r / g.kw) % g.kh, c = r / (g.kw * g.kh);
      const int ow = l % g.out_w, oh = l / g.out_w;
      const int ih = oh * g.sh - g.ph + i * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
      const T v = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w
                      ? x_[g.x_off + n * g.x_sn + c * g.x_sc + ih * g.x_sh + iw * g.x_sw] : T(0);
      y_[g.y_off + n * g.y_s0 + r * g.y_s1 + l * g.y_s2] = v;
    }
  } else if (OP == OP_COL2IM) {
    FOR_EACH(e, g.n * g.c * g.h * g.w) {
      const int iw = e % g.w, ih = (e / g.w) % g.h, c = (e / (g.w * g.h)) % g.c, n = e / (g.w * g.h * g.c);
      T acc = T(0);
      for (int i = 0; i < g.kh; ++i) {
        const int th = ih + g.ph - i * g.dh;
        if (th < 0 || th % g.sh != 0) continue;
        const int oh = th / g.sh;
        if (oh >= g.out_h) continue;
        for (int j = 0; j < g.kw; ++j) {
          const int tw = iw + g.pw - j * g.dw;
          if (tw < 0 || tw % g.sw != 0) continue;
          const int ow = tw / g.sw;
          if (ow >= g.out_w) continue;
          const int r = (c * g.kh + i) * g.kw + j;
          acc += y_[g.y_off + n * g.y_s0 + r * g.y_s1 + (oh * g.out_w + ow) * g.y_s2];
        }
      }
      x_[g.x_off + n * g.x_sn + c * g.x_sc + ih * g.x_sh + iw * g.x_sw] = acc;
    }
  } else if (OP == OP_MAX_POOL2D) {
    FOR_EACH(e, g.n * g.c * g.out_h * g.out_w) {
      const int ow = e % g.out_w, oh = (e / g.out_w) % g.out_h, c = (e / (g.out_w * g.out_h)) % g.c;
      const int n = e / (g.out_w * g.out_h * g.c);
      const int plane = g.x_off + n * g.x_sn + c * g.x_sc;
      T best = T(-1.0 / 0.0);
      int best_at = -1;
      for (int i = 0; i < g.kh && !(best_at >= 0 && isnan(best)); ++i) {
        const int ih = oh * g.sh - g.ph + i * g.dh;
        if (ih < 0 || ih >= g.h) continue;
        for (int j = 0; j < g.kw; ++j) {
          const int iw = ow * g.sw - g.pw + j * g.dw;
          if (iw < 0 || iw >= g.w) continue;
          const T v = x_[plane + ih * g.x_sh + iw * g.x_sw];
          if (best_at < 0 || v > best || isnan(v)) {
            best = v;
            best_at = ih * g.w + iw;
            if (isnan(v)) break;
          }
        }
      }
      y_[g.y_off + n * g.y_s0 + c * g.y_s1 + oh * g.y_s2 + ow * g.y_s3] = best;
      i_[g.i_off + n * g.i_s0 + c * g.i_s1 + oh * g.i_s2 + ow * g.i_s3] = int64_t(best_at);
    }
  }
}
