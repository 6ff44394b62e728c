// The seed tutorial's whole program in C++: the tensor examples, the
// autograd example, SimpleNN printed, and the XOR training loop.
//   seed_tutorial [--seed N] [--device best|cpu|opencl:0|...] [--devices]
// With --seed 0 on the CPU it prints exactly what seed_tutorial.py prints
// (expected_output.txt); --devices also lists the plugins and devices found
// and the device the program ran on. `best` is the first accelerator found
// (CUDA, then Vulkan, then OpenCL, then any other), else the CPU.
#include <ember/ember.h>

#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>

namespace nn = ember::nn;
namespace optim = ember::optim;

struct SimpleNNImpl : nn::Module {
  SimpleNNImpl() {
    fc1 = register_module("fc1", nn::Linear(2, 4));  // input layer to hidden layer
    fc2 = register_module("fc2", nn::Linear(4, 1));  // hidden layer to output layer
  }
  ember::Tensor forward(ember::Tensor x) {
    x = ember::relu(fc1(x));  // activation
    x = fc2(x);
    return x;
  }
  nn::Linear fc1{nullptr}, fc2{nullptr};
};
EMBER_MODULE(SimpleNN);

ember::Device best_device() {
  const std::vector<ember::Device> found = ember::devices();
  for (const char* type : {"cuda", "vulkan", "opencl"})
    for (const auto& d : found)
      if (d.type().name() == type) return d;
  for (const auto& d : found)
    if (d.type().name() != "cpu") return d;
  return ember::Device("cpu");
}

int main(int argc, char** argv) {
  uint64_t seed = 0;
  std::string device_name = "cpu";
  bool list_devices = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--seed") == 0 && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (std::strcmp(argv[i], "--device") == 0 && i + 1 < argc) device_name = argv[++i];
    else if (std::strcmp(argv[i], "--devices") == 0) list_devices = true;
    else {
      std::cerr << "usage: seed_tutorial [--seed N] [--device NAME] [--devices]\n";
      return 2;
    }
  }
  try {
    const ember::Device device = device_name == "best" ? best_device() : ember::Device(device_name);
    ember::manual_seed(seed);

    // A 2x3 tensor
    auto tensor_a = ember::tensor({{1, 2, 3}, {4, 5, 6}});
    std::cout << tensor_a << "\n";
    // A random tensor
    auto tensor_b = ember::rand({2, 3});
    std::cout << tensor_b << "\n";

    // Autograd: y = x^2 at x = 2, dy/dx = 4
    auto x = ember::tensor(2.0, ember::requires_grad());
    auto y = x.pow(2);
    y.backward();
    std::cout << x.grad() << "\n";

    SimpleNN model;
    std::cout << *model << "\n";
    model->to(device);

    auto x_train = ember::tensor({{0.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 0.0f}, {1.0f, 1.0f}}).to(device);
    auto y_train = ember::tensor({{0.0f}, {1.0f}, {1.0f}, {0.0f}}).to(device);
    nn::MSELoss criterion;
    optim::SGD optimizer(model->parameters(), optim::SGDOptions(0.1));
    for (int epoch = 0; epoch < 100; ++epoch) {
      model->train();
      optimizer.zero_grad();
      auto output = model(x_train);
      auto loss = criterion(output, y_train);
      loss.backward();
      optimizer.step();
      if ((epoch + 1) % 10 == 0) std::printf("Epoch [%d/100], Loss: %.4f\n", epoch + 1, loss.item<double>());
    }

    if (list_devices) {
      std::cout << "\nPlugins:\n";
      for (const auto& p : ember::plugins::list())
        std::cout << "  " << p.name << " " << p.version << "  "
                  << (p.loaded ? "loaded" : "not loaded: " + p.reason) << "  (" << p.path << ")\n";
      std::cout << "Devices:";
      for (const auto& d : ember::devices()) std::cout << " " << d;
      std::cout << "\nRan on: " << device << "\n";
    }
  } catch (const ember::Error& e) {
    std::cerr << "seed_tutorial: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
