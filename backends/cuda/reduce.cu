// Reductions, max/min along a dim, and fused softmax / log_softmax.
//
// A reduction's output arrives at the input's rank with stride 0 along the
// reduced dims. Accumulators are the CPU backend's: sums and products in
// double for floating dtypes (float16 and bfloat16 included) and in int64
// for integers; the extremes in double / int64 too, which holds every value
// of the input type exactly. Every result is computed in a fixed order (no
// atomics), so it does not depend on scheduling:
// - many outputs: one thread folds one output's slice, in order;
// - few outputs: one block of 256 threads per output, each thread folding a
//   strided part, then a tree in shared memory; when there are very few
//   outputs and long slices, fixed chunks per block and a second kernel that
//   combines the chunks by the same tree.
// The op is a kernel argument: one instantiation per dtype.
#include <cfloat>

#include "device.cuh"

namespace ember::cuda {
namespace {

// Kept dims (the output varies along them) and reduced dims, coalesced;
// strides in elements. out2 is max_dim/min_dim's index output.
struct ReduceGeometry {
  int64_t nk, nr, outputs, count, in_offset, out_offset, out2_offset;
  int64_t k_sizes[kMaxDims], k_in[kMaxDims], k_out[kMaxDims], k_out2[kMaxDims];
  int64_t r_sizes[kMaxDims], r_in[kMaxDims];
};

// Offsets of the o-th output: into the input, the output and the indices.
__device__ __forceinline__ void kept_offsets(const ReduceGeometry& g, int64_t o, int64_t& oi, int64_t& oo,
                                             int64_t& oo2) {
  oi = g.in_offset;
  oo = g.out_offset;
  oo2 = g.out2_offset;
  for (int d = int(g.nk) - 1; d >= 0; --d) {
    const int64_t c = o % g.k_sizes[d];
    o /= g.k_sizes[d];
    oi += c * g.k_in[d];
    oo += c * g.k_out[d];
    oo2 += c * g.k_out2[d];
  }
}
// Offset of the j-th element of a slice, relative to the slice's start.
__device__ __forceinline__ int64_t reduced_offset(const ReduceGeometry& g, int64_t j) {
  if (g.nr == 1) return j * g.r_in[0];
  int64_t o = 0;
  for (int d = int(g.nr) - 1; d >= 0; --d) {
    const int64_t c = j % g.r_sizes[d];
    j /= g.r_sizes[d];
    o += c * g.r_in[d];
  }
  return o;
}

template <typename T>
using acc_t = std::conditional_t<is_floating_v<T>, double, int64_t>;

template <typename A>
__device__ __forceinline__ A fold(int op, A acc, A v) {
  switch (op) {
    case EMBER_OP_SUM: return acc + v;
    case EMBER_OP_PROD: return acc * v;
    case EMBER_OP_ALL: return A(acc != A(0) && v != A(0));
    case EMBER_OP_ANY: return A(acc != A(0) || v != A(0));
    default: {  // amax, amin; a nan propagates
      if constexpr (std::is_floating_point_v<A>) {
        if (isnan(acc)) return acc;
        if (isnan(v)) return v;
      }
      return (op == EMBER_OP_AMAX ? v > acc : v < acc) ? v : acc;
    }
  }
}

template <typename T>
__device__ __forceinline__ void write_result(int op, void* out, int64_t at, acc_t<T> acc) {
  if (op == EMBER_OP_ALL || op == EMBER_OP_ANY) static_cast<bool*>(out)[at] = acc != acc_t<T>(0);
  else static_cast<T*>(out)[at] = to_storage<T>(compute_t<T>(acc));
}

// One thread per output.
template <typename T>
__global__ void reduce_thread_kernel(int op, void* out, const T* in, ReduceGeometry g, acc_t<T> identity) {
  using A = acc_t<T>;
  EMBER_CUDA_FOR_EACH(o, g.outputs) {
    int64_t oi, oo, unused;
    kept_offsets(g, o, oi, oo, unused);
    A acc = identity;
    for (int64_t j = 0; j < g.count; ++j) acc = fold<A>(op, acc, A(load(in[oi + reduced_offset(g, j)])));
    write_result<T>(op, out, oo, acc);
  }
}

constexpr int kBlock = 256;

// Folds every thread's `acc` into one value by a fixed tree over the block
// (the same order on every run); thread 0 gets the result. `shared` is free
// again when this returns.
template <typename A>
__device__ __forceinline__ A block_fold(int op, A acc, A* shared) {
  shared[threadIdx.x] = acc;
  __syncthreads();
  for (int s = kBlock / 2; s > 0; s /= 2) {
    if (int(threadIdx.x) < s) shared[threadIdx.x] = fold<A>(op, shared[threadIdx.x], shared[threadIdx.x + s]);
    __syncthreads();
  }
  const A result = shared[0];
  __syncthreads();
  return result;
}

// Block b folds chunk b % chunks of output b / chunks: each thread a strided
// part, then a fixed tree. One chunk: the output; else a partial result.
template <typename T>
__global__ void reduce_block_kernel(int op, void* out, const T* in, ReduceGeometry g, acc_t<T> identity,
                                    int64_t chunks, int64_t chunk_len, acc_t<T>* partial) {
  using A = acc_t<T>;
  __shared__ A shared[kBlock];
  for (int64_t w = blockIdx.x; w < g.outputs * chunks; w += gridDim.x) {
    const int64_t o = w / chunks, c = w % chunks;
    int64_t oi, oo, unused;
    kept_offsets(g, o, oi, oo, unused);
    const int64_t begin = c * chunk_len, end = min(g.count, begin + chunk_len);
    A acc = identity;
    for (int64_t j = begin + threadIdx.x; j < end; j += kBlock)
      acc = fold<A>(op, acc, A(load(in[oi + reduced_offset(g, j)])));
    acc = block_fold(op, acc, shared);
    if (threadIdx.x == 0) {
      if (chunks == 1) write_result<T>(op, out, oo, acc);
      else partial[w] = acc;
    }
  }
}

// One block per output folds its chunks' partial results: each thread a
// strided part, then the same fixed tree.
template <typename T>
__global__ void combine_kernel(int op, void* out, const acc_t<T>* partial, ReduceGeometry g, acc_t<T> identity,
                               int64_t chunks) {
  using A = acc_t<T>;
  __shared__ A shared[kBlock];
  for (int64_t o = blockIdx.x; o < g.outputs; o += gridDim.x) {
    A acc = identity;
    for (int64_t c = threadIdx.x; c < chunks; c += kBlock) acc = fold<A>(op, acc, partial[o * chunks + c]);
    acc = block_fold(op, acc, shared);
    if (threadIdx.x == 0) {
      int64_t oi, oo, unused;
      kept_offsets(g, o, oi, oo, unused);
      write_result<T>(op, out, oo, acc);
    }
  }
}

// Splits the input's dims into kept and reduced (is_reduced(d)), merging
// neighbours that are contiguous across each other.
template <typename IsReduced>
ReduceGeometry split_dims(const ember_tensor& in, const ember_tensor& out, const ember_tensor* out2,
                          IsReduced is_reduced) {
  if (in.ndim > kMaxDims) sdk::unsupported("the CUDA backend supports at most 16 dimensions");
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

// The fold's identity for `op` over T.
template <typename T>
acc_t<T> identity_of(int32_t op) {
  using A = acc_t<T>;
  switch (op) {
    case EMBER_OP_SUM:
    case EMBER_OP_ANY: return A(0);
    case EMBER_OP_PROD:
    case EMBER_OP_ALL: return A(1);
    default: break;
  }
  const bool max = op == EMBER_OP_AMAX;
  if constexpr (is_floating_v<T>) return max ? -HUGE_VAL : HUGE_VAL;
  else if constexpr (std::is_same_v<T, bool>) return max ? 0 : 1;
  else return max ? A(std::numeric_limits<T>::lowest()) : A(std::numeric_limits<T>::max());
}

EMBER_KERNEL(reduce_entry) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  const int32_t op = call.op;
  if (op == EMBER_OP_ALL || op == EMBER_OP_ANY) {
    if (out.dtype != EMBER_DTYPE_BOOL) sdk::fail("all/any write bool");
  } else {
    if (out.dtype != in.dtype) sdk::fail(std::string(sdk::op_name(op)) + ": input and output dtypes differ");
    if ((op == EMBER_OP_SUM || op == EMBER_OP_PROD) && in.dtype == EMBER_DTYPE_BOOL)
      sdk::unsupported("sum/prod of bool must be computed in int64 (the core converts)");
  }
  const ReduceGeometry g = split_dims(in, out, nullptr, [&](int d) { return out.strides[d] == 0; });
  if (g.outputs == 0) return;
  Device& dev = device_of(call);
  dispatch(in.dtype, [&]<typename T>() {
    using A = acc_t<T>;
    const A identity = identity_of<T>(op);
    // Many outputs: a thread each (neighbouring threads read neighbouring
    // slices, coalesced when the reduced dims are the outer ones).
    if (g.outputs >= 2048 || g.count <= 32) {
      const Launch l = launch_for(dev, g.outputs);
      reduce_thread_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(op, out.data, ptr<T>(in), g, identity);
      check_launch("reduce_thread_kernel");
      return;
    }
    // Few outputs with long slices: fixed chunks of 8192 elements (32 per
    // thread), so that every SM has work and the result does not depend on
    // their number.
    constexpr int64_t kChunk = 8192;
    const int64_t chunks =
        g.outputs < 2 * int64_t(dev.sm_count) && g.count >= 2 * kChunk ? (g.count + kChunk - 1) / kChunk : 1;
    const int64_t chunk_len = chunks == 1 ? g.count : kChunk;
    const unsigned blocks = unsigned(std::min<int64_t>(g.outputs * chunks, int64_t(dev.sm_count) * 32));
    A* partial = nullptr;
    if (chunks > 1)
      check(cudaMallocAsync(reinterpret_cast<void**>(&partial), size_t(g.outputs * chunks) * sizeof(A), dev.stream),
            "cudaMallocAsync");
    reduce_block_kernel<T><<<blocks, kBlock, 0, dev.stream>>>(op, out.data, ptr<T>(in), g, identity, chunks,
                                                               chunk_len, partial);
    const cudaError_t launched = cudaGetLastError();
    if (chunks > 1 && launched == cudaSuccess) {
      const unsigned combine_blocks = unsigned(std::min<int64_t>(g.outputs, int64_t(dev.sm_count) * 32));
      combine_kernel<T><<<combine_blocks, kBlock, 0, dev.stream>>>(op, out.data, partial, g, identity, chunks);
    }
    // Freed in stream order, once the kernels that use it are done.
    if (partial) check(cudaFreeAsync(partial, dev.stream), "cudaFreeAsync");
    check(launched, "reduce_block_kernel");
    check_launch("combine_kernel");
  });
}

// ---- max / min along a dim, with the index of the first extreme ----

template <typename T>
__global__ void extreme_kernel(bool is_max, T* values, int64_t* indices, const T* in, ReduceGeometry g) {
  using C = compute_t<T>;
  EMBER_CUDA_FOR_EACH(o, g.outputs) {
    int64_t oi, oo, oo2;
    kept_offsets(g, o, oi, oo, oo2);
    const int64_t stride = g.nr ? g.r_in[0] : 0;
    C best = load(in[oi]);
    int64_t best_at = 0;
    for (int64_t j = 1; j < g.count; ++j) {
      if constexpr (is_floating_v<T>) {
        if (isnan(best)) break;  // a nan wins
      }
      const C v = load(in[oi + j * stride]);
      bool better = is_max ? v > best : v < best;
      if constexpr (is_floating_v<T>) better = better || isnan(v);
      if (better) {
        best = v;
        best_at = j;
      }
    }
    values[oo] = to_storage<T>(best);
    indices[oo2] = best_at;
  }
}

EMBER_KERNEL(extreme_entry) {
  const ember_tensor &in = call.inputs[0], &values = call.outputs[0], &indices = call.outputs[1];
  if (indices.dtype != EMBER_DTYPE_INT64) sdk::fail("max/min: indices must be int64");
  if (values.dtype != in.dtype) sdk::fail("max/min: values must have the input's dtype");
  const int dim = int(call.ints[0]);
  const ReduceGeometry g = split_dims(in, values, &indices, [&](int d) { return d == dim; });
  if (g.outputs == 0) return;
  if (g.count == 0) sdk::fail("max/min: cannot reduce over an empty dimension");
  Device& dev = device_of(call);
  const bool is_max = call.op == EMBER_OP_MAX_DIM;
  dispatch(in.dtype, [&]<typename T>() {
    const Launch l = launch_for(dev, g.outputs);
    extreme_kernel<T><<<l.blocks, l.threads, 0, dev.stream>>>(is_max, ptr<T>(values), ptr<int64_t>(indices),
                                                               ptr<T>(in), g);
    check_launch("extreme_kernel");
  });
}

// ---- softmax / log_softmax ----

// One warp per slice: the maximum, the sum of exponentials (both folded
// across the warp by a fixed butterfly), then the outputs. float16 and
// bfloat16 compute in float, as the CPU does.
template <typename T>
__global__ void softmax_kernel(bool log_softmax, T* out, const T* in, Geometry g, int64_t n, int64_t out_stride,
                               int64_t in_stride) {
  using C = compute_t<T>;
  const int lane = threadIdx.x % 32;
  const int64_t warps = int64_t(gridDim.x) * (blockDim.x / 32);
  for (int64_t s = int64_t(blockIdx.x) * (blockDim.x / 32) + threadIdx.x / 32; s < g.numel; s += warps) {
    T* o = out + at(g, 0, s);
    const T* x = in + at(g, 1, s);
    C max = -INFINITY;
    for (int64_t i = lane; i < n; i += 32) {
      const C v = load(x[i * in_stride]);
      max = v > max || isnan(v) ? v : max;
    }
    for (int k = 16; k > 0; k /= 2) {
      const C other = __shfl_xor_sync(0xffffffffu, max, k);
      max = other > max || isnan(other) ? other : max;
    }
    // An infinite maximum would give inf - inf; PyTorch shifts by 0 there.
    // A nan makes the sum, and so every output, nan.
    const C shift = isinf(max) ? C(0) : max;
    C sum = 0;
    for (int64_t i = lane; i < n; i += 32) sum += exp(load(x[i * in_stride]) - shift);
    for (int k = 16; k > 0; k /= 2) sum += __shfl_xor_sync(0xffffffffu, sum, k);
    if (log_softmax) {
      const C log_sum = log(sum);
      for (int64_t i = lane; i < n; i += 32) o[i * out_stride] = to_storage<T>((load(x[i * in_stride]) - shift) - log_sum);
    } else {
      const C scale = C(1) / sum;
      for (int64_t i = lane; i < n; i += 32)
        o[i * out_stride] = to_storage<T>(exp(load(x[i * in_stride]) - shift) * scale);
    }
  }
}

EMBER_KERNEL(softmax_entry) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  if (in.dtype != out.dtype) sdk::fail("softmax: input and output dtypes differ");
  if (in.ndim > kMaxDims) sdk::unsupported("the CUDA backend supports at most 16 dimensions");
  if (numel(in) == 0) return;
  const int dim = int(call.ints[0]);
  int64_t sizes[kMaxDims];
  for (int d = 0; d < in.ndim; ++d) sizes[d] = d == dim ? 1 : in.sizes[d];
  ember_tensor in_view = in, out_view = out;
  in_view.sizes = out_view.sizes = sizes;
  const Geometry g = make_geometry({&out_view, &in_view});
  const int64_t n = in.ndim ? in.sizes[dim] : 1, os = in.ndim ? out.strides[dim] : 0, is = in.ndim ? in.strides[dim] : 0;
  Device& dev = device_of(call);
  const bool log_softmax = call.op == EMBER_OP_LOG_SOFTMAX;
  dispatch_floating(in.dtype, "softmax", [&]<typename T>() {
    constexpr int64_t kWarpsPerBlock = 8;
    const unsigned blocks = unsigned(std::clamp<int64_t>((g.numel + kWarpsPerBlock - 1) / kWarpsPerBlock, 1,
                                                         int64_t(dev.sm_count) * 32));
    softmax_kernel<T><<<blocks, 32 * kWarpsPerBlock, 0, dev.stream>>>(log_softmax, ptr<T>(out), ptr<T>(in), g, n, os,
                                                                      is);
    check_launch("softmax_kernel");
  });
}

}  // namespace

void register_reduce_kernels(sdk::Registrar& r, int32_t type) {
  for (int32_t op : {EMBER_OP_SUM, EMBER_OP_PROD, EMBER_OP_AMAX, EMBER_OP_AMIN, EMBER_OP_ALL, EMBER_OP_ANY})
    r.kernel(op, type, reduce_entry);
  r.kernel(EMBER_OP_MAX_DIM, type, extreme_entry);
  r.kernel(EMBER_OP_MIN_DIM, type, extreme_entry);
}

void register_softmax_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_SOFTMAX, type, softmax_entry);
  r.kernel(EMBER_OP_LOG_SOFTMAX, type, softmax_entry);
}

}  // namespace ember::cuda
