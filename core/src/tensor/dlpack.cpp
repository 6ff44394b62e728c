// DLPack exchange: the DLManagedTensor holds a Tensor handle, so the storage
// lives until the consumer calls the deleter; imports keep the producer's
// DLManagedTensor until the last Ember tensor sharing it is gone.
#include "ember/dlpack.h"

#include <dlpack/dlpack.h>

#include "device/registry.h"
#include "tensor/make.h"

namespace ember {

namespace {

DLDataType to_dl(Dtype d) {
  switch (d) {
    case kFloat32: return {kDLFloat, 32, 1};
    case kFloat64: return {kDLFloat, 64, 1};
    case kFloat16: return {kDLFloat, 16, 1};
    case kBFloat16: return {kDLBfloat, 16, 1};
    case kInt32: return {kDLInt, 32, 1};
    case kInt64: return {kDLInt, 64, 1};
    case kUInt8: return {kDLUInt, 8, 1};
    case kBool: break;
  }
  return {kDLFloat, 32, 1};
}

Dtype from_dl(DLDataType t) {
  EMBER_CHECK(t.lanes == 1, "from_dlpack: vector types (lanes=", int(t.lanes), ") are not supported");
  if (t.code == kDLFloat && t.bits == 32) return kFloat32;
  if (t.code == kDLFloat && t.bits == 64) return kFloat64;
  if (t.code == kDLFloat && t.bits == 16) return kFloat16;
  if (t.code == kDLBfloat && t.bits == 16) return kBFloat16;
  if (t.code == kDLInt && t.bits == 32) return kInt32;
  if (t.code == kDLInt && t.bits == 64) return kInt64;
  if (t.code == kDLUInt && t.bits == 8) return kUInt8;
  // kDLBool (code 6) arrived in DLPack 0.8, after the version Ember speaks.
  EMBER_CHECK(t.code != 6, "from_dlpack: bool tensors (DLPack code 6, kDLBool) are not supported; ",
              "have the producer export uint8 and convert with .to(ember::kBool)");

  EMBER_CHECK(false, "from_dlpack: unsupported DLPack dtype (code ", int(t.code), ", bits ", int(t.bits),
              "); Ember has float16/32/64, bfloat16, int32, int64 and uint8");
  return kFloat32;
}

struct Export {
  Tensor tensor;
  std::vector<int64_t> shape, strides;
  DLManagedTensor managed;
};

}  // namespace

DLManagedTensor* to_dlpack(const Tensor& t) {
  EMBER_CHECK(t.defined(), "to_dlpack: the tensor is undefined");
  const auto& e = device_registry::require(t.device());
  EMBER_CHECK(t.dtype() != kBool, "to_dlpack: bool tensors are not supported by DLPack ", DLPACK_VERSION,
              " (it has no bool type); convert with .to(ember::kUInt8) first");
  EMBER_CHECK(e.api->host_accessible, "to_dlpack: only host-addressable devices are exported, got ",
              detail::describe(t), "; call .cpu() first");
  auto* x = new Export{t, t.sizes().vec(), t.strides().vec(), {}};
  DLTensor& dl = x->managed.dl_tensor;
  dl.data = t.impl().storage->data;
  dl.device = {kDLCPU, 0};
  dl.ndim = int32_t(t.dim());
  dl.dtype = to_dl(t.dtype());
  dl.shape = x->shape.data();
  dl.strides = x->strides.data();
  dl.byte_offset = uint64_t(t.storage_offset() * t.element_size());
  x->managed.manager_ctx = x;
  x->managed.deleter = [](DLManagedTensor* self) { delete static_cast<Export*>(self->manager_ctx); };
  return &x->managed;
}

Tensor from_dlpack(DLManagedTensor* managed) {
  EMBER_CHECK(managed, "from_dlpack: null DLManagedTensor");
  const DLTensor& dl = managed->dl_tensor;
  if (dl.device.device_type != kDLCPU) {
    if (managed->deleter) managed->deleter(managed);
    EMBER_CHECK(false, "from_dlpack: only CPU DLPack tensors are supported, got device type ",
                int(dl.device.device_type));
  }
  Dtype dtype;
  try {
    dtype = from_dl(dl.dtype);
  } catch (...) {
    if (managed->deleter) managed->deleter(managed);
    throw;
  }
  const int64_t es = element_size(dtype);
  std::vector<int64_t> sizes(dl.shape, dl.shape + dl.ndim);
  std::vector<int64_t> strides = dl.strides ? std::vector<int64_t>(dl.strides, dl.strides + dl.ndim)
                                            : detail::contiguous_strides(sizes).vec();
  int64_t extent = 1;
  for (int i = 0; i < dl.ndim; ++i) {
    if (sizes[i] < 0 || strides[i] < 0) {
      if (managed->deleter) managed->deleter(managed);
      EMBER_CHECK(false, "from_dlpack: negative sizes or strides are not supported (shape ", detail::shape_str(sizes),
                  ", strides ", detail::shape_str(strides), "); make the producer's array contiguous first");
    }
    if (sizes[i] == 0) extent = 0;
    if (extent) extent += (sizes[i] - 1) * strides[i];
  }
  // Keep data as the base and the offset as a storage offset when it is a
  // whole number of elements (a round trip keeps storage_offset()); otherwise
  // point the storage at the first element.
  const bool whole = dl.byte_offset % uint64_t(es) == 0;
  const int64_t offset = whole ? int64_t(dl.byte_offset / uint64_t(es)) : 0;
  auto storage = std::make_shared<detail::Storage>();
  storage->data = static_cast<char*>(dl.data) + (whole ? 0 : dl.byte_offset);
  storage->nbytes = size_t((offset + extent) * es);
  storage->device = Device(kCPU);
  storage->deleter = [](void* ctx, void*) {
    auto* m = static_cast<DLManagedTensor*>(ctx);
    if (m->deleter) m->deleter(m);
  };
  storage->deleter_context = managed;
  auto impl = std::make_shared<detail::TensorImpl>();
  impl->storage = std::move(storage);
  impl->sizes.assign(sizes);
  impl->strides.assign(strides);
  impl->offset = offset;
  impl->dtype = dtype;
  impl->refresh();
  return Tensor(std::move(impl));
}

}  // namespace ember
