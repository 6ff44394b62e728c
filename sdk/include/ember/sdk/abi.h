/* Ember plugin ABI — plain C, shared by the core and every plugin.
 *
 * A plugin is a shared library exporting one function, `ember_plugin_entry`,
 * that returns a pointer to a static `ember_plugin_info`. The core reads the
 * ABI range, calls `probe`, then `register_plugin` with an `ember_host_api`
 * through which the plugin adds device types and kernels.
 *
 * Rules of the boundary (see docs/writing-a-backend.md):
 * - No C++ exceptions, std::string or STL containers cross it; every fallible
 *   call returns an `ember_status` and writes a message into a caller buffer.
 * - Every table starts with `struct_size`, so either side can tell which
 *   fields the other knows; fields are only ever appended.
 * - Enumerations below are append-only: a value never changes meaning.
 */
#ifndef EMBER_SDK_ABI_H
#define EMBER_SDK_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI version this header describes. The core accepts a plugin whose
 * [abi_min, abi_max] covers the core's version. ember_op is append-only, and
 * every append bumps the version: a plugin's own ops are numbered from
 * EMBER_OP_COUNT, so a core and a plugin must agree on it.
 *   1: the primitives, softmax and the convolutions
 *   2: ADDMM, LAYER_NORM, LAYER_NORM_BACKWARD, ADAM_STEP */
#define EMBER_ABI_VERSION 2u

#if defined(_WIN32)
#define EMBER_PLUGIN_EXPORT __declspec(dllexport)
#else
#define EMBER_PLUGIN_EXPORT __attribute__((visibility("default")))
#endif

typedef enum ember_status {
  EMBER_OK = 0,
  EMBER_ERR_INVALID_ARGUMENT = 1, /* the call's arguments are wrong */
  EMBER_ERR_UNSUPPORTED = 2,      /* this kernel declines this case (dtype, shape) */
  EMBER_ERR_OUT_OF_MEMORY = 3,    /* allocation failed; the core may free caches and retry */
  EMBER_ERR_DEVICE = 4,           /* the driver or device failed */
  EMBER_ERR_INTERNAL = 5
} ember_status;

/* Values equal to ember::Dtype's. */
typedef enum ember_dtype {
  EMBER_DTYPE_FLOAT32 = 0,
  EMBER_DTYPE_FLOAT64 = 1,
  EMBER_DTYPE_INT32 = 2,
  EMBER_DTYPE_INT64 = 3,
  EMBER_DTYPE_BOOL = 4,
  EMBER_DTYPE_UINT8 = 5,
  EMBER_DTYPE_FLOAT16 = 6,
  EMBER_DTYPE_BFLOAT16 = 7,
  EMBER_DTYPE_COUNT = 8
} ember_dtype;

/* A device as the core names it to a plugin: `type` is the id the core gave
 * the plugin's device type at registration, `index` the device's ordinal. */
typedef struct ember_device {
  int32_t type;
  int32_t index;
} ember_device;

/* A strided view of device memory. `data` is the storage's base pointer (or
 * handle); the first element is at `offset` elements past it. Sizes and
 * strides count elements; a stride may be 0 (broadcast). */
typedef struct ember_tensor {
  void* data;
  int64_t offset;
  const int64_t* sizes;
  const int64_t* strides;
  int32_t ndim;
  int32_t dtype; /* ember_dtype */
  ember_device device;
} ember_tensor;

typedef enum ember_scalar_kind {
  EMBER_SCALAR_DOUBLE = 0,
  EMBER_SCALAR_INT64 = 1,
  EMBER_SCALAR_BOOL = 2
} ember_scalar_kind;

typedef struct ember_scalar {
  int32_t kind; /* ember_scalar_kind */
  double d;
  int64_t i;
} ember_scalar;

/* The ops a backend can implement: the primitives, the set that runs all of
 * Ember, then composites that a backend may accelerate.
 * Semantics of each (inputs, outputs, scalars, ints) are in
 * docs/writing-a-backend.md and sdk/include/ember/sdk/ops.h. Append only. */
