// ModuleList, ModuleDict and nn::utils.
#include <cmath>

#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/nn/functional.h"
#include "ember/functions.h"
#include "ember/nn/containers.h"
#include "ember/nn/utils.h"

namespace ember::nn {

const std::shared_ptr<Module>& ModuleListImpl::operator[](size_t index) const {
  EMBER_CHECK(index < modules_.size(), "ModuleList: index ", index, " is out of range for ", modules_.size(),
              " modules");
  return modules_[index];
}

void ModuleListImpl::add(std::shared_ptr<Module> module) {
  register_module(std::to_string(modules_.size()), module);
  modules_.push_back(std::move(module));
}

std::shared_ptr<Module> ModuleDictImpl::operator[](const std::string& key) const {
  const auto children = named_children();
  const auto* found = children.find(key);
  EMBER_CHECK(found, "ModuleDict: no module named '", key, "'");
  return *found;
}

namespace functional {

Tensor one_hot(const Tensor& tensor, int64_t num_classes) {
  EMBER_CHECK(tensor.dtype() == kInt64, "one_hot: the class values must be an int64 tensor, got ",
              dtype_name(tensor.dtype()));
  NoGradGuard no_grad;
  const int64_t low = tensor.numel() ? tensor.min().item<int64_t>() : 0;
  const int64_t high = tensor.numel() ? tensor.max().item<int64_t>() : -1;
  EMBER_CHECK(low >= 0, "one_hot: class values must be non-negative, got ", low);
  if (num_classes < 0) {
    EMBER_CHECK(tensor.numel() > 0, "one_hot: cannot infer the number of classes of an empty tensor; pass it");
    num_classes = high + 1;
  }
  EMBER_CHECK(high < num_classes, "one_hot: class value ", high, " is out of range for ", num_classes, " classes");
  DimVector shape(tensor.sizes());
  shape.push_back(num_classes);
  Tensor out = zeros(shape, TensorOptions().dtype(kInt64).device(tensor.device()));
  if (tensor.numel() == 0) return out;
  const Tensor index = tensor.unsqueeze(-1);
  return out.scatter_add(-1, index, ones_like(index));
}

}  // namespace functional

namespace utils {

Tensor clip_grad_norm_(const std::vector<Tensor>& parameters, double max_norm, double norm_type) {
  NoGradGuard no_grad;
  std::vector<Tensor> grads;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return zeros({});
  std::vector<Tensor> norms;
  Tensor total;
  if (std::isinf(norm_type)) {
    for (const Tensor& g : grads) norms.push_back(g.abs().max());
    total = norms.size() == 1 ? norms[0] : stack(norms).max();
  } else {
    for (const Tensor& g : grads) norms.push_back(g.norm(norm_type));
    total = stack(norms).norm(norm_type);
  }
  const Tensor coefficient = (max_norm / (total + 1e-6)).clamp(std::nullopt, 1.0);
  for (const Tensor& g : grads) g.mul_(coefficient);
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& parameters, double clip_value) {
  NoGradGuard no_grad;
  for (const Tensor& p : parameters)
    if (p.grad().defined()) p.grad().clamp_(-clip_value, clip_value);
}

Tensor parameters_to_vector(const std::vector<Tensor>& parameters) {
  EMBER_CHECK(!parameters.empty(), "parameters_to_vector: no parameters");
  std::vector<Tensor> flat;
  for (const Tensor& p : parameters) flat.push_back(p.reshape({-1}));
  return cat(flat);
}

}  // namespace utils
}  // namespace ember::nn
