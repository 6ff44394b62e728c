#!/usr/bin/env bash
# The CPU plugin must load and run on any x86-64 CPU. Outside the AVX2 and
# AVX-512 clones of its loops (Note [Instruction sets] in
# backends/cpu/isa.h), no instruction may need more than the baseline: no
# VEX- or EVEX-encoded (AVX) instruction, no BMI, LZCNT or MOVBE. Lists the
# functions that break the rule and fails, or passes quietly.
#   check_baseline_isa.sh objdump path/to/libember-backend-cpu.so
set -euo pipefail
objdump=$1
plugin=$2
offenders=$("$objdump" -d --no-show-raw-insn -C "$plugin" | awk '
  /^[0-9a-f]+ <.*>:$/ { in_clone = ($0 ~ /run_avx512|run_avx2/); name = $0; next }
  !in_clone && $0 ~ /\t(v[a-z0-9]+|kmov[a-z]*|andn|bextr|blsi|blsr|shlx|shrx|sarx|rorx|pdep|pext|lzcnt|tzcnt|movbe)([ \t]|$)/ {
    print name
  }' | sort -u)
if [[ -n $offenders ]]; then
  echo "instructions beyond the x86-64 baseline outside the ISA clones, in:"
  echo "$offenders" | head -20
  exit 1
fi
echo "baseline only outside the clones: $(basename "$plugin")"
