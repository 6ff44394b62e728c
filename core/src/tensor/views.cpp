// Shape and view ops: each returns a tensor sharing the input's storage
// (reshape and repeat copy only when they must).
#include <numeric>
#include <optional>

#include "autograd/formulas.h"
#include "ember/autograd.h"
#include "ember/functions.h"
#include "tensor/make.h"

namespace ember {

using detail::make_view;
using detail::shape_str;
using detail::wrap_dim;

namespace {

// Resolves one -1 in `shape` against `numel` (PyTorch's infer_size).
DimVector infer_size(IntArrayRef shape, int64_t numel, const char* op) {
  DimVector out(shape);
  int64_t known = 1;
  std::optional<size_t> infer;
  for (size_t i = 0; i < shape.size(); ++i) {
    if (shape[i] == -1) {
      EMBER_CHECK(!infer, op, ": only one dimension can be inferred (-1) in shape ", shape_str(shape));
      infer = i;
    } else {
      EMBER_CHECK(shape[i] >= 0, op, ": invalid size ", shape[i], " in shape ", shape_str(shape));
      known *= shape[i];
    }
  }
  if (infer) {
    EMBER_CHECK(known != 0 && numel % known == 0, op, ": shape ", shape_str(shape),
                " is invalid for input of size ", numel);
    out[*infer] = numel / known;
  } else {
    EMBER_CHECK(known == numel, op, ": shape ", shape_str(shape), " is invalid for input of size ", numel);
  }
  return out;
}

// The strides that let `newshape` view memory laid out as (oldshape,
// oldstride), or nothing when a copy is needed (PyTorch's computeStride).
std::optional<DimVector> view_strides(IntArrayRef oldshape, IntArrayRef oldstride, IntArrayRef newshape) {
  DimVector newstride(newshape.size());
  if (oldshape.empty()) {
    for (auto& s : newstride) s = 1;
    return newstride;
  }
  const int64_t numel = std::accumulate(oldshape.begin(), oldshape.end(), int64_t(1), std::multiplies<>());
  if (numel == 0) {
    if (oldshape.equals(newshape)) return DimVector(oldstride);
    return detail::contiguous_strides(newshape);
  }
  int64_t view_d = int64_t(newshape.size()) - 1;
  int64_t chunk_base_stride = oldstride.back();
  int64_t tensor_numel = 1, view_numel = 1;
  for (int64_t tensor_d = int64_t(oldshape.size()) - 1; tensor_d >= 0; --tensor_d) {
    tensor_numel *= oldshape[tensor_d];
    if (tensor_d == 0 ||
        (oldshape[tensor_d - 1] != 1 && oldstride[tensor_d - 1] != tensor_numel * chunk_base_stride)) {
      while (view_d >= 0 && (view_numel < tensor_numel || newshape[view_d] == 1)) {
        newstride[view_d] = view_numel * chunk_base_stride;
        view_numel *= newshape[view_d];
        --view_d;
      }
      if (view_numel != tensor_numel) return std::nullopt;
      if (tensor_d > 0) {
        chunk_base_stride = oldstride[tensor_d - 1];
        tensor_numel = 1;
        view_numel = 1;
      }
    }
  }
  if (view_d != -1) return std::nullopt;
  return newstride;
}

// A view and its node. The view remembers its base, so that an in-place
// write through it can rebase the base's history (autograd/copy_slices.cpp).
Tensor as_view_of(const Tensor& in, Tensor out) {
  const auto& base = in.impl().view_base;
  out.impl().view_base = base ? base : in.impl_ptr();
  return out;
}

Tensor recorded(autograd::Op op, const Tensor& in, Tensor out, std::initializer_list<int64_t> ints = {}) {
  as_view_of(in, out);
  if (auto* n = autograd::record(op, {in}, {out})) n->ints.assign(IntArrayRef(ints.begin(), ints.size()));
  return out;
}

}  // namespace

Tensor Tensor::view(IntArrayRef shape) const {
  DimVector sizes = infer_size(shape, numel(), "view");
  auto strides = view_strides(this->sizes(), this->strides(), sizes);
  EMBER_CHECK(strides, "view: a tensor of shape ", shape_str(this->sizes()), " and strides ",
              shape_str(this->strides()), " cannot be viewed as shape ", shape_str(sizes),
              " without a copy (its memory is not laid out compatibly); use .reshape(...) instead");
  return recorded(autograd::Op::View, *this, make_view(*this, sizes, *strides, storage_offset()));
}

Tensor Tensor::reshape(IntArrayRef shape) const {
  DimVector sizes = infer_size(shape, numel(), "reshape");
  if (auto strides = view_strides(this->sizes(), this->strides(), sizes))
    return recorded(autograd::Op::Reshape, *this, make_view(*this, sizes, *strides, storage_offset()));
  Tensor copy;
  {
    NoGradGuard no_grad;
    copy = contiguous().view(sizes);
  }
  autograd::record(autograd::Op::UnsafeView, {*this}, {copy});
  return copy;
}

Tensor Tensor::flatten(int64_t start_dim, int64_t end_dim) const {
  if (dim() == 0) return reshape({1});
  start_dim = wrap_dim(start_dim, dim(), "flatten");
  end_dim = wrap_dim(end_dim, dim(), "flatten");
  EMBER_CHECK(start_dim <= end_dim, "flatten: start_dim (", start_dim, ") must not come after end_dim (", end_dim,
              ")");
  if (start_dim == end_dim) return *this;
  DimVector shape;
  for (int64_t i = 0; i < start_dim; ++i) shape.push_back(size(i));
  int64_t n = 1;
  for (int64_t i = start_dim; i <= end_dim; ++i) n *= size(i);
  shape.push_back(n);
  for (int64_t i = end_dim + 1; i < dim(); ++i) shape.push_back(size(i));
  return reshape(shape);
}

Tensor Tensor::squeeze() const {
  DimVector sizes, strides;
  for (int64_t i = 0; i < dim(); ++i)
    if (size(i) != 1) {
      sizes.push_back(size(i));
      strides.push_back(stride(i));
    }
  return recorded(autograd::Op::Squeeze, *this, make_view(*this, sizes, strides, storage_offset()));
}

Tensor Tensor::squeeze(int64_t d) const {
  if (dim() == 0) return recorded(autograd::Op::SqueezeDim, *this, make_view(*this, {}, {}, storage_offset()));
  d = wrap_dim(d, dim(), "squeeze");
  if (size(d) != 1) return recorded(autograd::Op::SqueezeDim, *this, make_view(*this, sizes(), strides(), storage_offset()));
  DimVector sizes(this->sizes()), strides(this->strides());
  sizes.erase(size_t(d));
  strides.erase(size_t(d));
  return recorded(autograd::Op::SqueezeDim, *this, make_view(*this, sizes, strides, storage_offset()));
}

Tensor Tensor::unsqueeze(int64_t d) const {
  d = wrap_dim(d, dim() + 1, "unsqueeze");
  DimVector sizes(this->sizes()), strides(this->strides());
  const int64_t s = d < dim() ? stride(d) * size(d) : 1;
  sizes.insert(size_t(d), 1);
  strides.insert(size_t(d), s);
  return recorded(autograd::Op::Unsqueeze, *this, make_view(*this, sizes, strides, storage_offset()), {d});
}

Tensor Tensor::transpose(int64_t a, int64_t b) const {
  if (dim() == 0) return recorded(autograd::Op::Transpose, *this, make_view(*this, {}, {}, storage_offset()), {0, 0});
  a = wrap_dim(a, dim(), "transpose");
  b = wrap_dim(b, dim(), "transpose");
  DimVector sizes(this->sizes()), strides(this->strides());
  std::swap(sizes[a], sizes[b]);
  std::swap(strides[a], strides[b]);
  return recorded(autograd::Op::Transpose, *this, make_view(*this, sizes, strides, storage_offset()), {a, b});
}

Tensor Tensor::t() const {
  EMBER_CHECK(dim() <= 2, "t(): expects a tensor with at most 2 dimensions, but got ", dim(),
              "; use transpose(dim0, dim1) or permute");
  Tensor out;
  {
    NoGradGuard no_grad;
    out = dim() < 2 ? transpose(0, 0) : transpose(0, 1);
  }
  return recorded(autograd::Op::T, *this, out);
}

Tensor Tensor::permute(IntArrayRef dims) const {
  EMBER_CHECK(int64_t(dims.size()) == dim(), "permute: the number of dims ", dims.size(),
              " does not match the tensor's ", dim(), " dimensions (shape ", shape_str(sizes()), ")");
  DimVector sizes(dims.size()), strides(dims.size());
  std::vector<bool> seen(dims.size(), false);
  DimVector wrapped(dims.size());
  for (size_t i = 0; i < dims.size(); ++i) {
    const int64_t d = wrap_dim(dims[i], dim(), "permute");
    EMBER_CHECK(!seen[d], "permute: dim ", d, " appears twice in ", shape_str(dims));
    seen[d] = true;
    wrapped[i] = d;
    sizes[i] = size(d);
    strides[i] = stride(d);
  }
  Tensor out = as_view_of(*this, make_view(*this, sizes, strides, storage_offset()));
  if (auto* n = autograd::record(autograd::Op::Permute, {*this}, {out})) n->ints = wrapped;
  return out;
}

Tensor Tensor::expand(IntArrayRef shape) const {
  EMBER_CHECK(shape.size() >= size_t(dim()), "expand: the target shape ", shape_str(shape), " has fewer dimensions than ",
              "the tensor's shape ", shape_str(sizes()));
  const size_t lead = shape.size() - size_t(dim());
  DimVector sizes(shape.size()), strides(shape.size());
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i < lead) {
      EMBER_CHECK(shape[i] >= 0, "expand: a new leading dimension cannot have size ", shape[i]);
      sizes[i] = shape[i];
      strides[i] = 0;
      continue;
    }
    const int64_t have = size(int64_t(i - lead));
    const int64_t want = shape[i] == -1 ? have : shape[i];
    EMBER_CHECK(have == want || have == 1, "expand: the tensor of shape ", shape_str(this->sizes()),
                " cannot be expanded to ", shape_str(shape), ": dimension ", i, " has size ", have,
                ", which must equal ", want, " or be 1");
    sizes[i] = want;
    strides[i] = have == want ? stride(int64_t(i - lead)) : 0;
  }
  return recorded(autograd::Op::Expand, *this, make_view(*this, sizes, strides, storage_offset()));
}

