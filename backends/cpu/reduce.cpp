// Reductions. The output arrives at the input's rank with stride 0 along the
// reduced dims; each output element folds its slice of the input. Work is
// split over outputs, or, for few outputs, over fixed chunks of the reduced
// range whose partial results are combined in order — so the result never
// depends on the thread count.

#include <cmath>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

// Dims of the input split into kept (output varies) and reduced (output
// stride 0), each coalesced; strides in elements.
struct ReduceShape {
  int nk = 0, nr = 0;
  int64_t k_sizes[kMaxDims], k_in[kMaxDims], k_out[kMaxDims];
  int64_t r_sizes[kMaxDims], r_in[kMaxDims];
  int64_t outputs = 1, count = 1;
};

ReduceShape split_dims(const ember_tensor& in, const ember_tensor& out) {
  if (in.ndim > kMaxDims) sdk::unsupported("the CPU backend supports at most 16 dimensions");
  ReduceShape s;
  for (int d = 0; d < in.ndim; ++d) {
    const int64_t size = in.sizes[d];
    if (size == 1) continue;
    if (out.strides[d] == 0) {
      if (s.nr > 0 && s.r_in[s.nr - 1] == in.strides[d] * size) {
        s.r_sizes[s.nr - 1] *= size;
        s.r_in[s.nr - 1] = in.strides[d];
      } else {
        s.r_sizes[s.nr] = size;
        s.r_in[s.nr++] = in.strides[d];
      }
      s.count *= size;
    } else {
      if (s.nk > 0 && s.k_in[s.nk - 1] == in.strides[d] * size && s.k_out[s.nk - 1] == out.strides[d] * size) {
        s.k_sizes[s.nk - 1] *= size;
        s.k_in[s.nk - 1] = in.strides[d];
        s.k_out[s.nk - 1] = out.strides[d];
      } else {
        s.k_sizes[s.nk] = size;
        s.k_in[s.nk] = in.strides[d];
        s.k_out[s.nk++] = out.strides[d];
      }
      s.outputs *= size;
    }
  }
  return s;
}

// Offsets (in elements) of the n-th point of a coalesced index space.
inline void offsets_of(int64_t n, int nd, const int64_t* sizes, const int64_t* a, const int64_t* b, int64_t& oa,
                       int64_t& ob) {
  oa = 0;
  ob = 0;
  for (int d = nd - 1; d >= 0; --d) {
    const int64_t c = n % sizes[d];
    n /= sizes[d];
    oa += c * a[d];
    if (b) ob += c * b[d];
  }
}

template <typename T> using C = compute_t<T>;

// The accumulator and fold of each reduction.
template <typename T, int32_t Op>
struct Fold {
  using Acc = std::conditional_t<Op == EMBER_OP_ALL || Op == EMBER_OP_ANY, bool,
              std::conditional_t<Op == EMBER_OP_SUM || Op == EMBER_OP_PROD,
                                 std::conditional_t<std::is_floating_point_v<C<T>>, double, int64_t>, C<T>>>;
  static Acc identity() {
    if constexpr (Op == EMBER_OP_SUM) return Acc(0);
    else if constexpr (Op == EMBER_OP_PROD) return Acc(1);
    else if constexpr (Op == EMBER_OP_ALL) return true;
    else if constexpr (Op == EMBER_OP_ANY) return false;
    else if constexpr (Op == EMBER_OP_AMAX) {
      if constexpr (std::is_floating_point_v<Acc>) return -std::numeric_limits<Acc>::infinity();
      else return std::numeric_limits<Acc>::lowest();
    } else {
      if constexpr (std::is_floating_point_v<Acc>) return std::numeric_limits<Acc>::infinity();
      else return std::numeric_limits<Acc>::max();
    }
  }
  static Acc step(Acc acc, C<T> v) {
    if constexpr (Op == EMBER_OP_SUM) return acc + Acc(v);
    else if constexpr (Op == EMBER_OP_PROD) return acc * Acc(v);
    else if constexpr (Op == EMBER_OP_ALL) return acc && (v != C<T>(0));
    else if constexpr (Op == EMBER_OP_ANY) return acc || (v != C<T>(0));
    else {
      if constexpr (std::is_floating_point_v<Acc>)
        if (std::isnan(v) || std::isnan(acc)) return std::isnan(acc) ? acc : Acc(v);  // nan propagates
      if constexpr (Op == EMBER_OP_AMAX) return v > acc ? Acc(v) : acc;
      else return v < acc ? Acc(v) : acc;
    }
  }
  static Acc combine(Acc a, Acc b) {
    if constexpr (Op == EMBER_OP_SUM) return a + b;
    else if constexpr (Op == EMBER_OP_PROD) return a * b;
    else return step(a, C<T>(b));
  }
};

