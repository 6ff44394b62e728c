#!/usr/bin/env bash
# Footprint and startup of Ember against libtorch (issue #6's last targets):
#   - bytes on disk: libember_core.so + the CPU plugin, against the libtorch
#     libraries (torch*, c10*) a libtorch program loads, symlinks followed;
#     each as built and stripped as a distribution ships a library (strip
#     --strip-unneeded to a temporary copy: no debug info, no static symbol
#     table) — the ratio compares the stripped sizes, since Debian's libtorch
#     ships that way (it has no .symtab) and a RelWithDebInfo Ember build
#     carries -g;
#     the third-party libraries each side loads besides are listed too;
#   - process start to first op result: 10 runs each of first_op_ember and
#     first_op_libtorch (bench/first_op.cpp), wall-clock, median and mean;
#   - peak RSS of 100 MLP 784-512-512-10 SGD-momentum steps at batch 128
#     (bench/mlp_rss.cpp) with /usr/bin/time -f %M.
#   bench/footprint.sh [build-dir]
set -euo pipefail
build=${1:-build}
bin=$build/bin
size() { stat -L -c %s "$1"; }
sum_sizes() { local t=0; for f in "$@"; do t=$((t + $(size "$f"))); done; echo $t; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stripped_size() { strip --strip-unneeded -o "$tmp/s.so" "$1" && size "$tmp/s.so"; }
sum_stripped() { local t=0; for f in "$@"; do t=$((t + $(stripped_size "$f"))); done; echo $t; }
mib() { python3 -c "print(f'{$1 / 2**20:.1f} MiB')"; }

core=$(readlink -f "$build/lib/libember_core.so")
plugin=$build/lib/ember/plugins/libember-backend-cpu.so
ember_bytes=$(sum_sizes "$core" "$plugin")
ember_stripped=$(sum_stripped "$core" "$plugin")
echo "== bytes on disk (as built, stripped with --strip-unneeded)"
for f in "$core" "$plugin"; do printf '  %-60s %12s %12s\n' "$f" "$(size "$f")" "$(stripped_size "$f")"; done
printf '  %-60s %12s %12s  (%s stripped)\n' "Ember: core + CPU plugin" "$ember_bytes" "$ember_stripped" "$(mib "$ember_stripped")"
torch_bytes=
if [[ -x $bin/first_op_libtorch ]]; then
  mapfile -t torch_libs < <(ldd "$bin/first_op_libtorch" | awk '$1 ~ /torch|c10/ {print $3}' | xargs -n1 readlink -f | sort -u)
  for f in "${torch_libs[@]}"; do printf '  %-60s %12s %12s\n' "$f" "$(size "$f")" "$(stripped_size "$f")"; done
  torch_bytes=$(sum_sizes "${torch_libs[@]}")
  torch_stripped=$(sum_stripped "${torch_libs[@]}")
  printf '  %-60s %12s %12s  (%s stripped)\n' "libtorch: torch* + c10*" "$torch_bytes" "$torch_stripped" "$(mib "$torch_stripped")"
  # Third-party libraries besides: those each process initialises (ld.so's
  # "calling init" lines, which include dlopen'ed ones such as Ember's
  # plugin dependencies oneTBB and OpenBLAS) by its first op.
  echo "== other shared libraries initialised by the first op (not counted above; as installed)"
  for side in ember libtorch; do
    others=$(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE LD_DEBUG=files "$bin/first_op_$side" 2>&1 >/dev/null |
      awk '/calling init:/ {print $NF}' | grep -vE 'torch|c10|ember' | xargs -n1 readlink -f | sort -u)
    bytes=$(sum_sizes $others)
    printf '  %-10s %3d libraries %12s  (%s)\n' "$side" "$(echo "$others" | wc -l)" "$bytes" "$(mib "$bytes")"
  done
fi

# Wall-clock ns of one run of a command (its output discarded).
run_ns() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $((t1 - t0)); }
startup() {
  local times=() i
  "$@" >/dev/null  # warms the page cache
  for i in $(seq 10); do times+=("$(run_ns "$@")"); done
  python3 -c "import statistics as s, sys; v=[int(x)/1e6 for x in sys.argv[1:]]; print(f'{s.median(v):.1f} {s.mean(v):.1f}')" "${times[@]}"
}
echo "== process start to first op result (ms over 10 runs: median mean)"
read -r ember_med ember_mean < <(startup "$bin/first_op_ember")
echo "  ember    $ember_med $ember_mean"
if [[ -x $bin/first_op_libtorch ]]; then
  read -r torch_med torch_mean < <(startup env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$bin/first_op_libtorch")
  echo "  libtorch $torch_med $torch_mean"
fi

echo "== peak RSS of 100 MLP SGD steps (KiB)"
ember_rss=$( { /usr/bin/time -f %M "$bin/mlp_rss_ember" >/dev/null; } 2>&1 | tail -1)
echo "  ember    $ember_rss"
if [[ -x $bin/mlp_rss_libtorch ]]; then
  torch_rss=$( { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/time -f %M "$bin/mlp_rss_libtorch" >/dev/null; } 2>&1 | tail -1)
  echo "  libtorch $torch_rss"
fi

echo
printf '%-34s %14s %14s %8s %s\n' "measure" "ember" "libtorch" "ratio" "(libtorch/ember; target)"
if [[ -n $torch_bytes ]]; then
  ratio() { python3 -c "print(f'{$2 / $1:.2f}')"; }
  printf '%-34s %14s %14s %8s %s\n' "library bytes, stripped" "$(mib "$ember_stripped")" "$(mib "$torch_stripped")" "$(ratio "$ember_stripped" "$torch_stripped")" "(>= 20)"
  printf '%-34s %14s %14s %8s %s\n' "library bytes, as built" "$(mib "$ember_bytes")" "$(mib "$torch_bytes")" "$(ratio "$ember_bytes" "$torch_bytes")" ""
  printf '%-34s %14s %14s %8s %s\n' "start to first op, median" "$ember_med ms" "$torch_med ms" "$(ratio "$ember_med" "$torch_med")" "(>= 5)"
  printf '%-34s %14s %14s %8s %s\n' "peak RSS, 100 MLP SGD steps" "$(mib $((ember_rss * 1024)))" "$(mib $((torch_rss * 1024)))" "$(ratio "$ember_rss" "$torch_rss")" "(>= 2)"
fi
