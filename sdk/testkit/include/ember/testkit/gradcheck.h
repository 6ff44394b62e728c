#pragma once
// gradcheck and gradgradcheck, as torch.autograd.gradcheck/gradgradcheck:
// the analytic Jacobian (autograd::grad with one-hot output gradients) against
// central finite differences, one input element at a time.
//
//   auto r = ember::testkit::gradcheck([](const std::vector<Tensor>& x) { return x[0].exp() * x[1]; },
//                                      {a, b});   // float64 leaves with requires_grad
//   EXPECT_TRUE(r) << r.message;
//
// fn takes the inputs and returns one Tensor or a std::vector<Tensor>; only
// its floating-point outputs are checked (indices are ignored). fn must be a
// pure function of its inputs: it is called many times with perturbed values.
#include <functional>
#include <iosfwd>
#include <string>
#include <type_traits>
#include <vector>

#include <ember/ember.h>

namespace ember::testkit {

// What a check found. ok, or `message` names the first mismatch: the output
// and input, the element of each, the numerical and analytical values.
struct GradcheckResult {
  bool ok = true;
  std::string message;
  explicit operator bool() const noexcept { return ok; }
};
std::ostream& operator<<(std::ostream& out, const GradcheckResult& r);

using GradcheckFn = std::function<std::vector<Tensor>(const std::vector<Tensor>&)>;

// First order: d outputs / d inputs for every input that requires grad
// (which must be float64), element by element. An entry passes when
// |analytical - numerical| <= atol + rtol * |numerical|. Also checks that each
// gradient has its input's shape and dtype and that running the backward
// twice gives the same values (reentrancy).
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs, double eps = 1e-6,
                          double atol = 1e-5, double rtol = 1e-3);

// Second order: gradcheck of the function (inputs, grad_outputs) -> the
// gradients of fn's outputs with respect to its inputs, computed with
// create_graph = true. grad_outputs default to fixed pseudo-random values in
// [-1, 1) (float64, requires_grad), one per floating output that requires grad.
GradcheckResult gradgradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                              const std::vector<Tensor>& grad_outputs = {}, double eps = 1e-6, double atol = 1e-5,
                              double rtol = 1e-3);

// The same for a fn returning one Tensor.
template <typename Fn, std::enable_if_t<std::is_same_v<std::invoke_result_t<Fn&, const std::vector<Tensor>&>, Tensor>,
                                        int> = 0>
GradcheckFn as_gradcheck_fn(Fn fn) {
  return [fn](const std::vector<Tensor>& inputs) mutable { return std::vector<Tensor>{fn(inputs)}; };
}
template <typename Fn, std::enable_if_t<std::is_same_v<std::invoke_result_t<Fn&, const std::vector<Tensor>&>, Tensor>,
                                        int> = 0>
GradcheckResult gradcheck(Fn fn, const std::vector<Tensor>& inputs, double eps = 1e-6, double atol = 1e-5,
                          double rtol = 1e-3) {
  return gradcheck(as_gradcheck_fn(std::move(fn)), inputs, eps, atol, rtol);
}
template <typename Fn, std::enable_if_t<std::is_same_v<std::invoke_result_t<Fn&, const std::vector<Tensor>&>, Tensor>,
                                        int> = 0>
GradcheckResult gradgradcheck(Fn fn, const std::vector<Tensor>& inputs, const std::vector<Tensor>& grad_outputs = {},
                              double eps = 1e-6, double atol = 1e-5, double rtol = 1e-3) {
  return gradgradcheck(as_gradcheck_fn(std::move(fn)), inputs, grad_outputs, eps, atol, rtol);
}

}  // namespace ember::testkit
