// 2-d convolution through cuDNN: the overridable composites CONV2D,
// CONV2D_BACKWARD_INPUT and CONV2D_BACKWARD_WEIGHT (abi.h), for float32,
// float64, float16 and bfloat16 on the contiguous NCHW operands the core
// hands them.
//
// cuDNN is optional: libcudnn.so.9 is opened at run time (never linked), so
// the plugin loads without it. Without it, or for a case cuDNN does not
// take, the kernel declines and the core composes the convolution from
// im2col, bmm and col2im on the GPU. EMBER_CUDA_CUDNN=0 declines always (to
// compare the two paths).
//
// float32 and float64 run on FMA kernels only (CUDNN_FMA_MATH, no TF32),
// so results agree with the CPU's as matmul's do; the half types may use
// tensor cores. The algorithm is cuDNN's heuristic first choice that fits
// its workspace limit, remembered per shape.
#include "context.h"

// Toolkits without cuDNN's headers build the plugin without it.
#if __has_include(<cudnn.h>)
#include <cudnn.h>
#include <dlfcn.h>

#include <array>
#include <climits>
#include <cstdlib>
#include <map>
#include <mutex>

namespace ember::cuda {
namespace {

// ---- the library, opened once ----

#define EMBER_CUDNN_FUNCTIONS(X)                                                                              \
  X(cudnnGetVersion) X(cudnnGetErrorString) X(cudnnCreate) X(cudnnSetStream) X(cudnnCreateTensorDescriptor)   \
  X(cudnnDestroyTensorDescriptor) X(cudnnSetTensor4dDescriptor) X(cudnnCreateFilterDescriptor)                \
  X(cudnnDestroyFilterDescriptor) X(cudnnSetFilter4dDescriptor) X(cudnnCreateConvolutionDescriptor)          \
  X(cudnnDestroyConvolutionDescriptor) X(cudnnSetConvolution2dDescriptor) X(cudnnSetConvolutionGroupCount)    \
  X(cudnnSetConvolutionMathType) X(cudnnGetConvolutionForwardAlgorithm_v7)                                    \
  X(cudnnGetConvolutionBackwardDataAlgorithm_v7) X(cudnnGetConvolutionBackwardFilterAlgorithm_v7)             \
  X(cudnnGetConvolutionForwardWorkspaceSize) X(cudnnGetConvolutionBackwardDataWorkspaceSize)                  \
  X(cudnnGetConvolutionBackwardFilterWorkspaceSize) X(cudnnConvolutionForward) X(cudnnConvolutionBackwardData) \
  X(cudnnConvolutionBackwardFilter)

struct Library {
#define EMBER_CUDNN_MEMBER(name) decltype(&::name) name = nullptr;
  EMBER_CUDNN_FUNCTIONS(EMBER_CUDNN_MEMBER)
#undef EMBER_CUDNN_MEMBER
  bool loaded = false;
  std::string why;  // why it is not loaded
};

const Library& library() {
  static const Library lib = [] {
    Library l;
    const char* env = std::getenv("EMBER_CUDA_CUDNN");
    if (env && std::string(env) == "0") {
      l.why = "EMBER_CUDA_CUDNN=0";
      return l;
    }
    // Kept open for the life of the process, as the CUDA runtime is.
    void* handle = dlopen("libcudnn.so.9", RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      l.why = dlerror();
      return l;
    }
#define EMBER_CUDNN_LOAD(name)                                                   \
  l.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name));          \
  if (!l.name) {                                                                 \
    l.why = "libcudnn.so.9 has no " #name;                                       \
    return l;                                                                    \
  }
    EMBER_CUDNN_FUNCTIONS(EMBER_CUDNN_LOAD)
#undef EMBER_CUDNN_LOAD
    // A library older than the headers' major version has other structs.
    if (l.cudnnGetVersion() / 10000 != CUDNN_MAJOR) {
      l.why = "libcudnn.so.9 reports version " + std::to_string(l.cudnnGetVersion());
      return l;
    }
    l.loaded = true;
    return l;
  }();
  return lib;
}

void check_cudnn(cudnnStatus_t status, const char* call) {
  if (status == CUDNN_STATUS_SUCCESS) return;
  const ember_status code = status == CUDNN_STATUS_ALLOC_FAILED ? EMBER_ERR_OUT_OF_MEMORY : EMBER_ERR_DEVICE;
  sdk::fail(std::string("cuDNN: ") + call + " failed: " + library().cudnnGetErrorString(status), code);
}

