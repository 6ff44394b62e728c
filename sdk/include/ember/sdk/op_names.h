#pragma once
// The name of each primitive op of abi.h, for messages and tables. Adding an
// op to ember_op without naming it here fails to compile.
#include <cstdint>

#include "ember/sdk/abi.h"

namespace ember::sdk {

inline constexpr const char* kOpNames[] = {
    "neg", "abs", "exp", "log", "sqrt", "rsqrt", "sin", "cos", "tanh", "sigmoid", "relu", "sign", "floor", "ceil",
    "round", "trunc", "logical_not", "clamp",
    "add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge", "logical_and",
    "logical_or", "logical_xor",
    "where",
    "sum", "prod", "amax", "amin", "all", "any", "max_dim", "min_dim",
    "bmm",
    "copy", "fill", "arange", "index_select", "gather", "scatter_add",
    "uniform", "normal", "randint", "bernoulli", "randperm",
    "softmax", "log_softmax",
    "im2col", "col2im", "max_pool2d",
    "conv2d", "conv2d_backward_input", "conv2d_backward_weight",
    "addmm", "layer_norm", "layer_norm_backward",
    "adam_step",
};
// Composites: without a kernel, the core composes them from primitives
// (every other op is a primitive, which falls back to the CPU).
inline constexpr bool is_composite_op(int32_t op) {
  return op == EMBER_OP_SOFTMAX || op == EMBER_OP_LOG_SOFTMAX || op == EMBER_OP_CONV2D ||
         op == EMBER_OP_CONV2D_BACKWARD_INPUT || op == EMBER_OP_CONV2D_BACKWARD_WEIGHT || op == EMBER_OP_ADDMM ||
         op == EMBER_OP_LAYER_NORM || op == EMBER_OP_LAYER_NORM_BACKWARD || op == EMBER_OP_ADAM_STEP;
}
static_assert(sizeof(kOpNames) / sizeof(kOpNames[0]) == EMBER_OP_COUNT,
              "every ember_op needs a name in kOpNames (in enum order)");

inline const char* op_name(int32_t op) { return op >= 0 && op < EMBER_OP_COUNT ? kOpNames[op] : "unknown op"; }

}  // namespace ember::sdk
