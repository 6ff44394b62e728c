#pragma once
// The table of derivative formulas (core-private). Each differentiable op has
// one entry: PyTorch's node name and a backward written with ember ops, so
// every device gets gradients with no code of its own. A device may override
// an entry with its own backward (a fused kernel), looked up per call.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "autograd/saved_variable.h"
#include "ember/autograd.h"
#include "ember/sdk/abi.h"

namespace ember::autograd {

// Every differentiable op. Adding one: a line here, a formula in
// formulas.cpp (a static_assert checks the table's size), a record() call in
// the op.
#define EMBER_AUTOGRAD_OPS(X)                                                                        \
  X(Add, "AddBackward0") X(Sub, "SubBackward0") X(Rsub, "RsubBackward1") X(Mul, "MulBackward0")     \
  X(Div, "DivBackward0") X(PowScalar, "PowBackward0") X(PowTensor, "PowBackward1") X(Neg, "NegBackward0") \
  X(Abs, "AbsBackward0") X(Exp, "ExpBackward0") X(Log, "LogBackward0") X(Sqrt, "SqrtBackward0")     \
  X(Rsqrt, "RsqrtBackward0") X(Sin, "SinBackward0") X(Cos, "CosBackward0") X(Tanh, "TanhBackward0") \
  X(Sigmoid, "SigmoidBackward0") X(Relu, "ReluBackward0") X(Clamp, "ClampBackward1")                \
  X(Maximum, "MaximumBackward0") X(Minimum, "MinimumBackward0") X(Where, "WhereBackward0")          \
  X(Sign, "SignBackward0") X(Floor, "FloorBackward0") X(Ceil, "CeilBackward0") X(Round, "RoundBackward0") \
  X(Trunc, "TruncBackward0") X(Reciprocal, "ReciprocalBackward0") X(MaskedFill, "MaskedFillBackward0") \
  X(SumAll, "SumBackward0") X(SumDims, "SumBackward1") X(MeanAll, "MeanBackward0")                  \
  X(MeanDims, "MeanBackward1") X(ProdAll, "ProdBackward0") X(ProdDim, "ProdBackward1")              \
  X(MaxAll, "MaxBackward1") X(MinAll, "MinBackward1") X(MaxDim, "MaxBackward0") X(MinDim, "MinBackward0") \
  X(Amax, "AmaxBackward0") X(Amin, "AminBackward0") X(Var, "VarBackward0") X(Std, "StdBackward0")   \
  X(Norm, "NormBackward1") X(Softmax, "SoftmaxBackward0") X(LogSoftmax, "LogSoftmaxBackward0")      \
  X(Logsumexp, "LogsumexpBackward0") X(Mm, "MmBackward0") X(Bmm, "BmmBackward0") X(Mv, "MvBackward0") \
  X(Dot, "DotBackward0") X(View, "ViewBackward0") X(Reshape, "ReshapeAliasBackward0")               \
  X(UnsafeView, "UnsafeViewBackward0") X(Squeeze, "SqueezeBackward0") X(SqueezeDim, "SqueezeBackward1") \
  X(Unsqueeze, "UnsqueezeBackward0") X(Transpose, "TransposeBackward0") X(T, "TBackward0")          \
  X(Permute, "PermuteBackward0") X(Expand, "ExpandBackward0") X(Slice, "SliceBackward0")            \
  X(Select, "SelectBackward0") X(AsStrided, "AsStridedBackward0") X(IndexSelect, "IndexSelectBackward0") \
  X(Gather, "GatherBackward0") X(ScatterAdd, "ScatterAddBackward0") X(Cat, "CatBackward0")          \
  X(Repeat, "RepeatBackward0") X(Clone, "CloneBackward0")                                         \
  X(ToCopy, "ToCopyBackward0") X(Fill, "FillBackward2") X(Copy, "CopyBackwards")                    \
  X(Im2Col, "Im2ColBackward0") X(Col2Im, "Col2ImBackward0")                                         \
  X(MaxPool2d, "MaxPool2DWithIndicesBackward0") X(Convolution, "ConvolutionBackward0")           \
  X(Addmm, "AddmmBackward0")                                                                        \
  X(NativeLayerNorm, "NativeLayerNormBackward0")

enum class Op : uint16_t {
#define EMBER_AUTOGRAD_ENUM(name, node_name) name,
  EMBER_AUTOGRAD_OPS(EMBER_AUTOGRAD_ENUM)
#undef EMBER_AUTOGRAD_ENUM
      Count
};

// What an input looked like, for shaping and casting its gradient.
struct InputMeta {
  DimVector sizes;
  DimVector strides;
  int64_t offset = 0;
  Dtype dtype = kFloat32;
  Device device = Device(kCPU);
};

// The node recorded for a table op.
class FormulaNode final : public Node {
 public:
  explicit FormulaNode(Op op) : op(op) {}
  std::string name() const override;
  variable_list apply(variable_list&& grad_outputs) override;
  void release_variables() override {
    for (auto& s : saved) s.reset();
  }
  // Whether input i needs a gradient.
  bool needs(size_t i) const { return i < next_edges_.size() && next_edges_[i].is_valid(); }
  Tensor saved_at(size_t i) const { return saved.at(i).unpack(*this); }
  std::optional<variable_list> run_backward_kernel(ember_kernel_fn kernel, const Device& device,
                                    const variable_list& grad_outputs) const;

  Op op;
  ember::detail::SmallVector<InputMeta, 2> inputs;
  std::vector<SavedVariable> saved;
  std::vector<Scalar> scalars;
  DimVector ints;
  std::vector<DimVector> shapes;  // per-op extra shapes (cat sizes, ...)
};

using Backward = variable_list (*)(const FormulaNode& node, const variable_list& grads);

// The op whose node is named `node_name` ("ReluBackward0").
std::optional<Op> find_op(const std::string& node_name);

// Sums a gradient that was broadcast back down to `sizes` (the gradient of
// an operand that broadcasting expanded); `what` names the node in errors.
Tensor sum_to(const Tensor& grad, IntArrayRef sizes, const std::string& what = "backward");

// A plugin's backward kernel (see register_backward in abi.h): a device
// type's own backward of a table op, used instead of the formula when the
// gradient lives on that device, or the backward of an op the plugin added.
void register_backward_kernel(const std::string& name, int device_type, ember_kernel_fn kernel);
ember_kernel_fn device_override(Op op, int device_type);

// Records `op` over `inputs` for `outputs` when grad mode is on and an input
// requires grad; returns the node so the caller can save what the backward
// needs (null when nothing was recorded).
// The braced lists hold references, not Tensor copies: every op calls this,
// mostly with grad off or nothing requiring grad, and copying the handles
// cost two atomic reference counts each.
struct TensorRef {
  TensorRef(const Tensor& t) : tensor(&t) {}  // NOLINT(google-explicit-constructor): for {a, b} lists
  const Tensor* tensor;
};
FormulaNode* record(Op op, std::initializer_list<TensorRef> inputs, std::initializer_list<TensorRef> outputs);
FormulaNode* record(Op op, const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs);

// Saves a tensor for the backward. Outputs of the node must be saved with
// save_output (see Note [Saved outputs] in saved_variable.cpp).
void save(FormulaNode* node, const Tensor& t);
void save_output(FormulaNode* node, const Tensor& t);

// The in-place version check of PyTorch: a leaf that requires grad cannot be
// written in place while grad mode is on.
void check_inplace(const Tensor& self, const char* op);

}  // namespace ember::autograd
