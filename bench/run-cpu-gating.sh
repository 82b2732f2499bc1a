#!/usr/bin/env bash
# Channel gating on the CPU backend (--convert-cgnet-to-cpu, JIT): ResNet-18
# with CIFAR (32x32, 10 classes) and ImageNet (224x224, 1000 classes)
# shapes, fp32 and int8 (--cgnet-quantize), seeded random weights
# (cgnet-model-gen), gated where the reference gates (both 3x3
# convolutions of every basic block, not the stem or the 1x1 shortcuts;
# GATED=all adds the shortcuts: resnet18_gating in bench/resnet18.sh) with
# p = 4 (base path: the first C/4 input channels) and thresholds
# calibrated to each gate-off rate. Every configuration runs in the same invocation of
# this script, on the same machine, side by side with its baselines:
#   - the same network with gating off (our dense kernels),
#   - the reference evaluator (plain C++ loops, the definition of every op),
#   - fp32: upstream's linalg.conv_2d_nchw_fchw through the same pipeline
#     and JIT (cgnet-run --cpu-upstream-conv), the plain upstream lowering,
#   - oneDNN (Debian's libdnnl-dev; cgnet-bench-onednn, built when it is
#     installed): every convolution layer, fp32 and int8, single thread,
#     in a second table next to our dense layers, both inside the network
#     (--profile) and alone (cgnet-model-gen --layer, --profile, warm
#     caches as oneDNN is timed); each the best of its runs and rounds, as
#     oneDNN's (bench/run-cpu-layers.sh, which also runs alone).
# Every CPU result is checked against the reference evaluator
# (--compare-reference: int8 bit for bit, dense fp32 within 1e-5 + 1e-4 |x|,
# gated fp32 by SQNR >= 20 dB and reported: the evaluator accumulates in
# double, the CPU in float, so a gate at its threshold can decide
# differently and the difference propagates through the network).
#
# Reports per network, precision and rate: the FLOP reduction (dense MACs /
# effective MACs with the measured gate-on rates, --cgnet-flop-report), the
# wall time of one inference (best of ROUNDS x REPEAT runs, 3 x 10 by
# default, single thread; the rounds go over every model in turn), the
# convolutions' share of it (--profile), speedup over our dense run and
# speedup / FLOP reduction (the target is >= 0.7), the reference
# evaluator's time and our speedup over it, and the dense run's MAC rate
# as a fraction of this CPU's fp32 FMA peak (PEAK_MACS_PER_CYCLE x MHz;
# the same figure for int8, which with AVX-512 VNNI does four times the
# MACs per instruction, so it can exceed 100%).
#
#   bash bench/run-cpu-gating.sh                  # CIFAR, rates 0.5 0.8 0.9
#   NETS="cifar imagenet" bash bench/run-cpu-gating.sh
#   GATED=all bash bench/run-cpu-gating.sh        # the shortcuts gated too
# Results: ${OUT_DIR:-out/bench-cpu}/cpu-gating.md (the committed copy is
# bench/results/cpu-gating.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BUILD_DIR:-$root/build}/bin
out=${OUT_DIR:-$root/out/bench-cpu}
nets=${NETS:-cifar}
rates=${RATES:-"0.5 0.8 0.9"}
precs=${PRECS:-"fp32 int8"}
repeat=${REPEAT:-10}
# Timing rounds over all models (each keeps its best; see below).
rounds=${ROUNDS:-3}
# fp32 MACs per cycle of one core: AMD Zen 5 (family 26) has two 512-bit
# FMA pipes, 32; Zen 3 and Zen 4 (family 25) two 256-bit ones, 16; other
# CPUs are taken as 16 (PEAK_MACS_PER_CYCLE to set it).
default_peak() {
  if grep -q '^vendor_id.*AuthenticAMD' /proc/cpuinfo &&
     [ "$(sed -n 's/^cpu family[^:]*: *//p' /proc/cpuinfo | head -1)" = 26 ]; then
    echo 32
  else
    echo 16
  fi
}
peak_per_cycle=${PEAK_MACS_PER_CYCLE:-$(default_peak)}
mhz=${MHZ:-$(sed -n 's/^cpu MHz[^:]*: *//p' /proc/cpuinfo | head -1)}
mkdir -p "$out"
table=$out/cpu-gating.md

source "$root/bench/resnet18.sh"

# run NAME MODEL [COMPARE OPTIONS]: time on the CPU (checked against the
# reference) and write NAME.time (run s), NAME.conv (convolutions' ms),
# NAME.sqnr (when compared by SQNR), NAME.prof.
run() {
  local name=$1 model=$2
  shift 2
  "$bin/cgnet-run" "$model" --backend=cpu --input "$out/$net.x.npy" \
    --compare-reference "$@" --time --repeat "$repeat" > "$out/$name.log"
  grep -q "matches the reference evaluator" "$out/$name.log"
  sed -n 's/^SQNR \([0-9.a-z]*\) dB$/\1/p' "$out/$name.log" > "$out/$name.sqnr"
  sed -n 's/^run: \([0-9.]*\) s.*/\1/p' "$out/$name.log" > "$out/$name.time"
  "$bin/cgnet-run" "$model" --backend=cpu --input "$out/$net.x.npy" \
    --profile --repeat "$repeat" > "$out/$name.prof"
  awk '/conv2d|fully_connected/ { s += $1 } END { printf "%.3f", s }' \
    "$out/$name.prof" > "$out/$name.conv"
}

