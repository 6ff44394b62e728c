// Batched matmul: (B, M, K) x (B, K, N) -> (B, M, N), inputs with any
// strides. Two kernels, each summing over K in order per output element
// (float in float, as BLAS does; integers in long):
// - op_bmm_4x8 when B's rows are dense and N is a multiple of 8 (float
//   types): every work item computes a 4x8 block with vector loads of B,
//   which CPU devices turn into SIMD. On PoCL (2 cores, AVX-512) 1024^3 takes
//   ~95-115 ms, against ~1300 ms for the tiled kernel and ~210 ms for an
//   untuned CLBlast sgemm, so CLBlast is not used.
// - op_bmm otherwise: 16x16 work groups staging tiles of A and B in local
//   memory, the usual GPU formulation. EMBER_OPENCL_BMM_TILED=1 forces it
//   (for comparing the two).
#include <algorithm>
#include <cstdlib>

#include "context.h"

namespace ember::opencl {
namespace {

constexpr size_t kTile = 16;

const char* const kMatmulBody = R"CL(
#define TS 16
#if defined(T_FLOAT)
typedef T_C ACC;  /* float for the half types, as the CPU */
#else
typedef long ACC;
#endif
__kernel __attribute__((reqd_work_group_size(TS, TS, 1)))
void op_bmm(__global T* C, __global const T* A, __global const T* B, long M, long N, long K,
            long a_off, long a_sb, long a_sm, long a_sk, long b_off, long b_sb, long b_sk, long b_sn,
            long c_off, long c_sb, long c_sm, long c_sn) {
  __local T_C As[TS][TS];
  __local T_C Bs[TS][TS];
  const long col = get_global_id(0), row = get_global_id(1), b = get_global_id(2);
  const int lc = get_local_id(0), lr = get_local_id(1);
  const __global T* a = A + a_off + b * a_sb;
  const __global T* bb = B + b_off + b * b_sb;
  ACC acc = 0;
  for (long t = 0; t < K; t += TS) {
    const long ak = t + lc, bk = t + lr;
    As[lr][lc] = row < M && ak < K ? LOAD_T(a, row * a_sm + ak * a_sk) : (T_C)0;
    Bs[lr][lc] = bk < K && col < N ? LOAD_T(bb, bk * b_sk + col * b_sn) : (T_C)0;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int k = 0; k < TS; ++k) acc += (ACC)As[lr][k] * (ACC)Bs[k][lc];
    barrier(CLK_LOCAL_MEM_FENCE);
  }
  if (row < M && col < N) STORE_T(C, c_off + b * c_sb + row * c_sm + col * c_sn, acc);
}

#if defined(T_FLOAT) && !defined(T_HALF)
/* Register blocked, for rows of B that are dense and a multiple of 8 long:
   each work item computes 4 rows x 8 columns with vector loads of B, which
   CPU devices (PoCL) turn into SIMD multiply-adds. */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define V8 CAT(T, 8)
__kernel void op_bmm_4x8(__global T* C, __global const T* A, __global const T* B, long M, long N, long K,
                         long a_off, long a_sb, long a_sm, long a_sk, long b_off, long b_sb, long b_sk,
                         long c_off, long c_sb, long c_sm, long c_sn) {
  const long col = get_global_id(0) * 8, row = get_global_id(1) * 4, b = get_global_id(2);
  if (row >= M || col >= N) return;
  const __global T* a = A + a_off + b * a_sb;
  const __global T* bb = B + b_off + b * b_sb + col;
  const long r1 = min(row + 1, M - 1), r2 = min(row + 2, M - 1), r3 = min(row + 3, M - 1);
  V8 acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
  for (long k = 0; k < K; ++k) {
    const V8 bv = vload8(0, bb + k * b_sk);
    acc0 += a[row * a_sm + k * a_sk] * bv;
    acc1 += a[r1 * a_sm + k * a_sk] * bv;
    acc2 += a[r2 * a_sm + k * a_sk] * bv;
    acc3 += a[r3 * a_sm + k * a_sk] * bv;
  }
  __global T* c = C + c_off + b * c_sb + col * c_sn;
  const V8 rows[4] = {acc0, acc1, acc2, acc3};
  for (int r = 0; r < 4 && row + r < M; ++r) {
    const T* v = (const T*)&rows[r];
    for (int j = 0; j < 8; ++j) c[(row + r) * c_sm + j * c_sn] = v[j];
  }
}
#endif
)CL";

