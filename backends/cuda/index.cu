// Index kernels: index_select, gather, scatter_add. Indices are int64 and
// checked on the device before anything is written (the core does not read
// device memory to check them): a check kernel finds the first bad index in
// order, and the host reads it back, which also synchronises.
//
// index_select and gather are elementwise walks once the index is one more
// strided operand. scatter_add adds with atomicAdd (float32/64, float16,
// bfloat16, int32, int64), one thread per source element; the order of the
// additions then varies, so float results may differ from the CPU's in the
// last bits. uint8 and bool, which have no atomics, add in index order, one
// thread per column.
#include <climits>

#include "device.cuh"

namespace ember::cuda {
namespace {

// bad[0]: the smallest position of a bad index (all ones when none).
__global__ void check_kernel(const int64_t* index, Geometry g, int64_t size, unsigned long long* bad) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    const int64_t v = index[at(g, 0, i)];
    if (v < 0 || v >= size) atomicMin(&bad[0], static_cast<unsigned long long>(i));
  }
}
// bad[1]: the index at that position.
__global__ void fetch_bad_kernel(const int64_t* index, Geometry g, unsigned long long* bad) {
  if (bad[0] != ~0ull) bad[1] = static_cast<unsigned long long>(index[at(g, 0, int64_t(bad[0]))]);
}

// Fails naming the first index outside [0, size), as the CPU backend does.
// This waits for the stream: the answer must be known before the op
// returns, so that a failed op changes nothing.
void check_indices(Device& dev, const ember_tensor& index, int64_t size, int dim, const char* op) {
  if (index.dtype != EMBER_DTYPE_INT64) sdk::fail(std::string(op) + ": indices must be int64");
  const Geometry g = make_geometry({&index});
  if (g.numel == 0) return;
  std::lock_guard<std::mutex> lock(dev.index_check_mutex);
  unsigned long long* bad = dev.index_check;
  check(cudaMemsetAsync(bad, 0xff, 2 * sizeof(unsigned long long), dev.stream), "cudaMemsetAsync");
  const Launch l = launch_for(dev, g.numel);
  check_kernel<<<l.blocks, l.threads, 0, dev.stream>>>(ptr<int64_t>(index), g, size, bad);
  check_launch("check_kernel");
  fetch_bad_kernel<<<1, 1, 0, dev.stream>>>(ptr<int64_t>(index), g, bad);
  check_launch("fetch_bad_kernel");
  check(cudaMemcpyAsync(dev.index_check_host, bad, 2 * sizeof(unsigned long long), cudaMemcpyDeviceToHost, dev.stream),
        "cudaMemcpyAsync");
  check(cudaStreamSynchronize(dev.stream), "cudaStreamSynchronize");
  const unsigned long long first = dev.index_check_host[0], value = dev.index_check_host[1];
  if (first != ~0ull)
    sdk::fail(std::string(op) + ": index " + std::to_string(int64_t(value)) + " is out of bounds for dimension " +
              std::to_string(dim) + " with size " + std::to_string(size));
}

// out = src at (position with dim replaced by index); operand 1 is src with
// stride 0 along dim, operand 2 the index (index_select: stride 0 but along
// dim; gather: index itself, shaped like out).
template <typename U>
__global__ void select_kernel(U* out, const U* src, const int64_t* index, Geometry g, int64_t src_dim_stride) {
  EMBER_CUDA_FOR_EACH(i, g.numel) { out[at(g, 0, i)] = src[at(g, 1, i) + index[at(g, 2, i)] * src_dim_stride]; }
}

void launch_select(Device& dev, const ember_tensor& out, const ember_tensor& src, const ember_tensor& index,
                   const Geometry& g, int64_t src_dim_stride) {
  if (g.numel == 0) return;
  const Launch l = launch_for(dev, g.numel);
  dispatch_bytes(sdk::dtype_size(out.dtype), [&]<typename U>() {
    select_kernel<U><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<U>(out), ptr<U>(src), ptr<int64_t>(index), g,
                                                              src_dim_stride);
    check_launch("select_kernel");
  });
}

EMBER_KERNEL(index_select_entry) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  if (out.dtype != src.dtype) sdk::fail("index_select: the output must have the source's dtype");
  if (out.ndim > kMaxDims) sdk::unsupported("the CUDA backend supports at most 16 dimensions");
  Device& dev = device_of(call);
  check_indices(dev, index, src.sizes[dim], dim, "index_select");
  if (numel(out) == 0) return;
  int64_t src_strides[kMaxDims], idx_strides[kMaxDims];
  for (int d = 0; d < out.ndim; ++d) {
    src_strides[d] = d == dim ? 0 : src.strides[d];
    idx_strides[d] = d == dim ? index.strides[0] : 0;
  }
  ember_tensor src_view = src, idx_view = out;
  src_view.sizes = out.sizes;
  src_view.strides = src_strides;
  idx_view.strides = idx_strides;
  idx_view.offset = index.offset;
  const Geometry g = make_geometry({&out, &src_view, &idx_view});
  launch_select(dev, out, src, index, g, src.strides[dim]);
}