// Setting up descriptors: a status other than success means cuDNN does not
// take this case, and the core composes it instead.
void require(cudnnStatus_t status, const char* call) {
  if (status != CUDNN_STATUS_SUCCESS)
    sdk::unsupported(std::string("conv2d: cuDNN declines (") + call + ": " + library().cudnnGetErrorString(status) +
                     ")");
}

// ---- descriptors of one call ----

struct Descriptors {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  ~Descriptors() {
    const Library& l = library();
    if (x) l.cudnnDestroyTensorDescriptor(x);
    if (y) l.cudnnDestroyTensorDescriptor(y);
    if (w) l.cudnnDestroyFilterDescriptor(w);
    if (conv) l.cudnnDestroyConvolutionDescriptor(conv);
  }
};

// The call's shapes: image x (N, C, H, W), weight (O, C/groups, kh, kw),
// output y (N, O, out_h, out_w), window and groups; the key of the
// algorithm cache.
struct Shape {
  std::array<int64_t, 4> x, w, y;
  std::array<int64_t, 7> window;  // sh, sw, ph, pw, dh, dw, groups
  int32_t dtype;
  int32_t op;
  auto operator<=>(const Shape&) const = default;
};

int to_int(int64_t v) {
  if (v < 0 || v > INT_MAX) sdk::unsupported("conv2d: sizes beyond cuDNN's int range");
  return int(v);
}

cudnnDataType_t data_type(int32_t dtype) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32: return CUDNN_DATA_FLOAT;
    case EMBER_DTYPE_FLOAT64: return CUDNN_DATA_DOUBLE;
    case EMBER_DTYPE_FLOAT16: return CUDNN_DATA_HALF;
    case EMBER_DTYPE_BFLOAT16: return CUDNN_DATA_BFLOAT16;
    default: sdk::unsupported(std::string("conv2d on ") + sdk::dtype_name(dtype));
  }
}

void set_descriptors(const Shape& s, Descriptors& d) {
  const Library& l = library();
  const cudnnDataType_t type = data_type(s.dtype);
  // float16 and bfloat16 accumulate in float, as the CPU computes them.
  const cudnnDataType_t compute = s.dtype == EMBER_DTYPE_FLOAT64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
  require(l.cudnnCreateTensorDescriptor(&d.x), "cudnnCreateTensorDescriptor");
  require(l.cudnnCreateTensorDescriptor(&d.y), "cudnnCreateTensorDescriptor");
  require(l.cudnnCreateFilterDescriptor(&d.w), "cudnnCreateFilterDescriptor");
  require(l.cudnnCreateConvolutionDescriptor(&d.conv), "cudnnCreateConvolutionDescriptor");
  require(l.cudnnSetTensor4dDescriptor(d.x, CUDNN_TENSOR_NCHW, type, to_int(s.x[0]), to_int(s.x[1]), to_int(s.x[2]),
                                       to_int(s.x[3])),
          "cudnnSetTensor4dDescriptor");
  require(l.cudnnSetTensor4dDescriptor(d.y, CUDNN_TENSOR_NCHW, type, to_int(s.y[0]), to_int(s.y[1]), to_int(s.y[2]),
                                       to_int(s.y[3])),
          "cudnnSetTensor4dDescriptor");
  require(l.cudnnSetFilter4dDescriptor(d.w, type, CUDNN_TENSOR_NCHW, to_int(s.w[0]), to_int(s.w[1]), to_int(s.w[2]),
                                       to_int(s.w[3])),
          "cudnnSetFilter4dDescriptor");
  const auto& win = s.window;
  require(l.cudnnSetConvolution2dDescriptor(d.conv, to_int(win[2]), to_int(win[3]), to_int(win[0]), to_int(win[1]),
                                            to_int(win[4]), to_int(win[5]), CUDNN_CROSS_CORRELATION, compute),
          "cudnnSetConvolution2dDescriptor");
  require(l.cudnnSetConvolutionGroupCount(d.conv, to_int(win[6])), "cudnnSetConvolutionGroupCount");
  const bool half_types = s.dtype == EMBER_DTYPE_FLOAT16 || s.dtype == EMBER_DTYPE_BFLOAT16;
  require(l.cudnnSetConvolutionMathType(d.conv, half_types ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH),
          "cudnnSetConvolutionMathType");
}

// ---- algorithm choice, remembered per shape ----

constexpr size_t kWorkspaceLimit = size_t(512) << 20;

