// Binary elementwise kernels (in[0] ∘ in[1] -> out[0]; inputs share one
// compute dtype and out's shape) and the ternary where.
#include <bit>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

template <typename T>
using C = compute_t<T>;

template <typename T>
C<T> int_pow(C<T> base, C<T> exp) {
  if constexpr (std::is_same_v<T, bool>) {
    return exp ? base : C<T>(1);
  } else {
    if constexpr (std::is_signed_v<C<T>>)
      if (exp < 0) return base == 1 ? C<T>(1) : (base == C<T>(-1) ? ((exp & 1) ? base : C<T>(1)) : C<T>(0));
    C<T> result = 1;
    while (exp) {
      if (exp & 1) result = C<T>(result * base);
      exp >>= 1;
      base = C<T>(base * base);
    }
    return result;
  }
}

// Python's floor-free true division is the core's business (it promotes ints
// to float); integer div here truncates, and x/0 on integers is an error.
template <typename T, int32_t Op>
auto apply(C<T> a, C<T> b, C<T> alpha) {
  if constexpr (Op == EMBER_OP_ADD) {
    if constexpr (std::is_same_v<T, bool>) return C<T>(a || (b && alpha));
    else return C<T>(a + alpha * b);
  } else if constexpr (Op == EMBER_OP_SUB) {
    return C<T>(a - alpha * b);
  } else if constexpr (Op == EMBER_OP_MUL) {
    if constexpr (std::is_same_v<T, bool>) return C<T>(a && b);
    else return C<T>(a * b);
  } else if constexpr (Op == EMBER_OP_DIV) {
    if constexpr (std::is_floating_point_v<C<T>>) return C<T>(a / b);
    else {
      if (b == 0) sdk::fail("div: integer division by zero");
      return C<T>(a / b);
    }
  } else if constexpr (Op == EMBER_OP_POW) {
    if constexpr (std::is_floating_point_v<C<T>>) {
      if (b == C<T>(2)) return C<T>(a * a);
      return C<T>(std::pow(a, b));
    } else {
      return int_pow<T>(a, b);
    }
  } else if constexpr (Op == EMBER_OP_MAXIMUM) {
    if constexpr (std::is_floating_point_v<C<T>>)
      if (std::isnan(a) || std::isnan(b)) return C<T>(NAN);
    return a > b ? a : b;
  } else if constexpr (Op == EMBER_OP_MINIMUM) {
    if constexpr (std::is_floating_point_v<C<T>>)
      if (std::isnan(a) || std::isnan(b)) return C<T>(NAN);
    return a < b ? a : b;
  } else if constexpr (Op == EMBER_OP_EQ) return a == b;
  else if constexpr (Op == EMBER_OP_NE) return a != b;
  else if constexpr (Op == EMBER_OP_LT) return a < b;
  else if constexpr (Op == EMBER_OP_LE) return a <= b;
  else if constexpr (Op == EMBER_OP_GT) return a > b;
  else if constexpr (Op == EMBER_OP_GE) return a >= b;
  else if constexpr (Op == EMBER_OP_LOGICAL_AND) return bool(a) && bool(b);
  else if constexpr (Op == EMBER_OP_LOGICAL_OR) return bool(a) || bool(b);
  else if constexpr (Op == EMBER_OP_LOGICAL_XOR) return bool(a) != bool(b);
}

template <int32_t Op>
constexpr bool writes_bool = Op >= EMBER_OP_EQ && Op <= EMBER_OP_LOGICAL_XOR;

template <typename T, int32_t Op>
void binary_loop(const ember_op_call& call) {
  using Out = std::conditional_t<writes_bool<Op>, bool, T>;
  const C<T> alpha = call.num_scalars > 0 ? C<T>(scalar_as<T>(call.scalars[0])) : C<T>(1);
  auto plan = make_plan<3>({&call.outputs[0], &call.inputs[0], &call.inputs[1]});
  for_each_run(plan, [&](const std::array<char*, 3>& p, int64_t n, const std::array<int64_t, 3>& s) {
    Out* out = reinterpret_cast<Out*>(p[0]);
    const T* a = reinterpret_cast<const T*>(p[1]);
    const T* b = reinterpret_cast<const T*>(p[2]);
    vectorized<std::is_floating_point_v<T>>([&]() EMBER_VECTOR_LOOP {
      if (s[0] == sizeof(Out) && s[1] == sizeof(T) && s[2] == sizeof(T)) {
        for (int64_t i = 0; i < n; ++i) out[i] = Out(apply<T, Op>(C<T>(a[i]), C<T>(b[i]), alpha));
      } else if (s[0] == sizeof(Out) && s[1] == sizeof(T) && s[2] == 0) {
        const C<T> bv = C<T>(b[0]);
        for (int64_t i = 0; i < n; ++i) out[i] = Out(apply<T, Op>(C<T>(a[i]), bv, alpha));
      } else if (s[0] == sizeof(Out) && s[1] == 0 && s[2] == sizeof(T)) {
        const C<T> av = C<T>(a[0]);
        for (int64_t i = 0; i < n; ++i) out[i] = Out(apply<T, Op>(av, C<T>(b[i]), alpha));
      } else {
        for (int64_t i = 0; i < n; ++i) {
          const C<T> x = C<T>(*reinterpret_cast<const T*>(p[1] + i * s[1]));
          const C<T> y = C<T>(*reinterpret_cast<const T*>(p[2] + i * s[2]));
          *reinterpret_cast<Out*>(p[0] + i * s[0]) = Out(apply<T, Op>(x, y, alpha));
        }
      }
    });
  });
}