Tensor Tensor::expand_as(const Tensor& other) const { return expand(other.sizes()); }

Tensor Tensor::as_strided(IntArrayRef sizes, IntArrayRef strides, std::optional<int64_t> offset) const {
  EMBER_CHECK(sizes.size() == strides.size(), "as_strided: ", sizes.size(), " sizes but ", strides.size(), " strides");
  const int64_t off = offset.value_or(storage_offset());
  int64_t last = off;
  for (size_t i = 0; i < sizes.size(); ++i) {
    EMBER_CHECK(sizes[i] >= 0 && strides[i] >= 0, "as_strided: negative size or stride in ", shape_str(sizes), " / ",
                shape_str(strides));
    if (sizes[i] == 0) last = -1;
    if (last >= 0) last += (sizes[i] - 1) * strides[i];
  }
  EMBER_CHECK(off >= 0 && (last < 0 || (last + 1) * element_size() <= int64_t(impl().storage->nbytes)),
              "as_strided: the view of shape ", shape_str(sizes), ", strides ", shape_str(strides), " and offset ",
              off, " reaches past the storage of ", impl().storage->nbytes, " bytes");
  Tensor out = as_view_of(*this, make_view(*this, sizes, strides, off));
  if (auto* n = autograd::record(autograd::Op::AsStrided, {*this}, {out})) {
    n->ints.assign({off});
    for (int64_t v : sizes) n->ints.push_back(v);
    for (int64_t v : strides) n->ints.push_back(v);
  }
  return out;
}

