// Elementwise kernels: unary (in[0] -> out[0]), binary and comparisons
// (in[0] ∘ in[1] -> out[0]; the inputs share one compute dtype and out's
// shape, broadcast dims have stride 0), logical_not and where.
//
// One kernel per dtype, with the op as a (warp-uniform) argument: eight
// instantiations per family instead of one per (op, dtype), which keeps nvcc
// quick. Which ops a dtype has mirrors the CPU backend: an op the CPU rejects
// for a dtype is declined here too, and the CPU then says why. float16 and
// bfloat16 compute in float and round once, as the CPU does.
#include "device.cuh"

namespace ember::cuda {
namespace {

// ---- the dense fast path ----
// Most elementwise work is dense: operands contiguous (or one value
// broadcast everywhere) and aligned. Those kernels move kVec elements per
// load and store (16 bytes for float32) and skip the strided offset
// arithmetic; the floating dtypes only, to keep the instantiations few.
constexpr int kVec = 4;
template <typename T>
struct alignas(sizeof(T) * kVec) Vec {
  T v[kVec];
};

// Operand k of a 1-d geometry: dense (stride 1), or one value (stride 0).
struct Dense {
  bool ok = false;
  bool broadcast[kMaxOperands] = {};
};
Dense dense(const Geometry& g, std::initializer_list<const ember_tensor*> ops) {
  Dense d;
  if (g.ndim != 1 || g.numel < kVec) return d;
  int k = 0;
  for (const ember_tensor* t : ops) {
    const int64_t stride = g.strides[k][0];
    const bool bcast = stride == 0 && k > 0;  // the output is never broadcast
    if (!bcast && stride != 1) return d;
    const uintptr_t address = reinterpret_cast<uintptr_t>(t->data) + uintptr_t(g.offsets[k] * sdk::dtype_size(t->dtype));
    if (!bcast && address % (uintptr_t(sdk::dtype_size(t->dtype)) * kVec) != 0) return d;
    d.broadcast[k++] = bcast;
  }
  d.ok = true;
  return d;
}

template <typename T>
__device__ __forceinline__ Vec<T> load_vec(const T* p, int64_t offset, int64_t v, bool broadcast) {
  Vec<T> r;
  if (broadcast) {
    const T x = p[offset];
#pragma unroll
    for (int k = 0; k < kVec; ++k) r.v[k] = x;
  } else {
    r = reinterpret_cast<const Vec<T>*>(p + offset)[v];
  }
  return r;
}

// ---- unary ----

template <typename T>
__device__ __forceinline__ compute_t<T> unary_op(int op, compute_t<T> x, compute_t<T> lo, compute_t<T> hi,
                                                 bool has_lo, bool has_hi) {
  using C = compute_t<T>;
  if constexpr (std::is_same_v<T, bool>) {
    return x;  // sign, floor, ceil, round, trunc (the host declines the rest)
  } else if constexpr (std::is_integral_v<T>) {
    switch (op) {
      case EMBER_OP_NEG: return C(-x);
      case EMBER_OP_ABS:
        if constexpr (std::is_signed_v<T>) return x < 0 ? C(-x) : x;
        else return x;
      case EMBER_OP_RELU: return x > 0 ? x : C(0);
      case EMBER_OP_SIGN:
        if constexpr (std::is_signed_v<T>) return C((x > 0) - (x < 0));
        else return C(x > 0);
      case EMBER_OP_CLAMP:
        if (has_lo && x < lo) x = lo;
        if (has_hi && x > hi) x = hi;
        return x;
      default: return x;  // floor, ceil, round, trunc
    }
  } else {
    switch (op) {
      case EMBER_OP_NEG: return -x;
      case EMBER_OP_ABS: return fabs(x);
      case EMBER_OP_EXP: return exp(x);
      case EMBER_OP_LOG: return log(x);
      case EMBER_OP_SQRT: return sqrt(x);
      case EMBER_OP_RSQRT: return C(1) / sqrt(x);
      case EMBER_OP_SIN: return sin(x);
      case EMBER_OP_COS: return cos(x);
      case EMBER_OP_TANH: return tanh(x);
      case EMBER_OP_SIGMOID: return C(1) / (C(1) + exp(-x));
      case EMBER_OP_RELU: return x < C(0) ? C(0) : x;  // keeps nan, as PyTorch
      case EMBER_OP_SIGN: return C((x > C(0)) - (x < C(0)));
      case EMBER_OP_FLOOR: return floor(x);
      case EMBER_OP_CEIL: return ceil(x);
      case EMBER_OP_ROUND: return rint(x);  // half to even, as PyTorch
      case EMBER_OP_TRUNC: return trunc(x);
      case EMBER_OP_CLAMP:
        // nan stays nan; min then max, as PyTorch (and std::max / std::min)
        if (isnan(x)) return x;
        if (has_lo) x = x < lo ? lo : x;
        if (has_hi) x = hi < x ? hi : x;
        return x;
      default: return x;
    }
  }
}

template <typename T>
__global__ void unary_kernel(int op, T* out, const T* in, Geometry g, compute_t<T> lo, compute_t<T> hi, bool has_lo,
                             bool has_hi) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    out[at(g, 0, i)] = to_storage<T>(unary_op<T>(op, load(in[at(g, 1, i)]), lo, hi, has_lo, has_hi));
  }
}

