// The backward pass: a walk of the graph from the roots in dependency order,
// summing the gradients that reach each node, then Tensor::backward and
// autograd::grad over it.
//
// Each call runs on the calling thread with no shared state beyond the
// leaves' .grad (guarded per leaf), so independent graphs can run backward
// concurrently.
#include <algorithm>
#include <queue>
#include <unordered_map>
#include <unordered_set>

#include "autograd/accumulate_grad.h"
#include "autograd/formulas.h"
#include "autograd/meta.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "tensor/make.h"

namespace ember::autograd {
namespace {

struct NodeState {
  int dependencies = 0;
  variable_list buffer;  // one gradient per output of the node
};

// Makes `grad` fit what `meta` describes: same dtype, shape (summing a
// broadcast), device.
Tensor validate(const Node& node, uint32_t output_nr, Tensor grad) {
  if (!grad.defined()) return grad;
  const Node::OutputMeta& meta = node.outputs_[output_nr];
  // A gradient broadcast from a smaller shape is summed back, as PyTorch.
  if (!grad.sizes().equals(meta.sizes)) grad = sum_to(grad, meta.sizes, "backward: " + node.name());
  if (grad.dtype() != meta.dtype) grad = grad.to(meta.dtype);
  if (grad.device() != meta.device) grad = grad.to(meta.device);
  return grad;
}

void accumulate(variable_list& buffer, uint32_t slot, Tensor grad) {
  if (!grad.defined()) return;
  Tensor& old = buffer[slot];
  old = old.defined() ? old + grad : std::move(grad);
}

struct Capture {
  const Node* node;
  uint32_t output_nr;
  size_t index;
};

// Runs the graph below `roots`. With `captures`, the gradients arriving at
// those (node, output) pairs are returned instead of being accumulated into
// leaves (autograd::grad), and no AccumulateGrad runs.
variable_list run_backward(const std::vector<Edge>& roots, variable_list root_grads, bool keep_graph,
                           bool create_graph, const std::vector<Capture>& captures, size_t num_captures) {
  // Dependencies: how many edges lead into each node reachable from the roots.
  std::unordered_map<Node*, NodeState> states;
  std::vector<Node*> stack;
  for (const Edge& r : roots)
    if (r.is_valid() && states.emplace(r.function.get(), NodeState{}).second) stack.push_back(r.function.get());
  while (!stack.empty()) {
    Node* n = stack.back();
    stack.pop_back();
    for (const Edge& e : n->next_edges_) {
      if (!e.is_valid()) continue;
      auto [it, fresh] = states.emplace(e.function.get(), NodeState{});
      ++it->second.dependencies;
      if (fresh) stack.push_back(e.function.get());
    }
  }
  for (auto& [n, s] : states) s.buffer.resize(n->num_outputs());
  for (size_t i = 0; i < roots.size(); ++i)
    if (roots[i].is_valid()) accumulate(states[roots[i].function.get()].buffer, roots[i].input_nr, root_grads[i]);

  variable_list captured(num_captures);
  const bool capturing = num_captures > 0;
  // Ready nodes, latest-recorded first (PyTorch's order on one device).
  auto later = [](Node* a, Node* b) { return a->sequence_nr_ < b->sequence_nr_; };
  std::priority_queue<Node*, std::vector<Node*>, decltype(later)> ready(later);
  for (const Edge& r : roots)
    if (r.is_valid() && states[r.function.get()].dependencies == 0) ready.push(r.function.get());
  std::unordered_set<Node*> queued;
  AutoGradMode mode(create_graph);
  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    if (!queued.insert(node).second) continue;
    NodeState& state = states[node];
    variable_list grads = std::move(state.buffer);
    for (uint32_t i = 0; i < grads.size(); ++i) grads[i] = validate(*node, i, std::move(grads[i]));
    for (auto& [output_nr, hook] : node->pre_hooks_)
      if (grads[output_nr].defined())
        if (Tensor replaced = hook(grads[output_nr]); replaced.defined()) grads[output_nr] = replaced;
    bool run = true;
    for (const Capture& c : captures)
      if (c.node == node) {
        captured[c.index] = grads[c.output_nr];
        if (dynamic_cast<AccumulateGrad*>(node)) run = false;
      }
    if (capturing && dynamic_cast<AccumulateGrad*>(node)) run = false;
    variable_list outputs;
    if (run) {
      outputs = node->apply(std::move(grads));
      if (!keep_graph) node->release_variables();
    }
    for (size_t i = 0; i < node->next_edges_.size(); ++i) {
      const Edge& e = node->next_edges_[i];
      if (!e.is_valid()) continue;
      NodeState& next = states[e.function.get()];
      if (run && i < outputs.size()) accumulate(next.buffer, e.input_nr, std::move(outputs[i]));
      if (--next.dependencies == 0) ready.push(e.function.get());
    }
  }
  return captured;
}

variable_list default_grads(const variable_list& outputs, const variable_list& grad_outputs, const char* op) {
  EMBER_CHECK(grad_outputs.empty() || grad_outputs.size() == outputs.size(), op, ": got ", grad_outputs.size(),
              " gradients for ", outputs.size(), " outputs");
  variable_list grads;
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensor& out = outputs[i];
    EMBER_CHECK(out.defined(), op, ": output ", i, " is undefined");
    EMBER_CHECK(out.requires_grad(), op, ": element ", i,
                " of tensors does not require grad and does not have a grad_fn; set requires_grad on the inputs "
                "(or leave grad mode on) before computing it");
    if (!grad_outputs.empty() && grad_outputs[i].defined()) {
      EMBER_CHECK(grad_outputs[i].sizes().equals(out.sizes()), op, ": the gradient of shape ",
                  ember::detail::shape_str(grad_outputs[i].sizes()), " does not match the output's shape ",
                  ember::detail::shape_str(out.sizes()));
      grads.push_back(grad_outputs[i]);
    } else {
      EMBER_CHECK(out.numel() == 1, op, ": grad can be implicitly created only for scalar outputs; this output has "
                                        "shape ",
                  ember::detail::shape_str(out.sizes()), ", so pass a gradient of that shape");
      grads.push_back(ones_like(out, TensorOptions().requires_grad(false)));
    }
  }
  return grads;
}

}  // namespace

