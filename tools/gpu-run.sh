#!/usr/bin/env bash
# The CUDA checks of tools/gpu-check.sh from a pack (tools/gpu-pack.sh), for a machine that cannot build: it
# reads only the folder tools/gpu-pack.sh made (.gpu) and this checkout's
# bench/torch_device.py. Run from anywhere in the repository:
#   tools/gpu-run.sh [pack-dir]                     (default .gpu)
# Each step is timed, logged and continues past failures; the logs go to
# $OUT (set on a lent GPU machine, which returns at most 8 files: there are
# 6 logs and summary.txt) or .gpu-out/:
#   smoke.log          nvidia-smi -L, `ember devices` (cuda:0 must be listed),
#                      seed_tutorial --device cpu vs --device cuda (identical output)
#   check-backend.log  ember check-backend on the packed CUDA plugin
#   fashion-mnist.log  fashion_mnist --epochs $EPOCHS (default 1), mlp and cnn (--limit 10000
#                      unless FULL=1), then the cnn with EMBER_FALLBACK=strict
#                      --limit 2000 (no op may fall back to the CPU)
#   bench-ember.log    bench_device on cuda:0 (--benchmark_min_time=$BENCH_MIN_TIME)
#   bench-torch.log    bench/torch_device.py --device cuda (the same cases in PyTorch)
#   summary.txt        the steps, the test accuracies, the two benchmarks side
#                      by side; also printed at the end. The exit status is 1
#                      when any step failed.
# Environment: EPOCHS, DEVICE (default cuda; DEVICE=cpu runs the same steps on the CPU,
# to test the pack on a machine without a GPU), FULL=1, BENCH_MIN_TIME
# (default 0.2: Google Benchmark 1.7 takes seconds as a plain number),
# TORCH_MIN_TIME (default 0.3), BUDGET (seconds for all steps, default 230:
# a step gets at most what is left, so the summary is always written),
# PYTHON (default python3, the one with torch).
set -uo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
pack=$(realpath "${1:-.gpu}")
[[ -x "$pack/bin/ember" ]] || { echo "gpu-run: no pack in '$pack' (tools/gpu-pack.sh makes it)" >&2; exit 2; }
out=${OUT:-.gpu-out}
mkdir -p "$out"
out=$(realpath "$out")
dev=${DEVICE:-cuda}
bench_dev=$dev
[[ "$dev" == cuda ]] && bench_dev=cuda:0
budget=${BUDGET:-230}
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
declare -a summary
failed=0

# ---- the environment: the pack's libraries first, then CUDA's and cuDNN's ----
had_ld=${LD_LIBRARY_PATH+1}
orig_ld=${LD_LIBRARY_PATH-}
mkdir "$tmp/blas"
tar -xJf "$pack/lib/openblas.tar.xz" -C "$tmp/blas" 2>/dev/null ||
  "$python" -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' \
    "$pack/lib/openblas.tar.xz" "$tmp/blas" ||
  echo "gpu-run: cannot unpack $pack/lib/openblas.tar.xz: the cpu backend will not load" >&2
# cuDNN (and, should the toolkit lack them, cuBLAS and the runtime) from the
# nvidia-* wheels that torch installs into site-packages.
wheel_libs=$("$python" - 2>/dev/null <<'PY' || true
import glob, os, site
dirs = []
try:
    import nvidia.cudnn
    dirs += [os.path.join(p, "lib") for p in nvidia.cudnn.__path__]
except Exception:
    pass
roots = list(site.getsitepackages()) + [site.getusersitepackages()]
for root in roots:
    for name in ("libcudnn.so.9", "libcublas.so.13", "libcudart.so.13"):
        dirs += [os.path.dirname(f) for f in glob.glob(os.path.join(root, "nvidia", "**", name), recursive=True)]
seen = []
for d in dirs:
    if os.path.isdir(d) and d not in seen:
        seen.append(d)
print(":".join(seen))
PY
)
export LD_LIBRARY_PATH="$pack/lib:$tmp/blas:/usr/local/cuda/lib64:/usr/local/cuda/lib${wheel_libs:+:$wheel_libs}"
export EMBER_PLUGIN_PATH="$pack/lib/ember/plugins"
bin=$pack/bin