// Folds a contiguous run. Sums and float extremes use 8 independent lanes,
// which the compiler vectorises; the lane order is fixed, so the result is
// still deterministic.
template <typename T, int32_t Op>
EMBER_VECTOR_LOOP inline typename Fold<T, Op>::Acc fold_contiguous_loop(typename Fold<T, Op>::Acc acc, const T* p,
                                                                         int64_t n) {
  using F = Fold<T, Op>;
  using Acc = typename F::Acc;
  constexpr bool lanes_sum = Op == EMBER_OP_SUM && std::is_floating_point_v<Acc>;
  constexpr bool lanes_extreme = (Op == EMBER_OP_AMAX || Op == EMBER_OP_AMIN) && std::is_floating_point_v<Acc>;
  if constexpr (lanes_sum && std::is_same_v<T, float>) {
    // float sums: 64 float lanes over blocks of 1024 elements (vector adds at
    // full width, in four or more independent registers so the adds'
    // latency overlaps), each block's total then added in double — a
    // two-level cascade, as accurate as PyTorch's and in a fixed order that
    // no instruction set changes.
    constexpr int64_t kBlock = 1024;
    constexpr int kSumLanes = 64;
    static_assert(kSumLanes == 64 && kBlock % kSumLanes == 0);
    // Folds the 64 lanes of elements [i, end) (a multiple of 64) into acc,
    // their total in double by a fixed tree (vector adds too; a serial sum
    // of 64 lanes would cost more than a block's loads).
    auto fold_lanes = [&](int64_t i, int64_t end) EMBER_VECTOR_LOOP {
      float lanes[kSumLanes] = {};
      for (; i < end; i += kSumLanes)
        for (int j = 0; j < kSumLanes; ++j) lanes[j] += p[i + j];
      double partial[16];
      for (int j = 0; j < 16; ++j)
        partial[j] = (double(lanes[j]) + double(lanes[j + 16])) + (double(lanes[j + 32]) + double(lanes[j + 48]));
      for (int width = 8; width > 0; width /= 2)
        for (int j = 0; j < width; ++j) partial[j] += partial[j + width];
      acc += partial[0];
    };
    int64_t i = 0;
    for (; i + kBlock <= n; i += kBlock) fold_lanes(i, i + kBlock);
    // The rest of the run (all of a short one: a channel's plane in a
    // convolution's bias gradient) in whole groups of 64, then one by one.
    if (const int64_t groups_end = i + (n - i) / kSumLanes * kSumLanes; groups_end > i) {
      fold_lanes(i, groups_end);
      i = groups_end;
    }
    for (; i < n; ++i) acc += double(p[i]);
    return acc;
  } else if constexpr (lanes_sum || lanes_extreme) {
    Acc lanes[8];
    for (auto& l : lanes) l = F::identity();
    bool nan = false;
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
      for (int j = 0; j < 8; ++j) {
        const Acc v = Acc(C<T>(p[i + j]));
        if constexpr (lanes_sum) {
          lanes[j] += v;
        } else {
          nan |= v != v;
          if constexpr (Op == EMBER_OP_AMAX) lanes[j] = v > lanes[j] ? v : lanes[j];
          else lanes[j] = v < lanes[j] ? v : lanes[j];
        }
      }
    }
    if (nan) return std::numeric_limits<Acc>::quiet_NaN();
    for (int j = 0; j < 8; ++j) acc = F::combine(acc, lanes[j]);
    for (; i < n; ++i) acc = F::step(acc, C<T>(p[i]));
    return acc;
  } else {
    for (int64_t i = 0; i < n; ++i) acc = F::step(acc, C<T>(p[i]));
    return acc;
  }
}

