// Batched matmul: (B, M, K) x (B, K, N) -> (B, M, N), operands with any
// strides; sizes and strides travel as push constants. Three shaders:
// - matmul.comp, for GPUs: 64x64 output tiles per 16x16 workgroup, 4x4
//   outputs per invocation from tiles staged in shared memory;
// - matmul_vec4.comp and matmul_rows.comp, for CPU devices (lavapipe), where
//   shared memory becomes per-lane gathers: 8 rows x 4 columns per
//   invocation with vec4 loads of B when its rows are dense (4 | N), else
//   8 rows x 1 column. On lavapipe (2 loaded cores) 1024^3 takes ~1.5 s
//   with vec4 against ~2.2 s tiled.
#include <cstdlib>

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
  const int64_t batch = A.sizes[0], m = A.sizes[1], k = A.sizes[2], n = B.sizes[2];
  if (batch == 0 || m == 0 || n == 0) return;
  // CPU devices (lavapipe) take the variants without shared memory;
  // EMBER_VULKAN_BMM=tiled|rows|vec4 picks one (to compare, or to test the
  // GPU path on lavapipe).
  const char* pick = std::getenv("EMBER_VULKAN_BMM");
  const bool cpu = dev.props.deviceType == VK_PHYSICAL_DEVICE_TYPE_CPU;
  const bool rows = pick ? std::string(pick) != "tiled" : cpu;
  // vec4 loads of B: float32, B's rows dense, 4 | N, and 16-byte aligned
  const bool vec4 = rows && (!pick || std::string(pick) == "vec4") && dtype == EMBER_DTYPE_FLOAT32 && n % 4 == 0 &&
                    B.strides[2] == 1 && B.strides[1] % 4 == 0 && (B.strides[0] % 4 == 0 || batch == 1) &&
                    B.offset % 4 == 0;
  const std::string name = vec4 ? "bmm_vec4_f32" : variant(rows ? "bmm_rows" : "bmm", dev, dtype);
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
  if (rows) {  // 64 columns (or 64 x 4 with vec4) x 8 rows per workgroup
    d.local[0] = 64;
    d.local[1] = 1;
    d.groups[0] = uint32_t(vec4 ? (n / 4 + 63) / 64 : (n + 63) / 64);
    d.groups[1] = uint32_t((m + 7) / 8);
  } else {  // 64 x 64 outputs per workgroup
    d.local[0] = d.local[1] = 16;
    d.groups[0] = uint32_t((n + 63) / 64);
    d.groups[1] = uint32_t((m + 63) / 64);
  }
  d.groups[2] = uint32_t(batch);
  dispatch(dev, d);
}

}  // namespace

void register_matmul_kernels(sdk::Registrar& r, int32_t type) { r.kernel(EMBER_OP_BMM, type, bmm_kernel); }

}  // namespace ember::vulkan
