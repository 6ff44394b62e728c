// Data movement: strided copy with dtype conversion (a variant per pair of
// dtypes; a dense same-dtype copy is a vkCmdCopyBuffer), fill, and arange.
#include <cmath>
#include <vector>

#include "context.h"

namespace ember::vulkan {
namespace {

bool is_contiguous(const ember_tensor& t) {
  int64_t expected = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    if (t.sizes[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.sizes[i];
  }
  return true;
}

EMBER_KERNEL(copy_kernel) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  Device& dev = device_of(call);
  const int64_t n = numel(out);
  if (n == 0) return;
  const std::string name = std::string("copy_") + suffix(dev, out.dtype, true) + "_" + suffix(dev, in.dtype, true);
  if (in.dtype == out.dtype && is_contiguous(in) && is_contiguous(out) &&
      (in.data != out.data || in.offset != out.offset)) {
    const VkDeviceSize es = VkDeviceSize(sdk::dtype_size(in.dtype));
    const VkDeviceSize src = allocation(in)->offset + VkDeviceSize(in.offset) * es;
    const VkDeviceSize dst = allocation(out)->offset + VkDeviceSize(out.offset) * es;
    const VkDeviceSize bytes = VkDeviceSize(n) * es;
    // vkCmdCopyBuffer forbids overlapping regions of one buffer
    const bool overlap = allocation(in)->block == allocation(out)->block && src < dst + bytes && dst < src + bytes;
    if (!overlap) {
      std::lock_guard<std::recursive_mutex> lock(dev.mutex);
      begin_command(dev);
      const VkBufferCopy region{src, dst, bytes};
      vkCmdCopyBuffer(dev.cmd, allocation(in)->block->buffer, allocation(out)->block->buffer, 1, &region);
      return;
    }
  }
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_COPY;
  d.buffers[0] = allocation(out);
  d.buffers[1] = allocation(in);
  const Geometry g = make_geometry({&out, &in});
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
}

EMBER_KERNEL(fill_kernel) {
  const ember_tensor& out = call.outputs[0];
  Device& dev = device_of(call);
  if (numel(out) == 0) return;
  const std::string name = std::string("copy_") + suffix(dev, out.dtype, true) + "_" + suffix(dev, out.dtype, true);
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_FILL;
  d.buffers[0] = d.buffers[1] = allocation(out);
  const Geometry g = make_geometry({&out});
  d.params = &g;
  d.params_size = sizeof g;
  ember_scalar v = call.scalars[0];
  // bool(0.5) is true; the integer conversion would truncate it to 0 first.
  if (out.dtype == EMBER_DTYPE_BOOL) v = ember_scalar{EMBER_SCALAR_INT64, 0, (v.kind == EMBER_SCALAR_DOUBLE ? v.d : double(v.i)) != 0};
  d.push.scalar(0, v, out.dtype);
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
}

// arange is computed on the host exactly as the CPU backend computes it
// (64-bit integers when start and step are, else double) and uploaded in
// stream order: exact, where a shader would need fp64 for float arange.
EMBER_KERNEL(arange_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("arange: the output must be 1-d");
  Device& dev = device_of(call);
  suffix(dev, out.dtype);  // declines dtypes the device cannot hold
  const int64_t n = out.sizes[0];
  if (n == 0) return;
  if (n > 1 && out.strides[0] != 1) sdk::unsupported("arange: strided output");
  const ember_scalar &start = call.scalars[0], &step = call.scalars[1];
  const bool exact = start.kind != EMBER_SCALAR_DOUBLE && step.kind != EMBER_SCALAR_DOUBLE;
  const double s0 = start.kind == EMBER_SCALAR_DOUBLE ? start.d : double(start.i);
  const double s1 = step.kind == EMBER_SCALAR_DOUBLE ? step.d : double(step.i);
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    if constexpr (std::is_same_v<T, sdk::Half> || std::is_same_v<T, sdk::BFloat16>) {
      sdk::unsupported("arange: unsupported dtype");
    } else {
      // bool as one byte, as the tensor stores it (vector<bool> packs bits)
      using Stored = std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>;
      std::vector<Stored> values(static_cast<size_t>(n));
      for (int64_t i = 0; i < n; ++i)
        values[size_t(i)] = Stored(exact ? T(start.i + i * step.i) : T(s0 + double(i) * s1));
      std::lock_guard<std::recursive_mutex> lock(dev.mutex);
      upload_locked(dev, *allocation(out), VkDeviceSize(out.offset) * sizeof(T), values.data(), values.size() * sizeof(T));
    }
  });
}

}  // namespace

void register_copy_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_COPY, type, copy_kernel);
  r.kernel(EMBER_OP_FILL, type, fill_kernel);
  r.kernel(EMBER_OP_ARANGE, type, arange_kernel);
}

}  // namespace ember::vulkan
