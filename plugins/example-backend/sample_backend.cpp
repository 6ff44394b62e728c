// A minimal third-party backend: device type "sample", one device over host
// memory. It implements six primitives itself (add, mul, relu, sum, copy,
// fill) for float32, float64, int32 and int64, declines every other dtype
// with sdk::unsupported, and leaves every other op to the core's CPU
// fallback. docs/writing-a-backend.md walks through it line by line.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include <ember/sdk/backend.h>

namespace {

// ---- the device: host memory, so copies are memcpy ----

int32_t device_count() { return 1; }
const char* device_name(int32_t) { return "sample device (host memory)"; }

int32_t allocate(int32_t, size_t nbytes, void** out, char* err, size_t cap) {
  // aligned_alloc wants a multiple of the alignment; zero bytes still needs a pointer.
  const size_t rounded = (nbytes + 63) / 64 * 64;
  *out = std::aligned_alloc(64, rounded ? rounded : 64);
  if (*out) return EMBER_OK;
  ember::sdk::write_message(err, cap, "sample: out of host memory");
  return EMBER_ERR_OUT_OF_MEMORY;
}
void deallocate(int32_t, void* ptr) { std::free(ptr); }
int32_t copy_to_host(int32_t, const void* src, size_t src_offset, void* dst, size_t nbytes, char*, size_t) {
  std::memcpy(dst, static_cast<const char*>(src) + src_offset, nbytes);
  return EMBER_OK;
}
int32_t copy_from_host(int32_t, const void* src, void* dst, size_t dst_offset, size_t nbytes, char*, size_t) {
  std::memcpy(static_cast<char*>(dst) + dst_offset, src, nbytes);
  return EMBER_OK;
}

const ember_device_api kSampleDevice = {
    sizeof(ember_device_api), "sample", /*host_accessible=*/1, device_count, device_name, allocate, deallocate,
    copy_to_host, copy_from_host, /*synchronize=*/nullptr, /*queue=*/nullptr, /*manual_seed=*/nullptr,
    /*set_num_threads=*/nullptr, /*get_num_threads=*/nullptr};

// ---- helpers for kernels ----

// Calls fn.template operator()<T>() for the dtypes this backend computes in;
// any other dtype is declined, and the core runs the op on the CPU instead.
template <typename Fn>
void numeric(int32_t dtype, Fn&& fn) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return fn.template operator()<float>();
    case EMBER_DTYPE_FLOAT64: return fn.template operator()<double>();
    case EMBER_DTYPE_INT32: return fn.template operator()<int32_t>();
    case EMBER_DTYPE_INT64: return fn.template operator()<int64_t>();
  }
  ember::sdk::unsupported(std::string("sample computes in float32, float64, int32 and int64, not ") +
                          ember::sdk::dtype_name(dtype));
}

// Visits every index of `shape` in row-major order. Tensors arrive with any
// strides (transposed, sliced, broadcast with stride 0), so kernels address
// elements through their own strides rather than assuming contiguity.
template <typename Fn>
void for_each_index(const ember_tensor& shape, Fn&& fn) {
  if (shape.ndim > 16) ember::sdk::unsupported("sample handles at most 16 dimensions");
  int64_t n = 1;
  for (int d = 0; d < shape.ndim; ++d) n *= shape.sizes[d];
  int64_t index[16] = {0};
  for (int64_t i = 0; i < n; ++i) {
    fn(index);
    for (int d = shape.ndim - 1; d >= 0; --d) {  // odometer step
      if (++index[d] < shape.sizes[d]) break;
      index[d] = 0;
    }
  }
}

template <typename T>
T& at(const ember_tensor& t, const int64_t* index) {
  int64_t offset = t.offset;
  for (int d = 0; d < t.ndim; ++d) offset += index[d] * t.strides[d];
  return static_cast<T*>(t.data)[offset];
}

template <typename T>
T scalar_as(const ember_scalar& s) {
  return s.kind == EMBER_SCALAR_DOUBLE ? T(s.d) : T(s.i);
}

// ---- kernels: the core has checked shapes and dtypes, broadcast the
// inputs and allocated the outputs; a kernel only computes ----

EMBER_KERNEL(sample_add) {  // out = a + alpha * b
  const ember_tensor &a = call.inputs[0], &b = call.inputs[1], &out = call.outputs[0];
  numeric(out.dtype, [&]<typename T>() {
    const T alpha = scalar_as<T>(call.scalars[0]);
    for_each_index(out, [&](const int64_t* i) { at<T>(out, i) = at<T>(a, i) + alpha * at<T>(b, i); });
  });
}

EMBER_KERNEL(sample_mul) {
  const ember_tensor &a = call.inputs[0], &b = call.inputs[1], &out = call.outputs[0];
  numeric(out.dtype, [&]<typename T>() {
    for_each_index(out, [&](const int64_t* i) { at<T>(out, i) = at<T>(a, i) * at<T>(b, i); });
  });
}

EMBER_KERNEL(sample_relu) {
  const ember_tensor &x = call.inputs[0], &out = call.outputs[0];
  numeric(out.dtype, [&]<typename T>() {
    for_each_index(out, [&](const int64_t* i) {
      const T v = at<T>(x, i);
      at<T>(out, i) = v > T(0) ? v : T(0);
    });
  });
}

// The output comes at the input's rank with stride 0 along the reduced dims,
// so walking the input's indices lands every element on its output.
EMBER_KERNEL(sample_sum) {
  const ember_tensor &x = call.inputs[0], &out = call.outputs[0];
  if (x.dtype != out.dtype) ember::sdk::unsupported("sample sums within one dtype");
  numeric(out.dtype, [&]<typename T>() {
    for_each_index(out, [&](const int64_t* i) { at<T>(out, i) = T(0); });
    for_each_index(x, [&](const int64_t* i) { at<T>(out, i) += at<T>(x, i); });
  });
}

EMBER_KERNEL(sample_copy) {  // also casts between the four dtypes
  const ember_tensor &x = call.inputs[0], &out = call.outputs[0];
  numeric(out.dtype, [&]<typename To>() {
    numeric(x.dtype, [&]<typename From>() {
      for_each_index(out, [&](const int64_t* i) { at<To>(out, i) = To(at<From>(x, i)); });
    });
  });
}

EMBER_KERNEL(sample_fill) {
  const ember_tensor& out = call.outputs[0];
  numeric(out.dtype, [&]<typename T>() {
    const T value = scalar_as<T>(call.scalars[0]);
    for_each_index(out, [&](const int64_t* i) { at<T>(out, i) = value; });
  });
}

// ---- the plugin ----

void probe() {}  // host memory is always there; a real backend checks its driver here

void register_sample(ember::sdk::Registrar& r) {
  const int32_t type = r.device_type(kSampleDevice);
  r.kernel(EMBER_OP_ADD, type, sample_add);
  r.kernel(EMBER_OP_MUL, type, sample_mul);
  r.kernel(EMBER_OP_RELU, type, sample_relu);
  r.kernel(EMBER_OP_SUM, type, sample_sum);
  r.kernel(EMBER_OP_COPY, type, sample_copy);
  r.kernel(EMBER_OP_FILL, type, sample_fill);
}

}  // namespace

EMBER_DEFINE_PLUGIN("sample", "1.0", probe, register_sample)
