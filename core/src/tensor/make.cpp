#include "tensor/make.h"

#include <sstream>

#include "device/allocator.h"

namespace ember::detail {

DimVector contiguous_strides(IntArrayRef sizes) {
  DimVector strides(sizes.size());
  int64_t s = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<int64_t>(sizes[i], 1);
  }
  return strides;
}

Tensor make_tensor(IntArrayRef sizes, Dtype dtype, const Device& device) {
  int64_t numel = 1;
  for (int64_t s : sizes) {
    EMBER_CHECK(s >= 0, "cannot create a tensor of shape ", shape_str(sizes), ": sizes must be non-negative");
    numel *= s;
  }
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = allocator::allocate(device, size_t(numel * element_size(dtype)));
  impl->sizes.assign(sizes);
  impl->strides = contiguous_strides(sizes);
  impl->dtype = dtype;
  impl->numel = numel;
  impl->contiguous = true;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& base, IntArrayRef sizes, IntArrayRef strides, int64_t offset) {
  const TensorImpl& b = base.impl();
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = b.storage;
  impl->sizes.assign(sizes);
  impl->strides.assign(strides);
  impl->offset = offset;
  impl->dtype = b.dtype;
  impl->requires_grad = false;
  impl->refresh();
  return Tensor(std::move(impl));
}

int64_t wrap_dim(int64_t dim, int64_t ndim, const char* op) {
  const int64_t n = std::max<int64_t>(ndim, 1);  // a 0-d tensor accepts dim 0 and -1, as in PyTorch
  EMBER_CHECK(dim >= -n && dim < n, op, ": dimension ", dim, " is out of range for a tensor with ", ndim,
              " dimensions (expected a dim in [", -n, ", ", n - 1, "])");
  return dim < 0 ? dim + n : dim;
}

std::string shape_str(IntArrayRef sizes) {
  std::ostringstream out;
  out << sizes;
  return out.str();
}

std::string describe(const Tensor& t) {
  if (!t.defined()) return "an undefined tensor";
  return str_cat(dtype_name(t.dtype()), " tensor of shape ", shape_str(t.sizes()), " on ", t.device().str());
}

DimVector broadcast_shapes(IntArrayRef a, IntArrayRef b, const char* op) {
  const size_t n = std::max(a.size(), b.size());
  DimVector out(n);
  for (size_t i = 0; i < n; ++i) {
    const int64_t da = i < n - a.size() ? 1 : a[i - (n - a.size())];
    const int64_t db = i < n - b.size() ? 1 : b[i - (n - b.size())];
    EMBER_CHECK(da == db || da == 1 || db == 1, op, ": shapes ", shape_str(a), " and ", shape_str(b),
                " cannot be broadcast together (dimension ", i, ": ", da, " vs ", db,
                "); sizes must match or be 1");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace ember::detail
