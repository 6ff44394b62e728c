// Fused layer norm (the overridable composites LAYER_NORM and
// LAYER_NORM_BACKWARD) over contiguous (M, N) rows. Per row, the forward
// reads the row twice — its sum, then the squares of its deviations from the
// mean (two passes, so the variance does not cancel as a one-pass Σx² − Nμ²
// would; the second pass finds the row in cache) — and writes it once; the
// backward reads it once for its two sums and writes once. Sums run in 16
// lanes of double, for float32 too, in loops the compiler vectorises. Rows
// are independent, split over oneTBB, so results do not depend on the thread
// count. float32/float64; anything else is declined and the core composes
// the op from primitives.

#include <algorithm>
#include <cmath>
#include <initializer_list>

#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

constexpr int kLanes = 16;

EMBER_VECTOR_LOOP inline double sum_lanes(const double (&lanes)[kLanes]) {
  double s = 0;
  for (double l : lanes) s += l;
  return s;
}

// Σ x
template <typename T>
EMBER_VECTOR_LOOP inline double row_sum(const T* __restrict x, int64_t n) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) lanes[j] += double(x[i + j]);
  for (; i < n; ++i) lanes[0] += double(x[i]);
  return sum_lanes(lanes);
}

// Σ (x - mean)²
template <typename T>
EMBER_VECTOR_LOOP inline double row_squared_deviations(const T* __restrict x, int64_t n, double mean) {
  double lanes[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) {
      const double d = double(x[i + j]) - mean;
      lanes[j] += d * d;
    }
  for (; i < n; ++i) {
    const double d = double(x[i]) - mean;
    lanes[0] += d * d;
  }
  return sum_lanes(lanes);
}

// y = (x - mean) · rstd, times the weight and plus the bias when given.
template <typename T, bool HasWeight, bool HasBias>
EMBER_VECTOR_LOOP inline void normalize_row(T* __restrict y, const T* __restrict x, const T* __restrict w,
                                             const T* __restrict b, int64_t n, T mean, T rstd) {
  for (int64_t i = 0; i < n; ++i) {
    T v = (x[i] - mean) * rstd;
    if constexpr (HasWeight) v *= w[i];
    if constexpr (HasBias) v += b[i];
    y[i] = v;
  }
}

// Rows per oneTBB task: about kGrain elements each.
int64_t row_grain(int64_t n) { return std::max<int64_t>(1, kGrain / std::max<int64_t>(n, 1)); }

template <typename T, bool HasWeight, bool HasBias>
void forward_rows(const T* x, const T* w, const T* b, T* y, T* mean, T* rstd, int64_t m, int64_t n, double eps) {
  parallel_for(0, m, row_grain(n), [&](int64_t first, int64_t last) {
    vectorized([&]() EMBER_VECTOR_LOOP {
      for (int64_t r = first; r < last; ++r) {
        const T* row = x + r * n;
        const double mu = row_sum(row, n) / double(n);
        const double var = row_squared_deviations(row, n, mu) / double(n);
        // The mean and rstd the backward reads are these, rounded to T; the
        // row is normalised with the same rounded values.
        mean[r] = T(mu);
        rstd[r] = T(1.0 / std::sqrt(var + eps));
        normalize_row<T, HasWeight, HasBias>(y + r * n, row, w, b, n, mean[r], rstd[r]);
      }
    });
  });
}

// The gradient of x for rows of `n`, with gw = grad · weight and
// x̂ = (x - mean) · rstd:
//   dx = rstd · (gw - mean(gw) - x̂ · mean(gw · x̂))
//      = rstd · gw + (x - mean) · k + c,
// k = -rstd³ · Σ gw·(x - mean) / n and c = -rstd · Σ gw / n — the two sums
// in one pass over the row (around the mean, which keeps them exact for rows
// far from zero), then one pass to write.
template <typename T, bool HasWeight>
void backward_rows(const T* grad, const T* x, const T* mean, const T* rstd, const T* w, T* gx, int64_t m,
                   int64_t n) {
  parallel_for(0, m, row_grain(n), [&](int64_t first, int64_t last) {
    vectorized([&]() EMBER_VECTOR_LOOP {
      for (int64_t r = first; r < last; ++r) {
        const T* __restrict g = grad + r * n;
        const T* __restrict xr = x + r * n;
        const T mu = mean[r], rs = rstd[r];
        double sums[kLanes] = {}, dots[kLanes] = {};
        int64_t i = 0;
        for (; i + kLanes <= n; i += kLanes)
          for (int j = 0; j < kLanes; ++j) {
            const double gw = HasWeight ? double(g[i + j]) * double(w[i + j]) : double(g[i + j]);
            sums[j] += gw;
            dots[j] += gw * (double(xr[i + j]) - double(mu));
          }
        for (; i < n; ++i) {
          const double gw = HasWeight ? double(g[i]) * double(w[i]) : double(g[i]);
          sums[0] += gw;
          dots[0] += gw * (double(xr[i]) - double(mu));
        }
        const double r1 = double(rs);
        const T k = T(-r1 * r1 * r1 * sum_lanes(dots) / double(n));
        const T c = T(-r1 * sum_lanes(sums) / double(n));
        T* __restrict out = gx + r * n;
        for (i = 0; i < n; ++i) {
          const T gw = HasWeight ? g[i] * w[i] : g[i];
          out[i] = rs * gw + (xr[i] - mu) * k + c;
        }
      }
    });
  });
}

