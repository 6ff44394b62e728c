// Which instruction set the cloned loops run with (Note [Instruction sets]).
#include "isa.h"

#include <cstdlib>
#include <string>

#include "ember/sdk/backend.h"

namespace ember::cpu {

Isa active_isa = Isa::Baseline;

namespace {
Isa cpu_isa() {
#ifdef EMBER_CPU_CLONES
  __builtin_cpu_init();
  // Exactly what the clones were compiled for (target("arch=x86-64-v4")):
  // the psABI levels, which GCC's runtime checks know by name.
  if (__builtin_cpu_supports("x86-64-v4")) return Isa::Avx512;
  if (__builtin_cpu_supports("x86-64-v3")) return Isa::Avx2;
#endif
  return Isa::Baseline;
}
}  // namespace

void select_isa() {
  Isa isa = cpu_isa();
  if (const char* cap = std::getenv("EMBER_CPU_ISA"); cap && *cap) {
    const std::string v = cap;
    Isa limit;
    if (v == "avx512") limit = Isa::Avx512;
    else if (v == "avx2") limit = Isa::Avx2;
    else if (v == "baseline") limit = Isa::Baseline;
    else
      sdk::fail("EMBER_CPU_ISA=" + v + " is not an instruction set the CPU backend knows; use avx512, avx2 or "
                "baseline");
    if (limit < isa) isa = limit;
  }
  active_isa = isa;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "AVX-512";
    case Isa::Avx2: return "AVX2";
    case Isa::Baseline: break;
  }
#if defined(EMBER_CPU_CLONES)
  return "x86-64 baseline";
#elif defined(EMBER_CPU_MARCH_NAME)
  return "-march=" EMBER_CPU_MARCH_NAME;
#else
  return "the compiler's default target";
#endif
}

}  // namespace ember::cpu
