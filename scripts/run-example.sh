#!/usr/bin/env bash
# The main job on the bundled example (examples/tiny-cnn.mlir): installs what
# is missing, builds, then runs the pipeline that exists today:
#   fold batch norm -> reference run of the original and the folded model
#   -> check they agree -> calibrate and quantize to 8 bits (with the
#   per-layer quantization report) -> run the integer model and check its
#   output SQNR against the float model -> per-layer MACs, gate-on rates
#   and FLOP reduction.
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
echo "== 4. calibration inputs (seeded random inputs, written as .npy)"
for s in 11 12 13 14; do
  "$bin/cgnet-run" "$out/folded.mlir" --random-inputs --seed $s \
    --save-inputs "$out/calib-$s.npy" > /dev/null
done
echo "== 5. quantize to 8-bit integers (per-layer report: quant-report.json)"
"$bin/cgnet-opt" "$out/folded.mlir" \
  --cgnet-quantize="calibration=$out/calib-11.npy,$out/calib-12.npy,$out/calib-13.npy,$out/calib-14.npy" \
  --cgnet-quant-report="$out/quant-report.json" --cgnet-quant-report-table=- \
  -o "$out/int8.mlir"
echo "== 6. reference run of the integer model against the float output"
"$bin/cgnet-run" "$out/int8.mlir" --random-inputs --seed 1 --gate-stats \
  --expect "$out/folded.npy" --min-sqnr 30 --print-values \
  --output "$out/int8.npy"
echo "== 7. per-layer MACs and measured gate-on rates (flop-report.json)"
"$bin/cgnet-opt" "$out/int8.mlir" \
  --cgnet-flop-report="inputs=$out/calib-11.npy,$out/calib-12.npy report=$out/flop-report.json table=-" \
  -o /dev/null
echo "== done: artifacts in $out"