template <typename T>
__global__ void unary_dense_kernel(int op, T* out, const T* in, int64_t out_off, int64_t in_off, int64_t n,
                                   bool in_bcast, compute_t<T> lo, compute_t<T> hi, bool has_lo, bool has_hi) {
  const int64_t vectors = n / kVec, step = int64_t(gridDim.x) * blockDim.x;
  const int64_t first = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  for (int64_t v = first; v < vectors; v += step) {
    const Vec<T> x = load_vec(in, in_off, v, in_bcast);
    Vec<T> y;
#pragma unroll
    for (int k = 0; k < kVec; ++k) y.v[k] = to_storage<T>(unary_op<T>(op, load(x.v[k]), lo, hi, has_lo, has_hi));
    reinterpret_cast<Vec<T>*>(out + out_off)[v] = y;
  }
  for (int64_t i = vectors * kVec + first; i < n; i += step)
    out[out_off + i] = to_storage<T>(unary_op<T>(op, load(in[in_off + (in_bcast ? 0 : i)]), lo, hi, has_lo, has_hi));
}

bool unary_defined(int32_t op, int32_t dtype) {
  switch (dtype) {
    case EMBER_DTYPE_FLOAT32:
    case EMBER_DTYPE_FLOAT64:
    case EMBER_DTYPE_FLOAT16:
    case EMBER_DTYPE_BFLOAT16: return true;
    default: break;
  }
  switch (op) {
    case EMBER_OP_SIGN:
    case EMBER_OP_FLOOR:
    case EMBER_OP_CEIL:
    case EMBER_OP_ROUND:
    case EMBER_OP_TRUNC: return true;
    case EMBER_OP_NEG:
    case EMBER_OP_ABS:
    case EMBER_OP_RELU:
    case EMBER_OP_CLAMP: return dtype != EMBER_DTYPE_BOOL;
    default: return false;
  }
}

// A clamp bound as the CPU reads it: T(compute_t<T>(value)).
template <typename T>
compute_t<T> bound(const ember_scalar& s) {
  using C = compute_t<T>;
  if constexpr (std::is_same_v<T, bool>) return false;
  else return s.kind == EMBER_SCALAR_DOUBLE ? C(s.d) : C(s.i);
}

