// Reductions. The output arrives at the input's rank with stride 0 along the
// reduced dims. Long slices get a workgroup each (subgroup arithmetic where
// the device has it, shared memory otherwise); many short slices get an
// invocation each. max_dim / min_dim walk their dim in one invocation per
// output, as the CPU does.
#include "context.h"

namespace ember::vulkan {
namespace {

// shaders/reduce.glsl's block
struct ReduceGeometry {
  int32_t nk, nr, outputs, count, in_offset, out_offset, out2_offset, per_item;
  int32_t k_sizes[kMaxDims], k_in[kMaxDims], k_out[kMaxDims], k_out2[kMaxDims];
  int32_t r_sizes[kMaxDims], r_in[kMaxDims];
};

// Splits the input's dims into kept and reduced (is_reduced(d)), merging
// neighbours that are contiguous across each other.
template <typename IsReduced>
ReduceGeometry split_dims(const ember_tensor& in, const ember_tensor& out, const ember_tensor* out2,
                          IsReduced is_reduced) {
  ReduceGeometry s{};
  int64_t outputs = 1, count = 1;
  s.in_offset = to_i32(in.offset);
  s.out_offset = to_i32(out.offset);
  s.out2_offset = out2 ? to_i32(out2->offset) : 0;
  for (int d = 0; d < in.ndim; ++d) {
    const int64_t size = in.sizes[d];
    if (size == 1) continue;
    const int32_t sz = to_i32(size), st = to_i32(in.strides[d]);
    if (is_reduced(d)) {
      count *= size;
      if (s.nr > 0 && s.r_in[s.nr - 1] == in.strides[d] * size) {
        s.r_sizes[s.nr - 1] *= sz;
        s.r_in[s.nr - 1] = st;
      } else {
        if (s.nr == kMaxDims) sdk::unsupported("the Vulkan backend handles at most 8 (merged) dimensions");
        s.r_sizes[s.nr] = sz;
        s.r_in[s.nr++] = st;
      }
    } else {
      outputs *= size;
      const int64_t o2 = out2 ? out2->strides[d] : 0;
      if (s.nk > 0 && s.k_in[s.nk - 1] == in.strides[d] * size && s.k_out[s.nk - 1] == out.strides[d] * size &&
          s.k_out2[s.nk - 1] == o2 * size) {
        s.k_sizes[s.nk - 1] *= sz;
        s.k_in[s.nk - 1] = st;
        s.k_out[s.nk - 1] = to_i32(out.strides[d]);
        s.k_out2[s.nk - 1] = to_i32(o2);
      } else {
        if (s.nk == kMaxDims) sdk::unsupported("the Vulkan backend handles at most 8 (merged) dimensions");
        s.k_sizes[s.nk] = sz;
        s.k_in[s.nk] = st;
        s.k_out[s.nk] = to_i32(out.strides[d]);
        s.k_out2[s.nk++] = to_i32(o2);
      }
    }
  }
  s.outputs = to_i32(outputs);
  s.count = to_i32(count);
  return s;
}

template <int32_t Op>
int32_t reduce_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
    constexpr bool all_any = Op == EMBER_OP_ALL || Op == EMBER_OP_ANY;
    if constexpr (all_any) {
      if (out.dtype != EMBER_DTYPE_BOOL) sdk::fail("all/any write bool");
    } else {
      if (out.dtype != in.dtype) sdk::fail(std::string(sdk::op_name(Op)) + ": input and output dtypes differ");
      if ((Op == EMBER_OP_SUM || Op == EMBER_OP_PROD) && in.dtype == EMBER_DTYPE_BOOL)
        sdk::unsupported("sum/prod of bool must be computed in int64 (the core converts)");
    }
    Device& dev = device_of(call);
    suffix(dev, out.dtype, true);
    ReduceGeometry g = split_dims(in, out, nullptr, [&](int d) { return out.strides[d] == 0; });
    if (g.outputs == 0) return;
    // A workgroup per output pays off for long slices, or when there are
    // too few outputs to keep the device busy otherwise.
    g.per_item = g.count < 256 && g.outputs >= 64;
    // subgroup arithmetic on 64-bit types needs shaderSubgroupExtendedTypes
    const bool subgroups = dev.subgroup_arith && in.dtype != EMBER_DTYPE_INT64 && in.dtype != EMBER_DTYPE_FLOAT64;
    const std::string name = variant(all_any ? (subgroups ? "allany_sg" : "allany") : (subgroups ? "reduce_sg" : "reduce"),
                                     dev, in.dtype, true);
    Dispatch d;
    d.variant = name.c_str();
    d.op = Op;
    d.buffers[0] = allocation(out);
    d.buffers[1] = allocation(in);
    d.params = &g;
    d.params_size = sizeof g;
    if (g.per_item) {
      d.groups[0] = groups_for(g.outputs);
    } else {
      d.groups[0] = uint32_t(std::min(g.outputs, 65535));
      d.groups[1] = uint32_t((g.outputs + 65534) / 65535);
    }
    dispatch(dev, d);
  });
}

template <int32_t Op>
int32_t extreme_entry(const ember_op_call* c) {
  return sdk::guarded(c->error, c->error_capacity, [&] {
    const ember_op_call& call = *c;
    const ember_tensor &in = call.inputs[0], &values = call.outputs[0], &indices = call.outputs[1];
    if (indices.dtype != EMBER_DTYPE_INT64) sdk::fail("max/min: indices must be int64");
    const int dim = int(call.ints[0]);
    Device& dev = device_of(call);
    suffix(dev, EMBER_DTYPE_INT64);
    const std::string name = variant("extreme", dev, in.dtype, true);
    ReduceGeometry g = split_dims(in, values, &indices, [&](int d) { return d == dim; });
    if (g.outputs == 0) return;
    Dispatch d;
    d.variant = name.c_str();
    d.op = Op;
    d.buffers[0] = allocation(values);
    d.buffers[1] = allocation(in);
    d.buffers[2] = allocation(indices);
    d.params = &g;
    d.params_size = sizeof g;
    d.groups[0] = groups_for(g.outputs);
    dispatch(dev, d);
  });
}

}  // namespace

void register_reduce_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_SUM, type, reduce_entry<EMBER_OP_SUM>);
  r.kernel(EMBER_OP_PROD, type, reduce_entry<EMBER_OP_PROD>);
  r.kernel(EMBER_OP_AMAX, type, reduce_entry<EMBER_OP_AMAX>);
  r.kernel(EMBER_OP_AMIN, type, reduce_entry<EMBER_OP_AMIN>);
  r.kernel(EMBER_OP_ALL, type, reduce_entry<EMBER_OP_ALL>);
  r.kernel(EMBER_OP_ANY, type, reduce_entry<EMBER_OP_ANY>);
  r.kernel(EMBER_OP_MAX_DIM, type, extreme_entry<EMBER_OP_MAX_DIM>);
  r.kernel(EMBER_OP_MIN_DIM, type, extreme_entry<EMBER_OP_MIN_DIM>);
}

}  // namespace ember::vulkan
