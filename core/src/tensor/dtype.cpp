#include "ember/dtype.h"

#include <ostream>

#include "ember/error.h"
#include "ember/int_array_ref.h"
#include "ember/scalar.h"

namespace ember {

std::string_view dtype_name(Dtype d) {
  switch (d) {
    case kFloat32: return "float32";
    case kFloat64: return "float64";
    case kInt32: return "int32";
    case kInt64: return "int64";
    case kBool: return "bool";
    case kUInt8: return "uint8";
    case kFloat16: return "float16";
    case kBFloat16: return "bfloat16";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, Dtype d) { return out << "ember." << dtype_name(d); }

Dtype promote_types(Dtype a, Dtype b) {
  if (a == b) return a;
  // PyTorch's promoteTypes table restricted to Ember's dtypes, indexed by the
  // Dtype values: f32 f64 i32 i64 b u8 f16 bf16.
  constexpr Dtype f4 = kFloat32, f8 = kFloat64, i4 = kInt32, i8 = kInt64, b1 = kBool, u1 = kUInt8, f2 = kFloat16,
                  bf = kBFloat16;
  static constexpr Dtype table[kNumDtypes][kNumDtypes] = {
      /* f32 */ {f4, f8, f4, f4, f4, f4, f4, f4},
      /* f64 */ {f8, f8, f8, f8, f8, f8, f8, f8},
      /* i32 */ {f4, f8, i4, i8, i4, i4, f2, bf},
      /* i64 */ {f4, f8, i8, i8, i8, i8, f2, bf},
      /* b   */ {f4, f8, i4, i8, b1, u1, f2, bf},
      /* u8  */ {f4, f8, i4, i8, u1, u1, f2, bf},
      /* f16 */ {f4, f8, f2, f2, f2, f2, f2, f4},
      /* bf16*/ {f4, f8, bf, bf, bf, bf, f4, bf},
  };
  return table[int(a)][int(b)];
}

Dtype Scalar::dtype() const noexcept {
  switch (kind_) {
    case Kind::Double: return kFloat64;
    case Kind::Int: return kInt64;
    case Kind::Bool: return kBool;
  }
  return kFloat64;
}

Scalar Scalar::operator-() const {
  switch (kind_) {
    case Kind::Double: return Scalar(-d_);
    case Kind::Int: return Scalar(-i_);
    case Kind::Bool: break;
  }
  EMBER_CHECK(false, "negation of a bool scalar is not supported; use logical_not");
  return {};
}

std::ostream& operator<<(std::ostream& out, const Scalar& s) {
  switch (s.kind()) {
    case Scalar::Kind::Double: return out << s.to<double>();
    case Scalar::Kind::Int: return out << s.to<int64_t>();
    case Scalar::Kind::Bool: return out << (s.to<bool>() ? "True" : "False");
  }
  return out;
}

std::ostream& operator<<(std::ostream& out, IntArrayRef a) {
  out << '[';
  for (size_t i = 0; i < a.size(); ++i) out << (i ? ", " : "") << a[i];
  return out << ']';
}

}  // namespace ember
