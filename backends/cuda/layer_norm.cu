// Fused layer norm (the overridable composites LAYER_NORM and
// LAYER_NORM_BACKWARD of abi.h): one warp per row of the (M, N) input, its
// statistics folded across the warp by a fixed butterfly, so results do not
// depend on scheduling. Statistics in the compute type (float for float32,
// float16 and bfloat16; double for float64), in two passes over the row
// (the mean, then the squared deviations), which stay in cache.
#include "device.cuh"

namespace ember::cuda {
namespace {

constexpr int kWarpsPerBlock = 8;

template <typename C>
__device__ __forceinline__ C warp_sum(C v) {
#pragma unroll
  for (int k = 16; k > 0; k /= 2) v += __shfl_xor_sync(0xffffffffu, v, k);
  return v;
}

// y = (x - mean) * rstd * weight + bias; mean and rstd stored per row.
template <typename T>
__global__ void layer_norm_kernel(T* y, T* mean_out, T* rstd_out, const T* x, const T* weight, const T* bias,
                                  int64_t rows, int64_t n, compute_t<T> eps) {
  using C = compute_t<T>;
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * kWarpsPerBlock;
  for (int64_t r = int64_t(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32; r < rows; r += warps) {
    const T* row = x + r * n;
    C sum = 0;
    for (int64_t i = lane; i < n; i += 32) sum += load(row[i]);
    const C mean = warp_sum(sum) / C(n);
    C squares = 0;
    for (int64_t i = lane; i < n; i += 32) {
      const C d = load(row[i]) - mean;
      squares += d * d;
    }
    const C rstd = C(1) / sqrt(warp_sum(squares) / C(n) + eps);
    T* out = y + r * n;
    for (int64_t i = lane; i < n; i += 32) {
      C v = (load(row[i]) - mean) * rstd;
      if (weight) v = v * load(weight[i]);
      if (bias) v = v + load(bias[i]);
      out[i] = to_storage<T>(v);
    }
    if (lane == 0) {
      mean_out[r] = to_storage<T>(mean);
      rstd_out[r] = to_storage<T>(rstd);
    }
  }
}

// grad_x = rstd * (gw - mean(gw) - xhat * mean(gw * xhat)), gw = grad * weight
// and xhat = (x - mean) * rstd, the means over the row.
template <typename T>
__global__ void layer_norm_backward_kernel(T* grad_x, const T* grad, const T* x, const T* mean_in, const T* rstd_in,
                                           const T* weight, int64_t rows, int64_t n) {
  using C = compute_t<T>;
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * kWarpsPerBlock;
  for (int64_t r = int64_t(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32; r < rows; r += warps) {
    const T *g = grad + r * n, *row = x + r * n;
    const C mean = load(mean_in[r]), rstd = load(rstd_in[r]);
    C sum_gw = 0, sum_gw_xhat = 0;
    for (int64_t i = lane; i < n; i += 32) {
      const C gw = weight ? load(g[i]) * load(weight[i]) : load(g[i]);
      sum_gw += gw;
      sum_gw_xhat += gw * ((load(row[i]) - mean) * rstd);
    }
    const C mean_gw = warp_sum(sum_gw) / C(n), mean_gw_xhat = warp_sum(sum_gw_xhat) / C(n);
    T* out = grad_x + r * n;
    for (int64_t i = lane; i < n; i += 32) {
      const C gw = weight ? load(g[i]) * load(weight[i]) : load(g[i]);
      const C xhat = (load(row[i]) - mean) * rstd;
      out[i] = to_storage<T>(rstd * (gw - mean_gw - xhat * mean_gw_xhat));
    }
  }
}

void require_dense(const ember_op_call& call) {
  for (int i = 0; i < call.num_inputs; ++i)
    if (!is_contiguous(call.inputs[i])) sdk::unsupported("layer_norm: strided operands");
  for (int i = 0; i < call.num_outputs; ++i)
    if (!is_contiguous(call.outputs[i])) sdk::unsupported("layer_norm: strided outputs");
  for (int i = 0; i < call.num_inputs; ++i)
    if (call.inputs[i].dtype != call.outputs[0].dtype) sdk::fail("layer_norm: operands must share one dtype");
}

template <typename T>
const T* at_offset(const ember_tensor& t) {
  return ptr<const T>(t) + t.offset;
}

unsigned blocks_for(const Device& dev, int64_t rows) {
  return unsigned(std::clamp<int64_t>((rows + kWarpsPerBlock - 1) / kWarpsPerBlock, 1, int64_t(dev.sm_count) * 32));
}

EMBER_KERNEL(layer_norm_entry) {
  if (call.num_ints < 2 || call.num_scalars < 1 || call.num_outputs != 3) sdk::fail("layer_norm: bad call");
  const bool has_weight = call.ints[0] != 0, has_bias = call.ints[1] != 0;
  if (call.num_inputs != 1 + int(has_weight) + int(has_bias)) sdk::fail("layer_norm: bad number of inputs");
  require_dense(call);
  const ember_tensor& x = call.inputs[0];
  if (x.ndim != 2) sdk::fail("layer_norm: the input must be (M, N)");
  const int64_t rows = x.sizes[0], n = x.sizes[1];
  if (rows == 0 || n == 0) return;
  Device& dev = device_of(call);
  const double eps = scalar_double(call.scalars[0]);
  dispatch_floating(x.dtype, "layer_norm", [&]<typename T>() {
    const T* weight = has_weight ? at_offset<T>(call.inputs[1]) : nullptr;
    const T* bias = has_bias ? at_offset<T>(call.inputs[1 + int(has_weight)]) : nullptr;
    const ember_tensor &y = call.outputs[0], &mean = call.outputs[1], &rstd = call.outputs[2];
    layer_norm_kernel<T><<<blocks_for(dev, rows), 32 * kWarpsPerBlock, 0, dev.stream>>>(
        ptr<T>(y) + y.offset, ptr<T>(mean) + mean.offset, ptr<T>(rstd) + rstd.offset, at_offset<T>(x), weight, bias,
        rows, n, compute_t<T>(eps));
    check_launch("layer_norm_kernel");
  });
}

EMBER_KERNEL(layer_norm_backward_entry) {
  if (call.num_ints < 1 || call.num_outputs != 1) sdk::fail("layer_norm_backward: bad call");
  const bool has_weight = call.ints[0] != 0;
  if (call.num_inputs != 4 + int(has_weight)) sdk::fail("layer_norm_backward: bad number of inputs");
  require_dense(call);
  const ember_tensor &grad = call.inputs[0], &x = call.inputs[1], &out = call.outputs[0];
  if (x.ndim != 2) sdk::fail("layer_norm_backward: the input must be (M, N)");
  const int64_t rows = x.sizes[0], n = x.sizes[1];
  if (rows == 0 || n == 0) return;
  Device& dev = device_of(call);
  dispatch_floating(x.dtype, "layer_norm_backward", [&]<typename T>() {
    layer_norm_backward_kernel<T><<<blocks_for(dev, rows), 32 * kWarpsPerBlock, 0, dev.stream>>>(
        ptr<T>(out) + out.offset, at_offset<T>(grad), at_offset<T>(x), at_offset<T>(call.inputs[2]),
        at_offset<T>(call.inputs[3]), has_weight ? at_offset<T>(call.inputs[4]) : nullptr, rows, n);
    check_launch("layer_norm_backward_kernel");
  });
}

}  // namespace

void register_layer_norm_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_LAYER_NORM, type, layer_norm_entry);
  r.kernel(EMBER_OP_LAYER_NORM_BACKWARD, type, layer_norm_backward_entry);
}

}  // namespace ember::cuda
