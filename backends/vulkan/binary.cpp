// Binary elementwise kernels (in[0] op in[1] -> out[0]; the inputs share one
// compute dtype and out's shape, broadcast dims have stride 0) and the
// ternary where. Variants per dtype: binary_* (out T), compare_* (out bool),
// where_*; the op is a specialization constant.
#include "context.h"

namespace ember::vulkan {
namespace {

bool defined_for(int32_t op, int32_t dtype) {
  // Integer division by zero must raise, which a shader cannot: the CPU does it.
  if (op == EMBER_OP_DIV)
    return dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64 || dtype == EMBER_DTYPE_FLOAT16 ||
           dtype == EMBER_DTYPE_BFLOAT16;
  if (op == EMBER_OP_SUB) return dtype != EMBER_DTYPE_BOOL;
  return true;
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
    Device& dev = device_of(call);
    const std::string name = variant(writes_bool<Op> ? "compare" : "binary", dev, a.dtype, true);
    suffix(dev, out.dtype, true);
    if (!defined_for(Op, a.dtype))
      sdk::unsupported(std::string(sdk::op_name(Op)) + " on " + sdk::dtype_name(a.dtype) + " runs on the CPU");
    const Geometry g = make_geometry({&out, &a, &b});
    if (g.numel == 0) return;
    Dispatch d;
    d.variant = name.c_str();
    d.op = Op;
    d.buffers[0] = allocation(out);
    d.buffers[1] = allocation(a);
    d.buffers[2] = allocation(b);
    d.params = &g;
    d.params_size = sizeof g;
    const ember_scalar one{EMBER_SCALAR_INT64, 1, 1};
    d.push.scalar(0, call.num_scalars > 0 ? call.scalars[0] : one, a.dtype);
    d.groups[0] = groups_for(g.numel);
    dispatch(dev, d);
  });
}

EMBER_KERNEL(where_kernel) {
  const ember_tensor &cond = call.inputs[0], &a = call.inputs[1], &b = call.inputs[2], &out = call.outputs[0];
  if (cond.dtype != EMBER_DTYPE_BOOL) sdk::fail("where: the condition must be bool");
  Device& dev = device_of(call);
  const std::string name = variant("where", dev, out.dtype, true);
  suffix(dev, EMBER_DTYPE_BOOL);
  const Geometry g = make_geometry({&out, &cond, &a, &b});
  if (g.numel == 0) return;
  Dispatch d;
  d.variant = name.c_str();
  d.op = EMBER_OP_WHERE;
  d.buffers[0] = allocation(out);
  d.buffers[1] = allocation(a);
  d.buffers[2] = allocation(b);
  d.buffers[3] = allocation(cond);
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(g.numel);
  dispatch(dev, d);
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

}  // namespace ember::vulkan
