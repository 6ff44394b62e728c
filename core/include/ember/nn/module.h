#pragma once
// nn::Module: parameters, buffers and submodules in registration order, as
// torch.nn.Module; and the libtorch holder pattern (EMBER_MODULE).
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/tensor.h"

namespace ember::nn {

// An insertion-ordered map from names to values (libtorch's OrderedDict).
template <typename V>
class OrderedDict {
 public:
  struct Item {
    std::string first;
    V second;
    const std::string& key() const { return first; }
    V& value() { return second; }
    const V& value() const { return second; }
  };
  V& insert(std::string key, V value) {
    for (auto& item : items_)
      EMBER_CHECK(item.first != key, "OrderedDict: key '", key, "' already exists");
    items_.push_back({std::move(key), std::move(value)});
    return items_.back().second;
  }
  const V* find(const std::string& key) const {
    for (const auto& item : items_)
      if (item.first == key) return &item.second;
    return nullptr;
  }
  V* find(const std::string& key) {
    for (auto& item : items_)
      if (item.first == key) return &item.second;
    return nullptr;
  }
  const V& operator[](const std::string& key) const {
    const V* v = find(key);
    EMBER_CHECK(v, "OrderedDict: no key '", key, "'");
    return *v;
  }
  bool contains(const std::string& key) const { return find(key) != nullptr; }
  size_t size() const noexcept { return items_.size(); }
  bool is_empty() const noexcept { return items_.empty(); }
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& item : items_) out.push_back(item.first);
    return out;
  }
  std::vector<V> values() const {
    std::vector<V> out;
    for (const auto& item : items_) out.push_back(item.second);
    return out;
  }
  const std::vector<Item>& items() const noexcept { return items_; }
  auto begin() { return items_.begin(); }
  auto end() { return items_.end(); }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<Item> items_;
};

template <typename Contained>
class ModuleHolder;

class Module : public std::enable_shared_from_this<Module> {
 public:
  Module() = default;
  explicit Module(std::string name) : name_(std::move(name)) {}
  virtual ~Module() = default;
  Module(const Module&) = default;
  Module& operator=(const Module&) = default;

  // The class name Python prints: the C++ type without namespaces and
  // without a trailing "Impl" (LinearImpl -> Linear).
  const std::string& name() const;

  Tensor& register_parameter(std::string name, Tensor tensor, bool requires_grad = true);
  Tensor& register_buffer(std::string name, Tensor tensor);
  template <typename M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    add_child(std::move(name), module);
    return module;
  }
  // A holder (nn::Linear, a user's EMBER_MODULE) comes back as itself.
  template <typename Holder>
    requires requires { typename Holder::ContainedType; }
  Holder register_module(std::string name, Holder holder) {
    add_child(std::move(name), holder.ptr());
    return holder;
  }
  template <typename M>
  auto add_module(std::string name, M module) {
    return register_module(std::move(name), std::move(module));
  }

  std::vector<Tensor> parameters(bool recurse = true) const;
  OrderedDict<Tensor> named_parameters(bool recurse = true) const;
  std::vector<Tensor> buffers(bool recurse = true) const;
  OrderedDict<Tensor> named_buffers(bool recurse = true) const;
  std::vector<std::shared_ptr<Module>> children() const;
  OrderedDict<std::shared_ptr<Module>> named_children() const;
  std::vector<std::shared_ptr<Module>> modules(bool include_self = true);
  OrderedDict<std::shared_ptr<Module>> named_modules(const std::string& prefix = "", bool include_self = true);

  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const noexcept { return training_; }

  // Moves or converts every parameter and buffer in place: the tensors keep
  // their identity, so an optimizer built before still updates them.
  virtual void to(Device device, bool non_blocking = false);
  virtual void to(Dtype dtype, bool non_blocking = false);
  virtual void to(Device device, Dtype dtype, bool non_blocking = false);

  void zero_grad(bool set_to_none = true);
  void apply(const std::function<void(Module&)>& fn);

  // What Python's extra_repr() gives: printed inside the parentheses.
  virtual void pretty_print(std::ostream& out) const;

  // Internal: the registered tensors, for state dicts and optimizers.
  OrderedDict<Tensor>& parameters_dict() { return parameters_; }
  OrderedDict<Tensor>& buffers_dict() { return buffers_; }

 private:
  void add_child(std::string name, std::shared_ptr<Module> module);
  void collect_named(const std::string& prefix, bool recurse, bool params, OrderedDict<Tensor>& out) const;

  mutable std::string name_;
  OrderedDict<Tensor> parameters_;
  OrderedDict<Tensor> buffers_;
  OrderedDict<std::shared_ptr<Module>> children_;
  bool training_ = true;
};

// Prints like Python's print(module).
std::ostream& operator<<(std::ostream& out, const Module& module);

// libtorch's module holder: `nn::Linear` is a shared handle over
// `nn::LinearImpl`. `nn::Linear fc{nullptr}` is empty; `fc(x)` calls forward.
template <typename Contained>
class ModuleHolder {
 public:
  using ContainedType = Contained;
  ModuleHolder(std::nullptr_t) {}
  ModuleHolder() : impl_(std::make_shared<Contained>()) {}
  template <typename First, typename... Rest,
            std::enable_if_t<!std::is_same_v<std::decay_t<First>, std::nullptr_t> &&
                                 !std::is_base_of_v<ModuleHolder, std::decay_t<First>> &&
                                 !std::is_same_v<std::decay_t<First>, std::shared_ptr<Contained>>,
                             int> = 0>
  explicit ModuleHolder(First&& first, Rest&&... rest)
      : impl_(std::make_shared<Contained>(std::forward<First>(first), std::forward<Rest>(rest)...)) {}
  ModuleHolder(std::shared_ptr<Contained> module) : impl_(std::move(module)) {}

  Contained* operator->() { return get(); }
  const Contained* operator->() const { return get(); }
  Contained& operator*() { return *get(); }
  const Contained& operator*() const { return *get(); }
  const std::shared_ptr<Contained>& ptr() const { return impl_; }
  Contained* get() const {
    EMBER_CHECK(impl_, "accessing an empty ModuleHolder (constructed with nullptr); assign a module to it first");
    return impl_.get();
  }
  bool is_empty() const noexcept { return impl_ == nullptr; }
  template <typename... Args>
  decltype(auto) operator()(Args&&... args) {
    return get()->forward(std::forward<Args>(args)...);
  }

 private:
  std::shared_ptr<Contained> impl_;
};

template <typename Contained>
std::ostream& operator<<(std::ostream& out, const ModuleHolder<Contained>& holder) {
  return out << *holder;
}

}  // namespace ember::nn

#define EMBER_MODULE(Name)                                       \
  class Name : public ::ember::nn::ModuleHolder<Name##Impl> {    \
   public:                                                       \
    using ::ember::nn::ModuleHolder<Name##Impl>::ModuleHolder;   \
    using Impl = Name##Impl;                                     \
  }
