#pragma once
// OpenBLAS's gemm for the CPU backend's kernels (matmul, convolution),
// loaded at run time — see Note [OpenBLAS in the CPU backend] in blas.cpp.
#include <cblas.h>

#include <cstdint>

namespace ember::cpu {

// Loads OpenBLAS (once); throws a KernelError naming the library if it can't.
void load_blas();

// C = op(A)·op(B) + beta·C, row-major, for float and double.
template <typename T>
void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int64_t m, int64_t n, int64_t k, const T* a, int64_t lda,
          const T* b, int64_t ldb, T* c, int64_t ldc, T beta = T(0));

}  // namespace ember::cpu