EMBER_KERNEL(unary_entry) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  const int32_t op = call.op;
  if (in.dtype != out.dtype) sdk::fail(std::string(sdk::op_name(op)) + ": input and output dtypes differ");
  if (!unary_defined(op, out.dtype))
    sdk::unsupported(std::string(sdk::op_name(op)) + " is not defined for " + sdk::dtype_name(out.dtype));
  const Geometry g = make_geometry({&out, &in});
  if (g.numel == 0) return;
  Device& dev = device_of(call);
  const bool clamp = op == EMBER_OP_CLAMP;
  dispatch(out.dtype, [&]<typename T>() {
    const compute_t<T> lo = clamp ? bound<T>(call.scalars[0]) : compute_t<T>(0);
    const compute_t<T> hi = clamp ? bound<T>(call.scalars[1]) : compute_t<T>(0);
    const bool has_lo = clamp && call.ints[0], has_hi = clamp && call.ints[1];
    if constexpr (is_floating_v<T>) {
      if (const Dense d = dense(g, {&out, &in}); d.ok) {
        const Launch l = launch_for(dev, g.numel / kVec);
        unary_dense_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(
            op, ptr<T>(out), ptr<T>(in), g.offsets[0], g.offsets[1], g.numel, d.broadcast[1], lo, hi, has_lo, has_hi);
        check_launch("unary_dense_kernel");
        return;
      }
    }
    const Launch l = launch_for(dev, g.numel);
    unary_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(op, ptr<T>(out), ptr<T>(in), g, lo, hi, has_lo, has_hi);
    check_launch("unary_kernel");
  });
}

// logical_not reads any dtype and writes bool.
template <typename T>
__global__ void logical_not_kernel(bool* out, const T* in, Geometry g) {
  EMBER_CUDA_FOR_EACH(i, g.numel) { out[at(g, 0, i)] = load(in[at(g, 1, i)]) == compute_t<T>(0); }
}

EMBER_KERNEL(logical_not_entry) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  if (out.dtype != EMBER_DTYPE_BOOL) sdk::fail("logical_not writes bool");
  const Geometry g = make_geometry({&out, &in});
  if (g.numel == 0) return;
  Device& dev = device_of(call);
  dispatch(in.dtype, [&]<typename T>() {
    const Launch l = launch_for(dev, g.numel);
    logical_not_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<bool>(out), ptr<T>(in), g);
    check_launch("logical_not_kernel");
  });
}

// ---- binary ----

template <typename C>
__device__ __forceinline__ C int_pow(C base, C e) {
  if constexpr (std::is_signed_v<C>) {
    if (e < 0) return base == C(1) ? C(1) : (base == C(-1) ? ((e & 1) ? base : C(1)) : C(0));
  }
  C r = 1;
  while (e) {
    if (e & 1) r = C(r * base);
    e >>= 1;
    base = C(base * base);
  }
  return r;
}

// Arithmetic ops: out = a op b in the compute type.
template <typename T>
__device__ __forceinline__ compute_t<T> arith_op(int op, compute_t<T> a, compute_t<T> b, compute_t<T> alpha) {
  using C = compute_t<T>;
  if constexpr (std::is_same_v<T, bool>) {
    switch (op) {
      case EMBER_OP_ADD: return a || (b && alpha);
      case EMBER_OP_MUL: return a && b;
      case EMBER_OP_POW: return b ? a : true;
      case EMBER_OP_MAXIMUM: return a || b;
      default: return a && b;  // minimum
    }
  } else if constexpr (std::is_integral_v<T>) {
    switch (op) {
      case EMBER_OP_ADD: return C(a + alpha * b);
      case EMBER_OP_SUB: return C(a - alpha * b);
      case EMBER_OP_MUL: return C(a * b);
      case EMBER_OP_POW: return int_pow<C>(a, b);
      case EMBER_OP_MAXIMUM: return a > b ? a : b;
      default: return a < b ? a : b;  // minimum
    }
  } else {
    switch (op) {
      case EMBER_OP_ADD: return a + alpha * b;
      case EMBER_OP_SUB: return a - alpha * b;
      case EMBER_OP_MUL: return a * b;
      case EMBER_OP_DIV: return a / b;
      case EMBER_OP_POW: return b == C(2) ? a * a : pow(a, b);
      // nan propagates
      case EMBER_OP_MAXIMUM: return isnan(a) || isnan(b) ? C(NAN) : (a > b ? a : b);
      default: return isnan(a) || isnan(b) ? C(NAN) : (a < b ? a : b);  // minimum
    }
  }
}

