// Adam's fused update (the overridable composite ADAM_STEP): one pass over
// param, grad and the two moments instead of the eleven ops, and their
// temporaries, of the composition. Each step rounds to the dtype as the
// composition's ops do, so the two agree to the last bit or so (a compiler
// may fuse a multiply-add in either).
// float32 and float64, contiguous; anything else is declined.
#include <algorithm>
#include <cmath>

#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

template <typename T>
void adam_step(const ember_op_call& call) {
  const int64_t n = sdk::TensorArg{&call.inputs[0]}.numel();
  T* param_data = sdk::TensorArg{&call.outputs[0]}.data<T>();
  const T* grad_data = sdk::TensorArg{&call.inputs[1]}.data<T>();
  T* exp_avg_data = sdk::TensorArg{&call.outputs[1]}.data<T>();
  T* exp_avg_sq_data = sdk::TensorArg{&call.outputs[2]}.data<T>();
  const int64_t chunks = (n + kGrain - 1) / kGrain;
  auto chunk = [&](int64_t c) {
    const int64_t begin = c * kGrain, end = std::min(n, begin + kGrain);
    vectorized([&]() EMBER_VECTOR_LOOP {
      // Locals, and pointers the compiler may assume distinct: otherwise
      // every store could change the next element's operands (or the
      // scalars, read through the closure), and the loop stays scalar.
      T* __restrict param = param_data;
      T* __restrict exp_avg = exp_avg_data;
      T* __restrict exp_avg_sq = exp_avg_sq_data;
      const T* __restrict grad = grad_data;
      // The scalars as the composition's ops see them: each rounded to T.
      const double beta1 = scalar_as<double>(call.scalars[0]), beta2 = scalar_as<double>(call.scalars[1]);
      const T b1 = T(beta1), a1 = T(1 - beta1), b2 = T(beta2), a2 = T(1 - beta2);
      const T neg_step_size = T(-scalar_as<double>(call.scalars[2]));
      const T bias_correction2_sqrt = T(scalar_as<double>(call.scalars[3]));
      const T eps = T(scalar_as<double>(call.scalars[4]));
      for (int64_t i = begin; i < end; ++i) {
        const T g = grad[i];
        const T m = T(T(exp_avg[i] * b1) + a1 * g);
        const T v = T(T(exp_avg_sq[i] * b2) + T(T(g * a2) * g));
        const T denom = T(T(std::sqrt(v) / bias_correction2_sqrt) + eps);
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
        param[i] = T(param[i] + neg_step_size * T(m / denom));
      }
    });
  };
  if (chunks <= 1) chunk(0);
  else parallel_for_each(chunks, chunk);
}

int32_t adam_step_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    if (call.num_inputs != 4 || call.num_outputs != 3 || call.num_scalars < 5)
      sdk::fail("adam_step: expected 4 inputs, 3 outputs and 5 scalars");
    const ember_tensor& p = call.inputs[0];
    // The outputs are the inputs param, exp_avg and exp_avg_sq, updated in
    // place (the core guarantees the four share no memory).
    auto same = [](const ember_tensor& a, const ember_tensor& b) { return a.data == b.data && a.offset == b.offset; };
    if (!same(call.outputs[0], call.inputs[0]) || !same(call.outputs[1], call.inputs[2]) ||
        !same(call.outputs[2], call.inputs[3]))
      sdk::unsupported("adam_step: the outputs must be in[0], in[2] and in[3], updated in place");
    for (int i = 0; i < 7; ++i) {
      const ember_tensor& t = i < 4 ? call.inputs[i] : call.outputs[i - 4];
      if (t.dtype != p.dtype) sdk::unsupported("adam_step: operands of more than one dtype");
      if (!sdk::TensorArg{&t}.is_contiguous() || sdk::TensorArg{&t}.numel() != sdk::TensorArg{&p}.numel())
        sdk::unsupported("adam_step: strided operands or operands of different sizes");
    }
    switch (p.dtype) {
      case EMBER_DTYPE_FLOAT32: return adam_step<float>(call);
      case EMBER_DTYPE_FLOAT64: return adam_step<double>(call);
      default: sdk::unsupported("adam_step: fused only for float32 and float64");
    }
  });
}

}  // namespace

void register_adam_kernels(sdk::Registrar& r, int32_t type) { r.kernel(EMBER_OP_ADAM_STEP, type, adam_step_entry); }

}  // namespace ember::cpu
