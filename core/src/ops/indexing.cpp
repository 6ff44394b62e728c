// Gathering and scattering: index_select, gather, scatter_add, cat, stack,
// repeat, and Python-style indexing with index({...}).
#include "ember/indexing.h"

#include <algorithm>
#include <cstring>

#include "autograd/formulas.h"
#include "dispatch/dispatch.h"
#include "ember/autograd.h"
#include "ember/factories.h"
#include "ember/functions.h"
#include "tensor/make.h"

namespace ember {

using detail::describe;
using detail::make_tensor;
using detail::shape_str;
using detail::wrap_dim;

namespace {

void check_index(const char* op, const Tensor& self, const Tensor& index) {
  EMBER_CHECK(index.dtype() == kInt64 || index.dtype() == kInt32, op, ": the index must be an int64 or int32 tensor, got ",
              describe(index));
  EMBER_CHECK(index.device() == self.device(), op, ": the index is on ", index.device().str(), " but the tensor on ",
              self.device().str());
}

Tensor as_long(const Tensor& index) { return index.dtype() == kInt64 ? index : index.to(kInt64); }

}  // namespace

Tensor Tensor::index_select(int64_t d, const Tensor& index) const {
  check_index("index_select", *this, index);
  EMBER_CHECK(index.dim() <= 1, "index_select: the index must be 0-d or 1-d, got ", describe(index));
  d = wrap_dim(d, dim(), "index_select");
  Tensor idx = as_long(index).reshape({-1});
  DimVector shape(sizes());
  if (dim() > 0) shape[d] = idx.numel();
  Tensor out = make_tensor(shape, dtype(), device());
  if (out.numel() > 0) {
    NoGradGuard no_grad;
    Tensor src = dim() == 0 ? reshape({1}) : *this;
    Tensor dst = dim() == 0 ? out.reshape({1}) : out;
    const Tensor inputs[2] = {src, idx};
    const int64_t ints[1] = {dim() == 0 ? 0 : d};
    dispatch::call(EMBER_OP_INDEX_SELECT, inputs, {&dst, 1}, {}, ints);
  }
  if (auto* n = autograd::record(autograd::Op::IndexSelect, {*this}, {out})) {
    n->ints = {d};
    autograd::save(n, idx);
  }
  return out;
}

Tensor Tensor::gather(int64_t d, const Tensor& index) const {
  check_index("gather", *this, index);
  d = wrap_dim(d, dim(), "gather");
  EMBER_CHECK(index.dim() == dim(), "gather: the index must have as many dimensions (", index.dim(),
              ") as the input (", dim(), ")");
  for (int64_t i = 0; i < dim(); ++i)
    EMBER_CHECK(i == d || index.size(i) <= size(i), "gather: the index of shape ", shape_str(index.sizes()),
                " is larger than the input of shape ", shape_str(sizes()), " in dimension ", i);
  Tensor out = make_tensor(index.sizes(), dtype(), device());
  const Tensor long_index = as_long(index);
  if (out.numel() > 0) {
    const Tensor inputs[2] = {*this, long_index};
    const int64_t ints[1] = {d};
    dispatch::call(EMBER_OP_GATHER, inputs, {&out, 1}, {}, ints);
  }
  if (auto* n = autograd::record(autograd::Op::Gather, {*this}, {out})) {
    n->ints = {d};
    autograd::save(n, long_index);
  }
  return out;
}

Tensor& Tensor::scatter_add_(int64_t d, const Tensor& index, const Tensor& src) const {
  detail::check_no_internal_overlap("scatter_add_", *this);
  autograd::check_inplace(*this, "scatter_add_");
  check_index("scatter_add_", *this, index);
  d = wrap_dim(d, dim(), "scatter_add_");
  EMBER_CHECK(src.dtype() == dtype(), "scatter_add_: the source (", describe(src), ") must have the dtype of self (",
              describe(*this), ")");
  EMBER_CHECK(index.dim() == dim() && src.dim() == dim(), "scatter_add_: index (", index.dim(), "-d) and source (",
              src.dim(), "-d) must have as many dimensions as self (", dim(), "-d)");
  for (int64_t i = 0; i < dim(); ++i) {
    EMBER_CHECK(index.size(i) <= src.size(i), "scatter_add_: the index of shape ", shape_str(index.sizes()),
                " is larger than the source of shape ", shape_str(src.sizes()), " in dimension ", i);
    EMBER_CHECK(i == d || index.size(i) <= size(i), "scatter_add_: the index of shape ", shape_str(index.sizes()),
                " is larger than self of shape ", shape_str(sizes()), " in dimension ", i);
  }
  const Tensor long_index = as_long(index);
  if (index.numel() > 0) {
    const Tensor inputs[2] = {long_index, src};
    const int64_t ints[1] = {d};
    dispatch::call(EMBER_OP_SCATTER_ADD, inputs, {this, 1}, {}, ints);
  }
  if (auto* n = autograd::record(autograd::Op::ScatterAdd, {*this, src}, {*this})) {
    n->ints = {d};
    autograd::save(n, long_index);
  }
  return self();
}

Tensor Tensor::scatter_add(int64_t d, const Tensor& index, const Tensor& src) const {
  Tensor out = clone();
  out.scatter_add_(d, index, src);
  return out;
}

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "cat: expected a non-empty list of tensors");
  // PyTorch skips 1-d empty tensors (legacy behaviour) when shapes differ.
  std::vector<Tensor> parts;
  for (const Tensor& t : tensors)
    if (!(t.dim() == 1 && t.numel() == 0)) parts.push_back(t);
  if (parts.empty()) return tensors[0].clone();
  const Tensor& first = parts[0];
  EMBER_CHECK(first.dim() > 0, "cat: zero-dimensional tensor cannot be concatenated; use stack or unsqueeze first");
  const int64_t d = wrap_dim(dim, first.dim(), "cat");
  Dtype dtype = parts[0].dtype();
  DimVector shape(first.sizes());
  shape[d] = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Tensor& t = parts[i];
    EMBER_CHECK(t.device() == first.device(), "cat: expected all tensors on one device, got ", first.device().str(),
                " and ", t.device().str(), " (tensor ", i, ")");
    EMBER_CHECK(t.dim() == first.dim(), "cat: tensors must have the same number of dimensions: tensor 0 has shape ",
                shape_str(first.sizes()), ", tensor ", i, " has shape ", shape_str(t.sizes()));
    for (int64_t k = 0; k < t.dim(); ++k)
      EMBER_CHECK(k == d || t.size(k) == first.size(k), "cat: sizes of tensors must match except in dimension ", d,
                  ": tensor 0 has shape ", shape_str(first.sizes()), ", tensor ", i, " has shape ",
                  shape_str(t.sizes()));
    shape[d] += t.size(d);
    dtype = promote_types(dtype, t.dtype());
  }
  Tensor out = make_tensor(shape, dtype, first.device());
  {
    NoGradGuard no_grad;
    int64_t offset = 0;
    for (const Tensor& t : parts) {
      if (t.size(d) > 0) out.narrow(d, offset, t.size(d)).copy_(t);
      offset += t.size(d);
    }
  }
  if (auto* n = autograd::record(autograd::Op::Cat, parts, {out})) {
    n->ints = {d};
    for (const Tensor& t : parts) n->ints.push_back(t.size(d));
  }
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  EMBER_CHECK(!tensors.empty(), "stack: expected a non-empty list of tensors");
  const int64_t d = wrap_dim(dim, tensors[0].dim() + 1, "stack");
  std::vector<Tensor> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    EMBER_CHECK(tensors[i].sizes().equals(tensors[0].sizes()), "stack: expects each tensor to be equal size, but got ",
                shape_str(tensors[0].sizes()), " at entry 0 and ", shape_str(tensors[i].sizes()), " at entry ", i);
    parts.push_back(tensors[i].unsqueeze(d));
  }
  return cat(parts, d);
}

