#pragma once
// Helpers shared by the nn sources; not part of the public API.
#include <charconv>
#include <cmath>
#include <functional>
#include <string>
#include <utility>

#include "ember/autograd.h"

namespace ember::nn::detail {

// Python's repr() of a float, for pretty_print: 0.01 -> "0.01", 1.0 -> "1.0",
// 1e-05 -> "1e-05", 1e+16 -> "1e+16".
inline std::string python_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  // The shortest digits that round-trip, as Python's repr chooses them.
  const auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  const int exponent = std::stoi(sci.substr(e + 1));
  std::string sign;
  if (mantissa[0] == '-') {
    sign = "-";
    mantissa.erase(0, 1);
  }
  std::string digits = mantissa;
  if (digits.size() > 1) digits.erase(1, 1);  // drop the '.'
  if (exponent < -4 || exponent >= 16) {
    std::string exp = std::to_string(std::abs(exponent));
    if (exp.size() < 2) exp = "0" + exp;
    return sign + mantissa + (exponent < 0 ? "e-" : "e+") + exp;
  }
  std::string out;
  if (exponent < 0) {
    out = "0." + std::string(size_t(-exponent - 1), '0') + digits;
  } else if (size_t(exponent) + 1 >= digits.size()) {
    out = digits + std::string(size_t(exponent) + 1 - digits.size(), '0') + ".0";
  } else {
    out = digits.substr(0, size_t(exponent) + 1) + "." + digits.substr(size_t(exponent) + 1);
  }
  return sign + out;
}

inline const char* python_bool(bool b) { return b ? "True" : "False"; }

// Note [Composite forward, formula backward]
// A few nn functions are computed from ember ops, but differentiating that
// composite would give a worse gradient than PyTorch's formula: NaN where the
// composite passes through log(0) (binary_cross_entropy at 0 and 1), or the
// derivative of an approximation (gelu's erf). Those run `forward` without
// recording and attach one node, named as PyTorch names it, whose backward is
// PyTorch's formula written with ember ops — itself differentiable, so
// create_graph still works.
using NodeBackward =
    std::function<autograd::variable_list(const autograd::variable_list& saved, const Tensor& grad,
                                          const std::vector<bool>& needs_grad)>;
inline Tensor with_formula_backward(const std::string& name, const autograd::variable_list& inputs,
                                    const std::function<Tensor()>& forward, NodeBackward backward) {
  auto ctx = autograd::detail::make_context(inputs);
  autograd::variable_list outputs;
  {
    NoGradGuard no_grad;
    outputs = {forward()};
  }
  ctx->save_for_backward(inputs);
  const size_t n = inputs.size();
  autograd::detail::record_custom(
      name, inputs, outputs, ctx,
      [backward = std::move(backward), n](autograd::AutogradContext* c, autograd::variable_list grads) {
        std::vector<bool> needs(n);
        for (size_t i = 0; i < n; ++i) needs[i] = c->needs_input_grad(i);
        return backward(c->get_saved_variables(), grads[0], needs);
      });
  return outputs[0];
}

}  // namespace ember::nn::detail
