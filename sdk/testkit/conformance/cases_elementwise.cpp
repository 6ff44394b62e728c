// Elementwise cases: the unary, binary, comparison, logical and where
// primitives, each over broadcast shapes, a 0-d tensor and a zero-size one.
#include "case.h"

namespace ember::testkit::conformance {
namespace {

// In [lo, hi) on the shapes (integer dtypes truncate: small integers).
std::function<std::vector<Sample>(Dtype, SampleRng&)> unary_samples(double lo, double hi) {
  return [lo, hi](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"matrix", {r.uniform({3, 5}, d, lo, hi)}},
                               {"3-d", {r.uniform({2, 3, 4}, d, lo, hi)}},
                               {"0-d", {r.uniform({}, d, lo, hi)}},
                               {"zero-size", {r.uniform({0, 3}, d, lo, hi)}}};
  };
}

Case unary(std::string name, Tensor (*op)(const Tensor&), double lo = -2, double hi = 2,
           std::vector<Dtype> dtypes = {kFloat32, kFloat64, kFloat16, kBFloat16}) {
  Case c;
  c.name = std::move(name);
  c.group = "unary";
  c.dtypes = std::move(dtypes);
  c.samples = unary_samples(lo, hi);
  c.fn = [op](const Tensors& x) { return Tensors{op(x[0])}; };
  c.differentiable = true;
  return c;
}

// Pairs of shapes: equal, broadcast both ways, against a 0-d tensor, empty.
std::function<std::vector<Sample>(Dtype, SampleRng&)> binary_samples(double lo, double hi, double lo_b, double hi_b) {
  return [=](Dtype d, SampleRng& r) {
    return std::vector<Sample>{
        {"same shape", {r.uniform({3, 4}, d, lo, hi), r.uniform({3, 4}, d, lo_b, hi_b)}},
        {"broadcast", {r.uniform({3, 1}, d, lo, hi), r.uniform({1, 4}, d, lo_b, hi_b)}},
        {"broadcast rank", {r.uniform({2, 3, 4}, d, lo, hi), r.uniform({4}, d, lo_b, hi_b)}},
        {"with 0-d", {r.uniform({3, 4}, d, lo, hi), r.uniform({}, d, lo_b, hi_b)}},
        {"zero-size", {r.uniform({0, 4}, d, lo, hi), r.uniform({1, 4}, d, lo_b, hi_b)}}};
  };
}

Case binary(std::string name, OpFn fn, std::vector<Dtype> dtypes, double lo = -2, double hi = 2, double lo_b = -2,
            double hi_b = 2) {
  Case c;
  c.name = std::move(name);
  c.group = "binary";
  c.dtypes = std::move(dtypes);
  c.samples = binary_samples(lo, hi, lo_b, hi_b);
  c.fn = std::move(fn);
  c.differentiable = true;
  return c;
}

// Small integers, so that equal elements occur.
Case comparison(std::string name, Tensor (*op)(const Tensor&, const Tensor&)) {
  Case c;
  c.name = std::move(name);
  c.group = "comparison";
  c.dtypes = {kFloat32, kFloat64, kInt32, kInt64};
  c.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"same shape", {r.integers({3, 4}, 0, 3, d), r.integers({3, 4}, 0, 3, d)}},
                               {"broadcast", {r.integers({3, 1}, 0, 3, d), r.integers({1, 4}, 0, 3, d)}},
                               {"zero-size", {r.integers({0, 4}, 0, 3, d), r.integers({4}, 0, 3, d)}}};
  };
  c.fn = [op](const Tensors& x) { return Tensors{op(x[0], x[1])}; };
  return c;
}

Case logical(std::string name, Tensor (*op)(const Tensor&, const Tensor&)) {
  Case c;
  c.name = std::move(name);
  c.group = "logical";
  c.dtypes = {kBool, kFloat32};  // float inputs: nonzero is true
  c.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"same shape", {r.integers({3, 4}, 0, 2, d), r.integers({3, 4}, 0, 2, d)}},
                               {"broadcast", {r.integers({3, 1}, 0, 2, d), r.integers({1, 4}, 0, 2, d)}},
                               {"zero-size", {r.integers({0, 4}, 0, 2, d), r.integers({4}, 0, 2, d)}}};
  };
  c.fn = [op](const Tensors& x) { return Tensors{op(x[0], x[1])}; };
  return c;
}

}  // namespace

