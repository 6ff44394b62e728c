#pragma once
// The op table of tests/test_gradcheck.cpp: one Case per differentiable op
// (and per variant worth checking), split by op family over
// test_gradcheck.cpp (elementwise, reductions) and gradcheck_shape_cases.cpp
// (linear algebra, shapes and views, indexing, in place). For every case the
// test runs gradcheck (and gradgradcheck unless first_order_only), compares
// the gradients with PyTorch's (tests/gen/autograd_expected.py, which mirrors
// this table) and checks the name of the node recorded for output 0.
#include <ember/ember.h>
#include <ember/testkit/gradcheck.h>

#include <cstdint>
#include <ostream>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ops_test_util.h"

namespace gradcheck_cases {

using ember::Tensor;
using V = const std::vector<Tensor>&;
using Outs = std::vector<Tensor>;

// How an input's values are made; autograd_expected.py's generated_value()
// is the same function. kAny: distinct values of magnitude 0.1..2 and mixed
// signs (away from 0, the integers and the halves, so kinks stay more than
// eps away); kPos: distinct values in [0.5, 2); kList: the values given.
enum class Gen { kAny, kPos, kList };

inline double generated_value(Gen gen, int64_t k, int64_t seed) {
  const int64_t r = (k * 37 + seed * 53 + 11) % 97;
  if (gen == Gen::kPos) return 0.5 + 1.5 * double(r) / 97;
  const double mag = 0.1 + 1.9 * double(r) / 97;
  return (k * 7 + seed * 3) % 5 < 2 ? -mag : mag;
}

struct In {
  std::vector<int64_t> shape;
  Gen gen = Gen::kAny;
  std::vector<double> values = {};
};
template <typename... S>
In any_(S... shape) {
  return {{int64_t(shape)...}, Gen::kAny, {}};
}
template <typename... S>
In pos(S... shape) {
  return {{int64_t(shape)...}, Gen::kPos, {}};
}
inline In lst(std::vector<int64_t> shape, std::vector<double> values) { return {std::move(shape), Gen::kList, std::move(values)}; }

// A float64 tensor of `shape` from the generator; inputs use seed 1, 2, ...
// (their position + 1), output gradients 101, 102, ...
inline Tensor generated(ember::IntArrayRef shape, Gen gen, int64_t seed, const std::vector<double>& values = {}) {
  int64_t n = 1;
  for (int64_t s : shape) n *= s;
  std::vector<double> v = values;
  if (gen != Gen::kList)
    for (int64_t k = 0; k < n; ++k) v.push_back(generated_value(gen, k, seed));
  return ember::tensor(v, ember::TensorOptions().dtype(ember::kFloat64)).reshape(shape);
}

struct Case {
  std::string name;
  std::vector<In> inputs;
  ember::testkit::GradcheckFn fn;
  std::string node;        // Ember's grad_fn()->name() for output 0
  std::string torch_node;  // PyTorch's, only where Ember records a different node
  bool gradgrad = true;
  std::string why_first_order_only;
  double eps = 1e-6, atol = 1e-5, rtol = 1e-3;

  // Ember records `node` where PyTorch records `torch` (a composite).
  Case&& differs(std::string torch) && {
    torch_node = std::move(torch);
    return std::move(*this);
  }
  // No gradgradcheck: the first derivative is discontinuous at these inputs.
  Case&& first_order_only(std::string why) && {
    gradgrad = false;
    why_first_order_only = std::move(why);
    return std::move(*this);
  }
  Case&& tolerances(double eps_, double atol_) && {
    eps = eps_;
    atol = atol_;
    return std::move(*this);
  }
};

// gtest prints a case by its name.
inline void PrintTo(const Case& c, std::ostream* out) { *out << c.name; }

template <typename Fn>
Case op(std::string name, std::vector<In> inputs, Fn fn, std::string node) {
  ember::testkit::GradcheckFn wrapped;
  if constexpr (std::is_same_v<std::invoke_result_t<Fn&, V>, Tensor>)
    wrapped = [fn](V x) mutable { return Outs{fn(x)}; };
  else
    wrapped = [fn](V x) mutable { return Outs(fn(x)); };
  Case c;
  c.name = std::move(name);
  c.inputs = std::move(inputs);
  c.fn = std::move(wrapped);
  c.node = std::move(node);
  return c;
}

inline std::vector<Tensor> make_inputs(const Case& c) {
  std::vector<Tensor> out;
  for (size_t i = 0; i < c.inputs.size(); ++i)
    out.push_back(generated(c.inputs[i].shape, c.inputs[i].gen, int64_t(i) + 1, c.inputs[i].values).requires_grad_());
  return out;
}

// What the generator recorded for a case.
struct InputSummary {
  std::vector<int64_t> shape;
  double checksum;  // sum of value * (flat index + 1)
};
struct Expected {
  const char* name;
  const char* torch_node;
  std::vector<InputSummary> inputs;
  std::vector<const ember_test::Ref*> grads;  // null: PyTorch gives None (unused input)
};

std::vector<Case> elementwise_and_reduction_cases();  // test_gradcheck.cpp
std::vector<Case> shape_and_indexing_cases();         // gradcheck_shape_cases.cpp

}  // namespace gradcheck_cases
