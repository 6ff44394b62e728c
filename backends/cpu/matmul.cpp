// Batched matmul: (B, M, K) x (B, K, N) -> (B, M, N). float32/float64 go to
// OpenBLAS's gemm, one call per oneTBB task (Note [OpenBLAS in the CPU backend]);
// other dtypes use a cache-blocked loop. The output is contiguous (the core
// allocates it); the inputs may have any strides.

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "blas.h"
#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

// A 2-d operand as BLAS sees it: row-major with leading dimension `ld`,
// transposed when its columns are contiguous instead.
struct BlasOperand {
  bool ok = false;
  CBLAS_TRANSPOSE trans = CblasNoTrans;
  int64_t ld = 0;
};

BlasOperand blas_layout(int64_t rows, int64_t cols, int64_t row_stride, int64_t col_stride) {
  if ((col_stride == 1 || cols == 1) && row_stride >= std::max<int64_t>(cols, 1)) return {true, CblasNoTrans, row_stride};
  if ((row_stride == 1 || rows == 1) && col_stride >= std::max<int64_t>(rows, 1)) return {true, CblasTrans, col_stride};
  if (rows == 1 && cols == 1) return {true, CblasNoTrans, 1};
  return {};
}

// Copies a strided (rows, cols) matrix into a dense row-major buffer.
template <typename T>
std::vector<T> dense(const T* p, int64_t rows, int64_t cols, int64_t rs, int64_t cs) {
  std::vector<T> out(size_t(rows * cols));
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[size_t(i * cols + j)] = p[i * rs + j * cs];
  return out;
}

template <typename T>
void bmm_blas(const ember_op_call& call) {
  const ember_tensor &A = call.inputs[0], &B = call.inputs[1], &Cm = call.outputs[0];
  const int64_t batch = A.sizes[0], m = A.sizes[1], k = A.sizes[2], n = B.sizes[2];
  const T* a = sdk::TensorArg{&A}.data<T>();
  const T* b = sdk::TensorArg{&B}.data<T>();
  T* c = sdk::TensorArg{&Cm}.data<T>();
  BlasOperand la = blas_layout(m, k, A.strides[1], A.strides[2]);
  BlasOperand lb = blas_layout(k, n, B.strides[1], B.strides[2]);
  // One gemm per thread and batch entry: every call packs its operands, so
  // fewer, larger calls are faster. How the rows are split does not change
  // any output element (each is one dot product over k in the BLAS's order).
  // set_num_threads is a global_control, which max_concurrency does not see:
  // without the min, "1 thread" would still split a product in two gemms
  // that each pack B.
  const int64_t threads = max_threads();
  const int64_t min_rows = std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, n * k));
  const int64_t row_tasks = std::clamp<int64_t>(std::min(threads, (m + min_rows - 1) / min_rows), 1, m);
  const int64_t rows_per_task = (m + row_tasks - 1) / row_tasks;
  parallel_for_each(batch * row_tasks, [&](int64_t t) {
    const int64_t bi = t / row_tasks, r0 = (t % row_tasks) * rows_per_task;
    const int64_t rows = std::min(rows_per_task, m - r0);
    if (rows <= 0) return;
    const T* ab = a + bi * A.strides[0] + r0 * A.strides[1];
    const T* bb = b + bi * B.strides[0];
    T* cb = c + bi * Cm.strides[0] + r0 * Cm.strides[1];
    std::vector<T> a_copy, b_copy;
    BlasOperand ta = la, tb = lb;
    if (!ta.ok) {
      a_copy = dense(ab, rows, k, A.strides[1], A.strides[2]);
      ab = a_copy.data();
      ta = {true, CblasNoTrans, k};
    }
    if (!tb.ok) {
      b_copy = dense(bb, k, n, B.strides[1], B.strides[2]);
      bb = b_copy.data();
      tb = {true, CblasNoTrans, n};
    }
    gemm<T>(ta.trans, tb.trans, rows, n, k, ab, std::max<int64_t>(ta.ld, 1), bb, std::max<int64_t>(tb.ld, 1), cb,
            std::max<int64_t>(Cm.strides[1], 1));
  });
}

// Integer and half types: i-k-j loops over blocks of k, accumulating in the
// compute type (int64 for integers, float for half types).
template <typename T>
void bmm_loops(const ember_op_call& call) {
  using Acc = std::conditional_t<std::is_integral_v<T>, int64_t, float>;
  const ember_tensor &A = call.inputs[0], &B = call.inputs[1], &Cm = call.outputs[0];
  const int64_t batch = A.sizes[0], m = A.sizes[1], k = A.sizes[2], n = B.sizes[2];
  const T* a = sdk::TensorArg{&A}.data<T>();
  const T* b = sdk::TensorArg{&B}.data<T>();
  T* c = sdk::TensorArg{&Cm}.data<T>();
  parallel_for_each(batch * m, [&](int64_t t) {
    const int64_t bi = t / m, i = t % m;
    std::vector<Acc> row(size_t(n), Acc(0));
    for (int64_t p = 0; p < k; ++p) {
      const Acc av = Acc(compute_t<T>(a[bi * A.strides[0] + i * A.strides[1] + p * A.strides[2]]));
      const T* brow = b + bi * B.strides[0] + p * B.strides[1];
      for (int64_t j = 0; j < n; ++j) row[size_t(j)] += av * Acc(compute_t<T>(brow[j * B.strides[2]]));
    }
    T* crow = c + bi * Cm.strides[0] + i * Cm.strides[1];
    for (int64_t j = 0; j < n; ++j) crow[j * Cm.strides[2]] = T(compute_t<T>(row[size_t(j)]));
  });
}

EMBER_KERNEL(bmm_kernel) {
  const int32_t dtype = call.inputs[0].dtype;
  if (call.inputs[1].dtype != dtype || call.outputs[0].dtype != dtype) sdk::fail("bmm: operands must share one dtype");
  if (call.inputs[0].ndim != 3 || call.inputs[1].ndim != 3) sdk::fail("bmm: operands must be 3-d");
  sdk::dispatch_dtype(dtype, [&]<typename T>() {
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) bmm_blas<T>(call);
    else if constexpr (std::is_same_v<T, bool>) sdk::unsupported("bmm is not defined for bool");
    else bmm_loops<T>(call);
  });
}

}  // namespace

void register_matmul_kernels(sdk::Registrar& r, int32_t type) {
  load_blas();  // now: a missing library is a load-time reason, not a matmul error
  r.kernel(EMBER_OP_BMM, type, bmm_kernel);
}

}  // namespace ember::cpu
