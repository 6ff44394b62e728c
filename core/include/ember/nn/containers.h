#pragma once
// ModuleList and ModuleDict: submodules held by position or by name, as
// torch.nn.ModuleList / ModuleDict (they have no forward of their own).
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ember/nn/module.h"

namespace ember::nn {

class ModuleListImpl : public Module {
 public:
  ModuleListImpl() = default;
  template <typename... Modules>
  explicit ModuleListImpl(Modules&&... modules) {
    (push_back(std::forward<Modules>(modules)), ...);
  }
  template <typename M>
  void push_back(M module) {
    if constexpr (requires { module.ptr(); }) add(module.ptr());
    else add(std::make_shared<M>(std::move(module)));
  }
  size_t size() const noexcept { return modules_.size(); }
  bool is_empty() const noexcept { return modules_.empty(); }
  const std::shared_ptr<Module>& operator[](size_t index) const;
  // The module at `index` as its own type (an Error if it is another).
  template <typename T>
  std::shared_ptr<T> ptr(size_t index) const {
    auto p = std::dynamic_pointer_cast<T>((*this)[index]);
    EMBER_CHECK(p, "ModuleList: module ", index, " is a ", (*this)[index]->name(), ", not the type asked for");
    return p;
  }
  auto begin() const { return modules_.begin(); }
  auto end() const { return modules_.end(); }

 private:
  void add(std::shared_ptr<Module> module);
  std::vector<std::shared_ptr<Module>> modules_;
};
EMBER_MODULE(ModuleList);

class ModuleDictImpl : public Module {
 public:
  ModuleDictImpl() = default;
  template <typename M>
  void insert(const std::string& key, M module) {
    if constexpr (requires { module.ptr(); }) register_module(key, std::shared_ptr<Module>(module.ptr()));
    else register_module(key, std::shared_ptr<Module>(std::make_shared<M>(std::move(module))));
  }
  bool contains(const std::string& key) const { return named_children().contains(key); }
  std::shared_ptr<Module> operator[](const std::string& key) const;
  std::vector<std::string> keys() const { return named_children().keys(); }
  size_t size() const { return named_children().size(); }
};
EMBER_MODULE(ModuleDict);

}  // namespace ember::nn