# step LOG NAME LIMIT COMMAND...: runs COMMAND under timeout (at most what is
# left of BUDGET), appending to $out/LOG.log, and notes it in the summary.
step() {
  local log=$out/$1.log name=$2 limit=$3
  shift 3
  local left=$((budget - SECONDS))
  if ((left < 5)); then
    summary+=("skipped $name (out of the ${budget}s budget)")
    echo "=== $name: skipped, out of the ${budget}s budget" | tee -a "$log"
    failed=1
    return 1
  fi
  ((limit > left)) && limit=$left
  local start=$SECONDS
  echo "=== $name (timeout ${limit}s): $*" | tee -a "$log"
  timeout -k 5 "$limit" "$@" 2>&1 | tee -a "$log"
  local rc=${PIPESTATUS[0]}
  local took=$((SECONDS - start))
  echo "=== $name: exit $rc, ${took}s" | tee -a "$log"
  if [[ $rc == 0 ]]; then
    summary+=("ok      $name (${took}s)")
  else
    [[ $rc == 124 || $rc == 137 ]] && rc="$rc, timed out"
    summary+=("FAILED  $name (exit $rc, ${took}s)")
    failed=1
  fi
  return 0
}

{
  echo "pack: $pack ($(head -1 "$pack/MANIFEST.txt" 2>/dev/null))"
  sed -n '2,4p' "$pack/MANIFEST.txt" 2>/dev/null
  echo "host: $(uname -srm); $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME"); $(ldd --version 2>&1 | head -1)"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  echo "EMBER_PLUGIN_PATH=$EMBER_PLUGIN_PATH"
  echo "OpenBLAS unpacked: $(ls "$tmp/blas" | tr '\n' ' ')"
  for lib in libcudart.so.13 libcublas.so.13 libcudnn.so.9; do
    found=$(IFS=:; for d in $LD_LIBRARY_PATH; do [[ -e "$d/$lib" ]] && { echo "$d/$lib"; break; }; done)
    echo "$lib: ${found:-not on LD_LIBRARY_PATH (the system one, if any)}"
  done
  echo "unresolved libraries: $(ldd "$bin"/* "$pack"/lib/ember/plugins/*.so "$tmp"/blas/* 2>/dev/null |
    grep 'not found' | sort -u | tr -s ' \t\n' ' ' || true)"
} > "$out/smoke.log" 2>&1
cat "$out/smoke.log"

# ---- the steps ----
if [[ "$dev" == cpu ]]; then
  step smoke nvidia-smi 30 true
else
  step smoke nvidia-smi 30 bash -c 'nvidia-smi -L && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv'
fi
step smoke devices 60 bash -c "'$bin/ember' devices | tee /dev/stderr | grep -q 'Devices:.* ${bench_dev}\\b'"
step smoke seed-tutorial 120 bash -c "
  '$bin/seed_tutorial' --device cpu > '$tmp/seed_cpu.txt' &&
  '$bin/seed_tutorial' --device '$dev' > '$tmp/seed_dev.txt' &&
  diff '$tmp/seed_cpu.txt' '$tmp/seed_dev.txt' && cat '$tmp/seed_dev.txt'"
step check-backend check-backend 240 "$bin/ember" check-backend "$pack/lib/ember/plugins/libember-backend-${dev%%:*}.so"
# The convolutions once more without cuDNN (the core's im2col + bmm path).
[[ "$dev" == cuda ]] && step check-backend check-backend-no-cudnn 60 env EMBER_CUDA_CUDNN=0 "$bin/ember" check-backend \
  "$pack/lib/ember/plugins/libember-backend-cuda.so" --filter conv2d