EMBER_KERNEL(gather_entry) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  if (out.dtype != src.dtype) sdk::fail("gather: the output must have the source's dtype");
  if (index.ndim > kMaxDims) sdk::unsupported("the CUDA backend supports at most 16 dimensions");
  Device& dev = device_of(call);
  check_indices(dev, index, src.sizes[dim], dim, "gather");
  if (numel(out) == 0) return;
  int64_t src_strides[kMaxDims];
  for (int d = 0; d < index.ndim; ++d) src_strides[d] = d == dim ? 0 : src.strides[d];
  ember_tensor src_view = src;
  src_view.sizes = index.sizes;
  src_view.strides = src_strides;
  const Geometry g = make_geometry({&out, &src_view, &index});
  launch_select(dev, out, src, index, g, src.strides[dim]);
}

// ---- scatter_add ----

template <typename T>
__device__ __forceinline__ void atomic_add(T* slot, T v) {
  if constexpr (std::is_same_v<T, int64_t>)
    atomicAdd(reinterpret_cast<unsigned long long*>(slot), static_cast<unsigned long long>(v));  // two's complement
  else
    atomicAdd(slot, v);
}

// One thread per element of src (shaped like index): operands index, src,
// self with stride 0 along dim.
template <typename T>
__global__ void scatter_add_atomic_kernel(const int64_t* index, const T* src, T* self, Geometry g,
                                          int64_t self_dim_stride) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    T* slot = self + at(g, 2, i) + index[at(g, 0, i)] * self_dim_stride;
    atomic_add<T>(slot, src[at(g, 1, i)]);
  }
}

// One thread per column (the iteration shape is index's with dim of size
// 1), adding in index order: for the dtypes without atomics.
template <typename T>
__global__ void scatter_add_column_kernel(const int64_t* index, const T* src, T* self, Geometry g, int64_t n,
                                          int64_t index_dim_stride, int64_t src_dim_stride, int64_t self_dim_stride) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    const int64_t oi = at(g, 0, i), os = at(g, 1, i), oo = at(g, 2, i);
    for (int64_t j = 0; j < n; ++j) {
      T* slot = self + oo + index[oi + j * index_dim_stride] * self_dim_stride;
      if constexpr (std::is_same_v<T, bool>) *slot = *slot || src[os + j * src_dim_stride];
      else *slot = T(*slot + src[os + j * src_dim_stride]);
    }
  }
}

EMBER_KERNEL(scatter_add_entry) {
  const ember_tensor &index = call.inputs[0], &src = call.inputs[1], &self = call.outputs[0];
  const int dim = int(call.ints[0]);
  if (src.dtype != self.dtype) sdk::fail("scatter_add: the source must have the output's dtype");
  if (index.ndim > kMaxDims) sdk::unsupported("the CUDA backend supports at most 16 dimensions");
  Device& dev = device_of(call);
  // Check every index before writing anything: a failed op changes nothing.
  check_indices(dev, index, self.sizes[dim], dim, "scatter_add");
  if (numel(index) == 0) return;
  int64_t self_strides[kMaxDims], sizes[kMaxDims];
  for (int d = 0; d < index.ndim; ++d) self_strides[d] = d == dim ? 0 : self.strides[d];
  ember_tensor src_view = src, self_view = self;
  src_view.sizes = self_view.sizes = index.sizes;
  self_view.strides = self_strides;
  const int32_t dtype = self.dtype;
  if (dtype == EMBER_DTYPE_UINT8 || dtype == EMBER_DTYPE_BOOL) {
    for (int d = 0; d < index.ndim; ++d) sizes[d] = d == dim ? 1 : index.sizes[d];
    ember_tensor index_cols = index, src_cols = src, self_cols = self_view;
    index_cols.sizes = src_cols.sizes = self_cols.sizes = sizes;
    const Geometry g = make_geometry({&index_cols, &src_cols, &self_cols});
    const Launch l = launch_for(dev, g.numel);
    auto run = [&]<typename T>() {
      scatter_add_column_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(
          ptr<int64_t>(index), ptr<T>(src), ptr<T>(self), g, index.sizes[dim], index.strides[dim], src.strides[dim],
          self.strides[dim]);
      check_launch("scatter_add_column_kernel");
    };
    if (dtype == EMBER_DTYPE_BOOL) run.template operator()<bool>();
    else run.template operator()<uint8_t>();
    return;
  }
  const Geometry g = make_geometry({&index, &src_view, &self_view});
  const Launch l = launch_for(dev, g.numel);
  auto run = [&]<typename T>() {
    scatter_add_atomic_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<int64_t>(index), ptr<T>(src),
                                                                          ptr<T>(self), g, self.strides[dim]);
    check_launch("scatter_add_atomic_kernel");
  };
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: run.template operator()<float>(); break;
    case EMBER_DTYPE_FLOAT64: run.template operator()<double>(); break;
    case EMBER_DTYPE_FLOAT16: run.template operator()<half>(); break;
    case EMBER_DTYPE_BFLOAT16: run.template operator()<bf16>(); break;
    case EMBER_DTYPE_INT32: run.template operator()<int32_t>(); break;
    case EMBER_DTYPE_INT64: run.template operator()<int64_t>(); break;
    default: sdk::unsupported(std::string("scatter_add on ") + sdk::dtype_name(dtype));
  }
}

}  // namespace

void register_index_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_INDEX_SELECT, type, index_select_entry);
  r.kernel(EMBER_OP_GATHER, type, gather_entry);
  r.kernel(EMBER_OP_SCATTER_ADD, type, scatter_add_entry);
}

}  // namespace ember::cuda
