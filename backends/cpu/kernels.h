#pragma once
// The CPU backend's kernel families; each file registers its own ops.
#include <cstdint>

#include "ember/sdk/backend.h"

namespace ember::cpu {

void register_unary_kernels(sdk::Registrar& r, int32_t device_type);
void register_binary_kernels(sdk::Registrar& r, int32_t device_type);
void register_reduce_kernels(sdk::Registrar& r, int32_t device_type);
void register_matmul_kernels(sdk::Registrar& r, int32_t device_type);
void register_copy_kernels(sdk::Registrar& r, int32_t device_type);
void register_index_kernels(sdk::Registrar& r, int32_t device_type);
void register_random_kernels(sdk::Registrar& r, int32_t device_type);
void register_softmax_kernels(sdk::Registrar& r, int32_t device_type);
void register_window_kernels(sdk::Registrar& r, int32_t device_type);
void register_conv_kernels(sdk::Registrar& r, int32_t device_type);
void register_linear_kernels(sdk::Registrar& r, int32_t device_type);
void register_layer_norm_kernels(sdk::Registrar& r, int32_t device_type);
void register_adam_kernels(sdk::Registrar& r, int32_t device_type);

// The CPU generator (random.cpp): PyTorch's mt19937 stream.
void manual_seed(uint64_t seed);

}  // namespace ember::cpu
