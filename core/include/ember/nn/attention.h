#pragma once
// MultiheadAttention, as torch.nn.MultiheadAttention in PyTorch 1.13: the same
// parameters (in_proj_weight, in_proj_bias, out_proj), initialisation,
// masks and averaged attention weights.
#include <ostream>
#include <tuple>

#include "ember/nn/module.h"
#include "ember/nn/modules.h"
#include "ember/nn/options/attention.h"

namespace ember::nn {

// PyTorch's out_proj is a Linear under this name (it keeps quantization from
// swapping it); the subclass exists so the module prints as PyTorch's does.
class NonDynamicallyQuantizableLinearImpl : public LinearImpl {
 public:
  using LinearImpl::LinearImpl;
};
EMBER_MODULE(NonDynamicallyQuantizableLinear);

class MultiheadAttentionImpl : public Module {
 public:
  MultiheadAttentionImpl(int64_t embed_dim, int64_t num_heads)
      : MultiheadAttentionImpl(MultiheadAttentionOptions(embed_dim, num_heads)) {}
  explicit MultiheadAttentionImpl(const MultiheadAttentionOptions& options);
  // xavier_uniform_ on the input projection, zero biases (out_proj's weight
  // keeps Linear's initialisation), as PyTorch's _reset_parameters.
  void reset_parameters();

  // query (L, N, E), key (S, N, kdim), value (S, N, vdim), or (N, L, E)...
  // with batch_first, or unbatched (L, E)...; key_padding_mask (N, S), true
  // (or -inf) where a key is ignored; attn_mask (L, S) or (N·num_heads, L, S),
  // bool (true = not allowed) or float (added to the scores). Returns
  // (attn_output (L, N, E), attn_output_weights (N, L, S), averaged over the
  // heads, or (N, num_heads, L, S) when not averaged; undefined unless
  // need_weights).
  std::tuple<Tensor, Tensor> forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                     const Tensor& key_padding_mask = {}, bool need_weights = true,
                                     const Tensor& attn_mask = {}, bool average_attn_weights = true);

  MultiheadAttentionOptions options;
  int64_t head_dim = 0;
  // Whether key and value have embed_dim features: then one packed
  // in_proj_weight (3·E, E), else q_proj_weight, k_proj_weight, v_proj_weight.
  bool qkv_same_embed_dim = true;
  Tensor in_proj_weight, q_proj_weight, k_proj_weight, v_proj_weight;
  Tensor in_proj_bias;
  NonDynamicallyQuantizableLinear out_proj{nullptr};
};
EMBER_MODULE(MultiheadAttention);

}  // namespace ember::nn
