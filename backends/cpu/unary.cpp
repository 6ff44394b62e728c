// Unary elementwise kernels: in[0] -> out[0] (same shape; the core picks the
// output dtype, and the input already has it except for logical_not).
#include <cmath>
#include <type_traits>

#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

template <typename T>
using C = compute_t<T>;

template <typename T>
C<T> apply(int32_t op, C<T> x, const ember_op_call& call) {
  if constexpr (std::is_same_v<T, bool>) {
    switch (op) {
      case EMBER_OP_SIGN:
      case EMBER_OP_FLOOR:
      case EMBER_OP_CEIL:
      case EMBER_OP_ROUND:
      case EMBER_OP_TRUNC: return x;
      default: sdk::unsupported(std::string(sdk::op_name(op)) + " is not defined for bool");
    }
  } else if constexpr (std::is_integral_v<T>) {
    switch (op) {
      case EMBER_OP_NEG: return C<T>(-x);
      case EMBER_OP_ABS: return std::is_signed_v<T> && x < 0 ? C<T>(-x) : x;
      case EMBER_OP_RELU: return x > 0 ? x : C<T>(0);
      case EMBER_OP_SIGN: return C<T>((x > 0) - (x < 0));
      case EMBER_OP_FLOOR:
      case EMBER_OP_CEIL:
      case EMBER_OP_ROUND:
      case EMBER_OP_TRUNC: return x;
      case EMBER_OP_CLAMP: {
        if (call.ints[0] && x < scalar_as<T>(call.scalars[0])) x = scalar_as<T>(call.scalars[0]);
        if (call.ints[1] && x > scalar_as<T>(call.scalars[1])) x = scalar_as<T>(call.scalars[1]);
        return x;
      }
      default: sdk::unsupported(std::string(sdk::op_name(op)) + " is not defined for integer dtypes");
    }
  } else {
    switch (op) {
      case EMBER_OP_NEG: return -x;
      case EMBER_OP_ABS: return std::abs(x);
      case EMBER_OP_EXP: return std::exp(x);
      case EMBER_OP_LOG: return std::log(x);
      case EMBER_OP_SQRT: return std::sqrt(x);
      case EMBER_OP_RSQRT: return C<T>(1) / std::sqrt(x);
      case EMBER_OP_SIN: return std::sin(x);
      case EMBER_OP_COS: return std::cos(x);
      case EMBER_OP_TANH: return std::tanh(x);
      case EMBER_OP_SIGMOID: return C<T>(1) / (C<T>(1) + std::exp(-x));
      // relu keeps nan, as PyTorch's clamp_min(0) does
      case EMBER_OP_RELU: return x < C<T>(0) ? C<T>(0) : x;
      case EMBER_OP_SIGN: return C<T>((x > 0) - (x < 0));
      case EMBER_OP_FLOOR: return std::floor(x);
      case EMBER_OP_CEIL: return std::ceil(x);
      case EMBER_OP_ROUND: return std::nearbyint(x);  // half to even, as PyTorch
      case EMBER_OP_TRUNC: return std::trunc(x);
      case EMBER_OP_CLAMP: {
        // nan stays nan; bounds apply in order min then max, as PyTorch
        if (std::isnan(x)) return x;
        if (call.ints[0]) x = std::max(x, C<T>(scalar_as<double>(call.scalars[0])));
        if (call.ints[1]) x = std::min(x, C<T>(scalar_as<double>(call.scalars[1])));
        return x;
      }
      default: sdk::unsupported(std::string(sdk::op_name(op)) + " is not a unary op");
    }
  }
}

