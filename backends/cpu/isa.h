#pragma once
// Note [Instruction sets]
// The plugin is compiled for its target's baseline (x86-64: SSE2, as Debian
// builds everything), so it loads on any x86-64 CPU. The loops that decide
// the kernels' speed — floating-point elementwise math, reductions,
// softmax, layer norm — are compiled three times: for AVX-512
// (x86-64-v4), for AVX2 + FMA (x86-64-v3) and for the baseline.
// vectorized() runs the version the CPU supports, chosen once when the
// plugin loads (active_isa). EMBER_CPU_ISA=avx2 or =baseline caps the
// choice, to compare the versions or test them all on one machine.
//
// Only floating-point loops are cloned: integer kernels rarely dominate a
// model's time, and three copies of every kernel would triple the plugin.
// A build configured with -DEMBER_CPU_MARCH=... (say native) compiles
// everything for that one instruction set instead and clones nothing.
//
// How a loop is cloned: vectorized() calls the loop (an always_inline
// lambda) from a function compiled with __attribute__((target)); the loop
// is inlined there, so the compiler vectorises it for that instruction set.
#include <cstdint>

namespace ember::cpu {

enum class Isa : int32_t { Baseline = 0, Avx2 = 1, Avx512 = 2 };

// The instruction set the cloned loops run with; set by select_isa().
extern Isa active_isa;

// Picks active_isa from the CPU and EMBER_CPU_ISA (an Error for a value
// other than avx512, avx2 or baseline).
void select_isa();
// "AVX-512", "AVX2", or the baseline's name.
const char* isa_name(Isa isa);

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(EMBER_CPU_SINGLE_ISA)
#define EMBER_CPU_CLONES 1
namespace detail {
template <typename Loop>
[[gnu::noinline, gnu::target("arch=x86-64-v4")]] void run_avx512(Loop& loop) {
  loop();
}
template <typename Loop>
[[gnu::noinline, gnu::target("arch=x86-64-v4,prefer-vector-width=256")]] void run_avx512_256(Loop& loop) {
  loop();
}
template <typename Loop>
[[gnu::noinline, gnu::target("arch=x86-64-v3")]] void run_avx2(Loop& loop) {
  loop();
}
}  // namespace detail
#endif

// Marks the lambda handed to vectorized(): it must be inlined into each
// clone, or it would run as baseline code.
#define EMBER_VECTOR_LOOP __attribute__((always_inline))

// Runs `loop` compiled for active_isa when Clone (a floating-point loop),
// else inline at the baseline:
//   vectorized<std::is_floating_point_v<T>>([&]() EMBER_VECTOR_LOOP {
//     for (int64_t i = 0; i < n; ++i) out[i] = a[i] + b[i];
//   });
// ShortLoops: the loop's trip counts are a few dozen (rows of a small
// image), so its AVX-512 version uses 256-bit vectors: a 16-lane loop over
// 14 elements would never leave its scalar remainder.
template <bool Clone = true, bool ShortLoops = false, typename Loop>
inline void vectorized(Loop&& loop) {
#ifdef EMBER_CPU_CLONES
  if constexpr (Clone) {
    switch (active_isa) {
      case Isa::Avx512:
        if constexpr (ShortLoops) detail::run_avx512_256(loop);
        else detail::run_avx512(loop);
        return;
      case Isa::Avx2: detail::run_avx2(loop); return;
      case Isa::Baseline: break;
    }
  }
#endif
  loop();
}

}  // namespace ember::cpu
