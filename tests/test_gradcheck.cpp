// Every differentiable op against finite differences and PyTorch: one table
// of cases (gradcheck_cases.h; the elementwise ops and reductions here, the
// rest in gradcheck_shape_cases.cpp). For each case:
//   (a) ember::testkit::gradcheck passes, and gradgradcheck too unless the
//       case says why not;
//   (b) the gradients for the generated inputs and output gradients equal
//       PyTorch 1.13's (tests/gen/autograd_expected.py -> gradcheck_expected.h),
//       rtol 1e-6;
//   (c) output 0's grad_fn()->name() is PyTorch's, or, where Ember records a
//       different node for a composite, Ember's with PyTorch's beside it.
// A coverage test checks that every op of EMBER_AUTOGRAD_OPS is the recorded
// node of some case; the test kit's own behaviour is checked at the end.
#include <gtest/gtest.h>

#include <ember/ember.h>
#include <ember/testkit/gradcheck.h>

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "autograd/formulas.h"  // EMBER_AUTOGRAD_OPS, for the coverage test
#include "gradcheck_cases.h"
#include "gradcheck_expected.h"

namespace gradcheck_cases {

using namespace ember;

std::vector<Case> elementwise_and_reduction_cases() {
  const double inf = std::numeric_limits<double>::infinity();
  return {
      // ---- elementwise ----
      op("add", {any_(3, 4), any_(3, 4)}, [](V x) { return x[0] + x[1]; }, "AddBackward0"),
      op("add_alpha", {any_(3, 4), any_(3, 4)}, [](V x) { return x[0].add(x[1], 2.5); }, "AddBackward0"),
      op("add_broadcast", {any_(3, 1), any_(1, 4)}, [](V x) { return x[0] + x[1]; }, "AddBackward0"),
      op("add_scalar", {any_(3, 4)}, [](V x) { return x[0] + 1.5; }, "AddBackward0"),
      op("add_0d", {any_(), any_(3)}, [](V x) { return x[0] + x[1]; }, "AddBackward0"),
      op("sub", {any_(3, 4), any_(3, 4)}, [](V x) { return x[0] - x[1]; }, "SubBackward0"),
      op("sub_alpha", {any_(3, 4), any_(1, 4)}, [](V x) { return x[0].sub(x[1], 0.5); }, "SubBackward0"),
      op("sub_scalar", {any_(3, 4)}, [](V x) { return x[0] - 1.5; }, "SubBackward0"),
      op("rsub", {any_(3, 4)}, [](V x) { return 2.0 - x[0]; }, "RsubBackward1"),
      op("mul", {any_(3, 4), any_(3, 4)}, [](V x) { return x[0] * x[1]; }, "MulBackward0"),
      op("mul_broadcast", {any_(2, 3, 1), any_(3, 4)}, [](V x) { return x[0] * x[1]; }, "MulBackward0"),
      op("mul_scalar", {any_(3, 4)}, [](V x) { return x[0] * 2.5; }, "MulBackward0"),
      op("scalar_mul", {any_(3, 4)}, [](V x) { return 2.5 * x[0]; }, "MulBackward0"),
      op("mul_self", {any_(3, 4)}, [](V x) { return x[0] * x[0]; }, "MulBackward0"),
      // Ember's square is mul(self, self); PyTorch's is pow(2).
      op("square", {any_(3, 4)}, [](V x) { return x[0].square(); }, "MulBackward0").differs("PowBackward0"),
      op("div", {any_(3, 4), pos(3, 4)}, [](V x) { return x[0] / x[1]; }, "DivBackward0"),
      op("div_broadcast", {any_(3, 4), pos(3, 1)}, [](V x) { return x[0] / x[1]; }, "DivBackward0"),
      op("div_scalar", {any_(3, 4)}, [](V x) { return x[0] / 4.0; }, "DivBackward0"),
      // 2 / x: Ember divides; Python computes reciprocal(x) * 2.
      op("scalar_div", {pos(3, 4)}, [](V x) { return 2.0 / x[0]; }, "DivBackward0").differs("MulBackward0"),
      op("pow_scalar", {pos(3, 4)}, [](V x) { return x[0].pow(2.5); }, "PowBackward0"),
      op("pow_int", {any_(3, 4)}, [](V x) { return x[0].pow(3); }, "PowBackward0"),
      op("pow_zero", {any_(3, 4)}, [](V x) { return x[0].pow(0); }, "PowBackward0"),
      op("pow_tensor", {pos(3, 4), any_(3, 4)}, [](V x) { return x[0].pow(x[1]); }, "PowBackward1"),
      // pow(scalar, tensor): Ember raises a 0-d base tensor to the exponent.
      op("pow_scalar_base", {any_(3, 4)}, [](V x) { return ember::pow(2.0, x[0]); }, "PowBackward1")
          .differs("PowBackward2"),
      op("neg", {any_(3, 4)}, [](V x) { return -x[0]; }, "NegBackward0"),
      op("abs", {any_(3, 4)}, [](V x) { return x[0].abs(); }, "AbsBackward0"),
      op("exp", {any_(3, 4)}, [](V x) { return x[0].exp(); }, "ExpBackward0"),
      op("log", {pos(3, 4)}, [](V x) { return x[0].log(); }, "LogBackward0"),
      op("sqrt", {pos(3, 4)}, [](V x) { return x[0].sqrt(); }, "SqrtBackward0"),
      op("rsqrt", {pos(3, 4)}, [](V x) { return x[0].rsqrt(); }, "RsqrtBackward0"),
      op("sin", {any_(3, 4)}, [](V x) { return x[0].sin(); }, "SinBackward0"),
      op("cos", {any_(3, 4)}, [](V x) { return x[0].cos(); }, "CosBackward0"),
      op("tanh", {any_(3, 4)}, [](V x) { return x[0].tanh(); }, "TanhBackward0"),
      op("sigmoid", {any_(3, 4)}, [](V x) { return x[0].sigmoid(); }, "SigmoidBackward0"),
      op("relu", {any_(3, 4)}, [](V x) { return x[0].relu(); }, "ReluBackward0"),
      op("reciprocal", {pos(3, 4)}, [](V x) { return x[0].reciprocal(); }, "ReciprocalBackward0"),
      op("clamp_min", {any_(3, 4)}, [](V x) { return x[0].clamp(-0.5); }, "ClampBackward1"),
      op("clamp_max", {any_(3, 4)}, [](V x) { return x[0].clamp(std::nullopt, 0.8); }, "ClampBackward1"),
      op("clamp", {any_(3, 4)}, [](V x) { return x[0].clamp(-0.5, 0.8); }, "ClampBackward1"),
      op("maximum", {any_(3, 4), any_(3, 4)}, [](V x) { return maximum(x[0], x[1]); }, "MaximumBackward0"),
      op("minimum", {any_(3, 4), any_(1, 4)}, [](V x) { return minimum(x[0], x[1]); }, "MinimumBackward0"),
      // Ties share the gradient in halves, which central differences agree with.
      op("maximum_ties", {lst({2, 3}, {1, -0.5, 2, 0.25, 3, -1}), lst({2, 3}, {1, 0.5, 2, -0.25, 1.5, -1})},
         [](V x) { return maximum(x[0], x[1]); }, "MaximumBackward0")
          .first_order_only("at a tie the first derivative jumps"),
      op("minimum_ties", {lst({2, 3}, {1, -0.5, 2, 0.25, 3, -1}), lst({2, 3}, {1, 0.5, 2, -0.25, 1.5, -1})},
         [](V x) { return minimum(x[0], x[1]); }, "MinimumBackward0")
          .first_order_only("at a tie the first derivative jumps"),
      op("where", {any_(3, 4), any_(3, 4)}, [](V x) { return where(x[0] > 0, x[0], x[1]); }, "WhereBackward0"),
      op("where_broadcast", {any_(3, 1), any_(1, 4)}, [](V x) { return where(x[1] > 0, x[0], x[1]); },
         "WhereBackward0"),
      op("sign", {any_(3, 4)}, [](V x) { return x[0].sign(); }, "SignBackward0"),
      op("floor", {any_(3, 4)}, [](V x) { return x[0].floor(); }, "FloorBackward0"),
      op("ceil", {any_(3, 4)}, [](V x) { return x[0].ceil(); }, "CeilBackward0"),
      op("round", {any_(3, 4)}, [](V x) { return x[0].round(); }, "RoundBackward0"),
      op("trunc", {any_(3, 4)}, [](V x) { return x[0].trunc(); }, "TruncBackward0"),
      op("masked_fill", {any_(3, 4)}, [](V x) { return x[0].masked_fill(x[0] > 0.5, 0.25); }, "MaskedFillBackward0"),
      op("masked_fill_broadcast", {any_(3, 4)},
         [](V x) { return x[0].masked_fill(ember::tensor({true, false, false, true}), -1.0); },
         "MaskedFillBackward0"),

      // ---- reductions ----
      op("sum", {any_(3, 4)}, [](V x) { return x[0].sum(); }, "SumBackward0"),
      op("sum_dim", {any_(3, 4)}, [](V x) { return x[0].sum({1}); }, "SumBackward1"),
      op("sum_dims_keepdim", {any_(2, 3, 4)}, [](V x) { return x[0].sum({0, 2}, true); }, "SumBackward1"),
      op("sum_negative_dim", {any_(2, 3, 4)}, [](V x) { return x[0].sum({-1}); }, "SumBackward1"),
      op("mean", {any_(3, 4)}, [](V x) { return x[0].mean(); }, "MeanBackward0"),
      op("mean_dim", {any_(3, 4)}, [](V x) { return x[0].mean({0}); }, "MeanBackward1"),
      op("mean_dims_keepdim", {any_(2, 3, 4)}, [](V x) { return x[0].mean({1, 2}, true); }, "MeanBackward1"),
      op("prod", {any_(3, 4)}, [](V x) { return x[0].prod(); }, "ProdBackward0"),
      op("prod_dim", {any_(3, 4)}, [](V x) { return x[0].prod(1); }, "ProdBackward1"),
      op("prod_dim_keepdim", {any_(2, 3, 4)}, [](V x) { return x[0].prod(0, true); }, "ProdBackward1"),
      op("prod_one_zero", {lst({2, 3}, {0.5, -1.5, 0, 2, 1.25, -0.75})}, [](V x) { return x[0].prod(); },
         "ProdBackward0"),
      op("prod_two_zeros", {lst({2, 3}, {0.5, 0, 1.5, 0, 2, -1})}, [](V x) { return x[0].prod(); }, "ProdBackward0"),
      op("prod_dim_zeros", {lst({3, 3}, {0, 1.5, -2, 0.5, 0, 0, 1.25, -0.5, 2})}, [](V x) { return x[0].prod(1); },
         "ProdBackward1"),
      op("max", {any_(3, 4)}, [](V x) { return x[0].max(); }, "MaxBackward1"),
      op("min", {any_(3, 4)}, [](V x) { return x[0].min(); }, "MinBackward1"),
      op("max_ties", {lst({2, 3}, {0.5, 2, -1, 2, 0.25, -1.5})}, [](V x) { return x[0].max(); }, "MaxBackward1")
          .first_order_only("at a tie the first derivative jumps"),
      op("max_dim", {any_(3, 4)},
         [](V x) {
           auto [values, indices] = x[0].max(1);
           return Outs{values, indices};
         },
         "MaxBackward0"),
      op("min_dim_keepdim", {any_(3, 4)},
         [](V x) {
           auto [values, indices] = x[0].min(0, true);
           return Outs{values, indices};
         },
         "MinBackward0"),
      op("amax", {any_(3, 4)}, [](V x) { return x[0].amax({1}); }, "AmaxBackward0"),
      op("amax_all", {any_(3, 4)}, [](V x) { return x[0].amax(); }, "AmaxBackward0"),
      op("amin_keepdim", {any_(3, 4)}, [](V x) { return x[0].amin({0}, true); }, "AminBackward0"),
      op("amax_ties", {lst({2, 3}, {1, 1, -1, 0.5, 2, 2})}, [](V x) { return x[0].amax({1}); }, "AmaxBackward0")
          .first_order_only("at a tie the first derivative jumps"),
      op("var", {any_(3, 4)}, [](V x) { return x[0].var(); }, "VarBackward0"),
      op("var_dim_biased", {any_(3, 4)}, [](V x) { return x[0].var({1}, false); }, "VarBackward0"),
      op("var_dims_keepdim", {any_(2, 3, 4)}, [](V x) { return x[0].var({0, 2}, true, true); }, "VarBackward0"),
      op("std", {any_(3, 4)}, [](V x) { return x[0].std(); }, "StdBackward0"),
      op("std_dim_keepdim", {any_(3, 4)}, [](V x) { return x[0].std({0}, true, true); }, "StdBackward0"),
      op("std_biased", {any_(3, 4)}, [](V x) { return x[0].std(false); }, "StdBackward0"),
      op("norm", {any_(3, 4)}, [](V x) { return x[0].norm(); }, "NormBackward1"),
      op("norm_p1", {any_(3, 4)}, [](V x) { return x[0].norm(1); }, "NormBackward1"),
      op("norm_p3", {any_(3, 4)}, [](V x) { return x[0].norm(3); }, "NormBackward1"),
      op("norm_inf", {any_(3, 4)}, [inf](V x) { return x[0].norm(inf); }, "NormBackward1"),
      op("norm_dim", {any_(3, 4)}, [](V x) { return x[0].norm(2, {1}); }, "NormBackward1"),
      op("norm_p3_dim_keepdim", {any_(3, 4)}, [](V x) { return x[0].norm(3, {0}, true); }, "NormBackward1"),
      op("softmax", {any_(3, 4)}, [](V x) { return x[0].softmax(1); }, "SoftmaxBackward0"),
      op("softmax_dim0", {any_(3, 4)}, [](V x) { return x[0].softmax(0); }, "SoftmaxBackward0"),
      op("log_softmax", {any_(3, 4)}, [](V x) { return x[0].log_softmax(1); }, "LogSoftmaxBackward0"),
      op("logsumexp", {any_(3, 4)}, [](V x) { return x[0].logsumexp({1}); }, "LogsumexpBackward0"),
      op("logsumexp_keepdim", {any_(2, 3, 4)}, [](V x) { return x[0].logsumexp({0, 1}, true); },
         "LogsumexpBackward0"),
  };
}

namespace {

const std::vector<Case>& all_cases() {
  static const std::vector<Case> cases = [] {
    std::vector<Case> all = elementwise_and_reduction_cases();
    for (Case& c : shape_and_indexing_cases()) all.push_back(std::move(c));
    return all;
  }();
  return cases;
}

const Expected* expected_for(const std::string& name) {
  for (const Expected& e : kExpected)
    if (name == e.name) return &e;
  return nullptr;
}

double checksum(const Tensor& t) {
  double s = 0;
  const std::vector<double> v = t.to_vector<double>();
  for (size_t k = 0; k < v.size(); ++k) s += v[k] * double(k + 1);
  return s;
}

class Gradcheck : public ::testing::TestWithParam<Case> {};

TEST_P(Gradcheck, MatchesFiniteDifferencesAndPyTorch) {
  const Case& c = GetParam();
  const Expected* e = expected_for(c.name);
  ASSERT_NE(e, nullptr) << "no PyTorch values for '" << c.name
                        << "': add the case to tests/gen/autograd_expected.py and rerun it with --write";
  const std::vector<Tensor> inputs = make_inputs(c);
  ASSERT_EQ(e->inputs.size(), inputs.size()) << "the generator's case has another number of inputs";
  for (size_t i = 0; i < inputs.size(); ++i) {
    ASSERT_EQ(inputs[i].sizes(), e->inputs[i].shape) << "input " << i;
    ASSERT_DOUBLE_EQ(checksum(inputs[i]), e->inputs[i].checksum)
        << "input " << i << " differs from the generator's (generated_value out of step?)";
  }

  // (c) the recorded node.
  const std::vector<Tensor> outs = c.fn(inputs);
  ASSERT_FALSE(outs.empty());
  ASSERT_TRUE(outs[0].grad_fn()) << "output 0 has no grad_fn";
  EXPECT_EQ(outs[0].grad_fn()->name(), c.node);
  EXPECT_EQ(std::string(e->torch_node), c.torch_node.empty() ? c.node : c.torch_node)
      << "PyTorch's node for '" << c.name << "'" << (c.torch_node.empty() ? " (Ember's should be the same)" : "");

  // (b) the gradients, for the generator's output gradients, against PyTorch's.
  std::vector<Tensor> diff, grad_outputs;
  for (const Tensor& o : outs) {
    if (!o.is_floating_point() || !o.requires_grad()) continue;
    grad_outputs.push_back(generated(o.sizes(), Gen::kAny, 101 + int64_t(diff.size())).to(o.dtype()));
    diff.push_back(o);
  }
  const std::vector<Tensor> grads = autograd::grad(diff, inputs, grad_outputs, {}, false, true);
  ASSERT_EQ(grads.size(), e->grads.size());
  for (size_t i = 0; i < grads.size(); ++i) {
    if (!e->grads[i]) {
      EXPECT_FALSE(grads[i].defined()) << "input " << i << " is unused in PyTorch, but Ember gives " << grads[i];
      continue;
    }
    ASSERT_TRUE(grads[i].defined()) << "input " << i << " got no gradient";
    EXPECT_TRUE(ember_test::tensor_matches(grads[i], *e->grads[i], {1e-6, 1e-12})) << "the gradient of input " << i;
  }

  // (a) finite differences, first and second order.
  const testkit::GradcheckResult first = testkit::gradcheck(c.fn, inputs, c.eps, c.atol, c.rtol);
  EXPECT_TRUE(first) << first.message;
  if (c.gradgrad) {
    const testkit::GradcheckResult second = testkit::gradgradcheck(c.fn, inputs, {}, c.eps, c.atol, c.rtol);
    EXPECT_TRUE(second) << second.message;
  } else {
    EXPECT_FALSE(c.why_first_order_only.empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Ops, Gradcheck, ::testing::ValuesIn(all_cases()),
                         [](const ::testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(GradcheckTable, CoversEveryAutogradOp) {
  std::set<std::string> recorded;
  for (const Case& c : all_cases()) recorded.insert(c.node);
  const char* ops[] = {
#define EMBER_GRADCHECK_NAME(name, node_name) node_name,
      EMBER_AUTOGRAD_OPS(EMBER_GRADCHECK_NAME)
#undef EMBER_GRADCHECK_NAME
  };
  for (const char* name : ops) EXPECT_TRUE(recorded.count(name)) << name << " is the node of no case in the table";
}

TEST(GradcheckTable, IsTheGeneratorsTable) {
  std::set<std::string> names;
  for (const Case& c : all_cases()) {
    EXPECT_TRUE(names.insert(c.name).second) << "two cases are named " << c.name;
    EXPECT_NE(expected_for(c.name), nullptr) << c.name << " is not in tests/gen/autograd_expected.py";
  }
  for (const Expected& e : kExpected) EXPECT_TRUE(names.count(e.name)) << e.name << " has no C++ case";
}

// ---- the test kit itself ----

struct WrongCube : autograd::Function<WrongCube> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x * x * x;
  }
  static autograd::variable_list backward(autograd::AutogradContext* ctx, autograd::variable_list g) {
    const Tensor x = ctx->get_saved_variables()[0];
    return {g[0] * 2 * x * x};  // should be 3 x^2
  }
};

// Right first derivative, but computed from a detached input, so its own
// derivative is lost.
struct DetachedSquare : autograd::Function<DetachedSquare> {
  static Tensor forward(autograd::AutogradContext* ctx, const Tensor& x) {
    ctx->save_for_backward({x});
    return x * x;
  }
  static autograd::variable_list backward(autograd::AutogradContext* ctx, autograd::variable_list g) {
    return {g[0] * 2 * ctx->get_saved_variables()[0].detach()};
  }
};

Tensor leaf(std::vector<double> v) {
  return ember::tensor(v, TensorOptions().dtype(kFloat64)).requires_grad_();
}

TEST(Testkit, GradcheckPassesACorrectGradient) {
  const Tensor a = leaf({0.5, -1.25, 2}), b = leaf({1.5, 0.75, -0.5}), unused = leaf({1});
  auto fn = [](V x) { return Outs{x[0] * x[1].exp(), x[0].sum()}; };
  const testkit::GradcheckResult r = testkit::gradcheck(fn, {a, b, unused});
  EXPECT_TRUE(r) << r.message;
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.message.empty());
  const testkit::GradcheckResult r2 = testkit::gradgradcheck(fn, {a, b, unused});
  EXPECT_TRUE(r2) << r2.message;
  // The inputs are left as they were.
  EXPECT_EQ(a.to_vector<double>(), (std::vector<double>{0.5, -1.25, 2}));
  EXPECT_FALSE(a.grad().defined());
}

TEST(Testkit, GradcheckNamesTheMismatch) {
  const Tensor x = leaf({0.5, -1.5, 2});
  const testkit::GradcheckResult r = testkit::gradcheck([](V v) { return WrongCube::apply(v[0]); }, {x});
  ASSERT_FALSE(r);
  for (const char* part : {"Jacobian mismatch", "output 0", "input 0", "d output[0] / d input[0]",
                           "numerical 0.75", "analytical 0.5", "3 of 9 entries differ"})
    EXPECT_NE(r.message.find(part), std::string::npos) << r.message << "\n lacks: " << part;
  std::ostringstream printed;
  printed << r;
  EXPECT_EQ(printed.str(), r.message);
}

TEST(Testkit, GradgradcheckCatchesALostSecondDerivative) {
  const Tensor x = leaf({0.5, -1.5, 2});
  auto fn = [](V v) { return DetachedSquare::apply(v[0]); };
  const testkit::GradcheckResult first = testkit::gradcheck(fn, {x});
  EXPECT_TRUE(first) << first.message;
  const testkit::GradcheckResult second = testkit::gradgradcheck(fn, {x});
  ASSERT_FALSE(second);
  EXPECT_NE(second.message.find("gradgradcheck"), std::string::npos) << second.message;
  EXPECT_NE(second.message.find("with respect to input 0"), std::string::npos) << second.message;
}

TEST(Testkit, GradcheckRejectsUnusableInputs) {
  const Tensor f32 = ember::tensor({1.0, 2.0}).requires_grad_();
  const testkit::GradcheckResult r = testkit::gradcheck([](V v) { return v[0] * 2; }, {f32});
  ASSERT_FALSE(r);
  EXPECT_NE(r.message.find("float64"), std::string::npos) << r.message;
  const Tensor constant = ember::tensor({1.0, 2.0}, TensorOptions().dtype(kFloat64));
  const testkit::GradcheckResult none = testkit::gradcheck([](V v) { return v[0] * 2; }, {constant});
  ASSERT_FALSE(none);
  EXPECT_NE(none.message.find("requires grad"), std::string::npos) << none.message;
  const testkit::GradcheckResult throws =
      testkit::gradcheck([](V v) { return v[0].mm(v[0]); }, {leaf({1, 2})});  // mm of 1-d: an Error
  ASSERT_FALSE(throws);
  EXPECT_NE(throws.message.find("mm"), std::string::npos) << throws.message;
}

}  // namespace
}  // namespace gradcheck_cases