Tensor Tensor::repeat(IntArrayRef repeats) const {
  EMBER_CHECK(int64_t(repeats.size()) >= dim(), "repeat: the number of repeat dims (", repeats.size(),
              ") can not be smaller than the number of tensor dims (", dim(), ")");
  // View the input as (1, s0, 1, s1, ...), expand to (r0, s0, r1, s1, ...),
  // then copy into the result shape (r0*s0, r1*s1, ...).
  const size_t lead = repeats.size() - size_t(dim());
  DimVector view_shape, expand_shape, out_shape;
  for (size_t i = 0; i < repeats.size(); ++i) {
    EMBER_CHECK(repeats[i] >= 0, "repeat: repeats can not be negative, got ", shape_str(repeats));
    const int64_t s = i < lead ? 1 : size(int64_t(i - lead));
    view_shape.push_back(1);
    view_shape.push_back(s);
    expand_shape.push_back(repeats[i]);
    expand_shape.push_back(s);
    out_shape.push_back(repeats[i] * s);
  }
  Tensor out;
  {
    NoGradGuard no_grad;
    out = reshape(view_shape).expand(expand_shape).contiguous().view(out_shape);
  }
  if (auto* n = autograd::record(autograd::Op::Repeat, {*this}, {out})) n->ints = DimVector(repeats);
  return out;
}

