// Data movement: strided copy with dtype conversion, fill, arange.
#include <cstring>
#include <type_traits>

#include "kernels.h"
#include "loops.h"

namespace ember::cpu {
namespace {

template <typename T> using C = compute_t<T>;

template <typename To, typename From>
To convert(From v) {
  if constexpr (std::is_same_v<To, bool>) return C<From>(v) != C<From>(0);
  else return To(C<To>(C<From>(v)));
}

EMBER_KERNEL(copy_kernel) {
  const ember_tensor &in = call.inputs[0], &out = call.outputs[0];
  auto plan = make_plan<2>({&out, &in});
  if (in.dtype == out.dtype) {
    const int64_t es = sdk::dtype_size(in.dtype);
    for_each_run(plan, [&](const std::array<char*, 2>& p, int64_t n, const std::array<int64_t, 2>& s) {
      if (s[0] == es && s[1] == es) {
        std::memmove(p[0], p[1], size_t(n * es));
        return;
      }
      for (int64_t i = 0; i < n; ++i) std::memcpy(p[0] + i * s[0], p[1] + i * s[1], size_t(es));
    });
    return;
  }
  sdk::dispatch_dtype(out.dtype, [&]<typename To>() {
    sdk::dispatch_dtype(in.dtype, [&]<typename From>() {
      for_each_run(plan, [&](const std::array<char*, 2>& p, int64_t n, const std::array<int64_t, 2>& s) {
        for (int64_t i = 0; i < n; ++i)
          *reinterpret_cast<To*>(p[0] + i * s[0]) = convert<To>(*reinterpret_cast<const From*>(p[1] + i * s[1]));
      });
    });
  });
}

EMBER_KERNEL(fill_kernel) {
  const ember_tensor& out = call.outputs[0];
  auto plan = make_plan<1>({&out});
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    const ember_scalar& v = call.scalars[0];
    T value;
    if (v.kind == EMBER_SCALAR_DOUBLE) value = convert<T>(v.d);
    else value = convert<T>(v.i);
    for_each_run(plan, [&](const std::array<char*, 1>& p, int64_t n, const std::array<int64_t, 1>& s) {
      if (s[0] == int64_t(sizeof(T))) {
        T* o = reinterpret_cast<T*>(p[0]);
        for (int64_t i = 0; i < n; ++i) o[i] = value;
        return;
      }
      for (int64_t i = 0; i < n; ++i) *reinterpret_cast<T*>(p[0] + i * s[0]) = value;
    });
  });
}

// out[i] = start + i * step, computed in the output's type for integers and
// in double otherwise (PyTorch computes float arange in the accumulate type).
EMBER_KERNEL(arange_kernel) {
  const ember_tensor& out = call.outputs[0];
  if (out.ndim != 1) sdk::fail("arange: the output must be 1-d");
  sdk::dispatch_dtype(out.dtype, [&]<typename T>() {
    T* o = sdk::TensorArg{&out}.data<T>();
    const int64_t n = out.sizes[0], st = out.strides[0];
    const ember_scalar &start = call.scalars[0], &step = call.scalars[1];
    const bool exact_int = start.kind != EMBER_SCALAR_DOUBLE && step.kind != EMBER_SCALAR_DOUBLE;
    for (int64_t i = 0; i < n; ++i) {
      if (exact_int) o[i * st] = convert<T>(start.i + i * step.i);
      else o[i * st] = convert<T>(start.d + double(i) * step.d);
    }
  });
}

}  // namespace

void register_copy_kernels(sdk::Registrar& r, int32_t type) {
  r.kernel(EMBER_OP_COPY, type, copy_kernel);
  r.kernel(EMBER_OP_FILL, type, fill_kernel);
  r.kernel(EMBER_OP_ARANGE, type, arange_kernel);
}

}  // namespace ember::cpu
