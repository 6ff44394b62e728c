// Reductions. Primitive reductions reach the kernel with the output viewed
// at the input's rank and stride 0 along every reduced dim; mean, var, std,
// norm, softmax and friends are composites of those.
#include <cmath>
#include <limits>

#include "dispatch/dispatch.h"
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

Tensor reduce(ember_op op, const Tensor& x, IntArrayRef dims, bool keepdim, Dtype out_dtype, const char* name) {
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

Tensor Tensor::sum(std::optional<Dtype> dtype) const { return sum(IntArrayRef(), false, dtype); }
Tensor Tensor::sum(IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) const {
  return reduce(EMBER_OP_SUM, *this, dims, keepdim, sum_dtype(*this, dtype), "sum");
}
Tensor Tensor::mean(std::optional<Dtype> dtype) const { return mean(IntArrayRef(), false, dtype); }
Tensor Tensor::mean(IntArrayRef dims, bool keepdim, std::optional<Dtype> dtype) const {
  check_floating("mean", *this, dtype);
  const int64_t count = plan(*this, dims, keepdim, "mean").count;
  return sum(dims, keepdim, dtype).div_(double(count));
}
Tensor Tensor::prod(std::optional<Dtype> dtype) const {
  return reduce(EMBER_OP_PROD, *this, {}, false, sum_dtype(*this, dtype), "prod");
}
Tensor Tensor::prod(int64_t dim, bool keepdim, std::optional<Dtype> dtype) const {
  return reduce(EMBER_OP_PROD, *this, IntArrayRef(dim), keepdim, sum_dtype(*this, dtype), "prod");
}
Tensor Tensor::amax(IntArrayRef dims, bool keepdim) const {
  return reduce(EMBER_OP_AMAX, *this, dims, keepdim, dtype(), "amax");
}
Tensor Tensor::amin(IntArrayRef dims, bool keepdim) const {
  return reduce(EMBER_OP_AMIN, *this, dims, keepdim, dtype(), "amin");
}
Tensor Tensor::max() const {
  EMBER_CHECK(numel() > 0, "max(): cannot reduce an empty tensor (", describe(*this),
              "); there is no maximum of nothing");
  return amax();
}
Tensor Tensor::min() const {
  EMBER_CHECK(numel() > 0, "min(): cannot reduce an empty tensor (", describe(*this),
              "); there is no minimum of nothing");
  return amin();
}
std::tuple<Tensor, Tensor> Tensor::max(int64_t dim, bool keepdim) const {
  return reduce_with_index(EMBER_OP_MAX_DIM, *this, dim, keepdim, "max");
}
std::tuple<Tensor, Tensor> Tensor::min(int64_t dim, bool keepdim) const {
  return reduce_with_index(EMBER_OP_MIN_DIM, *this, dim, keepdim, "min");
}
Tensor Tensor::argmax(std::optional<int64_t> dim, bool keepdim) const {
  if (!dim) {
    EMBER_CHECK(numel() > 0, "argmax(): cannot reduce an empty tensor (", describe(*this), ")");
    return std::get<1>(reshape({-1}).max(0, false));
  }
  return std::get<1>(max(*dim, keepdim));
}
Tensor Tensor::argmin(std::optional<int64_t> dim, bool keepdim) const {
  if (!dim) {
    EMBER_CHECK(numel() > 0, "argmin(): cannot reduce an empty tensor (", describe(*this), ")");
    return std::get<1>(reshape({-1}).min(0, false));
  }
  return std::get<1>(min(*dim, keepdim));
}

Tensor Tensor::var_all(bool unbiased) const { return var(IntArrayRef(), unbiased, false); }
Tensor Tensor::var(IntArrayRef dims, bool unbiased, bool keepdim) const {
  check_floating("var", *this, {});
  const int64_t count = plan(*this, dims, keepdim, "var").count;
  Tensor centered = *this - mean(dims, true);
  Tensor total = (centered * centered).sum(dims, keepdim);
  const double denominator = double(count - (unbiased ? 1 : 0));
  // PyTorch returns nan (not an error) when there are too few elements.
  if (denominator <= 0) return total.fill_(std::numeric_limits<double>::quiet_NaN());
  return total.div_(denominator);
}
Tensor Tensor::std_all(bool unbiased) const { return var_all(unbiased).sqrt(); }
Tensor Tensor::std(IntArrayRef dims, bool unbiased, bool keepdim) const { return var(dims, unbiased, keepdim).sqrt(); }

Tensor Tensor::norm(const Scalar& p) const { return norm(p, {}, false); }
Tensor Tensor::norm(const Scalar& p, IntArrayRef dims, bool keepdim) const {
  check_floating("norm", *this, {});
  const double order = p.to_double();
  Tensor a = abs();
  if (order == 2) return (a * a).sum(dims, keepdim).sqrt();
  if (order == 1) return a.sum(dims, keepdim);
  if (std::isinf(order)) return order > 0 ? a.amax(dims, keepdim) : a.amin(dims, keepdim);
  if (order == 0) return (a != 0).to(dtype()).sum(dims, keepdim);
  return a.pow(order).sum(dims, keepdim).pow(1.0 / order);
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
std::optional<Tensor> fused_softmax(ember_op op, const Tensor& x, int64_t dim) {
  if (x.dim() == 0 || !dispatch::has_kernel(op, x.device().type().id())) return std::nullopt;
  Tensor out = make_tensor(x.sizes(), x.dtype(), x.device());
  if (out.numel() == 0) return out;
  const int64_t ints[1] = {dim};
  dispatch::call(op, {&x, 1}, {&out, 1}, {}, ints);
  return out;
}
}  // namespace

Tensor Tensor::softmax(int64_t dim, std::optional<Dtype> dtype) const {
  Tensor x = dtype ? to(*dtype) : *this;
  check_floating("softmax", x, {});
  const int64_t d = detail::wrap_dim(dim, x.dim(), "softmax");
  if (auto fused = fused_softmax(EMBER_OP_SOFTMAX, x, d)) return *fused;
  if (x.dim() == 0) return ones_like(x);
  Tensor shifted = (x - x.amax(d, true)).exp();
  return shifted.div_(shifted.sum(d, true));
}

Tensor Tensor::log_softmax(int64_t dim, std::optional<Dtype> dtype) const {
  Tensor x = dtype ? to(*dtype) : *this;
  check_floating("log_softmax", x, {});
  const int64_t d = detail::wrap_dim(dim, x.dim(), "log_softmax");
  if (auto fused = fused_softmax(EMBER_OP_LOG_SOFTMAX, x, d)) return *fused;
  if (x.dim() == 0) return zeros_like(x);
  Tensor shifted = x - x.amax(d, true);
  return shifted.sub_(shifted.exp().sum(d, true).log());
}

Tensor Tensor::logsumexp(IntArrayRef dims, bool keepdim) const {
  Tensor x = is_floating_point() ? *this : to(kDefaultFloat);
  if (x.numel() == 0) return x.exp().sum(dims, keepdim).log();
  Tensor m = x.amax(dims, true);
  // An infinite maximum would give inf - inf = nan; PyTorch shifts by 0 there.
  m.masked_fill_(m.abs() == std::numeric_limits<double>::infinity(), 0);
  Tensor out = (x - m).exp().sum(dims, true).log().add_(m);
  if (!keepdim) {
    ReducePlan p = plan(x, dims, false, "logsumexp");
    out = out.reshape(p.out_sizes);
  }
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