Tensor index_select(const Tensor& t, int64_t dim, const Tensor& index) { return t.index_select(dim, index); }
Tensor gather(const Tensor& t, int64_t dim, const Tensor& index) { return t.gather(dim, index); }
Tensor scatter_add(const Tensor& t, int64_t dim, const Tensor& index, const Tensor& src) {
  return t.scatter_add(dim, index, src);
}
Tensor masked_fill(const Tensor& t, const Tensor& mask, const Scalar& value) { return t.masked_fill(mask, value); }

// ---- Python-style indexing ----

namespace indexing {
TensorIndex::TensorIndex(const char* s) : kind_(Kind::Ellipsis) {
  EMBER_CHECK(s && std::strcmp(s, "...") == 0, "TensorIndex: the only string index is \"...\", got \"",
              s ? s : "(null)", "\"");
}
}  // namespace indexing

namespace {

using indexing::TensorIndex;

// Indices (int64, on the host) of the true elements of a bool mask, one
// column per mask dimension.
std::vector<Tensor> nonzero_columns(const Tensor& mask) {
  Tensor host = mask.to(Device(kCPU)).contiguous();
  const bool* m = host.data_ptr<bool>();
  const int64_t n = host.numel(), nd = host.dim();
  std::vector<std::vector<int64_t>> cols(size_t(std::max<int64_t>(nd, 1)));
  std::vector<int64_t> coord(size_t(nd), 0);
  for (int64_t i = 0; i < n; ++i) {
    if (m[i])
      for (int64_t k = 0; k < nd; ++k) cols[k].push_back(coord[k]);
    for (int64_t k = nd - 1; k >= 0; --k) {
      if (++coord[k] < host.size(k)) break;
      coord[k] = 0;
    }
  }
  std::vector<Tensor> out;
  for (int64_t k = 0; k < nd; ++k) out.push_back(tensor(cols[k], TensorOptions().dtype(kInt64)).to(mask.device()));
  return out;
}

struct Indexed {
  Tensor view;                                        // after the basic (view) indices
  std::vector<std::pair<int64_t, Tensor>> advanced;   // (dim in view, int64 index)
};

Indexed apply_basic(const Tensor& self, const std::vector<TensorIndex>& indices) {
  int64_t consumed = 0;
  for (const auto& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::Integer:
      case TensorIndex::Kind::Slice: ++consumed; break;
      case TensorIndex::Kind::Tensor: {
        const bool mask = i.tensor().dtype() == kBool || i.tensor().dtype() == kUInt8;
        consumed += mask ? i.tensor().dim() : 1;
        break;
      }
      default: break;
    }
  }
  EMBER_CHECK(consumed <= self.dim(), "index: too many indices for a tensor of dimension ", self.dim(), " (got ",
              consumed, ")");
  Indexed r{self, {}};
  int64_t d = 0;  // current dim in r.view
  bool seen_ellipsis = false;
  for (const auto& i : indices) {
    switch (i.kind()) {
      case TensorIndex::Kind::Integer: r.view = r.view.select(d, i.integer()); break;
      case TensorIndex::Kind::Slice: {
        const auto& s = i.slice();
        r.view = r.view.slice(d, s.start, s.stop, s.step);
        ++d;
        break;
      }
      case TensorIndex::Kind::None: r.view = r.view.unsqueeze(d++); break;
      case TensorIndex::Kind::Ellipsis:
        EMBER_CHECK(!seen_ellipsis, "index: an index can only have a single ellipsis ('...')");
        seen_ellipsis = true;
        d += self.dim() - consumed;
        break;
      case TensorIndex::Kind::Boolean: {
        r.view = r.view.unsqueeze(d);
        r.advanced.emplace_back(d, tensor(std::vector<int64_t>(i.integer() ? 1 : 0, 0)).to(self.device()));
        ++d;
        break;
      }
      case TensorIndex::Kind::Tensor: {
        // A uint8 tensor is a mask, as in PyTorch (which deprecates it).
        const Tensor t = i.tensor().dtype() == kUInt8 ? i.tensor().to(kBool) : i.tensor();
        if (t.dtype() == kBool && t.dim() == 0) {
          // A 0-d mask adds a dim, of size 1 (true) or 0 (false), like a bool.
          r.view = r.view.unsqueeze(d);
          r.advanced.emplace_back(d, tensor(std::vector<int64_t>(t.item<bool>() ? 1 : 0, 0)).to(self.device()));
          ++d;
        } else if (t.dtype() == kBool) {
          for (int64_t k = 0; k < t.dim(); ++k)
            EMBER_CHECK(t.size(k) == r.view.size(d + k), "index: the shape of the mask ", shape_str(t.sizes()),
                        " does not match the shape of the indexed tensor ", shape_str(r.view.sizes()), " at dim ",
                        d + k);
          for (Tensor& col : nonzero_columns(t)) r.advanced.emplace_back(d++, col);
        } else {
          EMBER_CHECK(t.dtype() == kInt64 || t.dtype() == kInt32,
                      "index: tensors used as indices must be long, int, byte or bool tensors, got ", describe(t));
          r.advanced.emplace_back(d++, t.to(kInt64));
        }
        break;
      }
    }
  }
  return r;
}

