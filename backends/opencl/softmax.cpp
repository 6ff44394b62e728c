// softmax / log_softmax along one dim, fused: one work item per slice makes
// the three passes (max, sum of exponentials, write) the composite would
// take as separate ops. Optional (the core composes them otherwise).
#include "context.h"

namespace ember::opencl {
namespace {

const char* const kSoftmaxBody = R"CL(
/* Half types compute in float (T_C), as the CPU does. The iteration shape is the tensor's with `dim` of size 1; operands out, in. */
__kernel void op_softmax(__global T* out, __global const T* in, Geometry g, long n, long out_stride, long in_stride,
                         long log_softmax) {
  FOR_EACH(s, g.numel) {
    __global T* o = out + at(&g, 0, s);
    const __global T* x = in + at(&g, 1, s);
    T_C max = (T_C)-INFINITY;
    for (long i = 0; i < n; ++i) {
      const T_C v = LOAD_T(x, i * in_stride);
      max = v > max ? v : max;
    }
    const T_C shift = isinf(max) ? (T_C)0 : max;  /* a nan input makes every output nan below */
    T_C sum = 0;
    for (long i = 0; i < n; ++i) sum += exp(LOAD_T(x, i * in_stride) - shift);
    if (log_softmax) {
      const T_C log_sum = log(sum);
      for (long i = 0; i < n; ++i) STORE_T(o, i * out_stride, (LOAD_T(x, i * in_stride) - shift) - log_sum);
    } else {
      for (long i = 0; i < n; ++i) STORE_T(o, i * out_stride, exp(LOAD_T(x, i * in_stride) - shift) / sum);
    }
  }
}
)CL";

template <bool Log>
int32_t softmax_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
    if (in.dtype != out.dtype) sdk::fail("softmax: input and output dtypes differ");
    if (in.dtype != EMBER_DTYPE_FLOAT32 && in.dtype != EMBER_DTYPE_FLOAT64 && !is_half_type(in.dtype))
      sdk::unsupported("softmax needs a floating point tensor");
    Device& dev = device_of(call);
    static std::string sources[EMBER_DTYPE_COUNT];
    static std::mutex mutex;
    const std::string defines = define_type(dev, "T", in.dtype);
    const std::string* src;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (sources[in.dtype].empty()) sources[in.dtype] = program_source(defines, kSoftmaxBody);
      src = &sources[in.dtype];
    }
    if (in.ndim > kMaxDims) sdk::unsupported("the OpenCL backend supports at most 16 dimensions");
    const int dim = int(call.ints[0]);
    int64_t sizes[kMaxDims];
    for (int d = 0; d < in.ndim; ++d) sizes[d] = d == dim ? 1 : in.sizes[d];
    ember_tensor in_view = in, out_view = out;
    in_view.sizes = out_view.sizes = sizes;
    const Geometry g = make_geometry({&out_view, &in_view});
    if (numel(in) == 0) return;
    const int64_t n = in.ndim ? in.sizes[dim] : 1, os = in.ndim ? out.strides[dim] : 0,
                  is = in.ndim ? in.strides[dim] : 0, log = Log;
    launch(dev, kernel(dev, *src, "op_softmax"),
           {arg(buffer(out)), arg(buffer(in)), arg(g), arg(n), arg(os), arg(is), arg(log)}, grid_for(g.numel));
  });
}

}  // namespace

void register_softmax_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_SOFTMAX, type, softmax_entry<false>);
  r.kernel(EMBER_OP_LOG_SOFTMAX, type, softmax_entry<true>);
}

}  // namespace ember::opencl
