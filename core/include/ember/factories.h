#pragma once
// Factories: tensor(...), zeros, ones, rand, arange, ... (api.md "Factories").
#include <cstdint>
#include <initializer_list>
#include <type_traits>
#include <vector>

#include "ember/tensor.h"

namespace ember {

namespace detail {
// Copies `count` host values of `dtype` into a new tensor of `sizes`, then
// converts it to `options`' dtype and device.
Tensor tensor_from_host(const void* data, Dtype dtype, IntArrayRef sizes, const TensorOptions& options);

// Nested lists build a flat tensor and reshape it; the result, not the flat
// one, is the leaf that requires grad.
inline Tensor nested_leaf(Tensor flat_reshaped, const TensorOptions& options) {
  if (options.requires_grad()) flat_reshaped.requires_grad_(true);
  return flat_reshaped;
}

template <typename T>
using host_type_t = std::conditional_t<
    std::is_same_v<T, bool>, bool,
    std::conditional_t<std::is_floating_point_v<T>, std::conditional_t<std::is_same_v<T, double>, double, float>,
                       int64_t>>;

template <typename T>
constexpr Dtype literal_dtype() {
  // Literals follow Python: any integer -> int64, any float -> float32.
  if constexpr (std::is_same_v<T, bool>) return kBool;
  else if constexpr (std::is_floating_point_v<T>) return kFloat32;
  else return kInt64;
}
}  // namespace detail

// ---- tensor(...) from values ----
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor tensor(T value, const TensorOptions& options = {}) {
  using H = detail::host_type_t<T>;
  H v = static_cast<H>(value);
  return detail::tensor_from_host(&v, dtype_of<H>::value, {}, options.dtype(options.dtype_opt().value_or(detail::literal_dtype<T>())));
}
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor tensor(const std::vector<T>& values, const TensorOptions& options = {}) {
  using H = detail::host_type_t<T>;
  std::vector<H> v(values.begin(), values.end());
  const int64_t n = int64_t(v.size());
  if constexpr (std::is_same_v<H, bool>) {
    std::vector<uint8_t> b(v.begin(), v.end());
    return detail::tensor_from_host(b.data(), kBool, {n}, options.dtype(options.dtype_opt().value_or(kBool)));
  } else {
    return detail::tensor_from_host(v.data(), dtype_of<H>::value, {n},
                                    options.dtype(options.dtype_opt().value_or(detail::literal_dtype<T>())));
  }
}
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor tensor(std::initializer_list<T> values, const TensorOptions& options = {}) {
  return tensor(std::vector<T>(values), options);
}
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor tensor(std::initializer_list<std::initializer_list<T>> values, const TensorOptions& options = {}) {
  std::vector<T> flat;
  int64_t inner = -1;
  for (auto& row : values) {
    EMBER_CHECK(inner < 0 || int64_t(row.size()) == inner, "tensor: nested lists must be rectangular; rows of ",
                inner, " and ", row.size(), " elements");
    inner = int64_t(row.size());
    flat.insert(flat.end(), row.begin(), row.end());
  }
  return detail::nested_leaf(tensor(flat, options.requires_grad(false)).reshape({int64_t(values.size()), inner < 0 ? 0 : inner}), options);
}
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<T>>> values,
              const TensorOptions& options = {}) {
  std::vector<T> flat;
  std::vector<int64_t> inner;
  for (auto& block : values) {
    std::vector<int64_t> shape{int64_t(block.size()), block.size() ? int64_t(block.begin()->size()) : 0};
    EMBER_CHECK(inner.empty() || inner == shape, "tensor: nested lists must be rectangular");
    inner = shape;
    for (auto& row : block) {
      EMBER_CHECK(int64_t(row.size()) == shape[1], "tensor: nested lists must be rectangular");
      flat.insert(flat.end(), row.begin(), row.end());
    }
  }
  if (inner.empty()) inner = {0, 0};
  return detail::nested_leaf(tensor(flat, options.requires_grad(false)).reshape({int64_t(values.size()), inner[0], inner[1]}), options);
}
template <typename T, std::enable_if_t<std::is_arithmetic_v<T>, int> = 0>
Tensor tensor(std::initializer_list<std::initializer_list<std::initializer_list<std::initializer_list<T>>>> values,
              const TensorOptions& options = {}) {
  std::vector<T> flat;
  std::vector<int64_t> inner;
  for (auto& cube : values) {
    Tensor part = tensor(cube, options);
    std::vector<int64_t> shape = part.sizes().vec();
    EMBER_CHECK(inner.empty() || inner == shape, "tensor: nested lists must be rectangular");
    inner = shape;
    for (auto& block : cube)
      for (auto& row : block) flat.insert(flat.end(), row.begin(), row.end());
  }
  if (inner.empty()) inner = {0, 0, 0};
  return detail::nested_leaf(tensor(flat, options.requires_grad(false)).reshape({int64_t(values.size()), inner[0], inner[1], inner[2]}), options);
}

// No copy, no ownership: `data` must outlive the tensor. CPU memory only.
Tensor from_blob(void* data, IntArrayRef sizes, const TensorOptions& options = {});
Tensor from_blob(void* data, IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options = {});

Tensor empty(IntArrayRef sizes, const TensorOptions& options = {});
Tensor empty_strided(IntArrayRef sizes, IntArrayRef strides, const TensorOptions& options = {});
Tensor zeros(IntArrayRef sizes, const TensorOptions& options = {});
Tensor ones(IntArrayRef sizes, const TensorOptions& options = {});
// Without a dtype, full() takes the value's: an integer fills int64, a bool fills bool.
Tensor full(IntArrayRef sizes, const Scalar& value, const TensorOptions& options = {});
Tensor rand(IntArrayRef sizes, const TensorOptions& options = {});
Tensor randn(IntArrayRef sizes, const TensorOptions& options = {});
Tensor randint(int64_t high, IntArrayRef sizes, const TensorOptions& options = {});
Tensor randint(int64_t low, int64_t high, IntArrayRef sizes, const TensorOptions& options = {});
Tensor randperm(int64_t n, const TensorOptions& options = {});
Tensor bernoulli(const Tensor& probabilities);
Tensor bernoulli(const Tensor& like, double p);
Tensor arange(const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const TensorOptions& options = {});
Tensor arange(const Scalar& start, const Scalar& end, const Scalar& step, const TensorOptions& options = {});
Tensor linspace(const Scalar& start, const Scalar& end, int64_t steps, const TensorOptions& options = {});
Tensor eye(int64_t n, const TensorOptions& options = {});
Tensor eye(int64_t n, int64_t m, const TensorOptions& options = {});

// *_like: the options default to the argument's dtype and device.
Tensor empty_like(const Tensor& t, const TensorOptions& options = {});
Tensor zeros_like(const Tensor& t, const TensorOptions& options = {});
Tensor ones_like(const Tensor& t, const TensorOptions& options = {});
Tensor full_like(const Tensor& t, const Scalar& value, const TensorOptions& options = {});
Tensor rand_like(const Tensor& t, const TensorOptions& options = {});
Tensor randn_like(const Tensor& t, const TensorOptions& options = {});

// Seeds the generator of every device.
void manual_seed(uint64_t seed);

}  // namespace ember
