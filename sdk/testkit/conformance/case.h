#pragma once
// The shape of a conformance case (private to the kit). The table is spread
// over cases_*.cpp by kind of op; runner.cpp runs it, report.cpp prints it.
#include <ember/ember.h>

#include <cstdint>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace ember::testkit::conformance {

using Tensors = std::vector<Tensor>;
// An op under test: inputs to outputs, the same code on the CPU and on the
// device (the device is the inputs').
using OpFn = std::function<Tensors(const Tensors&)>;

// |device - cpu| <= atol + rtol * |cpu|, for float32; other dtypes use
// fixed tolerances of their own (tolerance_for in compare.cpp).
struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-5;
};

// Deterministic sample values: each case draws from its own generator,
// seeded by its name, so a case's inputs never depend on what ran before.
class SampleRng {
 public:
  explicit SampleRng(const std::string& seed);
  // Values uniform in [lo, hi), made on the CPU and cast to `dtype`.
  Tensor uniform(IntArrayRef sizes, Dtype dtype, double lo = -1, double hi = 1);
  // Integers uniform in [lo, hi) (bool: 0 or 1).
  Tensor integers(IntArrayRef sizes, int64_t lo, int64_t hi, Dtype dtype = kInt64);
  // A random permutation of 0..n-1 cast to `dtype` (distinct values: no ties).
  Tensor permutation(IntArrayRef sizes, Dtype dtype);

 private:
  std::mt19937_64 gen_;
};

// One set of inputs for an op, on the CPU.
struct Sample {
  std::string label;  // "same shape", "broadcast", "zero-size", ...
  Tensors inputs;
};

struct Case {
  std::string name;
  std::string group;
  std::vector<Dtype> dtypes;
  Tolerance tol;

  // An op case: samples per dtype, compared forward (and backward when
  // differentiable) against the CPU on contiguous, transposed and sliced
  // copies of the inputs, plus gradcheck in float64 on the device.
  std::function<std::vector<Sample>(Dtype, SampleRng&)> samples;
  OpFn fn;
  bool differentiable = false;
  bool gradcheck = true;  // off where finite differences cross a kink (ties, rounding)

  // A program case (random ops, training): runs on the device, compares or
  // checks statistics itself and throws Mismatch. `samples` and `fn` unused.
  std::function<void(const Device&, Dtype)> program;
};

// What a check found wrong; the runner makes it the case's message.
struct Mismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Throws Mismatch unless `device_value` (anywhere) matches `cpu_value`: same
// shape and dtype, values within `tol` (exact for integers and bool, NaN
// equal to NaN). `what` names the check in the message.
void expect_close(const Tensor& device_value, const Tensor& cpu_value, Tolerance tol, const std::string& what);
Tolerance tolerance_for(Dtype dtype, Tolerance float32);
// Throws Mismatch with `message` unless `ok`.
void expect(bool ok, const std::string& message);

// The parts of the table.
void add_elementwise_cases(std::vector<Case>& table);
void add_reduction_cases(std::vector<Case>& table);
void add_data_cases(std::vector<Case>& table);
void add_nn_cases(std::vector<Case>& table);
void add_random_cases(std::vector<Case>& table);
void add_training_cases(std::vector<Case>& table);

const std::vector<Case>& case_table();

inline const std::vector<Dtype> kFloats = {kFloat32, kFloat64};
inline const std::vector<Dtype> kAllDtypes = {kFloat32, kFloat64, kInt32, kInt64, kBool, kUInt8, kFloat16, kBFloat16};

}  // namespace ember::testkit::conformance
