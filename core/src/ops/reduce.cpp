// Reductions. Primitive reductions reach the kernel with the output viewed
// at the input's rank and stride 0 along every reduced dim; mean, var, std,
// norm, softmax and friends are composites of those.
#include <cmath>
#include <limits>

#include "autograd/formulas.h"
#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "ember/sdk/op_names.h"
#include "tensor/make.h"

namespace ember {

using detail::describe;
using detail::make_tensor;
using detail::make_view;

namespace {

struct ReducePlan {
  std::vector<bool> reduced;  // per input dim
  DimVector out_sizes;        // the result's shape (keepdim or not)
  DimVector keep_sizes;       // input rank, reduced dims as 1
  int64_t count = 1;          // elements folded into each output
};

ReducePlan plan(const Tensor& x, IntArrayRef dims, bool keepdim, const char* op) {
  ReducePlan p;
  const int64_t n = x.dim();
  p.reduced.assign(size_t(n), dims.empty());
  for (int64_t d : dims) {
    const int64_t w = detail::wrap_dim(d, n, op);
    if (n == 0) continue;
    EMBER_CHECK(!p.reduced[w] || dims.empty(), op, ": dim ", w, " appears more than once in the list of dims ",
                detail::shape_str(dims));
    p.reduced[w] = true;
  }
  for (int64_t i = 0; i < n; ++i) {
    if (p.reduced[i]) {
      p.count *= x.size(i);
      p.keep_sizes.push_back(1);
      if (keepdim) p.out_sizes.push_back(1);
    } else {
      p.keep_sizes.push_back(x.size(i));
      p.out_sizes.push_back(x.size(i));
    }
  }
  return p;
}

// `out` (shaped by the plan) seen with the input's rank and stride 0 along
// the reduced dims: the kernel's view of the output.
Tensor kernel_view(const Tensor& out, const Tensor& x, const ReducePlan& p) {
  Tensor keep = out.reshape(p.keep_sizes);
  DimVector strides(keep.strides());
  for (size_t i = 0; i < p.reduced.size(); ++i)
    if (p.reduced[i]) strides[i] = 0;
  return make_view(keep, x.sizes(), strides, keep.storage_offset());
}

// The helpers never record: the public ops record their own nodes.
Tensor reduce(ember_op op, const Tensor& x, IntArrayRef dims, bool keepdim, Dtype out_dtype, const char* name) {
  NoGradGuard no_grad;
  ReducePlan p = plan(x, dims, keepdim, name);
  Tensor in = x.dtype() == out_dtype || op == EMBER_OP_ALL || op == EMBER_OP_ANY ? x : x.to(out_dtype);
  Tensor out = make_tensor(p.out_sizes, out_dtype, x.device());
  if (out.numel() == 0) return out;
  if (x.numel() == 0) {
    EMBER_CHECK(op == EMBER_OP_SUM || op == EMBER_OP_PROD || op == EMBER_OP_ALL || op == EMBER_OP_ANY, name,
                ": cannot reduce an empty tensor (", describe(x), ") without an identity; specify a non-empty dim");
    out.fill_(op == EMBER_OP_PROD || op == EMBER_OP_ALL ? 1 : 0);
    return out;
  }
  const Tensor view = kernel_view(out, x, p);
  dispatch::call(op, {&in, 1}, {&view, 1});
  return out;
}

Dtype sum_dtype(const Tensor& x, std::optional<Dtype> dtype) {
  if (dtype) return *dtype;
  return is_integral(x.dtype(), true) ? kInt64 : x.dtype();
}

std::tuple<Tensor, Tensor> reduce_with_index(ember_op op, const Tensor& x, int64_t dim, bool keepdim,
                                             const char* name) {
  NoGradGuard no_grad;
  const int64_t d = detail::wrap_dim(dim, x.dim(), name);
  EMBER_CHECK(x.dim() == 0 || x.size(d) > 0, name, ": cannot reduce dimension ", d, " of size 0 (", describe(x),
              "); there is no maximum or minimum of nothing");
  const int64_t dims[1] = {d};
  ReducePlan p = plan(x, x.dim() == 0 ? IntArrayRef() : IntArrayRef(dims), keepdim, name);
  Tensor values = make_tensor(p.out_sizes, x.dtype(), x.device());
  Tensor indices = make_tensor(p.out_sizes, kInt64, x.device());
  if (values.numel() == 0) return {values, indices};
  if (x.dim() == 0) {
    values.copy_(x);
    indices.fill_(0);
    return {values, indices};
  }
  const Tensor outs[2] = {kernel_view(values, x, p), kernel_view(indices, x, p)};
  const int64_t ints[1] = {d};
  dispatch::call(op, {&x, 1}, outs, {}, ints);
  return {values, indices};
}

void check_floating(const char* op, const Tensor& x, std::optional<Dtype> dtype) {
  const Dtype d = dtype.value_or(x.dtype());
  EMBER_CHECK(is_floating_point(d), op, "(): could not infer output dtype. Input dtype must be floating point, got ",
              describe(x), "; convert with .to(ember::kFloat32) or pass a dtype");
}

}  // namespace

// Reductions record [keepdim, dims...] in the node's ints (dims empty: all).
using autograd::Op;
using autograd::record;
using autograd::save;
using autograd::save_output;

namespace {
void set_dims(autograd::FormulaNode* n, IntArrayRef dims, bool keepdim) {
  n->ints.assign({keepdim ? 1 : 0});
  for (int64_t d : dims) n->ints.push_back(d);
}
// Records a reduction whose formula reads the input and the result.
void record_reduction(Op op, const Tensor& x, const Tensor& out, IntArrayRef dims, bool keepdim) {
  if (auto* n = record(op, {x}, {out})) {
    set_dims(n, dims, keepdim);
    save(n, x);
    save_output(n, out);
  }
}
}  // namespace

Tensor Tensor::sum(std::optional<Dtype> dtype) const {
  Tensor out = reduce(EMBER_OP_SUM, *this, {}, false, sum_dtype(*this, dtype), "sum");
  record(Op::SumAll, {*this}, {out});
  return out;
}
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) const {
  Tensor out = reduce(EMBER_OP_SUM, *this, dims, keepdim, sum_dtype(*this, dtype), "sum");
  if (auto* n = record(Op::SumDims, {*this}, {out})) set_dims(n, dims, keepdim);
  return out;
}
Tensor Tensor::mean(std::optional<Dtype> dtype) const {
  check_floating("mean", *this, dtype);
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sum(dtype).div_(double(std::max<int64_t>(numel(), 0)));
  }
  record(Op::MeanAll, {*this}, {out});
  return out;
}
Tensor Tensor::mean(IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) const {
  check_floating("mean", *this, dtype);
  const int64_t count = plan(*this, dims, keepdim, "mean").count;
  Tensor out;
  {
    NoGradGuard no_grad;
    out = sum(dims, keepdim, dtype).div_(double(count));
  }
  if (auto* n = record(Op::MeanDims, {*this}, {out})) set_dims(n, dims, keepdim);
  return out;
}
Tensor Tensor::prod(std::optional<Dtype> dtype) const {
  Tensor out = reduce(EMBER_OP_PROD, *this, {}, false, sum_dtype(*this, dtype), "prod");
  record_reduction(Op::ProdAll, *this, out, {}, false);
  return out;
}
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<Dtype> dtype) const {
  Tensor out = reduce(EMBER_OP_PROD, *this, IntArrayRef(dim), keepdim, sum_dtype(*this, dtype), "prod");
  record_reduction(Op::ProdDim, *this, out, IntArrayRef(dim), keepdim);
  return out;
}
Tensor Tensor::amax(IntArrayRef dims, bool keepdim) const {
  Tensor out = reduce(EMBER_OP_AMAX, *this, dims, keepdim, dtype(), "amax");
  record_reduction(Op::Amax, *this, out, dims, keepdim);
  return out;
}
Tensor Tensor::amin(IntArrayRef dims, bool keepdim) const {
  Tensor out = reduce(EMBER_OP_AMIN, *this, dims, keepdim, dtype(), "amin");
  record_reduction(Op::Amin, *this, out, dims, keepdim);
  return out;
}
Tensor Tensor::max() const {
  EMBER_CHECK(numel() > 0, "max(): cannot reduce an empty tensor (", describe(*this),
              "); there is no maximum of nothing");
  Tensor out = reduce(EMBER_OP_AMAX, *this, {}, false, dtype(), "max");
  record_reduction(Op::MaxAll, *this, out, {}, false);
  return out;
}
Tensor Tensor::min() const {
  EMBER_CHECK(numel() > 0, "min(): cannot reduce an empty tensor (", describe(*this),
              "); there is no minimum of nothing");
  Tensor out = reduce(EMBER_OP_AMIN, *this, {}, false, dtype(), "min");
  record_reduction(Op::MinAll, *this, out, {}, false);
  return out;
}
namespace {
std::tuple<Tensor, Tensor> extreme_dim(ember_op kernel, Op op, const Tensor& x, int64_t dim, bool keepdim,
                                       const char* name) {
  auto [values, indices] = reduce_with_index(kernel, x, dim, keepdim, name);
  if (auto* n = record(op, {x}, {values, indices})) {
    set_dims(n, IntArrayRef(detail::wrap_dim(dim, x.dim(), name)), keepdim);
    save(n, indices);
  }
  return {values, indices};
}
}  // namespace
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return extreme_dim(EMBER_OP_MAX_DIM, Op::MaxDim, *this, dim, keepdim, "max");
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return extreme_dim(EMBER_OP_MIN_DIM, Op::MinDim, *this, dim, keepdim, "min");
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  NoGradGuard no_grad;
  if (!dim) {
    EMBER_CHECK(numel() > 0, "argmax(): cannot reduce an empty tensor (", describe(*this), ")");
    return std::get<1>(reshape({-1}).max(0, false));
  }
  return std::get<1>(max(*dim, keepdim));
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  NoGradGuard no_grad;
  if (!dim) {
    EMBER_CHECK(numel() > 0, "argmin(): cannot reduce an empty tensor (", describe(*this), ")");
    return std::get<1>(reshape({-1}).min(0, false));
  }
  return std::get<1>(min(*dim, keepdim));
}

