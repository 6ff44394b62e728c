// Dropout, drawing its mask as PyTorch's CPU dropout does
// (aten/src/ATen/native/Dropout.cpp, _dropout_impl): the same seed zeroes the
// same elements as torch.
#include <ostream>

#include "ember/factories.h"
#include "ember/nn/activation.h"
#include "nn/detail.h"

namespace ember::nn {

namespace functional {

Tensor dropout(const Tensor& input, const DropoutFuncOptions& options) {
  const double p = options.p();
  EMBER_CHECK(p >= 0 && p <= 1, "dropout: probability has to be between 0 and 1, but got ", p);
  // PyTorch returns the input itself here, not a copy.
  if (!options.training() || p == 0 || input.numel() == 0) return input;
  const TensorOptions like = TensorOptions().dtype(input.dtype()).device(input.device());
  if (p == 1) return options.inplace() ? input.mul_(zeros({}, like)) : input * zeros({}, like);
  // noise = empty_like(input).bernoulli_(1 - p).div_(1 - p), in this order of
  // operations, so that the mask and the scaled values are PyTorch's.
  Tensor noise = empty(input.sizes(), like);
  noise.bernoulli_(1 - p);
  noise.div_(1 - p);
  return options.inplace() ? input.mul_(noise) : input * noise;
}

}  // namespace functional

DropoutImpl::DropoutImpl(const DropoutOptions& options) : options(options) {
  EMBER_CHECK(options.p() >= 0 && options.p() <= 1, "Dropout: probability has to be between 0 and 1, but got ",
              options.p());
}

Tensor DropoutImpl::forward(const Tensor& input) {
  return functional::dropout(
      input, functional::DropoutFuncOptions().p(options.p()).training(is_training()).inplace(options.inplace()));
}

void DropoutImpl::pretty_print(std::ostream& out) const {
  out << "p=" << detail::python_float(options.p()) << ", inplace=" << detail::python_bool(options.inplace());
}

}  // namespace ember::nn