Tensor Tensor::narrow(int64_t d, int64_t start, int64_t length) const {
  EMBER_CHECK(dim() > 0, "narrow: cannot narrow a 0-d tensor");
  d = wrap_dim(d, dim(), "narrow");
  if (start < 0) start += size(d);
  EMBER_CHECK(start >= 0 && length >= 0 && start + length <= size(d), "narrow: start ", start, " and length ", length,
              " are out of range for dimension ", d, " of size ", size(d));
  return slice(d, start, start + length);
}

Tensor Tensor::select(int64_t d, int64_t index) const {
  EMBER_CHECK(dim() > 0, "select: cannot select on a 0-d tensor");
  d = wrap_dim(d, dim(), "select");
  const int64_t n = size(d);
  EMBER_CHECK(index >= -n && index < n, "select: index ", index, " is out of range for dimension ", d, " of size ", n,
              " (tensor of shape ", shape_str(sizes()), ")");
  if (index < 0) index += n;
  DimVector sizes(this->sizes()), strides(this->strides());
  sizes.erase(size_t(d));
  strides.erase(size_t(d));
  return recorded(autograd::Op::Select, *this, make_view(*this, sizes, strides, storage_offset() + index * stride(d)),
                  {d, index});
}

Tensor Tensor::slice(int64_t d, std::optional<int64_t> start_opt, std::optional<int64_t> end_opt,
                     int64_t step) const {
  EMBER_CHECK(dim() > 0, "slice: cannot slice a 0-d tensor");
  d = wrap_dim(d, dim(), "slice");
  EMBER_CHECK(step > 0, "slice: step must be positive, got ", step);
  const int64_t n = size(d);
  int64_t start = start_opt.value_or(0), end = end_opt.value_or(n);
  if (start < 0) start += n;
  if (end < 0) end += n;
  start = std::clamp<int64_t>(start, 0, n);
  end = std::clamp<int64_t>(end, start, n);
  DimVector sizes(this->sizes()), strides(this->strides());
  sizes[d] = (end - start + step - 1) / step;
  strides[d] = stride(d) * step;
  return recorded(autograd::Op::Slice, *this, make_view(*this, sizes, strides, storage_offset() + start * stride(d)),
                  {d, start, end, step});
}