const std::string& source(Device& dev, int32_t dtype) {
  static std::string sources[EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  const std::string defines = define_type(dev, "T", dtype);
  std::lock_guard<std::mutex> lock(mutex);
  if (sources[dtype].empty()) sources[dtype] = program_source(defines, kMatmulBody);
  return sources[dtype];
}

EMBER_KERNEL(bmm_kernel) {
  const ember_tensor &A = call.inputs[0], &B = call.inputs[1], &C = call.outputs[0];
  const int32_t dtype = A.dtype;
  if (B.dtype != dtype || C.dtype != dtype) sdk::fail("bmm: operands must share one dtype");
  if (A.ndim != 3 || B.ndim != 3) sdk::fail("bmm: operands must be 3-d");
  if (dtype == EMBER_DTYPE_BOOL) sdk::unsupported("bmm is not defined for bool");
  Device& dev = device_of(call);
  if (dev.max_work_group < kTile * kTile) sdk::unsupported("bmm needs work groups of 256 items");
  const int64_t batch = A.sizes[0], m = A.sizes[1], k = A.sizes[2], n = B.sizes[2];
  if (batch == 0 || m == 0 || n == 0) return;
  const bool blocked = (dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64) && n % 8 == 0 &&
                       B.strides[2] == 1 && !std::getenv("EMBER_OPENCL_BMM_TILED");
  if (blocked) {
    cl_kernel kern = kernel(dev, source(dev, dtype), "op_bmm_4x8");
    const size_t local[3] = {std::min<size_t>(size_t(n / 8), 16), 1, 1};
    const size_t global[3] = {(size_t(n / 8) + local[0] - 1) / local[0] * local[0], size_t((m + 3) / 4), size_t(batch)};
    const cl_mem c = buffer(C), a = buffer(A), b = buffer(B);
    const Arg args[] = {arg(c), arg(a), arg(b), arg(m), arg(n), arg(k), arg(A.offset), arg(A.strides[0]),
                        arg(A.strides[1]), arg(A.strides[2]), arg(B.offset), arg(B.strides[0]), arg(B.strides[1]),
                        arg(C.offset), arg(C.strides[0]), arg(C.strides[1]), arg(C.strides[2])};
    std::lock_guard<std::mutex> lock(dev.launch_mutex);
    cl_uint i = 0;
    for (const Arg& x : args) check(clSetKernelArg(kern, i++, x.size, x.value), "clSetKernelArg");
    check(clEnqueueNDRangeKernel(dev.queue, kern, 3, nullptr, global, local, 0, nullptr, nullptr),
          "clEnqueueNDRangeKernel");
    return;
  }
  cl_kernel kern = kernel(dev, source(dev, dtype), "op_bmm");
  const size_t local[3] = {kTile, kTile, 1};
  const size_t global[3] = {(size_t(n) + kTile - 1) / kTile * kTile, (size_t(m) + kTile - 1) / kTile * kTile,
                            size_t(batch)};
  const cl_mem c = buffer(C), a = buffer(A), b = buffer(B);
  const Arg args[] = {arg(c),           arg(a),           arg(b),           arg(m),           arg(n),
                      arg(k),           arg(A.offset),    arg(A.strides[0]), arg(A.strides[1]), arg(A.strides[2]),
                      arg(B.offset),    arg(B.strides[0]), arg(B.strides[1]), arg(B.strides[2]), arg(C.offset),
                      arg(C.strides[0]), arg(C.strides[1]), arg(C.strides[2])};
  std::lock_guard<std::mutex> lock(dev.launch_mutex);
  cl_uint i = 0;
  for (const Arg& x : args) check(clSetKernelArg(kern, i++, x.size, x.value), "clSetKernelArg");
  check(clEnqueueNDRangeKernel(dev.queue, kern, 3, nullptr, global, local, 0, nullptr, nullptr),
        "clEnqueueNDRangeKernel");
}

}  // namespace

void register_matmul_kernels(sdk::Registrar& r, int32_t type) { r.kernel(EMBER_OP_BMM, type, bmm_kernel); }

}  // namespace ember::opencl
