// Binary elementwise kernels (in[0] ∘ in[1] -> out[0]; the inputs share one
// compute dtype and out's shape, broadcast dims have stride 0) and the
// ternary where. One program per dtype with a kernel per op.
#include "context.h"

namespace ember::opencl {
namespace {

const char* const kBinaryBody = R"CL(
/* a and b as T_C (float for the half types); OUT_STORE writes the result. */
#define BINARY_(name, OUT, OUT_STORE, expr)                                                           \
  __kernel void name(__global OUT* out, __global const T* A, __global const T* B, Geometry g, T_S alpha) { \
    FOR_EACH(i, g.numel) {                                                                            \
      const T_C a = LOAD_T(A, at(&g, 1, i));                                                          \
      const T_C b = LOAD_T(B, at(&g, 2, i));                                                          \
      OUT_STORE(out, at(&g, 0, i), (expr));                                                           \
    }                                                                                                 \
  }
#define STORE_BOOL(p, i, v) ((p)[i] = (uchar)(v))
#define BINARY(name, expr) BINARY_(name, T, STORE_T, expr)
#define COMPARE(name, expr) BINARY_(name, uchar, STORE_BOOL, expr)

#if defined(T_FLOAT)
BINARY(op_add, a + alpha * b)
BINARY(op_sub, a - alpha * b)
BINARY(op_mul, a * b)
BINARY(op_div, a / b)
BINARY(op_pow, b == (T_C)2 ? a * a : pow(a, b))
BINARY(op_maximum, isnan(a) || isnan(b) ? (T_C)NAN : (a > b ? a : b))  /* nan propagates */
BINARY(op_minimum, isnan(a) || isnan(b) ? (T_C)NAN : (a < b ? a : b))
#elif defined(T_INT)
inline T int_pow(T base, T e) {
#if !defined(T_UNSIGNED)
  if (e < 0) return base == (T)1 ? (T)1 : (base == (T)-1 ? ((e & 1) ? base : (T)1) : (T)0);
#endif
  T r = 1;
  while (e) {
    if (e & 1) r = (T)(r * base);
    e >>= 1;
    base = (T)(base * base);
  }
  return r;
}
BINARY(op_add, (T)(a + alpha * b))
BINARY(op_sub, (T)(a - alpha * b))
BINARY(op_mul, (T)(a * b))
BINARY(op_pow, int_pow(a, b))
BINARY(op_maximum, a > b ? a : b)
BINARY(op_minimum, a < b ? a : b)
#else /* bool */
BINARY(op_add, (T)(a || (b && alpha)))
BINARY(op_mul, (T)(a && b))
BINARY(op_pow, b ? a : (T)1)
BINARY(op_maximum, a > b ? a : b)
BINARY(op_minimum, a < b ? a : b)
#endif
COMPARE(op_eq, a == b)
COMPARE(op_ne, a != b)
COMPARE(op_lt, a < b)
COMPARE(op_le, a <= b)
COMPARE(op_gt, a > b)
COMPARE(op_ge, a >= b)
COMPARE(op_logical_and, a != (T_C)0 && b != (T_C)0)
COMPARE(op_logical_or, a != (T_C)0 || b != (T_C)0)
COMPARE(op_logical_xor, (a != (T_C)0) != (b != (T_C)0))

/* A selection moves storage: no conversion, every bit kept. */
__kernel void op_where(__global T* out, __global const uchar* C, __global const T* A, __global const T* B,
                       Geometry g) {
  FOR_EACH(i, g.numel) out[at(&g, 0, i)] = C[at(&g, 1, i)] ? A[at(&g, 2, i)] : B[at(&g, 3, i)];
}
)CL";

bool defined_for(int32_t op, int32_t dtype) {
  const bool floating = dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64 || is_half_type(dtype);
  // Integer division by zero must raise, which a kernel cannot: the CPU does it.
  if (op == EMBER_OP_DIV) return floating;
  if (op == EMBER_OP_SUB) return dtype != EMBER_DTYPE_BOOL;
  return true;
}

const std::string& source(Device& dev, int32_t dtype) {
  static std::string sources[EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  const std::string defines = define_type(dev, "T", dtype);
  std::lock_guard<std::mutex> lock(mutex);
  if (sources[dtype].empty()) sources[dtype] = program_source(defines, kBinaryBody);
  return sources[dtype];
}

template <int32_t Op>
constexpr bool writes_bool = Op >= EMBER_OP_EQ && Op <= EMBER_OP_LOGICAL_XOR;

template <int32_t Op>
int32_t binary_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &a = call.inputs[0], &b = call.inputs[1], &out = call.outputs[0];
    if (a.dtype != b.dtype) sdk::fail(std::string(sdk::op_name(Op)) + ": the inputs must share one dtype");
    const int32_t want_out = writes_bool<Op> ? int32_t(EMBER_DTYPE_BOOL) : a.dtype;
    if (out.dtype != want_out) sdk::fail(std::string(sdk::op_name(Op)) + ": unexpected output dtype");
    if (!defined_for(Op, a.dtype))
      sdk::unsupported(std::string(sdk::op_name(Op)) + " on " + sdk::dtype_name(a.dtype) + " runs on the CPU");
    Device& dev = device_of(call);
    const std::string name = std::string("op_") + sdk::op_name(Op);
    cl_kernel k = kernel(dev, source(dev, a.dtype), name.c_str());
    const Geometry g = make_geometry({&out, &a, &b});
    const ember_scalar one{EMBER_SCALAR_INT64, 1, 1};
    const ScalarArg alpha = scalar_arg(call.num_scalars > 0 ? call.scalars[0] : one);
    launch(dev, k, {arg(buffer(out)), arg(buffer(a)), arg(buffer(b)), arg(g), alpha.as(a.dtype)}, grid_for(g.numel));
  });
}