namespace {
Tensor variance(const Tensor& x, IntArrayRef dims, bool unbiased, bool keepdim, int64_t count) {
  NoGradGuard no_grad;
  Tensor centered = x - x.mean(dims, true);
  Tensor total = (centered * centered).sum(dims, keepdim);
  const double denominator = double(count - (unbiased ? 1 : 0));
  // PyTorch returns nan (not an error) when there are too few elements.
  if (denominator <= 0) return total.fill_(std::numeric_limits<double>::quiet_NaN());
  return total.div_(denominator);
}
}  // namespace

Tensor Tensor::var_all(bool unbiased) const { return var(IntArrayRef(), unbiased, false); }
Tensor Tensor::var(IntArrayRef dims, bool unbiased, bool keepdim) const {
  check_floating("var", *this, {});
  const int64_t count = plan(*this, dims, keepdim, "var").count;
  Tensor out = variance(*this, dims, unbiased, keepdim, count);
  if (auto* n = record(Op::Var, {*this}, {out})) {
    set_dims(n, dims, keepdim);
    n->scalars = {unbiased ? 1 : 0};
    save(n, *this);
  }
  return out;
}
Tensor Tensor::std_all(bool unbiased) const { return std(IntArrayRef(), unbiased, false); }
Tensor Tensor::std(IntArrayRef dims, bool unbiased, bool keepdim) const {
  check_floating("std", *this, {});
  const int64_t count = plan(*this, dims, keepdim, "std").count;
  Tensor out;
  {
    NoGradGuard no_grad;
    out = variance(*this, dims, unbiased, keepdim, count).sqrt();
  }
  if (auto* n = record(Op::Std, {*this}, {out})) {
    set_dims(n, dims, keepdim);
    n->scalars = {unbiased ? 1 : 0};
    save(n, *this);
    save_output(n, out);
  }
  return out;
}