// One loop per (op, dtype): the switch is hoisted out of the element loop by
// instantiating the loop for each op.
template <typename T, int32_t Op>
void unary_loop(const ember_op_call& call) {
  auto plan = make_plan<2>({&call.outputs[0], &call.inputs[0]});
  for_each_run(plan, [&](const std::array<char*, 2>& p, int64_t n, const std::array<int64_t, 2>& s) {
    T* out = reinterpret_cast<T*>(p[0]);
    const T* in = reinterpret_cast<const T*>(p[1]);
    vectorized<std::is_floating_point_v<T>>([&]() EMBER_VECTOR_LOOP {
      if (s[0] == sizeof(T) && s[1] == sizeof(T)) {
        for (int64_t i = 0; i < n; ++i) out[i] = T(apply<T>(Op, C<T>(in[i]), call));
      } else {
        for (int64_t i = 0; i < n; ++i) {
          *reinterpret_cast<T*>(p[0] + i * s[0]) =
              T(apply<T>(Op, C<T>(*reinterpret_cast<const T*>(p[1] + i * s[1])), call));
        }
      }
    });
  });
}

template <int32_t Op>
void unary_kernel(const ember_op_call& call) {
  if (call.inputs[0].dtype != call.outputs[0].dtype)
    sdk::fail(std::string(sdk::op_name(Op)) + ": input and output dtypes differ");
  sdk::dispatch_dtype(call.outputs[0].dtype, [&]<typename T>() { unary_loop<T, Op>(call); });
}

template <int32_t Op>
int32_t unary_entry(const ember_op_call* call) {
  return sdk::guarded(call->error, call->error_capacity, [&] { unary_kernel<Op>(*call); });
}

// logical_not reads any dtype and writes bool.
EMBER_KERNEL(logical_not_kernel) {
  auto plan = make_plan<2>({&call.outputs[0], &call.inputs[0]});
  sdk::dispatch_dtype(call.inputs[0].dtype, [&]<typename T>() {
    for_each_run(plan, [&](const std::array<char*, 2>& p, int64_t n, const std::array<int64_t, 2>& s) {
      for (int64_t i = 0; i < n; ++i)
        *reinterpret_cast<bool*>(p[0] + i * s[0]) = !(C<T>(*reinterpret_cast<const T*>(p[1] + i * s[1])) != C<T>(0));
    });
  });
}

}  // namespace

void register_unary_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_NEG, type, unary_entry<EMBER_OP_NEG>);
  r.kernel(EMBER_OP_ABS, type, unary_entry<EMBER_OP_ABS>);
  r.kernel(EMBER_OP_EXP, type, unary_entry<EMBER_OP_EXP>);
  r.kernel(EMBER_OP_LOG, type, unary_entry<EMBER_OP_LOG>);
  r.kernel(EMBER_OP_SQRT, type, unary_entry<EMBER_OP_SQRT>);
  r.kernel(EMBER_OP_RSQRT, type, unary_entry<EMBER_OP_RSQRT>);
  r.kernel(EMBER_OP_SIN, type, unary_entry<EMBER_OP_SIN>);
  r.kernel(EMBER_OP_COS, type, unary_entry<EMBER_OP_COS>);
  r.kernel(EMBER_OP_TANH, type, unary_entry<EMBER_OP_TANH>);
  r.kernel(EMBER_OP_SIGMOID, type, unary_entry<EMBER_OP_SIGMOID>);
  r.kernel(EMBER_OP_RELU, type, unary_entry<EMBER_OP_RELU>);
  r.kernel(EMBER_OP_SIGN, type, unary_entry<EMBER_OP_SIGN>);
  r.kernel(EMBER_OP_FLOOR, type, unary_entry<EMBER_OP_FLOOR>);
  r.kernel(EMBER_OP_CEIL, type, unary_entry<EMBER_OP_CEIL>);
  r.kernel(EMBER_OP_ROUND, type, unary_entry<EMBER_OP_ROUND>);
  r.kernel(EMBER_OP_TRUNC, type, unary_entry<EMBER_OP_TRUNC>);
  r.kernel(EMBER_OP_CLAMP, type, unary_entry<EMBER_OP_CLAMP>);
  r.kernel(EMBER_OP_LOGICAL_NOT, type, logical_not_kernel);
}

}  // namespace ember::cpu
