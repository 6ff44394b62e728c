#!/usr/bin/env bash
# Runs every benchmark case for Ember and, when built, for libtorch, and
# prints both times with the ratio (libtorch time / Ember time: > 1 means
# Ember is faster). Case names end in the thread count. libtorch's runs have
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset so its OpenBLAS picks the
# machine's own kernels, and OPENBLAS_NUM_THREADS set to the case's thread
# count, since torch::set_num_threads does not reach OpenBLAS's own pool.
#   bench/run.sh [build-dir] [case regex]
set -euo pipefail
build=${1:-build}
filter=${2:-.}
out=$(mktemp -d)
"$build/bin/bench_ember" --benchmark_format=json --benchmark_min_time=0.2 --benchmark_filter="$filter" > "$out/ember.json"
if [[ -x "$build/bin/bench_libtorch" ]]; then
  for threads in 1 2; do
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=$threads "$build/bin/bench_libtorch" \
      --benchmark_format=json --benchmark_min_time=0.2 --benchmark_filter="($filter).*/$threads\$" > "$out/libtorch$threads.json"
  done
fi
python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
def load(name):
    path = os.path.join(out, name)
    if not os.path.exists(path): return {}
    return {b["name"]: b for b in json.load(open(path))["benchmarks"]}
ember = load("ember.json")
torch = {**load("libtorch1.json"), **load("libtorch2.json")}
print(f"{'case (threads)':28} {'ember':>14} {'libtorch':>14} {'ratio':>8}")
for name, b in ember.items():
    t = torch.get(name)
    unit = b["time_unit"]
    line = f"{name:28} {b['real_time']:11.3f} {unit:2}"
    if t:
        line += f" {t['real_time']:11.3f} {unit:2} {t['real_time'] / b['real_time']:8.2f}"
    print(line)
PY
