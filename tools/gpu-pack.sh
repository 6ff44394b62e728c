#!/usr/bin/env bash
# Packs, from an existing build, everything tools/gpu-run.sh needs on a GPU
# machine that cannot build (no compiler, no Debian packages): stripped
# copies of the programs, the core library and the cpu and cuda plugins, the
# Debian libraries they need that an Ubuntu image lacks (oneTBB, Google
# Benchmark, OpenBLAS with libgfortran), and the Fashion-MNIST files.
#   tools/gpu-pack.sh [build-dir] [dest]        (defaults: build .gpu)
# The build tree is only read. BUILD=1 first brings the packed targets up to
# date (under flock /tmp/ember-build.lock, so no two builds overlap);
# without it nothing is built, and the pack holds whatever the build holds.
# The layout:
#   dest/bin/        ember seed_tutorial fashion_mnist bench_device test_conformance
#   dest/lib/        libember_core.so.0 (-> the real file), libtbb.so.12,
#                    libtbbmalloc.so.2, libbenchmark.so.1debian
#   dest/lib/ember/plugins/  libember-backend-cpu.so, libember-backend-cuda.so
#   dest/lib/openblas.tar.xz the pthread OpenBLAS (as libopenblas.so.0) with
#                    libgfortran.so.5 and libquadmath.so.0, compressed: 40 MB
#                    raw, 5 MB packed (gpu-run.sh unpacks it into a temp dir)
#   dest/fashion-mnist/      the four .gz files
#   dest/MANIFEST.txt        the source revision, the build, and the files
# The programs' RUNPATH still names the build tree: run them with
# LD_LIBRARY_PATH=dest/lib(:the OpenBLAS dir) and
# EMBER_PLUGIN_PATH=dest/lib/ember/plugins, as gpu-run.sh does.
#
# The cpu backend dlopens the pthread OpenBLAS by the path CMake found,
# else "libopenblas.so.0" through LD_LIBRARY_PATH (backends/cpu/blas.cpp):
# an Ubuntu GPU image has no Debian path, so the pack brings that file.
#
# The total must stay under LIMIT_MIB (default 55) MiB: the lent machine takes
# at most 64 MiB of carried files.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
dest=${2:-.gpu}
limit_mib=${LIMIT_MIB:-55}
data=${FASHION_MNIST:-/usr/share/datasets/fashion-mnist}

die() { echo "gpu-pack: $*" >&2; exit 1; }
[[ -d "$build/bin" && -d "$build/lib" ]] || die "no build in '$build'"
case "$(realpath -m "$dest")" in
  / | "$(realpath "$build")"* | "$PWD") die "refusing to use '$dest' as the destination" ;;
esac

if [[ "${BUILD:-0}" == 1 ]]; then
  flock /tmp/ember-build.lock cmake --build "$build" --target ember_tool seed_tutorial fashion_mnist bench_device \
    test_conformance ember-backend-cpu ember-backend-cuda || die "the build failed"
fi

rm -rf "$dest"
mkdir -p "$dest/bin" "$dest/lib/ember/plugins" "$dest/fashion-mnist"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

# copy SRC DIR [NAME]: a stripped copy (links followed) in DIR.
copy() {
  local src=$1 dir=$2 name=${3:-$(basename "$1")}
  [[ -e "$src" ]] || die "missing $src"
  cp -L "$src" "$dir/$name"
  chmod u+w "$dir/$name"
  strip --strip-unneeded "$dir/$name"
}

for p in ember seed_tutorial fashion_mnist bench_device test_conformance; do
  copy "$build/bin/$p" "$dest/bin"
done
core=$(readlink -f "$build/lib/libember_core.so.0")
copy "$core" "$dest/lib"
ln -s "$(basename "$core")" "$dest/lib/libember_core.so.0"
ln -s libember_core.so.0 "$dest/lib/libember_core.so"
for b in cpu cuda; do
  copy "$build/lib/ember/plugins/libember-backend-$b.so" "$dest/lib/ember/plugins"
done

