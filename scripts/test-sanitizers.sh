#!/usr/bin/env bash
# Builds with AddressSanitizer + UndefinedBehaviorSanitizer (clang-22) into
# ${BUILD_DIR:-build-asan} and runs the whole test suite (lit, unit tests,
# ONNX conformance, real-model tests) under it; any sanitizer report fails
# the test that triggered it. The same build carries the libFuzzer targets
# (scripts/fuzz.sh). Part of scripts/test.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-asan}
bash "$root/scripts/install-deps.sh"
BUILD_DIR=$build bash "$root/scripts/build.sh" \
  -DCGNET_ENABLE_SANITIZERS=ON -DCGNET_BUILD_FUZZERS=ON
# LLVM's inline allocators poison memory that the uninstrumented
# libMLIR.so reuses (false use-after-poison reports): manual poisoning off.
export ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0}
cd "$build"
ctest --output-on-failure -j "$(nproc)"
