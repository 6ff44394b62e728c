#pragma once
// ember::Error and the two checks: EMBER_CHECK for user errors, EMBER_ASSERT
// for internal invariants (a failed assert is a bug in Ember, not in the caller).
#include <sstream>
#include <stdexcept>
#include <string>

namespace ember {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {
template <typename... Args>
std::string str_cat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
[[noreturn]] void throw_error(const std::string& message);
[[noreturn]] void throw_internal(const char* file, int line, const std::string& message);
}  // namespace detail

}  // namespace ember

#define EMBER_CHECK(cond, ...)                                          \
  do {                                                                  \
    if (!(cond)) [[unlikely]] {                                         \
      ::ember::detail::throw_error(::ember::detail::str_cat(__VA_ARGS__)); \
    }                                                                   \
  } while (0)

#define EMBER_ASSERT(cond, ...)                                                                   \
  do {                                                                                            \
    if (!(cond)) [[unlikely]] {                                                                   \
      ::ember::detail::throw_internal(__FILE__, __LINE__,                                         \
                                      ::ember::detail::str_cat("assertion `" #cond "` failed. ", \
                                                               ##__VA_ARGS__));                   \
    }                                                                                             \
  } while (0)
