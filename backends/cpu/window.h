#pragma once
// 2-d window geometry and the per-plane steps of im2col and col2im, shared
// by the window kernels (window.cpp) and the fused convolution (conv.cpp).
#include <algorithm>
#include <cstdint>

#include "ember/sdk/backend.h"

namespace ember::cpu {

// The window geometry of abi.h's ints.
struct Window {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, out_h, out_w;
  explicit Window(const ember_op_call& call) {
    if (call.num_ints < 10) sdk::fail("window ops need 10 ints (kernel, stride, padding, dilation, output size)");
    const int64_t* i = call.ints;
    kh = i[0], kw = i[1], sh = i[2], sw = i[3], ph = i[4], pw = i[5], dh = i[6], dw = i[7], out_h = i[8], out_w = i[9];
  }
};

// A 4-d (N, C, H, W) tensor's strides, for planes addressed as n * C + c.
struct Image {
  int64_t n, c, h, w, sn, sc, sh, sw;
  explicit Image(const ember_tensor& t) {
    if (t.ndim != 4) sdk::fail("window ops take 4-d images");
    n = t.sizes[0], c = t.sizes[1], h = t.sizes[2], w = t.sizes[3];
    sn = t.strides[0], sc = t.strides[1], sh = t.strides[2], sw = t.strides[3];
  }
  int64_t plane(int64_t p) const { return (p / c) * sn + (p % c) * sc; }
};

// The taps k of a window starting at `start` (stride `step`) that land in
// [0, size): k in [*lo, *hi).
inline void taps_inside(int64_t start, int64_t step, int64_t taps, int64_t size, int64_t* lo, int64_t* hi) {
  *lo = start >= 0 ? 0 : (-start + step - 1) / step;
  *hi = start + (taps - 1) * step < size ? taps : (size - 1 - start) / step + 1;
  if (*hi < *lo) *hi = *lo;
}

// The kh*kw rows of one channel's columns: rows[(i*kw + j)*rs + l*ls] =
// plane[oh*sh - ph + i*dh][ow*sw - pw + j*dw] with l = oh*out_w + ow (0
// outside the image). `x` gives the plane's size and strides.
// The runs are short (a 14-wide layer's rows), so the loops must stay loops:
// the files that use it are compiled with -fno-tree-loop-distribute-patterns
// (backends/cpu/CMakeLists.txt), else GCC turns each into a memcpy or memset
// call, which costs more than the copying.
template <typename T>
void im2col_plane(const T* plane, const Image& x, const Window& g, T* rows, int64_t rs, int64_t ls) {
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j) {
      T* row = rows + (i * g.kw + j) * rs;
      // The outputs whose tap j lands inside a row of the image: 0 <= ow*sw + shift < W.
      const int64_t shift = j * g.dw - g.pw;
      const int64_t ow_lo = std::min(g.out_w, shift >= 0 ? int64_t(0) : (-shift + g.sw - 1) / g.sw);
      const int64_t ow_hi =
          std::max(ow_lo, std::min(g.out_w, x.w - shift > 0 ? (x.w - shift - 1) / g.sw + 1 : 0));
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const int64_t ih = oh * g.sh - g.ph + i * g.dh;
        T* dst = row + oh * g.out_w * ls;
        if (ih < 0 || ih >= x.h) {
          for (int64_t ow = 0; ow < g.out_w; ++ow) dst[ow * ls] = T(0);
          continue;
        }
        const T* src = plane + ih * x.sh + shift * x.sw;
        for (int64_t ow = 0; ow < ow_lo; ++ow) dst[ow * ls] = T(0);
        if (ls == 1 && g.sw == 1 && x.sw == 1) {
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow] = src[ow];  // a contiguous run
        } else {
          const int64_t step = g.sw * x.sw;
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow * ls] = src[ow * step];
        }
        for (int64_t ow = ow_hi; ow < g.out_w; ++ow) dst[ow * ls] = T(0);
      }
    }
}

// Adds one channel's kh*kw column rows into `acc`, a dense h*w plane (of
// the size `y` gives): im2col_plane's adjoint.
template <typename T, typename Acc>
void col2im_plane(const T* rows, int64_t rs, int64_t ls, const Window& g, const Image& y, Acc* acc) {
  for (int64_t i = 0; i < g.kh; ++i)
    for (int64_t j = 0; j < g.kw; ++j) {
      const T* row = rows + (i * g.kw + j) * rs;
      const int64_t shift = j * g.dw - g.pw;
      const int64_t ow_lo = std::min(g.out_w, shift >= 0 ? int64_t(0) : (-shift + g.sw - 1) / g.sw);
      const int64_t ow_hi = std::max(ow_lo, std::min(g.out_w, y.w - shift > 0 ? (y.w - shift - 1) / g.sw + 1 : 0));
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const int64_t ih = oh * g.sh - g.ph + i * g.dh;
        if (ih < 0 || ih >= y.h) continue;
        const T* __restrict src = row + oh * g.out_w * ls;
        Acc* __restrict dst = acc + ih * y.w + shift;
        if (ls == 1 && g.sw == 1) {
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow] += Acc(src[ow]);  // vectorises
        } else {
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) dst[ow * g.sw] += Acc(src[ow * ls]);
        }
      }
    }
}

}  // namespace ember::cpu
