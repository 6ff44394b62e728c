// Fused softmax and log_softmax along one dim: one pass for the maximum, one
// for the sum of exponentials, one to write — instead of the five ops and
// four temporaries of the composite.

#include <algorithm>
#include <cmath>
#include <limits>

#include "kernels.h"
#include "loops.h"
#include "vec_math.h"

namespace ember::cpu {
namespace {

// float: the vectorisable exp; double: libm's.
inline float exp_of(float x) { return exp_vectorisable(x); }
inline double exp_of(double x) { return std::exp(x); }

// One contiguous slice in simple loops the compiler vectorises: maximum,
// exponentials written once, their sum in 16 fixed lanes, then a scale (or,
// for log_softmax, (x - max) - log(sum) — in that order, as PyTorch, since
// adding max to the log first rounds away small differences of large inputs).
// A nan input needs no test: it makes the sum, and so every output, nan.
template <typename Acc, bool Log>
EMBER_VECTOR_LOOP inline void contiguous_slice(Acc* __restrict out, const Acc* __restrict in, int64_t n) {
  constexpr int kLanes = 16;
  Acc lanes[kLanes];
  for (auto& l : lanes) l = -std::numeric_limits<Acc>::infinity();
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] = in[i + j] > lanes[j] ? in[i + j] : lanes[j];
  Acc max = lanes[0];
  for (int j = 1; j < kLanes; ++j) max = lanes[j] > max ? lanes[j] : max;
  for (; i < n; ++i) max = in[i] > max ? in[i] : max;
  // An infinite maximum would give inf - inf; PyTorch shifts by 0 there.
  const Acc shift = std::isinf(max) ? Acc(0) : max;
  Acc* exps = out;
  for (i = 0; i < n; ++i) exps[i] = exp_of(in[i] - shift);
  Acc sums[kLanes] = {};
  for (i = 0; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) sums[j] += exps[i + j];
  for (; i < n; ++i) sums[0] += exps[i];
  Acc sum = 0;
  for (Acc v : sums) sum += v;
  if constexpr (Log) {
    const Acc log_sum = std::log(sum);
    for (i = 0; i < n; ++i) out[i] = (in[i] - shift) - log_sum;
  } else {
    const Acc scale = Acc(1) / sum;
    for (i = 0; i < n; ++i) out[i] *= scale;
  }
}

template <typename T, bool Log>
void softmax_typed(const ember_op_call& call) {
  using Acc = std::conditional_t<std::is_same_v<T, double>, double, float>;
  const ember_tensor &in_t = call.inputs[0], &out_t = call.outputs[0];
  const int dim = int(call.ints[0]);
  const int64_t n = in_t.sizes[dim], in_stride = in_t.strides[dim], out_stride = out_t.strides[dim];
  // Every slice along `dim` starts at a point of the other dims.
  ember_tensor in_view = in_t, out_view = out_t;
  int64_t sizes[kMaxDims];
  for (int d = 0; d < in_t.ndim; ++d) sizes[d] = d == dim ? 1 : in_t.sizes[d];
  in_view.sizes = out_view.sizes = sizes;
  auto plan = make_plan<2>({&out_view, &in_view});
  auto one_slice = [&](T* out, const T* in) EMBER_VECTOR_LOOP {
    if constexpr (std::is_same_v<T, Acc>) {
      if (in_stride == 1 && out_stride == 1) return contiguous_slice<Acc, Log>(out, in, n);
    }
    // Strided or half-precision slices: the same steps, one element at a time.
    Acc max = -std::numeric_limits<Acc>::infinity();
    for (int64_t i = 0; i < n; ++i) {
      const Acc v = Acc(in[i * in_stride]);
      max = v > max ? v : max;  // a nan input makes every output nan below
    }
    const Acc shift = std::isinf(max) ? Acc(0) : max;
    Acc sum = 0;
    for (int64_t i = 0; i < n; ++i) sum += exp_of(Acc(in[i * in_stride]) - shift);
    if constexpr (Log) {
      const Acc log_sum = std::log(sum);
      for (int64_t i = 0; i < n; ++i) out[i * out_stride] = T((Acc(in[i * in_stride]) - shift) - log_sum);
    } else {
      for (int64_t i = 0; i < n; ++i) out[i * out_stride] = T(exp_of(Acc(in[i * in_stride]) - shift) / sum);
    }
  };
  // Each point of the plan is a slice of n elements: chunks of about kGrain
  // elements, not kGrain slices.
  const int64_t slices_per_chunk = std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1));
  for_each_run(
      plan,
      [&](const std::array<char*, 2>& p, int64_t count, const std::array<int64_t, 2>& s) {
        vectorized([&]() EMBER_VECTOR_LOOP {
          for (int64_t j = 0; j < count; ++j)
            one_slice(reinterpret_cast<T*>(p[0] + j * s[0]), reinterpret_cast<const T*>(p[1] + j * s[1]));
        });
      },
      slices_per_chunk);
}

template <bool Log>
int32_t softmax_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    if (call.inputs[0].dtype != call.outputs[0].dtype) sdk::fail("softmax: input and output dtypes differ");
    sdk::dispatch_dtype(call.inputs[0].dtype, [&]<typename T>() {
      if constexpr (std::is_floating_point_v<compute_t<T>>) softmax_typed<T, Log>(call);
      else sdk::unsupported("softmax needs a floating point tensor");
    });
  });
}

}  // namespace

void register_softmax_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_SOFTMAX, type, softmax_entry<false>);
  r.kernel(EMBER_OP_LOG_SOFTMAX, type, softmax_entry<true>);
}

}  // namespace ember::cpu
