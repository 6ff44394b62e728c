#pragma once
// Options of Embedding, as libtorch's torch/nn/options/embedding.h.
#include <cstdint>
#include <optional>

#include "ember/nn/options/arg.h"
#include "ember/tensor.h"

namespace ember::nn {

struct EmbeddingOptions {
  EmbeddingOptions(int64_t num_embeddings, int64_t embedding_dim)
      : num_embeddings_(num_embeddings), embedding_dim_(embedding_dim) {}
  EMBER_NN_ARG(int64_t, num_embeddings, 0);
  EMBER_NN_ARG(int64_t, embedding_dim, 0);
  // The row that is initialised to zeros and never receives a gradient
  // (negative counts from the end).
  EMBER_NN_ARG(std::optional<int64_t>, padding_idx, std::nullopt);
  // Rows looked up with a larger norm_type-norm are rescaled in place to max_norm.
  EMBER_NN_ARG(std::optional<double>, max_norm, std::nullopt);
  EMBER_NN_ARG(double, norm_type, 2.0);
  // A weight to use instead of the normal_(0, 1) initialisation.
  EMBER_NN_ARG(Tensor, _weight, {});
};

namespace functional {
struct EmbeddingFuncOptions {
  EMBER_NN_ARG(std::optional<int64_t>, padding_idx, std::nullopt);
  EMBER_NN_ARG(std::optional<double>, max_norm, std::nullopt);
  EMBER_NN_ARG(double, norm_type, 2.0);
};
}  // namespace functional

}  // namespace ember::nn
