// ember::call_op and the graph node of a plugin-added op.
#include "ember/custom_op.h"

#include "autograd/meta.h"
#include "autograd/saved_variable.h"
#include "dispatch/custom_ops.h"
#include "dispatch/dispatch.h"
#include "ember/factories.h"
#include "plugin/loader.h"
#include "tensor/make.h"

namespace ember {
namespace {

// The backward of a plugin-added op: its registered kernel, given the output
// gradients, then the op's inputs, then its outputs.
class CustomOpNode final : public autograd::Node {
 public:
  explicit CustomOpNode(const dispatch::CustomOp& op) : op_(op) {}
  std::string name() const override { return op_.name + "Backward"; }
  autograd::variable_list apply(autograd::variable_list&& grads) override {
    const Device device = saved_[0].unpack(*this).device();
    ember_kernel_fn kernel = op_.backward[device.type().id()].load(std::memory_order_acquire);
    if (!kernel) kernel = op_.backward_any.load(std::memory_order_acquire);
    EMBER_CHECK(kernel, op_.name, ": plugin '", op_.plugin, "' registered no backward for it (on ", device.str(),
                "), so it is not differentiable there");
    for (size_t i = 0; i < grads.size(); ++i)
      if (!grads[i].defined())
        grads[i] = zeros(outputs_[i].sizes, TensorOptions().dtype(outputs_[i].dtype).device(outputs_[i].device));
    autograd::variable_list kernel_inputs = grads;
    for (const auto& s : saved_) kernel_inputs.push_back(s.unpack(*this));
    autograd::variable_list input_grads;
    for (size_t i = 0; i < size_t(op_.num_inputs); ++i) {
      const Tensor& in = kernel_inputs[grads.size() + i];
      input_grads.push_back(empty(in.sizes(), TensorOptions().dtype(in.dtype()).device(in.device())));
    }
    NoGradGuard no_grad;
    dispatch::call_kernel(kernel, op_.id, name(), kernel_inputs, input_grads, scalars_, ints_);
    return input_grads;
  }
  void release_variables() override {
    for (auto& s : saved_) s.reset();
  }

  std::vector<autograd::SavedVariable> saved_;
  std::vector<ember_scalar> scalars_;
  std::vector<int64_t> ints_;

 private:
  const dispatch::CustomOp& op_;
};

}  // namespace

std::vector<Tensor> call_op(const std::string& name, const std::vector<Tensor>& inputs,
                            const std::vector<Scalar>& scalars, const std::vector<int64_t>& ints) {
  plugins::ensure_loaded();
  const dispatch::CustomOp* op = dispatch::find_custom_op(name);
  EMBER_CHECK(op, "call_op: no loaded plugin adds an op named '", name,
              "'; ember::plugins::list() shows what loaded and why not");
  EMBER_CHECK(inputs.size() == size_t(op->num_inputs), "call_op(", name, "): expected ", op->num_inputs,
              " inputs, got ", inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    EMBER_CHECK(inputs[i].defined(), "call_op(", name, "): input ", i, " is undefined");
  std::vector<ember_scalar> abi_scalars;
  for (const Scalar& s : scalars) abi_scalars.push_back(dispatch::to_abi(s));
  std::vector<Tensor> outputs;
  for (int i = 0; i < op->num_outputs; ++i)
    outputs.push_back(detail::make_tensor(inputs[0].sizes(), inputs[0].dtype(), inputs[0].device()));
  {
    NoGradGuard no_grad;
    dispatch::call(ember_op(op->id), inputs, outputs, abi_scalars, ints);
  }
  bool needs_grad = false;
  for (const Tensor& t : inputs) needs_grad = needs_grad || t.requires_grad();
  if (GradMode::is_enabled() && needs_grad) {
    auto node = std::make_shared<CustomOpNode>(*op);
    node->sequence_nr_ = autograd::next_sequence_nr();
    for (const Tensor& t : inputs) node->next_edges_.push_back(autograd::gradient_edge(t));
    for (size_t i = 0; i < outputs.size(); ++i) {
      node->outputs_.push_back({DimVector(outputs[i].sizes()), outputs[i].dtype(), outputs[i].device()});
      if (is_floating_point(outputs[i].dtype())) autograd::set_history(outputs[i], node, uint32_t(i));
    }
    for (const Tensor& t : inputs) node->saved_.emplace_back(t, false);
    for (const Tensor& t : outputs) node->saved_.emplace_back(t, true, node);
    node->scalars_ = abi_scalars;
    node->ints_ = ints;
  }
  return outputs;
}

}  // namespace ember
