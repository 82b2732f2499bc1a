#!/usr/bin/env bash
# ResNet-18 as a whole model: ONNX Runtime (npm onnxruntime-node, CPU
# execution provider, one intra-op and one inter-op thread) against cgnet's
# CPU backend (cgnet-run --backend=cpu, one thread) on the same network:
# the float model of cgnet-model-gen, exported with
# `cgnet-translate --export-onnx`, so both run the same weights. ONNX
# Runtime's outputs are checked against the reference evaluator (1e-5 +
# 1e-4 |x|) before anything is timed; cgnet's with --compare-reference.
# cgnet's 8-bit model (--cgnet-quantize) is timed next to them (ONNX
# Runtime runs the float model only here).
#
#   bash bench/run-ort-resnet18.sh          # CIFAR and ImageNet shapes
# Results: ${OUT_DIR:-out/bench-ort}/ort-resnet18.md (the committed copy is
# bench/results/ort-resnet18.md). Needs the build and onnxruntime-node
# (scripts/fetch-models.sh installs it; MODELS_DIR as there).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BUILD_DIR:-$root/build}/bin
out=${OUT_DIR:-$root/out/bench-ort}
nets=${NETS:-"cifar imagenet"}
repeat=${REPEAT:-10}
mkdir -p "$out"
. "$root/bench/resnet18.sh" # resnet18_model
bash "$root/scripts/fetch-models.sh" "${MODELS_DIR:-$root/build/models}" > /dev/null
export NODE_PATH=${MODELS_DIR:-$root/build/models}/node_modules
table=$out/ort-resnet18.md
seconds() { sed -n 's/^run: \([0-9.]*\) s.*/\1/p' "$1"; }
{
  echo "| network | ONNX Runtime fp32 ms | cgnet fp32 ms | cgnet / ONNX Runtime | cgnet int8 ms | cgnet int8 / ONNX Runtime fp32 |"
  echo "|---|---|---|---|---|---|"
} > "$table"
for net in $nets; do
  echo "== $net"
  resnet18_model "$net" "$out/$net.fp32.mlir" "$out/$net.int8.mlir"
  "$bin/cgnet-translate" --export-onnx "$out/$net.fp32.mlir" -o "$out/$net.onnx"
  "$bin/cgnet-run" "$out/$net.fp32.mlir" --random-inputs --seed 7 \
    --save-inputs "$out/$net.x.npy" --output "$out/$net.ref.npy" > /dev/null
  node "$root/scripts/ort-run.cjs" "$out/$net.onnx" "$out/$net.x.npy" \
    -o "$out/$net.ort.npy" --time "$repeat" > "$out/$net.ort.log"
  "$bin/cgnet-run" "$out/$net.fp32.mlir" --input "$out/$net.x.npy" \
    --expect "$out/$net.ort.npy" --atol 1e-5 --rtol 1e-4 > /dev/null
  "$bin/cgnet-run" "$out/$net.fp32.mlir" --backend=cpu --input "$out/$net.x.npy" \
    --compare-reference --time --repeat "$repeat" > "$out/$net.fp32.log"
  "$bin/cgnet-run" "$out/$net.int8.mlir" --backend=cpu --input "$out/$net.x.npy" \
    --compare-reference --time --repeat "$repeat" > "$out/$net.int8.log"
  grep -q "matches the reference" "$out/$net.fp32.log"
  grep -q "matches the reference evaluator bit for bit" "$out/$net.int8.log"
  awk -v n=$net -v o="$(seconds "$out/$net.ort.log")" \
      -v f="$(seconds "$out/$net.fp32.log")" -v i="$(seconds "$out/$net.int8.log")" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", n, 1e3 * o, 1e3 * f, f / o, 1e3 * i, i / o }' >> "$table"
done
echo "== results ($table)"
cat "$table"
