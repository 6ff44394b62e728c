// Reductions. The output arrives at the input's rank with stride 0 along the
// reduced dims. One work item folds one output's slice; when there are few
// outputs and long slices, the slices are cut into fixed chunks whose partial
// results a second kernel combines in order — so results never depend on
// scheduling. Float sums accumulate in double where the device has fp64, as
// the CPU backend does.
#include <cctype>

#include "context.h"

namespace ember::opencl {
namespace {

// Kept dims (the output varies along them) and reduced dims, coalesced;
// strides in elements. out2 is max_dim/min_dim's index output.
struct ReduceGeometry {
  int64_t nk, nr, outputs, count, in_offset, out_offset, out2_offset;
  int64_t k_sizes[kMaxDims], k_in[kMaxDims], k_out[kMaxDims], k_out2[kMaxDims];
  int64_t r_sizes[kMaxDims], r_in[kMaxDims];
};
static_assert(sizeof(ReduceGeometry) <= 1024, "kernel arguments may be at most 1 KiB on some devices");

const char* const kReduceBody = R"CL(
typedef struct {
  long nk, nr, outputs, count, in_offset, out_offset, out2_offset;
  long k_sizes[MAX_DIMS], k_in[MAX_DIMS], k_out[MAX_DIMS], k_out2[MAX_DIMS];
  long r_sizes[MAX_DIMS], r_in[MAX_DIMS];
} ReduceGeometry;

/* Offsets of the o-th output: into the input, the output and the indices. */
inline void kept_offsets(const ReduceGeometry* g, long o, long* oi, long* oo, long* oo2) {
  *oi = g->in_offset;
  *oo = g->out_offset;
  *oo2 = g->out2_offset;
  for (int d = (int)g->nk - 1; d >= 0; --d) {
    const long c = o % g->k_sizes[d];
    o /= g->k_sizes[d];
    *oi += c * g->k_in[d];
    *oo += c * g->k_out[d];
    *oo2 += c * g->k_out2[d];
  }
}
/* Offset of the j-th element of a slice, relative to the slice's start. */
inline long reduced_offset(const ReduceGeometry* g, long j) {
  long o = 0;
  for (int d = (int)g->nr - 1; d >= 0; --d) {
    const long c = j % g->r_sizes[d];
    j /= g->r_sizes[d];
    o += c * g->r_in[d];
  }
  return o;
}

#define STORE_BOOL(p, i, v) ((p)[i] = (uchar)(v))
/* Sums and products of floats (half types too) accumulate in double where the
   device has it, as the CPU does; extremes in T_C. */
#if defined(OP_SUM) || defined(OP_PROD)
#  if defined(T_FLOAT) && defined(HAS_FP64)
typedef double ACC;
#  elif defined(T_FLOAT)
typedef T_C ACC;
#  else
typedef long ACC;
#  endif
#  define OUT T
#  define STORE_OUT STORE_T
#  if defined(OP_SUM)
#    define IDENTITY ((ACC)0)
#    define STEP(acc, v) ((acc) + (ACC)(v))
#  else
#    define IDENTITY ((ACC)1)
#    define STEP(acc, v) ((acc) * (ACC)(v))
#  endif
#  define COMBINE(a, b) STEP(a, b)
#elif defined(OP_AMAX) || defined(OP_AMIN)
typedef T_C ACC;
#  define OUT T
#  define STORE_OUT STORE_T
#  if defined(T_FLOAT)
#    if defined(OP_AMAX)
#      define IDENTITY ((ACC)-INFINITY)
#      define BETTER(v, acc) ((v) > (acc))
#    else
#      define IDENTITY ((ACC)INFINITY)
#      define BETTER(v, acc) ((v) < (acc))
#    endif
/* nan propagates */
#    define STEP(acc, v) (isnan(acc) ? (acc) : (isnan(v) ? (v) : (BETTER(v, acc) ? (v) : (acc))))
#  else
#    if defined(OP_AMAX)
#      define IDENTITY T_LOWEST
#      define BETTER(v, acc) ((v) > (acc))
#    else
#      define IDENTITY T_HIGHEST
#      define BETTER(v, acc) ((v) < (acc))
#    endif
#    define STEP(acc, v) (BETTER(v, acc) ? (v) : (acc))
#  endif
#  define COMBINE(a, b) STEP(a, b)
#elif defined(OP_ALL)
typedef uchar ACC;
#  define OUT uchar
#  define STORE_OUT STORE_BOOL
#  define IDENTITY ((ACC)1)
#  define STEP(acc, v) ((ACC)((acc) && (v) != (T_C)0))
#  define COMBINE(a, b) ((ACC)((a) && (b)))
#elif defined(OP_ANY)
typedef uchar ACC;
#  define OUT uchar
#  define STORE_OUT STORE_BOOL
#  define IDENTITY ((ACC)0)
#  define STEP(acc, v) ((ACC)((acc) || (v) != (T_C)0))
#  define COMBINE(a, b) ((ACC)((a) || (b)))
#endif

#if defined(OP_SUM) || defined(OP_PROD) || defined(OP_AMAX) || defined(OP_AMIN) || defined(OP_ALL) || defined(OP_ANY)
/* Work item w folds chunk w % chunks of output w / chunks. With one chunk it
   writes the output; else its partial result, which op_combine folds. */
__kernel void op_reduce(__global OUT* out, __global const T* in, ReduceGeometry g, long chunks, long chunk_len,
                        __global ACC* partial) {
  FOR_EACH(w, g.outputs * chunks) {
    const long o = w / chunks, c = w % chunks;
    long oi, oo, unused;
    kept_offsets(&g, o, &oi, &oo, &unused);
    const long begin = c * chunk_len, end = min(g.count, begin + chunk_len);
    ACC acc = IDENTITY;
    if (g.nr == 1 && g.r_in[0] == 1) {
      for (long j = begin; j < end; ++j) acc = STEP(acc, LOAD_T(in, oi + j));
    } else {
      for (long j = begin; j < end; ++j) acc = STEP(acc, LOAD_T(in, oi + reduced_offset(&g, j)));
    }
    if (chunks == 1) STORE_OUT(out, oo, acc);
    else partial[w] = acc;
  }
}
__kernel void op_combine(__global OUT* out, __global const ACC* partial, ReduceGeometry g, long chunks) {
  FOR_EACH(o, g.outputs) {
    long oi, oo, unused;
    kept_offsets(&g, o, &oi, &oo, &unused);
    ACC acc = IDENTITY;
    for (long c = 0; c < chunks; ++c) acc = COMBINE(acc, partial[o * chunks + c]);
    STORE_OUT(out, oo, acc);
  }
}
#endif

#if defined(OP_MAX_DIM) || defined(OP_MIN_DIM)
/* The first extreme along the dim and its index; a nan wins. */
__kernel void op_extreme(__global T* values, __global long* indices, __global const T* in, ReduceGeometry g) {
  FOR_EACH(o, g.outputs) {
    long oi, oo, oo2;
    kept_offsets(&g, o, &oi, &oo, &oo2);
    const long stride = g.nr ? g.r_in[0] : 0;
    T_C best = LOAD_T(in, oi);
    long best_at = 0;
    for (long j = 1; j < g.count; ++j) {
#if defined(T_FLOAT)
      if (isnan(best)) break;
#endif
      const T_C v = LOAD_T(in, oi + j * stride);
#if defined(T_FLOAT)
      const bool better = isnan(v) || (EXTREME_BETTER(v, best));
#else
      const bool better = EXTREME_BETTER(v, best);
#endif
      if (better) {
        best = v;
        best_at = j;
      }
    }
    STORE_T(values, oo, best);
    indices[oo2] = best_at;
  }
}
#endif
)CL";

const char* limits(int32_t dtype) {
  switch (dtype) {
    case EMBER_DTYPE_INT32: return "#define T_LOWEST INT_MIN\n#define T_HIGHEST INT_MAX\n";
    case EMBER_DTYPE_INT64: return "#define T_LOWEST LONG_MIN\n#define T_HIGHEST LONG_MAX\n";
    case EMBER_DTYPE_BOOL: return "#define T_LOWEST ((uchar)0)\n#define T_HIGHEST ((uchar)1)\n";
    default: return "#define T_LOWEST ((uchar)0)\n#define T_HIGHEST UCHAR_MAX\n";
  }
}

const std::string& source(Device& dev, int32_t op, int32_t dtype) {
  static std::string sources[EMBER_OP_COUNT][EMBER_DTYPE_COUNT];
  static std::mutex mutex;
  std::string defines = define_type(dev, "T", dtype);
  defines += limits(dtype);
  std::string name = sdk::op_name(op);
  for (char& ch : name) ch = char(std::toupper(ch));
  defines += "#define OP_" + name + " 1\n";
  if (op == EMBER_OP_MAX_DIM) defines += "#define EXTREME_BETTER(v, best) ((v) > (best))\n";
  if (op == EMBER_OP_MIN_DIM) defines += "#define EXTREME_BETTER(v, best) ((v) < (best))\n";
  std::lock_guard<std::mutex> lock(mutex);
  std::string& s = sources[op][dtype];
  if (s.empty()) s = program_source(defines, kReduceBody);
  return s;
}

// Splits the input's dims into kept and reduced (is_reduced(d)), merging
// neighbours that are contiguous across each other.
template <typename IsReduced>
ReduceGeometry split_dims(const ember_tensor& in, const ember_tensor& out, const ember_tensor* out2,
                          IsReduced is_reduced) {
  if (in.ndim > kMaxDims) sdk::unsupported("the OpenCL backend supports at most 16 dimensions");
  ReduceGeometry s{};
  s.outputs = 1;
  s.count = 1;
  s.in_offset = in.offset;
  s.out_offset = out.offset;
  s.out2_offset = out2 ? out2->offset : 0;
  for (int d = 0; d < in.ndim; ++d) {
    const int64_t size = in.sizes[d];
    if (size == 1) continue;
    if (is_reduced(d)) {
      s.count *= size;
      if (s.nr > 0 && s.r_in[s.nr - 1] == in.strides[d] * size) {
        s.r_sizes[s.nr - 1] *= size;
        s.r_in[s.nr - 1] = in.strides[d];
      } else {
        s.r_sizes[s.nr] = size;
        s.r_in[s.nr++] = in.strides[d];
      }
    } else {
      s.outputs *= size;
      const int64_t o2 = out2 ? out2->strides[d] : 0;
      if (s.nk > 0 && s.k_in[s.nk - 1] == in.strides[d] * size && s.k_out[s.nk - 1] == out.strides[d] * size &&
          s.k_out2[s.nk - 1] == o2 * size) {
        s.k_sizes[s.nk - 1] *= size;
        s.k_in[s.nk - 1] = in.strides[d];
        s.k_out[s.nk - 1] = out.strides[d];
        s.k_out2[s.nk - 1] = o2;
      } else {
        s.k_sizes[s.nk] = size;
        s.k_in[s.nk] = in.strides[d];
        s.k_out[s.nk] = out.strides[d];
        s.k_out2[s.nk++] = o2;
      }
    }
  }
  return s;
}

template <int32_t Op>
int32_t reduce_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
    if constexpr (Op == EMBER_OP_ALL || Op == EMBER_OP_ANY) {
      if (out.dtype != EMBER_DTYPE_BOOL) sdk::fail("all/any write bool");
    } else {
      if (out.dtype != in.dtype) sdk::fail(std::string(sdk::op_name(Op)) + ": input and output dtypes differ");
      if ((Op == EMBER_OP_SUM || Op == EMBER_OP_PROD) && in.dtype == EMBER_DTYPE_BOOL)
        sdk::unsupported("sum/prod of bool must be computed in int64 (the core converts)");
    }
    Device& dev = device_of(call);
    const std::string& src = source(dev, Op, in.dtype);
    const ReduceGeometry g = split_dims(in, out, nullptr, [&](int d) { return out.strides[d] == 0; });
    if (g.outputs == 0) return;
    // Few outputs with long slices: fixed chunks of 16384 elements, so every
    // compute unit has work and the result does not depend on their number.
    constexpr int64_t kChunk = 16384;
    const int64_t chunks = g.outputs < 64 && g.count >= 4 * kChunk ? (g.count + kChunk - 1) / kChunk : 1;
    const int64_t chunk_len = chunks == 1 ? std::max<int64_t>(g.count, 1) : kChunk;
    cl_mem partial = buffer(out);
    if (chunks > 1) {
      cl_int err = CL_SUCCESS;
      partial = clCreateBuffer(dev.context, CL_MEM_READ_WRITE, size_t(g.outputs * chunks) * 8, nullptr, &err);
      check(err, "clCreateBuffer");
    }
    try {
      launch(dev, kernel(dev, src, "op_reduce"),
             {arg(buffer(out)), arg(buffer(in)), arg(g), arg(chunks), arg(chunk_len), arg(partial)},
             grid_for(g.outputs * chunks));
      if (chunks > 1)
        launch(dev, kernel(dev, src, "op_combine"), {arg(buffer(out)), arg(partial), arg(g), arg(chunks)},
               grid_for(g.outputs));
    } catch (...) {
      if (chunks > 1) clReleaseMemObject(partial);
      throw;
    }
    // Released now, freed by the driver once the queued kernels are done.
    if (chunks > 1) clReleaseMemObject(partial);
  });
}

