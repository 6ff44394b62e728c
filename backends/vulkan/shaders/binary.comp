#version 450
// Binary elementwise ops on T: in[1] op in[2] -> out (T, or bool for the
// comparisons and logical ops: the COMPARE variants), logical_not (COMPARE,
// one input), and where (cond, a, b -> T).
#include "common.glsl"
#include "geometry.glsl"
#include "ops.glsl"
#if defined(T_F64)
#include "double_math.glsl"
#endif

#if defined(COMPARE)
layout(std430, set = 0, binding = 0) buffer Out { uint8_t out_[]; };
#else
layout(std430, set = 0, binding = 0) buffer Out { T out_[]; };
#endif
#if defined(WHERE)  // its own variants: only they need 8-bit storage for the condition
layout(std430, set = 0, binding = 3) readonly buffer Cond { uint8_t cond_[]; };
#endif
layout(std430, set = 0, binding = 1) readonly buffer A { T a_[]; };
layout(std430, set = 0, binding = 2) readonly buffer B { T b_[]; };

#if defined(T_INT)
T_C int_pow(T_C base, T_C e) {
#if !defined(T_UNSIGNED)
  if (e < T_C(0)) return base == T_C(1) ? T_C(1) : (base == T_C(-1) ? ((e & T_C(1)) != T_C(0) ? base : T_C(1)) : T_C(0));
#endif
  T_C r = T_C(1);
  while (e != T_C(0)) {
    if ((e & T_C(1)) != T_C(0)) r = r * base;
    e >>= 1;
    base = base * base;
  }
  return r;
}
#endif

#if defined(T_FLOAT) && !defined(T_F64)  // no double pow in GLSL: binary.cpp declines it
// C's pow where GLSL's is undefined (x < 0, x == 0): negative bases with
// integral exponents, zero bases, nan.
T_C fpow(T_C a, T_C b) {
  if (b == T_C(0)) return T_C(1);
  if (b == T_C(2)) return a * a;
  if (isnan(a) || isnan(b)) return a + b;
  if (a == T_C(0)) return b > T_C(0) ? T_C(0) : T_C(1.0 / 0.0);
  T_C r = pow(abs(a), b);
  if (a < T_C(0)) {
    if (floor(b) != b) return T_C(0.0 / 0.0);
    if (mod(b, T_C(2)) == T_C(1)) r = -r;
  }
  return r;
}
#endif

#if !defined(COMPARE)
T_C apply(T_C a, T_C b) {
  const T_C alpha = SCALAR_T(0);
#if defined(T_FLOAT)
  switch (OP) {
    case OP_ADD: { precise T_C r = a + alpha * b; return r; }
    case OP_SUB: { precise T_C r = a - alpha * b; return r; }
    case OP_MUL: return a * b;
    case OP_DIV: return a / b;
#if defined(T_F64)
    case OP_POW: return dpow(a, b);
#else
    case OP_POW: return fpow(a, b);
#endif
    case OP_MAXIMUM: return isnan(a) || isnan(b) ? a + b : (a > b ? a : b);  // nan propagates
    case OP_MINIMUM: return isnan(a) || isnan(b) ? a + b : (a < b ? a : b);
  }
#elif defined(T_INT)
  switch (OP) {
    case OP_ADD: return a + alpha * b;
    case OP_SUB: return a - alpha * b;
    case OP_MUL: return a * b;
    case OP_POW: return int_pow(a, b);
    case OP_MAXIMUM: return a > b ? a : b;
    case OP_MINIMUM: return a < b ? a : b;
  }
#else  // bool
  switch (OP) {
    case OP_ADD: return (a != 0u || (b != 0u && alpha != 0u)) ? 1u : 0u;
    case OP_MUL: return (a != 0u && b != 0u) ? 1u : 0u;
    case OP_POW: return b != 0u ? a : 1u;
    case OP_MAXIMUM: return a > b ? a : b;
    case OP_MINIMUM: return a < b ? a : b;
  }
#endif
  return a;
}
#else
bool compare(T_C a, T_C b) {
  switch (OP) {
    case OP_EQ: return a == b;
    case OP_NE: return a != b;
    case OP_LT: return a < b;
    case OP_LE: return a <= b;
    case OP_GT: return a > b;
    case OP_GE: return a >= b;
    case OP_LOGICAL_AND: return a != T_C(0) && b != T_C(0);
    case OP_LOGICAL_OR: return a != T_C(0) || b != T_C(0);
    case OP_LOGICAL_XOR: return (a != T_C(0)) != (b != T_C(0));
  }
  return false;
}
#endif

void main() {
#if defined(COMPARE)
  if (OP == OP_LOGICAL_NOT) {
    FOR_EACH(i, g.numel) out_[at(0, i)] = uint8_t(T_LOAD(a_[at(1, i)]) == T_C(0) ? 1 : 0);
    return;
  }
  FOR_EACH(i, g.numel) out_[at(0, i)] = uint8_t(compare(T_LOAD(a_[at(1, i)]), T_LOAD(b_[at(2, i)])) ? 1 : 0);
#else
#if defined(WHERE)  // operands: out, cond, a, b
  FOR_EACH(i, g.numel) out_[at(0, i)] = cond_[at(1, i)] != uint8_t(0) ? a_[at(2, i)] : b_[at(3, i)];
#else
  FOR_EACH(i, g.numel) out_[at(0, i)] = T_STORE(apply(T_LOAD(a_[at(1, i)]), T_LOAD(b_[at(2, i)])));
#endif
#endif
}
