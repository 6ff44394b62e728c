// Elementwise ops: unary, binary with broadcasting and type promotion,
// ternary where, their in-place forms, and the operators.
#include "ops/elementwise.h"

#include "autograd/formulas.h"
#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/sdk/op_names.h"
#include "tensor/make.h"

namespace ember::ops {

using detail::describe;
using detail::make_tensor;

namespace {
constexpr Dtype kUndefined = Dtype(-1);

Dtype promote_skip_undefined(Dtype a, Dtype b) {
  if (a == kUndefined) return b;
  if (b == kUndefined) return a;
  return promote_types(a, b);
}

// c10's combine_categories: a higher-priority operand keeps its dtype unless
// a lower one is of a higher category (bool < integral < floating).
Dtype combine_categories(Dtype higher, Dtype lower) {
  if (higher != kUndefined && is_floating_point(higher)) return higher;
  if (higher == kBool || (lower != kUndefined && is_floating_point(lower))) return promote_skip_undefined(higher, lower);
  if (higher != kUndefined) return higher;
  return lower;
}

bool is_comparison(ember_op op) { return op >= EMBER_OP_EQ && op <= EMBER_OP_GE; }
bool is_logical(ember_op op) { return op >= EMBER_OP_LOGICAL_AND && op <= EMBER_OP_LOGICAL_XOR; }

// The dtype the kernel computes in, and the dtype of the result.
std::pair<Dtype, Dtype> binary_dtypes(ember_op op, Dtype common) {
  if (is_comparison(op) || is_logical(op)) return {is_logical(op) ? kBool : common, kBool};
  if (op == EMBER_OP_DIV && !is_floating_point(common)) return {kDefaultFloat, kDefaultFloat};
  return {common, common};
}

// `b` is a Tensor or a Scalar; it is only described when the check fails.
template <typename B>
void check_binary_dtype(ember_op op, Dtype compute, const Tensor& a, const B& b) {
  if (compute != kBool) return;
  const bool ok = op == EMBER_OP_ADD || op == EMBER_OP_MUL || op == EMBER_OP_MAXIMUM || op == EMBER_OP_MINIMUM ||
                  is_comparison(op) || is_logical(op);
  if constexpr (std::is_same_v<B, Tensor>) {
    EMBER_CHECK(ok, sdk::op_name(op), ": not supported for bool tensors (", describe(a), " and ", describe(b),
                "); convert with .to(ember::kFloat32) or use the logical ops");
  } else {
    EMBER_CHECK(ok, sdk::op_name(op), ": not supported for bool tensors (", describe(a), " and the scalar ", b,
                "); convert with .to(ember::kFloat32) or use the logical ops");
  }
}

// `t` in the compute dtype, viewed with the output's shape: `t` itself when
// it already is (the common case, which costs nothing), else a conversion or
// view kept in `held`.
const Tensor& broadcast_to(const Tensor& t, Dtype compute, IntArrayRef shape, Tensor& held) {
  if (t.dtype() == compute && t.sizes().equals(shape)) return t;
  held = t.dtype() == compute ? t : t.to(compute);
  if (!held.sizes().equals(shape)) held = held.expand(shape);
  return held;
}

// Internal helpers never record: the public op records its own node.
Tensor run_binary(ember_op op, const Tensor& a, const Tensor& b, Dtype compute, Dtype out_dtype,
                  const Scalar& alpha) {
  NoGradGuard no_grad;
  const DimVector shape = detail::broadcast_shapes(a.sizes(), b.sizes(), sdk::op_name(op));
  Tensor out = make_tensor(shape, out_dtype, a.device());
  if (out.numel() == 0) return out;
  Tensor a_held, b_held;
  const Tensor& x = broadcast_to(a, compute, shape, a_held);
  const Tensor& y = broadcast_to(b, compute, shape, b_held);
  const ember_scalar s = dispatch::to_abi(alpha);
  if (out_dtype == compute || is_comparison(op) || is_logical(op)) {
    dispatch::call(op, {&x, &y}, out, {&s, 1});
    return out;
  }
  Tensor tmp = make_tensor(shape, compute, a.device());
  dispatch::call(op, {&x, &y}, tmp, {&s, 1});
  return tmp.to(out_dtype);
}

void check_same_device(ember_op op, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.device() == b.device(), sdk::op_name(op), ": expected both operands on one device, but got ",
              describe(a), " and ", describe(b), "; move one with .to(device)");
}

bool can_cast(Dtype from, Dtype to) {
  if (is_floating_point(from) && !is_floating_point(to)) return false;
  if (from != kBool && to == kBool) return false;
  return true;
}
}  // namespace