Tensor Tensor::norm(const Scalar& p) const { return norm(p, {}, false); }
Tensor Tensor::norm(const Scalar& p, IntArrayRef dims, bool keepdim) const {
  check_floating("norm", *this, {});
  const double order = p.to_double();
  Tensor out;
  {
    NoGradGuard no_grad;
    Tensor a = abs();
    if (order == 2) out = (a * a).sum(dims, keepdim).sqrt();
    else if (order == 1) out = a.sum(dims, keepdim);
    else if (std::isinf(order)) out = order > 0 ? a.amax(dims, keepdim) : a.amin(dims, keepdim);
    else if (order == 0) out = (a != 0).to(dtype()).sum(dims, keepdim);
    else out = a.pow(order).sum(dims, keepdim).pow(1.0 / order);
  }
  if (auto* n = record(Op::Norm, {*this}, {out})) {
    set_dims(n, dims, keepdim);
    n->scalars = {p};
    save(n, *this);
    save_output(n, out);
  }
  return out;
}

Tensor Tensor::all() const { return reduce(EMBER_OP_ALL, *this, {}, false, kBool, "all"); }
Tensor Tensor::all(int64_t dim, bool keepdim) const {
  return reduce(EMBER_OP_ALL, *this, IntArrayRef(dim), keepdim, kBool, "all");
}
Tensor Tensor::any() const { return reduce(EMBER_OP_ANY, *this, {}, false, kBool, "any"); }
Tensor Tensor::any(int64_t dim, bool keepdim) const {
  return reduce(EMBER_OP_ANY, *this, IntArrayRef(dim), keepdim, kBool, "any");
}