typedef enum ember_op {
  /* unary elementwise: in[0] -> out[0], same shape; out dtype per op */
  EMBER_OP_NEG = 0,
  EMBER_OP_ABS,
  EMBER_OP_EXP,
  EMBER_OP_LOG,
  EMBER_OP_SQRT,
  EMBER_OP_RSQRT,
  EMBER_OP_SIN,
  EMBER_OP_COS,
  EMBER_OP_TANH,
  EMBER_OP_SIGMOID,
  EMBER_OP_RELU,
  EMBER_OP_SIGN,
  EMBER_OP_FLOOR,
  EMBER_OP_CEIL,
  EMBER_OP_ROUND,
  EMBER_OP_TRUNC,
  EMBER_OP_LOGICAL_NOT,
  EMBER_OP_CLAMP, /* scalars: min, max; ints: has_min, has_max */
  /* binary elementwise: in[0], in[1] (already broadcast to out's shape and
   * cast to one compute dtype) -> out[0] */
  EMBER_OP_ADD, /* scalars[0] = alpha: out = a + alpha * b */
  EMBER_OP_SUB, /* scalars[0] = alpha: out = a - alpha * b */
  EMBER_OP_MUL,
  EMBER_OP_DIV,
  EMBER_OP_POW,
  EMBER_OP_MAXIMUM,
  EMBER_OP_MINIMUM,
  EMBER_OP_EQ, /* comparisons write a bool out[0] */
  EMBER_OP_NE,
  EMBER_OP_LT,
  EMBER_OP_LE,
  EMBER_OP_GT,
  EMBER_OP_GE,
  EMBER_OP_LOGICAL_AND,
  EMBER_OP_LOGICAL_OR,
  EMBER_OP_LOGICAL_XOR,
  /* ternary: in[0] bool condition, in[1], in[2] -> out[0] */
  EMBER_OP_WHERE,
  /* reductions: in[0] -> out[0] (and out[1] for indices). out is given with
   * in's rank, stride 0 along every reduced dim. */
  EMBER_OP_SUM,
  EMBER_OP_PROD,
  EMBER_OP_AMAX,
  EMBER_OP_AMIN,
  EMBER_OP_ALL,
  EMBER_OP_ANY,
  EMBER_OP_MAX_DIM, /* ints[0] = dim: out[0] values, out[1] int64 indices */
  EMBER_OP_MIN_DIM,
  /* linear algebra: in[0] (B,M,K) x in[1] (B,K,N) -> out[0] (B,M,N) */
  EMBER_OP_BMM,
  /* data movement */
  EMBER_OP_COPY,  /* in[0] -> out[0], same shape, casting dtype */
  EMBER_OP_FILL,  /* scalars[0] -> out[0] */
  EMBER_OP_ARANGE, /* out[0][i] = scalars[0] + i * scalars[1] (1-d) */
  EMBER_OP_INDEX_SELECT, /* in[0] src, in[1] int64 index (1-d); ints[0] = dim */
  EMBER_OP_GATHER,       /* in[0] src, in[1] int64 index; ints[0] = dim */
  EMBER_OP_SCATTER_ADD,  /* out[0] (in place) += in[1] src at in[0] index; ints[0] = dim */
  /* random fill, from the device's generator */
  EMBER_OP_UNIFORM,   /* out[0] ~ U[scalars[0], scalars[1]) */
  EMBER_OP_NORMAL,    /* out[0] ~ N(scalars[0], scalars[1]) */
  EMBER_OP_RANDINT,   /* out[0] ~ integers in [scalars[0], scalars[1]) */
  EMBER_OP_BERNOULLI, /* out[0] ~ Bernoulli(scalars[0]) */
  EMBER_OP_RANDPERM,  /* out[0] (1-d, int) = a random permutation of 0..n-1 */
  /* Overridable composites: the core composes these from the primitives
   * above unless the device registers a kernel (no CPU fallback needed). */
  EMBER_OP_SOFTMAX,     /* in[0] -> out[0] (same shape, floating); ints[0] = dim */
  EMBER_OP_LOG_SOFTMAX, /* in[0] -> out[0]; ints[0] = dim */

  /* primitives: 2-d windows over (N, C, H, W). ints = kh, kw, stride_h,
   * stride_w, pad_h, pad_w, dilation_h, dilation_w, then out_h, out_w (the
   * window positions along each axis). A tap outside the image reads 0. */
  EMBER_OP_IM2COL,     /* in[0] (N, C, H, W) -> out[0] (N, C*kh*kw, out_h*out_w) */
  EMBER_OP_COL2IM,     /* in[0] (N, C*kh*kw, out_h*out_w) -> out[0] (N, C, H, W), summing overlaps */
  EMBER_OP_MAX_POOL2D, /* in[0] (N, C, H, W) -> out[0] (N, C, out_h, out_w) maxima, out[1] int64
                        * indices into each H*W plane; a nan is the maximum */

  /* composites a backend may fuse (the core composes them from im2col,
   * col2im and bmm otherwise): 2-d convolution, ints = the 10 window ints
   * then groups; contiguous operands. */
  EMBER_OP_CONV2D,                 /* in[0] x (N, C, H, W), in[1] weight (O, C/groups, kh, kw) -> out[0] (N, O, out_h, out_w) */
  EMBER_OP_CONV2D_BACKWARD_INPUT,  /* in[0] grad (N, O, out_h, out_w), in[1] weight -> out[0] grad of x (N, C, H, W) */
  EMBER_OP_CONV2D_BACKWARD_WEIGHT, /* in[0] grad (N, O, out_h, out_w), in[1] x -> out[0] grad of weight */

  /* more composites a backend may fuse; contiguous operands */
  EMBER_OP_ADDMM, /* linear: in[0] x (M, K), in[1] weight (N, K), in[2] bias (N) -> out[0] (M, N) = x weight^T + bias */
  EMBER_OP_LAYER_NORM, /* in[0] x (M, N), then in[1] weight (N) if ints[0], then bias (N) if ints[1];
                        * scalars[0] = eps -> out[0] y (M, N), out[1] mean (M), out[2] rstd (M) = 1/sqrt(var + eps),
                        * var biased; mean and rstd in x's dtype */
  EMBER_OP_LAYER_NORM_BACKWARD, /* in[0] grad of y (M, N), in[1] x, in[2] mean, in[3] rstd, then in[4] weight (N)
                                 * if ints[0] -> out[0] grad of x (M, N) */
  EMBER_OP_ADAM_STEP, /* Adam's update of one parameter, in place: in[0] param, in[1] grad, in[2] exp_avg,
                       * in[3] exp_avg_sq (one shape and floating dtype, contiguous, sharing no memory) -> out[0]
                       * param, out[1] exp_avg, out[2] exp_avg_sq (the same tensors as in[0], in[2], in[3]); scalars = beta1,
                       * beta2, step_size (lr / bias_correction1), bias_correction2_sqrt, eps; per element:
                       *   exp_avg = exp_avg * beta1 + (1 - beta1) * grad
                       *   exp_avg_sq = exp_avg_sq * beta2 + (grad * (1 - beta2)) * grad
                       *   param = param - step_size * exp_avg / (sqrt(exp_avg_sq) / bias_correction2_sqrt + eps) */
  EMBER_OP_COUNT
} ember_op;