template <int32_t Op>
int32_t extreme_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &values = call.outputs[0], &indices = call.outputs[1];
    if (indices.dtype != EMBER_DTYPE_INT64) sdk::fail("max/min: indices must be int64");
    const int dim = int(call.ints[0]);
    Device& dev = device_of(call);
    const std::string& src = source(dev, Op, in.dtype);
    ReduceGeometry g = split_dims(in, values, &indices, [&](int d) { return d == dim; });
    if (g.outputs == 0) return;
    launch(dev, kernel(dev, src, "op_extreme"), {arg(buffer(values)), arg(buffer(indices)), arg(buffer(in)), arg(g)},
           grid_for(g.outputs));
  });
}

}  // namespace

void register_reduce_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_SUM, type, reduce_entry<EMBER_OP_SUM>);
  r.kernel(EMBER_OP_PROD, type, reduce_entry<EMBER_OP_PROD>);
  r.kernel(EMBER_OP_AMAX, type, reduce_entry<EMBER_OP_AMAX>);
  r.kernel(EMBER_OP_AMIN, type, reduce_entry<EMBER_OP_AMIN>);
  r.kernel(EMBER_OP_ALL, type, reduce_entry<EMBER_OP_ALL>);
  r.kernel(EMBER_OP_ANY, type, reduce_entry<EMBER_OP_ANY>);
  r.kernel(EMBER_OP_MAX_DIM, type, extreme_entry<EMBER_OP_MAX_DIM>);
  r.kernel(EMBER_OP_MIN_DIM, type, extreme_entry<EMBER_OP_MIN_DIM>);
}

}  // namespace ember::opencl
