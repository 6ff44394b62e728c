// Random ops, checked by statistics on the device's own generator: shape,
// dtype, device, range, mean (and spread). Bounds are ~7 standard errors of
// 20000 draws, so a correct generator fails about never.
#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "case.h"

namespace ember::testkit::conformance {
namespace {

constexpr int64_t kDraws = 20000;

struct Stats {
  double min, max, mean, stddev;
};
Stats stats_of(const Tensor& t, const Device& device, Dtype dtype, IntArrayRef sizes, const std::string& what) {
  expect(t.device() == device.normalized(), what + ": made on " + t.device().str() + ", not " + device.str());
  expect(t.dtype() == dtype, what + ": dtype " + std::string(dtype_name(t.dtype())));
  expect(t.sizes() == sizes, what + ": wrong shape");
  const std::vector<double> v = t.to_vector<double>();
  Stats s{0, 0, 0, 0};
  if (v.empty()) return s;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  s.mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
  double sq = 0;
  for (double x : v) sq += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(sq / double(v.size()));
  return s;
}

void expect_near(double got, double want, double tol, const std::string& what) {
  std::ostringstream s;
  s << what << " is " << got << ", expected " << want << " +- " << tol;
  expect(std::abs(got - want) <= tol, s.str());
}

Case random_case(std::string name, std::vector<Dtype> dtypes, std::function<void(const Device&, Dtype)> program) {
  Case c;
  c.name = "random/" + name;
  c.group = "random";
  c.dtypes = std::move(dtypes);
  c.program = std::move(program);
  return c;
}

}  // namespace

void add_random_cases(std::vector<Case>& t) {
  t.push_back(random_case("uniform", {kFloat32, kFloat64}, [](const Device& dev, Dtype d) {
    const TensorOptions o = ember::device(dev).dtype(d);
    Stats s = stats_of(ember::rand({kDraws}, o), dev, d, {kDraws}, "rand");
    expect(s.min >= 0 && s.max < 1, "rand: a value outside [0, 1)");
    expect_near(s.mean, 0.5, 0.015, "rand: the mean");
    expect_near(s.stddev, std::sqrt(1.0 / 12), 0.015, "rand: the standard deviation");
    s = stats_of(ember::empty({100, kDraws / 100}, o).uniform_(-2, 3), dev, d, {100, kDraws / 100}, "uniform_");
    expect(s.min >= -2 && s.max < 3, "uniform_(-2, 3): a value outside [-2, 3)");
    expect_near(s.mean, 0.5, 0.075, "uniform_(-2, 3): the mean");
    stats_of(ember::rand({0, 3}, o), dev, d, {0, 3}, "rand of zero size");
  }));
  t.push_back(random_case("normal", {kFloat32, kFloat64}, [](const Device& dev, Dtype d) {
    const TensorOptions o = ember::device(dev).dtype(d);
    Stats s = stats_of(ember::randn({kDraws}, o), dev, d, {kDraws}, "randn");
    expect_near(s.mean, 0, 0.05, "randn: the mean");
    expect_near(s.stddev, 1, 0.05, "randn: the standard deviation");
    s = stats_of(ember::empty({kDraws}, o).normal_(2, 3), dev, d, {kDraws}, "normal_(2, 3)");
    expect_near(s.mean, 2, 0.15, "normal_(2, 3): the mean");
    expect_near(s.stddev, 3, 0.15, "normal_(2, 3): the standard deviation");
  }));
  t.push_back(random_case("randint", {kInt64, kInt32, kFloat32}, [](const Device& dev, Dtype d) {
    const TensorOptions o = ember::device(dev).dtype(d);
    const Tensor x = ember::randint(-3, 7, {kDraws}, o);
    const Stats s = stats_of(x, dev, d, {kDraws}, "randint(-3, 7)");
    expect(s.min == -3 && s.max == 6, "randint(-3, 7): the values do not span [-3, 6]");
    for (double v : x.to_vector<double>()) expect(v == std::round(v), "randint: a value is not an integer");
    expect_near(s.mean, 1.5, 0.15, "randint(-3, 7): the mean");
  }));
  t.push_back(random_case("bernoulli", {kFloat32, kFloat64}, [](const Device& dev, Dtype d) {
    const TensorOptions o = ember::device(dev).dtype(d);
    const Tensor x = ember::bernoulli(ember::empty({kDraws}, o), 0.3);
    const Stats s = stats_of(x, dev, d, {kDraws}, "bernoulli(p = 0.3)");
    expect(x.eq(0).logical_or(x.eq(1)).all().item<bool>(), "bernoulli: a value other than 0 and 1");
    expect_near(s.mean, 0.3, 0.025, "bernoulli(p = 0.3): the mean");
    // Probabilities 0 and 1 leave nothing to chance; 0.5 half the time.
    const Tensor p = ember::tensor({0.0, 1.0, 1.0, 0.0}).to(o).repeat({kDraws / 4});
    expect(ember::bernoulli(p).equal(p), "bernoulli(probabilities of 0 and 1) differs from them");
    const Stats h = stats_of(ember::bernoulli(ember::full({kDraws}, 0.5, o)), dev, d, {kDraws}, "bernoulli(0.5)");
    expect_near(h.mean, 0.5, 0.025, "bernoulli(probabilities 0.5): the mean");
  }));
  t.push_back(random_case("randperm", {kInt64}, [](const Device& dev, Dtype d) {
    const Tensor p = ember::randperm(1000, ember::device(dev).dtype(d));
    stats_of(p, dev, d, {1000}, "randperm(1000)");
    std::vector<int64_t> v = p.to_vector<int64_t>();
    const bool shuffled = !std::is_sorted(v.begin(), v.end());
    std::sort(v.begin(), v.end());
    std::vector<int64_t> want(1000);
    std::iota(want.begin(), want.end(), 0);
    expect(v == want, "randperm(1000) is not a permutation of 0..999");
    expect(shuffled, "randperm(1000) came out sorted");
  }));
  t.push_back(random_case("manual_seed", {kFloat32}, [](const Device& dev, Dtype d) {
    const TensorOptions o = ember::device(dev).dtype(d);
    ember::manual_seed(1234);
    const Tensor a = ember::rand({64}, o), b = ember::randn({64}, o);
    ember::manual_seed(1234);
    const Tensor a2 = ember::rand({64}, o), b2 = ember::randn({64}, o);
    expect(a.equal(a2) && b.equal(b2), "the same seed gave different numbers");
    expect(!ember::rand({64}, o).equal(a), "two draws after one seed were equal");
  }));
}

}  // namespace ember::testkit::conformance
