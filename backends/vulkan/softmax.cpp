// softmax / log_softmax along one dim, fused (shaders/softmax.comp): one
// invocation per slice makes the three passes the composite would take as
// separate ops. Optional (the core composes them otherwise); float32.
#include "context.h"

namespace ember::vulkan {
namespace {

template <bool Log>
int32_t softmax_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
    if (in.dtype != out.dtype) sdk::fail("softmax: input and output dtypes differ");
    if (in.dtype != EMBER_DTYPE_FLOAT32) sdk::unsupported("the Vulkan softmax is float32 only");
    if (in.ndim > 16) sdk::unsupported("too many dimensions");
    if (numel(in) == 0) return;
    const int dim = int(call.ints[0]);
    int64_t sizes[16];
    for (int d = 0; d < in.ndim; ++d) sizes[d] = d == dim ? 1 : in.sizes[d];
    ember_tensor in_view = in, out_view = out;
    in_view.sizes = out_view.sizes = sizes;
    Geometry g = make_geometry({&out_view, &in_view});
    g.extra[0] = to_i32(in.ndim ? in.sizes[dim] : 1);
    g.extra[1] = to_i32(in.ndim ? out.strides[dim] : 0);
    g.extra[2] = to_i32(in.ndim ? in.strides[dim] : 0);
    Dispatch d;
    d.variant = "softmax_f32";
    d.op = Log ? EMBER_OP_LOG_SOFTMAX : EMBER_OP_SOFTMAX;
    d.buffers[0] = allocation(out);
    d.buffers[1] = allocation(in);
    d.params = &g;
    d.params_size = sizeof g;
    d.groups[0] = groups_for(g.numel);
    dispatch(device_of(call), d);
  });
}

}  // namespace

void register_softmax_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_SOFTMAX, type, softmax_entry<false>);
  r.kernel(EMBER_OP_LOG_SOFTMAX, type, softmax_entry<true>);
}

}  // namespace ember::vulkan
