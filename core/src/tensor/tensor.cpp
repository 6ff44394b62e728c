// Tensor metadata, conversion between dtypes and devices, and host access.
#include "ember/tensor.h"

#include <cstring>

#include "autograd/formulas.h"
#include "device/registry.h"
#include "ember/autograd.h"
#include "dispatch/dispatch.h"
#include "ember/factories.h"
#include "ember/sdk/half.h"
#include "tensor/make.h"

namespace ember {

using detail::describe;
using detail::make_tensor;

int64_t Tensor::size(int64_t d) const {
  EMBER_CHECK(dim() > 0, "size: dimension ", d, " specified, but the tensor has no dimensions (a 0-d ",
              describe(*this), "); sizes() is empty");
  return impl().sizes[detail::wrap_dim(d, dim(), "size")];
}
int64_t Tensor::stride(int64_t d) const {
  EMBER_CHECK(dim() > 0, "stride: dimension ", d, " specified, but the tensor has no dimensions (a 0-d ",
              describe(*this), "); strides() is empty");
  return impl().strides[detail::wrap_dim(d, dim(), "stride")];
}

TensorOptions Tensor::options() const {
  return TensorOptions().dtype(dtype()).device(device()).requires_grad(requires_grad());
}

bool Tensor::is_alias_of(const Tensor& o) const noexcept {
  return impl_ && o.impl_ && impl_->storage == o.impl_->storage;
}

namespace {

// Reads a contiguous tensor's bytes into host memory.
Tensor to_host_contiguous(const Tensor& t) {
  if (t.device().is_cpu()) return t.contiguous();
  Tensor c = t.contiguous();
  Tensor h = make_tensor(c.sizes(), c.dtype(), Device(kCPU));
  if (c.numel() == 0) return h;
  const auto& e = device_registry::require(c.device());
  char err[256] = {0};
  EMBER_CHECK(e.api->copy_to_host(c.device().index(), c.impl().storage->data, size_t(c.storage_offset() * c.element_size()),
                                  h.impl().storage->data, size_t(c.nbytes()), err, sizeof err) == EMBER_OK,
              "copy from ", c.device().str(), " to cpu failed: ", err);
  return h;
}

// Writes a contiguous host tensor into a contiguous device tensor of the
// same dtype and shape.
void host_to_device(const Tensor& host, const Tensor& dst) {
  if (host.numel() == 0) return;
  const auto& e = device_registry::require(dst.device());
  char err[256] = {0};
  // The host tensor may start inside its storage (a contiguous slice).
  const char* src = static_cast<const char*>(host.impl().storage->data) + host.storage_offset() * host.element_size();
  EMBER_CHECK(e.api->copy_from_host(dst.device().index(), src, dst.impl().storage->data,
                                    size_t(dst.storage_offset() * dst.element_size()), size_t(host.nbytes()), err,
                                    sizeof err) == EMBER_OK,
              "copy from cpu to ", dst.device().str(), " failed: ", err);
  dst.impl().storage->version.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

namespace {
// copy_ without autograd: `dst` takes `src`'s values (broadcast, converted,
// across devices).
void copy_values(Tensor& dst, const Tensor& src) {
  NoGradGuard no_grad;
  const Tensor* const self = &dst;
  Tensor source = src;
  if (!source.sizes().equals(dst.sizes())) {
    // copy_ broadcasts the source to the destination's shape.
    auto shape = detail::broadcast_shapes(dst.sizes(), source.sizes(), "copy_");
    EMBER_CHECK(IntArrayRef(shape).equals(dst.sizes()), "copy_: cannot copy a source of shape ",
                detail::shape_str(source.sizes()), " into a destination of shape ", detail::shape_str(dst.sizes()));
    source = source.expand(dst.sizes());
  }
  if (dst.numel() == 0) return;
  if (source.device() == dst.device()) {
    dispatch::call(EMBER_OP_COPY, {&source, 1}, {self, 1});
    return;
  }
  Tensor host = to_host_contiguous(source);
  if (dst.device().is_cpu()) {
    dispatch::call(EMBER_OP_COPY, {&host, 1}, {self, 1});
    return;
  }
  if (host.dtype() != dst.dtype()) {
    Tensor cast = make_tensor(host.sizes(), dst.dtype(), Device(kCPU));
    dispatch::call(EMBER_OP_COPY, {&host, 1}, {&cast, 1});
    host = cast;
  }
  if (dst.is_contiguous()) {
    host_to_device(host, dst);
  } else {
    Tensor staged = make_tensor(dst.sizes(), dst.dtype(), dst.device());
    host_to_device(host, staged);
    dispatch::call(EMBER_OP_COPY, {&staged, 1}, {self, 1});
  }
}
}  // namespace

Tensor& Tensor::copy_(const Tensor& src, bool /*non_blocking*/) const {
  EMBER_CHECK(src.defined(), "copy_: the source is undefined");
  if (src.is_same(*this)) return self();
  detail::check_no_internal_overlap("copy_", *this);
  autograd::check_inplace(*this, "copy_");
  copy_values(self(), src);
  autograd::record(autograd::Op::Copy, {*this, src}, {*this});
  return self();
}

Tensor Tensor::to(const TensorOptions& options, bool /*non_blocking*/, bool copy) const {
  const Device target = options.has_device() ? options.device().normalized() : device();
  const Dtype target_dtype = options.has_dtype() ? options.dtype() : dtype();
  if (!copy && target == device() && target_dtype == dtype()) return *this;
  device_registry::require(target);
  Tensor out = detail::make_tensor_like(*this, target_dtype, target);
  copy_values(out, *this);
  autograd::record(autograd::Op::ToCopy, {*this}, {out});
  return out;
}
Tensor Tensor::to(Device d, bool non_blocking, bool copy) const {
  return to(TensorOptions().device(d), non_blocking, copy);
}
Tensor Tensor::to(Dtype d, bool non_blocking, bool copy) const {
  return to(TensorOptions().dtype(d), non_blocking, copy);
}
Tensor Tensor::to(Device d, Dtype t, bool non_blocking, bool copy) const {
  return to(TensorOptions().device(d).dtype(t), non_blocking, copy);
}
Tensor Tensor::cpu() const { return to(Device(kCPU)); }

Tensor Tensor::contiguous() const {
  if (is_contiguous()) return *this;
  Tensor out = make_tensor(sizes(), dtype(), device());
  dispatch::call(EMBER_OP_COPY, {this, 1}, {&out, 1});
  autograd::record(autograd::Op::Clone, {*this}, {out});  // as PyTorch: contiguous() is a clone
  return out;
}

// As PyTorch's clone(memory_format=preserve): a dense view (a transpose, a
// permutation) keeps its layout; others are compacted in their stride order.
Tensor Tensor::clone() const {
  Tensor out = detail::make_tensor_like(*this, dtype(), device());
  if (numel() > 0) dispatch::call(EMBER_OP_COPY, {this, 1}, {&out, 1});
  autograd::record(autograd::Op::Clone, {*this}, {out});
  return out;
}

Scalar Tensor::item() const {
  EMBER_CHECK(numel() == 1, "item(): a tensor with ", numel(), " elements cannot be converted to a Scalar (",
              describe(*this), "); only one-element tensors can");
  Tensor h = to_host_contiguous(*this);
  const void* p = static_cast<const char*>(h.impl().storage->data) + h.storage_offset() * h.element_size();
  switch (dtype()) {
    case kFloat32: return *static_cast<const float*>(p);
    case kFloat64: return *static_cast<const double*>(p);
    case kInt32: return *static_cast<const int32_t*>(p);
    case kInt64: return *static_cast<const int64_t*>(p);
    case kBool: return *static_cast<const bool*>(p);
    case kUInt8: return *static_cast<const uint8_t*>(p);
    case kFloat16: return float(*static_cast<const sdk::Half*>(p));
    case kBFloat16: return float(*static_cast<const sdk::BFloat16*>(p));
  }
  return {};
}

void* Tensor::data_ptr() const {
  const auto& e = device_registry::require(device());
  EMBER_CHECK(e.api->host_accessible, "data_ptr: the memory of ", describe(*this),
              " is not addressable from the host; use to_vector<T>() or .cpu() to read it");
  return static_cast<char*>(impl().storage->data) + storage_offset() * element_size();
}

void Tensor::check_data_ptr(Dtype requested) const {
  EMBER_CHECK(requested == dtype(), "data_ptr<", dtype_name(requested), ">: the tensor holds ", dtype_name(dtype()),
              " (", describe(*this), "); call .to(ember::", dtype_name(requested), ") first or use data_ptr<",
              "the matching type>");
}


}  // namespace ember
