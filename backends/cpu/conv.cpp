// Fused 2-d convolution (the overridable composites CONV2D and its two
// backward ops): each image's columns are built in a per-thread buffer that
// stays in cache and fed straight to gemm, instead of the core's composite,
// which writes the whole batch's columns out and reads them back.
// float32/float64 on contiguous operands; anything else is declined and the
// core composes the op from im2col, col2im and bmm.

#include <tbb/enumerable_thread_specific.h>

#include <algorithm>
#include <memory>
#include <optional>

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

// Scratch columns for one image: a per-thread buffer kept across calls
// (fresh megabytes per call cost an allocation, a zero-fill nobody reads and
// first-touch page faults), unless the layer is large enough that keeping
// it would pin too much memory; then the buffer lives for the call. No task
// starts nested parallel work while it holds the buffer, so one per thread
// suffices. The per-thread slots are oneTBB's, not thread_local: a
// dlopen()ed library's thread_locals live in dynamic TLS, which
// LeakSanitizer's exit-time scan crashes on once oneTBB's workers exist.
constexpr size_t kKeptScratchBytes = size_t(8) << 20;

template <typename T>
class ScratchColumns {
 public:
  explicit ScratchColumns(size_t n) {
    if (n * sizeof(T) > kKeptScratchBytes) {
      own_.reset(new T[n]);  // uninitialised: im2col writes every element
      data_ = own_.get();
      return;
    }
    Kept& kept = per_thread().local();
    if (kept.size < n) {
      kept.data.reset(new T[n]);
      kept.size = n;
    }
    data_ = kept.data.get();
  }
  T* get() const { return data_; }

 private:
  struct Kept {
    std::unique_ptr<T[]> data;
    size_t size = 0;
  };
  static tbb::enumerable_thread_specific<Kept>& per_thread() {
    static tbb::enumerable_thread_specific<Kept> slots;
    return slots;
  }

  std::unique_ptr<T[]> own_;
  T* data_ = nullptr;
};

// Image n's (k, l) columns for group `grp`: the image itself for a 1x1
// convolution, else im2col into scratch. One image at a time: OpenBLAS runs
// a (og, k) x (k, l) product of a 14x14 layer as fast as a wider one, and the
// columns of one image stay in the cache between im2col and gemm.
template <typename T>
class ImageColumns {
 public:
  explicit ImageColumns(const ConvShape& s) : s_(s) {
    if (!s.columns_are_image()) scratch_.emplace(size_t(s.k * s.l));
  }
  const T* of(const T* x, int64_t n, int64_t grp) {
    const T* image = x + n * s_.x.sn + grp * s_.cg * s_.x.sc;
    if (!scratch_) return image;  // contiguous: channel stride l
    T* cols = scratch_->get();
    for (int64_t c = 0; c < s_.cg; ++c)
      im2col_plane(image + c * s_.x.sc, s_.x, s_.g, cols + c * s_.g.kh * s_.g.kw * s_.l, s_.l, 1);
    return cols;
  }

 private:
  const ConvShape& s_;
  std::optional<ScratchColumns<T>> scratch_;
};

// One task per (image, group), each one gemm straight into the output.
template <typename T>
void forward(const ember_op_call& call) {
  const ConvShape s(call, call.inputs[0], call.inputs[1].sizes[0]);
  const T* x = sdk::TensorArg{&call.inputs[0]}.data<T>();
  const T* w = sdk::TensorArg{&call.inputs[1]}.data<T>();
  T* out = sdk::TensorArg{&call.outputs[0]}.data<T>();
  parallel_for_each(s.x.n * s.groups, [&](int64_t t) {
    const int64_t n = t / s.groups, grp = t % s.groups;
    ImageColumns<T> columns(s);  // owns the scratch the columns may live in
    const T* cols = columns.of(x, n, grp);
    gemm<T>(CblasNoTrans, CblasNoTrans, s.og, s.l, s.k, w + grp * s.og * s.k, s.k, cols, s.l,
            out + (n * s.o + grp * s.og) * s.l, s.l);
  });
}

