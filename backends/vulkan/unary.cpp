// Unary elementwise kernels: in[0] -> out[0], one shader variant per dtype
// with the op as a specialization constant. Which ops a dtype has mirrors
// the CPU backend (an op the CPU rejects for a dtype is declined here too,
// and the CPU then says why).
#include "context.h"

namespace ember::vulkan {
namespace {

bool defined_for(int32_t op, int32_t dtype) {
  // float64 exp, log, sin, cos, tanh, sigmoid: shaders/double_math.glsl
  if (dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64 || dtype == EMBER_DTYPE_FLOAT16 ||
      dtype == EMBER_DTYPE_BFLOAT16)
    return true;
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

template <int32_t Op>
int32_t unary_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
    if (in.dtype != out.dtype) sdk::fail(std::string(sdk::op_name(Op)) + ": input and output dtypes differ");
    Device& dev = device_of(call);
    const std::string name = variant("unary", dev, out.dtype, true);
    if (!defined_for(Op, out.dtype))
      sdk::unsupported(std::string(sdk::op_name(Op)) + " is not defined for " + sdk::dtype_name(out.dtype));
    const Geometry g = make_geometry({&out, &in});
    if (g.numel == 0) return;
    Dispatch d;
    d.variant = name.c_str();
    d.op = Op;
    d.buffers[0] = allocation(out);
    d.buffers[1] = allocation(in);
    d.params = &g;
    d.params_size = sizeof g;
    if (Op == EMBER_OP_CLAMP) {  // slots: min, max, has_min, has_max
      d.push.scalar(0, call.scalars[0], out.dtype);
      d.push.scalar(1, call.scalars[1], out.dtype);
      d.push.i32(2, int32_t(call.ints[0] != 0));
      d.push.i32(3, int32_t(call.ints[1] != 0));
    }
    d.groups[0] = groups_for(g.numel);
    dispatch(dev, d);
  });
}

// logical_not reads any dtype and writes bool (binary.comp's COMPARE variants).
EMBER_KERNEL(logical_not_kernel) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  Device& dev = device_of(call);
  const std::string name = variant("compare", dev, in.dtype, true);
  suffix(dev, EMBER_DTYPE_BOOL);
  const Geometry g = make_geometry({&out, &in});
  if (g.numel == 0) return;
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_LOGICAL_NOT;
  d.buffers[0] = allocation(out);
  d.buffers[1] = d.buffers[2] = allocation(in);
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
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

}  // namespace ember::vulkan
