#!/usr/bin/env bash
# Installs what cgnet needs on Debian bookworm (as root), skipping what is
# already there: LLVM/MLIR 22 with clang and lld, CMake, Ninja, GoogleTest.
set -euo pipefail
packages=(cmake ninja-build g++ llvm-22-dev llvm-22-tools libmlir-22-dev
          mlir-22-tools clang-22 lld-22 libgtest-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