// The columns' gradient weightᵀ · grad, one (image, group) per task, folded
// back onto the image by col2im (or, for 1x1, written there directly).
template <typename T>
void backward_input(const ember_op_call& call) {
  const ConvShape s(call, call.outputs[0], call.inputs[0].sizes[1]);
  const T* grad = sdk::TensorArg{&call.inputs[0]}.data<T>();
  const T* w = sdk::TensorArg{&call.inputs[1]}.data<T>();
  T* gx = sdk::TensorArg{&call.outputs[0]}.data<T>();
  parallel_for_each(s.x.n * s.groups, [&](int64_t t) {
    const int64_t n = t / s.groups, grp = t % s.groups;
    const T* g = grad + (n * s.o + grp * s.og) * s.l;
    T* image = gx + n * s.x.sn + grp * s.cg * s.x.sc;
    const T* wg = w + grp * s.og * s.k;
    if (s.columns_are_image()) {  // the columns' gradient is the image's
      gemm<T>(CblasTrans, CblasNoTrans, s.k, s.l, s.og, wg, s.k, g, s.l, image, s.l);
      return;
    }
    ScratchColumns<T> scratch(size_t(s.k * s.l));
    T* cols = scratch.get();
    gemm<T>(CblasTrans, CblasNoTrans, s.k, s.l, s.og, wg, s.k, g, s.l, cols, s.l);
    for (int64_t c = 0; c < s.cg; ++c) {
      T* plane = image + c * s.x.sc;
      std::fill(plane, plane + s.x.h * s.x.w, T(0));
      col2im_plane(cols + c * s.g.kh * s.g.kw * s.l, s.l, 1, s.g, s.x, plane);
    }
  });
}

// Σ over images of grad_n · columns_nᵀ. Images go in fixed chunks of about
// kChunkColumns columns (enough tasks for the threads, few partials), each
// summed image by image (gemm with beta = 1) into the chunk's own partial,
// and the partials are then added in order: chunks depend on the shapes
// only, so the result does not depend on the thread count.
constexpr int64_t kChunkColumns = 2048;

template <typename T>
void backward_weight(const ember_op_call& call) {
  const ConvShape s(call, call.inputs[1], call.inputs[0].sizes[1]);
  const T* grad = sdk::TensorArg{&call.inputs[0]}.data<T>();
  const T* x = sdk::TensorArg{&call.inputs[1]}.data<T>();
  T* gw = sdk::TensorArg{&call.outputs[0]}.data<T>();
  const int64_t size = s.o * s.k;
  const int64_t images_per_chunk = std::max<int64_t>(1, kChunkColumns / std::max<int64_t>(s.l, 1));
  const int64_t chunks = (s.x.n + images_per_chunk - 1) / images_per_chunk;
  if (chunks == 0) return std::fill(gw, gw + size, T(0));  // no images
  std::unique_ptr<T[]> partial(new T[size_t(chunks * size)]);
  parallel_for_each(chunks, [&](int64_t c) {
    const int64_t first = c * images_per_chunk, last = std::min(s.x.n, first + images_per_chunk);
    T* acc = partial.get() + c * size;
    ImageColumns<T> columns(s);
    for (int64_t n = first; n < last; ++n)
      for (int64_t grp = 0; grp < s.groups; ++grp) {
        const T* cols = columns.of(x, n, grp);
        const T* g = grad + (n * s.o + grp * s.og) * s.l;
        gemm<T>(CblasNoTrans, CblasTrans, s.og, s.k, s.l, g, s.l, cols, s.l, acc + grp * s.og * s.k, s.k,
                n == first ? T(0) : T(1));
      }
  });
  std::copy(partial.get(), partial.get() + size, gw);
  for (int64_t c = 1; c < chunks; ++c) {
    const T* p = partial.get() + c * size;
    for (int64_t i = 0; i < size; ++i) gw[i] += p[i];
  }
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
