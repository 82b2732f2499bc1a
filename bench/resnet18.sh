# Shared by the gating benchmarks (sourced): the ResNet-18 variants and a
# reader of the tools' JSON reports.

# resnet18_model NET FLOAT INT: writes the float ResNet-18 of NET
# (imagenet: 224x224, 1000 classes; cifar: 32x32, 10 classes) with seeded
# weights to FLOAT, and its 8-bit quantization (debug locations kept) to
# INT.
resnet18_model() {
  local size classes
  case $1 in
    imagenet) size=224 classes=1000 ;;
    cifar) size=32 classes=10 ;;
    *) echo "unknown network '$1' (imagenet or cifar)" >&2; exit 1 ;;
  esac
  "$bin/cgnet-model-gen" resnet18 --input-size "$size" --classes "$classes" \
    --seed 1 -o "$2"
  "$bin/cgnet-opt" "$2" --cgnet-quantize=random-calibration=1 \
    --mlir-print-debuginfo -o "$3"
}

# json FILE KEY [first|last]: the first (default) or last number after
# "KEY": in FILE.
json() {
  sed -n "s/^ *\"$2\": \([0-9.e+-]*\),\{0,1\}$/\1/p" "$1" |
    if [ "${3:-first}" = last ]; then tail -1; else head -1; fi
}
