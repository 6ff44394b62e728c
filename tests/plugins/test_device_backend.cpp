// A minimal backend over host memory, device type "testdev" with two devices.
// It implements only fill and add (declining int64 add), so every other op
// exercises the CPU fallback. It also adds an op of its own,
// "scaled_square" (x * x * scale) with its backward, and overrides the
// backward of relu on its device (counting the calls, so a test can see it ran).
#include <cstdlib>
#include <cstring>

#include "ember/sdk/backend.h"

namespace {

int32_t count() { return 2; }
const char* name(int32_t) { return "test device (host memory)"; }
int32_t allocate(int32_t, size_t n, void** out, char*, size_t) {
  *out = std::malloc(n ? n : 1);
  return *out ? EMBER_OK : EMBER_ERR_OUT_OF_MEMORY;
}
void deallocate(int32_t, void* p) { std::free(p); }
int32_t to_host(int32_t, const void* src, size_t off, void* dst, size_t n, char*, size_t) {
  std::memcpy(dst, static_cast<const char*>(src) + off, n);
  return EMBER_OK;
}
int32_t from_host(int32_t, const void* src, void* dst, size_t off, size_t n, char*, size_t) {
  std::memcpy(static_cast<char*>(dst) + off, src, n);
  return EMBER_OK;
}

// Walks any-rank tensors of one shape in row-major order.
template <typename Fn>
void for_each(const ember_tensor& shape, Fn fn) {
  int64_t n = 1;
  for (int d = 0; d < shape.ndim; ++d) n *= shape.sizes[d];
  for (int64_t i = 0; i < n; ++i) {
    int64_t rest = i;
    int64_t coord[16];
    for (int d = shape.ndim - 1; d >= 0; --d) {
      coord[d] = rest % shape.sizes[d];
      rest /= shape.sizes[d];
    }
    fn(coord);
  }
}
template <typename T>
T& at(const ember_tensor& t, const int64_t* coord) {
  int64_t off = t.offset;
  for (int d = 0; d < t.ndim; ++d) off += coord[d] * t.strides[d];
  return static_cast<T*>(t.data)[off];
}

EMBER_KERNEL(test_fill) {
  const ember_tensor& o = call.outputs[0];
  if (o.dtype != EMBER_DTYPE_FLOAT32) ember::sdk::unsupported("test device fills float32 only");
  const float v = call.scalars[0].kind == EMBER_SCALAR_DOUBLE ? float(call.scalars[0].d) : float(call.scalars[0].i);
  for_each(o, [&](const int64_t* c) { at<float>(o, c) = v; });
}

EMBER_KERNEL(test_add) {
  const ember_tensor &a = call.inputs[0], &b = call.inputs[1], &o = call.outputs[0];
  if (o.dtype != EMBER_DTYPE_FLOAT32) ember::sdk::unsupported("test device adds float32 only");
  const float alpha = call.scalars[0].kind == EMBER_SCALAR_DOUBLE ? float(call.scalars[0].d) : float(call.scalars[0].i);
  for_each(o, [&](const int64_t* c) { at<float>(o, c) = at<float>(a, c) + alpha * at<float>(b, c); });
}

float scalar_of(const ember_scalar& s) { return s.kind == EMBER_SCALAR_DOUBLE ? float(s.d) : float(s.i); }

// scaled_square: out = x * x * scalars[0]
EMBER_KERNEL(test_scaled_square) {
  const ember_tensor &x = call.inputs[0], &o = call.outputs[0];
  if (o.dtype != EMBER_DTYPE_FLOAT32) ember::sdk::unsupported("scaled_square is float32 only");
  const float scale = scalar_of(call.scalars[0]);
  for_each(o, [&](const int64_t* c) { at<float>(o, c) = at<float>(x, c) * at<float>(x, c) * scale; });
}

// Its backward, on every device: inputs grad, x, out; output grad_x.
EMBER_KERNEL(test_scaled_square_backward) {
  const ember_tensor &g = call.inputs[0], &x = call.inputs[1], &gx = call.outputs[0];
  const float scale = scalar_of(call.scalars[0]);
  for_each(gx, [&](const int64_t* c) { at<float>(gx, c) = at<float>(g, c) * 2 * at<float>(x, c) * scale; });
}

}  // namespace

// How often testdev's own relu backward ran (read by test_plugins).
extern "C" {
EMBER_PLUGIN_EXPORT int ember_testdev_relu_backward_calls = 0;
}

namespace {

// ReluBackward0 on testdev: inputs grad, the saved result; output grad_x.
EMBER_KERNEL(test_relu_backward) {
  const ember_tensor &g = call.inputs[0], &result = call.inputs[1], &gx = call.outputs[0];
  if (gx.dtype != EMBER_DTYPE_FLOAT32) ember::sdk::unsupported("float32 only");
  for_each(gx, [&](const int64_t* c) { at<float>(gx, c) = at<float>(result, c) > 0 ? at<float>(g, c) : 0.0f; });
  ++ember_testdev_relu_backward_calls;
}

const ember_device_api kApi = {sizeof(ember_device_api), "testdev", /*host_accessible=*/0, count, name, allocate,
                               deallocate, to_host, from_host, nullptr, nullptr, nullptr, nullptr, nullptr};

void probe() {}
void register_testdev(ember::sdk::Registrar& r) {
  const int32_t type = r.device_type(kApi);
  r.kernel(EMBER_OP_FILL, type, test_fill);
  r.kernel(EMBER_OP_ADD, type, test_add);
  const int32_t square = r.op("scaled_square", 1, 1);
  r.kernel(square, type, test_scaled_square);
  r.backward("scaled_square", -1, test_scaled_square_backward);
  r.backward("ReluBackward0", type, test_relu_backward);
}

}  // namespace

EMBER_DEFINE_PLUGIN("testdev", "1.0", probe, register_testdev)
