#version 450
// Strided copy with a dtype conversion (variant per pair O <- I); fill.
#include "common.glsl"
#include "geometry.glsl"
#include "ops.glsl"

layout(std430, set = 0, binding = 0) buffer Out { O out_[]; };
layout(std430, set = 0, binding = 1) readonly buffer In { I in_[]; };

void main() {
  if (OP == OP_FILL) {
    // the value arrives in O's representation (in I = O variants)
    const O v = O_STORE(SCALAR_T(0));
    FOR_EACH(i, g.numel) out_[at(0, i)] = v;
    return;
  }
  FOR_EACH(i, g.numel) {
#if defined(O_BOOL)
    out_[at(0, i)] = O(I_LOAD(in_[at(1, i)]) != I_C(0) ? 1 : 0);
#elif defined(O_U8) && defined(I_FLOAT)
    // through int, as the CPU's static_cast<uint8_t>(float) does on x86 (negatives wrap)
    out_[at(0, i)] = O(uint(int(I_LOAD(in_[at(1, i)]))));
#elif defined(I_HALF) || defined(O_HALF)  // through float
    out_[at(0, i)] = O_STORE(O_C(I_LOAD(in_[at(1, i)])));
#elif defined(I_BOOL) || defined(I_U8)
    out_[at(0, i)] = O(uint(in_[at(1, i)]));
#else
    out_[at(0, i)] = O(in_[at(1, i)]);
#endif
  }
}
