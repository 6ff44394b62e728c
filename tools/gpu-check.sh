#!/usr/bin/env bash
# The CUDA backend on a machine with an NVIDIA GPU that can also build:
# configures and builds what the checks need, packs it (tools/gpu-pack.sh)
# and runs tools/gpu-run.sh on the pack — the same steps a lent GPU machine
# runs from a pack carried there: `ember devices` (cuda:0 must be listed),
# the conformance kit, seed_tutorial against the CPU, fashion_mnist (also
# with EMBER_FALLBACK=strict), bench_device and bench/torch_device.py.
# Logs go to $OUT or .gpu-out/; the exit status is 1 when any step failed.
#   tools/gpu-check.sh [build-dir]       (BUILD=0 skips the build; FULL=1, EPOCHS=N as gpu-run.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ember-ccache}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
if [[ "${BUILD:-1}" != 0 ]]; then
  cmake --preset default -G Ninja -DEMBER_BACKEND_CUDA=ON -DEMBER_BUILD_TESTS=ON
fi
# gpu-pack.sh builds the packed targets (BUILD=1); the size limit is the lent
# machine's, which does not apply here.
BUILD=${BUILD:-1} LIMIT_MIB=${LIMIT_MIB:-100000} tools/gpu-pack.sh "$build" .gpu
exec tools/gpu-run.sh .gpu
