// The autograd engine: graphs, accumulation, retain/create graph, hooks,
// guards, autograd::grad, version checks, custom functions, threads.
// Per-op gradients are checked in test_gradcheck.cpp.
#include <gtest/gtest.h>

#include <ember/ember.h>

#include "test_util.h"

#include <functional>
#include <thread>

namespace {

using ember::Tensor;

using ember_test::error_of;

Tensor leaf(std::initializer_list<double> values) {
  return ember::tensor(std::vector<double>(values), ember::TensorOptions().dtype(ember::kFloat64).requires_grad(true));
}

TEST(Autograd, TheSeedTutorialsExample) {
  auto x = ember::tensor(2.0, ember::requires_grad());
  auto y = x.pow(2);
  y.backward();
  EXPECT_EQ(ember::to_string(x.grad()), "tensor(4.)");
  EXPECT_EQ(ember::to_string(y), "tensor(4., grad_fn=<PowBackward0>)");
  EXPECT_EQ(ember::to_string(x), "tensor(2., requires_grad=True)");
}

TEST(Autograd, LeavesAndRecordedTensors) {
  auto a = leaf({1, 2, 3});
  auto plain = ember::ones({3}, ember::kFloat64);
  auto b = a * plain;
  EXPECT_TRUE(a.is_leaf());
  EXPECT_FALSE(b.is_leaf());
  EXPECT_TRUE(b.requires_grad());
  EXPECT_EQ(a.grad_fn(), nullptr);
  ASSERT_NE(b.grad_fn(), nullptr);
  EXPECT_EQ(b.grad_fn()->name(), "MulBackward0");
  EXPECT_EQ((a + 1).grad_fn()->name(), "AddBackward0");
  EXPECT_EQ(a.sum().grad_fn()->name(), "SumBackward0");
  EXPECT_EQ(a.sum({0}).grad_fn()->name(), "SumBackward1");
  EXPECT_EQ(a.view({3, 1}).mm(a.view({1, 3})).grad_fn()->name(), "MmBackward0");
  EXPECT_FALSE((plain * 2).requires_grad()) << "no input requires grad: nothing is recorded";
  EXPECT_EQ(b.grad_fn()->next_edges().size(), 2u);
  EXPECT_EQ(b.grad_fn()->next_edges()[0].function->name(), "AccumulateGrad");
  EXPECT_FALSE(b.grad_fn()->next_edges()[1].is_valid()) << "the second input does not require grad";
}

TEST(Autograd, GradientsAccumulateIntoLeaves) {
  auto x = leaf({1, 2});
  (x * x).sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 4}));
  (x * 3).sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{5, 7}));
  x.mutable_grad() = Tensor();
  (x * 3).sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{3, 3}));
}

TEST(Autograd, SharedGradientsAreNotAliased) {
  // AddBackward hands the same gradient to both inputs; each leaf must get
  // its own tensor, or accumulating into one would change the other.
  auto a = leaf({1}), b = leaf({2});
  (a + b).sum().backward();
  (a * 5).sum().backward();
  EXPECT_EQ(a.grad().item<double>(), 6);
  EXPECT_EQ(b.grad().item<double>(), 1);
}

TEST(Autograd, BackwardWithAGradientForNonScalars) {
  auto x = leaf({1, 2, 3});
  auto y = x * 2;
  y.backward(ember::tensor({1.0, 0.5, 0.0}, ember::kFloat64));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2, 1, 0}));
  const std::string message = error_of([&] { (x * 2).backward(); });
  EXPECT_NE(message.find("grad can be implicitly created only for scalar outputs"), std::string::npos) << message;
}

TEST(Autograd, RetainGraphAllowsASecondBackward) {
  auto x = leaf({3});
  auto y = (x * x).exp();
  y.backward({}, /*retain_graph=*/true);
  const double first = x.grad().item<double>();
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item<double>(), 2 * first);
  const std::string message = error_of([&] { y.backward(); });
  EXPECT_NE(message.find("Trying to backward through the graph a second time"), std::string::npos) << message;
  EXPECT_NE(message.find("retain_graph=true"), std::string::npos) << message;
}

