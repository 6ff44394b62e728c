// Index kernels: index_select, gather, scatter_add. Indices are int64 and
// checked on the device before anything is written (the core does not read
// device memory to check them): a check kernel records the first bad index,
// and the host reads it back, which also synchronises.
//
// Each op is an elementwise walk once the index is seen as one more strided
// operand: stride 0 everywhere but along `dim` (index_select), or the
// source's stride along `dim` zeroed and added back per index (gather).
// scatter_add gives each work item one column along `dim` and adds into it
// in index order: deterministic, no atomics, and the CPU's order.
#include <string>

#include "context.h"

namespace ember::opencl {
namespace {

const char* const kIndexBody = R"CL(
__kernel void op_check(__global const long* index, Geometry g, long size, __global long* bad) {
  FOR_EACH(i, g.numel) {
    const long v = index[at(&g, 0, i)];
    if (v < 0 || v >= size) {
      if (atomic_cmpxchg((volatile __global int*)bad, 0, 1) == 0) bad[1] = v;
    }
  }
}

/* out = src at (position with dim replaced by index[j]); operand 1 is src
   with stride 0 along dim, operand 2 the index (stride 0 but along dim). */
__kernel void op_index_select(__global T* out, __global const T* src, __global const long* index, Geometry g,
                              long src_dim_stride) {
  FOR_EACH(i, g.numel) out[at(&g, 0, i)] = src[at(&g, 1, i) + index[at(&g, 2, i)] * src_dim_stride];
}

/* out shaped like index; operand 2 is src with stride 0 along dim. */
__kernel void op_gather(__global T* out, __global const long* index, __global const T* src, Geometry g,
                        long src_dim_stride) {
  FOR_EACH(i, g.numel) out[at(&g, 0, i)] = src[at(&g, 2, i) + index[at(&g, 1, i)] * src_dim_stride];
}

/* One work item per column: the iteration shape is index's with dim of size
   1; operands index, src, self (self with stride 0 along dim). */
__kernel void op_scatter_add(__global const long* index, __global const T* src, __global T* self, Geometry g,
                             long n, long index_dim_stride, long src_dim_stride, long self_dim_stride) {
  FOR_EACH(i, g.numel) {
    const long oi = at(&g, 0, i), os = at(&g, 1, i), oo = at(&g, 2, i);
    for (long j = 0; j < n; ++j) {
      __global T* slot = self + oo + index[oi + j * index_dim_stride] * self_dim_stride;
#if defined(T_BOOL)
      *slot = (T)(*slot || src[os + j * src_dim_stride]);
#else
      /* half types: each addition in float, rounded back, as the CPU */
      STORE_T(slot, 0, LOAD_T(slot, 0) + LOAD_T(src, os + j * src_dim_stride));
#endif
    }
  }
}
)CL";

const std::string& source(Device& dev, int32_t dtype) {
  static std::string sources[EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  const std::string defines = define_type(dev, "T", dtype);
  std::lock_guard<std::mutex> lock(mutex);
  if (sources[dtype].empty()) sources[dtype] = program_source(defines, kIndexBody);
  return sources[dtype];
}

// Fails naming the first index outside [0, size), as the CPU backend does.
void check_indices(Device& dev, int32_t dtype, const ember_tensor& index, int64_t size, int dim, const char* op) {
  if (index.dtype != EMBER_DTYPE_INT64) sdk::fail(std::string(op) + ": indices must be int64");
  const Geometry g = make_geometry({&index});
  if (g.numel == 0) return;
  int64_t result[2] = {0, 0};
  cl_int err = CL_SUCCESS;
  cl_mem bad = clCreateBuffer(dev.context, CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR, sizeof result, result, &err);
  check(err, "clCreateBuffer");
  try {
    launch(dev, kernel(dev, source(dev, dtype), "op_check"), {arg(buffer(index)), arg(g), arg(size), arg(bad)},
           grid_for(g.numel));
    check(clEnqueueReadBuffer(dev.queue, bad, CL_TRUE, 0, sizeof result, result, 0, nullptr, nullptr),
          "clEnqueueReadBuffer");
  } catch (...) {
    clReleaseMemObject(bad);
    throw;
  }
  clReleaseMemObject(bad);
  if (int32_t(result[0]) != 0)
    sdk::fail(std::string(op) + ": index " + std::to_string(result[1]) + " is out of bounds for dimension " +
              std::to_string(dim) + " with size " + std::to_string(size));
}

EMBER_KERNEL(index_select_kernel) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  Device& dev = device_of(call);
  check_indices(dev, out.dtype, index, src.sizes[dim], dim, "index_select");
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
  launch(dev, kernel(dev, source(dev, out.dtype), "op_index_select"),
         {arg(buffer(out)), arg(buffer(src)), arg(buffer(index)), arg(g), arg(src.strides[dim])}, grid_for(g.numel));
}

EMBER_KERNEL(gather_kernel) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  Device& dev = device_of(call);
  check_indices(dev, out.dtype, index, src.sizes[dim], dim, "gather");
  if (numel(out) == 0) return;
  int64_t src_strides[kMaxDims];
  for (int d = 0; d < index.ndim; ++d) src_strides[d] = d == dim ? 0 : src.strides[d];
  ember_tensor src_view = src;
  src_view.sizes = index.sizes;
  src_view.strides = src_strides;
  const Geometry g = make_geometry({&out, &index, &src_view});
  launch(dev, kernel(dev, source(dev, out.dtype), "op_gather"),
         {arg(buffer(out)), arg(buffer(index)), arg(buffer(src)), arg(g), arg(src.strides[dim])}, grid_for(g.numel));
}

EMBER_KERNEL(scatter_add_kernel) {
  const ember_tensor &index = call.inputs[0], &src = call.inputs[1], &self = call.outputs[0];
  const int dim = int(call.ints[0]);
  Device& dev = device_of(call);
  // Check every index before writing anything: a failed op changes nothing.
  check_indices(dev, self.dtype, index, self.sizes[dim], dim, "scatter_add");
  if (numel(index) == 0) return;
  int64_t sizes[kMaxDims], self_strides[kMaxDims];
  for (int d = 0; d < index.ndim; ++d) {
    sizes[d] = d == dim ? 1 : index.sizes[d];
    self_strides[d] = d == dim ? 0 : self.strides[d];
  }
  ember_tensor index_view = index, src_view = src, self_view = self;
  index_view.sizes = src_view.sizes = self_view.sizes = sizes;
  self_view.strides = self_strides;
  const Geometry g = make_geometry({&index_view, &src_view, &self_view});
  const int64_t n = index.sizes[dim];
  launch(dev, kernel(dev, source(dev, self.dtype), "op_scatter_add"),
         {arg(buffer(index)), arg(buffer(src)), arg(buffer(self)), arg(g), arg(n), arg(index.strides[dim]),
          arg(src.strides[dim]), arg(self.strides[dim])},
         grid_for(g.numel));
}

}  // namespace

void register_index_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_INDEX_SELECT, type, index_select_kernel);
  r.kernel(EMBER_OP_GATHER, type, gather_kernel);
  r.kernel(EMBER_OP_SCATTER_ADD, type, scatter_add_kernel);
}

}  // namespace ember::opencl
