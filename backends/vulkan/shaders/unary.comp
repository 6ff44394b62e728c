#version 450
// Unary elementwise ops on T (OP selects one); which ops exist per dtype
// mirrors the CPU backend (unary.cpp declines the rest).
#include "common.glsl"
#include "geometry.glsl"
#include "ops.glsl"
#if defined(T_F64)
#include "double_math.glsl"
#endif

layout(std430, set = 0, binding = 0) buffer Out { T out_[]; };
layout(std430, set = 0, binding = 1) readonly buffer In { T in_[]; };

T_C apply(T_C x) {
#if defined(T_FLOAT)
  switch (OP) {
    case OP_NEG: return -x;
    case OP_ABS: return abs(x);
    case OP_SQRT: return sqrt(x);
    case OP_RSQRT: return T_C(1) / sqrt(x);
#if defined(T_F64)  // GLSL's exp, log, sin, cos, tanh take float only: double_math.glsl
    case OP_EXP: return dexp(x);
    case OP_LOG: return dlog(x);
    case OP_SIN: return dsin(x);
    case OP_COS: return dcos(x);
    case OP_TANH: return dtanh(x);
    case OP_SIGMOID: return dsigmoid(x);
#else
    case OP_EXP: return exp(x);
    case OP_LOG: return log(x);
    case OP_SIN: return sin(x);
    case OP_COS: return cos(x);
    // tanh(x) = +-1 in float beyond |x| = 10; clamping keeps e^2x finite
    case OP_TANH: return isnan(x) ? x : tanh(clamp(x, T_C(-15), T_C(15)));
    case OP_SIGMOID: return T_C(1) / (T_C(1) + exp(-x));
#endif
    case OP_RELU: return x < T_C(0) ? T_C(0) : x;  // keeps nan, as PyTorch
    case OP_SIGN: return T_C(int(x > T_C(0)) - int(x < T_C(0)));
    case OP_FLOOR: return floor(x);
    case OP_CEIL: return ceil(x);
    case OP_ROUND: return roundEven(x);  // half to even, as PyTorch
    case OP_TRUNC: return trunc(x);
    case OP_CLAMP: {
      // nan stays nan; min then max, as PyTorch
      if (isnan(x)) return x;
      const T_C lo = SCALAR_T(0), hi = SCALAR_T(1);
      T_C y = pc.s[4] != 0u && x < lo ? lo : x;
      return pc.s[6] != 0u && hi < y ? hi : y;
    }
  }
#elif defined(T_INT)
  switch (OP) {
    case OP_NEG: return -x;
#if defined(T_UNSIGNED)
    case OP_ABS: return x;
    case OP_RELU: return x;
    case OP_SIGN: return T_C(x > 0u ? 1u : 0u);
#else
    case OP_ABS: return x < T_C(0) ? -x : x;
    case OP_RELU: return x > T_C(0) ? x : T_C(0);
    case OP_SIGN: return T_C(int(x > T_C(0)) - int(x < T_C(0)));
#endif
    case OP_CLAMP: {
      const T_C lo = SCALAR_T(0), hi = SCALAR_T(1);
      T_C y = pc.s[4] != 0u && x < lo ? lo : x;
      return pc.s[6] != 0u && hi < y ? hi : y;
    }
  }
#endif
  return x;  // floor, ceil, round, trunc of integers and bool; sign of bool
}

void main() {
  FOR_EACH(i, g.numel) out_[at(0, i)] = T_STORE(apply(T_LOAD(in_[at(1, i)])));
}
