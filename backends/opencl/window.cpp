// 2-d window kernels over (N, C, H, W): im2col and col2im (convolution is a
// bmm over their columns) and max pooling. One work item per element
// written; col2im gathers every column entry that reads a pixel, in the
// order the CPU adds them, so it needs no atomics and matches it exactly.
#include "context.h"

namespace ember::opencl {
namespace {

// The window geometry of abi.h's ints, and the strides of the two images.
struct WindowArgs {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, out_h, out_w;
  int64_t n, c, h, w;                // the image's sizes
  int64_t x_off, x_sn, x_sc, x_sh, x_sw;  // the image (input of im2col / pool, output of col2im)
  int64_t y_off, y_s0, y_s1, y_s2, y_s3;  // columns (N, C*kh*kw, L) or pooled (N, C, oh, ow)
  int64_t i_off, i_s0, i_s1, i_s2, i_s3;  // pool indices
};

const char* const kWindowBody = R"CL(
typedef struct {
  long kh, kw, sh, sw, ph, pw, dh, dw, out_h, out_w;
  long n, c, h, w;
  long x_off, x_sn, x_sc, x_sh, x_sw;
  long y_off, y_s0, y_s1, y_s2, y_s3;
  long i_off, i_s0, i_s1, i_s2, i_s3;
} Window;

/* cols[n][(c*kh + i)*kw + j][oh*out_w + ow] = x[n][c][oh*sh - ph + i*dh][ow*sw - pw + j*dw] */
__kernel void op_im2col(__global T* cols, __global const T* x, Window g) {
  const long L = g.out_h * g.out_w, R = g.c * g.kh * g.kw;
  FOR_EACH(e, g.n * R * L) {
    const long l = e % L, r = (e / L) % R, n = e / (L * R);
    const long j = r % g.kw, i = (r / g.kw) % g.kh, c = r / (g.kw * g.kh);
    const long ow = l % g.out_w, oh = l / g.out_w;
    const long ih = oh * g.sh - g.ph + i * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
    /* storage moves unconverted; 0 is +0 in every type */
    const T v = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w
                    ? x[g.x_off + n * g.x_sn + c * g.x_sc + ih * g.x_sh + iw * g.x_sw] : (T)0;
    cols[g.y_off + n * g.y_s0 + r * g.y_s1 + l * g.y_s2] = v;
  }
}

/* The adjoint of im2col: each pixel sums the column entries that read it. */
__kernel void op_col2im(__global T* x, __global const T* cols, Window g) {
  FOR_EACH(e, g.n * g.c * g.h * g.w) {
    const long iw = e % g.w, ih = (e / g.w) % g.h, c = (e / (g.w * g.h)) % g.c, n = e / (g.w * g.h * g.c);
    T_C acc = (T_C)0;
    for (long i = 0; i < g.kh; ++i) {
      const long th = ih + g.ph - i * g.dh;
      if (th < 0 || th % g.sh != 0) continue;
      const long oh = th / g.sh;
      if (oh >= g.out_h) continue;
      for (long j = 0; j < g.kw; ++j) {
        const long tw = iw + g.pw - j * g.dw;
        if (tw < 0 || tw % g.sw != 0) continue;
        const long ow = tw / g.sw;
        if (ow >= g.out_w) continue;
        const long r = (c * g.kh + i) * g.kw + j;
        acc += LOAD_T(cols, g.y_off + n * g.y_s0 + r * g.y_s1 + (oh * g.out_w + ow) * g.y_s2);
      }
    }
    STORE_T(x, g.x_off + n * g.x_sn + c * g.x_sc + ih * g.x_sh + iw * g.x_sw, acc);
  }
}

/* The first maximum of a window wins; a nan beats every number. */
__kernel void op_max_pool2d(__global T* y, __global long* idx, __global const T* x, Window g) {
  FOR_EACH(e, g.n * g.c * g.out_h * g.out_w) {
    const long ow = e % g.out_w, oh = (e / g.out_w) % g.out_h, c = (e / (g.out_w * g.out_h)) % g.c;
    const long n = e / (g.out_w * g.out_h * g.c);
    const __global T* plane = x + g.x_off + n * g.x_sn + c * g.x_sc;
    T_C best = (T_C)-INFINITY;
    long best_at = -1;
    for (long i = 0; i < g.kh && !(best_at >= 0 && isnan(best)); ++i) {
      const long ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.h) continue;
      for (long j = 0; j < g.kw; ++j) {
        const long iw = ow * g.sw - g.pw + j * g.dw;
        if (iw < 0 || iw >= g.w) continue;
        const T_C v = LOAD_T(plane, ih * g.x_sh + iw * g.x_sw);
        if (best_at < 0 || v > best || isnan(v)) {
          best = v;
          best_at = ih * g.w + iw;
          if (isnan(v)) break;
        }
      }
    }
    STORE_T(y, g.y_off + n * g.y_s0 + c * g.y_s1 + oh * g.y_s2 + ow * g.y_s3, best);
    idx[g.i_off + n * g.i_s0 + c * g.i_s1 + oh * g.i_s2 + ow * g.i_s3] = best_at;
  }
}
)CL";

