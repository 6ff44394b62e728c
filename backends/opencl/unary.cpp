// Unary elementwise kernels: in[0] -> out[0], one program per dtype holding
// a kernel per op. Which ops a dtype has mirrors the CPU backend (an op the
// CPU rejects for a dtype is declined here too, and the CPU then says why).
#include "context.h"

namespace ember::opencl {
namespace {

const char* const kUnaryBody = R"CL(
/* x is the element as T_C (float for the half types, which compute in float
   as the CPU does); the result is stored rounded to T. */
#define UNARY(name, expr)                                                                          \
  __kernel void name(__global T* out, __global const T* in, Geometry g, T_S lo, T_S hi, long has_lo, \
                     long has_hi) {                                                                \
    FOR_EACH(i, g.numel) {                                                                         \
      const T_C x = LOAD_T(in, at(&g, 1, i));                                                      \
      STORE_T(out, at(&g, 0, i), (expr));                                                          \
    }                                                                                              \
  }

#if defined(T_FLOAT)
UNARY(op_neg, -x)
UNARY(op_abs, fabs(x))
UNARY(op_exp, exp(x))
UNARY(op_log, log(x))
UNARY(op_sqrt, sqrt(x))
UNARY(op_rsqrt, (T_C)1 / sqrt(x))
UNARY(op_sin, sin(x))
UNARY(op_cos, cos(x))
UNARY(op_tanh, tanh(x))
UNARY(op_sigmoid, (T_C)1 / ((T_C)1 + exp(-x)))
UNARY(op_relu, x < (T_C)0 ? (T_C)0 : x)  /* keeps nan, as PyTorch */
UNARY(op_sign, (T_C)((x > (T_C)0) - (x < (T_C)0)))
UNARY(op_floor, floor(x))
UNARY(op_ceil, ceil(x))
UNARY(op_round, rint(x))  /* half to even, as PyTorch */
UNARY(op_trunc, trunc(x))
/* nan stays nan; min then max, as PyTorch */
UNARY(op_clamp, isnan(x) ? x : (has_hi && hi < (has_lo && x < lo ? lo : x) ? hi : (has_lo && x < lo ? lo : x)))
#elif defined(T_INT)
UNARY(op_neg, (T)(-x))
#if defined(T_UNSIGNED)
UNARY(op_abs, x)
#else
UNARY(op_abs, x < (T)0 ? (T)(-x) : x)
#endif
UNARY(op_relu, x > (T)0 ? x : (T)0)
UNARY(op_sign, (T)((x > (T)0) - (x < (T)0)))
UNARY(op_floor, x)
UNARY(op_ceil, x)
UNARY(op_round, x)
UNARY(op_trunc, x)
UNARY(op_clamp, (T)(has_hi && (T)hi < (has_lo && x < (T)lo ? (T)lo : x) ? (T)hi : (has_lo && x < (T)lo ? (T)lo : x)))
#else /* bool */
UNARY(op_sign, x)
UNARY(op_floor, x)
UNARY(op_ceil, x)
UNARY(op_round, x)
UNARY(op_trunc, x)
#endif

__kernel void op_logical_not(__global uchar* out, __global const T* in, Geometry g) {
  FOR_EACH(i, g.numel) out[at(&g, 0, i)] = LOAD_T(in, at(&g, 1, i)) == (T_C)0;
}
)CL";

bool defined_for(int32_t op, int32_t dtype) {
  if (dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64 || is_half_type(dtype)) return true;
  switch (op) {
    case EMBER_OP_SIGN:
    case EMBER_OP_FLOOR:
    case EMBER_OP_CEIL:
    case EMBER_OP_ROUND:
    case EMBER_OP_TRUNC: return true;
    case EMBER_OP_NEG:
    case EMBER_OP_ABS:
    case EMBER_OP_RELU:
    case EMBER_OP_CLAMP: return dtype != EMBER_DTYPE_BOOL;
    default: return false;
  }
}

const std::string& source(Device& dev, int32_t dtype) {
  static std::string sources[EMBER_DTYPE_COUNT];  // the text depends on the dtype alone
  static std::mutex mutex;
  const std::string defines = define_type(dev, "T", dtype);  // declines unsupported dtypes
  std::lock_guard<std::mutex> lock(mutex);
  if (sources[dtype].empty()) sources[dtype] = program_source(defines, kUnaryBody);
  return sources[dtype];
}

template <int32_t Op>
int32_t unary_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
    if (in.dtype != out.dtype) sdk::fail(std::string(sdk::op_name(Op)) + ": input and output dtypes differ");
    if (!defined_for(Op, out.dtype))
      sdk::unsupported(std::string(sdk::op_name(Op)) + " is not defined for " + sdk::dtype_name(out.dtype));
    Device& dev = device_of(call);
    const std::string name = std::string("op_") + sdk::op_name(Op);
    cl_kernel k = kernel(dev, source(dev, out.dtype), name.c_str());
    const Geometry g = make_geometry({&out, &in});
    ember_scalar zero{EMBER_SCALAR_INT64, 0, 0};
    const bool clamp = Op == EMBER_OP_CLAMP;
    const ScalarArg lo = scalar_arg(clamp ? call.scalars[0] : zero), hi = scalar_arg(clamp ? call.scalars[1] : zero);
    const int64_t has_lo = clamp ? call.ints[0] : 0, has_hi = clamp ? call.ints[1] : 0;
    launch(dev, k,
           {arg(buffer(out)), arg(buffer(in)), arg(g), lo.as(out.dtype), hi.as(out.dtype), arg(has_lo), arg(has_hi)},
           grid_for(g.numel));
  });
}