struct Choice {
  int algo;
  size_t workspace;
};

std::mutex choices_mutex;
std::map<Shape, Choice>& choices() {
  static auto* map = new std::map<Shape, Choice>;
  return *map;
}

// The first of cuDNN's ranked algorithms that ran its checks, with a
// workspace under the limit.
template <typename Perf>
Choice first_usable(const Perf* perf, int count) {
  for (int i = 0; i < count; ++i)
    if (perf[i].status == CUDNN_STATUS_SUCCESS && perf[i].memory <= kWorkspaceLimit)
      return Choice{int(perf[i].algo), perf[i].memory};
  sdk::unsupported("conv2d: cuDNN has no algorithm for this case");
}

Choice choose(cudnnHandle_t handle, const Shape& s, const Descriptors& d) {
  {
    std::lock_guard<std::mutex> lock(choices_mutex);
    auto found = choices().find(s);
    if (found != choices().end()) return found->second;
  }
  const Library& l = library();
  constexpr int kMax = 16;
  int count = 0;
  Choice c{};
  if (s.op == EMBER_OP_CONV2D) {
    cudnnConvolutionFwdAlgoPerf_t perf[kMax];
    require(l.cudnnGetConvolutionForwardAlgorithm_v7(handle, d.x, d.w, d.conv, d.y, kMax, &count, perf),
            "cudnnGetConvolutionForwardAlgorithm_v7");
    c = first_usable(perf, count);
    require(l.cudnnGetConvolutionForwardWorkspaceSize(handle, d.x, d.w, d.conv, d.y,
                                                      cudnnConvolutionFwdAlgo_t(c.algo), &c.workspace),
            "cudnnGetConvolutionForwardWorkspaceSize");
  } else if (s.op == EMBER_OP_CONV2D_BACKWARD_INPUT) {
    cudnnConvolutionBwdDataAlgoPerf_t perf[kMax];
    require(l.cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, d.w, d.y, d.conv, d.x, kMax, &count, perf),
            "cudnnGetConvolutionBackwardDataAlgorithm_v7");
    c = first_usable(perf, count);
    require(l.cudnnGetConvolutionBackwardDataWorkspaceSize(handle, d.w, d.y, d.conv, d.x,
                                                           cudnnConvolutionBwdDataAlgo_t(c.algo), &c.workspace),
            "cudnnGetConvolutionBackwardDataWorkspaceSize");
  } else {
    cudnnConvolutionBwdFilterAlgoPerf_t perf[kMax];
    require(l.cudnnGetConvolutionBackwardFilterAlgorithm_v7(handle, d.x, d.y, d.conv, d.w, kMax, &count, perf),
            "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
    c = first_usable(perf, count);
    require(l.cudnnGetConvolutionBackwardFilterWorkspaceSize(handle, d.x, d.y, d.conv, d.w,
                                                             cudnnConvolutionBwdFilterAlgo_t(c.algo), &c.workspace),
            "cudnnGetConvolutionBackwardFilterWorkspaceSize");
  }
  std::lock_guard<std::mutex> lock(choices_mutex);
  choices().emplace(s, c);
  return c;
}

// ---- the kernels ----

std::array<int64_t, 4> sizes4(const ember_tensor& t) {
  if (t.ndim != 4) sdk::fail("conv2d: operands must be 4-d");
  return {t.sizes[0], t.sizes[1], t.sizes[2], t.sizes[3]};
}

const char* address(const ember_tensor& t) {
  if (!is_contiguous(t)) sdk::unsupported("conv2d: strided operands");
  return static_cast<const char*>(t.data) + t.offset * sdk::dtype_size(t.dtype);
}

cudnnHandle_t handle_of(Device& dev) {
  if (!dev.cudnn) {
    cudnnHandle_t h = nullptr;
    check_cudnn(library().cudnnCreate(&h), "cudnnCreate");
    dev.cudnn = h;
  }
  auto h = static_cast<cudnnHandle_t>(dev.cudnn);
  check_cudnn(library().cudnnSetStream(h, dev.stream), "cudnnSetStream");
  return h;
}

// Stream-ordered scratch memory, freed after the convolution that uses it.
struct Workspace {
  Device& dev;
  void* data = nullptr;
  Workspace(Device& d, size_t n) : dev(d) {
    if (n) check(cudaMallocAsync(&data, n, dev.stream), "cudaMallocAsync");
  }
  ~Workspace() {
    if (data) (void)cudaFreeAsync(data, dev.stream);
  }
};

