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