limit=(--limit 10000) fashion_timeout=120
[[ "${FULL:-0}" == 1 ]] && limit=() fashion_timeout=300
for model in mlp cnn; do
  step fashion-mnist "fashion-mnist-$model" "$fashion_timeout" "$bin/fashion_mnist" --data "$pack/fashion-mnist" --model "$model" \
    --device "$dev" --epochs "${EPOCHS:-1}" "${limit[@]}"
done
# Strict: any op without a kernel on the device (a CPU fallback) is an error.
step fashion-mnist fashion-mnist-strict 90 env EMBER_FALLBACK=strict "$bin/fashion_mnist" --data "$pack/fashion-mnist" \
  --model cnn --device "$dev" --epochs 1 --limit 2000
# A case that throws is skipped with ERROR OCCURRED (the others run); any fails the step.
step bench-ember bench-ember 90 bash -c "EMBER_BENCH_DEVICE='$bench_dev' '$bin/bench_device' \
  --benchmark_min_time='${BENCH_MIN_TIME:-0.2}' --benchmark_out='$tmp/bench.json' --benchmark_out_format=json &&
  ! grep -q '\"error_occurred\": true' '$tmp/bench.json'"
[[ "$dev" == cuda ]] && step bench-ember bench-ember-no-cudnn 40 env EMBER_CUDA_CUDNN=0 EMBER_BENCH_DEVICE="$bench_dev" \
  "$bin/bench_device" --benchmark_min_time="${BENCH_MIN_TIME:-0.2}" --benchmark_filter=cnn
# torch with the environment it came with (its wheels find their own CUDA libraries).
torch_env=(env -u LD_LIBRARY_PATH -u EMBER_PLUGIN_PATH PYTHONUNBUFFERED=1)
[[ -n "$had_ld" ]] && torch_env=(env -u EMBER_PLUGIN_PATH LD_LIBRARY_PATH="$orig_ld" PYTHONUNBUFFERED=1)
step bench-torch bench-torch 90 "${torch_env[@]}" "$python" "$repo/bench/torch_device.py" --device "$dev" \
  --min-time "${TORCH_MIN_TIME:-0.3}"

# ---- the summary ----
{
  echo "=== summary ($dev; logs in $out; ${SECONDS}s in all)"
  printf '%s\n' "${summary[@]}"
  echo
  grep -h -E '^(=== fashion-mnist-[a-z]+ \(|(mlp|cnn) on |test accuracy:)' "$out/fashion-mnist.log" 2>/dev/null |
    sed 's/ (timeout.*//'
  grep -h -E '^[0-9]+ cases:|^conformance:' "$out/check-backend.log" 2>/dev/null
  echo
  "$python" - "$tmp/bench.json" "$out/bench-torch.log" <<'PY' 2>&1 || true
import json, re, sys
ember, torch = {}, {}
try:
    for b in json.load(open(sys.argv[1]))["benchmarks"]:
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
        ember[b["name"].split("/")[0]] = "ERROR" if b.get("error_occurred") else b["real_time"] * scale
except Exception as e:
    print(f"(no bench_device results: {e})")
try:
    for line in open(sys.argv[2]):
        m = re.match(r"^(\w+)\s+([0-9.]+|ERROR)\s", line)
        if m:
            torch[m.group(1)] = m.group(2) if m.group(2) == "ERROR" else float(m.group(2))
        elif line.startswith("# "):
            print(line.rstrip())
except Exception as e:
    print(f"(no torch results: {e})")
print(f"{'case':<20} {'ember ms':>11} {'torch ms':>11} {'torch/ember':>12}")
for name in list(ember) + [n for n in torch if n not in ember]:
    e, t = ember.get(name), torch.get(name)
    cell = lambda v: f"{v:11.4f}" if isinstance(v, float) else f"{v or '-':>11}"
    ratio = f"{t / e:12.2f}" if isinstance(e, float) and isinstance(t, float) and e > 0 else f"{'-':>12}"
    print(f"{name:<20} {cell(e)} {cell(t)} {ratio}")
print("(torch/ember > 1: Ember is faster)")
PY
} > "$out/summary.txt"
cat "$out/summary.txt"
exit "$failed"