void ResultType::add(const Tensor& t) {
  if (t.dim() > 0) dim_result = promote_skip_undefined(dim_result, t.dtype());
  else zero_result = promote_skip_undefined(zero_result, t.dtype());
}

void ResultType::add(const Scalar& s) {
  const Dtype d = s.is_floating_point() ? kDefaultFloat : s.dtype();
  wrapped_result = promote_skip_undefined(wrapped_result, d);
}

Dtype ResultType::result() const { return combine_categories(dim_result, combine_categories(zero_result, wrapped_result)); }

Tensor scalar_tensor(const Scalar& value, Dtype dtype, const Device& device) {
  return full({}, value, TensorOptions().dtype(dtype).device(device));
}

Tensor binary(ember_op op, const Tensor& a, const Tensor& b, std::optional<Dtype> out_dtype, const Scalar& alpha) {
  check_same_device(op, a, b);
  ResultType rt;
  rt.add(a);
  rt.add(b);
  auto [compute, result] = binary_dtypes(op, rt.result());
  check_binary_dtype(op, compute, a, b);
  return run_binary(op, a, b, compute, out_dtype.value_or(result), alpha);
}

Tensor binary(ember_op op, const Tensor& a, const Scalar& b, std::optional<Dtype> out_dtype, const Scalar& alpha) {
  ResultType rt;
  rt.add(a);
  rt.add(b);
  auto [compute, result] = binary_dtypes(op, rt.result());
  check_binary_dtype(op, compute, a, b);
  return run_binary(op, a, scalar_tensor(b, compute, a.device()), compute, out_dtype.value_or(result), alpha);
}

Tensor& binary_(ember_op op, Tensor& self, const Tensor& other, const Scalar& alpha) {
  NoGradGuard no_grad;
  check_same_device(op, self, other);
  detail::check_no_internal_overlap(sdk::op_name(op), self);
  ResultType rt;
  rt.add(self);
  rt.add(other);
  auto [compute, result] = binary_dtypes(op, rt.result());
  EMBER_CHECK(can_cast(result, self.dtype()), sdk::op_name(op), "_: the result type ", dtype_name(result),
              " cannot be cast to the in-place output's dtype ", dtype_name(self.dtype()), " (", describe(self), " and ",
              describe(other), "); use the out-of-place form");
  check_binary_dtype(op, compute, self, other);
  const DimVector shape = detail::broadcast_shapes(self.sizes(), other.sizes(), sdk::op_name(op));
  EMBER_CHECK(IntArrayRef(shape).equals(self.sizes()), sdk::op_name(op), "_: the operand of shape ",
              detail::shape_str(other.sizes()), " does not broadcast to the in-place output's shape ",
              detail::shape_str(self.sizes()));
  if (self.numel() == 0) return self;
  if (compute != self.dtype()) return self.copy_(run_binary(op, self, other, compute, compute, alpha));
  Tensor other_held;
  const Tensor& y = broadcast_to(other, compute, shape, other_held);
  const ember_scalar s = dispatch::to_abi(alpha);
  dispatch::call(op, {&self, &y}, self, {&s, 1});
  return self;
}

namespace {
enum class UnaryDtype { Same, Float, Bool };

Tensor unary(ember_op op, const Tensor& x, UnaryDtype rule, std::initializer_list<ember_scalar> scalars = {},
             std::initializer_list<int64_t> ints = {}) {
  NoGradGuard no_grad;
  Dtype out_dtype = x.dtype();
  if (rule == UnaryDtype::Float && !is_floating_point(out_dtype)) out_dtype = kDefaultFloat;
  if (rule == UnaryDtype::Bool) out_dtype = kBool;
  Tensor in = out_dtype == x.dtype() || rule == UnaryDtype::Bool ? x : x.to(out_dtype);
  Tensor out = make_tensor(x.sizes(), out_dtype, x.device());
  if (out.numel() > 0)
    dispatch::call(op, {&in, 1}, {&out, 1}, {scalars.begin(), scalars.size()}, {ints.begin(), ints.size()});
  return out;
}

Tensor& unary_(ember_op op, Tensor& x, std::initializer_list<ember_scalar> scalars = {},
               std::initializer_list<int64_t> ints = {}) {
  detail::check_no_internal_overlap(sdk::op_name(op), x);
  if (x.numel() > 0)
    dispatch::call(op, {&x, 1}, {&x, 1}, {scalars.begin(), scalars.size()}, {ints.begin(), ints.size()});
  return x;
}

void check_not_bool(const char* op, const Tensor& x) {
  EMBER_CHECK(x.dtype() != kBool, op, ": not supported for bool tensors (", describe(x),
              "); use logical_not, or convert with .to(ember::kFloat32)");
}
}  // namespace

}  // namespace ember::ops