variable_list grad(const variable_list& outputs, const variable_list& inputs, const variable_list& grad_outputs,
                   std::optional<bool> retain_graph, bool create_graph, bool allow_unused) {
  variable_list grads = default_grads(outputs, grad_outputs, "autograd::grad");
  std::vector<Edge> roots;
  for (const Tensor& o : outputs) roots.push_back(gradient_edge(o));
  std::vector<Capture> captures;
  std::vector<std::shared_ptr<Node>> keep_alive;
  for (size_t i = 0; i < inputs.size(); ++i) {
    EMBER_CHECK(inputs[i].defined() && inputs[i].requires_grad(), "autograd::grad: input ", i,
                " does not require grad; only tensors that require grad can be differentiated against");
    Edge e = gradient_edge(inputs[i]);
    keep_alive.push_back(e.function);
    captures.push_back({e.function.get(), e.input_nr, i});
  }
  variable_list result = run_backward(roots, grads, retain_graph.value_or(create_graph), create_graph, captures,
                                      inputs.size());
  for (size_t i = 0; i < result.size(); ++i)
    EMBER_CHECK(result[i].defined() || allow_unused, "autograd::grad: one of the differentiated tensors (input ", i,
                ") appears to not have been used in the graph. Set allow_unused=true if this is the desired "
                "behavior.");
  return result;
}

}  // namespace ember::autograd

namespace ember {

void Tensor::backward(const Tensor& gradient, std::optional<bool> retain_graph, bool create_graph) const {
  using namespace autograd;
  variable_list grads = default_grads({*this}, {gradient}, "backward");
  run_backward({gradient_edge(*this)}, grads, retain_graph.value_or(create_graph), create_graph, {}, 0);
}

}  // namespace ember
