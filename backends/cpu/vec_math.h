#pragma once
// Branch-free float math that the compiler vectorises (libm's calls are not),
// for fused kernels where the exponential dominates. Accuracy: within 2 ulp
// of std::exp over the normal range (tests/test_reduce checks softmax
// against PyTorch, which uses Sleef's 1-ulp exp).
#include <bit>
#include <cstdint>
#include <limits>

namespace ember::cpu {

// exp(x) = 2^n · exp(r), n = round(x / ln 2), |r| ≤ ln(2)/2, with Cephes'
// minimax polynomial for exp(r). Results below FLT_MIN flush to 0.
__attribute__((always_inline)) inline float exp_vectorisable(float x) {
  constexpr float kMax = 88.3762626647949f;   // ln(FLT_MAX)
  constexpr float kMin = -87.3365447505531f;  // ln(FLT_MIN)
  const float xc = x < kMin ? kMin : (x > kMax ? kMax : x);
  // round(x / ln 2) by the 1.5·2^23 trick: floorf would need -fno-trapping-math
  // before GCC vectorises it.
  constexpr float kRound = 12582912.0f;
  const float n = (xc * 1.44269504088896341f + kRound) - kRound;
  const float r = (xc - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float y = p * r * r + r + 1.0f;
  // 2^n from its exponent bits. n ∈ [-126, 128]; n = 128 (rounding near
  // kMax) is taken as 2^127 · 2 so the exponent field never overflows.
  const bool top = n > 127.0f;
  const int32_t e = int32_t(top ? 127.0f : n) + 127;
  const float scale = std::bit_cast<float>(uint32_t(e) << 23);
  float result = y * scale * (top ? 2.0f : 1.0f);
  result = x < kMin ? 0.0f : result;
  result = x > kMax ? std::numeric_limits<float>::infinity() : result;
  return x != x ? x : result;
}

}  // namespace ember::cpu