namespace {
// softmax and log_softmax are overridable composites: a device's fused kernel
// when it registers one, else composed from primitives.
// A kernel that declines (a dtype it lacks) leaves the composite to run on
// the same device: a composite never falls back to the CPU.
std::optional<Tensor> fused_softmax(ember_op op, const Tensor& x, int64_t dim) {
  if (x.dim() == 0 || !dispatch::has_kernel(op, x.device().type().id())) return std::nullopt;
  Tensor out = make_tensor(x.sizes(), x.dtype(), x.device());
  if (out.numel() == 0) return out;
  const int64_t ints[1] = {dim};
  if (!dispatch::try_call(op, {&x, 1}, {&out, 1}, {}, ints)) return std::nullopt;
  return out;
}
}  // namespace

Tensor Tensor::softmax(int64_t dim, std::optional<Dtype> dtype) const {
  Tensor x = dtype ? to(*dtype) : *this;
  check_floating("softmax", x, {});
  const int64_t d = detail::wrap_dim(dim, x.dim(), "softmax");
  Tensor out;
  {
    NoGradGuard no_grad;
    if (auto fused = fused_softmax(EMBER_OP_SOFTMAX, x, d)) {
      out = *fused;
    } else if (x.dim() == 0) {
      out = ones_like(x);
    } else if (x.numel() == 0) {  // amax would find no identity to start from
      out = empty_like(x);
    } else {
      Tensor shifted = (x - x.amax(d, true)).exp();
      out = shifted.div_(shifted.sum(d, true));
    }
  }
  if (auto* n = record(Op::Softmax, {x}, {out})) {
    n->ints = {x.dim() == 0 ? 0 : d};
    save_output(n, out);
  }
  return out;
}

Tensor Tensor::log_softmax(int64_t dim, std::optional<Dtype> dtype) const {
  Tensor x = dtype ? to(*dtype) : *this;
  check_floating("log_softmax", x, {});
  const int64_t d = detail::wrap_dim(dim, x.dim(), "log_softmax");
  Tensor out;
  {
    NoGradGuard no_grad;
    if (auto fused = fused_softmax(EMBER_OP_LOG_SOFTMAX, x, d)) {
      out = *fused;
    } else if (x.dim() == 0) {
      out = zeros_like(x);
    } else if (x.numel() == 0) {
      out = empty_like(x);
    } else {
      Tensor shifted = x - x.amax(d, true);
      out = shifted.sub_(shifted.exp().sum(d, true).log());
    }
  }
  if (auto* n = record(Op::LogSoftmax, {x}, {out})) {
    n->ints = {x.dim() == 0 ? 0 : d};
    save_output(n, out);
  }
  return out;
}

