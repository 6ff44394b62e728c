// Comparing a device's result with the CPU's, and the sample generator.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "case.h"

namespace ember::testkit::conformance {

SampleRng::SampleRng(const std::string& seed) : gen_(std::hash<std::string>{}(seed)) {}

namespace {
int64_t count(IntArrayRef sizes) {
  int64_t n = 1;
  for (int64_t s : sizes) n *= s;
  return n;
}
Tensor from_values(const std::vector<double>& values, IntArrayRef sizes, Dtype dtype) {
  return ember::tensor(values, ember::dtype(kFloat64)).reshape(sizes).to(dtype);
}
std::string shape_str(IntArrayRef sizes) {
  std::ostringstream s;
  s << sizes;
  return s.str();
}
// Row-major index of element `flat` of `sizes`, as "[i, j]".
std::string index_str(IntArrayRef sizes, int64_t flat) {
  std::vector<int64_t> index(sizes.size());
  for (size_t d = sizes.size(); d-- > 0;) {
    index[d] = flat % sizes[d];
    flat /= sizes[d];
  }
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < index.size(); ++i) s << (i ? ", " : "") << index[i];
  s << ']';
  return s.str();
}
}  // namespace

Tensor SampleRng::uniform(IntArrayRef sizes, Dtype dtype, double lo, double hi) {
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(size_t(count(sizes)));
  for (double& x : v) x = dist(gen_);
  return from_values(v, sizes, dtype);
}

Tensor SampleRng::integers(IntArrayRef sizes, int64_t lo, int64_t hi, Dtype dtype) {
  std::uniform_int_distribution<int64_t> dist(lo, hi - 1);
  std::vector<double> v(size_t(count(sizes)));
  for (double& x : v) x = double(dist(gen_));
  return from_values(v, sizes, dtype);
}

Tensor SampleRng::permutation(IntArrayRef sizes, Dtype dtype) {
  std::vector<double> v(size_t(count(sizes)));
  std::iota(v.begin(), v.end(), 0.0);
  std::shuffle(v.begin(), v.end(), gen_);
  return from_values(v, sizes, dtype);
}

Tolerance tolerance_for(Dtype dtype, Tolerance float32) {
  switch (dtype) {
    case kFloat32:
      return float32;
    // The CPU and a device may round transcendental functions and sums
    // differently, but float64 leaves room for only a few ulps of that.
    case kFloat64:
      return {std::max(1e-9, float32.rtol * 1e-5), std::max(1e-11, float32.atol * 1e-6)};
    case kFloat16:
      return {std::max(5e-3, float32.rtol), std::max(1e-3, float32.atol)};
    case kBFloat16:
      return {std::max(3e-2, float32.rtol), std::max(1e-2, float32.atol)};
    default:
      return {0, 0};
  }
}

void expect(bool ok, const std::string& message) {
  if (!ok) throw Mismatch(message);
}

void expect_close(const Tensor& device_value, const Tensor& cpu_value, Tolerance tol, const std::string& what) {
  expect(device_value.defined() == cpu_value.defined(),
         what + ": defined on " + (device_value.defined() ? "the device" : "the CPU") + " only");
  if (!cpu_value.defined()) return;
  expect(device_value.sizes() == cpu_value.sizes(), what + ": shape " + shape_str(device_value.sizes()) +
                                                        " on the device, " + shape_str(cpu_value.sizes()) +
                                                        " on the CPU");
  expect(device_value.dtype() == cpu_value.dtype(), what + ": dtype " + std::string(dtype_name(device_value.dtype())) +
                                                        " on the device, " +
                                                        std::string(dtype_name(cpu_value.dtype())) + " on the CPU");
  NoGradGuard no_grad;
  const std::vector<double> got = device_value.to_vector<double>();
  const std::vector<double> want = cpu_value.to_vector<double>();
  const Tolerance t = tolerance_for(cpu_value.dtype(), tol);
  for (size_t i = 0; i < want.size(); ++i) {
    const double a = got[i], b = want[i];
    if (std::isnan(a) && std::isnan(b)) continue;
    if (a == b || std::abs(a - b) <= t.atol + t.rtol * std::abs(b)) continue;
    std::ostringstream s;
    s.precision(9);
    s << what << ": element " << index_str(cpu_value.sizes(), int64_t(i)) << " of " << shape_str(cpu_value.sizes())
      << " " << dtype_name(cpu_value.dtype()) << " is " << a << " on the device, " << b << " on the CPU (rtol "
      << t.rtol << ", atol " << t.atol << ")";
    throw Mismatch(s.str());
  }
}

}  // namespace ember::testkit::conformance
