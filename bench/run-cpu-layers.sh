#!/usr/bin/env bash
# Every dense convolution layer of ResNet-18 (CIFAR and/or ImageNet shapes,
# fp32 and/or int8) in cgnet's generated code next to oneDNN's primitive
# (Debian's libdnnl-dev; cgnet-bench-onednn, built when it is installed),
# single thread:
#   - cgnet inside the network: --profile of the dense network (the
#     weights coming from memory as in a real inference), the best of its
#     runs; taken from OUT_DIR/NET.PREC.dense.prof when run-cpu-gating.sh
#     left one there, else profiled here;
#   - cgnet alone: the layer as a model of its own (cgnet-model-gen
#     --layer, the same weights, the input through a ReLU as in the
#     network: the 8-bit kernels depend on it), --profile, the best of
#     REPEAT runs with
#     warm caches, as oneDNN is timed;
#   - oneDNN: cgnet-bench-onednn (OMP_NUM_THREADS=1, its preferred
#     formats, reorders not timed), the best of REPEAT runs.
# The last two run in ROUNDS rounds (3 by default), each round every layer
# of cgnet and oneDNN's whole list in turn, and each layer keeps its best
# round: on a shared machine a process can run slow throughout (seen here:
# the same layer's best of 30 runs 0.55 ms in one process, 0.75 in the
# next), so one process per layer draws that lot once for cgnet's layers
# and once for all of oneDNN's.
# For int8 it also checks whether oneDNN's primitive computes the exact
# sums (cgnet-bench-onednn --check: full-range s8 data against exact int32
# sums; on AVX2 without VNNI its jit_uni_int8:avx2 kernel does not).
#
#   NETS="cifar imagenet" PRECS="fp32 int8" bash bench/run-cpu-layers.sh
# Appends its table to OUT_DIR/cpu-gating.md (run-cpu-gating.sh's table)
# or, run alone, writes OUT_DIR/cpu-layers.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${BUILD_DIR:-$root/build}/bin
out=${OUT_DIR:-$root/out/bench-cpu}
nets=${NETS:-cifar}
precs=${PRECS:-"fp32 int8"}
repeat=${REPEAT:-10}
rounds=${ROUNDS:-3}
table=${TABLE:-$out/cpu-layers.md}
mkdir -p "$out"
[ -n "${TABLE:-}" ] || : > "$table"

source "$root/bench/resnet18.sh"

if [ ! -x "$bin/cgnet-bench-onednn" ]; then
  echo "cgnet-bench-onednn is not built (install libdnnl-dev and re-run cmake): no oneDNN table" >&2
  exit 0
fi

# keep_best FILE NEW: FILE's "ms name" lines keep, per name, the smaller of
# theirs and NEW's (FILE is NEW's copy when it does not exist yet).
keep_best() {
  if [ ! -s "$1" ]; then
    cp "$2" "$1"
    return
  fi
  awk 'FNR == NR { best[$2] = $1; next }
       { printf "%s %s\n", ($2 in best && best[$2] < $1 ? best[$2] : $1), $2 }' \
    "$1" "$2" > "$1.tmp"
  mv "$1.tmp" "$1"
}