Tensor Tensor::logsumexp(IntArrayRef dims, bool keepdim) const {
  Tensor x = is_floating_point() ? *this : to(kDefaultFloat);
  Tensor out;
  {
    NoGradGuard no_grad;
    if (x.numel() == 0) {
      out = x.exp().sum(dims, keepdim).log();
    } else {
      Tensor m = x.amax(dims, true);
      // An infinite maximum would give inf - inf = nan; PyTorch shifts by 0 there.
      m.masked_fill_(m.abs() == std::numeric_limits<double>::infinity(), 0);
      out = (x - m).exp().sum(dims, true).log().add_(m);
      if (!keepdim) out = out.reshape(plan(x, dims, false, "logsumexp").out_sizes);
    }
  }
  record_reduction(Op::Logsumexp, x, out, dims, keepdim);
  return out;
}

Tensor sum(const Tensor& t, std::optional<Dtype> dtype) { return t.sum(dtype); }
Tensor sum(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return t.sum(dims, keepdim, dtype);
}
Tensor mean(const Tensor& t, std::optional<Dtype> dtype) { return t.mean(dtype); }
Tensor mean(const Tensor& t, IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) {
  return t.mean(dims, keepdim, dtype);
}
Tensor prod(const Tensor& t, std::optional<Dtype> dtype) { return t.prod(dtype); }
Tensor max(const Tensor& t) { return t.max(); }
std::tuple<Tensor, Tensor> max(const Tensor& t, int64_t dim, bool keepdim) { return t.max(dim, keepdim); }
Tensor min(const Tensor& t) { return t.min(); }
std::tuple<Tensor, Tensor> min(const Tensor& t, int64_t dim, bool keepdim) { return t.min(dim, keepdim); }
Tensor argmax(const Tensor& t, std::optional<int64_t> dim, bool keepdim) { return t.argmax(dim, keepdim); }
Tensor argmin(const Tensor& t, std::optional<int64_t> dim, bool keepdim) { return t.argmin(dim, keepdim); }
Tensor var(const Tensor& t, bool unbiased) { return t.var(unbiased); }
Tensor std(const Tensor& t, bool unbiased) { return t.std(unbiased); }
Tensor norm(const Tensor& t, const Scalar& p) { return t.norm(p); }
Tensor all(const Tensor& t) { return t.all(); }
Tensor any(const Tensor& t) { return t.any(); }
Tensor softmax(const Tensor& t, int64_t dim, std::optional<Dtype> dtype) { return t.softmax(dim, dtype); }
Tensor log_softmax(const Tensor& t, int64_t dim, std::optional<Dtype> dtype) { return t.log_softmax(dim, dtype); }
Tensor logsumexp(const Tensor& t, IntArrayRef dims, bool keepdim) { return t.logsumexp(dims, keepdim); }

bool Tensor::equal(const Tensor& other) const {
  EMBER_CHECK(device() == other.device(), "equal: expected both tensors on one device, got ", describe(*this),
              " and ", describe(other));
  if (!sizes().equals(other.sizes())) return false;
  if (numel() == 0) return true;
  return eq(other).all().item<bool>();
}

Tensor isclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  EMBER_CHECK(a.dtype() == b.dtype(), "isclose: expected both tensors of one dtype, got ", describe(a), " and ",
              describe(b));
  if (!a.is_floating_point()) return a == b;
  Tensor close = (a == b) | ((a - b).abs() <= (b.abs() * rtol + atol));
  if (equal_nan) close = close | ((a != a) & (b != b));
  // Infinite values are close only when equal (the tolerance test gives nan).
  return close;
}

bool Tensor::allclose(const Tensor& other, double rtol, double atol, bool equal_nan) const {
  return isclose(*this, other, rtol, atol, equal_nan).all().item<bool>();
}
bool equal(const Tensor& a, const Tensor& b) { return a.equal(b); }
bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return a.allclose(b, rtol, atol, equal_nan);
}

}  // namespace ember
