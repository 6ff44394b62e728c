#pragma once
// linear(x, weight, bias) as one op (PyTorch's addmm) where the device fuses
// it: the bias rides in the matrix product's epilogue instead of a second
// pass over the output.
#include <optional>

#include "ember/tensor.h"

namespace ember::detail {

// x (M, K) weight^T + bias through the device's ADDMM kernel, recorded as
// one "AddmmBackward0" node (a contiguous (*, K) input: a view of that of
// its rows, "ViewBackward0", as PyTorch); nullopt when the operands do not suit it (not
// 2-d, mixed dtypes or devices) or the device has no such kernel. The
// caller then composes matmul and add, which also reports bad operands.
std::optional<Tensor> fused_linear(const Tensor& x, const Tensor& weight, const Tensor& bias);

}  // namespace ember::detail