{
  echo
  echo "Dense convolution layers, ms (single thread): cgnet's generated code inside the network (--profile: best of the runs, the weights coming from memory as in a real inference) and alone (the layer as a model of its own, cgnet-model-gen --layer, --profile: the convolution's code, best of the runs with warm caches, as oneDNN is timed), and oneDNN's primitive in its preferred formats (cgnet-bench-onednn, OMP_NUM_THREADS=1, best of the runs, reorders not timed); alone and oneDNN each the best of $rounds rounds of $repeat runs (bench/run-cpu-layers.sh). The ratio compares the two timed alone."
  echo
  echo "| network | precision | layer | cgnet ms in network | cgnet ms alone | oneDNN ms | cgnet alone / oneDNN |"
  echo "|---|---|---|---|---|---|---|"
} >> "$table"
for net in $nets; do
  size=$(resnet18_input_size "$net")
  for prec in $precs; do
    base=$out/$net.$prec
    if [ ! -f "$base.dense.prof" ]; then
      echo "== $net $prec: the dense network, profiled"
      resnet18_model "$net" "$out/$net.fp32.mlir" "$out/$net.int8.mlir"
      "$bin/cgnet-run" "$base.mlir" --backend=cpu --random-inputs \
        --profile --repeat "$repeat" > "$base.dense.prof"
    fi
    # "mean ms  best ms best  %  op loc("name")" lines of the profile: the
    # best, by layer name.
    sed -n 's/^ *[0-9.]* ms *\([0-9.]*\) ms best .*conv2d loc("\([^"]*\)").*/\1 \2/p' \
      "$base.dense.prof" > "$base.ours"
    rm -f "$base.onednn" "$base.alone"
    for ((round = 1; round <= rounds; ++round)); do
      echo "== $net $prec: layers against oneDNN, round $round of $rounds"
      OMP_NUM_THREADS=1 "$bin/cgnet-bench-onednn" --input-size "$size" \
        --precision "$prec" --repeat "$repeat" | awk '$2 != "total"' > "$base.onednn.round"
      keep_best "$base.onednn" "$base.onednn.round"
      : > "$base.alone.round"
      for layer in $(awk '{ print $2 }' "$base.onednn.round"); do
        # Written in the first round (never taken from an earlier run in
        # OUT_DIR), read again in the others.
        [ "$round" -gt 1 ] ||
          resnet18_layer "$net" "$layer" "$out/$net.$layer.fp32.mlir" "$out/$net.$layer.int8.mlir"
        # The convolution's own time (--profile; the 8-bit model also
        # quantizes its float input and dequantizes its result).
        "$bin/cgnet-run" "$out/$net.$layer.$prec.mlir" --backend=cpu \
          --random-inputs --profile --repeat "$repeat" > "$out/layer.log"
        echo "$(sed -n 's/^ *[0-9.]* ms *\([0-9.]*\) ms best .*conv2d loc.*/\1/p' "$out/layer.log") $layer" >> "$base.alone.round"
      done
      keep_best "$base.alone" "$base.alone.round"
    done
    awk -v n=$net -v p=$prec 'FILENAME ~ /ours$/ { ours[$2] = $1; next }
      FILENAME ~ /alone$/ { alone[$2] = $1; next }
      $2 in ours && $2 in alone { printf "| %s | %s | %s | %.3f | %.3f | %.3f | %.2f |\n", n, p, $2, ours[$2], alone[$2], $1, alone[$2] / $1; a += ours[$2]; s += alone[$2]; b += $1 }
      END { printf "| %s | %s | all | %.3f | %.3f | %.3f | %.2f |\n", n, p, a, s, b, s / b }' \
      "$base.ours" "$base.alone" "$base.onednn" >> "$table"
    if [ "$prec" = int8 ]; then
      # Whether oneDNN's int8 primitive (the one timed) computes the exact
      # sums: each layer on full-range s8 data, untimed.
      OMP_NUM_THREADS=1 "$bin/cgnet-bench-onednn" --input-size "$size" \
        --precision int8 --check > "$out/$net.int8.onednn-check" || true
      echo "| $net | int8 | exact? | $(awk '$3 != 0 { d++ } END { printf "%d of %d layers", d, NR }' "$out/$net.int8.onednn-check") with outputs that differ from the exact int32 sums in oneDNN's primitive ($(sed -n '1s/^[^(]*(\([^)]*\)).*/\1/p' "$out/$net.int8.onednn-check"); cgnet-bench-onednn --check: full-range s8 data), none in cgnet's (bit for bit with the reference evaluator) | | | |" >> "$table"
    fi
  done
done
# Run alone: the table on stdout too.
if [ -z "${TABLE:-}" ]; then
  echo "== layers ($table)"
  cat "$table"
fi
