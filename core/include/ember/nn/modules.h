#pragma once
// The basic modules: Linear, activations, Flatten, Identity, Sequential.
#include <initializer_list>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/functional.h"
#include "ember/nn/module.h"

namespace ember::nn {

struct LinearOptions {
  LinearOptions(int64_t in_features, int64_t out_features) : in_features_(in_features), out_features_(out_features) {}
  LinearOptions& bias(bool b) {
    bias_ = b;
    return *this;
  }
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool bias() const { return bias_; }

 private:
  int64_t in_features_, out_features_;
  bool bias_ = true;
};

// y = x Wᵀ + b, initialised as PyTorch's (kaiming_uniform_ with a = √5).
class LinearImpl : public Module {
 public:
  LinearImpl(int64_t in_features, int64_t out_features) : LinearImpl(LinearOptions(in_features, out_features)) {}
  explicit LinearImpl(const LinearOptions& options);
  void reset_parameters();
  Tensor forward(const Tensor& input);
  void pretty_print(std::ostream& out) const override;

  LinearOptions options;
  Tensor weight;
  Tensor bias;
};
EMBER_MODULE(Linear);

// A module without parameters around one function of its input.
#define EMBER_ACTIVATION_MODULE(Name, fn)                              \
  class Name##Impl : public Module {                                   \
   public:                                                             \
    Tensor forward(const Tensor& input) { return fn(input); }          \
  };                                                                   \
  EMBER_MODULE(Name)

EMBER_ACTIVATION_MODULE(ReLU, functional::relu);
EMBER_ACTIVATION_MODULE(Sigmoid, functional::sigmoid);
EMBER_ACTIVATION_MODULE(Tanh, functional::tanh);
EMBER_ACTIVATION_MODULE(Identity, [](const Tensor& x) { return x; });
#undef EMBER_ACTIVATION_MODULE

class FlattenImpl : public Module {
 public:
  explicit FlattenImpl(int64_t start_dim = 1, int64_t end_dim = -1) : start_dim(start_dim), end_dim(end_dim) {}
  Tensor forward(const Tensor& input) { return input.flatten(start_dim, end_dim); }
  void pretty_print(std::ostream& out) const override {
    out << "start_dim=" << start_dim << ", end_dim=" << end_dim;
  }
  int64_t start_dim, end_dim;
};
EMBER_MODULE(Flatten);

// Modules applied in order. Each entry is any module with
// `Tensor forward(const Tensor&)`.
class SequentialImpl : public Module {
 public:
  SequentialImpl() = default;
  template <typename... Modules>
  explicit SequentialImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  // Named: Sequential({{"fc1", Linear(2, 4)}, {"act", ReLU()}}).
  struct Named {
    template <typename M>
    Named(std::string name, M module) : name(std::move(name)), entry(make_entry(std::move(module))) {}
    std::string name;
    std::pair<std::shared_ptr<Module>, std::function<Tensor(const Tensor&)>> entry;
  };
  SequentialImpl(std::initializer_list<Named> named) {
    for (const auto& n : named) add(n.name, n.entry);
  }

  template <typename M>
  void push_back(M module) {
    add(std::to_string(forwards_.size()), make_entry(std::move(module)));
  }
  template <typename M>
  void push_back(std::string name, M module) {
    add(std::move(name), make_entry(std::move(module)));
  }
  Tensor forward(const Tensor& input) {
    Tensor x = input;
    for (auto& f : forwards_) x = f(x);
    return x;
  }
  size_t size() const noexcept { return forwards_.size(); }
  bool is_empty() const noexcept { return forwards_.empty(); }
  std::shared_ptr<Module> operator[](size_t index) const { return children().at(index); }

 private:
  // A module's forward as a function of one tensor; a module that takes
  // more (a loss) can be listed and printed, but not run, as in PyTorch.
  template <typename P>
  static std::function<Tensor(const Tensor&)> forward_of(const P& p) {
    if constexpr (requires(const Tensor& x) { p->forward(x); }) {
      return [p](const Tensor& x) { return p->forward(x); };
    } else {
      return [p](const Tensor&) -> Tensor {
        EMBER_CHECK(false, "Sequential: ", p->name(), "'s forward does not take one tensor");
        return {};
      };
    }
  }
  template <typename M>
  static std::pair<std::shared_ptr<Module>, std::function<Tensor(const Tensor&)>> make_entry(M module) {
    if constexpr (requires { module.ptr(); }) {
      auto p = module.ptr();
      return {p, forward_of(p)};
    } else {
      auto p = std::make_shared<M>(std::move(module));
      return {p, forward_of(p)};
    }
  }
  void add(std::string name, std::pair<std::shared_ptr<Module>, std::function<Tensor(const Tensor&)>> entry) {
    register_module(std::move(name), entry.first);
    forwards_.push_back(std::move(entry.second));
  }
  std::vector<std::function<Tensor(const Tensor&)>> forwards_;
};
class Sequential : public ModuleHolder<SequentialImpl> {
 public:
  using ModuleHolder<SequentialImpl>::ModuleHolder;
  using Impl = SequentialImpl;
  Sequential(std::initializer_list<SequentialImpl::Named> named)
      : ModuleHolder<SequentialImpl>(std::make_shared<SequentialImpl>(named)) {}
};

// Mean squared error, as torch.nn.MSELoss.
struct MSELossOptions {
  MSELossOptions(Reduction r = kMean) : reduction_(r) {}
  MSELossOptions& reduction(Reduction r) {
    reduction_ = r;
    return *this;
  }
  Reduction reduction() const { return reduction_; }

 private:
  Reduction reduction_;
};

class MSELossImpl : public Module {
 public:
  explicit MSELossImpl(const MSELossOptions& options = {}) : options(options) {}
  Tensor forward(const Tensor& input, const Tensor& target) {
    return functional::mse_loss(input, target, options.reduction());
  }
  MSELossOptions options;
};
EMBER_MODULE(MSELoss);

}  // namespace ember::nn
