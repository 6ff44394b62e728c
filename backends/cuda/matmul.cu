// Batched matmul: (B, M, K) x (B, K, N) -> (B, M, N).
//
// Floating dtypes go to cuBLAS (Sgemm / Dgemm strided batched; float16 and
// bfloat16 through GemmStridedBatchedEx with float accumulation; never TF32,
// so float32 matches the CPU). cuBLAS is column-major: the row-major C is the
// column-major C^T = B^T A^T, and a transposed or sliced operand is passed
// with the transpose flag and its leading dimension, not copied. Integer
// dtypes, and layouts no flag can express (both strides non-unit), use a
// tiled kernel that sums over K in order (integers in int64).
#include <climits>

#include "device.cuh"

namespace ember::cuda {
namespace {

constexpr int kTile = 16;

template <typename T>
using mm_acc_t = std::conditional_t<is_floating_v<T>, compute_t<T>, int64_t>;

template <typename T>
__global__ void bmm_tiled_kernel(T* C, const T* A, const T* B, int64_t M, int64_t N, int64_t K, int64_t a_off,
                                 int64_t a_sb, int64_t a_sm, int64_t a_sk, int64_t b_off, int64_t b_sb, int64_t b_sk,
                                 int64_t b_sn, int64_t c_off, int64_t c_sb, int64_t c_sm, int64_t c_sn) {
  using Acc = mm_acc_t<T>;
  __shared__ Acc As[kTile][kTile];
  __shared__ Acc Bs[kTile][kTile];
  const int64_t col = int64_t(blockIdx.x) * kTile + threadIdx.x, row = int64_t(blockIdx.y) * kTile + threadIdx.y;
  const int64_t b = blockIdx.z;
  const int lc = threadIdx.x, lr = threadIdx.y;
  const T* a = A + a_off + b * a_sb;
  const T* bb = B + b_off + b * b_sb;
  Acc acc = 0;
  for (int64_t t = 0; t < K; t += kTile) {
    const int64_t ak = t + lc, bk = t + lr;
    As[lr][lc] = row < M && ak < K ? Acc(load(a[row * a_sm + ak * a_sk])) : Acc(0);
    Bs[lr][lc] = bk < K && col < N ? Acc(load(bb[bk * b_sk + col * b_sn])) : Acc(0);
    __syncthreads();
    for (int k = 0; k < kTile; ++k) acc += As[lr][k] * Bs[k][lc];
    __syncthreads();
  }
  if (row < M && col < N) C[c_off + b * c_sb + row * c_sm + col * c_sn] = to_storage<T>(compute_t<T>(acc));
}

// How cuBLAS sees the row-major rows x cols matrix X with strides (rs, cs):
// as the column-major X^T (op N, ld rs) or X (op T, ld cs).
struct BlasOperand {
  cublasOperation_t op;
  int64_t ld;
};
bool blas_operand(int64_t rows, int64_t cols, int64_t rs, int64_t cs, BlasOperand& out) {
  const int64_t r1 = std::max<int64_t>(rows, 1), c1 = std::max<int64_t>(cols, 1);
  if (cs == 1 || cols == 1) {
    const int64_t ld = rows == 1 ? c1 : rs;
    if (ld >= c1) {
      out = {CUBLAS_OP_N, ld};
      return true;
    }
  }
  if (rs == 1 || rows == 1) {
    const int64_t ld = cols == 1 ? r1 : cs;
    if (ld >= r1) {
      out = {CUBLAS_OP_T, ld};
      return true;
    }
  }
  return false;
}

bool fits_int(std::initializer_list<int64_t> values) {
  for (int64_t v : values)
    if (v < 0 || v > INT_MAX) return false;
  return true;
}

// C = A B by cuBLAS; false when the layout or sizes do not fit it.
bool bmm_blas(Device& dev, const ember_tensor& A, const ember_tensor& B, const ember_tensor& C) {
  const int64_t batch = A.sizes[0], m = A.sizes[1], k = A.sizes[2], n = B.sizes[2];
  BlasOperand a{}, b{}, c{};
  if (k == 0 || !blas_operand(m, k, A.strides[1], A.strides[2], a) || !blas_operand(k, n, B.strides[1], B.strides[2], b))
    return false;
  // C must be the column-major C^T: op N.
  if (!blas_operand(m, n, C.strides[1], C.strides[2], c) || c.op != CUBLAS_OP_N) return false;
  const int64_t c_batch = batch == 1 ? m * c.ld : C.strides[0];
  if (!fits_int({m, n, k, batch, a.ld, b.ld, c.ld})) return false;
  const int64_t es = sdk::dtype_size(C.dtype);
  const char* pa = ptr<const char>(A) + A.offset * es;
  const char* pb = ptr<const char>(B) + B.offset * es;
  char* pc = ptr<char>(C) + C.offset * es;
  std::lock_guard<std::mutex> lock(dev.blas_mutex);
  if (!dev.blas) {
    check(cublasCreate(&dev.blas), "cublasCreate");
    check(cublasSetStream(dev.blas, dev.stream), "cublasSetStream");
  }
  // C^T (n x m) = op(B^T) (n x k) * op(A^T) (k x m)
  switch (C.dtype) {
    case EMBER_DTYPE_FLOAT32: {
      const float one = 1, zero = 0;
      check(cublasSgemmStridedBatched(dev.blas, b.op, a.op, int(n), int(m), int(k), &one,
                                      reinterpret_cast<const float*>(pb), int(b.ld), B.strides[0],
                                      reinterpret_cast<const float*>(pa), int(a.ld), A.strides[0], &zero,
                                      reinterpret_cast<float*>(pc), int(c.ld), c_batch, int(batch)),
            "cublasSgemmStridedBatched");
      return true;
    }
    case EMBER_DTYPE_FLOAT64: {
      const double one = 1, zero = 0;
      check(cublasDgemmStridedBatched(dev.blas, b.op, a.op, int(n), int(m), int(k), &one,
                                      reinterpret_cast<const double*>(pb), int(b.ld), B.strides[0],
                                      reinterpret_cast<const double*>(pa), int(a.ld), A.strides[0], &zero,
                                      reinterpret_cast<double*>(pc), int(c.ld), c_batch, int(batch)),
            "cublasDgemmStridedBatched");
      return true;
    }
    case EMBER_DTYPE_FLOAT16:
    case EMBER_DTYPE_BFLOAT16: {
      const cudaDataType_t type = C.dtype == EMBER_DTYPE_FLOAT16 ? CUDA_R_16F : CUDA_R_16BF;
      const float one = 1, zero = 0;
      check(cublasGemmStridedBatchedEx(dev.blas, b.op, a.op, int(n), int(m), int(k), &one, pb, type, int(b.ld),
                                       B.strides[0], pa, type, int(a.ld), A.strides[0], &zero, pc, type, int(c.ld),
                                       c_batch, int(batch), CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmStridedBatchedEx");
      return true;
    }
    default: return false;
  }
}

EMBER_KERNEL(bmm_entry) {
  const ember_tensor &A = call.inputs[0], &B = call.inputs[1], &C = call.outputs[0];
  const int32_t dtype = A.dtype;
  if (B.dtype != dtype || C.dtype != dtype) sdk::fail("bmm: operands must share one dtype");
  if (A.ndim != 3 || B.ndim != 3 || C.ndim != 3) sdk::fail("bmm: operands must be 3-d");
  if (dtype == EMBER_DTYPE_BOOL) sdk::unsupported("bmm is not defined for bool");
  const int64_t batch = A.sizes[0], m = A.sizes[1], k = A.sizes[2], n = B.sizes[2];
  if (batch == 0 || m == 0 || n == 0) return;
  Device& dev = device_of(call);
  if (bmm_blas(dev, A, B, C)) return;
  if (batch > 65535) sdk::unsupported("bmm: more than 65535 batches outside cuBLAS");
  const dim3 threads(kTile, kTile), blocks(unsigned((n + kTile - 1) / kTile), unsigned((m + kTile - 1) / kTile),
                                           unsigned(batch));
  dispatch(dtype, [&]<typename T>() {
    if constexpr (std::is_same_v<T, bool>) {
      sdk::unsupported("bmm is not defined for bool");
    } else {
      bmm_tiled_kernel<T><<<blocks, threads, 0, dev.stream>>>(
          ptr<T>(C), ptr<T>(A), ptr<T>(B), m, n, k, A.offset, A.strides[0], A.strides[1], A.strides[2], B.offset,
          B.strides[0], B.strides[1], B.strides[2], C.offset, C.strides[0], C.strides[1], C.strides[2]);
      check_launch("bmm_tiled_kernel");
    }
  });
}

}  // namespace

void register_matmul_kernels(sdk::Registrar& r, int32_t type) { r.kernel(EMBER_OP_BMM, type, bmm_entry); }

}  // namespace ember::cuda
