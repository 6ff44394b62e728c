#pragma once
// The data behind a Tensor handle. Public only so that Tensor's getters can be
// inline; user code should not touch these structs.
#include <atomic>
#include <cstddef>
#include <memory>

#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/int_array_ref.h"

namespace ember::autograd {
struct AutogradMeta;  // core/src/autograd/meta.h
}

namespace ember::detail {

// A block of device memory. Views share one Storage; so does the version
// counter that autograd checks for in-place writes.
struct Storage {
  using Deleter = void (*)(void* context, void* data);
  void* data = nullptr;
  size_t nbytes = 0;
  Device device = Device(DeviceType::from_id(0));
  Deleter deleter = nullptr;  // null: memory not owned (from_blob)
  void* deleter_context = nullptr;
  std::atomic<uint32_t> version{0};

  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage() {
    if (deleter) deleter(deleter_context, data);
  }
};

struct TensorImpl {
  // User-provided, so make_shared<TensorImpl>() does not zero the whole
  // object (the shape buffers) before the member initialisers run.
  TensorImpl() {}

  std::shared_ptr<Storage> storage;
  DimVector sizes;
  DimVector strides;
  int64_t offset = 0;  // in elements
  int64_t numel = 0;
  Dtype dtype = kFloat32;
  bool contiguous = true;
  // True for a leaf that requires grad and for every output of a recorded op.
  bool requires_grad = false;
  // Gradient, grad_fn and hooks; null until autograd needs them.
  std::shared_ptr<autograd::AutogradMeta> autograd;
  // For a view: the tensor it views (the root, never itself a view), so an
  // in-place write through the view can rebase the root's history.
  std::shared_ptr<TensorImpl> view_base;

  const Device& device() const noexcept { return storage->device; }
  // Recomputes numel and contiguity after sizes/strides change.
  void refresh() noexcept {
    int64_t n = 1;
    bool c = true;
    int64_t expected = 1;
    for (size_t i = sizes.size(); i-- > 0;) {
      n *= sizes[i];
      if (sizes[i] != 1) {
        if (strides[i] != expected) c = false;
        expected *= sizes[i];
      }
    }
    numel = n;
    contiguous = c || n == 0;
  }
};

}  // namespace ember::detail
