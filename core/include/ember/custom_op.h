#pragma once
// Ops that plugins add at run time (register_op in the plugin ABI).
#include <string>
#include <vector>

#include "ember/tensor.h"

namespace ember {

// Runs the op `name` that a loaded plugin added. Its outputs have the first
// input's shape, dtype and device; gradients flow through the backward the
// plugin registered (an Error at backward time if it registered none).
std::vector<Tensor> call_op(const std::string& name, const std::vector<Tensor>& inputs,
                            const std::vector<Scalar>& scalars = {}, const std::vector<int64_t>& ints = {});

}  // namespace ember