// in0 x (M, N), in1 weight (N) if ints[0], then bias (N) if ints[1];
// scalars[0] eps -> out0 y (M, N), out1 mean (M), out2 rstd (M).
template <typename T>
void forward(const ember_op_call& call) {
  const bool has_weight = call.ints[0] != 0, has_bias = call.ints[1] != 0;
  const ember_tensor& x = call.inputs[0];
  const int64_t m = x.sizes[0], n = x.sizes[1];
  const T* xd = sdk::TensorArg{&x}.data<T>();
  const T* w = has_weight ? sdk::TensorArg{&call.inputs[1]}.data<T>() : nullptr;
  const T* b = has_bias ? sdk::TensorArg{&call.inputs[1 + has_weight]}.data<T>() : nullptr;
  T* y = sdk::TensorArg{&call.outputs[0]}.data<T>();
  T* mean = sdk::TensorArg{&call.outputs[1]}.data<T>();
  T* rstd = sdk::TensorArg{&call.outputs[2]}.data<T>();
  const double eps = scalar_as<double>(call.scalars[0]);
  if (has_weight && has_bias) forward_rows<T, true, true>(xd, w, b, y, mean, rstd, m, n, eps);
  else if (has_weight) forward_rows<T, true, false>(xd, w, b, y, mean, rstd, m, n, eps);
  else if (has_bias) forward_rows<T, false, true>(xd, w, b, y, mean, rstd, m, n, eps);
  else forward_rows<T, false, false>(xd, w, b, y, mean, rstd, m, n, eps);
}

// in0 grad (M, N), in1 x, in2 mean (M), in3 rstd (M), in4 weight (N) if
// ints[0] -> out0 grad of x (M, N).
template <typename T>
void backward(const ember_op_call& call) {
  const ember_tensor& x = call.inputs[1];
  const int64_t m = x.sizes[0], n = x.sizes[1];
  const T* g = sdk::TensorArg{&call.inputs[0]}.data<T>();
  const T* xd = sdk::TensorArg{&x}.data<T>();
  const T* mean = sdk::TensorArg{&call.inputs[2]}.data<T>();
  const T* rstd = sdk::TensorArg{&call.inputs[3]}.data<T>();
  T* gx = sdk::TensorArg{&call.outputs[0]}.data<T>();
  if (call.ints[0]) backward_rows<T, true>(g, xd, mean, rstd, sdk::TensorArg{&call.inputs[4]}.data<T>(), gx, m, n);
  else backward_rows<T, false>(g, xd, mean, rstd, nullptr, gx, m, n);
}

// The operands' shapes against (M, N) rows, one dtype, contiguous.
void check_call(const ember_op_call& c, bool is_backward) {
  const int32_t ints_needed = is_backward ? 1 : 2;
  if (c.num_ints < ints_needed || (!is_backward && c.num_scalars < 1)) sdk::fail("layer_norm: missing parameters");
  const int32_t optional = is_backward ? int32_t(c.ints[0] != 0) : int32_t(c.ints[0] != 0) + int32_t(c.ints[1] != 0);
  const int32_t inputs = (is_backward ? 4 : 1) + optional, outputs = is_backward ? 1 : 3;
  if (c.num_inputs != inputs || c.num_outputs != outputs) sdk::fail("layer_norm: wrong number of operands");
  const ember_tensor& x = c.inputs[is_backward ? 1 : 0];
  if (x.ndim != 2) sdk::fail("layer_norm: x must be (M, N)");
  const int64_t m = x.sizes[0], n = x.sizes[1];
  auto shaped = [](const ember_tensor& t, std::initializer_list<int64_t> sizes) {
    if (t.ndim != int32_t(sizes.size())) return false;
    int d = 0;
    for (int64_t s : sizes)
      if (t.sizes[d++] != s) return false;
    return true;
  };
  bool ok = true;
  if (is_backward) {
    ok = shaped(c.inputs[0], {m, n}) && shaped(c.inputs[2], {m}) && shaped(c.inputs[3], {m}) &&
         (!c.ints[0] || shaped(c.inputs[4], {n})) && shaped(c.outputs[0], {m, n});
  } else {
    for (int i = 1; i < c.num_inputs; ++i) ok = ok && shaped(c.inputs[i], {n});
    ok = ok && shaped(c.outputs[0], {m, n}) && shaped(c.outputs[1], {m}) && shaped(c.outputs[2], {m});
  }
  if (!ok) sdk::fail("layer_norm: operands of mismatched shapes");
  for (int i = 0; i < c.num_inputs + c.num_outputs; ++i) {
    const ember_tensor& t = i < c.num_inputs ? c.inputs[i] : c.outputs[i - c.num_inputs];
    if (t.dtype != x.dtype) sdk::unsupported("layer_norm: operands of more than one dtype");
    if (!sdk::TensorArg{&t}.is_contiguous()) sdk::unsupported("layer_norm: strided operands");
  }
}

template <void (*Float)(const ember_op_call&), void (*Double)(const ember_op_call&), bool IsBackward>
int32_t entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    check_call(*c, IsBackward);
    switch (c->outputs[0].dtype) {
      case EMBER_DTYPE_FLOAT32: return Float(*c);
      case EMBER_DTYPE_FLOAT64: return Double(*c);
      default: sdk::unsupported("layer_norm: fused only for float32 and float64");
    }
  });
}

}  // namespace

void register_layer_norm_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_LAYER_NORM, type, entry<forward<float>, forward<double>, false>);
  r.kernel(EMBER_OP_LAYER_NORM_BACKWARD, type, entry<backward<float>, backward<double>, true>);
}

}  // namespace ember::cpu
