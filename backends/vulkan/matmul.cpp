// Batched matmul: (B, M, K) x (B, K, N) -> (B, M, N), operands with any
// strides. shaders/matmul.comp: 64x64 output tiles per 16x16 workgroup,
// 4x4 outputs per invocation from tiles staged in shared memory. Sizes and
// strides travel as push constants.
#include "context.h"

namespace ember::vulkan {
namespace {

EMBER_KERNEL(bmm_kernel) {
  const ember_tensor &A = call.inputs[0], &B = call.inputs[1], &C = call.outputs[0];
  const int32_t dtype = A.dtype;
  if (B.dtype != dtype || C.dtype != dtype) sdk::fail("bmm: operands must share one dtype");
  if (A.ndim != 3 || B.ndim != 3) sdk::fail("bmm: operands must be 3-d");
  if (dtype == EMBER_DTYPE_BOOL) sdk::unsupported("bmm is not defined for bool");
  Device& dev = device_of(call);
  const std::string name = variant("bmm", dev, dtype);
  const int64_t batch = A.sizes[0], m = A.sizes[1], k = A.sizes[2], n = B.sizes[2];
  if (batch == 0 || m == 0 || n == 0) return;
  if (batch > 65535) sdk::unsupported("bmm: more than 65535 batches");
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_BMM;
  d.buffers[0] = allocation(C);
  d.buffers[1] = allocation(A);
  d.buffers[2] = allocation(B);
  const int64_t slots[15] = {m,           n,           k,           A.offset,    A.strides[0],
                             A.strides[1], A.strides[2], B.offset,    B.strides[0], B.strides[1],
                             B.strides[2], C.offset,    C.strides[0], C.strides[1], C.strides[2]};
  for (int i = 0; i < 15; ++i) d.push.i32(i, to_i32(slots[i]));
  d.local[0] = d.local[1] = 16;
  d.groups[0] = uint32_t((n + 63) / 64);
  d.groups[1] = uint32_t((m + 63) / 64);
  d.groups[2] = uint32_t(batch);
  dispatch(dev, d);
}

}  // namespace

void register_matmul_kernels(sdk::Registrar& r, int32_t type) { r.kernel(EMBER_OP_BMM, type, bmm_kernel); }

}  // namespace ember::vulkan
