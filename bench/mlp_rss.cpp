// 100 training steps of the MLP 784-512-512-10 (batch 128, SGD momentum 0.9,
// cross-entropy) — bench_ops' mlp_step_sgd — as a whole process, for the
// peak RSS that bench/footprint.sh reads with /usr/bin/time -f %M.
// Compiled for Ember (mlp_rss_ember) and libtorch (mlp_rss_libtorch).
#include <cstdio>

#ifdef EMBER_BENCH_LIBTORCH
#include <torch/torch.h>
namespace lib = torch;
#else
#include <ember/ember.h>
namespace lib = ember;
#endif

int main() {
  lib::set_num_threads(1);
  lib::manual_seed(0);
  lib::nn::Sequential net;
  net->push_back(lib::nn::Linear(784, 512));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::Linear(512, 512));
  net->push_back(lib::nn::ReLU());
  net->push_back(lib::nn::Linear(512, 10));
  lib::optim::SGD sgd(net->parameters(), lib::optim::SGDOptions(0.01).momentum(0.9));
  const auto x = lib::rand({128, 784});
  const auto y = lib::randint(0, 10, {128});
  float last = 0;
  for (int step = 0; step < 100; ++step) {
    sgd.zero_grad();
    auto loss = lib::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    sgd.step();
    last = loss.item<float>();
  }
  std::printf("loss after 100 steps: %g\n", double(last));
  return 0;
}
