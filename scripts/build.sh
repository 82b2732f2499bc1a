#!/usr/bin/env bash
# Configures and builds cgnet into ${BUILD_DIR:-build} with clang-22, lld and
# libMLIR.so.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
cmake -G Ninja -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-Release} \
  -DCMAKE_C_COMPILER=/usr/bin/clang-22 -DCMAKE_CXX_COMPILER=/usr/bin/clang++-22 \
  -DLLVM_USE_LINKER=lld "$@"
cmake --build "$build"
