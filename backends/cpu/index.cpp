// Index kernels: index_select, gather, scatter_add. Indices are int64 and
// checked here (the core does not read device memory to check them).
#include <string>

#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

[[noreturn]] void out_of_range(const char* op, int64_t index, int64_t size, int64_t dim) {
  sdk::fail(std::string(op) + ": index " + std::to_string(index) + " is out of bounds for dimension " +
            std::to_string(dim) + " with size " + std::to_string(size));
}

// As PyTorch's index_select, gather and scatter_add: no negative indices
// (Python-style wrapping is the business of index(), which wraps first).
inline int64_t checked(const char* op, int64_t index, int64_t size, int64_t dim) {
  if (index < 0 || index >= size) out_of_range(op, index, size, dim);
  return index;
}

// out = src.index_select(dim, index): out's dim `dim` has index.numel() entries.
EMBER_KERNEL(index_select_kernel) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  const int64_t* idx = sdk::TensorArg{&index}.data<int64_t>();
  const int64_t count = index.sizes[0], istride = index.strides[0];
  for (int64_t j = 0; j < count; ++j) checked("index_select", idx[j * istride], src.sizes[dim], dim);
  // Walk the output with `dim` collapsed, adding the source offset per entry.
  ember_tensor out_view = out, src_view = src;
  int64_t sizes[kMaxDims];
  for (int d = 0; d < out.ndim; ++d) sizes[d] = d == dim ? 1 : out.sizes[d];
  out_view.sizes = src_view.sizes = sizes;
  const int64_t es = sdk::dtype_size(out.dtype);
  auto plan = make_plan<2>({&out_view, &src_view});
  for (int64_t j = 0; j < count; ++j) {
    const int64_t at = checked("index_select", idx[j * istride], src.sizes[dim], dim);
    StridedPlan<2> p = plan;
    p.base[0] += j * out.strides[dim] * es;
    p.base[1] += at * src.strides[dim] * es;
    for_each_run(p, [&](const std::array<char*, 2>& ptr, int64_t n, const std::array<int64_t, 2>& s) {
      for (int64_t i = 0; i < n; ++i) std::memcpy(ptr[0] + i * s[0], ptr[1] + i * s[1], size_t(es));
    });
  }
}

// Visits every element of `index` (its shape drives the loop) with the
// offsets, in elements, of the matching positions of the other operands
// except along `dim`.
template <typename Body>
void for_each_index(const ember_tensor& index, const ember_tensor& a, const ember_tensor& b, int dim, Body body) {
  const int nd = index.ndim;
  if (nd == 0) return body(0, 0, 0);
  for (int d = 0; d < nd; ++d)
    if (index.sizes[d] == 0) return;
  // A tight loop along the last dim; the outer coordinates step between runs.
  const int last = nd - 1;
  const int64_t inner = index.sizes[last];
  const int64_t si = index.strides[last], sa = last == dim ? 0 : a.strides[last], sb = b.strides[last];
  int64_t coord[kMaxDims] = {0};
  for (;;) {
    int64_t oi = 0, oa = 0, ob = 0;
    for (int d = 0; d < last; ++d) {
      oi += coord[d] * index.strides[d];
      if (d != dim) oa += coord[d] * a.strides[d];
      ob += coord[d] * b.strides[d];
    }
    for (int64_t k = 0; k < inner; ++k) body(oi + k * si, oa + k * sa, ob + k * sb);
    int d = last - 1;
    for (; d >= 0; --d) {
      if (++coord[d] < index.sizes[d]) break;
      coord[d] = 0;
    }
    if (d < 0) return;
  }
}

// out[i][j] = src[index[i][j]][j] (for dim 0), out shaped like index.
EMBER_KERNEL(gather_kernel) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  const int64_t* idx = sdk::TensorArg{&index}.data<int64_t>();
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    const T* s = sdk::TensorArg{&src}.data<T>();
    T* o = sdk::TensorArg{&out}.data<T>();
    for_each_index(index, src, out, dim, [&](int64_t oi, int64_t os, int64_t oo) {
      const int64_t at = checked("gather", idx[oi], src.sizes[dim], dim);
      o[oo] = s[os + at * src.strides[dim]];
    });
  });
}

// self[index[i][j]][j] += src[i][j] (for dim 0), serially: duplicates add up
// in a fixed order.
EMBER_KERNEL(scatter_add_kernel) {
  const ember_tensor &index = call.inputs[0], &src = call.inputs[1], &self = call.outputs[0];
  const int dim = int(call.ints[0]);
  const int64_t* idx = sdk::TensorArg{&index}.data<int64_t>();
  // Check every index before writing anything: a failed op changes nothing.
  for_each_index(index, self, src, dim, [&](int64_t oi, int64_t, int64_t) {
    checked("scatter_add", idx[oi], self.sizes[dim], dim);
  });
  sdk::dispatch_dtype(self.dtype, [&]<typename T>() {
    T* o = sdk::TensorArg{&self}.data<T>();
    const T* s = sdk::TensorArg{&src}.data<T>();
    for_each_index(index, self, src, dim, [&](int64_t oi, int64_t oo, int64_t os) {
      const int64_t at = checked("scatter_add", idx[oi], self.sizes[dim], dim);
      T& slot = o[oo + at * self.strides[dim]];
      if constexpr (std::is_same_v<T, bool>) slot = slot || s[os];
      else slot = T(compute_t<T>(slot) + compute_t<T>(s[os]));
    });
  });
}

}  // namespace

void register_index_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_INDEX_SELECT, type, index_select_kernel);
  r.kernel(EMBER_OP_GATHER, type, gather_kernel);
  r.kernel(EMBER_OP_SCATTER_ADD, type, scatter_add_kernel);
}

}  // namespace ember::cpu
