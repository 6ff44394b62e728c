#!/usr/bin/env bash
# The README's first command: install what is missing, build, run the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup-debian.sh
cmake --preset default -G Ninja
cmake --build build --target seed_tutorial ember-backends
./build/bin/seed_tutorial --device best --devices "$@"
