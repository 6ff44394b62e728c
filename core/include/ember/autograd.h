#pragma once
// Autograd's public surface: grad mode guards, graph nodes (grad_fn),
// autograd::grad, and user-defined functions (autograd::Function<T>).
#include <any>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "ember/detail/small_vector.h"
#include "ember/tensor.h"

namespace ember {

// Whether ops record a graph on this thread (on by default).
struct GradMode {
  static bool is_enabled();
  static void set_enabled(bool enabled);
};

// Sets grad mode for a scope and restores it after.
class AutoGradMode {
 public:
  explicit AutoGradMode(bool enabled) : previous_(GradMode::is_enabled()) { GradMode::set_enabled(enabled); }
  ~AutoGradMode() { GradMode::set_enabled(previous_); }
  AutoGradMode(const AutoGradMode&) = delete;
  AutoGradMode& operator=(const AutoGradMode&) = delete;

 private:
  bool previous_;
};

struct NoGradGuard : AutoGradMode {
  NoGradGuard() : AutoGradMode(false) {}
};

namespace autograd {

using variable_list = std::vector<Tensor>;
class Node;

// Where a gradient flows: input `input_nr` of `function`.
struct Edge {
  std::shared_ptr<Node> function;
  uint32_t input_nr = 0;
  bool is_valid() const noexcept { return function != nullptr; }
};

// A node of the recorded graph: it maps the gradients of an op's outputs to
// the gradients of its inputs. name() is PyTorch's ("MulBackward0").
class Node {
 public:
  virtual ~Node() = default;
  virtual std::string name() const = 0;
  // One gradient per output in (undefined means zero), one per next edge out.
  virtual variable_list apply(variable_list&& grad_outputs) = 0;
  // Frees saved tensors once a backward without retain_graph has passed.
  virtual void release_variables() {}

  // One edge per input (held inline up to three: a heap block per node
  // otherwise, on every recorded op).
  std::span<const Edge> next_edges() const noexcept { return {next_edges_.data(), next_edges_.size()}; }
  uint32_t num_outputs() const noexcept { return uint32_t(outputs_.size()); }
  uint64_t sequence_nr() const noexcept { return sequence_nr_; }

  // What the engine needs; set when the node is recorded.
  struct OutputMeta {
    DimVector sizes;
    Dtype dtype = kFloat32;
    Device device = Device(kCPU);
  };
  ember::detail::SmallVector<Edge, 3> next_edges_;
  ember::detail::SmallVector<OutputMeta, 1> outputs_;
  uint64_t sequence_nr_ = 0;
  // Hooks on the gradient of output `first`, run before apply (in order).
  std::vector<std::pair<uint32_t, std::function<Tensor(const Tensor&)>>> pre_hooks_;
};

// The gradients of `outputs` with respect to `inputs`, without touching any
// .grad: one per input (undefined for an unused input when allow_unused).
variable_list grad(const variable_list& outputs, const variable_list& inputs, const variable_list& grad_outputs = {},
                   std::optional<bool> retain_graph = {}, bool create_graph = false, bool allow_unused = false);

// ---- user-defined functions ----

class AutogradContext {
 public:
  void save_for_backward(variable_list to_save);
  variable_list get_saved_variables() const;
  void mark_non_differentiable(const variable_list& outputs);
  bool needs_input_grad(size_t index) const;
  // Anything else the backward needs.
  std::unordered_map<std::string, std::any> saved_data;

  struct Internals;
  std::shared_ptr<Internals> internals_;
};

namespace detail {
using BackwardFn = std::function<variable_list(AutogradContext*, variable_list)>;
std::shared_ptr<AutogradContext> make_context(const variable_list& inputs);
// Attaches a node named `name` to `outputs` when any input requires grad.
void record_custom(const std::string& name, const variable_list& inputs, variable_list& outputs,
                   const std::shared_ptr<AutogradContext>& ctx, BackwardFn backward);
std::string demangle(const char* mangled);
}  // namespace detail

// struct Square : ember::autograd::Function<Square> {
//   static Tensor forward(AutogradContext* ctx, Tensor x) { ctx->save_for_backward({x}); return x * x; }
//   static variable_list backward(AutogradContext* ctx, variable_list grad) {
//     return {grad[0] * 2 * ctx->get_saved_variables()[0]};
//   }
// };
// Tensor y = Square::apply(x);   // y.grad_fn()->name() == "SquareBackward"
template <typename T>
struct Function {
  template <typename... Args>
  static auto apply(Args&&... args) {
    variable_list inputs;
    (collect(inputs, args), ...);
    auto ctx = detail::make_context(inputs);
    using Result = decltype(T::forward(ctx.get(), std::forward<Args>(args)...));
    variable_list outputs;
    {
      NoGradGuard no_grad;
      if constexpr (std::is_same_v<Result, Tensor>) outputs = {T::forward(ctx.get(), std::forward<Args>(args)...)};
      else outputs = T::forward(ctx.get(), std::forward<Args>(args)...);
    }
    detail::record_custom(detail::demangle(typeid(T).name()) + "Backward", inputs, outputs, ctx,
                          [](AutogradContext* c, variable_list g) { return T::backward(c, std::move(g)); });
    if constexpr (std::is_same_v<Result, Tensor>) return outputs[0];
    else return outputs;
  }

 private:
  template <typename A>
  static void collect(variable_list& inputs, const A& a) {
    if constexpr (std::is_same_v<std::decay_t<A>, Tensor>) inputs.push_back(a);
  }
};

}  // namespace autograd
}  // namespace ember