std::vector<Tensor> Tensor::split(int64_t split_size, int64_t d) const {
  EMBER_CHECK(dim() > 0, "split: cannot split a 0-d tensor");
  d = wrap_dim(d, dim(), "split");
  EMBER_CHECK(split_size > 0 || (split_size == 0 && size(d) == 0), "split: split_size must be positive, got ",
              split_size);
  std::vector<Tensor> out;
  if (size(d) == 0) return {*this};
  for (int64_t start = 0; start < size(d); start += split_size)
    out.push_back(slice(d, start, std::min(start + split_size, size(d))));
  return out;
}

std::vector<Tensor> Tensor::split(IntArrayRef split_sizes, int64_t d) const {
  EMBER_CHECK(dim() > 0, "split: cannot split a 0-d tensor");
  d = wrap_dim(d, dim(), "split");
  int64_t total = 0;
  for (int64_t s : split_sizes) total += s;
  EMBER_CHECK(total == size(d), "split: the sizes ", shape_str(split_sizes), " sum to ", total, ", but dimension ", d,
              " has size ", size(d));
  std::vector<Tensor> out;
  int64_t start = 0;
  for (int64_t s : split_sizes) {
    out.push_back(slice(d, start, start + s));
    start += s;
  }
  return out;
}

std::vector<Tensor> Tensor::chunk(int64_t chunks, int64_t d) const {
  EMBER_CHECK(chunks > 0, "chunk: the number of chunks must be positive, got ", chunks);
  EMBER_CHECK(dim() > 0, "chunk: cannot chunk a 0-d tensor; it needs at least one dimension");
  d = wrap_dim(d, dim(), "chunk");
  // As PyTorch: an empty dim gives `chunks` empty parts.
  if (size(d) == 0) {
    std::vector<Tensor> out;
    for (int64_t i = 0; i < chunks; ++i) out.push_back(slice(d, 0, 0));  // distinct handles
    return out;
  }
  return split((size(d) + chunks - 1) / chunks, d);
}

std::vector<Tensor> Tensor::unbind(int64_t d) const {
  EMBER_CHECK(dim() > 0, "unbind: cannot unbind a 0-d tensor");
  d = wrap_dim(d, dim(), "unbind");
  std::vector<Tensor> out;
  for (int64_t i = 0; i < size(d); ++i) out.push_back(select(d, i));
  return out;
}

Tensor flatten(const Tensor& t, int64_t start_dim, int64_t end_dim) { return t.flatten(start_dim, end_dim); }
Tensor reshape(const Tensor& t, IntArrayRef sizes) { return t.reshape(sizes); }
Tensor transpose(const Tensor& t, int64_t a, int64_t b) { return t.transpose(a, b); }
Tensor permute(const Tensor& t, IntArrayRef dims) { return t.permute(dims); }
Tensor squeeze(const Tensor& t) { return t.squeeze(); }
Tensor unsqueeze(const Tensor& t, int64_t d) { return t.unsqueeze(d); }
std::vector<Tensor> chunk(const Tensor& t, int64_t chunks, int64_t d) { return t.chunk(chunks, d); }
std::vector<Tensor> split(const Tensor& t, int64_t split_size, int64_t d) { return t.split(split_size, d); }

}  // namespace ember