TEST(Autograd, CreateGraphGivesHigherOrderGradients) {
  auto x = leaf({2});
  auto y = x.pow(3);  // dy/dx = 3x^2 = 12, d2y/dx2 = 6x = 12, d3y/dx3 = 6
  auto dy = ember::autograd::grad({y}, {x}, {}, {}, /*create_graph=*/true)[0];
  EXPECT_DOUBLE_EQ(dy.item<double>(), 12);
  EXPECT_TRUE(dy.requires_grad());
  auto d2y = ember::autograd::grad({dy}, {x}, {}, {}, true)[0];
  EXPECT_DOUBLE_EQ(d2y.item<double>(), 12);
  auto d3y = ember::autograd::grad({d2y}, {x})[0];
  EXPECT_DOUBLE_EQ(d3y.item<double>(), 6);
  EXPECT_FALSE(x.grad().defined()) << "autograd::grad does not touch .grad";
}

TEST(Autograd, GradOfSeveralInputsAndUnusedOnes) {
  auto a = leaf({1, 2}), b = leaf({3, 4}), unused = leaf({5});
  auto out = (a * b).sum();
  auto grads = ember::autograd::grad({out}, {a, b}, {}, true);
  EXPECT_EQ(grads[0].to_vector<double>(), (std::vector<double>{3, 4}));
  EXPECT_EQ(grads[1].to_vector<double>(), (std::vector<double>{1, 2}));
  const std::string message = error_of([&] { ember::autograd::grad({out}, {a, unused}, {}, true); });
  EXPECT_NE(message.find("appears to not have been used in the graph"), std::string::npos) << message;
  auto allowed = ember::autograd::grad({out}, {a, unused}, {}, true, false, /*allow_unused=*/true);
  EXPECT_TRUE(allowed[0].defined());
  EXPECT_FALSE(allowed[1].defined());
}

TEST(Autograd, GradModeGuards) {
  auto x = leaf({1});
  {
    ember::NoGradGuard no_grad;
    EXPECT_FALSE(ember::GradMode::is_enabled());
    EXPECT_FALSE((x * 2).requires_grad());
    {
      ember::AutoGradMode enable(true);
      EXPECT_TRUE((x * 2).requires_grad());
    }
    EXPECT_FALSE((x * 2).requires_grad());
  }
  EXPECT_TRUE(ember::GradMode::is_enabled());
  EXPECT_TRUE((x * 2).requires_grad());
}

TEST(Autograd, RetainGradKeepsANonLeafsGradient) {
  auto x = leaf({1, 2});
  auto hidden = x * 3;
  hidden.retain_grad();
  EXPECT_TRUE(hidden.retains_grad());
  auto out = (hidden * hidden).sum();
  out.backward();
  EXPECT_EQ(hidden.grad().to_vector<double>(), (std::vector<double>{6, 12}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{18, 36}));
}

TEST(Autograd, HooksSeeAndReplaceGradients) {
  auto x = leaf({1, 2});
  auto y = x * 2;
  std::vector<double> seen;
  y.register_hook([&](const Tensor& g) { seen = g.to_vector<double>(); });
  y.register_hook([](const Tensor& g) { return g * 10; });
  x.register_hook([](const Tensor& g) { return g + 1; });
  y.sum().backward();
  EXPECT_EQ(seen, (std::vector<double>{1, 1}));
  // y's gradient 1 -> 10 (hook), times dy/dx = 2 -> 20, plus 1 (x's hook).
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{21, 21}));
  const std::string message = error_of([] { ember::ones({1}).register_hook([](const Tensor& g) { return g; }); });
  EXPECT_NE(message.find("doesn't require gradient"), std::string::npos) << message;
}