/* One call of a kernel. Outputs are allocated by the core; a kernel only
 * writes them. `queue` is the device's queue as returned by the device API. */
typedef struct ember_op_call {
  uint32_t struct_size;
  int32_t op; /* ember_op */
  int32_t num_inputs;
  int32_t num_outputs;
  const ember_tensor* inputs;
  const ember_tensor* outputs;
  int32_t num_scalars;
  int32_t num_ints;
  const ember_scalar* scalars;
  const int64_t* ints;
  void* queue;
  char* error; /* a kernel writes a message here when it fails */
  size_t error_capacity;
} ember_op_call;

typedef int32_t (*ember_kernel_fn)(const ember_op_call* call);

/* What a plugin provides for each device type it adds. Optional slots may be
 * null: the core then falls back (copies through host memory) or reports the
 * feature as unsupported. */
typedef struct ember_device_api {
  uint32_t struct_size;
  const char* type_name; /* "cpu", "opencl", ... */
  /* non-zero when data pointers of this device are host addresses */
  int32_t host_accessible;
  int32_t (*device_count)(void);
  /* a human description of device `index` ("PoCL, 2 compute units") */
  const char* (*device_name)(int32_t index);
  int32_t (*allocate)(int32_t index, size_t nbytes, void** out, char* err, size_t cap);
  void (*deallocate)(int32_t index, void* ptr);
  /* copies in bytes; offsets are from the start of the allocation */
  int32_t (*copy_to_host)(int32_t index, const void* src, size_t src_offset, void* dst, size_t nbytes, char* err,
                          size_t cap);
  int32_t (*copy_from_host)(int32_t index, const void* src, void* dst, size_t dst_offset, size_t nbytes, char* err,
                            size_t cap);
  int32_t (*synchronize)(int32_t index, char* err, size_t cap); /* optional */
  void* (*queue)(int32_t index);                                 /* optional */
  void (*manual_seed)(int32_t index, uint64_t seed);             /* optional */
  void (*set_num_threads)(int32_t n);                            /* optional */
  int32_t (*get_num_threads)(void);                              /* optional */
} ember_device_api;

