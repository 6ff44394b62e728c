#pragma once
// The backend conformance kit: one table of op cases run on a device against
// the CPU backend (architecture.md "Conformance").
//
//   auto results = ember::testkit::run_conformance(ember::Device("opencl:0"));
//   ember::testkit::print_conformance_table(std::cout, results);
//   return ember::testkit::conformance_passed(results) ? 0 : 1;
//
// Each case runs an op (or a short program, for the end-to-end cases) on
// sample inputs, once on the CPU and once on the device, in every dtype it
// lists, on contiguous, transposed and sliced inputs, and compares: forward
// values, the gradients of a scalar function of the outputs, and gradcheck in
// float64 where the device holds float64. Random ops are checked
// statistically (shape, range, mean). `ember check-backend` is this with a
// command line around it.
#include <ember/ember.h>

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace ember::testkit {

enum class Outcome {
  Pass,         // matched the CPU, with the device's own kernels only
  FellBack,     // matched the CPU, but some ops ran on the CPU (the fallback)
  Unsupported,  // the device cannot hold the case's dtypes; nothing was compared
  Fail,         // a mismatch, or an error on the device
};
const char* outcome_name(Outcome outcome);  // "pass", "fell back", "unsupported", "fail"

struct CaseResult {
  std::string name;   // the case: "add", "max_dim", "train/mlp_sgd", "random/uniform"
  std::string group;  // "elementwise", "reduction", ..., "random", "training"
  Outcome outcome = Outcome::Pass;
  // fail: what differed first (check, variant, dtype, element, values) or
  // the error; unsupported: why; fell back: nothing (see fallback_ops).
  std::string message;
  std::vector<std::string> fallback_ops;  // the primitives that ran on the CPU for this case
  std::vector<std::string> dtypes;        // the dtypes it ran in
  double seconds = 0;
};

struct ConformanceOptions {
  // Run only the cases whose name contains one of these (all when empty).
  std::vector<std::string> filter;
  bool gradcheck = true;  // float64 finite differences on the device (when it holds float64)
  bool training = true;   // the end-to-end training steps
  bool random = true;     // the statistical checks of the random ops
  // A line per case as it finishes ("add ... pass"), for long runs; null: quiet.
  std::ostream* progress = nullptr;
};

// The names of every case in the table, in order.
std::vector<std::string> conformance_case_names();

// Runs the kit on `device` (any loaded device, the CPU included: then the
// CPU is compared with itself, a smoke test of the kit). The fallback mode is
// Warn while it runs and restored after; ember::manual_seed is reseeded.
std::vector<CaseResult> run_conformance(const Device& device, const ConformanceOptions& options = {});

// No case failed (unsupported and fell back are not failures).
bool conformance_passed(const std::vector<CaseResult>& results);

// One row per case: name, outcome, dtypes, and the message or the ops that
// fell back; then a count per outcome.
void print_conformance_table(std::ostream& out, const std::vector<CaseResult>& results);

}  // namespace ember::testkit