EMBER_KERNEL(where_kernel) {
  const ember_tensor &cond = call.inputs[0], &a = call.inputs[1], &b = call.inputs[2], &out = call.outputs[0];
  if (cond.dtype != EMBER_DTYPE_BOOL) sdk::fail("where: the condition must be bool");
  Device& dev = device_of(call);
  cl_kernel k = kernel(dev, source(dev, out.dtype), "op_where");
  const Geometry g = make_geometry({&out, &cond, &a, &b});
  launch(dev, k, {arg(buffer(out)), arg(buffer(cond)), arg(buffer(a)), arg(buffer(b)), arg(g)}, grid_for(g.numel));
}

}  // namespace

void register_binary_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_ADD, type, binary_entry<EMBER_OP_ADD>);
  r.kernel(EMBER_OP_SUB, type, binary_entry<EMBER_OP_SUB>);
  r.kernel(EMBER_OP_MUL, type, binary_entry<EMBER_OP_MUL>);
  r.kernel(EMBER_OP_DIV, type, binary_entry<EMBER_OP_DIV>);
  r.kernel(EMBER_OP_POW, type, binary_entry<EMBER_OP_POW>);
  r.kernel(EMBER_OP_MAXIMUM, type, binary_entry<EMBER_OP_MAXIMUM>);
  r.kernel(EMBER_OP_MINIMUM, type, binary_entry<EMBER_OP_MINIMUM>);
  r.kernel(EMBER_OP_EQ, type, binary_entry<EMBER_OP_EQ>);
  r.kernel(EMBER_OP_NE, type, binary_entry<EMBER_OP_NE>);
  r.kernel(EMBER_OP_LT, type, binary_entry<EMBER_OP_LT>);
  r.kernel(EMBER_OP_LE, type, binary_entry<EMBER_OP_LE>);
  r.kernel(EMBER_OP_GT, type, binary_entry<EMBER_OP_GT>);
  r.kernel(EMBER_OP_GE, type, binary_entry<EMBER_OP_GE>);
  r.kernel(EMBER_OP_LOGICAL_AND, type, binary_entry<EMBER_OP_LOGICAL_AND>);
  r.kernel(EMBER_OP_LOGICAL_OR, type, binary_entry<EMBER_OP_LOGICAL_OR>);
  r.kernel(EMBER_OP_LOGICAL_XOR, type, binary_entry<EMBER_OP_LOGICAL_XOR>);
  r.kernel(EMBER_OP_WHERE, type, where_kernel);
}

}  // namespace ember::opencl
