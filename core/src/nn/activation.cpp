// Activations with options: leaky_relu, gelu, silu, softmax, log_softmax,
// composed from ember ops, and their modules' Python-style printing.
#include "ember/nn/activation.h"

#include <cmath>
#include <ostream>

#include "ember/factories.h"
#include "ember/functions.h"
#include "nn/detail.h"

namespace ember::nn {
namespace functional {
namespace {

// erf as a composite of ember ops (Ember has no erf primitive).
//
// float32 (and narrower): Eigen's rational approximation (also XLA's and
// TVM's), x·P(x²)/Q(x²) on x clamped to [-4, 4]; 7.5e-8 from erf in exact
// arithmetic, 4.2e-7 (a few ulp) in float32 — PyTorch's float32 GELU to
// float tolerance.
Tensor erf_float(const Tensor& input) {
  static constexpr double kAlpha[] = {-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                                      -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                                      -1.60960333262415e-02};
  static constexpr double kBeta[] = {-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                                     -7.37332916720468e-03, -1.42647390514189e-02};
  const Tensor x = input.clamp(-4.0, 4.0);
  const Tensor x2 = x * x;
  Tensor p = x2 * kAlpha[0] + kAlpha[1];
  for (size_t i = 2; i < std::size(kAlpha); ++i) p = x2 * p + kAlpha[i];
  Tensor q = x2 * kBeta[0] + kBeta[1];
  for (size_t i = 2; i < std::size(kBeta); ++i) q = x2 * q + kBeta[i];
  return x * p / q;
}

// float64: W. J. Cody's rational Chebyshev approximations ("Rational
// Chebyshev approximations for the error function", Math. Comp. 23, 1969;
// SPECFUN's CALERF), accurate to double precision: erf on |x| <= 0.46875,
// erfc on (0.46875, 4] and beyond 4 (where erf(|x| >= 6) rounds to 1). Each
// range is evaluated on the input clamped into it, and `where` picks.
Tensor erf_double(const Tensor& x) {
  static constexpr double kA[] = {3.16112374387056560e0, 1.13864154151050156e2, 3.77485237685302021e2,
                                  3.20937758913846947e3, 1.85777706184603153e-1};
  static constexpr double kB[] = {2.36012909523441209e1, 2.44024637934444173e2, 1.28261652607737228e3,
                                  2.84423683343917062e3};
  static constexpr double kC[] = {5.64188496988670089e-1, 8.88314979438837594e0, 6.61191906371416295e1,
                                  2.98635138197400131e2,  8.81952221241769090e2, 1.71204761263407058e3,
                                  2.05107837782607147e3,  1.23033935479799725e3, 2.15311535474403846e-8};
  static constexpr double kD[] = {1.57449261107098347e1, 1.17693950891312499e2, 5.37181101862009858e2,
                                  1.62138957456669019e3, 3.29079923573345963e3, 4.36261909014324716e3,
                                  3.43936767414372164e3, 1.23033935480374942e3};
  static constexpr double kP[] = {3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
                                  1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2};
  static constexpr double kQ[] = {2.56852019228982242e0, 1.87295284992346047e0, 5.27905102951428412e-1,
                                  6.05183413124413191e-2, 2.33520497626869185e-3};
  constexpr double kOneOverSqrtPi = 5.6418958354775628695e-1;
  const Tensor y = x.abs();

  const Tensor y1 = y.clamp_max(0.46875), z1 = y1 * y1;
  Tensor num = z1 * kA[4], den = z1;
  for (int i = 0; i < 3; ++i) {
    num = (num + kA[i]) * z1;
    den = (den + kB[i]) * z1;
  }
  const Tensor erf_small = y1 * (num + kA[3]) / (den + kB[3]);

  const Tensor y2 = y.clamp(0.46875, 4.0);
  num = y2 * kC[8];
  den = y2;
  for (int i = 0; i < 7; ++i) {
    num = (num + kC[i]) * y2;
    den = (den + kD[i]) * y2;
  }
  const Tensor erfc_mid = (num + kC[7]) / (den + kD[7]) * (-(y2 * y2)).exp();

  const Tensor y3 = y.clamp(4.0, 6.0), z3 = (y3 * y3).reciprocal();
  num = z3 * kP[5];
  den = z3;
  for (int i = 0; i < 4; ++i) {
    num = (num + kP[i]) * z3;
    den = (den + kQ[i]) * z3;
  }
  const Tensor r = z3 * (num + kP[4]) / (den + kQ[4]);
  const Tensor erfc_large = (-(y3 * y3)).exp() * (kOneOverSqrtPi - r) / y3;

  const Tensor erf_abs = where(y <= 0.46875, erf_small, where(y <= 4.0, 1 - erfc_mid, 1 - erfc_large));
  return erf_abs * x.sign();
}

Tensor erf_approx(const Tensor& x) { return x.dtype() == kFloat64 ? erf_double(x) : erf_float(x); }

// Φ(x), the standard normal CDF, as PyTorch's GELU kernel computes it.
Tensor normal_cdf(const Tensor& x) { return (erf_approx(x * M_SQRT1_2) + 1) * 0.5; }

}  // namespace

Tensor leaky_relu(const Tensor& input, const LeakyReLUFuncOptions& options) {
  const double slope = options.negative_slope();
  if (options.inplace()) {
    // Multiplying by 1 leaves the positive elements exact.
    return input.mul_(where(input > 0, ones_like(input), full_like(input, slope)));
  }
  return where(input > 0, input, input * slope);
}

Tensor gelu(const Tensor& input, const GELUFuncOptions& options) {
  const std::string& approximate = options.approximate();
  if (approximate == "tanh") {
    // PyTorch's kernel: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).
    constexpr double kBeta = M_SQRT2 * M_2_SQRTPI * 0.5;
    const Tensor inner = (input + input * input * input * 0.044715) * kBeta;
    return input * 0.5 * (inner.tanh() + 1);
  }
  EMBER_CHECK(approximate == "none", "gelu: approximate must be \"none\" or \"tanh\", got \"", approximate, "\"");
  // x·Φ(x). The gradient is PyTorch's Φ(x) + x·φ(x), not the derivative of
  // the erf approximation (Note [Composite forward, formula backward]).
  return detail::with_formula_backward(
      "GeluBackward0", {input}, [&] { return input * 0.5 * (erf_approx(input * M_SQRT1_2) + 1); },
      [](const autograd::variable_list& saved, const Tensor& grad, const std::vector<bool>&) {
        const Tensor& x = saved[0];
        constexpr double kAlpha = M_2_SQRTPI * M_SQRT1_2 * 0.5;
        const Tensor pdf = (x * x * -0.5).exp() * kAlpha;
        return autograd::variable_list{grad * (normal_cdf(x) + x * pdf)};
      });
}

Tensor silu(const Tensor& input) { return input * input.sigmoid(); }

Tensor softmax(const Tensor& input, const SoftmaxFuncOptions& options) {
  return input.softmax(options.dim(), options.dtype());
}

Tensor log_softmax(const Tensor& input, const LogSoftmaxFuncOptions& options) {
  return input.log_softmax(options.dim(), options.dtype());
}

}  // namespace functional

namespace F = functional;

Tensor LeakyReLUImpl::forward(const Tensor& input) { return F::leaky_relu(input, options); }
void LeakyReLUImpl::pretty_print(std::ostream& out) const {
  out << "negative_slope=" << detail::python_float(options.negative_slope());
  if (options.inplace()) out << ", inplace=True";
}

GELUImpl::GELUImpl(const GELUOptions& options) : options(options) {
  EMBER_CHECK(options.approximate() == "none" || options.approximate() == "tanh",
              "GELU: approximate must be \"none\" or \"tanh\", got \"", options.approximate(), "\"");
}
Tensor GELUImpl::forward(const Tensor& input) { return F::gelu(input, options); }
void GELUImpl::pretty_print(std::ostream& out) const { out << "approximate='" << options.approximate() << "'"; }

Tensor SiLUImpl::forward(const Tensor& input) { return F::silu(input); }

Tensor SoftmaxImpl::forward(const Tensor& input) { return F::softmax(input, options.dim()); }
void SoftmaxImpl::pretty_print(std::ostream& out) const { out << "dim=" << options.dim(); }

Tensor LogSoftmaxImpl::forward(const Tensor& input) { return F::log_softmax(input, options.dim()); }
void LogSoftmaxImpl::pretty_print(std::ostream& out) const { out << "dim=" << options.dim(); }

}  // namespace ember::nn
