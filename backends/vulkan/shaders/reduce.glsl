// Reduction geometry (reduce.cpp, ReduceGeometry): the kept dims (the
// output varies along them) and the reduced dims, coalesced; strides in
// elements. out2 is max_dim / min_dim's index output.
#define MAX_DIMS 8
layout(std430, set = 0, binding = 4) readonly buffer ReduceGeometry {
  int nk, nr, outputs, count, in_offset, out_offset, out2_offset, per_item;
  int k_sizes[MAX_DIMS], k_in[MAX_DIMS], k_out[MAX_DIMS], k_out2[MAX_DIMS];
  int r_sizes[MAX_DIMS], r_in[MAX_DIMS];
} g;

// Offsets of the o-th output: into the input, the output and the indices.
void kept_offsets(int o, out int oi, out int oo, out int oo2) {
  oi = g.in_offset;
  oo = g.out_offset;
  oo2 = g.out2_offset;
  for (int d = g.nk - 1; d >= 0; --d) {
    const int c = o % g.k_sizes[d];
    o /= g.k_sizes[d];
    oi += c * g.k_in[d];
    oo += c * g.k_out[d];
    oo2 += c * g.k_out2[d];
  }
}
// Offset of the j-th element of a slice, relative to the slice's start.
int reduced_offset(int j) {
  if (g.nr == 1) return j * g.r_in[0];
  int o = 0;
  for (int d = g.nr - 1; d >= 0; --d) {
    const int c = j % g.r_sizes[d];
    j /= g.r_sizes[d];
    o += c * g.r_in[d];
  }
  return o;
}