TEST(Autograd, InPlaceChangesToSavedTensorsAreCaught) {
  auto x = leaf({1, 2});
  auto e = x.exp();  // ExpBackward0 saves its output e
  auto w = e.sin();  // SinBackward0 saves e too
  e.add_(1);
  const std::string message = error_of([&] { w.sum().backward(); });
  EXPECT_NE(message.find("modified by an inplace operation"), std::string::npos) << message;
  EXPECT_NE(message.find("[float64 [2]]"), std::string::npos) << message;
  EXPECT_NE(message.find("output 0 of ExpBackward0"), std::string::npos) << message;
  EXPECT_NE(message.find("is at version 2; expected version 1"), std::string::npos) << message;
  EXPECT_FALSE(x.grad().defined()) << "a failed backward accumulates nothing";
  // A graph that saved nothing of e is unaffected by the change.
  auto y = x * 3;
  auto z = y * 2;  // MulBackward0 with a scalar saves nothing
  y.add_(1);
  z.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{6, 6}));
}

TEST(Autograd, InPlaceOpsOnNonLeavesAreRecorded) {
  auto x = leaf({1, 2, 3});
  auto y = x * 2;
  y.mul_(x).add_(1);  // y = 2x^2 + 1
  EXPECT_EQ(y.grad_fn()->name(), "AddBackward0");
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{4, 8, 12}));
}

TEST(Autograd, InPlaceOnALeafThatRequiresGradIsAnError) {
  auto x = leaf({1});
  const std::string message = error_of([&] { x.add_(1); });
  EXPECT_NE(message.find("a leaf Variable that requires grad is being used in an in-place operation"),
            std::string::npos)
      << message;
  EXPECT_EQ(x.item<double>(), 1) << "a failed op leaves its input unchanged";
  ember::NoGradGuard no_grad;
  x.add_(1);  // allowed without grad mode, as PyTorch
  EXPECT_EQ(x.item<double>(), 2);
}

TEST(Autograd, RequiresGradFlagsOnlyOnLeaves) {
  auto x = leaf({1});
  auto y = x * 2;
  EXPECT_NE(error_of([&] { y.requires_grad_(false); }).find("only change requires_grad flags of leaf variables"),
            std::string::npos);
  EXPECT_NE(error_of([] { ember::arange(3).requires_grad_(); }).find("floating point"), std::string::npos);
}

TEST(Autograd, DetachCutsTheGraph) {
  auto x = leaf({1, 2});
  auto d = (x * 2).detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_TRUE(d.is_leaf());
  auto y = (x * 2);
  y.detach_();
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_TRUE(x.data().is_alias_of(x));
  EXPECT_FALSE(x.data().requires_grad());
}

TEST(Autograd, GradientsFollowDtypesAndBroadcasting) {
  auto small = ember::tensor({1.0f, 2.0f}, ember::requires_grad());  // float32
  auto big = ember::tensor({{1.0}, {2.0}, {3.0}}, ember::TensorOptions().dtype(ember::kFloat64).requires_grad(true));
  auto out = (small * big).sum();  // float64 (3, 2)
  out.backward();
  EXPECT_EQ(small.grad().dtype(), ember::kFloat32);
  EXPECT_EQ(small.grad().to_vector<float>(), (std::vector<float>{6, 6}));
  EXPECT_EQ(big.grad().sizes(), (std::vector<int64_t>{3, 1}));
  EXPECT_EQ(big.grad().to_vector<double>(), (std::vector<double>{3, 3, 3}));
}

// A user-defined function: y = x^2 with its own backward.
struct Square : ember::autograd::Function<Square> {
  static Tensor forward(ember::autograd::AutogradContext* ctx, Tensor x, double scale) {
    ctx->save_for_backward({x});
    ctx->saved_data["scale"] = scale;
    return x * x * scale;
  }
  static ember::autograd::variable_list backward(ember::autograd::AutogradContext* ctx,
                                                 ember::autograd::variable_list grad) {
    const Tensor x = ctx->get_saved_variables()[0];
    const double scale = std::any_cast<double>(ctx->saved_data["scale"]);
    return {grad[0] * 2 * x * scale, Tensor()};
  }
};

