#pragma once
// Helpers shared by the test suites: the message of the ember::Error an
// expression throws, and an assertion on its parts.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <exception>
#include <string>

namespace ember_test {

// What `fn` throws as an ember::Error ("no error was raised" otherwise).
template <typename Fn>
std::string error_of(Fn&& fn) {
  try {
    fn();
  } catch (const ember::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not an ember::Error: ") + e.what();
  }
  return "no error was raised";
}

}  // namespace ember_test

// Expects `expr` to throw an ember::Error whose message contains every part.
#define EXPECT_ERROR_HAS(expr, ...)                                      \
  do {                                                                   \
    const std::string message_ = ::ember_test::error_of([&] { (void)(expr); }); \
    for (const char* part_ : {__VA_ARGS__})                              \
      EXPECT_TRUE(message_.find(part_) != std::string::npos)             \
          << "message \"" << message_ << "\" lacks \"" << part_ << "\""; \
  } while (0)
