// Reduction and matrix-product cases: sum, prod, amax/amin, all/any,
// max/min along a dim (values and indices), bmm and matmul's broadcasting.
#include "case.h"

namespace ember::testkit::conformance {
namespace {

Case reduction(std::string name, OpFn fn, std::vector<Dtype> dtypes, bool zero_size, double lo = -2, double hi = 2) {
  Case c;
  c.name = std::move(name);
  c.group = "reduction";
  c.dtypes = std::move(dtypes);
  c.samples = [zero_size, lo, hi](Dtype d, SampleRng& r) {
    std::vector<Sample> s = {{"3-d", {r.uniform({3, 4, 5}, d, lo, hi)}}, {"ones", {r.uniform({1, 1, 1}, d, lo, hi)}},
                             {"long rows", {r.uniform({2, 67, 3}, d, lo, hi)}}};
    if (zero_size) s.push_back({"zero-size", {r.uniform({2, 0, 3}, d, lo, hi)}});
    return s;
  };
  c.fn = std::move(fn);
  c.differentiable = true;
  return c;
}

// Distinct values, so that the index of the maximum is unique.
Case arg_reduction(std::string name, OpFn fn) {
  Case c = reduction(std::move(name), std::move(fn), {kFloat32, kFloat64, kInt64}, false);
  c.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"3-d", {r.permutation({3, 4, 5}, d)}}, {"long rows", {r.permutation({2, 67, 3}, d)}},
                               {"ones", {r.permutation({1, 1, 1}, d)}}};
  };
  return c;
}

}  // namespace

void add_reduction_cases(std::vector<Case>& t) {
  t.push_back(reduction(
      "sum", [](const Tensors& x) { return Tensors{x[0].sum(), x[0].sum({1}), x[0].sum({0, 2}, true)}; },
      {kFloat32, kFloat64, kInt32, kInt64, kBool, kFloat16}, true));
  t.push_back(reduction(
      "prod", [](const Tensors& x) { return Tensors{x[0].prod(), x[0].prod(1), x[0].prod(2, true)}; }, kFloats, true,
      0.8, 1.2));
  t.back().samples = [base = t.back().samples](Dtype d, SampleRng& r) {
    auto s = base(d, r);
    s.push_back({"with a zero", {ember::tensor({{1.5, 0.0, 2.0}, {0.5, 3.0, -1.0}}).to(d).unsqueeze(0)}});
    return s;
  };
  t.push_back(reduction(
      "amax", [](const Tensors& x) { return Tensors{x[0].amax(), x[0].amax({1}), x[0].amax({0, 2}, true)}; },
      {kFloat32, kFloat64, kInt64}, false));
  t.push_back(reduction(
      "amin", [](const Tensors& x) { return Tensors{x[0].amin(), x[0].amin({1}), x[0].amin({0, 2}, true)}; },
      {kFloat32, kFloat64, kInt64}, false));
  for (auto [name, all] : {std::pair{"all", true}, std::pair{"any", false}}) {
    Case c = reduction(
        name,
        [all](const Tensors& x) {
          return all ? Tensors{x[0].all(), x[0].all(1), x[0].all(2, true)}
                     : Tensors{x[0].any(), x[0].any(1), x[0].any(2, true)};
        },
        {kBool, kFloat32, kUInt8}, true);
    c.samples = [all](Dtype d, SampleRng& r) {
      // Mostly true for all, mostly false for any, so both answers occur.
      auto mostly = [&](IntArrayRef sizes) {
        const Tensor x = r.integers(sizes, 0, 8, kInt64);
        return (all ? x.ne(0) : x.eq(0)).to(d);
      };
      return std::vector<Sample>{{"3-d", {mostly({3, 4, 5})}},
                                 {"long rows", {mostly({2, 67, 3})}},
                                 {"zero-size", {mostly({2, 0, 3})}}};
    };
    c.differentiable = false;
    t.push_back(c);
  }
  t.push_back(arg_reduction("max_dim", [](const Tensors& x) {
    auto [v, i] = x[0].max(1);
    auto [vk, ik] = x[0].max(-1, true);
    return Tensors{v, i, vk, ik, x[0].argmax()};
  }));
  t.push_back(arg_reduction("min_dim", [](const Tensors& x) {
    auto [v, i] = x[0].min(1);
    auto [vk, ik] = x[0].min(0, true);
    return Tensors{v, i, vk, ik, x[0].argmin()};
  }));

  Case bmm;
  bmm.name = "bmm";
  bmm.group = "linalg";
  bmm.dtypes = kFloats;
  bmm.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"batch", {r.uniform({2, 3, 4}, d), r.uniform({2, 4, 5}, d)}},
                               {"long inner", {r.uniform({1, 2, 70}, d), r.uniform({1, 70, 3}, d)}},
                               {"zero inner", {r.uniform({2, 3, 0}, d), r.uniform({2, 0, 5}, d)}},
                               {"zero rows", {r.uniform({2, 0, 4}, d), r.uniform({2, 4, 5}, d)}}};
  };
  bmm.fn = [](const Tensors& x) { return Tensors{x[0].bmm(x[1])}; };
  bmm.differentiable = true;
  t.push_back(bmm);

  Case mm = bmm;
  mm.name = "matmul";
  mm.samples = [](Dtype d, SampleRng& r) {
    return std::vector<Sample>{{"matrix", {r.uniform({3, 4}, d), r.uniform({4, 5}, d)}},
                               {"batch x matrix", {r.uniform({2, 3, 4}, d), r.uniform({4, 2}, d)}},
                               {"broadcast batch", {r.uniform({2, 1, 3, 4}, d), r.uniform({3, 4, 2}, d)}},
                               {"vector x matrix", {r.uniform({4}, d), r.uniform({4, 3}, d)}},
                               {"matrix x vector", {r.uniform({3, 4}, d), r.uniform({4}, d)}},
                               {"zero-size", {r.uniform({0, 4}, d), r.uniform({4, 3}, d)}}};
  };
  mm.fn = [](const Tensors& x) { return Tensors{x[0].matmul(x[1])}; };
  t.push_back(mm);
}

}  // namespace ember::testkit::conformance
