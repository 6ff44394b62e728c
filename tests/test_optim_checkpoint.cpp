// Optimizer checkpoints: training that stops, saves the optimizer, and
// resumes in a fresh optimizer gives bit-identical parameters to training
// that never stopped; mismatched checkpoints are refused and change nothing.
#include <ember/ember.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>

#include "test_util.h"

namespace {

namespace optim = ember::optim;
namespace fs = std::filesystem;
using ember::Tensor;

fs::path temp_file(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("ember-optim-ckpt-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return dir / name;
}

// A tiny regression problem: parameters w (3, 2) and b (2), fixed data.
struct Problem {
  Tensor x, y;
  Problem() {
    ember::manual_seed(7);
    x = ember::randn({4, 3});
    y = ember::randn({4, 2});
  }
  std::vector<Tensor> fresh_params() const {
    ember::manual_seed(3);
    return {ember::randn({3, 2}).requires_grad_(), ember::randn({2}).requires_grad_()};
  }
  // Parameters holding `values`' current values, as a restarted program
  // would load them from a module checkpoint.
  static std::vector<Tensor> copies(const std::vector<Tensor>& values) {
    std::vector<Tensor> out;
    for (const Tensor& v : values) out.push_back(v.detach().clone().requires_grad_());
    return out;
  }
  // Steps first_step, ..., last_step - 1 of a run.
  void train(optim::Optimizer& opt, const std::vector<Tensor>& p, int first_step, int last_step) const {
    for (int i = first_step; i < last_step; ++i) {
      opt.zero_grad();
      // A loss that changes with the step, so every update differs.
      Tensor loss = ((ember::matmul(x, p[0]) + p[1] - y * double(i + 1)) * (ember::matmul(x, p[0]) + p[1])).sum();
      loss.backward();
      opt.step();
    }
  }
};

using MakeOptimizer = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>, double lr)>;

// Trains 6 steps straight, and 3 + save + load into a fresh optimizer built
// with another learning rate (the checkpoint's must win) + 3; the parameters
// must agree bit for bit.
void expect_resume_is_exact(const MakeOptimizer& make, const std::string& name) {
  SCOPED_TRACE(name);
  const Problem problem;
  const std::vector<Tensor> straight = problem.fresh_params();
  auto opt_straight = make(straight, 0.01);
  problem.train(*opt_straight, straight, 0, 6);

  const std::vector<Tensor> first = problem.fresh_params();
  auto opt_first = make(first, 0.01);
  problem.train(*opt_first, first, 0, 3);
  const fs::path path = temp_file(name + ".safetensors");
  ember::save(*opt_first, path.string());

  const std::vector<Tensor> resumed = Problem::copies(first);
  auto opt_resumed = make(resumed, 0.5);
  ember::load(*opt_resumed, path.string());
  EXPECT_EQ(opt_resumed->param_groups()[0].options().get_lr(), 0.01);
  problem.train(*opt_resumed, resumed, 3, 6);
  for (size_t i = 0; i < straight.size(); ++i)
    EXPECT_TRUE(resumed[i].equal(straight[i])) << "parameter " << i << ":\n" << resumed[i] << "\nvs\n" << straight[i];
}

TEST(OptimizerCheckpoint, SGDMomentumResumesExactly) {
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) {
        return std::make_unique<optim::SGD>(p, optim::SGDOptions(lr).momentum(0.9).weight_decay(0.01));
      },
      "sgd");
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) {
        return std::make_unique<optim::SGD>(p, optim::SGDOptions(lr).momentum(0.9).nesterov(true));
      },
      "sgd_nesterov");
}

TEST(OptimizerCheckpoint, AdamResumesExactly) {
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) { return std::make_unique<optim::Adam>(p, optim::AdamOptions(lr)); },
      "adam");
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) {
        return std::make_unique<optim::Adam>(p, optim::AdamOptions(lr).amsgrad(true).weight_decay(0.1));
      },
      "adam_amsgrad");
}

TEST(OptimizerCheckpoint, AdamWResumesExactly) {
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) {
        return std::make_unique<optim::AdamW>(p, optim::AdamWOptions(lr).amsgrad(true));
      },
      "adamw");
}

TEST(OptimizerCheckpoint, RMSpropResumesExactly) {
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) {
        return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions(lr).momentum(0.5).centered(true));
      },
      "rmsprop");
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) { return std::make_unique<optim::RMSprop>(p, optim::RMSpropOptions(lr)); },
      "rmsprop_plain");
}

