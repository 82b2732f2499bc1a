#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite:
#   1. the AddressSanitizer + UBSan build (build-asan/) with every test,
#   2. a bounded, reproducible fuzzing run of the libFuzzer targets,
#   3. the normal build with every test (ctest), last, so the output ends
#      with ctest's summary line.
# QUICK=1 runs only step 3 (for development). .ci/run calls this script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
if [ "${QUICK:-0}" != "1" ]; then
  bash "$root/scripts/test-sanitizers.sh"
  bash "$root/scripts/fuzz.sh" --runs 30000
fi
bash "$root/scripts/build.sh"
cd "${BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)"