// logical_not reads any dtype and writes bool.
EMBER_KERNEL(logical_not_kernel) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  Device& dev = device_of(call);
  cl_kernel k = kernel(dev, source(dev, in.dtype), "op_logical_not");
  const Geometry g = make_geometry({&out, &in});
  launch(dev, k, {arg(buffer(out)), arg(buffer(in)), arg(g)}, grid_for(g.numel));
}

}  // namespace

void register_unary_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_NEG, type, unary_entry<EMBER_OP_NEG>);
  r.kernel(EMBER_OP_ABS, type, unary_entry<EMBER_OP_ABS>);
  r.kernel(EMBER_OP_EXP, type, unary_entry<EMBER_OP_EXP>);
  r.kernel(EMBER_OP_LOG, type, unary_entry<EMBER_OP_LOG>);
  r.kernel(EMBER_OP_SQRT, type, unary_entry<EMBER_OP_SQRT>);
  r.kernel(EMBER_OP_RSQRT, type, unary_entry<EMBER_OP_RSQRT>);
  r.kernel(EMBER_OP_SIN, type, unary_entry<EMBER_OP_SIN>);
  r.kernel(EMBER_OP_COS, type, unary_entry<EMBER_OP_COS>);
  r.kernel(EMBER_OP_TANH, type, unary_entry<EMBER_OP_TANH>);
  r.kernel(EMBER_OP_SIGMOID, type, unary_entry<EMBER_OP_SIGMOID>);
  r.kernel(EMBER_OP_RELU, type, unary_entry<EMBER_OP_RELU>);
  r.kernel(EMBER_OP_SIGN, type, unary_entry<EMBER_OP_SIGN>);
  r.kernel(EMBER_OP_FLOOR, type, unary_entry<EMBER_OP_FLOOR>);
  r.kernel(EMBER_OP_CEIL, type, unary_entry<EMBER_OP_CEIL>);
  r.kernel(EMBER_OP_ROUND, type, unary_entry<EMBER_OP_ROUND>);
  r.kernel(EMBER_OP_TRUNC, type, unary_entry<EMBER_OP_TRUNC>);
  r.kernel(EMBER_OP_CLAMP, type, unary_entry<EMBER_OP_CLAMP>);
  r.kernel(EMBER_OP_LOGICAL_NOT, type, logical_not_kernel);
}

}  // namespace ember::opencl