template <typename T>
__global__ void arith_kernel(int op, T* out, const T* A, const T* B, Geometry g, compute_t<T> alpha) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    out[at(g, 0, i)] = to_storage<T>(arith_op<T>(op, load(A[at(g, 1, i)]), load(B[at(g, 2, i)]), alpha));
  }
}

template <typename T>
__global__ void arith_dense_kernel(int op, T* out, const T* A, const T* B, int64_t out_off, int64_t a_off,
                                   int64_t b_off, int64_t n, bool a_bcast, bool b_bcast, compute_t<T> alpha) {
  const int64_t vectors = n / kVec, step = int64_t(gridDim.x) * blockDim.x;
  const int64_t first = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;
  for (int64_t v = first; v < vectors; v += step) {
    const Vec<T> a = load_vec(A, a_off, v, a_bcast), b = load_vec(B, b_off, v, b_bcast);
    Vec<T> y;
#pragma unroll
    for (int k = 0; k < kVec; ++k) y.v[k] = to_storage<T>(arith_op<T>(op, load(a.v[k]), load(b.v[k]), alpha));
    reinterpret_cast<Vec<T>*>(out + out_off)[v] = y;
  }
  for (int64_t i = vectors * kVec + first; i < n; i += step)
    out[out_off + i] = to_storage<T>(
        arith_op<T>(op, load(A[a_off + (a_bcast ? 0 : i)]), load(B[b_off + (b_bcast ? 0 : i)]), alpha));
}

template <typename C>
__device__ __forceinline__ bool compare_op(int op, C a, C b) {
  switch (op) {
    case EMBER_OP_EQ: return a == b;
    case EMBER_OP_NE: return a != b;
    case EMBER_OP_LT: return a < b;
    case EMBER_OP_LE: return a <= b;
    case EMBER_OP_GT: return a > b;
    case EMBER_OP_GE: return a >= b;
    case EMBER_OP_LOGICAL_AND: return a != C(0) && b != C(0);
    case EMBER_OP_LOGICAL_OR: return a != C(0) || b != C(0);
    default: return (a != C(0)) != (b != C(0));  // logical_xor
  }
}

template <typename T>
__global__ void compare_kernel(int op, bool* out, const T* A, const T* B, Geometry g) {
  EMBER_CUDA_FOR_EACH(i, g.numel) {
    out[at(g, 0, i)] = compare_op<compute_t<T>>(op, load(A[at(g, 1, i)]), load(B[at(g, 2, i)]));
  }
}

bool binary_defined(int32_t op, int32_t dtype) {
  const bool floating = dtype == EMBER_DTYPE_FLOAT32 || dtype == EMBER_DTYPE_FLOAT64 ||
                        dtype == EMBER_DTYPE_FLOAT16 || dtype == EMBER_DTYPE_BFLOAT16;
  // Integer division by zero must raise, which a kernel cannot: the CPU does it.
  if (op == EMBER_OP_DIV) return floating;
  if (op == EMBER_OP_SUB) return dtype != EMBER_DTYPE_BOOL;
  return true;
}

template <typename T>
compute_t<T> alpha_of(const ember_op_call& call) {
  using C = compute_t<T>;
  if (call.num_scalars == 0) return C(1);
  const ember_scalar& s = call.scalars[0];
  if constexpr (std::is_same_v<T, bool>) return s.kind == EMBER_SCALAR_DOUBLE ? s.d != 0 : s.i != 0;
  else return s.kind == EMBER_SCALAR_DOUBLE ? C(s.d) : C(s.i);
}

