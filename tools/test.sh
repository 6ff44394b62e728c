#!/usr/bin/env bash
# The README's second command (and CI's): install what is missing, build
# everything, run the whole suite with CTest — in the default preset, then
# (unless EMBER_SANITIZERS=0) again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-debian.sh
jobs=$(nproc)
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ember-ccache}"
# Paths relative to the checkout, so clones in other directories share hits.
export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"

cmake --preset default -G Ninja
cmake --build build -j "$jobs"
if [[ "${EMBER_SANITIZERS:-1}" != 0 ]]; then
  (cd build && ctest -j "$jobs" --output-on-failure)
  cmake --preset asan -G Ninja
  cmake --build build-asan -j "$jobs"
  # Drivers (PoCL, lavapipe) keep allocations for the process's life.
  export LSAN_OPTIONS="suppressions=$PWD/tools/lsan-suppressions.txt:print_suppressions=0"
  cd build-asan
else
  cd build
fi
ctest -j "$jobs" --output-on-failure
