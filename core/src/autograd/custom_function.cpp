// autograd::Function<T>: a user's forward and backward as a graph node.
#include <cxxabi.h>

#include <cstdlib>

#include "autograd/meta.h"
#include "ember/factories.h"
#include "autograd/saved_variable.h"
#include "tensor/make.h"

namespace ember::autograd {

struct AutogradContext::Internals {
  std::vector<SavedVariable> saved;
  std::vector<const ember::detail::TensorImpl*> non_differentiable;
  std::vector<bool> needs_input_grad;
  std::weak_ptr<Node> node;
  std::vector<Tensor> pending_save;  // saved before the node exists
  bool recorded = false;
};

namespace {

class CustomNode final : public Node {
 public:
  CustomNode(std::string name, std::shared_ptr<AutogradContext> ctx, detail::BackwardFn backward)
      : name_(std::move(name)), ctx_(std::move(ctx)), backward_(std::move(backward)) {}
  std::string name() const override { return name_; }
  variable_list apply(variable_list&& grads) override {
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined())
        grads[i] = zeros(outputs_[i].sizes, TensorOptions().dtype(outputs_[i].dtype).device(outputs_[i].device));
    variable_list out = backward_(ctx_.get(), std::move(grads));
    EMBER_CHECK(out.size() >= next_edges_.size(), name_, ": backward returned ", out.size(),
                " gradients, but forward had ", next_edges_.size(), " tensor inputs; return one per input (an "
                "undefined Tensor for none)");
    out.resize(next_edges_.size());
    return out;
  }
  void release_variables() override {
    for (auto& s : ctx_->internals_->saved) s.reset();
  }

 private:
  std::string name_;
  std::shared_ptr<AutogradContext> ctx_;
  detail::BackwardFn backward_;
};

}  // namespace

void AutogradContext::save_for_backward(variable_list to_save) { internals_->pending_save = std::move(to_save); }

variable_list AutogradContext::get_saved_variables() const {
  variable_list out;
  std::shared_ptr<Node> node = internals_->node.lock();
  if (!internals_->recorded) return internals_->pending_save;
  for (const SavedVariable& s : internals_->saved) out.push_back(node ? s.unpack(*node) : Tensor());
  return out;
}

void AutogradContext::mark_non_differentiable(const variable_list& outputs) {
  for (const Tensor& t : outputs) internals_->non_differentiable.push_back(t.unsafe_impl());
}

bool AutogradContext::needs_input_grad(size_t index) const {
  return index < internals_->needs_input_grad.size() && internals_->needs_input_grad[index];
}

namespace detail {

std::shared_ptr<AutogradContext> make_context(const variable_list& inputs) {
  auto ctx = std::make_shared<AutogradContext>();
  ctx->internals_ = std::make_shared<AutogradContext::Internals>();
  for (const Tensor& t : inputs) ctx->internals_->needs_input_grad.push_back(t.defined() && t.requires_grad());
  return ctx;
}

void record_custom(const std::string& name, const variable_list& inputs, variable_list& outputs,
                   const std::shared_ptr<AutogradContext>& ctx, BackwardFn backward) {
  auto& in = *ctx->internals_;
  bool any = false;
  for (const Tensor& t : inputs) any = any || (t.defined() && t.requires_grad());
  if (!GradMode::is_enabled() || !any) {
    in.saved.clear();
    for (const Tensor& t : in.pending_save) in.saved.emplace_back(t, false);
    in.recorded = true;
    return;
  }
  auto node = std::make_shared<CustomNode>(name, ctx, std::move(backward));
  node->sequence_nr_ = next_sequence_nr();
  for (const Tensor& t : inputs) node->next_edges_.push_back(gradient_edge(t));
  for (size_t i = 0; i < outputs.size(); ++i) {
    Tensor& out = outputs[i];
    node->outputs_.push_back({DimVector(out.sizes()), out.dtype(), out.device()});
    const bool non_diff = std::find(in.non_differentiable.begin(), in.non_differentiable.end(),
                                    out.unsafe_impl()) != in.non_differentiable.end();
    // An output that is an input returned as is gets a fresh alias, so the
    // input keeps its own history.
    for (const Tensor& t : inputs)
      if (t.is_same(out)) out = out.detach();
    if (!non_diff && is_floating_point(out.dtype())) set_history(out, node, uint32_t(i));
  }
  in.node = node;
  // Outputs are saved without their grad_fn (Note [Saved outputs]).
  for (const Tensor& t : in.pending_save) {
    bool is_output = false;
    for (const Tensor& o : outputs) is_output = is_output || o.unsafe_impl() == t.unsafe_impl();
    in.saved.emplace_back(t, is_output, node);
  }
  in.pending_save.clear();
  in.recorded = true;
  // The node lives as long as some output refers to it.
}

std::string demangle(const char* mangled) {
  int status = 0;
  char* name = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && name ? name : mangled;
  std::free(name);
  // Python prints the class name only: drop namespaces and template arguments.
  if (auto lt = out.find('<'); lt != std::string::npos) out = out.substr(0, lt);
  if (auto colon = out.rfind("::"); colon != std::string::npos) out = out.substr(colon + 2);
  return out;
}

}  // namespace detail
}  // namespace ember::autograd
