// The seed tutorial's tensor and autograd examples in C++, and the devices
// Ember found.
//   seed_tutorial [--seed N]
#include <ember/ember.h>

#include <cstring>
#include <iostream>
#include <string>

int main(int argc, char** argv) {
  uint64_t seed = 0;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], "--seed") == 0) seed = std::stoull(argv[i + 1]);
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

  std::cout << "\nPlugins:\n";
  for (const auto& p : ember::plugins::list())
    std::cout << "  " << p.name << " " << p.version << "  " << (p.loaded ? "loaded" : "not loaded: " + p.reason)
              << "  (" << p.path << ")\n";
  std::cout << "Devices:";
  for (const auto& d : ember::devices()) std::cout << " " << d;
  std::cout << "\n";
  return 0;
}