EMBER_KERNEL(binary_entry) {
  const ember_tensor &a = call.inputs[0], &b = call.inputs[1], &out = call.outputs[0];
  const int32_t op = call.op;
  const bool compare = op >= EMBER_OP_EQ && op <= EMBER_OP_LOGICAL_XOR;
  if (a.dtype != b.dtype) sdk::fail(std::string(sdk::op_name(op)) + ": the inputs must share one dtype");
  if (out.dtype != (compare ? int32_t(EMBER_DTYPE_BOOL) : a.dtype))
    sdk::fail(std::string(sdk::op_name(op)) + ": unexpected output dtype");
  if (!binary_defined(op, a.dtype))
    sdk::unsupported(std::string(sdk::op_name(op)) + " on " + sdk::dtype_name(a.dtype) + " runs on the CPU");
  const Geometry g = make_geometry({&out, &a, &b});
  if (g.numel == 0) return;
  Device& dev = device_of(call);
  const Launch l = launch_for(dev, g.numel);
  dispatch(a.dtype, [&]<typename T>() {
    if (compare) {
      compare_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(op, ptr<bool>(out), ptr<T>(a), ptr<T>(b), g);
      check_launch("compare_kernel");
    } else {
      if constexpr (is_floating_v<T>) {
        if (const Dense d = dense(g, {&out, &a, &b}); d.ok) {
          const Launch lv = launch_for(dev, g.numel / kVec);
          arith_dense_kernel<T><<<lv.blocks, lv.threads, 0, dev.stream>>>(
              op, ptr<T>(out), ptr<T>(a), ptr<T>(b), g.offsets[0], g.offsets[1], g.offsets[2], g.numel,
              d.broadcast[1], d.broadcast[2], alpha_of<T>(call));
          check_launch("arith_dense_kernel");
          return;
        }
      }
      arith_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(op, ptr<T>(out), ptr<T>(a), ptr<T>(b), g,
                                                               alpha_of<T>(call));
      check_launch("arith_kernel");
    }
  });
}

// ---- where ----

// Elements are moved as bytes of their size: where needs no arithmetic.
template <typename T>
__global__ void where_kernel(T* out, const bool* cond, const T* A, const T* B, Geometry g) {
  EMBER_CUDA_FOR_EACH(i, g.numel) { out[at(g, 0, i)] = cond[at(g, 1, i)] ? A[at(g, 2, i)] : B[at(g, 3, i)]; }
}

EMBER_KERNEL(where_entry) {
  const ember_tensor &cond = call.inputs[0], &a = call.inputs[1], &b = call.inputs[2], &out = call.outputs[0];
  if (cond.dtype != EMBER_DTYPE_BOOL) sdk::fail("where: the condition must be bool");
  if (a.dtype != out.dtype || b.dtype != out.dtype) sdk::fail("where: the values must have the output's dtype");
  const Geometry g = make_geometry({&out, &cond, &a, &b});
  if (g.numel == 0) return;
  Device& dev = device_of(call);
  const Launch l = launch_for(dev, g.numel);
  dispatch_bytes(sdk::dtype_size(out.dtype), [&]<typename U>() {
    where_kernel<U><<<l.blocks, l.threads, 0, dev.stream>>>(ptr<U>(out), ptr<bool>(cond), ptr<U>(a), ptr<U>(b), g);
    check_launch("where_kernel");
  });
}

}  // namespace

void register_unary_kernels(sdk::Registrar& r, int32_t type) {
  for (int32_t op : {EMBER_OP_NEG, EMBER_OP_ABS, EMBER_OP_EXP, EMBER_OP_LOG, EMBER_OP_SQRT, EMBER_OP_RSQRT,
                     EMBER_OP_SIN, EMBER_OP_COS, EMBER_OP_TANH, EMBER_OP_SIGMOID, EMBER_OP_RELU, EMBER_OP_SIGN,
                     EMBER_OP_FLOOR, EMBER_OP_CEIL, EMBER_OP_ROUND, EMBER_OP_TRUNC, EMBER_OP_CLAMP})
    r.kernel(op, type, unary_entry);
  r.kernel(EMBER_OP_LOGICAL_NOT, type, logical_not_entry);
}

void register_binary_kernels(sdk::Registrar& r, int32_t type) {
  for (int32_t op = EMBER_OP_ADD; op <= EMBER_OP_LOGICAL_XOR; ++op) r.kernel(op, type, binary_entry);
  r.kernel(EMBER_OP_WHERE, type, where_entry);
}

}  // namespace ember::cuda
