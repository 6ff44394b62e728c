// The fused linear layer (the overridable composite ADDMM): each task copies
// the bias into its rows of the output and lets gemm add x·weightᵀ to them
// (beta = 1), so the bias costs no second pass over the output.
// float32 and float64 on contiguous operands; anything else is declined and
// the core composes matmul and add.
#include <algorithm>

#include "blas.h"
#include "kernels.h"
#include "parallel.h"

namespace ember::cpu {
namespace {

template <typename T>
void addmm(const ember_op_call& call) {
  const ember_tensor &x = call.inputs[0], &w = call.inputs[1], &b = call.inputs[2], &out = call.outputs[0];
  const int64_t m = x.sizes[0], k = x.sizes[1], n = w.sizes[0];
  const T* xp = static_cast<const T*>(x.data) + x.offset;
  const T* wp = static_cast<const T*>(w.data) + w.offset;
  const T* bp = static_cast<const T*>(b.data) + b.offset;
  T* op = static_cast<T*>(out.data) + out.offset;
  // Rows split as matmul splits them (matmul.cpp): few, large gemm calls.
  const int64_t threads = max_threads();
  const int64_t min_rows = std::max<int64_t>(1, (int64_t(1) << 16) / std::max<int64_t>(1, n * k));
  const int64_t tasks = std::clamp<int64_t>(std::min(threads, (m + min_rows - 1) / min_rows), 1, m);
  const int64_t per_task = (m + tasks - 1) / tasks;
  parallel_for_each(tasks, [&](int64_t t) {
    const int64_t r0 = t * per_task, rows = std::min(per_task, m - r0);
    if (rows <= 0) return;
    T* c = op + r0 * n;
    for (int64_t r = 0; r < rows; ++r) std::copy(bp, bp + n, c + r * n);
    gemm<T>(CblasNoTrans, CblasTrans, rows, n, k, xp + r0 * k, k, wp, k, c, n, T(1));
  });
}

int32_t addmm_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    for (int i = 0; i < c->num_inputs; ++i)
      if (!sdk::TensorArg{&c->inputs[i]}.is_contiguous()) sdk::unsupported("addmm: strided operands");
    if (!sdk::TensorArg{&c->outputs[0]}.is_contiguous()) sdk::unsupported("addmm: a strided output");
    switch (c->outputs[0].dtype) {
      case EMBER_DTYPE_FLOAT32: return addmm<float>(*c);
      case EMBER_DTYPE_FLOAT64: return addmm<double>(*c);
      default: sdk::unsupported("addmm: fused only for float32 and float64");
    }
  });
}

}  // namespace

void register_linear_kernels(sdk::Registrar& r, int32_t type) { r.kernel(EMBER_OP_ADDMM, type, addmm_entry); }

}  // namespace ember::cpu
