#!/usr/bin/env bash
# Channel gating on the CGNet accelerator (docs/isa.md): ResNet-18 with
# ImageNet (224x224, 1000 classes) and CIFAR (32x32, 10 classes) shapes,
# 8-bit, seeded random weights (cgnet-model-gen), gated where the
# reference gates (both 3x3 convolutions of every basic block, not the stem
# or the 1x1 shortcuts; GATED=all adds the shortcuts: resnet18_gating in
# bench/resnet18.sh) with p = 4 (base path: the first C/4 input channels)
# and thresholds calibrated to each gate-off rate; each gated program and the
# same network with gating off run side by side on the simulator with the
# default configuration (config/cgnet-prototype.cfg), every output checked
# bit for bit against the reference evaluator.
#
# Reports per network and rate: measured gate-off rate and FLOP reduction
# (the network's MACs over those the gated network needs on the same
# input, by --cgnet-flop-report on the reference evaluator; the
# simulator's own MAC counts agree at batch 1, but with images stacked in
# a tile it also counts the rows between them), accelerator cycles, fps
# at the configured clock, speedup over gating off, speedup / FLOP
# reduction, the highest speedup / FLOP reduction the gated program's
# per-layer roofline allows against the dense run (cgnet-sim's
# roofline_cycles: each layer's MACs at the array's peak or its DRAM bytes
# at the configured bandwidth, whichever takes longer; a gated program
# with the same DRAM traffic per layer cannot do better), and the
# simulator's own speed (simulated MACs per host second, wall time of one
# inference).
#
#   bash bench/run-accel-gating.sh            # both networks, rates 0.5 0.8 0.9
#   NETS=cifar RATES="0.8" bash bench/run-accel-gating.sh
#   BATCH=8 NETS=cifar bash bench/run-accel-gating.sh   # 8 images per run
#   (fps counts images; each convolution block's weights load once per
#   batch)
#   KEEP_MODELS=1 OUT_DIR=DIR bash bench/run-accel-gating.sh
#   (reuses the models, inputs, reference outputs and FLOP reports an
#   earlier run with the same NETS, RATES, BATCH and GATED left in DIR, for
#   a change to the compiler, the simulator or CONFIG: they depend on none
#   of these; the calibration of the gated models is most of the run's
#   time)
# Results: ${OUT_DIR:-out/bench-accel}/accel-gating.md (the committed copy is
# bench/results/accel-gating.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BUILD_DIR:-$root/build}/bin
out=${OUT_DIR:-$root/out/bench-accel}
nets=${NETS:-"imagenet cifar"}
rates=${RATES:-"0.5 0.8 0.9"}
config=${CONFIG:-$root/config/cgnet-prototype.cfg}
batch=${BATCH:-1}
mkdir -p "$out"
table=$out/accel-gating.md

source "$root/bench/resnet18.sh"

# kept FILE: whether KEEP_MODELS is set and FILE exists.
kept() { [ -n "${KEEP_MODELS:-}" ] && [ -f "$1" ]; }

# run NAME MODEL: compile, simulate (timed), check against the reference.
run() {
  local name=$1 model=$2
  "$bin/cgnet-opt" "$model" --convert-cgnet-to-cgisa="config=$config" |
    "$bin/cgnet-translate" --emit-cgisa-bin -o "$out/$name.bin"
  kept "$out/$name.ref.npy" ||
    "$bin/cgnet-run" "$model" --input "$out/$net.x.npy" --output "$out/$name.ref.npy" > /dev/null
  local t0 t1
  t0=$(date +%s.%N)
  "$bin/cgnet-sim" "$out/$name.bin" --input "$out/$net.x.npy" \
    --expect "$out/$name.ref.npy" --report "$out/$name.json" \
    --table "$out/$name.table.txt" > /dev/null
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.3f", $2 - $1}' > "$out/$name.wall"
}

{
  echo "| network | gate-off target | measured gate-off | FLOP reduction | cycles | fps | speedup | speedup / FLOP reduction | roofline bound | sim MACs/s | sim wall s |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$table"

for net in $nets; do
  if kept "$out/$net.x.npy"; then
    echo "== $net: the model of an earlier run (KEEP_MODELS)"
  else
    echo "== $net: model, 8-bit quantization"
    resnet18_model "$net" "$out/$net.float.mlir" "$out/$net.int.mlir" "$batch"
    "$bin/cgnet-run" "$out/$net.int.mlir" --random-inputs --seed 7 \
      --save-inputs "$out/$net.x.npy" > /dev/null
  fi
  run "$net.dense" "$out/$net.int.mlir"
  dense_cycles=$(json "$out/$net.dense.json" cycles)
  dense_macs=$(json "$out/$net.dense.json" macs)
  # The clock the binary records (a configuration file may leave it out).
  clock=$(json "$out/$net.dense.json" clock_mhz)
  wall=$(cat "$out/$net.dense.wall")
  label=$net
  [ "$batch" = 1 ] || label="$net (batch $batch)"
  awk -v n="$label" -v c=$dense_cycles -v m=$dense_macs -v w=$wall -v f=$clock -v b=$batch 'BEGIN {
    printf "| %s | off | 0 | 1.00 | %d | %.1f | 1.00 | - | - | %.2e | %.2f |\n", n, c, b * f * 1e6 / c, m / w, w }' >> "$table"
  for r in $rates; do
    echo "== $net: gate-off rate $r"
    gating=$(resnet18_gating 4 "$r")
    kept "$out/$net.g$r.mlir" ||
      "$bin/cgnet-opt" "$out/$net.int.mlir" \
        --cgnet-channel-gating="$gating" \
        --mlir-print-debuginfo -o "$out/$net.g$r.mlir" 2> /dev/null
    run "$net.g$r" "$out/$net.g$r.mlir"
    kept "$out/$net.g$r.flops.json" ||
      "$bin/cgnet-opt" "$out/$net.g$r.mlir" \
        --cgnet-flop-report="inputs=$out/$net.x.npy report=$out/$net.g$r.flops.json" -o /dev/null
    j=$out/$net.g$r.json
    fl=$out/$net.g$r.flops.json
    awk -v n="$label" -v r=$r -v c=$(json $j cycles) -v m=$(json $j macs) \
        -v rc=$(json $j roofline_cycles) \
        -v dc=$dense_cycles -v red=$(json $fl flop_reduction last) \
        -v on=$(json $fl aggregate_gate_on_rate) -v w=$(cat "$out/$net.g$r.wall") -v f=$clock -v b=$batch 'BEGIN {
      sp = dc / c
      printf "| %s | %s | %.3f | %.2f | %d | %.1f | %.2f | %.2f | %.2f | %.2e | %.2f |\n",
        n, r, 1 - on, red, c, b * f * 1e6 / c, sp, sp / red, dc / rc / red, m / w, w }' >> "$table"
  done
done
cat "$table"