/* What the core gives a plugin while it registers. `registrar` is an opaque
 * token to pass back. */
typedef struct ember_host_api {
  uint32_t struct_size;
  uint32_t abi_version;
  int32_t (*register_device_type)(void* registrar, const ember_device_api* api, int32_t* type_id_out, char* err,
                                  size_t cap);
  int32_t (*register_kernel)(void* registrar, int32_t op, int32_t device_type, ember_kernel_fn fn, char* err,
                             size_t cap);
  /* Adds an op the core does not have, callable as ember::call_op(name, ...).
   * Its outputs are shaped and typed like its first input. The plugin then
   * registers its kernels (for any device type) with register_kernel. */
  int32_t (*register_op)(void* registrar, const char* name, int32_t num_inputs, int32_t num_outputs,
                         int32_t* op_out, char* err, size_t cap);
  /* A backward kernel. For an op this plugin added (`name` as registered):
   * its formula, on `device_type` or on every device (-1). For a built-in
   * op, named by its node ("ReluBackward0"): this device type's own backward,
   * used instead of the core's formula. The call's inputs are the gradients
   * of the outputs, then the saved tensors (a custom op saves its inputs, then
   * its outputs; a built-in op what docs/writing-a-backend.md lists); its
   * outputs are the gradients of the inputs, allocated like the inputs. */
  int32_t (*register_backward)(void* registrar, const char* name, int32_t device_type, ember_kernel_fn fn,
                               char* err, size_t cap);
} ember_host_api;

typedef struct ember_plugin_info {
  uint32_t struct_size;
  uint32_t abi_min; /* the oldest core ABI this plugin works with */
  uint32_t abi_max; /* the newest */
  const char* name;
  const char* version;
  /* EMBER_OK when the hardware and drivers are usable; else a reason */
  int32_t (*probe)(char* reason, size_t cap);
  int32_t (*register_plugin)(const ember_host_api* host, void* registrar, char* err, size_t cap);
} ember_plugin_info;

typedef const ember_plugin_info* (*ember_plugin_entry_fn)(void);

#define EMBER_PLUGIN_ENTRY_SYMBOL "ember_plugin_entry"

#ifdef __cplusplus
}
#endif

#endif /* EMBER_SDK_ABI_H */
