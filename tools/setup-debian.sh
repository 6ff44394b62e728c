#!/usr/bin/env bash
# Installs, with apt, the Debian 12 packages that Ember's build and tests
# need — only those missing, so a second run costs nothing. Run as root.
#   tools/setup-debian.sh                   build + test dependencies
#   tools/setup-debian.sh --with-reference  also libtorch and Python's torch
#                                           (parity tests, benchmarks, test value generators)
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config
  libtbb-dev            # the CPU backend's threads
  libboost-dev          # Boost.DLL (header-only) for plugin loading
  libdlpack-dev         # zero-copy exchange
  nlohmann-json3-dev    # safetensors headers
  zlib1g-dev            # gzip-compressed IDX (MNIST) files
  dataset-fashion-mnist # real data for the data tests and examples
  libopenblas-pthread-dev # float gemm in the CPU backend (loaded with one thread: oneTBB is the only pool)
  libgtest-dev libgmock-dev
  libbenchmark-dev
  # the OpenCL backend, and PoCL to run it on the CPU
  ocl-icd-opencl-dev opencl-clhpp-headers libclblast-dev pocl-opencl-icd
  # the Vulkan backend: headers and loader, glslc for its shaders, and
  # lavapipe (mesa-vulkan-drivers) to run it on the CPU; validation layers for the debug run
  libvulkan-dev glslc mesa-vulkan-drivers vulkan-validationlayers
)
if [[ "${1:-}" == "--with-reference" ]]; then
  packages+=(libtorch-dev python3-torch)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
