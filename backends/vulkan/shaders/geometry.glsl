// Strided geometry of an elementwise kernel (context.h, Geometry): the
// iteration shape, and per operand its element offset and strides; size-1
// dims dropped and contiguous runs merged on the host, so most tensors
// arrive as 1-d. `extra` carries kernel-specific integers.
#define MAX_DIMS 8
layout(std430, set = 0, binding = 4) readonly buffer Geometry {
  int ndim;
  int numel;
  int contiguous;
  int pad;
  int sizes[MAX_DIMS];
  int offsets[4];
  int strides[4][MAX_DIMS];
  int extra[16];
} g;

// The element offset of operand k at linear index i of the iteration space.
int at(int k, int i) {
  if (g.contiguous != 0) return g.offsets[k] + i;
  int o = g.offsets[k];
  for (int d = g.ndim - 1; d >= 0; --d) {
    const int c = i % g.sizes[d];
    i /= g.sizes[d];
    o += c * g.strides[k][d];
  }
  return o;
}
