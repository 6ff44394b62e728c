#pragma once
// Element types and PyTorch's type-promotion lattice.
#include <cstdint>
#include <iosfwd>
#include <string_view>

namespace ember {

// Values match ember_dtype in the plugin ABI (sdk/include/ember/sdk/abi.h).
enum class Dtype : int8_t {
  Float32 = 0,
  Float64 = 1,
  Int32 = 2,
  Int64 = 3,
  Bool = 4,
  UInt8 = 5,
  Float16 = 6,
  BFloat16 = 7,
};
using ScalarType = Dtype;
inline constexpr int kNumDtypes = 8;

inline constexpr Dtype kFloat32 = Dtype::Float32, kFloat = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64, kDouble = Dtype::Float64;
inline constexpr Dtype kInt32 = Dtype::Int32, kInt = Dtype::Int32;
inline constexpr Dtype kInt64 = Dtype::Int64, kLong = Dtype::Int64;
inline constexpr Dtype kBool = Dtype::Bool;
inline constexpr Dtype kUInt8 = Dtype::UInt8, kByte = Dtype::UInt8;
inline constexpr Dtype kFloat16 = Dtype::Float16, kHalf = Dtype::Float16;
inline constexpr Dtype kBFloat16 = Dtype::BFloat16;

constexpr int64_t element_size(Dtype d) {
  switch (d) {
    case Dtype::Float64:
    case Dtype::Int64: return 8;
    case Dtype::Float32:
    case Dtype::Int32: return 4;
    case Dtype::Float16:
    case Dtype::BFloat16: return 2;
    case Dtype::Bool:
    case Dtype::UInt8: return 1;
  }
  return 0;
}
constexpr bool is_floating_point(Dtype d) {
  return d == kFloat32 || d == kFloat64 || d == kFloat16 || d == kBFloat16;
}
constexpr bool is_integral(Dtype d, bool include_bool = false) {
  return d == kInt32 || d == kInt64 || d == kUInt8 || (include_bool && d == kBool);
}

// "float32", as in Python's `torch.float32` without the module.
std::string_view dtype_name(Dtype d);
std::ostream& operator<<(std::ostream& out, Dtype d);  // prints "ember.float32"

// PyTorch's promote_types for two dtypes.
Dtype promote_types(Dtype a, Dtype b);

// The dtype a C++ type maps to.
template <typename T> struct dtype_of;
template <> struct dtype_of<float> { static constexpr Dtype value = kFloat32; };
template <> struct dtype_of<double> { static constexpr Dtype value = kFloat64; };
template <> struct dtype_of<int32_t> { static constexpr Dtype value = kInt32; };
template <> struct dtype_of<int64_t> { static constexpr Dtype value = kInt64; };
template <> struct dtype_of<bool> { static constexpr Dtype value = kBool; };
template <> struct dtype_of<uint8_t> { static constexpr Dtype value = kUInt8; };

// Default floating dtype (PyTorch's torch.get_default_dtype()).
inline constexpr Dtype kDefaultFloat = kFloat32;

}  // namespace ember
