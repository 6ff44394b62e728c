// The fused linear layer (the overridable composite ADDMM) through cuBLASLt:
// out = x weight^T + bias in one kernel, the bias added by the matmul's
// epilogue (CUBLASLT_EPILOGUE_BIAS) instead of a second kernel.
//
// Row-major out (M, N) is column-major out^T (N, M) = weight x^T: weight's
// row-major (N, K) buffer is the column-major (K, N) matrix, taken
// transposed; x's (M, K) buffer is the column-major (K, M) matrix x^T. The
// epilogue adds the bias along out^T's rows, the output features.
//
// float32 and float64 accumulate in their own precision (no TF32, so
// float32 agrees with the CPU as bmm does); float16 and bfloat16 in float.
// The descriptors and the algorithm are made once per shape.
#include <cublasLt.h>

#include <climits>
#include <map>
#include <tuple>

#include "context.h"

namespace ember::cuda {
namespace {

// cuBLASLt's scratch memory: 32 MiB per device, as NVIDIA advises for Hopper.
constexpr size_t kWorkspace = size_t(32) << 20;
// The alignment every operand must have (else the core composes instead).
constexpr uint32_t kAlignment = 16;

struct Plan {
  cublasLtMatmulDesc_t desc = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, c = nullptr;
  cublasLtMatmulAlgo_t algo{};
};

struct Lt {
  cublasLtHandle_t handle = nullptr;
  void* workspace = nullptr;
  std::map<std::tuple<int64_t, int64_t, int64_t, int32_t>, Plan> plans;  // (m, n, k, dtype)
};

// One Lt per device, used under its blas_mutex (the stream's order).
Lt& lt_of(Device& dev) {
  static std::map<int, Lt>* all = new std::map<int, Lt>;  // lives as long as the runtime
  Lt& lt = (*all)[dev.index];
  if (!lt.handle) {
    check(cublasLtCreate(&lt.handle), "cublasLtCreate");
    check(cudaMalloc(&lt.workspace, kWorkspace), "cudaMalloc");
  }
  return lt;
}

struct Types {
  cudaDataType_t data, scale;
  cublasComputeType_t compute;
};

Types types_of(int32_t dtype) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F};
    case EMBER_DTYPE_FLOAT64: return {CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F};
    case EMBER_DTYPE_FLOAT16: return {CUDA_R_16F, CUDA_R_32F, CUBLAS_COMPUTE_32F};
    case EMBER_DTYPE_BFLOAT16: return {CUDA_R_16BF, CUDA_R_32F, CUBLAS_COMPUTE_32F};
    default: sdk::unsupported(std::string("addmm on ") + sdk::dtype_name(dtype));
  }
}

// A status other than success while planning: cuBLASLt does not take this
// case, and the core composes it (matmul, then add) instead.
void require(cublasStatus_t status, const char* call) {
  if (status != CUBLAS_STATUS_SUCCESS)
    sdk::unsupported(std::string("addmm: cuBLASLt declines (") + call + ": " + cublasGetStatusString(status) + ")");
}

