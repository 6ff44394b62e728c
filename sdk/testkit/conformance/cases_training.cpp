// End-to-end: a few training steps of two small models on the device and on
// the CPU from the same initial weights, comparing every loss and, after the
// last step, every parameter. The MLP is the seed tutorial's; the CNN uses
// conv2d, max_pool2d, cross_entropy and Adam.
#include <sstream>

#include "case.h"

namespace ember::testkit::conformance {
namespace {

namespace nn = ember::nn;
namespace optim = ember::optim;

// Trains `make()`'s model on both sides for `steps` steps. Losses may drift
// apart by rounding only, hence a tolerance that grows with each step.
template <typename MakeModel, typename MakeOptim, typename Loss>
void train_both(const Device& device, MakeModel make, MakeOptim make_optim, Loss loss_fn, const Tensor& x,
                const Tensor& y, int steps, Tolerance tol) {
  ember::manual_seed(0);
  auto cpu_model = make();
  ember::manual_seed(0);
  auto dev_model = make();
  dev_model->to(device);
  auto cpu_opt = make_optim(cpu_model->parameters());
  auto dev_opt = make_optim(dev_model->parameters());
  const Tensor dx = x.to(device), dy = y.to(device);
  for (int step = 0; step < steps; ++step) {
    Tensor losses[2];
    int side = 0;
    for (auto* run : {&cpu_model, &dev_model}) {
      auto& opt = side == 0 ? cpu_opt : dev_opt;
      opt.zero_grad();
      Tensor loss = loss_fn((*run)->forward(side == 0 ? x : dx), side == 0 ? y : dy);
      loss.backward();
      opt.step();
      losses[side++] = loss.detach();
    }
    expect_close(losses[1], losses[0], tol, "the loss of step " + std::to_string(step + 1));
  }
  const auto cpu_params = cpu_model->named_parameters().items();
  const auto dev_params = dev_model->named_parameters().items();
  for (size_t i = 0; i < cpu_params.size(); ++i) {
    const std::string& name = cpu_params[i].key();
    expect(dev_params[i].value().device() == device.normalized(),
           "parameter " + name + " is on " + dev_params[i].value().device().str());
    expect_close(dev_params[i].value(), cpu_params[i].value(), tol,
                 "parameter " + name + " after " + std::to_string(steps) + " steps");
  }
}

}  // namespace

void add_training_cases(std::vector<Case>& t) {
  Case mlp;
  mlp.name = "train/mlp_sgd";
  mlp.group = "training";
  mlp.dtypes = {kFloat32};
  mlp.program = [](const Device& device, Dtype) {
    const Tensor x = ember::tensor({{0.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 1.0f}});
    const Tensor y = ember::tensor({{0.0f}, {1.0f}, {1.0f}, {0.0f}});
    train_both(
        device, [] { return nn::Sequential(nn::Linear(2, 4), nn::ReLU(), nn::Linear(4, 1)); },
        [](std::vector<Tensor> p) { return optim::SGD(std::move(p), optim::SGDOptions(0.1)); },
        [](const Tensor& out, const Tensor& target) { return nn::functional::mse_loss(out, target); }, x, y, 5,
        {1e-4, 1e-5});
  };
  t.push_back(mlp);

  Case cnn;
  cnn.name = "train/cnn_adam";
  cnn.group = "training";
  cnn.dtypes = {kFloat32};
  cnn.program = [](const Device& device, Dtype) {
    SampleRng r("train/cnn_adam");
    const Tensor x = r.uniform({4, 1, 8, 8}, kFloat32);
    const Tensor y = r.integers({4}, 0, 3);
    // Adam moves each weight by about lr on its first steps whatever the
    // gradient's size, so a gradient that is ~0 on both sides may move a
    // weight either way: the tolerance allows part of one step.
    train_both(
        device,
        [] {
          return nn::Sequential(nn::Conv2d(1, 4, 3), nn::ReLU(), nn::MaxPool2d(2), nn::Flatten(),
                                nn::Linear(4 * 3 * 3, 3));
        },
        [](std::vector<Tensor> p) { return optim::Adam(std::move(p), optim::AdamOptions(1e-2)); },
        [](const Tensor& out, const Tensor& target) { return nn::functional::cross_entropy(out, target); }, x, y, 3,
        {1e-3, 1e-3});
  };
  t.push_back(cnn);
}

}  // namespace ember::testkit::conformance
