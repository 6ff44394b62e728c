// The derivative formulas — Ember's derivatives.yaml, in C++. Each entry
// maps the gradient(s) of an op's outputs to the gradients of its inputs,
// using ember ops only, so it runs on whatever device the tensors are on and
// is itself differentiable (create_graph) where those ops are.
//
// A formula reads what its op recorded: node.inputs[i] (sizes, dtype,
// device), node.saved[i], node.scalars, node.ints. It returns one gradient per
// input; an input that needs none (node.needs(i) is false) may get an
// undefined tensor. The engine casts and reduces each gradient to its input's
// dtype and shape.
#include "autograd/formulas.h"

#include <cmath>
#include <limits>

#include "dispatch/dispatch.h"
#include "ops/layer_norm.h"
#include "ops/window.h"
#include "ember/factories.h"
#include "tensor/make.h"
#include "ember/functions.h"

namespace ember::autograd {
namespace {

using G = const variable_list&;
using N = const FormulaNode&;

IntArrayRef in_sizes(N n, size_t i) { return n.inputs[i].sizes; }


// The reduced dims of a reduction over `dims` (all when empty) of a tensor of
// rank `rank`, sorted.
std::vector<int64_t> reduced_dims(IntArrayRef dims, int64_t rank) {
  std::vector<int64_t> out;
  if (dims.empty()) {
    for (int64_t d = 0; d < rank; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims) out.push_back(d < 0 ? d + rank : d);
  std::sort(out.begin(), out.end());
  return out;
}

// A reduction's gradient (or result) with the reduced dims put back as size 1.
Tensor keep_dims(const Tensor& g, IntArrayRef dims, int64_t rank, bool keepdim) {
  if (keepdim || rank == 0) return g;
  Tensor out = g;
  for (int64_t d : reduced_dims(dims, rank)) out = out.unsqueeze(d);
  return out;
}

// ints layout of reductions: [keepdim, dims...]
bool keepdim_of(N n) { return n.ints.size() > 0 && n.ints[0] != 0; }
IntArrayRef dims_of(N n) { return IntArrayRef(n.ints.data() + 1, n.ints.size() - 1); }

Tensor zeros_for(N n, size_t i) {
  return zeros(in_sizes(n, i), TensorOptions().dtype(n.inputs[i].dtype).device(n.inputs[i].device));
}
// zeros.scatter_add(dim, index, src) for a fresh `zeros`: in place when the
// backward is not itself recorded (no copy of the zeros), out of place
// under create_graph, where it must be differentiable in src.
Tensor scatter_into_zeros(const Tensor& fresh_zeros, int64_t dim, const Tensor& index, const Tensor& src) {
  if (GradMode::is_enabled()) return fresh_zeros.scatter_add(dim, index, src);
  fresh_zeros.scatter_add_(dim, index, src);
  return fresh_zeros;
}

double scalar(N n, size_t i) { return n.scalars.at(i).to_double(); }

// ---- elementwise ----
variable_list add(N n, G g) { return {g[0], n.needs(1) ? g[0] * n.scalars[0] : Tensor()}; }
variable_list sub(N n, G g) { return {g[0], n.needs(1) ? -g[0] * n.scalars[0] : Tensor()}; }
variable_list rsub(N n, G g) { return {-g[0] * n.scalars[0]}; }
// tensor * tensor saves both; tensor * scalar saves nothing (scalars[0]).
variable_list mul(N n, G g) {
  if (n.saved.empty()) return {g[0] * n.scalars[0], Tensor()};
  return {n.needs(0) ? g[0] * n.saved_at(1) : Tensor(), n.needs(1) ? g[0] * n.saved_at(0) : Tensor()};
}
variable_list div(N n, G g) {
  if (n.saved.empty()) return {g[0] / n.scalars[0], Tensor()};
  const Tensor b = n.saved_at(1);
  return {n.needs(0) ? g[0] / b : Tensor(), n.needs(1) ? -g[0] * n.saved_at(0) / (b * b) : Tensor()};
}
variable_list pow_scalar(N n, G g) {
  const double e = scalar(n, 0);
  if (e == 0) return {zeros_like(g[0])};
  const Tensor x = n.saved_at(0);
  return {g[0] * e * x.pow(e - 1)};
}
variable_list pow_tensor(N n, G g) {
  const Tensor a = n.saved_at(0), b = n.saved_at(1);
  Tensor ga, gb;
  if (n.needs(0)) ga = where(b == 0, zeros_like(g[0]), g[0] * b * a.pow(b - 1));
  if (n.needs(1)) {
    // d(a^b)/db = a^b log a, taken as 0 where a == 0 and b >= 0 (PyTorch).
    const Tensor result = n.saved_at(2);
    gb = where((a == 0) & (b >= 0), zeros_like(g[0]), g[0] * result * a.log());
  }
  return {ga, gb};
}
variable_list neg(N, G g) { return {-g[0]}; }
variable_list abs(N n, G g) { return {g[0] * n.saved_at(0).sign()}; }
variable_list exp(N n, G g) { return {g[0] * n.saved_at(0)}; }
variable_list log(N n, G g) { return {g[0] / n.saved_at(0)}; }
variable_list sqrt(N n, G g) { return {g[0] / (n.saved_at(0) * 2)}; }
variable_list rsqrt(N n, G g) {
  const Tensor r = n.saved_at(0);
  return {g[0] * r * r * r * -0.5};
}
variable_list sin(N n, G g) { return {g[0] * n.saved_at(0).cos()}; }
variable_list cos(N n, G g) { return {-g[0] * n.saved_at(0).sin()}; }
variable_list tanh(N n, G g) {
  const Tensor r = n.saved_at(0);
  return {g[0] * (1 - r * r)};
}
variable_list sigmoid(N n, G g) {
  const Tensor r = n.saved_at(0);
  return {g[0] * r * (1 - r)};
}
// (The zero is a 0-d tensor, broadcast: no gradient-sized fill.)
variable_list relu(N n, G g) { return {where(n.saved_at(0) > 0, g[0], zeros({}, g[0].options()))}; }
// ints: has_min, has_max; scalars: min, max; saved: the input.
variable_list clamp(N n, G g) {
  const Tensor x = n.saved_at(0);
  Tensor keep = ones_like(x, TensorOptions().dtype(kBool));
  if (n.ints[0]) keep = keep & (x >= n.scalars[0]);
  if (n.ints[1]) keep = keep & (x <= n.scalars[1]);
  return {where(keep, g[0], zeros_like(g[0]))};
}
// Ties split the gradient in half, as PyTorch.
variable_list extreme(N n, G g, bool is_max) {
  const Tensor a = n.saved_at(0), b = n.saved_at(1);
  const Tensor shared = where(a == b, g[0] / 2, g[0]);
  const Tensor zero = zeros_like(shared);
  return {n.needs(0) ? where(is_max ? a < b : a > b, zero, shared) : Tensor(),
          n.needs(1) ? where(is_max ? a > b : a < b, zero, shared) : Tensor()};
}
variable_list maximum(N n, G g) { return extreme(n, g, true); }
variable_list minimum(N n, G g) { return extreme(n, g, false); }
// inputs: a, b; saved: condition
variable_list where_(N n, G g) {
  const Tensor c = n.saved_at(0);
  const Tensor zero = zeros_like(g[0]);
  return {n.needs(0) ? where(c, g[0], zero) : Tensor(), n.needs(1) ? where(c, zero, g[0]) : Tensor()};
}
variable_list zero_grad(N, G g) { return {zeros_like(g[0])}; }
variable_list reciprocal(N n, G g) {
  const Tensor r = n.saved_at(0);
  return {-g[0] * r * r};
}
// saved: mask
variable_list masked_fill(N n, G g) { return {g[0].masked_fill(n.saved_at(0), 0)}; }

// ---- reductions ----
variable_list sum_all(N n, G g) { return {g[0].expand(in_sizes(n, 0))}; }
variable_list sum_dims(N n, G g) {
  return {keep_dims(g[0], dims_of(n), int64_t(in_sizes(n, 0).size()), keepdim_of(n)).expand(in_sizes(n, 0))};
}
int64_t count_of(N n) {
  int64_t count = 1;
  const auto& sizes = n.inputs[0].sizes;
  for (int64_t d : reduced_dims(dims_of(n), int64_t(sizes.size()))) count *= sizes[d];
  return count;
}
variable_list mean_all(N n, G g) {
  int64_t count = 1;
  for (int64_t s : in_sizes(n, 0)) count *= s;
  return {(g[0] / double(count)).expand(in_sizes(n, 0))};
}
variable_list mean_dims(N n, G g) { return {sum_dims(n, g)[0] / double(count_of(n))}; }
// The product of all elements but one, for each element, exact with zeros.
// Built out of place (a product per position, with that position set to 1),
// so that a create_graph backward can differentiate it.
Tensor prod_others(const Tensor& x, int64_t dim) {
  const int64_t n = x.size(dim);
  DimVector shape(size_t(x.dim()), 1);
  shape[size_t(dim)] = n;
  const Tensor position = arange(n, TensorOptions().dtype(kInt64).device(x.device())).reshape(shape);
  std::vector<Tensor> parts;
  for (int64_t k = 0; k < n; ++k) parts.push_back(where(position == k, 1.0, x).prod(dim, true));
  return cat(parts, dim);
}
// saved: input, result
variable_list prod_all(N n, G g) {
  const Tensor x = n.saved_at(0);
  if (x.numel() == 0) return {zeros_for(n, 0)};
  if (!(x == 0).any().item<bool>()) return {g[0] * n.saved_at(1) / x};
  return {g[0] * prod_others(x.reshape({-1}), 0).reshape(x.sizes())};
}
variable_list prod_dim(N n, G g) {
  const Tensor x = n.saved_at(0);
  const int64_t rank = x.dim();
  const Tensor gk = keep_dims(g[0], dims_of(n), rank, keepdim_of(n));
  if (!(x == 0).any().item<bool>())
    return {gk * keep_dims(n.saved_at(1), dims_of(n), rank, keepdim_of(n)) / x};
  return {gk * prod_others(x, reduced_dims(dims_of(n), rank)[0])};
}
// max()/min()/amax/amin: the gradient shared evenly among the extremes.
variable_list evenly(N n, G g) {
  const Tensor x = n.saved_at(0);
  const int64_t rank = x.dim();
  const Tensor result = keep_dims(n.saved_at(1), dims_of(n), rank, keepdim_of(n));
  const Tensor mask = (x == result) | ((x != x) & (result != result));
  const Tensor hits = mask.sum(reduced_dims(dims_of(n), rank), true).to(x.dtype());
  return {where(mask, keep_dims(g[0], dims_of(n), rank, keepdim_of(n)) / hits, zeros_like(x))};
}
// max(dim)/min(dim): the gradient goes to the index each result came from.
// ints: keepdim, dim; saved: indices
variable_list at_indices(N n, G g) {
  const int64_t rank = int64_t(in_sizes(n, 0).size());
  const int64_t dim = n.ints[1];
  Tensor idx = keep_dims(n.saved_at(0), dims_of(n), rank, keepdim_of(n));
  Tensor gk = keep_dims(g[0], dims_of(n), rank, keepdim_of(n));
  if (rank == 0) return {g[0]};
  return {scatter_into_zeros(zeros_for(n, 0), dim, idx, gk.to(n.inputs[0].dtype))};
}
// scalars: correction (1 unbiased, 0 not); saved: input (and result for std)
variable_list var(N n, G g) {
  const Tensor x = n.saved_at(0);
  const int64_t rank = x.dim();
  const auto dims = reduced_dims(dims_of(n), rank);
  const double denominator = double(count_of(n)) - scalar(n, 0);
  return {keep_dims(g[0], dims_of(n), rank, keepdim_of(n)) * 2 * (x - x.mean(dims, true)) / denominator};
}
variable_list std_(N n, G g) {
  const Tensor x = n.saved_at(0);
  const int64_t rank = x.dim();
  const auto dims = reduced_dims(dims_of(n), rank);
  const double denominator = double(count_of(n)) - scalar(n, 0);
  const Tensor result = keep_dims(n.saved_at(1), dims_of(n), rank, keepdim_of(n));
  return {keep_dims(g[0], dims_of(n), rank, keepdim_of(n)) * (x - x.mean(dims, true)) / (result * denominator)};
}
// scalars: p; saved: input, result
variable_list norm(N n, G g) {
  const Tensor x = n.saved_at(0);
  const int64_t rank = x.dim();
  const double p = scalar(n, 0);
  const Tensor gk = keep_dims(g[0], dims_of(n), rank, keepdim_of(n));
  const Tensor result = keep_dims(n.saved_at(1), dims_of(n), rank, keepdim_of(n));
  if (p == 0) return {zeros_like(x)};
  if (p == 1) return {gk * x.sign()};
  if (std::isinf(p)) {
    const Tensor mask = x.abs() == result;
    const Tensor hits = mask.sum(reduced_dims(dims_of(n), rank), true).to(x.dtype());
    return {where(mask, gk * x.sign() / hits, zeros_like(x))};
  }
  // A zero norm has a zero gradient (not nan), as PyTorch.
  const Tensor safe = where(result == 0, ones_like(result), result);
  if (p == 2) return {where(result == 0, zeros_like(x), gk * x / safe)};
  return {where(result == 0, zeros_like(x), gk * x * x.abs().pow(p - 2) / safe.pow(p - 1))};
}
// ints: dim; saved: result
variable_list softmax(N n, G g) {
  const Tensor y = n.saved_at(0);
  const int64_t dim = n.ints[0];
  return {y * (g[0] - (g[0] * y).sum({dim}, true))};
}
variable_list log_softmax(N n, G g) {
  const Tensor y = n.saved_at(0);
  const int64_t dim = n.ints[0];
  return {g[0] - y.exp() * g[0].sum({dim}, true)};
}
// saved: input, result
variable_list logsumexp(N n, G g) {
  const Tensor x = n.saved_at(0);
  const int64_t rank = x.dim();
  return {keep_dims(g[0], dims_of(n), rank, keepdim_of(n)) *
          (x - keep_dims(n.saved_at(1), dims_of(n), rank, keepdim_of(n))).exp()};
}

// ---- linear algebra ----
// Whether a matrix (the last two dims) is the transpose of a contiguous one,
// as Linear's weight.t() is.
bool transposed_layout(const InputMeta& m) {
  const size_t r = m.sizes.size();
  return m.sizes[r - 2] > 1 && m.sizes[r - 1] > 1 && m.strides[r - 2] == 1 && m.strides[r - 1] == m.sizes[r - 2];
}
// a · b, computed as (bᵀ · aᵀ)ᵀ when the operand whose gradient this is
// was transposed: the gradient then comes out in that operand's layout, and
// a parameter's gradient contiguous like the parameter (PyTorch's
// mm_mat2_backward does the same).
Tensor product_in_layout(const Tensor& a, const Tensor& b, bool transposed) {
  if (a.dim() == 2) return transposed ? b.t().mm(a.t()).t() : a.mm(b);
  return transposed ? b.transpose(1, 2).bmm(a.transpose(1, 2)).transpose(1, 2) : a.bmm(b);
}
variable_list mm(N n, G g) {
  return {n.needs(0) ? product_in_layout(g[0], n.saved_at(1).t(), transposed_layout(n.inputs[0])) : Tensor(),
          n.needs(1) ? product_in_layout(n.saved_at(0).t(), g[0], transposed_layout(n.inputs[1])) : Tensor()};
}
variable_list bmm(N n, G g) {
  return {n.needs(0) ? product_in_layout(g[0], n.saved_at(1).transpose(1, 2), transposed_layout(n.inputs[0])) : Tensor(),
          n.needs(1) ? product_in_layout(n.saved_at(0).transpose(1, 2), g[0], transposed_layout(n.inputs[1])) : Tensor()};
}
variable_list mv(N n, G g) {
  return {n.needs(0) ? g[0].unsqueeze(1).mm(n.saved_at(1).unsqueeze(0)) : Tensor(),
          n.needs(1) ? n.saved_at(0).t().mv(g[0]) : Tensor()};
}
variable_list dot(N n, G g) {
  return {n.needs(0) ? g[0] * n.saved_at(1) : Tensor(), n.needs(1) ? g[0] * n.saved_at(0) : Tensor()};
}

// ---- shape and views ----
variable_list reshape_back(N n, G g) { return {g[0].reshape(in_sizes(n, 0))}; }
variable_list unsqueeze(N n, G g) { return {g[0].squeeze(n.ints[0])}; }
variable_list transpose(N n, G g) { return {g[0].transpose(n.ints[0], n.ints[1])}; }
variable_list t(N, G g) { return {g[0].t()}; }
variable_list permute(N n, G g) {
  std::vector<int64_t> inverse(n.ints.size());
  for (size_t i = 0; i < n.ints.size(); ++i) inverse[size_t(n.ints[i])] = int64_t(i);
  return {g[0].permute(inverse)};
}
variable_list expand(N n, G g) { return {sum_to(g[0], in_sizes(n, 0))}; }
// The gradient of a view that takes `positions` (1-d int64) along `dim` of
// input 0: zeros with g added there. A create_graph backward (grad mode on)
// builds it out of place, with scatter_add, so that it is differentiable in
// g; an in-place write into a view of the zeros would not be.
Tensor place_along(N n, const Tensor& g, int64_t dim, const Tensor& positions) {
  DimVector shape(size_t(g.dim()), 1);
  shape[size_t(dim)] = positions.numel();
  return scatter_into_zeros(zeros_for(n, 0), dim, positions.reshape(shape).expand(g.sizes()), g);
}
// ints: dim, start, end, step
variable_list slice(N n, G g) {
  if (GradMode::is_enabled()) {
    const TensorOptions longs = TensorOptions().dtype(kInt64).device(n.inputs[0].device);
    return {place_along(n, g[0], n.ints[0], arange(n.ints[1], n.ints[2], n.ints[3], longs))};
  }
  Tensor out = zeros_for(n, 0);
  out.slice(n.ints[0], n.ints[1], n.ints[2], n.ints[3]).copy_(g[0]);
  return {out};
}
// ints: dim, index
variable_list select(N n, G g) {
  if (GradMode::is_enabled()) {
    const Tensor position = full({1}, n.ints[1], TensorOptions().dtype(kInt64).device(n.inputs[0].device));
    return {place_along(n, g[0].unsqueeze(n.ints[0]), n.ints[0], position)};
  }
  Tensor out = zeros_for(n, 0);
  out.select(n.ints[0], n.ints[1]).copy_(g[0]);
  return {out};
}
// ints: offset, then sizes, then strides (as_strided's arguments); the
// gradient is accumulated element by element through linear positions, so
// overlapping views add up.
variable_list as_strided(N n, G g) {
  const InputMeta& in = n.inputs[0];
  const size_t rank = (n.ints.size() - 1) / 2;
  const IntArrayRef sizes(n.ints.data() + 1, rank), strides(n.ints.data() + 1 + rank, rank);
  // The storage both geometries reach: one past the last element of each.
  auto reach = [](int64_t offset, IntArrayRef sizes, IntArrayRef strides) {
    int64_t last = offset;
    for (size_t d = 0; d < sizes.size(); ++d) {
      if (sizes[d] == 0) return offset + 1;
      last += (sizes[d] - 1) * strides[d];
    }
    return last + 1;
  };
  const int64_t extent = std::max(reach(n.ints[0], sizes, strides), reach(in.offset, in.sizes, in.strides));
  const Tensor positions = arange(extent, TensorOptions().dtype(kInt64).device(in.device))
                               .as_strided(sizes, strides, n.ints[0]).reshape({-1});
  const Tensor flat = scatter_into_zeros(zeros({extent}, TensorOptions().dtype(in.dtype).device(in.device)), 0,
                                         positions, g[0].reshape({-1}));
  return {flat.as_strided(in.sizes, in.strides, in.offset)};
}
// ints: dim; saved: index (1-d)
variable_list index_select(N n, G g) {
  const int64_t dim = n.ints[0];
  Tensor index = n.saved_at(0);
  DimVector shape(g[0].dim(), 1);
  if (g[0].dim() > 0) shape[size_t(dim)] = index.numel();
  Tensor expanded = index.reshape(shape).expand(g[0].sizes());
  if (g[0].dim() == 0) return {g[0].reshape(in_sizes(n, 0)).clone()};
  return {scatter_into_zeros(zeros_for(n, 0), dim, expanded, g[0])};
}
// ints: dim; saved: index
variable_list gather(N n, G g) { return {scatter_into_zeros(zeros_for(n, 0), n.ints[0], n.saved_at(0), g[0])}; }
// inputs: self, src; ints: dim; saved: index
variable_list scatter_add(N n, G g) {
  return {g[0], n.needs(1) ? g[0].gather(n.ints[0], n.saved_at(0)) : Tensor()};
}
// ints: dim, then each input's size along dim
variable_list cat(N n, G g) {
  variable_list out;
  int64_t offset = 0;
  for (size_t i = 1; i < n.ints.size(); ++i) {
    out.push_back(n.needs(i - 1) ? g[0].narrow(n.ints[0], offset, n.ints[i]) : Tensor());
    offset += n.ints[i];
  }
  return out;
}
// ints: repeats
variable_list repeat(N n, G g) {
  const IntArrayRef in = in_sizes(n, 0);
  const size_t lead = n.ints.size() - in.size();
  std::vector<int64_t> shape, dims;
  for (size_t i = 0; i < n.ints.size(); ++i) {
    const int64_t s = i < lead ? 1 : in[i - lead];
    dims.push_back(int64_t(shape.size()));
    shape.push_back(n.ints[i]);
    shape.push_back(s);
  }
  return {g[0].reshape(shape).sum(dims).reshape(in)};
}
variable_list identity(N, G g) { return {g[0]}; }
// inputs: the destination before the copy, the source
variable_list copy(N n, G g) { return {n.needs(0) ? zeros_like(g[0]) : Tensor(), g[0]}; }

// 2-d windows (ops/window.cpp). ints: the window's 8 ints, out_h, out_w,
// then the image's height and width.
variable_list im2col(N n, G g) {
  const auto& i = n.ints;
  return {ember::detail::col2im(g[0], ember::detail::Window2d::from_ints(i), i[10], i[11], i[8], i[9])};
}
variable_list col2im(N n, G g) {
  const auto& i = n.ints;
  return {ember::detail::im2col(g[0], ember::detail::Window2d::from_ints(i), i[8], i[9])};
}
// saved: the int64 indices of the maxima in each H*W plane
variable_list max_pool2d(N n, G g) {
  const Tensor indices = n.saved_at(0).flatten(2);
  const IntArrayRef in = in_sizes(n, 0);
  return {scatter_into_zeros(zeros_for(n, 0).flatten(2), 2, indices, g[0].flatten(2)).view(in)};
}
// ints: the window's 8 ints, groups; saved: input, weight
variable_list convolution(N n, G g) {
  auto [gi, gw, gb] = ember::detail::convolution2d_backward(g[0], n.saved_at(0), n.saved_at(1),
                                                     ember::detail::Window2d::from_ints(n.ints), n.ints[8],
                                                     {n.needs(0), n.needs(1), n.needs(2)});
  return {gi, gw, gb};
}

// linear's addmm(bias, x, weight^T); saved: x, weight
variable_list addmm(N n, G g) {
  return {n.needs(0) ? g[0].sum({0}) : Tensor(), n.needs(1) ? g[0].mm(n.saved_at(1)) : Tensor(),
          n.needs(2) ? g[0].t().mm(n.saved_at(0)) : Tensor()};
}

// ops/layer_norm.cpp. ints: n, the elements of a row; scalars: eps; saved:
// input, mean, rstd (one per row), weight (undefined without one).
variable_list native_layer_norm(N n, G g) {
  auto [gi, gw, gb] = ember::detail::layer_norm_backward(g[0], n.saved_at(0), n.saved_at(1), n.saved_at(2),
                                                         n.saved_at(3), n.ints[0], scalar(n, 0),
                                                         {n.needs(0), n.needs(1), n.needs(2)});
  return {gi, gw.defined() ? gw.reshape(in_sizes(n, 1)) : gw, gb.defined() ? gb.reshape(in_sizes(n, 2)) : gb};
}

struct Entry {
  const char* name;
  Backward backward;
};

constexpr Entry kFormulas[] = {
    {"AddBackward0", add},           {"SubBackward0", sub},
    {"RsubBackward1", rsub},         {"MulBackward0", mul},
    {"DivBackward0", div},           {"PowBackward0", pow_scalar},
    {"PowBackward1", pow_tensor},    {"NegBackward0", neg},
    {"AbsBackward0", abs},           {"ExpBackward0", exp},
    {"LogBackward0", log},           {"SqrtBackward0", sqrt},
    {"RsqrtBackward0", rsqrt},       {"SinBackward0", sin},
    {"CosBackward0", cos},           {"TanhBackward0", tanh},
    {"SigmoidBackward0", sigmoid},   {"ReluBackward0", relu},
    {"ClampBackward1", clamp},       {"MaximumBackward0", maximum},
    {"MinimumBackward0", minimum},   {"WhereBackward0", where_},
    {"SignBackward0", zero_grad},    {"FloorBackward0", zero_grad},
    {"CeilBackward0", zero_grad},    {"RoundBackward0", zero_grad},
    {"TruncBackward0", zero_grad},   {"ReciprocalBackward0", reciprocal},
    {"MaskedFillBackward0", masked_fill},
    {"SumBackward0", sum_all},       {"SumBackward1", sum_dims},
    {"MeanBackward0", mean_all},     {"MeanBackward1", mean_dims},
    {"ProdBackward0", prod_all},     {"ProdBackward1", prod_dim},
    {"MaxBackward1", evenly},        {"MinBackward1", evenly},
    {"MaxBackward0", at_indices},    {"MinBackward0", at_indices},
    {"AmaxBackward0", evenly},       {"AminBackward0", evenly},
    {"VarBackward0", var},           {"StdBackward0", std_},
    {"NormBackward1", norm},         {"SoftmaxBackward0", softmax},
    {"LogSoftmaxBackward0", log_softmax},
    {"LogsumexpBackward0", logsumexp},
    {"MmBackward0", mm},             {"BmmBackward0", bmm},
    {"MvBackward0", mv},             {"DotBackward0", dot},
    {"ViewBackward0", reshape_back}, {"ReshapeAliasBackward0", reshape_back},
    {"UnsafeViewBackward0", reshape_back},
    {"SqueezeBackward0", reshape_back},
    {"SqueezeBackward1", reshape_back},
    {"UnsqueezeBackward0", unsqueeze},
    {"TransposeBackward0", transpose},
    {"TBackward0", t},               {"PermuteBackward0", permute},
    {"ExpandBackward0", expand},     {"SliceBackward0", slice},
    {"SelectBackward0", select},     {"AsStridedBackward0", as_strided},
    {"IndexSelectBackward0", index_select},
    {"GatherBackward0", gather},     {"ScatterAddBackward0", scatter_add},
    {"CatBackward0", cat},           {"RepeatBackward0", repeat},
    {"CloneBackward0", identity},    {"ToCopyBackward0", identity},
    {"FillBackward2", zero_grad},    {"CopyBackwards", copy},
    {"Im2ColBackward0", im2col},     {"Col2ImBackward0", col2im},
    {"MaxPool2DWithIndicesBackward0", max_pool2d},
    {"ConvolutionBackward0", convolution},
    {"AddmmBackward0", addmm},
    {"NativeLayerNormBackward0", native_layer_norm},
};
static_assert(sizeof(kFormulas) / sizeof(kFormulas[0]) == size_t(Op::Count),
              "every autograd op needs a formula, in the order of EMBER_AUTOGRAD_OPS");

constexpr bool names_match() {
  constexpr const char* names[] = {
#define EMBER_AUTOGRAD_NAME(name, node_name) node_name,
      EMBER_AUTOGRAD_OPS(EMBER_AUTOGRAD_NAME)
#undef EMBER_AUTOGRAD_NAME
  };
  for (size_t i = 0; i < size_t(Op::Count); ++i) {
    const char* a = names[i];
    const char* b = kFormulas[i].name;
    while (*a && *a == *b) ++a, ++b;
    if (*a != *b) return false;
  }
  return true;
}
static_assert(names_match(), "kFormulas is out of step with EMBER_AUTOGRAD_OPS");

}  // namespace

Tensor sum_to(const Tensor& g, IntArrayRef sizes, const std::string& what) {
  if (!g.defined() || g.sizes().equals(sizes)) return g;
  const DimVector shape = ember::detail::broadcast_shapes(sizes, g.sizes(), what.c_str());
  EMBER_CHECK(IntArrayRef(shape).equals(g.sizes()), what, ": got a gradient of shape ",
              ember::detail::shape_str(g.sizes()), " for a tensor of shape ", ember::detail::shape_str(sizes));
  std::vector<int64_t> dims;
  const int64_t lead = g.dim() - int64_t(sizes.size());
  for (int64_t d = 0; d < g.dim(); ++d)
    if (d < lead || (sizes[d - lead] == 1 && g.size(d) != 1)) dims.push_back(d);
  return g.sum(dims, true).reshape(sizes);
}

std::string FormulaNode::name() const { return kFormulas[size_t(op)].name; }

// A device's own backward kernel: inputs are the output gradients then the
// saved tensors (an undefined one passes as an empty 1-d tensor), outputs the
// input gradients allocated like the inputs, scalars and ints as recorded.
// Nothing when the kernel declines the case (EMBER_ERR_UNSUPPORTED): then the
// core's formula runs, as a declined forward kernel falls back.
std::optional<variable_list> FormulaNode::run_backward_kernel(ember_kernel_fn kernel, const Device& device,
                                               const variable_list& grad_outputs) const {
  variable_list inputs_for_kernel = grad_outputs;
  for (size_t i = 0; i < saved.size(); ++i) {
    Tensor t = saved_at(i);
    inputs_for_kernel.push_back(t.defined() ? t : empty({0}, TensorOptions().device(device)));
  }
  variable_list grads;
  for (const InputMeta& in : inputs)
    grads.push_back(empty(in.sizes, TensorOptions().dtype(in.dtype).device(device)));
  std::vector<ember_scalar> abi_scalars;
  for (const Scalar& s : scalars) abi_scalars.push_back(dispatch::to_abi(s));
  NoGradGuard no_grad;
  if (!dispatch::call_kernel(kernel, -1, name() + " (" + device.type().name().data() + "'s own backward)",
                             inputs_for_kernel, grads, abi_scalars, {ints.data(), ints.size()}, /*may_decline=*/true))
    return std::nullopt;
  return grads;
}

variable_list FormulaNode::apply(variable_list&& grad_outputs) {
  // Undefined incoming gradients (an output that got none) are zeros.
  bool any = false;
  for (size_t i = 0; i < grad_outputs.size(); ++i) {
    if (grad_outputs[i].defined()) {
      any = true;
      continue;
    }
    const OutputMeta& m = outputs_[i];
    grad_outputs[i] = zeros(m.sizes, TensorOptions().dtype(m.dtype).device(m.device));
  }
  if (!any) return variable_list(next_edges_.size());
  const Device device = grad_outputs[0].device();
  variable_list grads;
  std::optional<variable_list> own;
  if (ember_kernel_fn kernel = device_override(op, device.type().id()))
    own = run_backward_kernel(kernel, device, grad_outputs);
  grads = own ? std::move(*own) : kFormulas[size_t(op)].backward(*this, grad_outputs);
  grads.resize(next_edges_.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!needs(i)) {
      grads[i] = Tensor();
      continue;
    }
    if (grads[i].defined() && !grads[i].sizes().equals(inputs[i].sizes)) grads[i] = sum_to(grads[i], inputs[i].sizes);
  }
  return grads;
}

}  // namespace ember::autograd
