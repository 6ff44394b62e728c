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

template <typename T>
void im2col(const ember_op_call& call) {
  const Window g(call);
  const Image x(call.inputs[0]);
  const ember_tensor& cols_t = call.outputs[0];
  const T* in = sdk::TensorArg{&call.inputs[0]}.data<T>();
  T* cols = sdk::TensorArg{&cols_t}.data<T>();
  const int64_t rs = cols_t.strides[1], ls = cols_t.strides[2], bs = cols_t.strides[0];
  parallel_for_each(x.n * x.c, [&](int64_t p) {
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
  parallel_for_each(y.n * y.c, [&](int64_t p) {
    const int64_t n = p / y.c, c = p % y.c;
    // Accumulate the plane in the compute type, then write it once.
    std::vector<Acc> acc(size_t(y.h * y.w), Acc(0));
    col2im_plane(cols + n * bs + c * g.kh * g.kw * rs, rs, ls, g, y, acc.data());
    T* plane = out + y.plane(p);
    for (int64_t h = 0; h < y.h; ++h)
      for (int64_t w = 0; w < y.w; ++w) plane[h * y.sh + w * y.sw] = T(acc[size_t(h * y.w + w)]);
  });
}

// One tap of a row of windows: output ow reads src[ow * step] (index
// index0 + ow * index_step in its plane) and keeps it when greater, or nan.
// Branch-free selects the compiler vectorises; Step is the column step when
// it is a constant (1 or 2: unit-stride rows, the pooling's stride), so the
// loads vectorise too.
template <int Step, typename T, typename Acc>
EMBER_VECTOR_LOOP inline void take_tap(const T* __restrict src, int64_t step, int64_t ow_lo, int64_t ow_hi,
                                       int64_t index0, int64_t index_step, Acc* __restrict best,
                                       int64_t* __restrict at) {
  const int64_t s = Step ? Step : step;
  for (int64_t ow = ow_lo; ow < ow_hi; ++ow) {
    const Acc v = Acc(src[ow * s]);
    const bool take = (v > best[ow]) | (v != v);
    best[ow] = take ? v : best[ow];
    at[ow] = take ? index0 + ow * index_step : at[ow];
  }
}

// The common pooling, 2x2 windows of stride 2 wholly inside a plane with
// unit-stride rows: each output row is a loop over straight-line code
// (stride-2 loads, selects), which the compiler vectorises — branches on
// the compares would mispredict half the time.
template <typename T, typename Acc>
EMBER_VECTOR_LOOP inline void max_pool_2x2(const T* __restrict plane, int64_t w, int64_t row_stride, int64_t out_h,
                                           int64_t out_w, T* __restrict out, int64_t out_row_stride,
                                           int64_t* __restrict idx, int64_t idx_row_stride) {
  for (int64_t oh = 0; oh < out_h; ++oh) {
    const T* __restrict r0 = plane + 2 * oh * row_stride;
    const T* __restrict r1 = r0 + row_stride;
    T* __restrict o = out + oh * out_row_stride;
    int64_t* __restrict at = idx + oh * idx_row_stride;
    // Plane indices in 32 bits (the caller checks they fit): as wide as the
    // float lanes, so the selects of value and index share one mask.
    const int32_t first = int32_t(2 * oh * w), w32 = int32_t(w);
    for (int64_t ow = 0; ow < out_w; ++ow) {
      const int32_t i0 = first + 2 * int32_t(ow);
      Acc best = Acc(r0[2 * ow]);
      int32_t a = i0;
      const Acc v1 = Acc(r0[2 * ow + 1]), v2 = Acc(r1[2 * ow]), v3 = Acc(r1[2 * ow + 1]);
      bool take = (v1 > best) | (v1 != v1);
      best = take ? v1 : best;
      a = take ? i0 + 1 : a;
      take = (v2 > best) | (v2 != v2);
      best = take ? v2 : best;
      a = take ? i0 + w32 : a;
      take = (v3 > best) | (v3 != v3);
      best = take ? v3 : best;
      a = take ? i0 + w32 + 1 : a;
      o[ow] = T(best);
      at[ow] = a;
    }
  }
}

// Max pooling as PyTorch's CPU kernel: within a window a later tap wins
// only when greater, and a nan wins (so it propagates). One output row at a
// time, tap by tap across the row (take_tap), where a window-at-a-time loop
// mispredicts every other compare.
template <typename T>
void max_pool2d(const ember_op_call& call) {
  using Acc = compute_t<T>;
  const Window g(call);
  const Image x(call.inputs[0]), y(call.outputs[0]), yi(call.outputs[1]);
  const T* in = sdk::TensorArg{&call.inputs[0]}.data<T>();
  T* out = sdk::TensorArg{&call.outputs[0]}.data<T>();
  int64_t* idx = sdk::TensorArg{&call.outputs[1]}.data<int64_t>();
  const bool two_by_two = g.kh == 2 && g.kw == 2 && g.sh == 2 && g.sw == 2 && g.dh == 1 && g.dw == 1 && g.ph == 0 &&
                          g.pw == 0 && 2 * g.out_h <= x.h && 2 * g.out_w <= x.w && x.sw == 1 && y.sw == 1 &&
                          yi.sw == 1 && x.h * x.w < (int64_t(1) << 31);
  if (two_by_two) {
    parallel_for_each(x.n * x.c, [&](int64_t p) {
      vectorized<std::is_floating_point_v<T>, /*ShortLoops=*/true>([&]() EMBER_VECTOR_LOOP {
        max_pool_2x2<T, Acc>(in + x.plane(p), x.w, x.sh, g.out_h, g.out_w, out + y.plane(p), y.sh,
                             idx + yi.plane(p), yi.sh);
      });
    });
    return;
  }
  // Column geometry, the same for every row and plane: the first tap inside
  // the image of each output column, and the columns each tap j reaches.
  struct ColumnTap {
    int64_t shift, ow_lo, ow_hi;
  };
  std::vector<int64_t> first_column(size_t(g.out_w));
  for (int64_t ow = 0; ow < g.out_w; ++ow) {
    int64_t j_lo, j_hi;
    taps_inside(ow * g.sw - g.pw, g.dw, g.kw, x.w, &j_lo, &j_hi);
    first_column[size_t(ow)] = ow * g.sw - g.pw + j_lo * g.dw;
  }
  std::vector<ColumnTap> column_taps(size_t(g.kw));
  for (int64_t j = 0; j < g.kw; ++j) {
    // The outputs whose tap j lands inside a row: 0 <= ow*sw - pw + j*dw < W.
    const int64_t shift = j * g.dw - g.pw;
    const int64_t ow_lo = shift >= 0 ? 0 : (-shift + g.sw - 1) / g.sw;
    const int64_t ow_hi = std::min(g.out_w, x.w - shift > 0 ? (x.w - shift - 1) / g.sw + 1 : 0);
    column_taps[size_t(j)] = {shift, ow_lo, ow_hi};
  }
  parallel_for_each(x.n * x.c, [&](int64_t p) {
    const T* plane = in + x.plane(p);
    T* out_plane = out + y.plane(p);
    int64_t* idx_plane = idx + yi.plane(p);
    std::vector<Acc> best_row(size_t(g.out_w));
    std::vector<int64_t> at_row(size_t(g.out_w));
    Acc* best = best_row.data();
    int64_t* at = at_row.data();
    const int64_t* first = first_column.data();
    vectorized<std::is_floating_point_v<T>, /*ShortLoops=*/true>([&]() EMBER_VECTOR_LOOP {
      for (int64_t oh = 0; oh < g.out_h; ++oh) {
        const int64_t h0 = oh * g.sh - g.ph;
        int64_t i_lo, i_hi;
        taps_inside(h0, g.dh, g.kh, x.h, &i_lo, &i_hi);
        // Before any tap: -inf at the window's first pixel inside the image.
        const int64_t first_row = (h0 + i_lo * g.dh) * x.w;
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          best[ow] = -std::numeric_limits<Acc>::infinity();
          at[ow] = first_row + first[ow];
        }
        for (int64_t i = i_lo; i < i_hi; ++i) {
          const int64_t ih = h0 + i * g.dh;
          const T* row = plane + ih * x.sh;
          for (const ColumnTap& c : column_taps) {
            const T* src = row + c.shift * x.sw;
            const int64_t index0 = ih * x.w + c.shift;
            if (x.sw == 1 && g.sw == 2) take_tap<2>(src, 2, c.ow_lo, c.ow_hi, index0, 2, best, at);
            else if (x.sw == 1 && g.sw == 1) take_tap<1>(src, 1, c.ow_lo, c.ow_hi, index0, 1, best, at);
            else take_tap<0>(src, g.sw * x.sw, c.ow_lo, c.ow_hi, index0, g.sw, best, at);
          }
        }
        for (int64_t ow = 0; ow < g.out_w; ++ow) {
          out_plane[oh * y.sh + ow * y.sw] = T(best[ow]);
          idx_plane[oh * yi.sh + ow * yi.sw] = at[ow];
        }
      }
    });
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