TEST(Autograd, CustomFunctions) {
  auto x = leaf({1, 2, 3});
  auto y = Square::apply(x, 0.5);
  EXPECT_EQ(y.grad_fn()->name(), "SquareBackward");
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{0.5, 2, 4.5}));
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{1, 2, 3}));
  // Without an input that requires grad, nothing is recorded.
  EXPECT_FALSE(Square::apply(ember::ones({2}), 1.0).requires_grad());
}

struct SortLike : ember::autograd::Function<SortLike> {
  static ember::autograd::variable_list forward(ember::autograd::AutogradContext* ctx, Tensor x) {
    Tensor values = x * 1;
    Tensor order = ember::arange(x.numel());
    ctx->mark_non_differentiable({order});
    EXPECT_TRUE(ctx->needs_input_grad(0));
    return {values, order};
  }
  static ember::autograd::variable_list backward(ember::autograd::AutogradContext*,
                                                 ember::autograd::variable_list grad) {
    return {grad[0]};
  }
};

TEST(Autograd, CustomFunctionsWithNonDifferentiableOutputs) {
  auto x = leaf({1, 2});
  auto outs = SortLike::apply(x);
  EXPECT_TRUE(outs[0].requires_grad());
  EXPECT_FALSE(outs[1].requires_grad());
  outs[0].sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{1, 1}));
}

TEST(Autograd, IndependentGraphsRunBackwardConcurrently) {
  auto work = [](double seed, std::vector<double>* result) {
    for (int round = 0; round < 50; ++round) {
      auto x = ember::full({64}, seed, ember::TensorOptions().dtype(ember::kFloat64).requires_grad(true));
      auto w = ember::full({64, 64}, 0.5, ember::kFloat64);
      auto y = (w.mv(x).tanh() * x).sum();
      y.backward();
      *result = x.grad().to_vector<double>();
    }
  };
  std::vector<double> first, second, first_alone, second_alone;
  work(0.25, &first_alone);
  work(-0.5, &second_alone);
  std::thread a(work, 0.25, &first), b(work, -0.5, &second);
  a.join();
  b.join();
  EXPECT_EQ(first, first_alone);
  EXPECT_EQ(second, second_alone);
}

}  // namespace

namespace {

TEST(Autograd, InPlaceOpsOnViewsRewriteTheBasesHistory) {
  auto x = leaf({1, 2, 3});
  auto y = x.clone();
  y.select(0, 0).mul_(10);               // y = [10 x0, x1, x2]
  y.slice(0, 1, 3).mul_(x.slice(0, 1, 3));  // y = [10 x0, x1^2, x2^2]
  EXPECT_EQ(y.grad_fn()->name(), "CopySlices");
  EXPECT_EQ(y.to_vector<double>(), (std::vector<double>{10, 4, 9}));
  y.sum().backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{10, 4, 6}));
}

TEST(Autograd, InPlaceWritesIntoAPlainTensorFromAGradientSource) {
  auto w = leaf({2, 3});
  auto buffer = ember::zeros({2, 2}, ember::kFloat64);  // requires no grad
  buffer.select(1, 0).copy_(w * w);
  EXPECT_TRUE(buffer.requires_grad());
  buffer.sum().backward();
  EXPECT_EQ(w.grad().to_vector<double>(), (std::vector<double>{4, 6}));
}

TEST(Autograd, InPlaceOnAViewOfALeafThatRequiresGradIsAnError) {
  auto x = leaf({1, 2});
  const std::string message = error_of([&] { x.select(0, 0).mul_(2); });
  EXPECT_NE(message.find("a view of a leaf Variable that requires grad"), std::string::npos) << message;
}

}  // namespace
