// The conformance kit (sdk/testkit) on every loaded device: the CPU, compared
// with itself (a smoke test of the kit), and tests/plugins' testdev, loaded
// explicitly, which implements fill and add only and runs everything else
// through the CPU fallback: there the kit must say "fell back", not "fail".
#include <gtest/gtest.h>

#include <ember/ember.h>
#include <ember/testkit/conformance.h>

#include <algorithm>
#include <iostream>

namespace {

using ember::testkit::CaseResult;
using ember::testkit::Outcome;

const CaseResult* find(const std::vector<CaseResult>& results, const std::string& name) {
  for (const auto& r : results)
    if (r.name == name) return &r;
  return nullptr;
}

class Conformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto testdev = ember::plugins::load(EMBER_TESTDEV_PLUGIN);
    ASSERT_TRUE(testdev.loaded) << testdev.reason;
  }
};

TEST_F(Conformance, EveryCasePassesOnEveryDevice) {
  const auto devices = ember::devices();
  ASSERT_GE(devices.size(), 3u);  // cpu, testdev:0, testdev:1
  for (const ember::Device& device : devices) {
    SCOPED_TRACE(device.str());
    const auto results = ember::testkit::run_conformance(device);
    std::cout << "== " << device << "\n";
    ember::testkit::print_conformance_table(std::cout, results);
    EXPECT_EQ(results.size(), ember::testkit::conformance_case_names().size());
    for (const auto& r : results) {
      EXPECT_NE(r.outcome, Outcome::Fail) << r.name << ": " << r.message;
      EXPECT_NE(r.outcome, Outcome::Unsupported) << r.name << ": " << r.message;
      // The CPU runs its own kernels; testdev has no neg, so neg falls back.
      if (device.is_cpu()) {
        EXPECT_EQ(r.outcome, Outcome::Pass) << r.name;
      }
    }
    // OpenCL (issue #5) and Vulkan (issue #7) have every op the kit runs, in
    // every dtype it runs them in: nothing falls back.
    if (device.type() == ember::DeviceType("opencl") || device.type() == ember::DeviceType("vulkan")) {
      for (const auto& r : results) EXPECT_EQ(r.outcome, Outcome::Pass) << r.name << ": " << r.message;
    } else if (device.str().rfind("testdev", 0) == 0) {  // the stub backend has no neg: it falls back
      const CaseResult* neg = find(results, "neg");
      ASSERT_NE(neg, nullptr);
      EXPECT_EQ(neg->outcome, Outcome::FellBack);
      EXPECT_NE(std::find(neg->fallback_ops.begin(), neg->fallback_ops.end(), "neg"), neg->fallback_ops.end());
    }
  }
}

TEST_F(Conformance, TableCoversThePrimitives) {
  const auto names = ember::testkit::conformance_case_names();
  for (const char* op : {"neg", "exp", "clamp", "logical_not", "add", "pow", "eq", "logical_xor", "where", "sum",
                         "prod", "amax", "all", "max_dim", "min_dim", "bmm", "matmul", "copy", "cast", "fill",
                         "arange", "index_select", "gather", "scatter_add", "softmax", "log_softmax",
                         "im2col (F::unfold)", "col2im (F::fold)", "max_pool2d", "conv2d", "layer_norm",
                         "random/uniform", "random/randperm", "train/mlp_sgd", "train/cnn_adam"})
    EXPECT_NE(std::find(names.begin(), names.end(), op), names.end()) << op;
}

TEST_F(Conformance, FilterRunsOnlyTheNamedCasesAndRestoresStrictMode) {
  ember::set_fallback(ember::FallbackMode::Strict);
  ember::testkit::ConformanceOptions options;
  options.filter = {"relu"};
  const auto results = ember::testkit::run_conformance(ember::Device("testdev:1"), options);
  EXPECT_EQ(ember::get_fallback(), ember::FallbackMode::Strict);
  ember::set_fallback(ember::FallbackMode::Warn);
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, Outcome::FellBack) << results[0].message;
}

TEST_F(Conformance, FallbackOpsNamesWhatRanOnTheCpuSinceTheReset) {
  const auto x = ember::ones({3}).to("testdev:0");
  (void)(x + x);  // testdev's own add
  ember::reset_fallback_ops();
  (void)(x + x);
  EXPECT_TRUE(ember::fallback_ops().empty());
  (void)x.exp();
  const auto ops = ember::fallback_ops();
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].op, "exp");
  EXPECT_EQ(ops[0].device_type, "testdev");
  ember::reset_fallback_ops();
  EXPECT_TRUE(ember::fallback_ops().empty());
}

}  // namespace
