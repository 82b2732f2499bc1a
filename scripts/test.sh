#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (lit
# tests, unit tests, lints) with ctest. Ends with ctest's summary line.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
cd "${BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)"
