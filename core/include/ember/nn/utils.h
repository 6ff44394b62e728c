#pragma once
// nn::utils: gradient clipping and flattening parameters, as torch.nn.utils.
#include <vector>

#include "ember/tensor.h"

namespace ember::nn::utils {

// Scales the gradients so their total `norm_type` norm is at most
// `max_norm`; returns the total norm before clipping (PyTorch 1.13's rule,
// with its 1e-6 in the denominator). Use INFINITY for the max norm.
Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type = 2);
// Clamps every gradient element into [-clip_value, clip_value].
void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value);
// The parameters flattened and concatenated into one 1-d tensor.
Tensor parameters_to_vector(const std::vector<Tensor>& parameters);

}  // namespace ember::nn::utils
