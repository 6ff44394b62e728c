#pragma once
// Building tensors inside the core: fresh outputs and views.
#include "ember/tensor.h"

namespace ember::detail {

DimVector contiguous_strides(IntArrayRef sizes);
// A new contiguous tensor with uninitialised memory.
Tensor make_tensor(IntArrayRef sizes, Dtype dtype, const Device& device);
// A new tensor like `t` (shape, and layout as PyTorch's memory_format=preserve:
// t's own strides when t is non-overlapping and dense, otherwise dense strides
// that keep the order of t's), of `dtype` on `device`, uninitialised.
Tensor make_tensor_like(const Tensor& t, Dtype dtype, const Device& device);
// PyTorch's is_non_overlapping_and_dense and infer_dense_strides.
bool is_non_overlapping_and_dense(IntArrayRef sizes, IntArrayRef strides);
DimVector infer_dense_strides(IntArrayRef sizes, IntArrayRef strides);
// A view of `base`'s storage.
Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset);
// A view of `base`'s storage with another dtype's reading of the same bytes
// is not offered; views keep the dtype.

// Wraps a possibly negative dim into [0, ndim). `op` names the caller.
int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op);
// "[2, 3]"
std::string shape_str(IntArrayRef sizes);
// "float32 tensor of shape [2, 3] on cpu"
std::string describe(const Tensor& t);

// An in-place write into a tensor whose elements share memory (an expanded
// view: stride 0 over a dim of size > 1) is an Error naming `op`.
void check_no_internal_overlap(const char* op, const Tensor& t);

// The broadcast of two shapes, or an Error naming `op` and both shapes.
DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b, const char* op);

}  // namespace ember::detail
