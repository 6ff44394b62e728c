// Fused 2-d convolution (the overridable composites CONV2D and its two
// backward ops): each image's columns are built in a per-thread buffer that
// stays in cache and fed straight to gemm, instead of the core's composite,
// which writes the whole batch's columns out and reads them back.
// float32/float64 on contiguous operands; anything else is declined and the
// core composes the op from im2col, col2im and bmm.

#include <algorithm>
#include <memory>
#include <vector>

#include "blas.h"
#include "kernels.h"
#include "loops.h"
#include "window.h"

namespace ember::cpu {
namespace {

// The shapes of one call: images x (N, C, H, W), gradient/output
// (N, O, out_h, out_w), weight (O, C/groups, kh, kw).
struct ConvShape {
  Window g;
  Image x;
  int64_t groups, o, og, cg, k, l;
  ConvShape(const ember_op_call& call, const ember_tensor& image, int64_t out_channels)
      : g(call), x(image), groups(call.num_ints > 10 ? call.ints[10] : 1) {
    if (groups <= 0 || x.c % groups || out_channels % groups) sdk::fail("conv2d: bad groups");
    o = out_channels, og = o / groups, cg = x.c / groups;
    k = cg * g.kh * g.kw, l = g.out_h * g.out_w;
  }
  // 1x1, stride 1, no padding: an image's columns are the image.
  bool columns_are_image() const {
    return g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.ph == 0 && g.pw == 0;
  }
};

void require_contiguous(const ember_op_call& call) {
  for (int i = 0; i < call.num_inputs; ++i)
    if (!sdk::TensorArg{&call.inputs[i]}.is_contiguous()) sdk::unsupported("conv2d: strided operands");
  if (!sdk::TensorArg{&call.outputs[0]}.is_contiguous()) sdk::unsupported("conv2d: a strided output");
}

// Images go to gemm in chunks of about kChunkColumns columns: one image of a
// small layer (14x14 = 196 columns) makes a gemm too thin to run at speed.
constexpr int64_t kChunkColumns = 2048;

struct Chunks {
  int64_t size, count;
  Chunks(const ConvShape& s, int64_t images)
      : size(std::clamp<int64_t>(kChunkColumns / std::max<int64_t>(s.l, 1), 1, std::max<int64_t>(images, 1))),
        count((images + size - 1) / size) {}
};

// The (k, images*l) columns of group `grp` of images [first, first + images):
// image i's columns are the block of columns [i*l, (i+1)*l).
template <typename T>
void chunk_columns(const ConvShape& s, const T* x, int64_t first, int64_t images, int64_t grp, T* cols) {
  const int64_t ld = images * s.l;
  for (int64_t i = 0; i < images; ++i) {
    const T* image = x + (first + i) * s.x.sn + grp * s.cg * s.x.sc;
    if (s.columns_are_image()) {
      for (int64_t r = 0; r < s.k; ++r) std::copy(image + r * s.l, image + (r + 1) * s.l, cols + r * ld + i * s.l);
      continue;
    }
    for (int64_t c = 0; c < s.cg; ++c)
      im2col_plane(image + c * s.x.sc, s.x, s.g, cols + c * s.g.kh * s.g.kw * ld + i * s.l, ld, 1);
  }
}

// Rows [grp*og, (grp+1)*og) of (N, O, l) images [first, first + images),
// side by side as one (og, images*l) matrix — and back.
template <typename T>
void gather_rows(const ConvShape& s, const T* src, int64_t first, int64_t images, int64_t grp, T* dst) {
  const int64_t ld = images * s.l;
  for (int64_t i = 0; i < images; ++i)
    for (int64_t r = 0; r < s.og; ++r) {
      const T* row = src + ((first + i) * s.o + grp * s.og + r) * s.l;
      std::copy(row, row + s.l, dst + r * ld + i * s.l);
    }
}
template <typename T>
void scatter_rows(const ConvShape& s, const T* src, int64_t first, int64_t images, int64_t grp, T* dst) {
  const int64_t ld = images * s.l;
  for (int64_t i = 0; i < images; ++i)
    for (int64_t r = 0; r < s.og; ++r)
      std::copy(src + r * ld + i * s.l, src + r * ld + (i + 1) * s.l, dst + ((first + i) * s.o + grp * s.og + r) * s.l);
}

// Scratch buffers, one set per thread, kept across calls: a convolution's
// columns are megabytes, and fresh ones per call cost an allocation, a
// zero-fill nobody reads and the page faults of first touch.
template <typename T>
struct Scratch {
  std::unique_ptr<T[]> cols, rows;
  size_t cols_size = 0, rows_size = 0;
  T* columns(size_t n) { return grow(cols, cols_size, n); }
  T* matrix(size_t n) { return grow(rows, rows_size, n); }
  static T* grow(std::unique_ptr<T[]>& buffer, size_t& size, size_t n) {
    if (size < n) {
      buffer.reset(new T[n]);  // uninitialised: every use writes before it reads
      size = n;
    }
    return buffer.get();
  }
  static Scratch& local() {
    thread_local Scratch scratch;
    return scratch;
  }
};

template <typename T>
void forward(const ember_op_call& call) {
  const ConvShape s(call, call.inputs[0], call.inputs[1].sizes[0]);
  const T* x = sdk::TensorArg{&call.inputs[0]}.data<T>();
  const T* w = sdk::TensorArg{&call.inputs[1]}.data<T>();
  T* out = sdk::TensorArg{&call.outputs[0]}.data<T>();
  const Chunks chunks(s, s.x.n);
  parallel_for_each(chunks.count * s.groups, [&](int64_t t) {
    const int64_t first = (t / s.groups) * chunks.size, grp = t % s.groups;
    const int64_t images = std::min(chunks.size, s.x.n - first), ld = images * s.l;
    Scratch<T>& buf = Scratch<T>::local();
    T* cols = buf.columns(size_t(s.k * ld));
    chunk_columns(s, x, first, images, grp, cols);
    T* result = images == 1 ? out + (first * s.o + grp * s.og) * s.l : buf.matrix(size_t(s.og * ld));
    gemm<T>(CblasNoTrans, CblasNoTrans, s.og, ld, s.k, w + grp * s.og * s.k, s.k, cols, ld, result, ld);
    if (images > 1) scatter_rows(s, result, first, images, grp, out);
  });
}

template <typename T>
void backward_input(const ember_op_call& call) {
  const ConvShape s(call, call.outputs[0], call.inputs[0].sizes[1]);
  const T* grad = sdk::TensorArg{&call.inputs[0]}.data<T>();
  const T* w = sdk::TensorArg{&call.inputs[1]}.data<T>();
  T* gx = sdk::TensorArg{&call.outputs[0]}.data<T>();
  const Chunks chunks(s, s.x.n);
  parallel_for_each(chunks.count * s.groups, [&](int64_t t) {
    const int64_t first = (t / s.groups) * chunks.size, grp = t % s.groups;
    const int64_t images = std::min(chunks.size, s.x.n - first), ld = images * s.l;
    Scratch<T>& buf = Scratch<T>::local();
    T* g = buf.matrix(size_t(s.og * ld));
    gather_rows(s, grad, first, images, grp, g);
    T* cols = buf.columns(size_t(s.k * ld));
    gemm<T>(CblasTrans, CblasNoTrans, s.k, ld, s.og, w + grp * s.og * s.k, s.k, g, ld, cols, ld);
    for (int64_t i = 0; i < images; ++i) {
      T* image = gx + (first + i) * s.x.sn + grp * s.cg * s.x.sc;
      if (s.columns_are_image()) {  // the columns' gradient is the image's
        for (int64_t r = 0; r < s.k; ++r) std::copy(cols + r * ld + i * s.l, cols + r * ld + (i + 1) * s.l, image + r * s.l);
        continue;
      }
      for (int64_t c = 0; c < s.cg; ++c) {
        T* plane = image + c * s.x.sc;
        std::fill(plane, plane + s.x.h * s.x.w, T(0));
        col2im_plane(cols + c * s.g.kh * s.g.kw * ld + i * s.l, ld, 1, s.g, s.x, plane);
      }
    }
  });
}

// Σ over images of grad_n · columns_nᵀ, one gemm per chunk of images into
// the chunk's own partial sum, the partials then added in order: chunks
// depend on the shapes only, so the result does not depend on the thread
// count.
template <typename T>
void backward_weight(const ember_op_call& call) {
  const ConvShape s(call, call.inputs[1], call.inputs[0].sizes[1]);
  const T* grad = sdk::TensorArg{&call.inputs[0]}.data<T>();
  const T* x = sdk::TensorArg{&call.inputs[1]}.data<T>();
  T* gw = sdk::TensorArg{&call.outputs[0]}.data<T>();
  const int64_t size = s.o * s.k;
  const Chunks chunks(s, s.x.n);
  std::vector<std::vector<T>> partial(size_t(chunks.count), std::vector<T>(size_t(size)));
  parallel_for_each(chunks.count, [&](int64_t c) {
    const int64_t first = c * chunks.size, images = std::min(chunks.size, s.x.n - first), ld = images * s.l;
    Scratch<T>& buf = Scratch<T>::local();
    for (int64_t grp = 0; grp < s.groups; ++grp) {
      T* cols = buf.columns(size_t(s.k * ld));
      chunk_columns(s, x, first, images, grp, cols);
      T* g = buf.matrix(size_t(s.og * ld));
      gather_rows(s, grad, first, images, grp, g);
      gemm<T>(CblasNoTrans, CblasTrans, s.og, s.k, ld, g, ld, cols, ld, partial[size_t(c)].data() + grp * s.og * s.k,
              s.k);
    }
  });
  std::copy(partial[0].begin(), partial[0].end(), gw);
  for (int64_t c = 1; c < chunks.count; ++c)
    for (int64_t i = 0; i < size; ++i) gw[i] += partial[size_t(c)][size_t(i)];
}

template <void (*Float)(const ember_op_call&), void (*Double)(const ember_op_call&)>
int32_t entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    require_contiguous(*c);
    switch (c->outputs[0].dtype) {
      case EMBER_DTYPE_FLOAT32: return Float(*c);
      case EMBER_DTYPE_FLOAT64: return Double(*c);
      default: sdk::unsupported("conv2d: fused only for float32 and float64");
    }
  });
}

}  // namespace

void register_conv_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_CONV2D, type, entry<forward<float>, forward<double>>);
  r.kernel(EMBER_OP_CONV2D_BACKWARD_INPUT, type, entry<backward_input<float>, backward_input<double>>);
  r.kernel(EMBER_OP_CONV2D_BACKWARD_WEIGHT, type, entry<backward_weight<float>, backward_weight<double>>);
}

}  // namespace ember::cpu