namespace ember {

using detail::make_tensor;
using ops::binary;
using ops::binary_;
using ops::unary;
using ops::UnaryDtype;

// Each differentiable op records its node (autograd::record) after the
// forward, saving what its formula in autograd/formulas.cpp reads.
using autograd::Op;
using autograd::record;
using autograd::save;
using autograd::save_output;

namespace {
// A scalar operand's dtype as the in-place forms need it.
Dtype inplace_scalar_dtype(const Tensor& self, const Scalar& s) {
  return s.is_floating_point() && !self.is_floating_point() ? kDefaultFloat : self.dtype();
}
// A copy of `t` taken before an in-place op overwrites it, when a formula
// will need the old value. The copy is recorded (a CloneBackward0 onto t's
// history so far), so that a create_graph backward can differentiate the
// gradient that reads it, as PyTorch's saved original self.
Tensor old_value(const Tensor& t, bool needed) {
  if (!needed) return Tensor();
  return t.clone();
}
}  // namespace

Tensor Tensor::add(const Tensor& o, const Scalar& alpha) const {
  Tensor out = binary(EMBER_OP_ADD, *this, o, {}, alpha);
  if (auto* n = record(Op::Add, {*this, o}, {out})) n->scalars = {alpha};
  return out;
}
Tensor Tensor::add(const Scalar& o, const Scalar& alpha) const {
  Tensor out = binary(EMBER_OP_ADD, *this, o, {}, alpha);
  if (auto* n = record(Op::Add, {*this, Tensor()}, {out})) n->scalars = {alpha};
  return out;
}
Tensor Tensor::sub(const Tensor& o, const Scalar& alpha) const {
  Tensor out = binary(EMBER_OP_SUB, *this, o, {}, alpha);
  if (auto* n = record(Op::Sub, {*this, o}, {out})) n->scalars = {alpha};
  return out;
}
Tensor Tensor::sub(const Scalar& o, const Scalar& alpha) const {
  Tensor out = binary(EMBER_OP_SUB, *this, o, {}, alpha);
  if (auto* n = record(Op::Sub, {*this, Tensor()}, {out})) n->scalars = {alpha};
  return out;
}
Tensor Tensor::mul(const Tensor& o) const {
  Tensor out = binary(EMBER_OP_MUL, *this, o);
  if (auto* n = record(Op::Mul, {*this, o}, {out})) {
    save(n, *this);
    save(n, o);
  }
  return out;
}
Tensor Tensor::mul(const Scalar& o) const {
  Tensor out = binary(EMBER_OP_MUL, *this, o);
  if (auto* n = record(Op::Mul, {*this, Tensor()}, {out})) n->scalars = {o};
  return out;
}
Tensor Tensor::div(const Tensor& o) const {
  Tensor out = binary(EMBER_OP_DIV, *this, o);
  if (auto* n = record(Op::Div, {*this, o}, {out})) {
    save(n, *this);
    save(n, o);
  }
  return out;
}
Tensor Tensor::div(const Scalar& o) const {
  Tensor out = binary(EMBER_OP_DIV, *this, o);
  if (auto* n = record(Op::Div, {*this, Tensor()}, {out})) n->scalars = {o};
  return out;
}
Tensor Tensor::pow(const Tensor& e) const {
  Tensor out = binary(EMBER_OP_POW, *this, e);
  if (auto* n = record(Op::PowTensor, {*this, e}, {out})) {
    save(n, *this);
    save(n, e);
    save_output(n, out);
  }
  return out;
}
Tensor Tensor::pow(const Scalar& e) const {
  EMBER_CHECK(!(is_integral(dtype(), true) && e.is_integral() && e.to_long() < 0),
              "pow: integers to negative integer powers are not allowed (", detail::describe(*this), ", exponent ", e,
              "); convert the base to floating point first");
  Tensor out = binary(EMBER_OP_POW, *this, e);
  if (auto* n = record(Op::PowScalar, {*this}, {out})) {
    n->scalars = {e};
    save(n, *this);
  }
  return out;
}
Tensor Tensor::maximum(const Tensor& o) const {
  Tensor out = binary(EMBER_OP_MAXIMUM, *this, o);
  if (auto* n = record(Op::Maximum, {*this, o}, {out})) {
    save(n, *this);
    save(n, o);
  }
  return out;
}
Tensor Tensor::minimum(const Tensor& o) const {
  Tensor out = binary(EMBER_OP_MINIMUM, *this, o);
  if (auto* n = record(Op::Minimum, {*this, o}, {out})) {
    save(n, *this);
    save(n, o);
  }
  return out;
}
Tensor Tensor::logical_and(const Tensor& o) const { return binary(EMBER_OP_LOGICAL_AND, *this, o); }
Tensor Tensor::logical_or(const Tensor& o) const { return binary(EMBER_OP_LOGICAL_OR, *this, o); }
Tensor Tensor::logical_xor(const Tensor& o) const { return binary(EMBER_OP_LOGICAL_XOR, *this, o); }
Tensor Tensor::eq(const Tensor& o) const { return binary(EMBER_OP_EQ, *this, o); }
Tensor Tensor::eq(const Scalar& o) const { return binary(EMBER_OP_EQ, *this, o); }
Tensor Tensor::ne(const Tensor& o) const { return binary(EMBER_OP_NE, *this, o); }
Tensor Tensor::ne(const Scalar& o) const { return binary(EMBER_OP_NE, *this, o); }
Tensor Tensor::lt(const Tensor& o) const { return binary(EMBER_OP_LT, *this, o); }
Tensor Tensor::lt(const Scalar& o) const { return binary(EMBER_OP_LT, *this, o); }
Tensor Tensor::le(const Tensor& o) const { return binary(EMBER_OP_LE, *this, o); }
Tensor Tensor::le(const Scalar& o) const { return binary(EMBER_OP_LE, *this, o); }
Tensor Tensor::gt(const Tensor& o) const { return binary(EMBER_OP_GT, *this, o); }
Tensor Tensor::gt(const Scalar& o) const { return binary(EMBER_OP_GT, *this, o); }
Tensor Tensor::ge(const Tensor& o) const { return binary(EMBER_OP_GE, *this, o); }
Tensor Tensor::ge(const Scalar& o) const { return binary(EMBER_OP_GE, *this, o); }

namespace {
// A unary op and its node: `keep` says what the formula reads (the input,
// the output, or nothing).
enum class Keep { Nothing, Input, Output };
Tensor unary_recorded(ember_op kernel, Op op, const Tensor& x, UnaryDtype rule, Keep keep) {
  Tensor out = unary(kernel, x, rule);
  if (auto* n = record(op, {x}, {out})) {
    if (keep == Keep::Input) save(n, x);
    if (keep == Keep::Output) save_output(n, out);
  }
  return out;
}
}  // namespace

Tensor Tensor::neg() const {
  ops::check_not_bool("neg", *this);
  return unary_recorded(EMBER_OP_NEG, Op::Neg, *this, UnaryDtype::Same, Keep::Nothing);
}
Tensor Tensor::abs() const {
  ops::check_not_bool("abs", *this);
  return unary_recorded(EMBER_OP_ABS, Op::Abs, *this, UnaryDtype::Same, Keep::Input);
}
Tensor Tensor::exp() const { return unary_recorded(EMBER_OP_EXP, Op::Exp, *this, UnaryDtype::Float, Keep::Output); }
Tensor Tensor::log() const { return unary_recorded(EMBER_OP_LOG, Op::Log, *this, UnaryDtype::Float, Keep::Input); }
Tensor Tensor::sqrt() const { return unary_recorded(EMBER_OP_SQRT, Op::Sqrt, *this, UnaryDtype::Float, Keep::Output); }
Tensor Tensor::rsqrt() const {
  return unary_recorded(EMBER_OP_RSQRT, Op::Rsqrt, *this, UnaryDtype::Float, Keep::Output);
}
Tensor Tensor::sin() const { return unary_recorded(EMBER_OP_SIN, Op::Sin, *this, UnaryDtype::Float, Keep::Input); }
Tensor Tensor::cos() const { return unary_recorded(EMBER_OP_COS, Op::Cos, *this, UnaryDtype::Float, Keep::Input); }
Tensor Tensor::tanh() const { return unary_recorded(EMBER_OP_TANH, Op::Tanh, *this, UnaryDtype::Float, Keep::Output); }
Tensor Tensor::sigmoid() const {
  return unary_recorded(EMBER_OP_SIGMOID, Op::Sigmoid, *this, UnaryDtype::Float, Keep::Output);
}
Tensor Tensor::relu() const {
  ops::check_not_bool("relu", *this);
  return unary_recorded(EMBER_OP_RELU, Op::Relu, *this, UnaryDtype::Same, Keep::Output);
}
Tensor Tensor::sign() const { return unary_recorded(EMBER_OP_SIGN, Op::Sign, *this, UnaryDtype::Same, Keep::Nothing); }
Tensor Tensor::floor() const {
  return unary_recorded(EMBER_OP_FLOOR, Op::Floor, *this, UnaryDtype::Same, Keep::Nothing);
}
Tensor Tensor::ceil() const { return unary_recorded(EMBER_OP_CEIL, Op::Ceil, *this, UnaryDtype::Same, Keep::Nothing); }
Tensor Tensor::round() const {
  return unary_recorded(EMBER_OP_ROUND, Op::Round, *this, UnaryDtype::Same, Keep::Nothing);
}
Tensor Tensor::trunc() const {
  return unary_recorded(EMBER_OP_TRUNC, Op::Trunc, *this, UnaryDtype::Same, Keep::Nothing);
}
Tensor Tensor::square() const { return mul(*this); }
Tensor Tensor::reciprocal() const {
  Tensor out;
  {
    NoGradGuard no_grad;
    out = ember::div(ops::scalar_tensor(1, is_floating_point() ? dtype() : kDefaultFloat, device()), *this);
  }
  if (auto* n = record(Op::Reciprocal, {*this}, {out})) save_output(n, out);
  return out;
}
Tensor Tensor::logical_not() const { return unary(EMBER_OP_LOGICAL_NOT, *this, UnaryDtype::Bool); }

namespace {
// clamp's bounds: scalars[0..1] and ints {has_min, has_max}.
std::pair<std::array<ember_scalar, 2>, std::array<int64_t, 2>> clamp_args(const Tensor& t,
                                                                          const std::optional<Scalar>& min,
                                                                          const std::optional<Scalar>& max) {
  EMBER_CHECK(min || max, "clamp: at least one of 'min' or 'max' must be given");
  EMBER_CHECK(t.dtype() != kBool, "clamp: not supported for bool tensors (", detail::describe(t), ")");
  return {{dispatch::to_abi(min.value_or(0)), dispatch::to_abi(max.value_or(0))}, {min ? 1 : 0, max ? 1 : 0}};
}
void record_clamp(const Tensor& input_history, const Tensor& old, const Tensor& out, const std::optional<Scalar>& min,
                  const std::optional<Scalar>& max) {
  if (auto* n = record(Op::Clamp, {input_history}, {out})) {
    save(n, old);
    n->scalars = {min.value_or(0), max.value_or(0)};
    n->ints = {min ? 1 : 0, max ? 1 : 0};
  }
}
}  // namespace

Tensor Tensor::clamp(const std::optional<Scalar>& min, const std::optional<Scalar>& max) const {
  auto [s, i] = clamp_args(*this, min, max);
  // A float bound on an integer tensor promotes, as in PyTorch.
  const bool promote = !is_floating_point() && ((min && min->is_floating_point()) || (max && max->is_floating_point()));
  Tensor in = promote ? to(kDefaultFloat) : *this;
  Tensor out = make_tensor(sizes(), in.dtype(), device());
  if (out.numel() > 0) dispatch::call(EMBER_OP_CLAMP, {&in, 1}, {&out, 1}, s, i);
  record_clamp(*this, *this, out, min, max);
  return out;
}
Tensor& Tensor::clamp_(const std::optional<Scalar>& min, const std::optional<Scalar>& max) const {
  auto [s, i] = clamp_args(*this, min, max);
  detail::check_no_internal_overlap("clamp_", *this);
  autograd::check_inplace(*this, "clamp_");
  EMBER_CHECK(is_floating_point() || !((min && min->is_floating_point()) || (max && max->is_floating_point())),
              "clamp_: the result type float32 (a floating point bound) cannot be cast to the in-place output's dtype ",
              dtype_name(dtype()), " (", detail::describe(*this), "); use the out-of-place clamp or integer bounds");
  const Tensor old = old_value(*this, GradMode::is_enabled() && requires_grad());
  if (numel() > 0) dispatch::call(EMBER_OP_CLAMP, {this, 1}, {this, 1}, s, i);
  record_clamp(*this, old, *this, min, max);
  return self();
}
Tensor& Tensor::relu_() const {
  autograd::check_inplace(*this, "relu_");
  ops::unary_(EMBER_OP_RELU, self());
  if (auto* n = record(Op::Relu, {*this}, {*this})) save_output(n, *this);
  return self();
}

Tensor& Tensor::add_(const Tensor& o, const Scalar& alpha) const {
  autograd::check_inplace(*this, "add_");
  binary_(EMBER_OP_ADD, self(), o, alpha);
  if (auto* n = record(Op::Add, {*this, o}, {*this})) n->scalars = {alpha};
  return self();
}
Tensor& Tensor::add_(const Scalar& o, const Scalar& alpha) const {
  autograd::check_inplace(*this, "add_");
  binary_(EMBER_OP_ADD, self(), ops::scalar_tensor(o, inplace_scalar_dtype(*this, o), device()), alpha);
  if (auto* n = record(Op::Add, {*this, Tensor()}, {*this})) n->scalars = {alpha};
  return self();
}
Tensor& Tensor::sub_(const Tensor& o, const Scalar& alpha) const {
  autograd::check_inplace(*this, "sub_");
  binary_(EMBER_OP_SUB, self(), o, alpha);
  if (auto* n = record(Op::Sub, {*this, o}, {*this})) n->scalars = {alpha};
  return self();
}
Tensor& Tensor::sub_(const Scalar& o, const Scalar& alpha) const {
  autograd::check_inplace(*this, "sub_");
  binary_(EMBER_OP_SUB, self(), ops::scalar_tensor(o, inplace_scalar_dtype(*this, o), device()), alpha);
  if (auto* n = record(Op::Sub, {*this, Tensor()}, {*this})) n->scalars = {alpha};
  return self();
}
Tensor& Tensor::mul_(const Tensor& o) const {
  autograd::check_inplace(*this, "mul_");
  const Tensor old = old_value(*this, GradMode::is_enabled() && o.requires_grad());
  binary_(EMBER_OP_MUL, self(), o);
  if (auto* n = record(Op::Mul, {*this, o}, {*this})) {
    save(n, old);
    save(n, o);
  }
  return self();
}
Tensor& Tensor::mul_(const Scalar& o) const {
  autograd::check_inplace(*this, "mul_");
  binary_(EMBER_OP_MUL, self(), ops::scalar_tensor(o, inplace_scalar_dtype(*this, o), device()));
  if (auto* n = record(Op::Mul, {*this, Tensor()}, {*this})) n->scalars = {o};
  return self();
}
Tensor& Tensor::div_(const Tensor& o) const {
  autograd::check_inplace(*this, "div_");
  const Tensor old = old_value(*this, GradMode::is_enabled() && o.requires_grad());
  binary_(EMBER_OP_DIV, self(), o);
  if (auto* n = record(Op::Div, {*this, o}, {*this})) {
    save(n, old);
    save(n, o);
  }
  return self();
}
Tensor& Tensor::div_(const Scalar& o) const {
  autograd::check_inplace(*this, "div_");
  binary_(EMBER_OP_DIV, self(), ops::scalar_tensor(o, is_floating_point() ? dtype() : kDefaultFloat, device()));
  if (auto* n = record(Op::Div, {*this, Tensor()}, {*this})) n->scalars = {o};
  return self();
}

Tensor Tensor::masked_fill(const Tensor& mask, const Scalar& value) const {
  Tensor out = clone();
  out.masked_fill_(mask, value);
  return out;
}

Tensor& Tensor::masked_fill_(const Tensor& mask, const Scalar& value) const {
  detail::check_no_internal_overlap("masked_fill_", *this);
  autograd::check_inplace(*this, "masked_fill_");
  EMBER_CHECK(mask.dtype() == kBool, "masked_fill_: the mask must be a bool tensor, got ", detail::describe(mask));
  EMBER_CHECK(mask.device() == device(), "masked_fill_: the mask is on ", mask.device().str(), " but the tensor on ",
              device().str());
  const DimVector shape = detail::broadcast_shapes(sizes(), mask.sizes(), "masked_fill_");
  EMBER_CHECK(IntArrayRef(shape).equals(sizes()), "masked_fill_: the mask of shape ", detail::shape_str(mask.sizes()),
              " does not broadcast to the tensor's shape ", detail::shape_str(sizes()));
  // As PyTorch, the value is cast to the tensor's dtype (2.5 fills an int64 tensor with 2).
  if (numel() == 0) return self();
  const Tensor inputs[3] = {mask.expand(shape), ops::scalar_tensor(value, dtype(), device()).expand(shape), *this};
  dispatch::call(EMBER_OP_WHERE, inputs, {this, 1});
  if (auto* n = record(Op::MaskedFill, {*this}, {*this})) save(n, mask);
  return self();
}

// ---- free functions ----
Tensor add(const Tensor& a, const Tensor& b, const Scalar& alpha) { return a.add(b, alpha); }
Tensor add(const Tensor& a, const Scalar& b, const Scalar& alpha) { return a.add(b, alpha); }
Tensor sub(const Tensor& a, const Tensor& b, const Scalar& alpha) { return a.sub(b, alpha); }
Tensor sub(const Tensor& a, const Scalar& b, const Scalar& alpha) { return a.sub(b, alpha); }
Tensor mul(const Tensor& a, const Tensor& b) { return a.mul(b); }
Tensor mul(const Tensor& a, const Scalar& b) { return a.mul(b); }
Tensor div(const Tensor& a, const Tensor& b) { return a.div(b); }
Tensor div(const Tensor& a, const Scalar& b) { return a.div(b); }
Tensor pow(const Tensor& a, const Tensor& b) { return a.pow(b); }
Tensor pow(const Tensor& a, const Scalar& b) { return a.pow(b); }
Tensor pow(const Scalar& a, const Tensor& b) {
  ops::ResultType rt;
  rt.add(b);
  rt.add(a);
  return ops::scalar_tensor(a, rt.result(), b.device()).pow(b);
}
Tensor maximum(const Tensor& a, const Tensor& b) { return a.maximum(b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return a.minimum(b); }
Tensor neg(const Tensor& t) { return t.neg(); }
Tensor abs(const Tensor& t) { return t.abs(); }
Tensor exp(const Tensor& t) { return t.exp(); }
Tensor log(const Tensor& t) { return t.log(); }
Tensor sqrt(const Tensor& t) { return t.sqrt(); }
Tensor rsqrt(const Tensor& t) { return t.rsqrt(); }
Tensor sin(const Tensor& t) { return t.sin(); }
Tensor cos(const Tensor& t) { return t.cos(); }
Tensor tanh(const Tensor& t) { return t.tanh(); }
Tensor sigmoid(const Tensor& t) { return t.sigmoid(); }
Tensor relu(const Tensor& t) { return t.relu(); }
Tensor sign(const Tensor& t) { return t.sign(); }
Tensor floor(const Tensor& t) { return t.floor(); }
Tensor ceil(const Tensor& t) { return t.ceil(); }
Tensor round(const Tensor& t) { return t.round(); }
Tensor trunc(const Tensor& t) { return t.trunc(); }
Tensor square(const Tensor& t) { return t.square(); }
Tensor clamp(const Tensor& t, const std::optional<Scalar>& min, const std::optional<Scalar>& max) {
  return t.clamp(min, max);
}
Tensor logical_not(const Tensor& t) { return t.logical_not(); }
Tensor logical_and(const Tensor& a, const Tensor& b) { return a.logical_and(b); }
Tensor logical_or(const Tensor& a, const Tensor& b) { return a.logical_or(b); }
Tensor logical_xor(const Tensor& a, const Tensor& b) { return a.logical_xor(b); }
Tensor eq(const Tensor& a, const Tensor& b) { return a.eq(b); }
Tensor ne(const Tensor& a, const Tensor& b) { return a.ne(b); }
Tensor lt(const Tensor& a, const Tensor& b) { return a.lt(b); }
Tensor le(const Tensor& a, const Tensor& b) { return a.le(b); }
Tensor gt(const Tensor& a, const Tensor& b) { return a.gt(b); }
Tensor ge(const Tensor& a, const Tensor& b) { return a.ge(b); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(condition.dtype() == kBool, "where: the condition must be a bool tensor, got ",
              detail::describe(condition));
  EMBER_CHECK(condition.device() == a.device() && a.device() == b.device(),
              "where: expected all tensors on one device, got ", condition.device().str(), ", ", a.device().str(),
              " and ", b.device().str());
  ops::ResultType rt;
  rt.add(a);
  rt.add(b);
  const Dtype dtype = rt.result();
  DimVector shape = detail::broadcast_shapes(condition.sizes(), a.sizes(), "where");
  shape = detail::broadcast_shapes(shape, b.sizes(), "where");
  Tensor out = make_tensor(shape, dtype, a.device());
  if (out.numel() > 0) {
    NoGradGuard no_grad;
    const Tensor inputs[3] = {condition.expand(shape), a.to(dtype).expand(shape), b.to(dtype).expand(shape)};
    dispatch::call(EMBER_OP_WHERE, inputs, {&out, 1});
  }
  if (auto* n = record(Op::Where, {a, b}, {out})) save(n, condition);
  return out;
}
namespace {
Dtype where_scalar_dtype(const Tensor& t, const Scalar& s) {
  ops::ResultType rt;
  rt.add(t);
  rt.add(s);
  return rt.result();
}
}  // namespace
Tensor where(const Tensor& c, const Scalar& a, const Tensor& b) {
  return where(c, ops::scalar_tensor(a, where_scalar_dtype(b, a), b.device()), b);
}
Tensor where(const Tensor& c, const Tensor& a, const Scalar& b) {
  return where(c, a, ops::scalar_tensor(b, where_scalar_dtype(a, b), a.device()));
}
Tensor where(const Tensor& c, const Scalar& a, const Scalar& b) {
  ops::ResultType rt;
  rt.add(a);
  rt.add(b);
  const Dtype d = rt.result();
  return where(c, ops::scalar_tensor(a, d, c.device()), ops::scalar_tensor(b, d, c.device()));
}

Dtype result_type(const Tensor& a, const Tensor& b) {
  ops::ResultType rt;
  rt.add(a);
  rt.add(b);
  return rt.result();
}
Dtype result_type(const Tensor& a, const Scalar& b) {
  ops::ResultType rt;
  rt.add(a);
  rt.add(b);
  return rt.result();
}

// ---- operators ----
Tensor operator+(const Tensor& a, const Tensor& b) { return a.add(b); }
Tensor operator+(const Tensor& a, const Scalar& b) { return a.add(b); }
Tensor operator+(const Scalar& a, const Tensor& b) { return b.add(a); }
Tensor operator-(const Tensor& a, const Tensor& b) { return a.sub(b); }
Tensor operator-(const Tensor& a, const Scalar& b) { return a.sub(b); }
Tensor operator-(const Scalar& a, const Tensor& b) {
  ops::ResultType rt;
  rt.add(b);
  rt.add(a);
  Tensor out = ops::binary(EMBER_OP_SUB, ops::scalar_tensor(a, rt.result(), b.device()), b);
  if (auto* n = record(Op::Rsub, {b}, {out})) n->scalars = {1};
  return out;
}
Tensor operator*(const Tensor& a, const Tensor& b) { return a.mul(b); }
Tensor operator*(const Tensor& a, const Scalar& b) { return a.mul(b); }
Tensor operator*(const Scalar& a, const Tensor& b) { return b.mul(a); }
Tensor operator/(const Tensor& a, const Tensor& b) { return a.div(b); }
Tensor operator/(const Tensor& a, const Scalar& b) { return a.div(b); }
Tensor operator/(const Scalar& a, const Tensor& b) {
  ops::ResultType rt;
  rt.add(b);
  rt.add(a);
  const Tensor numerator = ops::scalar_tensor(a, rt.result(), b.device());
  Tensor out = ops::binary(EMBER_OP_DIV, numerator, b);
  if (auto* n = record(Op::Div, {Tensor(), b}, {out})) {
    save(n, numerator);
    save(n, b);
  }
  return out;
}
Tensor operator-(const Tensor& a) { return a.neg(); }
Tensor operator==(const Tensor& a, const Tensor& b) { return a.eq(b); }
Tensor operator==(const Tensor& a, const Scalar& b) { return a.eq(b); }
Tensor operator!=(const Tensor& a, const Tensor& b) { return a.ne(b); }
Tensor operator!=(const Tensor& a, const Scalar& b) { return a.ne(b); }
Tensor operator<(const Tensor& a, const Tensor& b) { return a.lt(b); }
Tensor operator<(const Tensor& a, const Scalar& b) { return a.lt(b); }
Tensor operator<=(const Tensor& a, const Tensor& b) { return a.le(b); }
Tensor operator<=(const Tensor& a, const Scalar& b) { return a.le(b); }
Tensor operator>(const Tensor& a, const Tensor& b) { return a.gt(b); }
Tensor operator>(const Tensor& a, const Scalar& b) { return a.gt(b); }
Tensor operator>=(const Tensor& a, const Tensor& b) { return a.ge(b); }
Tensor operator>=(const Tensor& a, const Scalar& b) { return a.ge(b); }

namespace {
void check_bool_operands(const char* op, const Tensor& a, const Tensor& b) {
  EMBER_CHECK(a.dtype() == kBool && b.dtype() == kBool, "operator", op,
              ": defined for bool tensors (logical), got ", detail::describe(a), " and ", detail::describe(b));
}
}  // namespace
Tensor operator&(const Tensor& a, const Tensor& b) {
  check_bool_operands("&", a, b);
  return a.logical_and(b);
}
Tensor operator|(const Tensor& a, const Tensor& b) {
  check_bool_operands("|", a, b);
  return a.logical_or(b);
}
Tensor operator^(const Tensor& a, const Tensor& b) {
  check_bool_operands("^", a, b);
  return a.logical_xor(b);
}
Tensor operator~(const Tensor& a) {
  EMBER_CHECK(a.dtype() == kBool, "operator~: defined for bool tensors (logical not), got ", detail::describe(a));
  return a.logical_not();
}
Tensor& operator+=(Tensor& a, const Tensor& b) { return a.add_(b); }
Tensor& operator+=(Tensor& a, const Scalar& b) { return a.add_(b); }
Tensor& operator-=(Tensor& a, const Tensor& b) { return a.sub_(b); }
Tensor& operator-=(Tensor& a, const Scalar& b) { return a.sub_(b); }
Tensor& operator*=(Tensor& a, const Tensor& b) { return a.mul_(b); }
Tensor& operator*=(Tensor& a, const Scalar& b) { return a.mul_(b); }
Tensor& operator/=(Tensor& a, const Tensor& b) { return a.div_(b); }
Tensor& operator/=(Tensor& a, const Scalar& b) { return a.div_(b); }

}  // namespace ember
