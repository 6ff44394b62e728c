#include "tensor/make.h"

#include <algorithm>
#include <numeric>
#include <sstream>
#include <vector>

#include "device/allocator.h"

namespace ember::detail {

namespace {
// Writes the row-major strides of `sizes` into `strides` (already sized).
void write_contiguous_strides(IntArrayRef sizes, int64_t* strides) {
  int64_t s = 1;
  for (size_t i = sizes.size(); i-- > 0;) {
    strides[i] = s;
    s *= std::max<int64_t>(sizes[i], 1);
  }
}
}  // namespace

DimVector contiguous_strides(IntArrayRef sizes) {
  DimVector strides(sizes.size());
  write_contiguous_strides(sizes, strides.data());
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
  impl->strides.assign(sizes);  // sized (without a fill), then overwritten
  write_contiguous_strides(sizes, impl->strides.data());
  impl->dtype = dtype;
  impl->numel = numel;
  impl->contiguous = true;
  return Tensor(std::move(impl));
}

bool is_non_overlapping_and_dense(IntArrayRef sizes, IntArrayRef strides) {
  const size_t n = sizes.size();
  if (n == 0) return true;
  if (n == 1) return sizes[0] < 2 || strides[0] == 1;
  // Dims of size < 2 last, the others by increasing stride; each stride must
  // then be the product of the sizes inside it.
  std::vector<size_t> perm(n);
  std::iota(perm.begin(), perm.end(), size_t(0));
  std::sort(perm.begin(), perm.end(), [&](size_t a, size_t b) {
    if (sizes[a] < 2) return false;
    if (sizes[b] < 2) return true;
    return strides[a] < strides[b];
  });
  int64_t required = 1;
  for (size_t d : perm) {
    if (sizes[d] < 2) return true;
    if (strides[d] != required) return false;
    required *= sizes[d];
  }
  return true;
}

DimVector infer_dense_strides(IntArrayRef sizes, IntArrayRef strides) {
  const size_t n = sizes.size();
  if (n == 0) return {};
  if (n == 1) return DimVector{1};
  // perm: innermost dim first. Stable insertion sort by stride (ties: the
  // smaller size inside); dims of stride 0 never move (as TensorIterator).
  std::vector<size_t> perm(n);
  for (size_t i = 0; i < n; ++i) perm[i] = n - 1 - i;
  auto should_swap = [&](size_t d0, size_t d1) {
    if (strides[d0] == 0 || strides[d1] == 0) return 0;
    if (strides[d0] != strides[d1]) return strides[d0] < strides[d1] ? -1 : 1;
    return sizes[d0] > sizes[d1] ? 1 : 0;
  };
  for (size_t i = 1; i < n; ++i) {
    size_t d1 = i;
    for (size_t j = 1; j <= i; ++j) {
      const size_t d0 = i - j;
      const int c = should_swap(perm[d0], perm[d1]);
      if (c > 0) {
        std::swap(perm[d0], perm[d1]);
        d1 = d0;
      } else if (c < 0) {
        break;
      }
    }
  }
  DimVector out(n);
  int64_t stride = 1;
  for (size_t d : perm) {
    out[d] = stride;
    if (sizes[d] > 1) stride *= sizes[d];
  }
  return out;
}

Tensor make_tensor_like(const Tensor& t, Dtype dtype, const Device& device) {
  Tensor out = make_tensor(t.sizes(), dtype, device);
  if (t.is_contiguous() && t.strides().equals(out.strides())) return out;
  // A dense layout addresses exactly numel elements, so the storage fits.
  TensorImpl& impl = out.impl();
  impl.strides = is_non_overlapping_and_dense(t.sizes(), t.strides()) ? DimVector(t.strides())
                                                                       : infer_dense_strides(t.sizes(), t.strides());
  impl.refresh();
  return out;
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

void check_no_internal_overlap(const char* op, const Tensor& t) {
  for (int64_t d = 0; d < t.dim(); ++d)
    EMBER_CHECK(t.stride(d) != 0 || t.size(d) <= 1, op, ": more than one element of the written-to tensor (",
                describe(t), ", strides ", shape_str(t.strides()),
                ") refers to a single memory location; clone() the tensor before writing to it in place");
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
