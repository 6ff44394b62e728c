// Index kernels: index_select, gather, scatter_add. Indices are int64 and
// checked on the device before anything is written (the core does not read
// device memory to check them): a check pass records the first bad index in
// a small scratch allocation, and reading it back synchronises.
#include <cstring>

#include "context.h"

namespace ember::vulkan {
namespace {

constexpr int32_t kCheck = 1000;  // shaders/index.comp's OP_CHECK

// Fails naming the first index outside [0, size), as the CPU backend does.
void check_indices(Device& dev, const std::string& name, const ember_tensor& index, int64_t size, int dim,
                   const char* op) {
  if (index.dtype != EMBER_DTYPE_INT64) sdk::fail(std::string(op) + ": indices must be int64");
  Geometry g = make_geometry({&index});
  if (numel(index) == 0) return;
  g.extra[0] = to_i32(size);
  std::lock_guard<std::recursive_mutex> lock(dev.mutex);
  void* scratch = nullptr;
  char err[256] = {0};
  if (allocate(dev.index, 16, &scratch, err, sizeof err) != EMBER_OK) sdk::fail(err, EMBER_ERR_OUT_OF_MEMORY);
  struct Free {
    Device& d;
    void* p;
    ~Free() { deallocate(d.index, p); }
  } free_scratch{dev, scratch};
  const int32_t zero[4] = {0, 0, 0, 0};
  upload_locked(dev, *static_cast<Allocation*>(scratch), 0, zero, sizeof zero);
  Dispatch d;
  d.variant = name.c_str();
  d.op = kCheck;
  d.buffers[0] = d.buffers[1] = static_cast<Allocation*>(scratch);
  d.buffers[2] = allocation(index);
  d.buffers[3] = static_cast<Allocation*>(scratch);
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
  int32_t result[4];
  if (copy_to_host(dev.index, scratch, 0, result, sizeof result, err, sizeof err) != EMBER_OK) sdk::fail(err, EMBER_ERR_DEVICE);
  if (result[0] != 0) {
    const int64_t bad = int64_t((uint64_t(uint32_t(result[2])) << 32) | uint32_t(result[1]));
    sdk::fail(std::string(op) + ": index " + std::to_string(bad) + " is out of bounds for dimension " +
              std::to_string(dim) + " with size " + std::to_string(size));
  }
}

EMBER_KERNEL(index_select_kernel) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  Device& dev = device_of(call);
  const std::string name = variant("index", dev, out.dtype);
  suffix(dev, EMBER_DTYPE_INT64);
  check_indices(dev, name, index, src.sizes[dim], dim, "index_select");
  if (numel(out) == 0) return;
  int64_t src_strides[16], idx_strides[16];
  if (out.ndim > 16) sdk::unsupported("too many dimensions");
  for (int d = 0; d < out.ndim; ++d) {
    src_strides[d] = d == dim ? 0 : src.strides[d];
    idx_strides[d] = d == dim ? index.strides[0] : 0;
  }
  ember_tensor src_view = src, idx_view = out;
  src_view.sizes = out.sizes;
  src_view.strides = src_strides;
  idx_view.strides = idx_strides;
  idx_view.offset = index.offset;
  Geometry g = make_geometry({&out, &src_view, &idx_view});
  g.extra[0] = to_i32(src.strides[dim]);
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_INDEX_SELECT;
  d.buffers[0] = allocation(out);
  d.buffers[1] = allocation(src);
  d.buffers[2] = allocation(index);
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
}

EMBER_KERNEL(gather_kernel) {
  const ember_tensor &src = call.inputs[0], &index = call.inputs[1], &out = call.outputs[0];
  const int dim = int(call.ints[0]);
  Device& dev = device_of(call);
  const std::string name = variant("index", dev, out.dtype);
  suffix(dev, EMBER_DTYPE_INT64);
  check_indices(dev, name, index, src.sizes[dim], dim, "gather");
  if (numel(out) == 0) return;
  int64_t src_strides[16];
  if (index.ndim > 16) sdk::unsupported("too many dimensions");
  for (int d = 0; d < index.ndim; ++d) src_strides[d] = d == dim ? 0 : src.strides[d];
  ember_tensor src_view = src;
  src_view.sizes = index.sizes;
  src_view.strides = src_strides;
  Geometry g = make_geometry({&out, &src_view, &index});
  g.extra[0] = to_i32(src.strides[dim]);
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_GATHER;
  d.buffers[0] = allocation(out);
  d.buffers[1] = allocation(src);
  d.buffers[2] = allocation(index);
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
}

EMBER_KERNEL(scatter_add_kernel) {
  const ember_tensor &index = call.inputs[0], &src = call.inputs[1], &self = call.outputs[0];
  const int dim = int(call.ints[0]);
  Device& dev = device_of(call);
  const std::string name = variant("index", dev, self.dtype);
  suffix(dev, EMBER_DTYPE_INT64);
  // Check every index before writing anything: a failed op changes nothing.
  check_indices(dev, name, index, self.sizes[dim], dim, "scatter_add");
  if (numel(index) == 0) return;
  int64_t sizes[16], self_strides[16];
  if (index.ndim > 16) sdk::unsupported("too many dimensions");
  for (int d = 0; d < index.ndim; ++d) {
    sizes[d] = d == dim ? 1 : index.sizes[d];
    self_strides[d] = d == dim ? 0 : self.strides[d];
  }
  ember_tensor index_view = index, src_view = src, self_view = self;
  index_view.sizes = src_view.sizes = self_view.sizes = sizes;
  self_view.strides = self_strides;
  Geometry g = make_geometry({&self_view, &src_view, &index_view});
  g.extra[0] = to_i32(self.strides[dim]);
  g.extra[1] = to_i32(index.sizes[dim]);
  g.extra[2] = to_i32(index.strides[dim]);
  g.extra[3] = to_i32(src.strides[dim]);
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_SCATTER_ADD;
  d.buffers[0] = allocation(self);
  d.buffers[1] = allocation(src);
  d.buffers[2] = allocation(index);
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
}

}  // namespace

void register_index_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_INDEX_SELECT, type, index_select_kernel);
  r.kernel(EMBER_OP_GATHER, type, gather_kernel);
  r.kernel(EMBER_OP_SCATTER_ADD, type, scatter_add_kernel);
}

}  // namespace ember::vulkan
