// Data movement: strided copy with dtype conversion (one program per pair of
// dtypes), fill and arange (one program per dtype).
#include "context.h"

namespace ember::opencl {
namespace {

const char* const kCopyBody = R"CL(
#if defined(SAME_TYPE)
/* One dtype: the storage moves, every bit kept (the CPU's memcpy). */
#define MOVE(out, o, in, i) ((out)[o] = (in)[i])
#elif defined(O_BOOL)
#define MOVE(out, o, in, i) ((out)[o] = (O)(LOAD_I(in, i) != (I_C)0))
#else
/* Through the compute types, as the CPU's To(C<To>(C<From>(v))). */
#define MOVE(out, o, in, i) STORE_O(out, o, (O_C)LOAD_I(in, i))
#endif
__kernel void op_copy(__global O* out, __global const I* in, Geometry g) {
  FOR_EACH(i, g.numel) MOVE(out, at(&g, 0, i), in, at(&g, 1, i));
}
)CL";

const char* const kFillBody = R"CL(
__kernel void op_fill(__global O* out, Geometry g, O_S value) {
  FOR_EACH(i, g.numel) STORE_O(out, at(&g, 0, i), value);
}

#if defined(HAS_FP64)
typedef double real;
#else
typedef float real;
#endif
/* out[i] = start + i * step: exactly in 64-bit integers when both are
   integers, else in double (float without cl_khr_fp64); half types round
   through float, as the CPU's convert<T>. */
__kernel void op_arange(__global O* out, long offset, long stride, long n, long exact, long start_i, long step_i,
                        real start_d, real step_d) {
  FOR_EACH(i, n) {
#if defined(O_BOOL)
    out[offset + i * stride] = exact ? (O)(start_i + i * step_i != 0) : (O)(start_d + (real)i * step_d != (real)0);
#else
    const O_C v = exact ? (O_C)(start_i + i * step_i) : (O_C)(start_d + (real)i * step_d);
    STORE_O(out, offset + i * stride, v);
#endif
  }
}
)CL";

const std::string& fill_source(Device& dev, int32_t dtype) {
  static std::string sources[EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  const std::string defines = define_type(dev, "O", dtype);
  std::lock_guard<std::mutex> lock(mutex);
  if (sources[dtype].empty()) sources[dtype] = program_source(defines, kFillBody);
  return sources[dtype];
}

bool is_contiguous(const ember_tensor& t) {
  int64_t expected = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    if (t.sizes[i] == 1) continue;
    if (t.strides[i] != expected) return false;
    expected *= t.sizes[i];
  }
  return true;
}

EMBER_KERNEL(copy_kernel) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  Device& dev = device_of(call);
  const int64_t n = numel(out);
  if (n == 0) return;
  // A dense copy between two buffers needs no kernel.
  if (in.dtype == out.dtype && in.data != out.data && is_contiguous(in) && is_contiguous(out)) {
    const size_t es = size_t(sdk::dtype_size(in.dtype));
    std::lock_guard<std::mutex> lock(dev.launch_mutex);
    check(clEnqueueCopyBuffer(dev.queue, buffer(in), buffer(out), size_t(in.offset) * es, size_t(out.offset) * es,
                              size_t(n) * es, 0, nullptr, nullptr),
          "clEnqueueCopyBuffer");
    return;
  }
  static std::string sources[EMBER_DTYPE_COUNT][EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  const std::string defines = define_type(dev, "O", out.dtype) + define_type(dev, "I", in.dtype) +
                              (in.dtype == out.dtype ? "#define SAME_TYPE 1\n" : "");
  const std::string* src;
  {
    std::lock_guard<std::mutex> lock(mutex);
    std::string& s = sources[out.dtype][in.dtype];
    if (s.empty()) s = program_source(defines, kCopyBody);
    src = &s;
  }
  cl_kernel k = kernel(dev, *src, "op_copy");
  const Geometry g = make_geometry({&out, &in});
  launch(dev, k, {arg(buffer(out)), arg(buffer(in)), arg(g)}, grid_for(g.numel));
}

EMBER_KERNEL(fill_kernel) {
  const ember_tensor& out = call.outputs[0];
  Device& dev = device_of(call);
  cl_kernel k = kernel(dev, fill_source(dev, out.dtype), "op_fill");
  const Geometry g = make_geometry({&out});
  ScalarArg v = scalar_arg(call.scalars[0]);
  // bool(0.5) is true; the integer conversion would truncate it to 0 first.
  if (out.dtype == EMBER_DTYPE_BOOL) v.i = v.d != 0;
  launch(dev, k, {arg(buffer(out)), arg(g), v.as(out.dtype)}, grid_for(g.numel));
}

EMBER_KERNEL(arange_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("arange: the output must be 1-d");
  Device& dev = device_of(call);
  cl_kernel k = kernel(dev, fill_source(dev, out.dtype), "op_arange");
  const ember_scalar &start = call.scalars[0], &step = call.scalars[1];
  const int64_t exact = start.kind != EMBER_SCALAR_DOUBLE && step.kind != EMBER_SCALAR_DOUBLE;
  const ScalarArg s0 = scalar_arg(start), s1 = scalar_arg(step);
  const int64_t n = out.sizes[0];
  launch(dev, k,
         {arg(buffer(out)), arg(out.offset), arg(out.strides[0]), arg(n), arg(exact), arg(s0.i), arg(s1.i),
          dev.fp64 ? arg(s0.d) : arg(s0.f), dev.fp64 ? arg(s1.d) : arg(s1.f)},
         grid_for(n));
}

}  // namespace

void register_copy_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_COPY, type, copy_kernel);
  r.kernel(EMBER_OP_FILL, type, fill_kernel);
  r.kernel(EMBER_OP_ARANGE, type, arange_kernel);
}

}  // namespace ember::opencl
