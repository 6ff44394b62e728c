// 2-d window kernels over (N, C, H, W): im2col and col2im (convolution is a
// bmm over their columns, composed by the core: no cuDNN needed) and max
// pooling. One thread per element written; col2im gathers every column
// entry that reads a pixel (in the compute type, written once, as the CPU
// does), so it needs no atomics. Floating dtypes only, as on the CPU.
#include "device.cuh"

namespace ember::cuda {
namespace {

// The window geometry of abi.h's ints, and the strides of the two images.
struct Window {
  int64_t kh, kw, sh, sw, ph, pw, dh, dw, out_h, out_w;
  int64_t n, c, h, w;                     // the image's sizes
  int64_t x_off, x_sn, x_sc, x_sh, x_sw;  // the image (input of im2col / pool, output of col2im)
  int64_t y_off, y_s0, y_s1, y_s2, y_s3;  // columns (N, C*kh*kw, L) or pooled (N, C, oh, ow)
  int64_t i_off, i_s0, i_s1, i_s2, i_s3;  // pool indices
};

// cols[n][(c*kh + i)*kw + j][oh*out_w + ow] = x[n][c][oh*sh - ph + i*dh][ow*sw - pw + j*dw]
template <typename T>
__global__ void im2col_kernel(T* cols, const T* x, Window g) {
  const int64_t L = g.out_h * g.out_w, R = g.c * g.kh * g.kw;
  EMBER_CUDA_FOR_EACH(e, g.n * R * L) {
    const int64_t l = e % L, r = (e / L) % R, n = e / (L * R);
    const int64_t j = r % g.kw, i = (r / g.kw) % g.kh, c = r / (g.kw * g.kh);
    const int64_t ow = l % g.out_w, oh = l / g.out_w;
    const int64_t ih = oh * g.sh - g.ph + i * g.dh, iw = ow * g.sw - g.pw + j * g.dw;
    const T v = ih >= 0 && ih < g.h && iw >= 0 && iw < g.w
                    ? x[g.x_off + n * g.x_sn + c * g.x_sc + ih * g.x_sh + iw * g.x_sw]
                    : to_storage<T>(compute_t<T>(0));
    cols[g.y_off + n * g.y_s0 + r * g.y_s1 + l * g.y_s2] = v;
  }
}

// The adjoint of im2col: each pixel sums the column entries that read it.
template <typename T>
__global__ void col2im_kernel(T* x, const T* cols, Window g) {
  EMBER_CUDA_FOR_EACH(e, g.n * g.c * g.h * g.w) {
    const int64_t iw = e % g.w, ih = (e / g.w) % g.h, c = (e / (g.w * g.h)) % g.c, n = e / (g.w * g.h * g.c);
    compute_t<T> acc = 0;
    for (int64_t i = 0; i < g.kh; ++i) {
      const int64_t th = ih + g.ph - i * g.dh;
      if (th < 0 || th % g.sh != 0) continue;
      const int64_t oh = th / g.sh;
      if (oh >= g.out_h) continue;
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t tw = iw + g.pw - j * g.dw;
        if (tw < 0 || tw % g.sw != 0) continue;
        const int64_t ow = tw / g.sw;
        if (ow >= g.out_w) continue;
        const int64_t r = (c * g.kh + i) * g.kw + j;
        acc += load(cols[g.y_off + n * g.y_s0 + r * g.y_s1 + (oh * g.out_w + ow) * g.y_s2]);
      }
    }
    x[g.x_off + n * g.x_sn + c * g.x_sc + ih * g.x_sh + iw * g.x_sw] = to_storage<T>(acc);
  }
}

// The first maximum of a window wins; a nan beats every number.
template <typename T>
__global__ void max_pool2d_kernel(T* y, int64_t* idx, const T* x, Window g) {
  using C = compute_t<T>;
  EMBER_CUDA_FOR_EACH(e, g.n * g.c * g.out_h * g.out_w) {
    const int64_t ow = e % g.out_w, oh = (e / g.out_w) % g.out_h, c = (e / (g.out_w * g.out_h)) % g.c;
    const int64_t n = e / (g.out_w * g.out_h * g.c);
    const T* plane = x + g.x_off + n * g.x_sn + c * g.x_sc;
    C best = -INFINITY;
    int64_t best_at = -1;
    bool found_nan = false;
    for (int64_t i = 0; i < g.kh && !found_nan; ++i) {
      const int64_t ih = oh * g.sh - g.ph + i * g.dh;
      if (ih < 0 || ih >= g.h) continue;
      for (int64_t j = 0; j < g.kw; ++j) {
        const int64_t iw = ow * g.sw - g.pw + j * g.dw;
        if (iw < 0 || iw >= g.w) continue;
        const C v = load(plane[ih * g.x_sh + iw * g.x_sw]);
        if (best_at < 0 || v > best || isnan(v)) {
          best = v;
          best_at = ih * g.w + iw;
          if (isnan(v)) {
            found_nan = true;
            break;
          }
        }
      }
    }
    y[g.y_off + n * g.y_s0 + c * g.y_s1 + oh * g.y_s2 + ow * g.y_s3] = to_storage<T>(best);
    idx[g.i_off + n * g.i_s0 + c * g.i_s1 + oh * g.i_s2 + ow * g.i_s3] = best_at;
  }
}

Window window_args(const ember_op_call& call, const ember_tensor& image) {
  if (call.num_ints < 10) sdk::fail("window ops need 10 ints (kernel, stride, padding, dilation, output size)");
  if (image.ndim != 4) sdk::fail("window ops take 4-d images");
  Window g{};
  const int64_t* i = call.ints;
  g.kh = i[0], g.kw = i[1], g.sh = i[2], g.sw = i[3], g.ph = i[4], g.pw = i[5], g.dh = i[6], g.dw = i[7];
  g.out_h = i[8], g.out_w = i[9];
  g.n = image.sizes[0], g.c = image.sizes[1], g.h = image.sizes[2], g.w = image.sizes[3];
  g.x_off = image.offset;
  g.x_sn = image.strides[0], g.x_sc = image.strides[1], g.x_sh = image.strides[2], g.x_sw = image.strides[3];
  return g;
}

void set_y(Window& g, const ember_tensor& t) {
  g.y_off = t.offset;
  g.y_s0 = t.strides[0], g.y_s1 = t.strides[1], g.y_s2 = t.strides[2], g.y_s3 = t.ndim > 3 ? t.strides[3] : 0;
}

EMBER_KERNEL(im2col_entry) {
  const ember_tensor &x = call.inputs[0], &cols = call.outputs[0];
  Window g = window_args(call, x);
  set_y(g, cols);
  const int64_t n = g.n * g.c * g.kh * g.kw * g.out_h * g.out_w;
  if (n == 0) return;
  Device& dev = device_of(call);
  dispatch_floating(x.dtype, "im2col", [&]<typename T>() {
    const Launch l = launch_for(dev, n);
    im2col_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<T>(cols), ptr<T>(x), g);
    check_launch("im2col_kernel");
  });
}

