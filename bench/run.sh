#!/usr/bin/env bash
# Runs every benchmark case for Ember and, when built, for libtorch, and
# prints both times with the ratio (libtorch time / Ember time: > 1 means
# Ember is faster). libtorch's run has OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE
# unset so its OpenBLAS picks the machine's own kernels.
#   bench/run.sh [build-dir] [extra google-benchmark flags]
set -euo pipefail
build=${1:-build}
shift || true
out=$(mktemp -d)
"$build/bin/bench_ember" --benchmark_format=json --benchmark_min_time=0.2 "$@" > "$out/ember.json"
if [[ -x "$build/bin/bench_libtorch" ]]; then
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$build/bin/bench_libtorch" --benchmark_format=json \
    --benchmark_min_time=0.2 "$@" > "$out/libtorch.json"
fi
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path): return {}
    return {b["name"]: b for b in json.load(open(path))["benchmarks"]}
ember, torch = load("ember.json"), load("libtorch.json")
print(f"{'case (threads)':28} {'ember':>14} {'libtorch':>14} {'ratio':>8}")
for name, b in ember.items():
    t = torch.get(name)
    unit = b["time_unit"]
    line = f"{name:28} {b['real_time']:11.3f} {unit:2}"
    if t:
        line += f" {t['real_time']:11.3f} {unit:2} {t['real_time'] / b['real_time']:8.2f}"
    print(line)
PY
