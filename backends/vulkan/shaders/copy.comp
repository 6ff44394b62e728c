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
    const O v = O(SCALAR_T(0));
    FOR_EACH(i, g.numel) out_[at(0, i)] = v;
    return;
  }
  FOR_EACH(i, g.numel) {
#if defined(O_BOOL)
    out_[at(0, i)] = O(in_[at(1, i)] != I(0) ? 1 : 0);
#elif defined(I_BOOL) || defined(I_U8)
    out_[at(0, i)] = O(uint(in_[at(1, i)]));
#else
    out_[at(0, i)] = O(in_[at(1, i)]);
#endif
  }
}