EMBER_KERNEL(col2im_entry) {
  const ember_tensor &cols = call.inputs[0], &x = call.outputs[0];
  Window g = window_args(call, x);
  set_y(g, cols);
  const int64_t n = g.n * g.c * g.h * g.w;
  if (n == 0) return;
  Device& dev = device_of(call);
  dispatch_floating(x.dtype, "col2im", [&]<typename T>() {
    const Launch l = launch_for(dev, n);
    col2im_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<T>(x), ptr<T>(cols), g);
    check_launch("col2im_kernel");
  });
}

EMBER_KERNEL(max_pool2d_entry) {
  const ember_tensor &x = call.inputs[0], &y = call.outputs[0], &idx = call.outputs[1];
  if (idx.dtype != EMBER_DTYPE_INT64) sdk::fail("max_pool2d: indices must be int64");
  Window g = window_args(call, x);
  set_y(g, y);
  g.i_off = idx.offset;
  g.i_s0 = idx.strides[0], g.i_s1 = idx.strides[1], g.i_s2 = idx.strides[2], g.i_s3 = idx.strides[3];
  const int64_t n = g.n * g.c * g.out_h * g.out_w;
  if (n == 0) return;
  Device& dev = device_of(call);
  dispatch_floating(x.dtype, "max_pool2d", [&]<typename T>() {
    const Launch l = launch_for(dev, n);
    max_pool2d_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<T>(y), ptr<int64_t>(idx), ptr<T>(x), g);
    check_launch("max_pool2d_kernel");
  });
}

}  // namespace

void register_window_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_IM2COL, type, im2col_entry);
  r.kernel(EMBER_OP_COL2IM, type, col2im_entry);
  r.kernel(EMBER_OP_MAX_POOL2D, type, max_pool2d_entry);
}

}  // namespace ember::cuda
