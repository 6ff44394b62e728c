#!/usr/bin/env bash
# Fuzzes the safetensors reader with libFuzzer (clang) under ASan for a
# bounded time:  tools/fuzz-safetensors.sh [seconds=60]
# Builds the core with clang and coverage instrumentation in build-fuzz/,
# seeds the corpus with tests/data, and stops at the first crash (left in
# build-fuzz/crash-*) or when the time is up.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
command -v clang++ >/dev/null || { apt-get install -y -q clang libclang-rt-14-dev >/dev/null; }
flags="-fsanitize=fuzzer-no-link,address -fno-omit-frame-pointer"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address -shared-libsan" \
  -DCMAKE_MODULE_LINKER_FLAGS="-fsanitize=address -shared-libsan" -DEMBER_BUILD_TESTS=OFF -DEMBER_BUILD_BENCH=OFF \
  -DEMBER_BUILD_EXAMPLES=OFF >/dev/null
cmake --build build-fuzz --target ember_core ember-backend-cpu
clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address -shared-libsan tools/fuzz/safetensors_fuzzer.cpp -Icore/include -Isdk/include \
  -Lbuild-fuzz/lib -lember_core -Wl,-rpath,"$PWD/build-fuzz/lib" -o build-fuzz/safetensors_fuzzer
mkdir -p build-fuzz/corpus
cp tests/data/*.safetensors build-fuzz/corpus/
runtime_dir=$(dirname "$(clang++ -print-file-name=libclang_rt.asan-x86_64.so)")
cd build-fuzz
LD_LIBRARY_PATH="$runtime_dir" EMBER_PLUGIN_PATH="$PWD/lib/ember/plugins" ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
  ./safetensors_fuzzer -max_total_time="$seconds" -rss_limit_mb=4096 corpus
