// MultiheadAttention as PyTorch 1.13's F.multi_head_attention_forward
// computes it, from ember ops: in-projection, per-head scaled dot products
// with the masks added to the scores, softmax, dropout, out-projection.
#include "ember/nn/attention.h"

#include <cmath>
#include <limits>

#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/nn/functional.h"
#include "ember/nn/init.h"
#include "tensor/make.h"

namespace ember::nn {

using ember::detail::shape_str;

MultiheadAttentionImpl::MultiheadAttentionImpl(const MultiheadAttentionOptions& options_) : options(options_) {
  const int64_t embed_dim = options.embed_dim(), num_heads = options.num_heads();
  EMBER_CHECK(embed_dim > 0 && num_heads > 0,
              "MultiheadAttention: embed_dim and num_heads must be greater than zero, got embed_dim ", embed_dim,
              " and num_heads ", num_heads);
  EMBER_CHECK(embed_dim % num_heads == 0,
              "MultiheadAttention: embed_dim must be divisible by num_heads, got embed_dim ", embed_dim,
              " and num_heads ", num_heads, "; choose a num_heads that divides embed_dim");
  EMBER_CHECK(options.kdim() > 0 && options.vdim() > 0,
              "MultiheadAttention: kdim and vdim must be greater than zero, got ", options.kdim(), " and ",
              options.vdim());
  EMBER_CHECK(!options.add_bias_kv(), "MultiheadAttention: add_bias_kv=true is not supported; leave it false");
  EMBER_CHECK(!options.add_zero_attn(), "MultiheadAttention: add_zero_attn=true is not supported; leave it false");
  EMBER_CHECK(options.dropout() >= 0 && options.dropout() <= 1, "MultiheadAttention: dropout must be in [0, 1], got ",
              options.dropout());
  head_dim = embed_dim / num_heads;
  qkv_same_embed_dim = options.kdim() == embed_dim && options.vdim() == embed_dim;
  // PyTorch's registration order (named_parameters and state dicts follow it).
  if (qkv_same_embed_dim) {
    in_proj_weight = register_parameter("in_proj_weight", empty({3 * embed_dim, embed_dim}));
  } else {
    q_proj_weight = register_parameter("q_proj_weight", empty({embed_dim, embed_dim}));
    k_proj_weight = register_parameter("k_proj_weight", empty({embed_dim, options.kdim()}));
    v_proj_weight = register_parameter("v_proj_weight", empty({embed_dim, options.vdim()}));
  }
  if (options.bias()) in_proj_bias = register_parameter("in_proj_bias", empty({3 * embed_dim}));
  // Constructing out_proj draws its Linear initialisation before the
  // in-projection's, as in PyTorch.
  out_proj = register_module("out_proj",
                             NonDynamicallyQuantizableLinear(LinearOptions(embed_dim, embed_dim).bias(options.bias())));
  reset_parameters();
}

void MultiheadAttentionImpl::reset_parameters() {
  if (qkv_same_embed_dim) {
    init::xavier_uniform_(in_proj_weight);
  } else {
    init::xavier_uniform_(q_proj_weight);
    init::xavier_uniform_(k_proj_weight);
    init::xavier_uniform_(v_proj_weight);
  }
  if (in_proj_bias.defined()) {
    init::zeros_(in_proj_bias);
    init::zeros_(out_proj->bias);
  }
}

namespace {

// A mask as scores to add: a bool mask becomes -inf where true, 0 elsewhere;
// a float mask is added as it is.
Tensor additive_mask(const Tensor& mask, Dtype dtype) {
  if (mask.dtype() != kBool) return mask;
  return zeros(mask.sizes(), TensorOptions().dtype(dtype).device(mask.device()))
      .masked_fill(mask, -std::numeric_limits<double>::infinity());
}

void check_mask_dtype(const Tensor& mask, const char* what) {
  EMBER_CHECK(mask.dtype() == kBool || mask.is_floating_point(), "MultiheadAttention: only bool and floating types of ",
              what, " are supported, got ", mask.dtype());
}

}  // namespace

std::tuple<Tensor, Tensor> MultiheadAttentionImpl::forward(const Tensor& query, const Tensor& key, const Tensor& value,
                                                           const Tensor& key_padding_mask, bool need_weights,
                                                           const Tensor& attn_mask, bool average_attn_weights) {
  const int64_t embed_dim = options.embed_dim(), num_heads = options.num_heads();
  EMBER_CHECK(query.defined() && key.defined() && value.defined(),
              "MultiheadAttention: query, key and value must be defined");
  EMBER_CHECK((query.dim() == 3 || query.dim() == 2) && key.dim() == query.dim() && value.dim() == query.dim(),
              "MultiheadAttention: query, key and value must all be 3-D (batched) or all 2-D (unbatched), got shapes ",
              shape_str(query.sizes()), ", ", shape_str(key.sizes()), " and ", shape_str(value.sizes()));
  const bool batched = query.dim() == 3;
  // Work in (seq, batch, feature).
  auto to_seq_first = [&](const Tensor& t) {
    return batched ? (options.batch_first() ? t.transpose(0, 1) : t) : t.unsqueeze(1);
  };
  const Tensor q_in = to_seq_first(query), k_in = to_seq_first(key), v_in = to_seq_first(value);
  const int64_t tgt_len = q_in.size(0), bsz = q_in.size(1), src_len = k_in.size(0);
  EMBER_CHECK(q_in.size(2) == embed_dim, "MultiheadAttention: expected query with embed_dim=", embed_dim,
              " features, got shape ", shape_str(query.sizes()));
  EMBER_CHECK(k_in.size(2) == options.kdim() && v_in.size(2) == options.vdim(),
              "MultiheadAttention: expected key with kdim=", options.kdim(), " and value with vdim=", options.vdim(),
              " features, got shapes ", shape_str(key.sizes()), " and ", shape_str(value.sizes()));
  EMBER_CHECK(k_in.size(0) == v_in.size(0) && k_in.size(1) == bsz && v_in.size(1) == bsz,
              "MultiheadAttention: key and value must have the same sequence length and the query's batch size, "
              "got query ",
              shape_str(query.sizes()), ", key ", shape_str(key.sizes()), " and value ", shape_str(value.sizes()));

  // The in-projection, one third of the packed weight and bias each.
  Tensor q, k, v;
  std::vector<Tensor> b = in_proj_bias.defined() ? in_proj_bias.chunk(3) : std::vector<Tensor>(3);
  if (qkv_same_embed_dim) {
    const auto w = in_proj_weight.chunk(3);
    q = functional::linear(q_in, w[0], b[0]);
    k = functional::linear(k_in, w[1], b[1]);
    v = functional::linear(v_in, w[2], b[2]);
  } else {
    q = functional::linear(q_in, q_proj_weight, b[0]);
    k = functional::linear(k_in, k_proj_weight, b[1]);
    v = functional::linear(v_in, v_proj_weight, b[2]);
  }

  // Both masks merge into one additive (bsz·heads, tgt_len or 1, src_len).
  Tensor mask;
  if (attn_mask.defined()) {
    check_mask_dtype(attn_mask, "attn_mask");
    if (attn_mask.dim() == 2) {
      EMBER_CHECK(attn_mask.sizes().equals({tgt_len, src_len}),
                  "MultiheadAttention: the 2-D attn_mask should have shape ", shape_str({tgt_len, src_len}),
                  " (target length, source length), got ", shape_str(attn_mask.sizes()));
      mask = additive_mask(attn_mask.unsqueeze(0), q.dtype());
    } else {
      EMBER_CHECK(attn_mask.dim() == 3 && attn_mask.sizes().equals({bsz * num_heads, tgt_len, src_len}),
                  "MultiheadAttention: attn_mask should have shape ", shape_str({tgt_len, src_len}), " or ",
                  shape_str({bsz * num_heads, tgt_len, src_len}), " (batch * num_heads, target, source), got ",
                  shape_str(attn_mask.sizes()));
      mask = additive_mask(attn_mask, q.dtype());
    }
  }
  if (key_padding_mask.defined()) {
    check_mask_dtype(key_padding_mask, "key_padding_mask");
    const Tensor kpm = batched ? key_padding_mask : key_padding_mask.unsqueeze(0);
    EMBER_CHECK(kpm.sizes().equals({bsz, src_len}), "MultiheadAttention: expected key_padding_mask of shape ",
                shape_str(batched ? std::vector<int64_t>{bsz, src_len} : std::vector<int64_t>{src_len}),
                " (batch, source length), got ", shape_str(key_padding_mask.sizes()));
    const Tensor per_head = additive_mask(
        kpm.view({bsz, 1, 1, src_len}).expand({bsz, num_heads, 1, src_len}).reshape({bsz * num_heads, 1, src_len}),
        q.dtype());
    mask = mask.defined() ? mask + per_head : per_head;
  }

  // (seq, batch, E) -> (batch·heads, seq, head_dim).
  auto split_heads = [&](const Tensor& t, int64_t len) {
    return t.contiguous().view({len, bsz * num_heads, head_dim}).transpose(0, 1);
  };
  q = split_heads(q, tgt_len);
  k = split_heads(k, src_len);
  v = split_heads(v, src_len);

  Tensor scores = bmm(q / std::sqrt(double(head_dim)), k.transpose(-2, -1));
  if (mask.defined()) scores = mask + scores;
  Tensor weights = softmax(scores, -1);
  if (options.dropout() > 0 && is_training())
    weights = functional::dropout(weights, functional::DropoutFuncOptions().p(options.dropout()).training(true));

  Tensor output = bmm(weights, v).transpose(0, 1).contiguous().view({tgt_len * bsz, embed_dim});
  output = functional::linear(output, out_proj->weight, out_proj->bias).view({tgt_len, bsz, embed_dim});
  if (!batched)
    output = output.squeeze(1);
  else if (options.batch_first())
    output = output.transpose(0, 1);

  if (!need_weights) return {output, Tensor()};
  weights = weights.view({bsz, num_heads, tgt_len, src_len});
  if (average_attn_weights) weights = weights.sum(std::vector<int64_t>{1}) / double(num_heads);
  if (!batched) weights = weights.squeeze(0);
  return {output, weights};
}

}  // namespace ember::nn
