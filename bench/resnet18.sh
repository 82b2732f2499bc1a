# Shared by the gating benchmarks (sourced): the ResNet-18 variants and a
# reader of the tools' JSON reports.

# resnet18_model NET FLOAT INT [BATCH]: writes the float ResNet-18 of NET
# (imagenet: 224x224, 1000 classes; cifar: 32x32, 10 classes; BATCH images,
# default 1) with seeded weights to FLOAT, and its 8-bit quantization
# (debug locations kept) to INT.
resnet18_model() {
  local size classes
  size=$(resnet18_input_size "$1")
  classes=$([ "$1" = imagenet ] && echo 1000 || echo 10)
  "$bin/cgnet-model-gen" resnet18 --input-size "$size" --classes "$classes" \
    --batch "${4:-1}" --seed 1 -o "$2"
  "$bin/cgnet-opt" "$2" --cgnet-quantize=random-calibration=1 \
    --mlir-print-debuginfo -o "$3"
}

# resnet18_layer NET LAYER FLOAT INT: one convolution of that network alone
# (cgnet-model-gen --layer: the same weights, and its input through a ReLU
# as in the network, except the stem's) to FLOAT, quantized to INT.
resnet18_layer() {
  local size classes
  size=$(resnet18_input_size "$1")
  classes=$([ "$1" = imagenet ] && echo 1000 || echo 10)
  "$bin/cgnet-model-gen" resnet18 --input-size "$size" --classes "$classes" \
    --seed 1 --layer "$2" -o "$3"
  "$bin/cgnet-opt" "$3" --cgnet-quantize=random-calibration=1 -o "$4"
}

# resnet18_gating P RATE: the --cgnet-channel-gating options of the
# gating benchmarks: p = P, thresholds calibrated to gate-off rate RATE on
# one random input, and (GATED=blocks, the default) the layers the
# reference gates (seed-algorithms.md 1.3, its post-activated ResNet): both
# 3x3 convolutions of every basic block, neither the stem (the reference's
# input layer) nor the 1x1 shortcut convolutions (layerN.0.downsample);
# GATED=all gates those shortcuts too (every convolution but the stem, as
# these benchmarks did until the results' "Gates where the reference
# places them" sections).
resnet18_gating() {
  local names=""
  case ${GATED:-blocks} in
    blocks)
      local l b c
      for l in 1 2 3 4; do
        for b in 0 1; do
          for c in 1 2; do names="$names${names:+,}layer$l.$b.conv$c"; done
        done
      done
      names=" names=$names" ;;
    all) ;;
    *) echo "GATED=$GATED: blocks or all" >&2; exit 1 ;;
  esac
  echo "partitions=$1 target-off-rate=$2 random-calibration=1$names"
}

# resnet18_input_size NET: 224 (imagenet) or 32 (cifar).
resnet18_input_size() {
  case $1 in
    imagenet) echo 224 ;;
    cifar) echo 32 ;;
    *) echo "unknown network '$1' (imagenet or cifar)" >&2; exit 1 ;;
  esac
}

# json FILE KEY [first|last]: the first (default) or last number after
# "KEY": in FILE.
json() {
  sed -n "s/^ *\"$2\": \([0-9.e+-]*\),\{0,1\}$/\1/p" "$1" |
    if [ "${3:-first}" = last ]; then tail -1; else head -1; fi
}