const std::string& source(Device& dev, int32_t dtype) {
  static std::string sources[EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  if (dtype != EMBER_DTYPE_FLOAT32 && dtype != EMBER_DTYPE_FLOAT64 && !is_half_type(dtype))
    sdk::unsupported("window ops need a floating point tensor");
  const std::string defines = define_type(dev, "T", dtype);
  std::lock_guard<std::mutex> lock(mutex);
  if (sources[dtype].empty()) sources[dtype] = program_source(defines, kWindowBody);
  return sources[dtype];
}

WindowArgs window_args(const ember_op_call& call, const ember_tensor& image) {
  if (call.num_ints < 10) sdk::fail("window ops need 10 ints (kernel, stride, padding, dilation, output size)");
  if (image.ndim != 4) sdk::fail("window ops take 4-d images");
  WindowArgs g{};
  const int64_t* i = call.ints;
  g.kh = i[0], g.kw = i[1], g.sh = i[2], g.sw = i[3], g.ph = i[4], g.pw = i[5], g.dh = i[6], g.dw = i[7];
  g.out_h = i[8], g.out_w = i[9];
  g.n = image.sizes[0], g.c = image.sizes[1], g.h = image.sizes[2], g.w = image.sizes[3];
  g.x_off = image.offset;
  g.x_sn = image.strides[0], g.x_sc = image.strides[1], g.x_sh = image.strides[2], g.x_sw = image.strides[3];
  return g;
}

void set_y(WindowArgs& g, const ember_tensor& t) {
  g.y_off = t.offset;
  g.y_s0 = t.strides[0], g.y_s1 = t.strides[1], g.y_s2 = t.strides[2], g.y_s3 = t.ndim > 3 ? t.strides[3] : 0;
}

EMBER_KERNEL(im2col_kernel) {
  const ember_tensor &x = call.inputs[0], &cols = call.outputs[0];
  Device& dev = device_of(call);
  cl_kernel k = kernel(dev, source(dev, x.dtype), "op_im2col");
  WindowArgs g = window_args(call, x);
  set_y(g, cols);
  const int64_t n = g.n * g.c * g.kh * g.kw * g.out_h * g.out_w;
  launch(dev, k, {arg(buffer(cols)), arg(buffer(x)), arg(g)}, grid_for(n));
}

EMBER_KERNEL(col2im_kernel) {
  const ember_tensor &cols = call.inputs[0], &x = call.outputs[0];
  Device& dev = device_of(call);
  cl_kernel k = kernel(dev, source(dev, x.dtype), "op_col2im");
  WindowArgs g = window_args(call, x);
  set_y(g, cols);
  launch(dev, k, {arg(buffer(x)), arg(buffer(cols)), arg(g)}, grid_for(g.n * g.c * g.h * g.w));
}

EMBER_KERNEL(max_pool2d_kernel) {
  const ember_tensor &x = call.inputs[0], &y = call.outputs[0], &idx = call.outputs[1];
  Device& dev = device_of(call);
  cl_kernel k = kernel(dev, source(dev, x.dtype), "op_max_pool2d");
  WindowArgs g = window_args(call, x);
  set_y(g, y);
  g.i_off = idx.offset;
  g.i_s0 = idx.strides[0], g.i_s1 = idx.strides[1], g.i_s2 = idx.strides[2], g.i_s3 = idx.strides[3];
  launch(dev, k, {arg(buffer(y)), arg(buffer(idx)), arg(buffer(x)), arg(g)}, grid_for(g.n * g.c * g.out_h * g.out_w));
}

}  // namespace

void register_window_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_IM2COL, type, im2col_kernel);
  r.kernel(EMBER_OP_COL2IM, type, col2im_kernel);
  r.kernel(EMBER_OP_MAX_POOL2D, type, max_pool2d_kernel);
}

}  // namespace ember::opencl