// The loop above, compiled for the CPU's instruction set for floating types.
template <typename T, int32_t Op>
typename Fold<T, Op>::Acc fold_contiguous(typename Fold<T, Op>::Acc acc, const T* p, int64_t n) {
  vectorized<std::is_floating_point_v<C<T>>>([&]() EMBER_VECTOR_LOOP { acc = fold_contiguous_loop<T, Op>(acc, p, n); });
  return acc;
}

// Folds `count` elements of the reduced space starting at linear index
// `begin`, from `in` (element pointer of this output's slice).
template <typename T, int32_t Op>
typename Fold<T, Op>::Acc fold_range(const T* in, const ReduceShape& s, int64_t begin, int64_t end) {
  using F = Fold<T, Op>;
  auto acc = F::identity();
  if (s.nr == 0) return F::step(acc, C<T>(in[0]));
  const int last = s.nr - 1;
  const int64_t inner = s.r_sizes[last], stride = s.r_in[last];
  int64_t pos = begin;
  while (pos < end) {
    int64_t base, unused;
    offsets_of(pos / inner, last, s.r_sizes, s.r_in, nullptr, base, unused);
    const int64_t i0 = pos % inner;
    const int64_t n = std::min(inner - i0, end - pos);
    const T* p = in + base + i0 * stride;
    if (stride == 1) {
      acc = fold_contiguous<T, Op>(acc, p, n);
    } else {
      for (int64_t i = 0; i < n; ++i) acc = F::step(acc, C<T>(p[i * stride]));
    }
    pos += n;
  }
  return acc;
}

template <typename T, typename O, int32_t Op>
void reduce_typed(const ember_op_call& call) {
  using F = Fold<T, Op>;
  const ember_tensor& in_t = call.inputs[0];
  const ember_tensor& out_t = call.outputs[0];
  const ReduceShape s = split_dims(in_t, out_t);
  const T* in = sdk::TensorArg{&in_t}.data<T>();
  O* out = sdk::TensorArg{&out_t}.data<O>();
  auto one_output = [&](int64_t o) {
    int64_t oi, oo;
    offsets_of(o, s.nk, s.k_sizes, s.k_in, s.k_out, oi, oo);
    out[oo] = O(C<O>(F::combine(F::identity(), fold_range<T, Op>(in + oi, s, 0, s.count))));
  };
  // Column reductions (sum(0) of a matrix, the bias gradients): the kept
  // dim is dense and the reduced one strided. Reading a column at a time
  // would stride through memory; instead a block of columns is folded row
  // by row into a row of accumulators. Each output still folds its slice in
  // order, so the result is the one the general path gives.
  if (s.nk == 1 && s.k_in[0] == 1 && s.nr == 1 && s.outputs >= 16) {
    constexpr int64_t kColumns = 256;
    const int64_t columns = s.outputs, rows = s.count, row_stride = s.r_in[0], out_stride = s.k_out[0];
    auto fold_columns = [&](int64_t block) {
      const int64_t j0 = block * kColumns, n = std::min(kColumns, columns - j0);
      typename F::Acc acc[kColumns];
      for (int64_t j = 0; j < n; ++j) acc[j] = F::identity();
      vectorized<std::is_floating_point_v<C<T>>>([&]() EMBER_VECTOR_LOOP {
        for (int64_t i = 0; i < rows; ++i) {
          const T* row = in + i * row_stride + j0;
          for (int64_t j = 0; j < n; ++j) acc[j] = F::step(acc[j], C<T>(row[j]));
        }
      });
      for (int64_t j = 0; j < n; ++j) out[(j0 + j) * out_stride] = O(C<O>(F::combine(F::identity(), acc[j])));
    };
    const int64_t blocks = (columns + kColumns - 1) / kColumns;
    if (columns * rows <= kGrain || blocks == 1) {
      for (int64_t b = 0; b < blocks; ++b) fold_columns(b);
    } else {
      parallel_for_each(blocks, fold_columns);
    }
    return;
  }
  if (s.outputs >= 16 || s.count < 2 * kGrain) {
    const int64_t grain = std::max<int64_t>(1, kGrain / std::max<int64_t>(s.count, 1));
    if (s.outputs * s.count <= kGrain) {
      for (int64_t o = 0; o < s.outputs; ++o) one_output(o);
    } else {
      parallel_for(0, s.outputs, grain, [&](int64_t first, int64_t last) {
        for (int64_t o = first; o < last; ++o) one_output(o);
      });
    }
    return;
  }
  // Few outputs with long reductions: fixed chunks, combined in order.
  const int64_t chunks = (s.count + kGrain - 1) / kGrain;
  std::unique_ptr<typename F::Acc[]> partial(new typename F::Acc[size_t(chunks)]);
  for (int64_t o = 0; o < s.outputs; ++o) {
    int64_t oi, oo;
    offsets_of(o, s.nk, s.k_sizes, s.k_in, s.k_out, oi, oo);
    parallel_for_each(chunks, [&](int64_t c) {
      partial[size_t(c)] = fold_range<T, Op>(in + oi, s, c * kGrain, std::min(s.count, (c + 1) * kGrain));
    });
    auto acc = F::identity();
    for (int64_t c = 0; c < chunks; ++c) acc = F::combine(acc, partial[size_t(c)]);
    out[oo] = O(C<O>(acc));
  }
}