Plan make_plan(Lt& lt, int64_t m, int64_t n, int64_t k, int32_t dtype) {
  const Types t = types_of(dtype);
  Plan p;
  require(cublasLtMatmulDescCreate(&p.desc, t.compute, t.scale), "cublasLtMatmulDescCreate");
  const cublasOperation_t transpose = CUBLAS_OP_T, keep = CUBLAS_OP_N;
  const cublasLtEpilogue_t epilogue = CUBLASLT_EPILOGUE_BIAS;
  require(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSA, &transpose, sizeof transpose),
          "cublasLtMatmulDescSetAttribute");
  require(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_TRANSB, &keep, sizeof keep),
          "cublasLtMatmulDescSetAttribute");
  require(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_EPILOGUE, &epilogue, sizeof epilogue),
          "cublasLtMatmulDescSetAttribute");
  require(cublasLtMatrixLayoutCreate(&p.a, t.data, uint64_t(k), uint64_t(n), k), "cublasLtMatrixLayoutCreate");
  require(cublasLtMatrixLayoutCreate(&p.b, t.data, uint64_t(k), uint64_t(m), k), "cublasLtMatrixLayoutCreate");
  require(cublasLtMatrixLayoutCreate(&p.c, t.data, uint64_t(n), uint64_t(m), n), "cublasLtMatrixLayoutCreate");
  cublasLtMatmulPreference_t preference = nullptr;
  require(cublasLtMatmulPreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate");
  const uint64_t workspace = kWorkspace;
  cublasLtMatmulHeuristicResult_t result{};
  int found = 0;
  cublasStatus_t st = cublasLtMatmulPreferenceSetAttribute(preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
                                                           &workspace, sizeof workspace);
  // Algorithms that need no more than the 16-byte alignment checked per call
  // (by default cuBLASLt may pick ones that assume 256).
  const uint32_t alignment = kAlignment;
  for (auto attribute : {CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
                         CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES})
    if (st == CUBLAS_STATUS_SUCCESS)
      st = cublasLtMatmulPreferenceSetAttribute(preference, attribute, &alignment, sizeof alignment);
  if (st == CUBLAS_STATUS_SUCCESS)
    st = cublasLtMatmulAlgoGetHeuristic(lt.handle, p.desc, p.a, p.b, p.c, p.c, preference, 1, &result, &found);
  cublasLtMatmulPreferenceDestroy(preference);
  require(st, "cublasLtMatmulAlgoGetHeuristic");
  if (found == 0) sdk::unsupported("addmm: cuBLASLt has no algorithm for this case");
  p.algo = result.algo;
  return p;
}

EMBER_KERNEL(addmm_entry) {
  if (call.num_inputs != 3 || call.num_outputs != 1) sdk::fail("addmm: expected 3 inputs and 1 output");
  const ember_tensor &x = call.inputs[0], &w = call.inputs[1], &bias = call.inputs[2], &out = call.outputs[0];
  for (const ember_tensor* t : {&x, &w, &bias, &out}) {
    if (t->dtype != out.dtype) sdk::fail("addmm: operands must share one dtype");
    if (!is_contiguous(*t)) sdk::unsupported("addmm: strided operands");
  }
  const int64_t m = x.sizes[0], k = x.sizes[1], n = w.sizes[0];
  if (m <= 0 || n <= 0 || k <= 0 || m > INT_MAX || n > INT_MAX || k > INT_MAX)
    sdk::unsupported("addmm: sizes outside cuBLASLt's range");
  const int64_t es = sdk::dtype_size(out.dtype);
  auto address = [es](const ember_tensor& t) { return static_cast<char*>(t.data) + t.offset * es; };
  const char *x_ptr = address(x), *w_ptr = address(w), *bias_ptr = address(bias);
  char* result = address(out);
  for (const char* p : {x_ptr, w_ptr, bias_ptr, static_cast<const char*>(result)})
    if (reinterpret_cast<uintptr_t>(p) % kAlignment != 0) sdk::unsupported("addmm: a misaligned operand");
  Device& dev = device_of(call);
  std::lock_guard<std::mutex> lock(dev.blas_mutex);
  Lt& lt = lt_of(dev);
  const auto key = std::make_tuple(m, n, k, out.dtype);
  auto found = lt.plans.find(key);
  if (found == lt.plans.end()) found = lt.plans.emplace(key, make_plan(lt, m, n, k, out.dtype)).first;
  Plan& p = found->second;
  check(cublasLtMatmulDescSetAttribute(p.desc, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias_ptr, sizeof bias_ptr),
           "cublasLtMatmulDescSetAttribute");
  const double one_d = 1, zero_d = 0;
  const float one_f = 1, zero_f = 0;
  const bool dbl = out.dtype == EMBER_DTYPE_FLOAT64;
  const void* one = dbl ? static_cast<const void*>(&one_d) : &one_f;
  const void* zero = dbl ? static_cast<const void*>(&zero_d) : &zero_f;
  check(cublasLtMatmul(lt.handle, p.desc, one, w_ptr, p.a, x_ptr, p.b, zero, result, p.c, result, p.c, &p.algo,
                          lt.workspace, kWorkspace, dev.stream),
           "cublasLtMatmul");
}

}  // namespace

void register_linear_kernels(sdk::Registrar& r, int32_t type) { r.kernel(EMBER_OP_ADDMM, type, addmm_entry); }

}  // namespace ember::cuda
