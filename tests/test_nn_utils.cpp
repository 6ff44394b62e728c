// ModuleList, ModuleDict, gradient clipping, parameters_to_vector, one_hot —
// values from Python's PyTorch 1.13 (snippets in the comments).
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <cmath>
#include <sstream>

#include "test_util.h"

namespace {

namespace nn = ember::nn;
using ember::Tensor;

std::string printed(const nn::Module& m) {
  std::ostringstream out;
  out << m;
  return out.str();
}

TEST(Containers, ModuleListHoldsModulesByPosition) {
  nn::ModuleList list(nn::Linear(1, 2), nn::ReLU());
  list->push_back(nn::Tanh());
  EXPECT_EQ(list->size(), 3u);
  EXPECT_EQ(list->parameters().size(), 2u);
  EXPECT_EQ(list->ptr<nn::LinearImpl>(0)->options.out_features(), 2);
  EXPECT_EQ((*list)[2]->name(), "Tanh");
  EXPECT_ERROR_HAS(list->ptr<nn::LinearImpl>(1), "ModuleList", "ReLU");
  EXPECT_ERROR_HAS((*list)[3], "out of range");
  int count = 0;
  for (const auto& m : *list) count += m != nullptr;
  EXPECT_EQ(count, 3);
  // print(nn.ModuleList([nn.Linear(1, 2), nn.ReLU()]))
  nn::ModuleList two(nn::Linear(1, 2), nn::ReLU());
  EXPECT_EQ(printed(*two), "ModuleList(\n  (0): Linear(in_features=1, out_features=2, bias=True)\n  (1): ReLU()\n)");
}

TEST(Containers, ModuleDictHoldsModulesByName) {
  nn::ModuleDict dict;
  dict->insert("a", nn::Linear(1, 2));
  dict->insert("b", nn::ReLU());
  EXPECT_TRUE(dict->contains("a"));
  EXPECT_EQ(dict->keys(), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*dict)["b"]->name(), "ReLU");
  EXPECT_ERROR_HAS((*dict)["c"], "no module named 'c'");
  // print(nn.ModuleDict({'a': nn.Linear(1, 2), 'b': nn.ReLU()}))
  EXPECT_EQ(printed(*dict), "ModuleDict(\n  (a): Linear(in_features=1, out_features=2, bias=True)\n  (b): ReLU()\n)");
}

// a.grad = [3, -4], b.grad = [[12, 0]]
std::vector<Tensor> with_grads() {
  Tensor a = ember::tensor({3.0f, -4.0f}, ember::requires_grad());
  Tensor b = ember::tensor({{1.0f, 2.0f}}, ember::requires_grad());
  a.mutable_grad() = ember::tensor({3.0f, -4.0f});
  b.mutable_grad() = ember::tensor({{12.0f, 0.0f}});
  return {a, b};
}

TEST(Utils, ClipGradNorm) {
  // clip_grad_norm_([a, b], max_norm=6.5) -> 13.0; grads [1.4999998807907104, -1.9999998807907104], [[5.999999523162842, 0]]
  auto p = with_grads();
  EXPECT_FLOAT_EQ(nn::utils::clip_grad_norm_(p, 6.5).item<float>(), 13.0f);
  EXPECT_EQ(p[0].grad().to_vector<float>(), (std::vector<float>{1.4999998807907104f, -1.9999998807907104f}));
  EXPECT_EQ(p[1].grad().to_vector<float>(), (std::vector<float>{5.999999523162842f, 0.0f}));
  // norm_type=inf, max_norm=2 -> 12.0; grads [0.4999999701976776, -0.6666666269302368], [[1.9999998807907104, 0]]
  p = with_grads();
  EXPECT_FLOAT_EQ(nn::utils::clip_grad_norm_(p, 2.0, INFINITY).item<float>(), 12.0f);
  EXPECT_EQ(p[0].grad().to_vector<float>(), (std::vector<float>{0.4999999701976776f, -0.6666666269302368f}));
  EXPECT_EQ(p[1].grad().to_vector<float>(), (std::vector<float>{1.9999998807907104f, 0.0f}));
  // A norm below the limit leaves the gradients alone.
  p = with_grads();
  nn::utils::clip_grad_norm_(p, 100.0);
  EXPECT_EQ(p[0].grad().to_vector<float>(), (std::vector<float>{3.0f, -4.0f}));
}

TEST(Utils, ClipGradValueAndParametersToVector) {
  auto p = with_grads();
  nn::utils::clip_grad_value_(p, 3.5);  // -> [3, -3.5], [[3.5, 0]]
  EXPECT_EQ(p[0].grad().to_vector<float>(), (std::vector<float>{3.0f, -3.5f}));
  EXPECT_EQ(p[1].grad().to_vector<float>(), (std::vector<float>{3.5f, 0.0f}));
  EXPECT_EQ(nn::utils::parameters_to_vector(p).to_vector<float>(), (std::vector<float>{3, -4, 1, 2}));
}

TEST(Functional, OneHot) {
  // F.one_hot(tensor([0, 2, 1]), 4); F.one_hot(tensor([1, 0]))
  Tensor a = nn::functional::one_hot(ember::tensor({0, 2, 1}), 4);
  EXPECT_EQ(a.sizes(), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(a.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0}));
  EXPECT_EQ(nn::functional::one_hot(ember::tensor({1, 0})).to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 1, 0}));
  EXPECT_ERROR_HAS(nn::functional::one_hot(ember::tensor({1, 5}), 3), "one_hot", "out of range");
  EXPECT_ERROR_HAS(nn::functional::one_hot(ember::tensor({1.0f})), "int64");
}

}  // namespace
