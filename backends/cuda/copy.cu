// Data movement: strided copy with dtype conversion (every pair of dtypes,
// float16 and bfloat16 included), fill and arange. Conversions go through
// the compute types exactly as the CPU backend's do: To(C<To>(C<From>(v))),
// and anything to bool is v != 0.
#include <cstring>

#include "device.cuh"

namespace ember::cuda {
namespace {

template <typename To, typename From>
__device__ __forceinline__ To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) return load(v) != compute_t<From>(0);
  else return to_storage<To>(compute_t<To>(load(v)));
}

template <typename To, typename From>
__global__ void cast_kernel(To* out, const From* in, Geometry g) {
  EMBER_CUDA_FOR_EACH(i, g.numel) { out[at(g, 0, i)] = convert<To>(in[at(g, 1, i)]); }
}

// Same dtype: elements move as bytes of their size.
template <typename U>
__global__ void move_kernel(U* out, const U* in, Geometry g) {
  EMBER_CUDA_FOR_EACH(i, g.numel) { out[at(g, 0, i)] = in[at(g, 1, i)]; }
}

EMBER_KERNEL(copy_entry) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  const int64_t n = numel(out);
  if (n == 0) return;
  Device& dev = device_of(call);
  if (in.dtype == out.dtype) {
    const int64_t es = sdk::dtype_size(in.dtype);
    // A dense copy between two buffers needs no kernel.
    if (in.data != out.data && is_contiguous(in) && is_contiguous(out)) {
      check(cudaMemcpyAsync(ptr<char>(out) + out.offset * es, ptr<const char>(in) + in.offset * es, size_t(n * es),
                            cudaMemcpyDeviceToDevice, dev.stream),
            "cudaMemcpyAsync");
      return;
    }
    const Geometry g = make_geometry({&out, &in});
    const Launch l = launch_for(dev, g.numel);
    dispatch_bytes(es, [&]<typename U>() {
      move_kernel<U><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<U>(out), ptr<U>(in), g);
      check_launch("move_kernel");
    });
    return;
  }
  const Geometry g = make_geometry({&out, &in});
  const Launch l = launch_for(dev, g.numel);
  dispatch(out.dtype, [&]<typename To>() {
    dispatch(in.dtype, [&]<typename From>() {
      if constexpr (!std::is_same_v<To, From>) {  // same dtypes moved above: 56 instantiations, not 64
        cast_kernel<To, From><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<To>(out), ptr<From>(in), g);
        check_launch("cast_kernel");
      }
    });
  });
}

// ---- fill ----

template <typename U>
__global__ void fill_kernel(U* out, Geometry g, U value) {
  EMBER_CUDA_FOR_EACH(i, g.numel) { out[at(g, 0, i)] = value; }
}

// The fill value's bytes, converted on the host as the CPU backend does.
template <typename T, typename V>
T host_convert(V v) {
  if constexpr (std::is_same_v<T, bool>) return v != V(0);
  else if constexpr (std::is_same_v<T, sdk::Half> || std::is_same_v<T, sdk::BFloat16>) return T(float(v));
  else return T(v);
}

EMBER_KERNEL(fill_entry) {
  const ember_tensor& out = call.outputs[0];
  const Geometry g = make_geometry({&out});
  if (g.numel == 0) return;
  Device& dev = device_of(call);
  const ember_scalar& v = call.scalars[0];
  uint64_t bits = 0;
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    const T value = v.kind == EMBER_SCALAR_DOUBLE ? host_convert<T>(v.d) : host_convert<T>(v.i);
    static_assert(sizeof(T) <= sizeof bits);
    std::memcpy(&bits, &value, sizeof(T));  // little endian: the low bytes
  });
  const Launch l = launch_for(dev, g.numel);
  dispatch_bytes(sdk::dtype_size(out.dtype), [&]<typename U>() {
    U value;
    std::memcpy(&value, &bits, sizeof(U));
    fill_kernel<U><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<U>(out), g, value);
    check_launch("fill_kernel");
  });
}

// ---- arange ----

// out[i] = start + i * step: in 64-bit integers when both are integers, else
// in double, then converted as copy converts.
template <typename T>
__global__ void arange_kernel(T* out, int64_t offset, int64_t stride, int64_t n, bool exact, int64_t start_i,
                              int64_t step_i, double start_d, double step_d) {
  EMBER_CUDA_FOR_EACH(i, n) {
    out[offset + i * stride] = exact ? convert<T>(int64_t(start_i + i * step_i)) : convert<T>(start_d + double(i) * step_d);
  }
}

EMBER_KERNEL(arange_entry) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("arange: the output must be 1-d");
  const int64_t n = out.sizes[0];
  if (n == 0) return;
  Device& dev = device_of(call);
  const ember_scalar &start = call.scalars[0], &step = call.scalars[1];
  const bool exact = start.kind != EMBER_SCALAR_DOUBLE && step.kind != EMBER_SCALAR_DOUBLE;
  const Launch l = launch_for(dev, n);
  dispatch(out.dtype, [&]<typename T>() {
    arange_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<T>(out), out.offset, out.strides[0], n, exact,
                                                              start.i, step.i, scalar_double(start),
                                                              scalar_double(step));
    check_launch("arange_kernel");
  });
}

}  // namespace

void register_copy_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_COPY, type, copy_entry);
  r.kernel(EMBER_OP_FILL, type, fill_entry);
  r.kernel(EMBER_OP_ARANGE, type, arange_entry);
}

}  // namespace ember::cuda
