#pragma once
// ember::Tensor — a handle to a strided view of a Storage, with value
// semantics like at::Tensor: copying a Tensor shares its data.
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "ember/detail/tensor_impl.h"
#include "ember/device.h"
#include "ember/dtype.h"
#include "ember/error.h"
#include "ember/int_array_ref.h"
#include "ember/scalar.h"
#include "ember/tensor_options.h"

namespace ember {

namespace indexing {
class TensorIndex;
}
namespace autograd {
class Node;
}

template <typename T, size_t N>
class TensorAccessor;

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<detail::TensorImpl> impl) : impl_(std::move(impl)) {}

  // ---- metadata ----
  bool defined() const noexcept { return impl_ != nullptr; }
  IntArrayRef sizes() const { return impl().sizes; }
  IntArrayRef strides() const { return impl().strides; }
  int64_t size(int64_t d) const;
  int64_t stride(int64_t d) const;
  int64_t dim() const { return int64_t(impl().sizes.size()); }
  int64_t ndimension() const { return dim(); }
  int64_t numel() const { return impl().numel; }
  Dtype dtype() const { return impl().dtype; }
  Dtype scalar_type() const { return impl().dtype; }
  Device device() const { return impl().device(); }
  TensorOptions options() const;
  bool is_contiguous() const { return impl().contiguous; }
  int64_t element_size() const { return ember::element_size(dtype()); }
  int64_t nbytes() const { return numel() * element_size(); }
  int64_t storage_offset() const { return impl().offset; }
  bool is_floating_point() const { return ember::is_floating_point(dtype()); }
  bool is_cpu() const { return device().is_cpu(); }
  // True when both handles refer to the same tensor (not just equal data).
  bool is_same(const Tensor& o) const noexcept { return impl_ == o.impl_; }
  bool is_alias_of(const Tensor& o) const noexcept;
  long use_count() const noexcept { return impl_.use_count(); }

  // ---- moving and converting ----
  Tensor to(Device device, bool non_blocking = false, bool copy = false) const;
  Tensor to(Dtype dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(Device device, Dtype dtype, bool non_blocking = false, bool copy = false) const;
  Tensor to(const TensorOptions& options, bool non_blocking = false, bool copy = false) const;
  Tensor to(DeviceType type, bool non_blocking = false, bool copy = false) const {
    return to(Device(type), non_blocking, copy);
  }
  Tensor to(const char* device) const { return to(Device(device)); }
  Tensor cpu() const;
  Tensor contiguous() const;
  Tensor clone() const;
  Tensor& copy_(const Tensor& src, bool non_blocking = false) const;
  Scalar item() const;
  template <typename T>
  T item() const {
    return item().to<T>();
  }
  void* data_ptr() const;
  template <typename T>
  T* data_ptr() const {
    check_data_ptr(dtype_of<std::remove_cv_t<T>>::value);
    return static_cast<T*>(data_ptr());
  }
  // The accessor points into this tensor's sizes and strides: like libtorch,
  // taking one from a temporary is a compile error.
  template <typename T, size_t N>
  TensorAccessor<T, N> accessor() const&;
  template <typename T, size_t N>
  TensorAccessor<T, N> accessor() && = delete;
  template <typename T>
  std::vector<T> to_vector() const {
    auto host = to(Device(kCPU)).to(dtype_of<T>::value).contiguous();
    const T* p = host.template data_ptr<T>();
    return std::vector<T>(p, p + host.numel());
  }
  Tensor data() const;  // a detached alias, like Python's `.data`

  // ---- autograd (the engine: core/src/autograd) ----
  bool requires_grad() const { return impl().requires_grad; }
  Tensor& requires_grad_(bool value = true) const;
  Tensor& set_requires_grad(bool value) const { return requires_grad_(value); }
  // The accumulated gradient (undefined until a backward reaches this leaf).
  const Tensor& grad() const;
  Tensor& mutable_grad() const;
  void backward(const Tensor& gradient = {}, std::optional<bool> retain_graph = {}, bool create_graph = false) const;
  Tensor detach() const;
  Tensor& detach_() const;
  bool is_leaf() const;
  // Keep this non-leaf's gradient in grad() after a backward.
  void retain_grad() const;
  bool retains_grad() const;
  // Called with the gradient of this tensor during backward; a hook that
  // returns a defined tensor replaces the gradient. Returns the hook's index.
  unsigned register_hook(std::function<Tensor(const Tensor&)> hook) const;
  template <typename Fn, std::enable_if_t<std::is_void_v<std::invoke_result_t<Fn, const Tensor&>>, int> = 0>
  unsigned register_hook(Fn hook) const {
    return register_hook(std::function<Tensor(const Tensor&)>([hook](const Tensor& g) {
      hook(g);
      return Tensor();
    }));
  }
  // The node that produced this tensor (null for leaves and untracked tensors).
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  // A version counter shared with every view: bumped by each in-place write.
  uint32_t _version() const { return impl().storage->version.load(); }

  // ---- shape and views ----
  Tensor view(IntArrayRef sizes) const;
  Tensor reshape(IntArrayRef sizes) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor squeeze() const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;
  Tensor permute(IntArrayRef dims) const;
  Tensor expand(IntArrayRef sizes) const;
  Tensor expand_as(const Tensor& other) const;
  Tensor as_strided(IntArrayRef sizes, IntArrayRef strides, std::optional<int64_t> offset = {}) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor select(int64_t dim, int64_t index) const;
  Tensor slice(int64_t dim = 0, std::optional<int64_t> start = {}, std::optional<int64_t> end = {},
               int64_t step = 1) const;
  Tensor index_select(int64_t dim, const Tensor& index) const;
  Tensor gather(int64_t dim, const Tensor& index) const;
  Tensor scatter_add(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor& scatter_add_(int64_t dim, const Tensor& index, const Tensor& src) const;
  Tensor masked_fill(const Tensor& mask, const Scalar& value) const;
  Tensor& masked_fill_(const Tensor& mask, const Scalar& value) const;
  std::vector<Tensor> chunk(int64_t chunks, int64_t dim = 0) const;
  std::vector<Tensor> split(int64_t split_size, int64_t dim = 0) const;
  std::vector<Tensor> split(IntArrayRef split_sizes, int64_t dim = 0) const;
  std::vector<Tensor> unbind(int64_t dim = 0) const;
  Tensor repeat(IntArrayRef repeats) const;
  Tensor index(std::initializer_list<indexing::TensorIndex> indices) const;
  Tensor index(const std::vector<indexing::TensorIndex>& indices) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Tensor& value) const;
  Tensor& index_put_(std::initializer_list<indexing::TensorIndex> indices, const Scalar& value) const;
  Tensor operator[](int64_t index) const { return select(0, index); }

  // ---- elementwise ----
  Tensor add(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor add(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor sub(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor sub(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor mul(const Tensor& other) const;
  Tensor mul(const Scalar& other) const;
  Tensor div(const Tensor& other) const;
  Tensor div(const Scalar& other) const;
  Tensor pow(const Tensor& exponent) const;
  Tensor pow(const Scalar& exponent) const;
  Tensor maximum(const Tensor& other) const;
  Tensor minimum(const Tensor& other) const;
  Tensor neg() const;
  Tensor abs() const;
  Tensor exp() const;
  Tensor log() const;
  Tensor sqrt() const;
  Tensor rsqrt() const;
  Tensor sin() const;
  Tensor cos() const;
  Tensor tanh() const;
  Tensor sigmoid() const;
  Tensor relu() const;
  Tensor sign() const;
  Tensor floor() const;
  Tensor ceil() const;
  Tensor round() const;
  Tensor trunc() const;
  Tensor square() const;
  Tensor reciprocal() const;
  Tensor clamp(const std::optional<Scalar>& min = {}, const std::optional<Scalar>& max = {}) const;
  Tensor clamp_min(const Scalar& min) const { return clamp(min, std::nullopt); }
  Tensor clamp_max(const Scalar& max) const { return clamp(std::nullopt, max); }
  Tensor logical_not() const;
  Tensor logical_and(const Tensor& other) const;
  Tensor logical_or(const Tensor& other) const;
  Tensor logical_xor(const Tensor& other) const;
  Tensor eq(const Tensor& other) const;
  Tensor eq(const Scalar& other) const;
  Tensor ne(const Tensor& other) const;
  Tensor ne(const Scalar& other) const;
  Tensor lt(const Tensor& other) const;
  Tensor lt(const Scalar& other) const;
  Tensor le(const Tensor& other) const;
  Tensor le(const Scalar& other) const;
  Tensor gt(const Tensor& other) const;
  Tensor gt(const Scalar& other) const;
  Tensor ge(const Tensor& other) const;
  Tensor ge(const Scalar& other) const;

  // ---- in place ----
  Tensor& add_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& add_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Tensor& other, const Scalar& alpha = 1) const;
  Tensor& sub_(const Scalar& other, const Scalar& alpha = 1) const;
  Tensor& mul_(const Tensor& other) const;
  Tensor& mul_(const Scalar& other) const;
  Tensor& div_(const Tensor& other) const;
  Tensor& div_(const Scalar& other) const;
  Tensor& zero_() const;
  Tensor& fill_(const Scalar& value) const;
  Tensor& clamp_(const std::optional<Scalar>& min = {}, const std::optional<Scalar>& max = {}) const;
  Tensor& relu_() const;
  Tensor& uniform_(double from = 0, double to = 1) const;
  Tensor& normal_(double mean = 0, double std = 1) const;
  Tensor& bernoulli_(double p = 0.5) const;
  Tensor& random_(int64_t from, int64_t to) const;

  // ---- reductions ----
  Tensor sum(std::optional<Dtype> dtype = {}) const;
  Tensor sum(IntArrayRef dims, bool keepdim = false, std::optional<Dtype> dtype = {}) const;
  Tensor mean(std::optional<Dtype> dtype = {}) const;
  Tensor mean(IntArrayRef dims, bool keepdim = false, std::optional<Dtype> dtype = {}) const;
  Tensor prod(std::optional<Dtype> dtype = {}) const;
  Tensor prod(int64_t dim, bool keepdim = false, std::optional<Dtype> dtype = {}) const;
  Tensor max() const;
  std::tuple<Tensor, Tensor> max(int64_t dim, bool keepdim = false) const;
  Tensor min() const;
  std::tuple<Tensor, Tensor> min(int64_t dim, bool keepdim = false) const;
  Tensor amax(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor amin(IntArrayRef dims = {}, bool keepdim = false) const;
  Tensor argmax(std::optional<int64_t> dim = {}, bool keepdim = false) const;
  Tensor argmin(std::optional<int64_t> dim = {}, bool keepdim = false) const;
  // var()/std() over everything; the bool overloads take exactly a bool, so
  // that x.var({1}) means "over dim 1" and never converts {1} to `unbiased`.
  Tensor var() const { return var_all(true); }
  template <typename B, std::enable_if_t<std::is_same_v<B, bool>, int> = 0>
  Tensor var(B unbiased) const {
    return var_all(unbiased);
  }
  Tensor var(IntArrayRef dims, bool unbiased = true, bool keepdim = false) const;
  Tensor std() const { return std_all(true); }
  template <typename B, std::enable_if_t<std::is_same_v<B, bool>, int> = 0>
  Tensor std(B unbiased) const {
    return std_all(unbiased);
  }
  Tensor std(IntArrayRef dims, bool unbiased = true, bool keepdim = false) const;
  Tensor norm(const Scalar& p = 2) const;
  Tensor norm(const Scalar& p, IntArrayRef dims, bool keepdim = false) const;
  Tensor all() const;
  Tensor all(int64_t dim, bool keepdim = false) const;
  Tensor any() const;
  Tensor any(int64_t dim, bool keepdim = false) const;
  Tensor softmax(int64_t dim, std::optional<Dtype> dtype = {}) const;
  Tensor log_softmax(int64_t dim, std::optional<Dtype> dtype = {}) const;
  Tensor logsumexp(IntArrayRef dims, bool keepdim = false) const;

  // ---- linear algebra ----
  Tensor matmul(const Tensor& other) const;
  Tensor mm(const Tensor& other) const;
  Tensor bmm(const Tensor& other) const;
  Tensor mv(const Tensor& vec) const;
  Tensor dot(const Tensor& other) const;

  // ---- comparison helpers ----
  bool equal(const Tensor& other) const;
  bool allclose(const Tensor& other, double rtol = 1e-5, double atol = 1e-8, bool equal_nan = false) const;

  // The implementation, for Ember's own layers.
  detail::TensorImpl& impl() const {
    EMBER_CHECK(impl_, "the tensor is undefined (default-constructed); create it with a factory first");
    return *impl_;
  }
  detail::TensorImpl* unsafe_impl() const noexcept { return impl_.get(); }
  const std::shared_ptr<detail::TensorImpl>& impl_ptr() const noexcept { return impl_; }

 private:
  void check_data_ptr(Dtype requested) const;
  // In-place methods are const, as in libtorch (a Tensor is a handle), and
  // return the handle they were called on.
  Tensor& self() const noexcept { return const_cast<Tensor&>(*this); }
  Tensor var_all(bool unbiased) const;
  Tensor std_all(bool unbiased) const;
  std::shared_ptr<detail::TensorImpl> impl_;
};

// Prints exactly what Python's print(tensor) prints (dtypes spelled `ember.`).
std::ostream& operator<<(std::ostream& out, const Tensor& t);
std::string to_string(const Tensor& t);

// A view of host data for fast element access, as libtorch's accessor.
template <typename T, size_t N>
class TensorAccessor {
 public:
  TensorAccessor(T* data, const int64_t* sizes, const int64_t* strides)
      : data_(data), sizes_(sizes), strides_(strides) {}
  decltype(auto) operator[](int64_t i) const {
    if constexpr (N == 1) {
      return data_[i * strides_[0]];
    } else {
      return TensorAccessor<T, N - 1>(data_ + i * strides_[0], sizes_ + 1, strides_ + 1);
    }
  }
  int64_t size(int64_t d) const { return sizes_[d]; }
  int64_t stride(int64_t d) const { return strides_[d]; }

 private:
  T* data_;
  const int64_t* sizes_;
  const int64_t* strides_;
};

template <typename T, size_t N>
TensorAccessor<T, N> Tensor::accessor() const& {
  EMBER_CHECK(dim() == int64_t(N), "accessor<", dtype_name(dtype_of<std::remove_cv_t<T>>::value), ", ", N,
              ">: the tensor has ", dim(), " dimensions, expected ", N);
  return TensorAccessor<T, N>(data_ptr<T>(), impl().sizes.data(), impl().strides.data());
}

// ---- operators ----
Tensor operator+(const Tensor& a, const Tensor& b);
Tensor operator+(const Tensor& a, const Scalar& b);
Tensor operator+(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Tensor& b);
Tensor operator-(const Tensor& a, const Scalar& b);
Tensor operator-(const Scalar& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Tensor& b);
Tensor operator*(const Tensor& a, const Scalar& b);
Tensor operator*(const Scalar& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Tensor& b);
Tensor operator/(const Tensor& a, const Scalar& b);
Tensor operator/(const Scalar& a, const Tensor& b);
Tensor operator-(const Tensor& a);
Tensor operator==(const Tensor& a, const Tensor& b);
Tensor operator==(const Tensor& a, const Scalar& b);
Tensor operator!=(const Tensor& a, const Tensor& b);
Tensor operator!=(const Tensor& a, const Scalar& b);
Tensor operator<(const Tensor& a, const Tensor& b);
Tensor operator<(const Tensor& a, const Scalar& b);
Tensor operator<=(const Tensor& a, const Tensor& b);
Tensor operator<=(const Tensor& a, const Scalar& b);
Tensor operator>(const Tensor& a, const Tensor& b);
Tensor operator>(const Tensor& a, const Scalar& b);
Tensor operator>=(const Tensor& a, const Tensor& b);
Tensor operator>=(const Tensor& a, const Scalar& b);
Tensor operator&(const Tensor& a, const Tensor& b);
Tensor operator|(const Tensor& a, const Tensor& b);
Tensor operator^(const Tensor& a, const Tensor& b);
Tensor operator~(const Tensor& a);
Tensor& operator+=(Tensor& a, const Tensor& b);
Tensor& operator+=(Tensor& a, const Scalar& b);
Tensor& operator-=(Tensor& a, const Tensor& b);
Tensor& operator-=(Tensor& a, const Scalar& b);
Tensor& operator*=(Tensor& a, const Tensor& b);
Tensor& operator*=(Tensor& a, const Scalar& b);
Tensor& operator/=(Tensor& a, const Tensor& b);
Tensor& operator/=(Tensor& a, const Scalar& b);

}  // namespace ember