// Reduces the advanced indices to one linear index over the indexed dims,
// flattened into one, placed where PyTorch puts the result dims: in place
// when the indexed dims are adjacent, first otherwise.
struct Advanced {
  Tensor permuted;    // the view with the indexed dims moved together, at `position`
  Tensor source;      // `permuted` with the indexed dims flattened into one (a copy when not viewable)
  Tensor linear;      // int64, broadcast index shape
  int64_t position;   // where the flat dim sits in source
};

Advanced prepare_advanced(const Indexed& r) {
  const Tensor& v = r.view;
  std::vector<int64_t> dims;
  for (auto& [d, _] : r.advanced) dims.push_back(d);
  bool adjacent = true;
  for (size_t i = 1; i < dims.size(); ++i) adjacent = adjacent && dims[i] == dims[i - 1] + 1;
  // Permute so the indexed dims are consecutive, at dims[0] (adjacent) or 0.
  const int64_t position = adjacent ? dims[0] : 0;
  DimVector order;
  if (adjacent) {
    for (int64_t k = 0; k < v.dim(); ++k) order.push_back(k);
  } else {
    for (int64_t d : dims) order.push_back(d);
    for (int64_t k = 0; k < v.dim(); ++k)
      if (std::find(dims.begin(), dims.end(), k) == dims.end()) order.push_back(k);
  }
  Tensor p = v.permute(order);
  // Broadcast the indices, wrap negatives, check bounds, and linearise.
  DimVector shape;
  for (auto& [_, idx] : r.advanced) shape = detail::broadcast_shapes(shape, idx.sizes(), "index");
  Tensor linear = zeros(shape, TensorOptions().dtype(kInt64).device(v.device()));
  int64_t flat = 1;
  for (size_t i = r.advanced.size(); i-- > 0;) {
    const int64_t size = p.size(position + int64_t(i));
    Tensor idx = r.advanced[i].second;
    if (idx.numel() > 0) {
      const int64_t lo = idx.min().item<int64_t>(), hi = idx.max().item<int64_t>();
      EMBER_CHECK(lo >= -size && hi < size, "index: index ", lo < -size ? lo : hi, " is out of bounds for dimension ",
                  r.advanced[i].first, " with size ", size);
      idx = where(idx < 0, idx + size, idx);
    }
    linear = linear + idx * flat;
    flat *= size;
  }
  DimVector flat_shape;
  for (int64_t k = 0; k < position; ++k) flat_shape.push_back(p.size(k));
  flat_shape.push_back(flat);
  for (int64_t k = position + int64_t(r.advanced.size()); k < p.dim(); ++k) flat_shape.push_back(p.size(k));
  return {p, p.reshape(flat_shape), linear, position};
}

}  // namespace

