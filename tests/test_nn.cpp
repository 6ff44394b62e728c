// nn::Module, the holder pattern, Linear, Sequential, MSELoss and SGD —
// values from Python's PyTorch 1.13 (the snippets are in the comments).
#include <gtest/gtest.h>

#include <ember/ember.h>

#include <sstream>

namespace {

namespace nn = ember::nn;
using ember::Tensor;

std::string printed(const nn::Module& m) {
  std::ostringstream out;
  out << m;
  return out.str();
}

struct NetImpl : nn::Module {
  NetImpl() {
    fc1 = register_module("fc1", nn::Linear(2, 4));
    fc2 = register_module("fc2", nn::Linear(nn::LinearOptions(4, 1).bias(false)));
    register_buffer("steps", ember::zeros({1}, ember::kInt64));
  }
  Tensor forward(const Tensor& x) { return fc2(ember::relu(fc1(x))); }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
EMBER_MODULE(Net);

TEST(Module, RegistersInOrderAndNamesLikePython) {
  Net net;
  EXPECT_EQ(net->name(), "Net");
  EXPECT_EQ(net->named_parameters().keys(), (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight"}));
  EXPECT_EQ(net->parameters().size(), 3u);
  EXPECT_EQ(net->parameters(/*recurse=*/false).size(), 0u);
  EXPECT_EQ(net->named_buffers().keys(), (std::vector<std::string>{"steps"}));
  EXPECT_EQ(net->named_children().keys(), (std::vector<std::string>{"fc1", "fc2"}));
  EXPECT_EQ(net->named_modules().keys(), (std::vector<std::string>{"", "fc1", "fc2"}));
  for (const Tensor& p : net->parameters()) {
    EXPECT_TRUE(p.requires_grad());
    EXPECT_TRUE(p.is_leaf());
  }
  EXPECT_TRUE(net->fc1->weight.is_same(net->named_parameters()["fc1.weight"]));
}

TEST(Module, PrintsLikePython) {
  // print(SimpleNN()) in the seed tutorial; Linear(3, 2, bias=False).
  Net net;
  EXPECT_EQ(printed(*net),
            "Net(\n"
            "  (fc1): Linear(in_features=2, out_features=4, bias=True)\n"
            "  (fc2): Linear(in_features=4, out_features=1, bias=False)\n"
            ")");
  nn::Sequential seq(nn::Linear(2, 3), nn::ReLU(), nn::Sequential(nn::Flatten(), nn::Identity()), nn::Sigmoid(),
                     nn::Tanh(), nn::MSELoss());
  EXPECT_EQ(printed(*seq),
            "Sequential(\n"
            "  (0): Linear(in_features=2, out_features=3, bias=True)\n"
            "  (1): ReLU()\n"
            "  (2): Sequential(\n"
            "    (0): Flatten(start_dim=1, end_dim=-1)\n"
            "    (1): Identity()\n"
            "  )\n"
            "  (3): Sigmoid()\n"
            "  (4): Tanh()\n"
            "  (5): MSELoss()\n"
            ")");
}

TEST(Module, NamedSequentialRunsInOrder) {
  nn::Sequential seq({{"scale", nn::Linear(1, 1)}, {"act", nn::ReLU()}});
  EXPECT_EQ(seq->named_children().keys(), (std::vector<std::string>{"scale", "act"}));
  {
    ember::NoGradGuard no_grad;
    seq->named_parameters()["scale.weight"].fill_(-2);
    seq->named_parameters()["scale.bias"].fill_(1);
  }
  EXPECT_EQ(seq(ember::tensor({{1.0f}, {-1.0f}})).to_vector<float>(), (std::vector<float>{0, 3}));
}

TEST(Linear, InitialisesAsPyTorch) {
  // torch.manual_seed(0); nn.Linear(3, 2)
  ember::manual_seed(0);
  nn::Linear linear(3, 2);
  EXPECT_EQ(linear->weight.to_vector<float>(),
            (std::vector<float>{-0.004322517663240433f, 0.3097158372402191f, -0.4751853346824646f,
                                -0.4248946011066437f, -0.2223689705133438f, 0.15482072532176971f}));
  EXPECT_EQ(linear->bias.to_vector<float>(), (std::vector<float>{-0.011439144611358643f, 0.45777493715286255f}));
  auto y = linear(ember::ones({4, 3}));
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{4, 2}));
  EXPECT_THROW(linear(ember::ones({4, 2})), ember::Error);
}

TEST(Module, ToKeepsTheParametersIdentity) {
  Net net;
  Tensor weight = net->fc1->weight;
  ember::optim::SGD optimizer(net->parameters(), ember::optim::SGDOptions(0.1));
  net->to(ember::kFloat64);
  EXPECT_EQ(weight.dtype(), ember::kFloat64) << "the handle the optimizer holds sees the conversion";
  EXPECT_EQ(net->named_buffers()["steps"].dtype(), ember::kInt64) << "integer buffers keep their dtype";
  net->forward(ember::ones({1, 2}, ember::kFloat64)).sum().backward();
  const auto before = weight.to_vector<double>();
  optimizer.step();
  EXPECT_NE(weight.to_vector<double>(), before);
}

TEST(Module, TrainEvalAndZeroGrad) {
  Net net;
  net->eval();
  EXPECT_FALSE(net->is_training());
  EXPECT_FALSE(net->fc1->is_training());
  net->train();
  EXPECT_TRUE(net->fc2->is_training());
  net->forward(ember::ones({1, 2})).sum().backward();
  EXPECT_TRUE(net->fc1->weight.grad().defined());
  net->zero_grad(/*set_to_none=*/false);
  EXPECT_EQ(net->fc1->weight.grad().abs().sum().item<float>(), 0);
  net->zero_grad();
  EXPECT_FALSE(net->fc1->weight.grad().defined());
  int visited = 0;
  net->apply([&](nn::Module&) { ++visited; });
  EXPECT_EQ(visited, 3);
}

TEST(Loss, MSE) {
  // F.mse_loss(tensor([1., 2., 4.]), tensor([0., 2., 1.])) and reduction='sum'
  const Tensor input = ember::tensor({1.0f, 2.0f, 4.0f}), target = ember::tensor({0.0f, 2.0f, 1.0f});
  EXPECT_FLOAT_EQ(nn::MSELoss()(input, target).item<float>(), 3.3333332538604736f);
  EXPECT_FLOAT_EQ(nn::MSELoss(nn::MSELossOptions(ember::kSum))(input, target).item<float>(), 10.0f);
  EXPECT_EQ(nn::functional::mse_loss(input, target, ember::kNone).to_vector<float>(), (std::vector<float>{1, 0, 9}));
}

TEST(SGD, MomentumWeightDecayNesterovAsPyTorch) {
  // SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01, nesterov=True), 3 steps of
  // loss = (w * w * [1, 2, 3]).sum()
  Tensor w = ember::tensor({1.0f, -2.0f, 3.0f}, ember::requires_grad());
  ember::optim::SGD opt({w}, ember::optim::SGDOptions(0.1).momentum(0.9).weight_decay(0.01).nesterov(true));
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    (w * w * ember::tensor({1.0f, 2.0f, 3.0f})).sum().backward();
    opt.step();
  }
  const auto got = w.to_vector<float>();
  const std::vector<float> want{-0.11165107786655426f, 0.8670104742050171f, -0.9084886312484741f};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-6) << i;
}

TEST(SGD, DampenedMomentumAsPyTorch) {
  // SGD([w], lr=0.05, momentum=0.5, dampening=0.1), 3 steps of (w ** 3).sum()
  Tensor w = ember::tensor({1.0f, -2.0f, 3.0f}, ember::requires_grad());
  ember::optim::SGD opt({w}, ember::optim::SGDOptions(0.05).momentum(0.5).dampening(0.1));
  for (int i = 0; i < 3; ++i) {
    opt.zero_grad();
    w.pow(3).sum().backward();
    opt.step();
  }
  const auto got = w.to_vector<float>();
  const std::vector<float> want{0.529234766960144f, -6.381248950958252f, 0.03637729212641716f};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-5) << i;
  EXPECT_DOUBLE_EQ(opt.param_groups()[0].options().get_lr(), 0.05);
  opt.param_groups()[0].options().set_lr(0.01);
  EXPECT_DOUBLE_EQ(opt.param_groups()[0].options().get_lr(), 0.01);
  EXPECT_THROW(ember::optim::SGD({w}, ember::optim::SGDOptions(-1)), ember::Error);
}

}  // namespace