# The OpenBLAS the cpu backend loads, as libopenblas.so.0.
openblas=$(sed -n 's/^EMBER_OPENBLAS_PTHREAD:FILEPATH=//p' "$build/CMakeCache.txt")
[[ -n "$openblas" && -e "$openblas" ]] || die "EMBER_OPENBLAS_PTHREAD ('$openblas') is not in $build/CMakeCache.txt"
soname=$(readelf -d "$openblas" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
[[ "$soname" == libopenblas.so.0 ]] || die "$openblas has soname '$soname', not libopenblas.so.0"
mkdir "$stage/blas"
cp -L "$openblas" "$stage/blas/libopenblas.so.0"

# Libraries that an Ubuntu image with the CUDA toolkit provides; every other
# dependency is copied (into lib/, or with OpenBLAS for its own).
provided='^(linux-vdso\.so\.1|ld-linux-x86-64\.so\.2|libc\.so\.6|libm\.so\.6|libdl\.so\.2|libpthread\.so\.0|librt\.so\.1|libstdc\+\+\.so\.6|libgcc_s\.so\.1|libz\.so\.1|libcuda\.so\.1|libcudart\.so\.13|libcublas\.so\.13|libcublasLt\.so\.13)$'
# deps FILE...: "name path" for each library ldd resolves (or "name not").
deps() {
  LD_LIBRARY_PATH="$dest/lib:$stage/blas" ldd "$@" 2>/dev/null |
    awk '$2 == "=>" { print $1, ($3 == "not" ? "not" : $3) } $1 ~ /^\// { print $1, $1 }' | sort -u
}
elves=("$dest"/bin/* "$dest"/lib/*.so.*.* "$dest"/lib/ember/plugins/*.so)
while read -r name path; do
  name=$(basename "$name")
  [[ "$name" =~ $provided ]] && continue
  [[ "$path" == "$(realpath "$dest")"/* || "$path" == "$dest"/* ]] && continue
  [[ "$path" == not ]] && die "$name is not found (needed by the packed files)"
  cp -L "$path" "$dest/lib/$name"
  echo "copied $path as lib/$name"
done < <(deps "${elves[@]}")
# oneTBB dlopens its scalable allocator (and falls back to malloc without it).
for dir in /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu; do
  if [[ -e "$dir/libtbb.so.12" && -e "$dir/libtbbmalloc.so.2" ]]; then
    cp -L "$dir/libtbbmalloc.so.2" "$dest/lib/libtbbmalloc.so.2"
    echo "copied $dir/libtbbmalloc.so.2 as lib/libtbbmalloc.so.2 (oneTBB dlopens it)"
    break
  fi
done
while read -r name path; do
  name=$(basename "$name")
  [[ "$name" =~ $provided || "$path" == "$stage/blas/"* ]] && continue
  [[ "$path" == not ]] && die "$name is not found (needed by OpenBLAS)"
  cp -L "$path" "$stage/blas/$name"
  echo "copied $path for OpenBLAS as $name"
done < <(deps "$stage/blas/libopenblas.so.0")
XZ_OPT='-9 -T0' tar -C "$stage/blas" -cJf "$dest/lib/openblas.tar.xz" .
echo "packed $(ls "$stage/blas" | tr '\n' ' ')into lib/openblas.tar.xz"

# Check: under the packed paths, nothing resolves into the build tree or
# outside the provided set.
bad=0
while read -r name path; do
  name=$(basename "$name")
  if [[ "$path" == not ]]; then
    [[ "$name" =~ $provided ]] || { echo "unresolved: $name"; bad=1; }
  elif [[ "$path" != "$dest"/* && "$path" != "$stage/blas/"* ]] && ! [[ "$name" =~ $provided ]]; then
    echo "resolves outside the pack: $name => $path"
    bad=1
  fi
done < <(deps "${elves[@]}" "$dest"/lib/lib{tbb,tbbmalloc,benchmark}*.so.* "$stage"/blas/*)
[[ $bad == 0 ]] || die "the pack is not self-contained"

for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -e "$data/$f.gz" ]] || die "missing $data/$f.gz (apt-get install dataset-fashion-mnist)"
  cp -L "$data/$f.gz" "$dest/fashion-mnist/"
done

{
  echo "packed $(date -u +%FT%TZ) from $(realpath "$build") by tools/gpu-pack.sh"
  echo "source: $(git rev-parse --short HEAD 2>/dev/null) $(git status --porcelain 2>/dev/null | grep -q . && echo '(with uncommitted changes)')"
  echo "build type: $(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' "$build/CMakeCache.txt")"
  echo "cuda plugin built: $(date -u -r "$build/lib/ember/plugins/libember-backend-cuda.so" +%FT%TZ)"
  echo
  (cd "$dest" && find . -path ./MANIFEST.txt -prune -o -type l -printf '%10s %p -> %l\n' -o -type f -printf '%10s %p\n' |
    sort -k2)
} > "$dest/MANIFEST.txt"

bytes=$(du -sb "$dest" | cut -f1)
mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "$dest: $bytes bytes ($mib MiB; limit $limit_mib MiB)"
awk -v b="$bytes" -v l="$limit_mib" 'BEGIN { exit !(b > l * 1048576) }' && die "$dest is over $limit_mib MiB"
exit 0
