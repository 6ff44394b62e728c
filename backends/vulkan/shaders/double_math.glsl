// exp, log, sin, cos, tanh, sigmoid and pow in double precision, which GLSL
// lacks (its built-ins take float only). Range reduction plus polynomials,
// as fdlibm does them; accurate to a few ulp over the ranges training uses,
// so float64 ops — and float64 gradcheck on the device — need no CPU.
#ifndef EMBER_DOUBLE_MATH_GLSL
#define EMBER_DOUBLE_MATH_GLSL

const double D_LN2_HI = 6.93147180369123816490e-01LF;  // ln 2, split so k * hi is exact
const double D_LN2_LO = 1.90821492927058770002e-10LF;
const double D_INV_LN2 = 1.44269504088896338700e+00LF;
const double D_PIO2_1 = 1.57079632673412561417e+00LF;  // pi/2 in three parts (fdlibm's)
const double D_PIO2_2 = 6.07710050630396597660e-11LF;
const double D_PIO2_3 = 2.02226624871116645580e-21LF;
const double D_TWO_OVER_PI = 6.36619772367581382433e-01LF;

double d_inf() { return double(1.0 / 0.0); }
double d_nan() { return double(0.0 / 0.0); }

// 2^k * p without overflowing an intermediate (k may reach +-1075).
double d_scale(double p, int k) {
  const int half_k = k / 2;
  return ldexp(ldexp(p, half_k), k - half_k);
}

double dexp(double x) {
  if (isnan(x)) return x;
  if (x > 709.782712893384LF) return d_inf();
  if (x < -745.1332191019412LF) return 0.0LF;
  const double k = roundEven(x * D_INV_LN2);
  const double r = (x - k * D_LN2_HI) - k * D_LN2_LO;  // |r| <= ln2/2
  // e^r by Taylor to r^14/14! (the next term is below 1e-18 here).
  double p = 1.0LF / 87178291200.0LF;
  p = p * r + 1.0LF / 6227020800.0LF;
  p = p * r + 1.0LF / 479001600.0LF;
  p = p * r + 1.0LF / 39916800.0LF;
  p = p * r + 1.0LF / 3628800.0LF;
  p = p * r + 1.0LF / 362880.0LF;
  p = p * r + 1.0LF / 40320.0LF;
  p = p * r + 1.0LF / 5040.0LF;
  p = p * r + 1.0LF / 720.0LF;
  p = p * r + 1.0LF / 120.0LF;
  p = p * r + 1.0LF / 24.0LF;
  p = p * r + 1.0LF / 6.0LF;
  p = p * r + 0.5LF;
  p = p * r + 1.0LF;
  p = p * r + 1.0LF;
  return d_scale(p, int(k));
}

double dlog(double x) {
  if (isnan(x) || x < 0.0LF) return d_nan();
  if (x == 0.0LF) return -d_inf();
  if (isinf(x)) return x;
  int e;
  double m = frexp(x, e);  // x = m * 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440LF) {
    m *= 2.0LF;
    e -= 1;
  }
  // log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.172
  const double s = (m - 1.0LF) / (m + 1.0LF), s2 = s * s;
  double p = 1.0LF / 25.0LF;
  for (int i = 11; i >= 0; --i) p = p * s2 + 1.0LF / double(2 * i + 1);
  return double(e) * D_LN2_HI + (2.0LF * s * p + double(e) * D_LN2_LO);
}

// sin and cos of r in [-pi/4, pi/4], by Taylor to r^17 and r^18.
double d_sin_kernel(double r) {
  const double r2 = r * r;
  double p = -1.0LF / 121645100408832000.0LF;  // -1/19!
  p = p * r2 + 1.0LF / 355687428096000.0LF;
  p = p * r2 - 1.0LF / 1307674368000.0LF;
  p = p * r2 + 1.0LF / 6227020800.0LF;
  p = p * r2 - 1.0LF / 39916800.0LF;
  p = p * r2 + 1.0LF / 362880.0LF;
  p = p * r2 - 1.0LF / 5040.0LF;
  p = p * r2 + 1.0LF / 120.0LF;
  p = p * r2 - 1.0LF / 6.0LF;
  return r + r * r2 * p;
}
double d_cos_kernel(double r) {
  const double r2 = r * r;
  double p = 1.0LF / 6402373705728000.0LF;  // 1/18!
  p = p * r2 - 1.0LF / 20922789888000.0LF;
  p = p * r2 + 1.0LF / 87178291200.0LF;
  p = p * r2 - 1.0LF / 479001600.0LF;
  p = p * r2 + 1.0LF / 3628800.0LF;
  p = p * r2 - 1.0LF / 40320.0LF;
  p = p * r2 + 1.0LF / 720.0LF;
  p = p * r2 - 1.0LF / 24.0LF;
  p = p * r2 + 0.5LF;
  return 1.0LF - r2 * p;
}
// x = k pi/2 + r; returns r and the quadrant k mod 4.
double d_reduce(double x, out int quadrant) {
  const double k = roundEven(x * D_TWO_OVER_PI);
  quadrant = int(mod(k, 4.0LF));
  return ((x - k * D_PIO2_1) - k * D_PIO2_2) - k * D_PIO2_3;
}
double dsin(double x) {
  if (isnan(x) || isinf(x)) return d_nan();
  int q;
  const double r = d_reduce(x, q);
  if (q == 0) return d_sin_kernel(r);
  if (q == 1) return d_cos_kernel(r);
  if (q == 2) return -d_sin_kernel(r);
  return -d_cos_kernel(r);
}
double dcos(double x) {
  if (isnan(x) || isinf(x)) return d_nan();
  int q;
  const double r = d_reduce(x, q);
  if (q == 0) return d_cos_kernel(r);
  if (q == 1) return -d_sin_kernel(r);
  if (q == 2) return -d_cos_kernel(r);
  return d_sin_kernel(r);
}

double dtanh(double x) {
  if (isnan(x)) return x;
  const double a = abs(x);
  double t;
  if (a > 22.0LF) {
    t = 1.0LF;  // tanh is 1 to double precision
  } else if (a < 0.0625LF) {
    // Taylor, free of the cancellation in (1 - e^-2a) / (1 + e^-2a)
    const double a2 = a * a;
    t = a * (1.0LF + a2 * (-1.0LF / 3.0LF + a2 * (2.0LF / 15.0LF + a2 * (-17.0LF / 315.0LF +
            a2 * (62.0LF / 2835.0LF + a2 * (-1382.0LF / 155925.0LF))))));
  } else {
    const double e = dexp(-2.0LF * a);
    t = (1.0LF - e) / (1.0LF + e);
  }
  return x < 0.0LF ? -t : t;
}

double dsigmoid(double x) { return 1.0LF / (1.0LF + dexp(-x)); }

// C's pow: negative bases with integral exponents, zero bases, nan.
double dpow(double a, double b) {
  if (b == 0.0LF) return 1.0LF;
  if (b == 2.0LF) return a * a;
  if (isnan(a) || isnan(b)) return a + b;
  if (a == 0.0LF) return b > 0.0LF ? 0.0LF : d_inf();
  if (b == 1.0LF) return a;
  if (b == 0.5LF && a > 0.0LF) return sqrt(a);
  double r = dexp(b * dlog(abs(a)));
  if (a < 0.0LF) {
    if (floor(b) != b) return d_nan();
    if (mod(b, 2.0LF) == 1.0LF) r = -r;
  }
  return r;
}

#endif
