// F::embedding and nn::Embedding: index_select of the weight's rows.
#include "ember/nn/embedding.h"

#include <algorithm>
#include <ostream>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/indexing.h"
#include "ember/nn/init.h"
#include "nn/detail.h"

namespace ember::nn {
namespace functional {
namespace {

// padding_idx in [-rows, rows) as an index in [0, rows).
int64_t wrap_padding_idx(const char* op, int64_t padding_idx, int64_t rows) {
  EMBER_CHECK(padding_idx >= -rows && padding_idx < rows, op, ": padding_idx (", padding_idx,
              ") must be within [-num_embeddings, num_embeddings) = [", -rows, ", ", rows, ")");
  return padding_idx < 0 ? padding_idx + rows : padding_idx;
}

// torch.embedding_renorm_: each row looked up whose norm exceeds max_norm is
// scaled, in place, to max_norm (PyTorch divides by norm + 1e-7).
void renorm_rows(const Tensor& weight, const Tensor& flat, double max_norm, double norm_type) {
  NoGradGuard no_grad;
  std::vector<int64_t> rows = flat.to(kInt64).cpu().to_vector<int64_t>();
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  if (rows.empty()) return;
  const Tensor index = tensor(rows).to(weight.device());
  const Tensor selected = weight.index_select(0, index);
  const Tensor norms = selected.norm(norm_type, {1}, /*keepdim=*/true);
  const Tensor scale = where(norms > max_norm, max_norm / (norms + 1e-7), ones_like(norms));
  weight.index_put_({index}, selected * scale);
}

}  // namespace

Tensor embedding(const Tensor& input, const Tensor& weight, const EmbeddingFuncOptions& options) {
  EMBER_CHECK(input.dtype() == kInt64 || input.dtype() == kInt32,
              "embedding: expected indices of dtype int64 (Long) or int32 (Int), got ", input.dtype(),
              "; convert them with .to(ember::kInt64)");
  EMBER_CHECK(weight.dim() == 2, "embedding: expected a weight of shape (num_embeddings, embedding_dim), got one of ",
              "shape ", weight.sizes());
  const Tensor flat = input.reshape({-1});
  if (options.max_norm()) renorm_rows(weight, flat, *options.max_norm(), options.norm_type());
  // index_select checks that every index is in range.
  Tensor rows = weight.index_select(0, flat);
  if (options.padding_idx()) {
    // The padding row's value is returned, but it receives no gradient:
    // `where` sends the gradient to its chosen branch only.
    const int64_t pad = wrap_padding_idx("embedding", *options.padding_idx(), weight.size(0));
    rows = where((flat != pad).unsqueeze(1), rows, rows.detach());
  }
  std::vector<int64_t> shape(input.sizes().begin(), input.sizes().end());
  shape.push_back(weight.size(1));
  return rows.reshape(shape);
}

}  // namespace functional

EmbeddingImpl::EmbeddingImpl(const EmbeddingOptions& options) : options(options) {
  const int64_t rows = options.num_embeddings(), cols = options.embedding_dim();
  EMBER_CHECK(rows >= 0 && cols >= 0, "Embedding: num_embeddings and embedding_dim must be non-negative, got ", rows,
              " and ", cols);
  // Stored in [0, num_embeddings), as Python and libtorch store it.
  if (options.padding_idx())
    this->options.padding_idx(functional::wrap_padding_idx("Embedding", *options.padding_idx(), rows));
  if (options._weight().defined()) {
    const std::vector<int64_t> shape{rows, cols};
    EMBER_CHECK(options._weight().sizes() == shape,
                "Embedding: _weight must have shape [num_embeddings, embedding_dim] = [", rows, ", ", cols, "], got ",
                options._weight().sizes());
    weight = register_parameter("weight", options._weight());
  } else {
    weight = register_parameter("weight", empty({rows, cols}));
    reset_parameters();
  }
}

void EmbeddingImpl::reset_parameters() {
  init::normal_(weight);
  if (options.padding_idx()) {
    NoGradGuard no_grad;
    weight[*options.padding_idx()].fill_(0);
  }
}

Tensor EmbeddingImpl::forward(const Tensor& indices) {
  return functional::embedding(indices, weight,
                               functional::EmbeddingFuncOptions()
                                   .padding_idx(options.padding_idx())
                                   .max_norm(options.max_norm())
                                   .norm_type(options.norm_type()));
}

void EmbeddingImpl::pretty_print(std::ostream& out) const {
  out << options.num_embeddings() << ", " << options.embedding_dim();
  if (options.padding_idx()) out << ", padding_idx=" << *options.padding_idx();
  if (options.max_norm()) out << ", max_norm=" << detail::python_float(*options.max_norm());
  if (options.norm_type() != 2) out << ", norm_type=" << detail::python_float(options.norm_type());
}

}  // namespace ember::nn
