#!/usr/bin/env bash
# The CUDA backend on a machine with an NVIDIA GPU: builds what it needs,
# then runs, each step logged and timed, continuing past failures:
#   1. nvidia-smi and `ember devices` (cuda:0 must be listed)
#   2. the cuda_plugin_devices CTest (the GPU branch: cuda:0 exists)
#   3. `ember check-backend` on the CUDA plugin (the whole conformance kit)
#   4. seed_tutorial --device cuda (its output must equal the CPU's)
#   5. fashion_mnist --device cuda --epochs 1 (cnn and mlp; --limit unless FULL=1),
#      then the cnn again with EMBER_FALLBACK=strict (no op may fall back)
#   6. bench_device on cuda:0 and on the CPU (timings side by side)
# A summary of the steps closes the output; the exit status is 1 when any
# step failed. Logs go to $OUT (when set, as on a lent GPU machine) or
# build/gpu-check/.
#   tools/gpu-check.sh [build-dir]       (BUILD=0 skips the build)
# On a GPU machine that cannot build, tools/gpu-pack.sh (here) and
# tools/gpu-run.sh (there) run the same checks from a packed build.
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
logs=${OUT:-$build/gpu-check}
mkdir -p "$logs"
export EMBER_PLUGIN_PATH="$PWD/$build/lib/ember/plugins"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/ember-ccache}" CCACHE_BASEDIR="${CCACHE_BASEDIR:-$PWD}"
declare -a summary
failed=0

# step NAME TIMEOUT COMMAND...: runs COMMAND, logging to $logs/NAME.log.
step() {
  local name=$1 limit=$2
  shift 2
  local start=$SECONDS
  echo "=== $name: $*"
  timeout "$limit" "$@" 2>&1 | tee "$logs/$name.log"
  local rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  if [[ $rc == 0 ]]; then summary+=("ok      $name (${took}s)"); else summary+=("FAILED  $name (exit $rc, ${took}s)"); failed=1; fi
  return "$rc"
}

finish() {
  echo "=== summary (logs in $logs)"
  printf '%s\n' "${summary[@]}"
  exit "$failed"
}

if [[ "${BUILD:-1}" != 0 ]]; then
  step configure 300 cmake --preset default -G Ninja -DEMBER_BACKEND_CUDA=ON -DEMBER_BUILD_TESTS=ON || finish
  step build 900 cmake --build "$build" -j "$(nproc)" --target ember-backend-cuda ember-backend-cpu ember_tool \
    seed_tutorial fashion_mnist bench_device || finish
fi

plugin="$build/lib/ember/plugins/libember-backend-cuda.so"
step nvidia-smi 30 nvidia-smi
# Without cuda:0 nothing below can run: stop here (the log says why).
step devices 60 bash -c "'$build/bin/ember' devices | tee /dev/stderr | grep -q 'Devices:.* cuda:0'" || finish
step ctest-devices 120 ctest --test-dir "$build" -R cuda_plugin_devices --output-on-failure
step check-backend 600 "$build/bin/ember" check-backend "$plugin"
step seed-tutorial 120 bash -c "
  '$build/bin/seed_tutorial' --device cpu > '$logs/seed_cpu.txt' &&
  '$build/bin/seed_tutorial' --device cuda > '$logs/seed_cuda.txt' &&
  diff '$logs/seed_cpu.txt' '$logs/seed_cuda.txt' && cat '$logs/seed_cuda.txt'"
limit="--limit 10000"
[[ "${FULL:-0}" == 1 ]] && limit=""
if [[ -e /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz ]]; then
  for model in cnn mlp; do
    step "fashion-mnist-$model" 600 "$build/bin/fashion_mnist" --model "$model" --device cuda --epochs 1 $limit
  done
  # Strict: any op without a CUDA kernel (a CPU fallback) is an error.
  step fashion-mnist-strict 300 env EMBER_FALLBACK=strict "$build/bin/fashion_mnist" --model cnn --device cuda \
    --epochs 1 --limit 2000
else
  summary+=("skipped fashion-mnist (no /usr/share/datasets/fashion-mnist: apt install dataset-fashion-mnist)")
fi
step bench-cuda 300 env EMBER_BENCH_DEVICE=cuda:0 "$build/bin/bench_device" --benchmark_min_time=0.2
step bench-cpu 300 env EMBER_BENCH_DEVICE=cpu "$build/bin/bench_device" --benchmark_min_time=0.2

finish
