#pragma once
// The kernel boundary (core-private): every primitive op reaches a backend
// through dispatch::call. The table is indexed by (device type id, op id),
// so a call does no string lookup, takes no lock and allocates nothing.
#include <initializer_list>
#include <span>
#include <string>

#include "ember/scalar.h"
#include "ember/sdk/abi.h"
#include "ember/tensor.h"

namespace ember::dispatch {

void register_kernel(int op, int device_type, ember_kernel_fn fn);
bool has_kernel(int op, int device_type) noexcept;

// Runs `op` on the device of its tensors. Outputs are allocated by the
// caller; all tensors must be on one device. Without a kernel for that
// device the op falls back to the CPU (see Note [Fallback] in dispatch.cpp).
void call(ember_op op, std::span<const Tensor> inputs, std::span<const Tensor> outputs,
          std::span<const ember_scalar> scalars = {}, std::span<const int64_t> ints = {});

// call() with one output and the inputs by address, for the smallest ops'
// hot path: copying Tensor handles into an array for the span costs two
// atomic reference counts each.
void call(ember_op op, std::initializer_list<const Tensor*> inputs, const Tensor& output,
          std::span<const ember_scalar> scalars = {});

// For an overridable composite (sdk::is_composite_op): runs the device's
// own kernel and returns true, or returns false — with the outputs untouched
// — when the device has none or its kernel declines the case
// (EMBER_ERR_UNSUPPORTED); the caller then composes the op from primitives.
// Never falls back to the CPU.
bool try_call(ember_op op, std::span<const Tensor> inputs, std::span<const Tensor> outputs,
              std::span<const ember_scalar> scalars = {}, std::span<const int64_t> ints = {});

// Runs one given kernel (a backward kernel, say) on the outputs' device.
// `op` goes into the call; `what` names the kernel in errors. With
// `may_decline`, a kernel that answers EMBER_ERR_UNSUPPORTED makes it return
// false (the caller has another way) instead of raising.
bool call_kernel(ember_kernel_fn fn, int op, const std::string& what, std::span<const Tensor> inputs,
                 std::span<const Tensor> outputs, std::span<const ember_scalar> scalars = {},
                 std::span<const int64_t> ints = {}, bool may_decline = false);

inline ember_scalar to_abi(const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Double: return {EMBER_SCALAR_DOUBLE, s.to<double>(), s.to<int64_t>()};
    case Scalar::Kind::Int: return {EMBER_SCALAR_INT64, s.to<double>(), s.to<int64_t>()};
    case Scalar::Kind::Bool: return {EMBER_SCALAR_BOOL, s.to<double>(), s.to<int64_t>()};
  }
  return {};
}

}  // namespace ember::dispatch