Tensor Tensor::index(const std::vector<indexing::TensorIndex>& indices) const {
  Indexed r = apply_basic(*this, indices);
  if (r.advanced.empty()) return r.view;
  Advanced a = prepare_advanced(r);
  Tensor picked = a.source.index_select(a.position, a.linear.reshape({-1}));
  DimVector shape;
  for (int64_t k = 0; k < a.position; ++k) shape.push_back(picked.size(k));
  for (int64_t s : a.linear.sizes()) shape.push_back(s);
  for (int64_t k = a.position + 1; k < picked.dim(); ++k) shape.push_back(picked.size(k));
  return picked.reshape(shape);
}

Tensor Tensor::index(std::initializer_list<indexing::TensorIndex> indices) const {
  return index(std::vector<indexing::TensorIndex>(indices));
}

Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& value) const {
  autograd::check_inplace(*this, "index_put_");
  EMBER_CHECK(value.device() == device(), "index_put_: the value (", describe(value), ") must be on the device of self (",
              describe(*this), "); move it with .to(device)");
  std::vector<TensorIndex> list(indices);
  Indexed r = apply_basic(*this, list);  // basic indices only ever make views of self
  if (r.advanced.empty()) {
    r.view.copy_(value);
    return self();
  }
  // Every index is checked (prepare_advanced) before anything is written.
  Advanced a = prepare_advanced(r);
  const int64_t n_adv = int64_t(r.advanced.size());
  DimVector result_shape, slots_shape;
  for (int64_t k = 0; k < a.position; ++k) result_shape.push_back(a.permuted.size(k));
  slots_shape = result_shape;
  for (int64_t s : a.linear.sizes()) result_shape.push_back(s);
  slots_shape.push_back(a.linear.numel());
  for (int64_t k = a.position + n_adv; k < a.permuted.dim(); ++k) {
    result_shape.push_back(a.permuted.size(k));
    slots_shape.push_back(a.permuted.size(k));
  }
  const Tensor values = value.to(dtype()).expand(result_shape).reshape(slots_shape);
  // Write slot by slot through views of self (never through a copy): select
  // each indexed dim of the permuted view in turn, from the linear index.
  const std::vector<int64_t> linear = a.linear.reshape({-1}).to_vector<int64_t>();
  std::vector<int64_t> coord(static_cast<size_t>(n_adv));
  for (size_t k = 0; k < linear.size(); ++k) {
    int64_t rest = linear[k];
    for (int64_t i = n_adv - 1; i >= 0; --i) {
      const int64_t size = a.permuted.size(a.position + i);
      coord[size_t(i)] = rest % size;
      rest /= size;
    }
    Tensor target = a.permuted;
    for (int64_t i = 0; i < n_adv; ++i) target = target.select(a.position, coord[size_t(i)]);
    target.copy_(values.select(a.position, int64_t(k)));
  }
  return self();
}

Tensor& Tensor::index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& value) const {
  return index_put_(indices, full({}, value, TensorOptions().dtype(dtype()).device(device())));
}

}  // namespace ember