TEST(OptimizerCheckpoint, AdagradResumesExactly) {
  expect_resume_is_exact(
      [](std::vector<Tensor> p, double lr) {
        return std::make_unique<optim::Adagrad>(
            p, optim::AdagradOptions(lr).lr_decay(0.01).initial_accumulator_value(0.1));
      },
      "adagrad");
}

TEST(OptimizerCheckpoint, StoresPyTorchStyleNames) {
  const Problem problem;
  const auto p = problem.fresh_params();
  optim::Adam adam(p, optim::AdamOptions(0.01).amsgrad(true));
  problem.train(adam, p, 0, 2);
  const fs::path path = temp_file("names.safetensors");
  ember::save(adam, path.string());
  const auto tensors = ember::load_tensors(path.string());
  std::vector<std::string> names;
  for (const auto& item : tensors) names.push_back(item.first);
  EXPECT_EQ(names, (std::vector<std::string>{"state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq",
                                             "state.0.step", "state.1.exp_avg", "state.1.exp_avg_sq",
                                             "state.1.max_exp_avg_sq", "state.1.step"}));
  EXPECT_EQ(tensors.at("state.1.step").item<int64_t>(), 2);
  EXPECT_EQ(tensors.at("state.0.exp_avg").sizes(), std::vector<int64_t>({3, 2}));
}

TEST(OptimizerCheckpoint, MismatchesAreErrorsAndChangeNothing) {
  const Problem problem;
  const auto p = problem.fresh_params();
  optim::Adam adam(p, optim::AdamOptions(0.01));
  problem.train(adam, p, 0, 2);
  const fs::path adam_path = temp_file("adam.safetensors");
  ember::save(adam, adam_path.string());

  // Another optimizer over parameters of other shapes, with one step taken.
  std::vector<Tensor> other{ember::ones({2, 3}).requires_grad_(), ember::ones({2}).requires_grad_()};
  optim::Adam target(other, optim::AdamOptions(0.02));
  other[0].sum().backward();
  other[1].sum().backward();
  target.step();
  auto& before = static_cast<optim::AdamParamState&>(*target.state().at(other[0].unsafe_impl()));
  const Tensor exp_avg_before = before.exp_avg.clone();
  EXPECT_ERROR_HAS(ember::load(target, adam_path.string()), "load", "[3, 2]", "[2, 3]");
  auto& after = static_cast<optim::AdamParamState&>(*target.state().at(other[0].unsafe_impl()));
  EXPECT_EQ(after.step, 1);
  EXPECT_TRUE(after.exp_avg.equal(exp_avg_before));
  EXPECT_EQ(target.param_groups()[0].options().get_lr(), 0.02);

  // Fewer parameters.
  optim::Adam one(std::vector<Tensor>{problem.fresh_params()[0]}, optim::AdamOptions(0.01));
  EXPECT_ERROR_HAS(ember::load(one, adam_path.string()), "load", "2 parameters", "1");
  // Another optimizer class.
  optim::SGD sgd(problem.fresh_params(), optim::SGDOptions(0.1));
  EXPECT_ERROR_HAS(ember::load(sgd, adam_path.string()), "load", "Adam", "SGD");
  // A module checkpoint is not an optimizer checkpoint.
  const fs::path tensors_path = temp_file("plain.safetensors");
  ember::save(std::map<std::string, Tensor>{{"w", ember::ones({2})}}, tensors_path.string());
  EXPECT_ERROR_HAS(ember::load(adam, tensors_path.string()), "not an optimizer checkpoint");
}

// Python's safetensors reads the file (skipped where python3 lacks it).
TEST(OptimizerCheckpoint, PythonSafetensorsReadsIt) {
  if (std::system("python3 -c 'import safetensors.numpy' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "python3 with safetensors and numpy is not available";
  const Problem problem;
  const auto p = problem.fresh_params();
  optim::SGD sgd(p, optim::SGDOptions(0.1).momentum(0.9));
  problem.train(sgd, p, 0, 1);
  const fs::path path = temp_file("python.safetensors");
  ember::save(sgd, path.string());
  const std::string check =
      "python3 -c \"import json, sys; from safetensors import safe_open; "
      "f = safe_open(sys.argv[1], 'numpy'); m = f.metadata(); g = json.loads(m['param_groups']); "
      "assert m['optimizer'] == 'SGD', m; assert g[0]['momentum'] == 0.9 and g[0]['params'] == [0, 1], g; "
      "assert sorted(f.keys()) == ['state.0.momentum_buffer', 'state.1.momentum_buffer'], list(f.keys()); "
      "assert f.get_tensor('state.0.momentum_buffer').shape == (3, 2)\" " +
      path.string();
  EXPECT_EQ(std::system(check.c_str()), 0);
}

}  // namespace
