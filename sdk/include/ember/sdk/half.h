#pragma once
// float16 and bfloat16 as storage types with conversion to and from float
// (round to nearest even), shared by the core and backends.
#include <cstdint>
#include <cstring>

namespace ember::sdk {

inline float bits_to_float(uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}
inline uint32_t float_to_bits(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return bits;
}

struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float f) : bits(from_float(f)) {}
  operator float() const { return to_float(bits); }

  static float to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000) << 16;
    const uint32_t exponent = (h >> 10) & 0x1f;
    const uint32_t mantissa = h & 0x3ff;
    if (exponent == 0) {
      if (mantissa == 0) return bits_to_float(sign);
      // subnormal: value = mantissa * 2^-24
      float v = float(mantissa) * 5.9604644775390625e-08f;
      return sign ? -v : v;
    }
    if (exponent == 31) return bits_to_float(sign | 0x7f800000u | (mantissa << 13));
    return bits_to_float(sign | ((exponent + 112) << 23) | (mantissa << 13));
  }
  static uint16_t from_float(float f) {
    uint32_t x = float_to_bits(f);
    const uint16_t sign = uint16_t((x >> 16) & 0x8000);
    x &= 0x7fffffffu;
    if (x >= 0x7f800000u) return uint16_t(sign | 0x7c00 | (x > 0x7f800000u ? 0x200 : 0));  // inf / nan
    if (x >= 0x477ff000u) return uint16_t(sign | 0x7c00);  // rounds to overflow
    if (x < 0x38800000u) {                                  // subnormal half or zero
      // value / 2^-24 rounded to nearest even
      float v = bits_to_float(x) * 16777216.0f;
      uint32_t m = uint32_t(v);
      float rest = v - float(m);
      if (rest > 0.5f || (rest == 0.5f && (m & 1))) ++m;
      return uint16_t(sign | m);
    }
    uint32_t mantissa = x & 0x7fffff;
    uint32_t exponent = (x >> 23) - 112;
    uint32_t h = (exponent << 10) | (mantissa >> 13);
    uint32_t round = mantissa & 0x1fff;
    if (round > 0x1000 || (round == 0x1000 && (h & 1))) ++h;
    return uint16_t(sign | h);
  }
};

struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f) : bits(from_float(f)) {}
  operator float() const { return bits_to_float(uint32_t(bits) << 16); }
  static uint16_t from_float(float f) {
    uint32_t x = float_to_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40);  // quiet nan
    x += 0x7fff + ((x >> 16) & 1);
    return uint16_t(x >> 16);
  }
};

}  // namespace ember::sdk
