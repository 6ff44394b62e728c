#pragma once
// Shared machinery of the elementwise ops (core-private).
#include "ember/tensor.h"
#include "ember/sdk/abi.h"

namespace ember::ops {

// PyTorch's result_type over operands where any may be a wrapped number.
struct ResultType {
  Dtype dim_result = Dtype(-1), zero_result = Dtype(-1), wrapped_result = Dtype(-1);
  void add(const Tensor& t);
  void add(const Scalar& s);
  Dtype result() const;
};

// a ∘ b with broadcasting and promotion; `out_dtype` overrides the result
// dtype (comparisons give kBool).
Tensor binary(ember_op op, const Tensor& a, const Tensor& b, std::optional<Dtype> out_dtype = {},
              const Scalar& alpha = 1);
Tensor binary(ember_op op, const Tensor& a, const Scalar& b, std::optional<Dtype> out_dtype = {},
              const Scalar& alpha = 1);
// self ∘= other, in place.
Tensor& binary_(ember_op op, Tensor& self, const Tensor& other, const Scalar& alpha = 1);
// A 0-d tensor of `dtype` on `device` holding `value`.
Tensor scalar_tensor(const Scalar& value, Dtype dtype, const Device& device);

}  // namespace ember::ops
