// Written only against api.md: factories, metadata, views, elementwise ops,
// reductions, matmul and printing. expected.txt is what Python prints for
// the same program (consumer.py).
#include <ember/ember.h>

#include <iostream>

int main() {
  ember::manual_seed(0);
  auto a = ember::tensor({{1, 2, 3}, {4, 5, 6}});
  std::cout << a << "\n" << a.sizes() << " " << a.dtype() << "\n";
  auto b = ember::rand({2, 3});
  std::cout << b << "\n";
  auto c = ember::arange(12, ember::kFloat32).reshape({3, 4});
  std::cout << c.t() << "\n" << c.transpose(0, 1).is_contiguous() << "\n";
  std::cout << (a * 2 + b) << "\n";
  std::cout << (a.to(ember::kFloat64) / 3) << "\n";
  std::cout << a.sum() << " " << b.mean() << " " << c.max() << "\n";
  std::cout << c.sum({0}) << "\n" << c.mean({1}, true) << "\n";
  std::cout << std::get<1>(c.max(1)) << "\n";
  std::cout << c.matmul(c.t()) << "\n";
  std::cout << ember::randn({3, 3}).matmul(ember::eye(3)) << "\n";
  std::cout << (c > 5) << "\n";
  std::cout << ember::linspace(0, 1, 5) << "\n";
  std::cout << ember::zeros({2, 0}) << "\n";
  std::cout << ember::tensor(4.0) << "\n";
  std::cout << c.softmax(1) << "\n";
  return 0;
}