template <int32_t Op>
int32_t binary_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    if (call.inputs[0].dtype != call.inputs[1].dtype)
      sdk::fail(std::string(sdk::op_name(Op)) + ": the inputs must share one dtype");
    const int32_t want_out = writes_bool<Op> ? int32_t(EMBER_DTYPE_BOOL) : call.inputs[0].dtype;
    if (call.outputs[0].dtype != want_out) sdk::fail(std::string(sdk::op_name(Op)) + ": unexpected output dtype");
    sdk::dispatch_dtype(call.inputs[0].dtype, [&]<typename T>() { binary_loop<T, Op>(call); });
  });
}

// c ? x : y without a branch: through the bits for 4- and 8-byte types.
template <typename T>
inline T select(bool c, T x, T y) {
  if constexpr (sizeof(T) == 4 || sizeof(T) == 8) {
    using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
    const Bits mask = Bits(0) - Bits(c);
    return std::bit_cast<T>(Bits((std::bit_cast<Bits>(x) & mask) | (std::bit_cast<Bits>(y) & ~mask)));
  } else {
    return c ? x : y;
  }
}

EMBER_KERNEL(where_kernel) {
  if (call.inputs[0].dtype != EMBER_DTYPE_BOOL) sdk::fail("where: the condition must be bool");
  auto plan = make_plan<4>({&call.outputs[0], &call.inputs[0], &call.inputs[1], &call.inputs[2]});
  sdk::dispatch_dtype(call.outputs[0].dtype, [&]<typename T>() {
    for_each_run(plan, [&](const std::array<char*, 4>& p, int64_t n, const std::array<int64_t, 4>& s) {
      T* out = reinterpret_cast<T*>(p[0]);
      const bool* cond = reinterpret_cast<const bool*>(p[1]);
      const T* a = reinterpret_cast<const T*>(p[2]);
      const T* b = reinterpret_cast<const T*>(p[3]);
      // Dense operands, or a broadcast scalar `other` (relu's gradient):
      // the select is done on the bits, with a mask made from the bool, so
      // the compiler vectorises it (a ?: on a bool array stays a branch per
      // element, mispredicted half the time). Only when the output is
      // distinct from the values (masked_fill_ writes into its input).
      const bool distinct = p[0] != p[2] && p[0] != p[3];
      const bool dense = distinct && s[0] == sizeof(T) && s[1] == sizeof(bool) && s[2] == sizeof(T);
      vectorized<std::is_floating_point_v<T>>([&]() EMBER_VECTOR_LOOP {
        T* __restrict o = out;
        const bool* __restrict keep = cond;
        const T* __restrict x = a;
        const T* __restrict y = b;
        if (dense && s[3] == sizeof(T)) {
          for (int64_t i = 0; i < n; ++i) o[i] = select(keep[i], x[i], y[i]);
        } else if (dense && s[3] == 0) {
          const T other = y[0];
          for (int64_t i = 0; i < n; ++i) o[i] = select(keep[i], x[i], other);
        } else {
          for (int64_t i = 0; i < n; ++i) {
            const bool c = *reinterpret_cast<const bool*>(p[1] + i * s[1]);
            *reinterpret_cast<T*>(p[0] + i * s[0]) = *reinterpret_cast<const T*>(p[c ? 2 : 3] + i * s[c ? 2 : 3]);
          }
        }
      });
    });
  });
}

}  // namespace

void register_binary_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_ADD, type, binary_entry<EMBER_OP_ADD>);
  r.kernel(EMBER_OP_SUB, type, binary_entry<EMBER_OP_SUB>);
  r.kernel(EMBER_OP_MUL, type, binary_entry<EMBER_OP_MUL>);
  r.kernel(EMBER_OP_DIV, type, binary_entry<EMBER_OP_DIV>);
  r.kernel(EMBER_OP_POW, type, binary_entry<EMBER_OP_POW>);
  r.kernel(EMBER_OP_MAXIMUM, type, binary_entry<EMBER_OP_MAXIMUM>);
  r.kernel(EMBER_OP_MINIMUM, type, binary_entry<EMBER_OP_MINIMUM>);
  r.kernel(EMBER_OP_EQ, type, binary_entry<EMBER_OP_EQ>);
  r.kernel(EMBER_OP_NE, type, binary_entry<EMBER_OP_NE>);
  r.kernel(EMBER_OP_LT, type, binary_entry<EMBER_OP_LT>);
  r.kernel(EMBER_OP_LE, type, binary_entry<EMBER_OP_LE>);
  r.kernel(EMBER_OP_GT, type, binary_entry<EMBER_OP_GT>);
  r.kernel(EMBER_OP_GE, type, binary_entry<EMBER_OP_GE>);
  r.kernel(EMBER_OP_LOGICAL_AND, type, binary_entry<EMBER_OP_LOGICAL_AND>);
  r.kernel(EMBER_OP_LOGICAL_OR, type, binary_entry<EMBER_OP_LOGICAL_OR>);
  r.kernel(EMBER_OP_LOGICAL_XOR, type, binary_entry<EMBER_OP_LOGICAL_XOR>);
  r.kernel(EMBER_OP_WHERE, type, where_kernel);
}

}  // namespace ember::cpu
