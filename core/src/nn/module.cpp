// nn::Module: registration, traversal, modes, moving, printing.
#include "ember/nn/module.h"

#include <ostream>
#include <sstream>

#include "ember/autograd.h"

namespace ember::nn {

const std::string& Module::name() const {
  if (name_.empty()) {
    name_ = autograd::detail::demangle(typeid(*this).name());
    if (name_.size() > 4 && name_.compare(name_.size() - 4, 4, "Impl") == 0) name_.resize(name_.size() - 4);
  }
  return name_;
}

Tensor& Module::register_parameter(std::string name, Tensor tensor, bool requires_grad) {
  EMBER_CHECK(!name.empty() && name.find('.') == std::string::npos, "register_parameter: parameter name '", name,
              "' must be non-empty and contain no '.'");
  EMBER_CHECK(!parameters_.contains(name), "register_parameter: ", this->name(), " already has a parameter named '",
              name, "'");
  if (tensor.defined()) {
    NoGradGuard no_grad;  // the parameter is a fresh leaf, whatever made it
    tensor = tensor.detach();
    tensor.requires_grad_(requires_grad);
  }
  return parameters_.insert(std::move(name), std::move(tensor));
}

Tensor& Module::register_buffer(std::string name, Tensor tensor) {
  EMBER_CHECK(!name.empty() && name.find('.') == std::string::npos, "register_buffer: buffer name '", name,
              "' must be non-empty and contain no '.'");
  return buffers_.insert(std::move(name), std::move(tensor));
}

void Module::add_child(std::string name, std::shared_ptr<Module> module) {
  EMBER_CHECK(module, "register_module: the module '", name, "' is empty");
  EMBER_CHECK(!name.empty() && name.find('.') == std::string::npos, "register_module: submodule name '", name,
              "' must be non-empty and contain no '.'");
  EMBER_CHECK(!children_.contains(name), "register_module: ", this->name(), " already has a submodule named '", name,
              "'");
  children_.insert(std::move(name), std::move(module));
}

void Module::collect_named(const std::string& prefix, bool recurse, bool params, OrderedDict<Tensor>& out) const {
  for (const auto& item : params ? parameters_ : buffers_)
    if (item.second.defined()) out.insert(prefix + item.first, item.second);
  if (!recurse) return;
  for (const auto& child : children_) child.second->collect_named(prefix + child.first + ".", true, params, out);
}

std::vector<Tensor> Module::parameters(bool recurse) const { return named_parameters(recurse).values(); }

OrderedDict<Tensor> Module::named_parameters(bool recurse) const {
  OrderedDict<Tensor> out;
  collect_named("", recurse, true, out);
  return out;
}

std::vector<Tensor> Module::buffers(bool recurse) const { return named_buffers(recurse).values(); }

OrderedDict<Tensor> Module::named_buffers(bool recurse) const {
  OrderedDict<Tensor> out;
  collect_named("", recurse, false, out);
  return out;
}

std::vector<std::shared_ptr<Module>> Module::children() const { return children_.values(); }
OrderedDict<std::shared_ptr<Module>> Module::named_children() const { return children_; }

std::vector<std::shared_ptr<Module>> Module::modules(bool include_self) {
  return named_modules("", include_self).values();
}

OrderedDict<std::shared_ptr<Module>> Module::named_modules(const std::string& prefix, bool include_self) {
  OrderedDict<std::shared_ptr<Module>> out;
  if (include_self) {
    // A module on the stack (not held by a shared_ptr) is listed through a
    // non-owning pointer.
    std::shared_ptr<Module> self = weak_from_this().lock();
    out.insert(prefix, self ? self : std::shared_ptr<Module>(this, [](Module*) {}));
  }
  for (const auto& child : children_) {
    const std::string name = prefix.empty() ? child.first : prefix + "." + child.first;
    for (const auto& item : child.second->named_modules(name, true)) out.insert(item.first, item.second);
  }
  return out;
}

void Module::train(bool on) {
  training_ = on;
  for (const auto& child : children_) child.second->train(on);
}

namespace {
// Replaces `t`'s data by its conversion, keeping the handle's identity.
void convert_in_place(Tensor& t, const TensorOptions& options) {
  if (!t.defined()) return;
  Tensor moved;
  {
    NoGradGuard no_grad;
    moved = t.to(options);
  }
  if (moved.is_same(t)) return;
  auto& impl = t.impl();
  const auto& from = moved.impl();
  impl.storage = from.storage;
  impl.sizes = from.sizes;
  impl.strides = from.strides;
  impl.offset = from.offset;
  impl.dtype = from.dtype;
  impl.refresh();
  if (t.grad().defined()) {
    NoGradGuard no_grad;
    t.mutable_grad() = t.grad().to(options);
  }
}

void convert_all(Module& m, const TensorOptions& options) {
  for (auto& item : m.parameters_dict()) {
    // Only floating tensors change dtype, as in PyTorch.
    if (options.has_dtype() && !item.second.is_floating_point())
      convert_in_place(item.second, TensorOptions().device(options.has_device() ? options.device() : item.second.device()));
    else
      convert_in_place(item.second, options);
  }
  for (auto& item : m.buffers_dict()) {
    if (options.has_dtype() && item.second.defined() && !item.second.is_floating_point())
      convert_in_place(item.second, TensorOptions().device(options.has_device() ? options.device() : item.second.device()));
    else
      convert_in_place(item.second, options);
  }
}
}  // namespace

void Module::to(Device device, bool) {
  apply([&](Module& m) { convert_all(m, TensorOptions().device(device)); });
}
void Module::to(Dtype dtype, bool) {
  apply([&](Module& m) { convert_all(m, TensorOptions().dtype(dtype)); });
}
void Module::to(Device device, Dtype dtype, bool) {
  apply([&](Module& m) { convert_all(m, TensorOptions().device(device).dtype(dtype)); });
}

void Module::zero_grad(bool set_to_none) {
  for (Tensor& p : parameters()) {
    if (!p.grad().defined()) continue;
    if (set_to_none) {
      p.mutable_grad() = Tensor();
    } else {
      NoGradGuard no_grad;
      p.mutable_grad() = p.grad().detach();
      p.mutable_grad().zero_();
    }
  }
}

void Module::apply(const std::function<void(Module&)>& fn) {
  for (const auto& child : children_) child.second->apply(fn);
  fn(*this);
}

void Module::pretty_print(std::ostream&) const {}

namespace {
// Python's _addindent: every line after the first gains `spaces`.
std::string add_indent(const std::string& s, int spaces) {
  std::string out;
  for (char c : s) {
    out += c;
    if (c == '\n') out += std::string(size_t(spaces), ' ');
  }
  return out;
}
}  // namespace

std::ostream& operator<<(std::ostream& out, const Module& module) {
  std::ostringstream extra;
  module.pretty_print(extra);
  std::vector<std::string> lines;
  const std::string extra_repr = extra.str();
  std::vector<std::string> extra_lines;
  if (!extra_repr.empty()) {
    std::istringstream split(extra_repr);
    for (std::string line; std::getline(split, line);) extra_lines.push_back(line);
  }
  std::vector<std::string> child_lines;
  for (const auto& child : module.named_children()) {
    std::ostringstream repr;
    repr << *child.second;
    child_lines.push_back("(" + child.first + "): " + add_indent(repr.str(), 2));
  }
  lines = extra_lines;
  lines.insert(lines.end(), child_lines.begin(), child_lines.end());
  out << module.name() << "(";
  if (!lines.empty()) {
    if (extra_lines.size() == 1 && child_lines.empty()) {
      out << extra_lines[0];
    } else {
      out << "\n  ";
      for (size_t i = 0; i < lines.size(); ++i) out << (i ? "\n  " : "") << lines[i];
      out << "\n";
    }
  }
  return out << ")";
}

}  // namespace ember::nn
