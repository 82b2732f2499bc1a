#!/usr/bin/env bash
# The main job on the bundled example (examples/tiny-cnn.mlir): installs what
# is missing, builds, then runs the pipeline that exists today:
#   fold batch norm -> reference run of the original and the folded model
#   -> check they agree -> per-layer gate report.
# Artifacts go to ${OUT_DIR:-out/tiny-cnn}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
bin=${BUILD_DIR:-$root/build}/bin
out=${OUT_DIR:-$root/out/tiny-cnn}
mkdir -p "$out"
model=$root/examples/tiny-cnn.mlir

echo "== 1. fold batch norm"
"$bin/cgnet-opt" "$model" --cgnet-fold-batchnorm -o "$out/folded.mlir"
echo "   wrote $out/folded.mlir"
echo "== 2. reference run of the original model (seeded random input)"
"$bin/cgnet-run" "$model" --random-inputs --seed 1 --gate-stats \
  --output "$out/original.npy" --print-values
echo "== 3. reference run of the folded model, checked against step 2"
"$bin/cgnet-run" "$out/folded.mlir" --random-inputs --seed 1 --gate-stats \
  --expect "$out/original.npy" --atol 1e-5 --rtol 1e-4 --print-values \
  --output "$out/folded.npy"
echo "== done: artifacts in $out"
