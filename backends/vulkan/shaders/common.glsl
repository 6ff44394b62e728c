// Shared by every shader: extensions, the workgroup size and op as
// specialization constants, the push-constant scalars, and the grid-stride
// loop. A variant's dtypes arrive as defines (CMakeLists.txt, _vk_dtype_defines).
#extension GL_EXT_shader_explicit_arithmetic_types_int64 : enable
#extension GL_EXT_shader_explicit_arithmetic_types_int8 : enable
#extension GL_EXT_shader_8bit_storage : enable
#extension GL_EXT_shader_16bit_storage : enable
#extension GL_EXT_shader_explicit_arithmetic_types_int16 : enable
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : enable

// Workgroup size (ids 0, 1) and the op a pipeline computes (id 2): the host
// creates one pipeline per (variant, op), so the switch on OP folds away.
layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z = 1) in;
layout(constant_id = 2) const int OP = 0;

// Scalars: 8 slots of 64 bits as pairs of words, written by the host in the
// representation of the type the shader reads them as (stream.h, Push).
layout(push_constant) uniform Push { uint s[32]; } pc;

float scalar_f32(int k) { return uintBitsToFloat(pc.s[2 * k]); }
int scalar_i32(int k) { return int(pc.s[2 * k]); }
uint scalar_u32(int k) { return pc.s[2 * k]; }
#if defined(NEEDS_I64) || defined(T_I64) || defined(I_I64) || defined(O_I64) || defined(P_I64)
int64_t scalar_i64(int k) { return int64_t(pc.s[2 * k]) | (int64_t(pc.s[2 * k + 1]) << 32); }
uint64_t scalar_u64(int k) { return uint64_t(pc.s[2 * k]) | (uint64_t(pc.s[2 * k + 1]) << 32); }
#endif
#if defined(T_F64) || defined(I_F64) || defined(O_F64) || defined(P_F64)
double scalar_f64(int k) { return packDouble2x32(uvec2(pc.s[2 * k], pc.s[2 * k + 1])); }
#endif

// A scalar in T's arithmetic type.
#if defined(T_F32) || defined(T_HALF)
#define SCALAR_T(k) scalar_f32(k)
#elif defined(T_F64)
#define SCALAR_T(k) scalar_f64(k)
#elif defined(T_I64)
#define SCALAR_T(k) scalar_i64(k)
#elif defined(T_I32)
#define SCALAR_T(k) scalar_i32(k)
#else
#define SCALAR_T(k) scalar_u32(k)
#endif

// Loads and stores of T, I and O between their storage and arithmetic
// types: plain conversions, but bfloat16 is bits in a uint16_t, rounded to
// nearest even on the way in (nan stays a quiet nan), as sdk/half.h does.
#if defined(T_BF16) || defined(I_BF16) || defined(O_BF16)
float bf16_load(uint16_t v) { return uintBitsToFloat(uint(v) << 16); }
uint16_t bf16_store(float f) {
  uint x = floatBitsToUint(f);
  if ((x & 0x7fffffffu) > 0x7f800000u) return uint16_t((x >> 16) | 0x40u);
  x += 0x7fffu + ((x >> 16) & 1u);
  return uint16_t(x >> 16);
}
#endif
#if defined(T_BF16)
#define T_LOAD(v) bf16_load(v)
#define T_STORE(v) bf16_store(v)
#else
#define T_LOAD(v) T_C(v)
#define T_STORE(v) T(v)
#endif
#if defined(I_BF16)
#define I_LOAD(v) bf16_load(v)
#else
#define I_LOAD(v) I_C(v)
#endif
#if defined(O_BF16)
#define O_STORE(v) bf16_store(v)
#else
#define O_STORE(v) O(v)
#endif

// 1-d grid-stride loop over n items.
#define FOR_EACH(i, n) \
  for (int i = int(gl_GlobalInvocationID.x); i < (n); i += int(gl_NumWorkGroups.x * gl_WorkGroupSize.x))