template <int32_t Op>
int32_t reduce_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    if constexpr (Op == EMBER_OP_ALL || Op == EMBER_OP_ANY) {
      if (call.outputs[0].dtype != EMBER_DTYPE_BOOL) sdk::fail("all/any write bool");
      sdk::dispatch_dtype(call.inputs[0].dtype, [&]<typename T>() { reduce_typed<T, bool, Op>(call); });
    } else {
      if (call.outputs[0].dtype != call.inputs[0].dtype)
        sdk::fail(std::string(sdk::op_name(Op)) + ": input and output dtypes differ");
      sdk::dispatch_dtype(call.inputs[0].dtype, [&]<typename T>() {
        if constexpr (std::is_same_v<T, bool> && (Op == EMBER_OP_SUM || Op == EMBER_OP_PROD))
          sdk::unsupported("sum/prod of bool must be computed in int64 (the core converts)");
        else
          reduce_typed<T, T, Op>(call);
      });
    }
  });
}

// max/min along one dim with the index of the first extreme (nan wins).
template <typename T, bool IsMax>
void extreme_with_index(const ember_op_call& call) {
  const ember_tensor& in_t = call.inputs[0];
  const int dim = int(call.ints[0]);
  const int64_t n = in_t.sizes[dim], stride = in_t.strides[dim];
  // Outputs iterate over every dim but `dim`.
  ember_tensor in_view = in_t, val_view = call.outputs[0], idx_view = call.outputs[1];
  int64_t sizes[kMaxDims];
  for (int d = 0; d < in_t.ndim; ++d) sizes[d] = d == dim ? 1 : in_t.sizes[d];
  in_view.sizes = val_view.sizes = idx_view.sizes = sizes;
  auto plan = make_plan<3>({&val_view, &idx_view, &in_view});
  for_each_run(plan, [&](const std::array<char*, 3>& p, int64_t count, const std::array<int64_t, 3>& s) {
    for (int64_t j = 0; j < count; ++j) {
      const T* x = reinterpret_cast<const T*>(p[2] + j * s[2]);
      C<T> best = C<T>(x[0]);
      int64_t at = 0;
      for (int64_t i = 1; i < n; ++i) {
        const C<T> v = C<T>(x[i * stride]);
        if constexpr (std::is_floating_point_v<C<T>>)
          if (std::isnan(best)) break;
        bool better;
        if constexpr (std::is_floating_point_v<C<T>>) better = std::isnan(v) || (IsMax ? v > best : v < best);
        else better = IsMax ? v > best : v < best;
        if (better) {
          best = v;
          at = i;
        }
      }
      *reinterpret_cast<T*>(p[0] + j * s[0]) = T(best);
      *reinterpret_cast<int64_t*>(p[1] + j * s[1]) = at;
    }
  });
}

template <bool IsMax>
int32_t extreme_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    if (c->outputs[1].dtype != EMBER_DTYPE_INT64) sdk::fail("max/min: indices must be int64");
    sdk::dispatch_dtype(c->inputs[0].dtype, [&]<typename T>() { extreme_with_index<T, IsMax>(*c); });
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
  r.kernel(EMBER_OP_MAX_DIM, type, extreme_entry<true>);
  r.kernel(EMBER_OP_MIN_DIM, type, extreme_entry<false>);
}

}  // namespace ember::cpu
