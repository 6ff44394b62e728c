#pragma once
// Options of MultiheadAttention, as libtorch's torch/nn/options/activation.h.
#include <cstdint>

#include "ember/nn/options/arg.h"

namespace ember::nn {

struct MultiheadAttentionOptions {
  MultiheadAttentionOptions(int64_t embed_dim, int64_t num_heads)
      : embed_dim_(embed_dim), num_heads_(num_heads), kdim_(embed_dim), vdim_(embed_dim) {}
  EMBER_NN_ARG(int64_t, embed_dim, 0);
  // embed_dim is split across the heads: it must be divisible by num_heads.
  EMBER_NN_ARG(int64_t, num_heads, 1);
  // The dropout probability on the attention weights, in training.
  EMBER_NN_ARG(double, dropout, 0.0);
  // Whether the in- and out-projections have biases.
  EMBER_NN_ARG(bool, bias, true);
  // Not supported (must stay false): learned key/value biases appended to the
  // sequence.
  EMBER_NN_ARG(bool, add_bias_kv, false);
  // Not supported (must stay false): a zero key/value appended to the sequence.
  EMBER_NN_ARG(bool, add_zero_attn, false);
  // The features of key and value; when either differs from embed_dim the
  // projections are separate (q_proj_weight, k_proj_weight, v_proj_weight).
  EMBER_NN_ARG(int64_t, kdim, 0);
  EMBER_NN_ARG(int64_t, vdim, 0);
  // Inputs and outputs are (batch, seq, feature) instead of (seq, batch, feature).
  EMBER_NN_ARG(bool, batch_first, false);
};

}  // namespace ember::nn
