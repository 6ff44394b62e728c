#pragma once
// Embedding, as torch.nn.Embedding: a lookup table of num_embeddings rows.
#include <ostream>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

class EmbeddingImpl : public Module {
 public:
  EmbeddingImpl(int64_t num_embeddings, int64_t embedding_dim)
      : EmbeddingImpl(EmbeddingOptions(num_embeddings, embedding_dim)) {}
  explicit EmbeddingImpl(const EmbeddingOptions& options);
  Tensor forward(const Tensor& indices);
  // normal_(0, 1), then zeros in the padding_idx row.
  void reset_parameters();
  void pretty_print(std::ostream& out) const override;

  EmbeddingOptions options;
  Tensor weight;  // (num_embeddings, embedding_dim)
};
EMBER_MODULE(Embedding);

}  // namespace ember::nn
