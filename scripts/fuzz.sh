#!/usr/bin/env bash
# Builds the libFuzzer targets (ASan + UBSan, into ${BUILD_DIR:-build-asan})
# if needed, seeds their corpora from the tests, and runs each target for
# ${1:-30} seconds, or for a fixed number of executions with a fixed seed
# (--runs N: reproducible, what CI does). Prints executions per target;
# exits non-zero on a crash (the reproducer is left in
# ${BUILD_DIR}/fuzz-artifacts/; add it to test/fuzz/regressions/ once fixed).
#   bash scripts/fuzz.sh 3600          # a longer hunt (docs/hardening.md)
#   bash scripts/fuzz.sh --runs 20000  # the bounded CI run
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-asan}
limit=(-max_total_time="${1:-30}")
what="${1:-30}s"
if [ "${1:-}" = "--runs" ]; then
  limit=(-runs="$2" -seed=1)
  what="a fixed budget of $2 runs"
fi
if [ ! -x "$build/bin/cgnet-fuzz-ir" ]; then
  BUILD_DIR=$build bash "$root/scripts/build.sh" \
    -DCGNET_ENABLE_SANITIZERS=ON -DCGNET_BUILD_FUZZERS=ON
fi
corpus=$build/fuzz-corpus
artifacts=$build/fuzz-artifacts
mkdir -p "$corpus/ir" "$corpus/onnx" "$corpus/npy" "$corpus/cgisa" "$artifacts"

# IR seeds: every test and example, split at '// -----' like the tests.
i=0
for f in $(find "$root/test" "$root/examples" -name '*.mlir' | sort); do
  awk -v out="$corpus/ir/seed-$i" '
    /^\/\/ -----/ { n++; next }
    { print > (out "-" n ".mlir") }' "$f"
  i=$((i + 1))
done
# ONNX seeds: the textproto test models and small ONNX backend tests.
for f in $(find "$root/test" -name '*.textproto' | sort); do
  protoc --encode=onnx.ModelProto -I/usr/include/onnx \
    /usr/include/onnx/onnx.proto < "$f" > "$corpus/onnx/$(basename "$f" .textproto).onnx" || true
done
for t in test_conv_with_strides_padding test_relu test_leakyrelu \
         test_maxpool_2d_pads test_gemm_default_vector_bias \
         test_batchnorm_example test_reshape_negative_dim test_concat_2d_axis_1; do
  src=/usr/share/libonnx-testdata/data/node/$t/model.onnx
  [ -f "$src" ] && cp "$src" "$corpus/onnx/$t.onnx"
done
# Inputs that once crashed a target stay in its corpus.
for f in $(find "$root/test/fuzz/regressions" -type f | sort); do
  case "$f" in
    *.onnx) cp "$f" "$corpus/onnx/" ;;
    *.mlir) cp "$f" "$corpus/ir/" ;;
    *.npy) cp "$f" "$corpus/npy/" ;;
    *.cgbin) cp "$f" "$corpus/cgisa/" ;;
  esac
done
# Accelerator binary seeds: the hand-written test programs, and the
# bundled example compiled with the default and the tiny-buffer
# configurations.
for f in $(find "$root/test" -name '*.s' | sort); do
  "$build/bin/cgnet-translate" --assemble-cgisa "$f" \
    -o "$corpus/cgisa/$(basename "$f" .s).cgbin" 2> /dev/null || true
done
for cfg in "" "config=$root/test/Sim/Inputs/small.cfg"; do
  "$build/bin/cgnet-opt" "$root/test/Target/CGIsa/Inputs/tiny-int8.mlir" \
    --convert-cgnet-to-cgisa=$cfg |
    "$build/bin/cgnet-translate" --emit-cgisa-bin \
      -o "$corpus/cgisa/tiny-int8${cfg:+-small}.cgbin"
done
# .npy seeds: the tests' inputs.
for f in $(find "$root/test" -name '*.npy' | sort); do
  cp "$f" "$corpus/npy/"
done

# LLVM's inline BumpPtrAllocator poisons memory in our instrumented code
# that the uninstrumented libMLIR.so then uses without unpoisoning: turn
# manual poisoning off (the allocations themselves are still checked).
export ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0}

status=0
for target in ir onnx npy cgisa; do
  log=$build/fuzz-$target.log
  if ! "$build/bin/cgnet-fuzz-$target" "$corpus/$target" \
      "${limit[@]}" -timeout=20 -rss_limit_mb=4096 \
      -artifact_prefix="$artifacts/$target-" -print_final_stats=1 \
      > "$log" 2>&1; then
    echo "fuzz $target: CRASH (see $log and $artifacts)"
    tail -30 "$log"
    status=1
    continue
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz $target: ${runs:-?} executions ($what), no crash"
done
exit $status
