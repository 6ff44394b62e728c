#pragma once
// Shared by the op suites (elementwise, reduce, linalg, indexing): an
// expected tensor as PyTorch computed it (tests/gen/*.py emit these), and
// the assertion that compares an Ember result with it.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "test_util.h"  // error_of, EXPECT_ERROR_HAS

namespace ember_test {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
inline constexpr double kInf = std::numeric_limits<double>::infinity();

// A tensor as PyTorch printed it: dtype, shape and row-major values (every
// Ember dtype's values are exact as doubles for the sizes used here).
struct Ref {
  ember::Dtype dtype;
  std::vector<int64_t> shape;
  std::vector<double> values;
};

// Tolerances: floating values compare as |actual - expected| <= atol +
// rtol * |expected|; nan matches nan and an infinity only itself. Integer and
// bool values compare exactly.
struct Tol {
  double rtol = 1e-6;
  double atol = 1e-6;
};

inline ::testing::AssertionResult tensor_matches(const ember::Tensor& actual, const Ref& expected, Tol tol = {}) {
  if (!actual.defined()) return ::testing::AssertionFailure() << "the tensor is undefined";
  if (actual.dtype() != expected.dtype)
    return ::testing::AssertionFailure() << "dtype " << actual.dtype() << ", expected " << expected.dtype;
  if (!(actual.sizes() == expected.shape)) {
    std::ostringstream want;
    want << ember::IntArrayRef(expected.shape);
    return ::testing::AssertionFailure() << "shape " << actual.sizes() << ", expected " << want.str();
  }
  const std::vector<double> got = actual.to(ember::kFloat64).to_vector<double>();
  if (got.size() != expected.values.size())
    return ::testing::AssertionFailure() << got.size() << " values, the reference has " << expected.values.size();
  const bool exact = !ember::is_floating_point(expected.dtype);
  for (size_t i = 0; i < got.size(); ++i) {
    const double a = got[i], e = expected.values[i];
    bool ok;
    if (exact) ok = a == e;
    else if (std::isnan(e)) ok = std::isnan(a);
    else if (std::isinf(e)) ok = a == e;
    else ok = std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
    if (!ok) {
      return ::testing::AssertionFailure() << "element " << i << " (flat) is " << a << ", expected " << e
                                           << " (rtol " << tol.rtol << ", atol " << tol.atol << ")\nactual: "
                                           << actual;
    }
  }
  return ::testing::AssertionSuccess();
}

// A tensor built from a reference (inputs the generator also printed).
inline ember::Tensor from_ref(const Ref& r) {
  return ember::tensor(r.values, ember::TensorOptions().dtype(ember::kFloat64)).reshape(r.shape).to(r.dtype);
}

}  // namespace ember_test

#define EXPECT_TENSOR(actual, expected, ...) EXPECT_TRUE(::ember_test::tensor_matches((actual), (expected), ##__VA_ARGS__))
#define ASSERT_TENSOR(actual, expected, ...) ASSERT_TRUE(::ember_test::tensor_matches((actual), (expected), ##__VA_ARGS__))
