#pragma once
// TensorOptions: the builder that factories take (dtype, device, requires_grad).
#include <optional>
#include <type_traits>

#include "ember/device.h"
#include "ember/dtype.h"

namespace ember {

class TensorOptions {
 public:
  TensorOptions() = default;
  TensorOptions(Dtype d) : dtype_(d) {}
  TensorOptions(Device d) : device_(d) {}
  TensorOptions(DeviceType t) : device_(Device(t)) {}
  // A device string ("cpu", "cuda:1"). A template, so that a literal 0 (a null
  // pointer constant) is not a TensorOptions: arange(5, 0) must mean the numbers.
  template <typename Char, std::enable_if_t<std::is_same_v<Char, char>, int> = 0>
  TensorOptions(const Char* device) : device_(Device(device)) {}

  TensorOptions dtype(Dtype d) const noexcept {
    auto o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions dtype(std::optional<Dtype> d) const noexcept {
    auto o = *this;
    o.dtype_ = d;
    return o;
  }
  TensorOptions device(Device d) const noexcept {
    auto o = *this;
    o.device_ = d;
    return o;
  }
  TensorOptions requires_grad(bool r) const noexcept {
    auto o = *this;
    o.requires_grad_ = r;
    return o;
  }

  Dtype dtype() const noexcept { return dtype_.value_or(kDefaultFloat); }
  Device device() const noexcept { return device_.value_or(Device(kCPU)); }
  bool requires_grad() const noexcept { return requires_grad_; }
  bool has_dtype() const noexcept { return dtype_.has_value(); }
  bool has_device() const noexcept { return device_.has_value(); }
  std::optional<Dtype> dtype_opt() const noexcept { return dtype_; }

 private:
  std::optional<Dtype> dtype_;
  std::optional<Device> device_;
  bool requires_grad_ = false;
};

inline TensorOptions dtype(Dtype d) { return TensorOptions().dtype(d); }
inline TensorOptions device(Device d) { return TensorOptions().device(d); }
inline TensorOptions requires_grad(bool r = true) { return TensorOptions().requires_grad(r); }

}  // namespace ember