EMBER_KERNEL(conv_entry) {
  const Library& l = library();
  if (!l.loaded) sdk::unsupported("conv2d: cuDNN is not available (" + l.why + ")");
  if (call.num_inputs != 2 || call.num_outputs != 1 || call.num_ints < 11)
    sdk::fail("conv2d: expected 2 inputs, 1 output and 11 ints");
  const ember_tensor &a = call.inputs[0], &b = call.inputs[1], &out = call.outputs[0];
  if (a.dtype != b.dtype || a.dtype != out.dtype) sdk::fail("conv2d: operands must share one dtype");
  const int64_t* i = call.ints;
  Shape s{};
  s.op = call.op;
  s.dtype = out.dtype;
  s.window = {i[2], i[3], i[4], i[5], i[6], i[7], i[10]};
  // Which operand is which: CONV2D (x, w) -> y; BACKWARD_INPUT (dy, w) -> dx;
  // BACKWARD_WEIGHT (dy, x) -> dw.
  const ember_tensor *x = nullptr, *w = nullptr, *y = nullptr;
  if (call.op == EMBER_OP_CONV2D) x = &a, w = &b, y = &out;
  else if (call.op == EMBER_OP_CONV2D_BACKWARD_INPUT) y = &a, w = &b, x = &out;
  else y = &a, x = &b, w = &out;
  s.x = sizes4(*x), s.w = sizes4(*w), s.y = sizes4(*y);
  if (s.y[2] != i[8] || s.y[3] != i[9]) sdk::fail("conv2d: the output size does not match the window");
  Device& dev = device_of(call);
  std::lock_guard<std::mutex> lock(dev.cudnn_mutex);
  const cudnnHandle_t handle = handle_of(dev);
  Descriptors d;
  set_descriptors(s, d);
  const Choice c = choose(handle, s, d);
  Workspace scratch(dev, c.workspace);
  // alpha and beta are float for float, half and bfloat16 data, double for double.
  const double one_d = 1, zero_d = 0;
  const float one_f = 1, zero_f = 0;
  const bool dbl = s.dtype == EMBER_DTYPE_FLOAT64;
  const void* one = dbl ? static_cast<const void*>(&one_d) : &one_f;
  const void* zero = dbl ? static_cast<const void*>(&zero_d) : &zero_f;
  void* result = const_cast<char*>(address(out));
  if (call.op == EMBER_OP_CONV2D) {
    check_cudnn(l.cudnnConvolutionForward(handle, one, d.x, address(*x), d.w, address(*w), d.conv,
                                    cudnnConvolutionFwdAlgo_t(c.algo), scratch.data, c.workspace, zero, d.y, result),
          "cudnnConvolutionForward");
  } else if (call.op == EMBER_OP_CONV2D_BACKWARD_INPUT) {
    check_cudnn(l.cudnnConvolutionBackwardData(handle, one, d.w, address(*w), d.y, address(*y), d.conv,
                                         cudnnConvolutionBwdDataAlgo_t(c.algo), scratch.data, c.workspace, zero, d.x,
                                         result),
          "cudnnConvolutionBackwardData");
  } else {
    check_cudnn(l.cudnnConvolutionBackwardFilter(handle, one, d.x, address(*x), d.y, address(*y), d.conv,
                                           cudnnConvolutionBwdFilterAlgo_t(c.algo), scratch.data, c.workspace, zero,
                                           d.w, result),
          "cudnnConvolutionBackwardFilter");
  }
}

}  // namespace

std::string cudnn_status() {
  const Library& l = library();
  if (!l.loaded) return "cuDNN not used: " + l.why;
  const size_t v = l.cudnnGetVersion();
  return "cuDNN " + std::to_string(v / 10000) + "." + std::to_string(v / 100 % 100) + "." + std::to_string(v % 100);
}

void register_conv_kernels(sdk::Registrar& r, int32_t type) {
  for (int32_t op : {EMBER_OP_CONV2D, EMBER_OP_CONV2D_BACKWARD_INPUT, EMBER_OP_CONV2D_BACKWARD_WEIGHT})
    r.kernel(op, type, conv_entry);
}

}  // namespace ember::cuda

#else  // no cudnn.h

namespace ember::cuda {
std::string cudnn_status() { return "cuDNN not used: built without its headers"; }
void register_conv_kernels(sdk::Registrar&, int32_t) {}
}  // namespace ember::cuda

#endif
