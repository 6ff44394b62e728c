// 2-d window kernels: im2col and col2im (convolution is a gemm over their
// columns) and max pooling. One task per (n, c) plane: planes are
// independent, so the results do not depend on the thread count.

#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"
#include "loops.h"
#include "window.h"

namespace ember::cpu {
namespace {

template <typename Body>
void for_each_plane(int64_t planes, Body body) {
  parallel_for_each(planes, body);
}

template <typename T>
void im2col(const ember_op_call& call) {
  const Window g(call);
  const Image x(call.inputs[0]);
  const ember_tensor& cols_t = call.outputs[0];
  const T* in = sdk::TensorArg{&call.inputs[0]}.data<T>();
  T* cols = sdk::TensorArg{&cols_t}.data<T>();
  const int64_t rs = cols_t.strides[1], ls = cols_t.strides[2], bs = cols_t.strides[0];
  for_each_plane(x.n * x.c, [&](int64_t p) {
    const int64_t n = p / x.c, c = p % x.c;
    im2col_plane(in + x.plane(p), x, g, cols + n * bs + c * g.kh * g.kw * rs, rs, ls);
  });
}

// The adjoint of im2col: every column entry adds into the pixel it read.
template <typename T>
void col2im(const ember_op_call& call) {
  using Acc = compute_t<T>;
  const Window g(call);
  const Image y(call.outputs[0]);
  const ember_tensor& cols_t = call.inputs[0];
  const T* cols = sdk::TensorArg{&cols_t}.data<T>();
  T* out = sdk::TensorArg{&call.outputs[0]}.data<T>();
  const int64_t rs = cols_t.strides[1], ls = cols_t.strides[2], bs = cols_t.strides[0];
  for_each_plane(y.n * y.c, [&](int64_t p) {
    const int64_t n = p / y.c, c = p % y.c;
    // Accumulate the plane in the compute type, then write it once.
    std::vector<Acc> acc(size_t(y.h * y.w), Acc(0));
    col2im_plane(cols + n * bs + c * g.kh * g.kw * rs, rs, ls, g, y, acc.data());
    T* plane = out + y.plane(p);
    for (int64_t h = 0; h < y.h; ++h)
      for (int64_t w = 0; w < y.w; ++w) plane[h * y.sh + w * y.sw] = T(acc[size_t(h * y.w + w)]);
  });
}

// Max pooling as PyTorch's CPU kernel: within a window a later tap wins
// only when greater, and a nan wins (so it propagates). One output row at a
// time, tap by tap across the row: branch-free selects the compiler
// vectorises, where a window-at-a-time loop mispredicts every other compare.
template <typename T>
void max_pool2d(const ember_op_call& call) {
  using Acc = compute_t<T>;
  const Window g(call);
  const Image x(call.inputs[0]), y(call.outputs[0]), yi(call.outputs[1]);
  const T* in = sdk::TensorArg{&call.inputs[0]}.data<T>();
  T* out = sdk::TensorArg{&call.outputs[0]}.data<T>();
  int64_t* idx = sdk::TensorArg{&call.outputs[1]}.data<int64_t>();
  for_each_plane(x.n * x.c, [&](int64_t p) {
    const T* plane = in + x.plane(p);
    T* out_plane = out + y.plane(p);
    int64_t* idx_plane = idx + yi.plane(p);
    std::vector<Acc> best(size_t(g.out_w));
    std::vector<int64_t> at(size_t(g.out_w));
    for (int64_t oh = 0; oh < g.out_h; ++oh) {
      const int64_t h0 = oh * g.sh - g.ph;
      int64_t i_lo, i_hi;
      taps_inside(h0, g.dh, g.kh, x.h, &i_lo, &i_hi);
      // Before any tap: -inf at the window's first pixel inside the image.
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        int64_t j_lo, j_hi;
        taps_inside(ow * g.sw - g.pw, g.dw, g.kw, x.w, &j_lo, &j_hi);
        best[size_t(ow)] = -std::numeric_limits<Acc>::infinity();
        at[size_t(ow)] = (h0 + i_lo * g.dh) * x.w + ow * g.sw - g.pw + j_lo * g.dw;
      }
      Acc* __restrict b = best.data();
      int64_t* __restrict a = at.data();
      for (int64_t i = i_lo; i < i_hi; ++i) {
        const int64_t ih = h0 + i * g.dh;
        const T* row = plane + ih * x.sh;
        for (int64_t j = 0; j < g.kw; ++j) {
          // The outputs whose tap j lands inside the row: 0 <= ow*sw - pw + j*dw < W.
          const int64_t shift = j * g.dw - g.pw;
          const int64_t ow_lo = shift >= 0 ? 0 : (-shift + g.sw - 1) / g.sw;
          const int64_t ow_hi = std::min(g.out_w, x.w - shift > 0 ? (x.w - shift - 1) / g.sw + 1 : 0);
          for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
            const int64_t iw = ow * g.sw + shift;
            const Acc v = Acc(row[iw * x.sw]);
            const bool take = v > b[ow] || v != v;
            b[ow] = take ? v : b[ow];
            a[ow] = take ? ih * x.w + iw : a[ow];
          }
        }
      }
      for (int64_t ow = 0; ow < g.out_w; ++ow) {
        out_plane[oh * y.sh + ow * y.sw] = T(b[ow]);
        idx_plane[oh * yi.sh + ow * yi.sw] = a[ow];
      }
    }
  });
}

template <template <typename> class Kernel>
int32_t floating_entry(const ember_op_call* c, const char* op) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    sdk::dispatch_dtype(c->inputs[0].dtype, [&]<typename T>() {
      if constexpr (std::is_floating_point_v<compute_t<T>>) Kernel<T>::run(*c);
      else sdk::unsupported(std::string(op) + " needs a floating point tensor");
    });
  });
}

template <typename T> struct Im2Col { static void run(const ember_op_call& c) { im2col<T>(c); } };
template <typename T> struct Col2Im { static void run(const ember_op_call& c) { col2im<T>(c); } };
template <typename T> struct MaxPool { static void run(const ember_op_call& c) { max_pool2d<T>(c); } };

int32_t im2col_entry(const ember_op_call* c) { return floating_entry<Im2Col>(c, "im2col"); }
int32_t col2im_entry(const ember_op_call* c) { return floating_entry<Col2Im>(c, "col2im"); }
int32_t max_pool2d_entry(const ember_op_call* c) { return floating_entry<MaxPool>(c, "max_pool2d"); }

}  // namespace

void register_window_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_IM2COL, type, im2col_entry);
  r.kernel(EMBER_OP_COL2IM, type, col2im_entry);
  r.kernel(EMBER_OP_MAX_POOL2D, type, max_pool2d_entry);
}

}  // namespace ember::cpu
