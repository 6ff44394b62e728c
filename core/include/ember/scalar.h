#pragma once
// A number of any dtype, as libtorch's c10::Scalar.
#include <cstdint>
#include <iosfwd>
#include <type_traits>

#include "ember/dtype.h"

namespace ember {

class Scalar {
 public:
  enum class Kind : uint8_t { Double, Int, Bool };
  Scalar() : Scalar(int64_t(0)) {}
  Scalar(bool v) : kind_(Kind::Bool), i_(v) {}
  template <typename T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Scalar(T v) : kind_(Kind::Int), i_(static_cast<int64_t>(v)) {}
  template <typename T, std::enable_if_t<std::is_floating_point_v<T>, int> = 0>
  Scalar(T v) : kind_(Kind::Double), d_(static_cast<double>(v)) {}

  Kind kind() const noexcept { return kind_; }
  bool is_floating_point() const noexcept { return kind_ == Kind::Double; }
  bool is_integral() const noexcept { return kind_ == Kind::Int; }
  bool is_bool() const noexcept { return kind_ == Kind::Bool; }
  // kFloat64, kInt64 or kBool: the dtype Python gives a wrapped number.
  Dtype dtype() const noexcept;

  template <typename T>
  T to() const {
    if (kind_ == Kind::Double) return static_cast<T>(d_);
    return static_cast<T>(i_);
  }
  double to_double() const noexcept { return kind_ == Kind::Double ? d_ : double(i_); }
  int64_t to_long() const noexcept { return kind_ == Kind::Double ? int64_t(d_) : i_; }
  Scalar operator-() const;

 private:
  Kind kind_;
  union {
    double d_;
    int64_t i_;
  };
};
std::ostream& operator<<(std::ostream& out, const Scalar& s);

}  // namespace ember
