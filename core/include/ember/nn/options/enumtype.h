#pragma once
// The mode tags of libtorch's torch/enum.h: `ember::kReflect` is a value of
// the empty type `ember::enumtype::kReflect`, so one tag can be a member of
// several options' std::variant (F::pad's mode, a convolution's padding_mode)
// and `opts.mode(ember::kReflect)` reads as in libtorch. `enumtype::name`
// gives the Python spelling, for messages.
#include <string_view>
#include <variant>

namespace ember {

#define EMBER_ENUM_TAG(Name, python_name)                                   \
  namespace enumtype {                                                      \
  struct k##Name {};                                                        \
  constexpr std::string_view name(k##Name) noexcept { return python_name; } \
  }                                                                         \
  inline constexpr enumtype::k##Name k##Name {}

EMBER_ENUM_TAG(Zeros, "zeros");
EMBER_ENUM_TAG(Constant, "constant");
EMBER_ENUM_TAG(Reflect, "reflect");
EMBER_ENUM_TAG(Replicate, "replicate");
EMBER_ENUM_TAG(Circular, "circular");
EMBER_ENUM_TAG(Nearest, "nearest");
EMBER_ENUM_TAG(NearestExact, "nearest-exact");
EMBER_ENUM_TAG(Linear, "linear");
EMBER_ENUM_TAG(Bilinear, "bilinear");
EMBER_ENUM_TAG(Trilinear, "trilinear");
#undef EMBER_ENUM_TAG

namespace enumtype {
// The Python spelling of the tag a variant holds.
template <typename... Tags>
constexpr std::string_view name(const std::variant<Tags...>& v) noexcept {
  return std::visit([](auto tag) { return name(tag); }, v);
}
}  // namespace enumtype

}  // namespace ember
