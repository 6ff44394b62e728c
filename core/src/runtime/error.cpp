#include "ember/error.h"

namespace ember::detail {

void throw_error(const std::string& message) { throw Error(message); }

void throw_internal(const char* file, int line, const std::string& message) {
  throw Error(str_cat("internal error in Ember (", file, ":", line, "): ", message,
                      " — please report this as a bug"));
}

}  // namespace ember::detail