void add_elementwise_cases(std::vector<Case>& t) {
  const std::vector<Dtype> float_int = {kFloat32, kFloat64, kInt32, kInt64};
  auto signed_ints = [](Case c) {
    c.dtypes.push_back(kInt64);
    return c;
  };
  t.push_back(signed_ints(unary("neg", ember::neg)));
  t.push_back(signed_ints(unary("abs", ember::abs)));
  t.push_back(unary("exp", ember::exp));
  t.push_back(unary("log", ember::log, 0.1, 3));
  t.push_back(unary("sqrt", ember::sqrt, 0.1, 3));
  t.push_back(unary("rsqrt", ember::rsqrt, 0.1, 3));
  t.push_back(unary("sin", ember::sin, -4, 4));
  t.push_back(unary("cos", ember::cos, -4, 4));
  t.push_back(unary("tanh", ember::tanh));
  t.push_back(unary("sigmoid", ember::sigmoid, -5, 5));
  t.push_back(signed_ints(unary("relu", ember::relu)));
  t.push_back(signed_ints(unary("sign", ember::sign)));
  using Unary = Tensor (*)(const Tensor&);
  for (auto [name, op] : {std::pair<const char*, Unary>{"floor", ember::floor}, {"ceil", ember::ceil},
                          {"round", ember::round}, {"trunc", ember::trunc}}) {
    Case c = unary(name, op, -3, 3, {kFloat32, kFloat64, kFloat16});
    // Halves and integers exactly: round goes to even, the others must agree at the edges.
    auto random = c.samples;
    c.samples = [random](Dtype d, SampleRng& r) {
      auto s = random(d, r);
      s.push_back({"edges", {ember::tensor({-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.0, -3.0}).to(d)}});
      return s;
    };
    c.gradcheck = false;  // a step function: finite differences are 0 almost everywhere but not at the edges
    t.push_back(c);
  }
  {
    Case c = unary("clamp", ember::relu);
    c.fn = [](const Tensors& x) {
      return Tensors{x[0].clamp(-0.5, 0.75), x[0].clamp_min(0.25), x[0].clamp_max(-0.25)};
    };
    t.push_back(c);
  }
  {
    Case c = unary("logical_not", ember::logical_not, -1, 1, {kBool, kFloat32, kInt64});
    c.samples = [](Dtype d, SampleRng& r) {
      return std::vector<Sample>{{"matrix", {r.integers({3, 5}, 0, 2, d)}}, {"zero-size", {r.integers({0}, 0, 2, d)}}};
    };
    c.differentiable = false;
    t.push_back(c);
  }

  t.push_back(binary("add", [](const Tensors& x) { return Tensors{x[0] + x[1], x[0].add(x[1], 2)}; }, float_int));
  t.push_back(binary("sub", [](const Tensors& x) { return Tensors{x[0] - x[1], x[0].sub(x[1], 3)}; }, float_int));
  t.back().dtypes.push_back(kFloat16);
  t.push_back(binary("mul", [](const Tensors& x) { return Tensors{x[0] * x[1], x[0] * 2.5}; }, float_int));
  t.back().dtypes.push_back(kBFloat16);
  t.push_back(binary("div", [](const Tensors& x) { return Tensors{x[0] / x[1]}; }, kFloats, -2, 2, 0.5, 2));
  t.push_back(binary("pow", [](const Tensors& x) { return Tensors{x[0].pow(x[1]), x[0].pow(2)}; }, kFloats, 0.5, 2));
  t.push_back(binary("maximum", [](const Tensors& x) { return Tensors{ember::maximum(x[0], x[1])}; }, float_int));
  t.push_back(binary("minimum", [](const Tensors& x) { return Tensors{ember::minimum(x[0], x[1])}; }, float_int));

  t.push_back(comparison("eq", ember::eq));
  t.push_back(comparison("ne", ember::ne));
  t.push_back(comparison("lt", ember::lt));
  t.push_back(comparison("le", ember::le));
  t.push_back(comparison("gt", ember::gt));
  t.push_back(comparison("ge", ember::ge));
  t.push_back(logical("logical_and", ember::logical_and));
  t.push_back(logical("logical_or", ember::logical_or));
  t.push_back(logical("logical_xor", ember::logical_xor));

  Case w;
  w.name = "where";
  w.group = "where";
  w.dtypes = {kFloat32, kFloat64, kInt64};
  w.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{
        {"same shape", {r.integers({3, 4}, 0, 2, kBool), r.uniform({3, 4}, d, -9, 9), r.uniform({3, 4}, d, -9, 9)}},
        {"broadcast", {r.integers({3, 1}, 0, 2, kBool), r.uniform({1, 4}, d, -9, 9), r.uniform({}, d, -9, 9)}},
        {"zero-size", {r.integers({0, 4}, 0, 2, kBool), r.uniform({4}, d, -9, 9), r.uniform({0, 4}, d, -9, 9)}}};
  };
  w.fn = [](const Tensors& x) { return Tensors{ember::where(x[0], x[1], x[2])}; };
  w.differentiable = true;
  t.push_back(w);
}

}  // namespace ember::testkit::conformance
