// 2-d window kernels over (N, C, H, W): im2col and col2im (convolution is a
// bmm over their columns) and max pooling; shaders/window.comp, float32
// and float64.
#include "context.h"

namespace ember::vulkan {
namespace {

// shaders/window.comp's block: abi.h's window ints, the image's sizes and
// the strides of the image, the columns / pooled maxima, and the indices.
struct WindowArgs {
  int32_t kh, kw, sh, sw, ph, pw, dh, dw, out_h, out_w;
  int32_t n, c, h, w;
  int32_t x_off, x_sn, x_sc, x_sh, x_sw;
  int32_t y_off, y_s0, y_s1, y_s2, y_s3;
  int32_t i_off, i_s0, i_s1, i_s2, i_s3;
};

WindowArgs window_args(const ember_op_call& call, const ember_tensor& image) {
  if (call.num_ints < 10) sdk::fail("window ops need 10 ints (kernel, stride, padding, dilation, output size)");
  if (image.ndim != 4) sdk::fail("window ops take 4-d images");
  if (image.dtype != EMBER_DTYPE_FLOAT32 && image.dtype != EMBER_DTYPE_FLOAT64)
    sdk::unsupported("window ops need a floating point tensor");
  WindowArgs g{};
  const int64_t* i = call.ints;
  g.kh = to_i32(i[0]), g.kw = to_i32(i[1]), g.sh = to_i32(i[2]), g.sw = to_i32(i[3]), g.ph = to_i32(i[4]);
  g.pw = to_i32(i[5]), g.dh = to_i32(i[6]), g.dw = to_i32(i[7]), g.out_h = to_i32(i[8]), g.out_w = to_i32(i[9]);
  g.n = to_i32(image.sizes[0]), g.c = to_i32(image.sizes[1]), g.h = to_i32(image.sizes[2]), g.w = to_i32(image.sizes[3]);
  g.x_off = to_i32(image.offset);
  g.x_sn = to_i32(image.strides[0]), g.x_sc = to_i32(image.strides[1]);
  g.x_sh = to_i32(image.strides[2]), g.x_sw = to_i32(image.strides[3]);
  return g;
}

void set_y(WindowArgs& g, const ember_tensor& t) {
  g.y_off = to_i32(t.offset);
  g.y_s0 = to_i32(t.strides[0]), g.y_s1 = to_i32(t.strides[1]), g.y_s2 = to_i32(t.strides[2]);
  g.y_s3 = t.ndim > 3 ? to_i32(t.strides[3]) : 0;
}

void run(Device& dev, int32_t op, const WindowArgs& g, const ember_tensor& y, const ember_tensor& x,
         const ember_tensor* idx, int64_t items) {
  if (items == 0) return;
  suffix(dev, EMBER_DTYPE_INT64);
  const std::string name = variant("window", dev, x.dtype);
  Dispatch d;
  d.variant = name.c_str();
  d.op = op;
  d.buffers[0] = allocation(y);
  d.buffers[1] = allocation(x);
  if (idx) d.buffers[2] = allocation(*idx);
  d.params = &g;
  d.params_size = sizeof g;
  d.groups[0] = groups_for(to_i32(items));
  dispatch(dev, d);
}

EMBER_KERNEL(im2col_kernel) {
  const ember_tensor &x = call.inputs[0], &cols = call.outputs[0];
  WindowArgs g = window_args(call, x);
  set_y(g, cols);
  run(device_of(call), EMBER_OP_IM2COL, g, cols, x, nullptr, int64_t(g.n) * g.c * g.kh * g.kw * g.out_h * g.out_w);
}

EMBER_KERNEL(col2im_kernel) {
  const ember_tensor &cols = call.inputs[0], &x = call.outputs[0];
  WindowArgs g = window_args(call, x);
  set_y(g, cols);
  run(device_of(call), EMBER_OP_COL2IM, g, cols, x, nullptr, int64_t(g.n) * g.c * g.h * g.w);
}

EMBER_KERNEL(max_pool2d_kernel) {
  const ember_tensor &x = call.inputs[0], &y = call.outputs[0], &idx = call.outputs[1];
  WindowArgs g = window_args(call, x);
  set_y(g, y);
  g.i_off = to_i32(idx.offset);
  g.i_s0 = to_i32(idx.strides[0]), g.i_s1 = to_i32(idx.strides[1]);
  g.i_s2 = to_i32(idx.strides[2]), g.i_s3 = to_i32(idx.strides[3]);
  run(device_of(call), EMBER_OP_MAX_POOL2D, g, y, x, &idx, int64_t(g.n) * g.c * g.out_h * g.out_w);
}

}  // namespace

void register_window_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_IM2COL, type, im2col_kernel);
  r.kernel(EMBER_OP_COL2IM, type, col2im_kernel);
  r.kernel(EMBER_OP_MAX_POOL2D, type, max_pool2d_kernel);
}

}  // namespace ember::vulkan