# retime NAME MODEL: once more (no comparison); NAME.time keeps the best.
retime() {
  local t
  t=$("$bin/cgnet-run" "$2" --backend=cpu --input "$out/$net.x.npy" --time \
    --repeat "$repeat" | sed -n 's/^run: \([0-9.]*\) s.*/\1/p')
  awk -v a="$(cat "$out/$1.time")" -v b="$t" 'BEGIN { print (b < a ? b : a) }' > "$out/$1.time"
}

for net in $nets; do
  echo "== $net: model"
  resnet18_model "$net" "$out/$net.fp32.mlir" "$out/$net.int8.mlir"
  "$bin/cgnet-run" "$out/$net.fp32.mlir" --random-inputs --seed 7 \
    --save-inputs "$out/$net.x.npy" > /dev/null
  for prec in $precs; do
    base=$out/$net.$prec
    echo "== $net $prec: dense"
    run "$net.$prec.dense" "$base.mlir"
    "$bin/cgnet-run" "$base.mlir" --input "$out/$net.x.npy" --time \
      --repeat 1 > "$base.ref.log"
    "$bin/cgnet-opt" "$base.mlir" --cgnet-flop-report="inputs=$out/$net.x.npy report=$base.dense.flops.json" -o /dev/null
    echo 0 > "$base.upstream.time"
    if [ "$prec" = fp32 ]; then
      "$bin/cgnet-run" "$base.mlir" --backend=cpu --cpu-upstream-conv \
        --input "$out/$net.x.npy" --compare-reference --time --repeat 1 > "$base.upstream.log"
      sed -n 's/^run: \([0-9.]*\) s.*/\1/p' "$base.upstream.log" > "$base.upstream.time"
    fi
    for r in $rates; do
      echo "== $net $prec: gate-off rate $r"
      gating=$(resnet18_gating 4 "$r")
      "$bin/cgnet-opt" "$base.mlir" \
        --cgnet-channel-gating="$gating" \
        --mlir-print-debuginfo -o "$base.g$r.mlir" 2> /dev/null
      "$bin/cgnet-opt" "$base.g$r.mlir" --cgnet-flop-report="inputs=$out/$net.x.npy report=$base.g$r.flops.json" -o /dev/null
      if [ "$prec" = fp32 ]; then
        run "$net.$prec.g$r" "$base.g$r.mlir" --min-sqnr 20
      else
        run "$net.$prec.g$r" "$base.g$r.mlir"
      fi
    done
  done
  # More rounds over every model of the network, dense and gated in turn,
  # each keeping its best: a slow spell of this shared machine then
  # disturbs one round of every configuration, not every run of one.
  for ((round = 2; round <= rounds; ++round)); do
    echo "== $net: timing round $round of $rounds"
    for prec in $precs; do
      retime "$net.$prec.dense" "$out/$net.$prec.mlir"
      for r in $rates; do
        retime "$net.$prec.g$r" "$out/$net.$prec.g$r.mlir"
      done
    done
  done
done

{
  echo "| network | precision | gate-off target | FLOP reduction | ms / inference | conv ms | speedup | speedup / FLOP reduction | reference ms | vs reference | SQNR vs reference | upstream linalg ms | vs upstream | dense MAC rate (% of peak) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$table"
for net in $nets; do
  for prec in $precs; do
    base=$out/$net.$prec
    ref=$(sed -n 's/^run: \([0-9.]*\) s.*/\1/p' "$base.ref.log")
    macs=$(json "$base.dense.flops.json" dense_macs last)
    dense=$(cat "$base.dense.time")
    awk -v n=$net -v p=$prec -v t=$dense -v c=$(cat "$base.dense.conv") \
        -v r=$ref -v u=$(cat "$base.upstream.time") -v m=$macs -v k=$peak_per_cycle -v f=$mhz 'BEGIN {
      us = u > 0 ? sprintf("%.1f | %.1fx", 1e3 * u, u / t) : "- | -"
      printf "| %s | %s | off | 1.00 | %.2f | %.2f | 1.00 | - | %.1f | %.1fx | %s | %s | %.1f%% |\n",
        n, p, 1e3 * t, c, 1e3 * r, r / t, p == "int8" ? "exact" : "within tolerance", us, 100 * m / t / (k * f * 1e6) }' >> "$table"
    for r in $rates; do
      awk -v n=$net -v p=$prec -v rate=$r -v d=$dense \
          -v t=$(cat "$base.g$r.time") -v c=$(cat "$base.g$r.conv") \
          -v fr=$(json "$base.g$r.flops.json" flop_reduction last) -v ref=$ref \
          -v q="$(cat "$base.g$r.sqnr")" 'BEGIN {
        printf "| %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.1f | %.1fx | %s | - | - | - |\n",
          n, p, rate, fr, 1e3 * t, c, d / t, d / t / fr, 1e3 * ref, ref / t, q == "" ? "exact" : q " dB" }' >> "$table"
    done
  done
done

# Per-layer dense convolutions against oneDNN (their own rounds).
NETS="$nets" PRECS="$precs" REPEAT="$repeat" ROUNDS="$rounds" OUT_DIR="$out" \
  TABLE="$table" BUILD_DIR="${BUILD_DIR:-$root/build}" bash "$root/bench/run-cpu-layers.sh"
echo "== results ($table)"
cat "$table"
