#!/usr/bin/env bash
# The main job on the bundled example (examples/tiny-cnn.onnx.txt, an ONNX
# model in protobuf text): installs what is missing, builds, then
#   import the ONNX model -> fold batch norm -> group the channels between
#   convolutions -> outlier channel splitting -> channel gating (calibrated
#   gate thresholds) -> quantize to 8 bits, each step checked numerically
#   on the reference evaluator -> the integer model compiled for this CPU
#   (JIT), bit for bit against the reference, with per-layer times -> MACs,
#   gate-on rates and FLOP reduction per layer -> the CGNet accelerator
#   program (binary and assembly) -> cycle-level simulation, bit for bit
#   against the reference -> the same network with every gate on, on the
#   accelerator and the CPU -> one per-layer table (MACs, gate-on rate, FLOP
#   reduction, CPU time, accelerator cycles, speedups against the ungated
#   network) and its JSON (report.json).
# Artifacts go to ${OUT_DIR:-out/tiny-cnn}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
bin=${BUILD_DIR:-$root/build}/bin
out=${OUT_DIR:-$root/out/tiny-cnn}
mkdir -p "$out"
calib() { # the calibration inputs, comma-separated
  echo "$out/calib-11.npy,$out/calib-12.npy,$out/calib-13.npy,$out/calib-14.npy"
}

echo "== 1. import the ONNX model (examples/tiny-cnn.onnx.txt -> model.onnx -> model.mlir)"
protoc --encode=onnx.ModelProto -I/usr/include/onnx /usr/include/onnx/onnx.proto \
  < "$root/examples/tiny-cnn.onnx.txt" > "$out/model.onnx"
"$bin/cgnet-translate" --import-onnx --op-stats "$out/model.onnx" \
  -o "$out/model.mlir"
echo "== 2. reference run of the imported model (seeded random input)"
"$bin/cgnet-run" "$out/model.mlir" --random-inputs --seed 1 \
  --save-inputs "$out/input.npy" --output "$out/original.npy" --print-values
for s in 11 12 13 14; do
  "$bin/cgnet-run" "$out/model.mlir" --random-inputs --seed $s \
    --save-inputs "$out/calib-$s.npy" > /dev/null
done
echo "== 3. fold batch norm, checked against step 2"
# Every step keeps the locations (--mlir-print-debuginfo): the layers keep
# their ONNX node names in every report.
dbg=--mlir-print-debuginfo
"$bin/cgnet-opt" "$out/model.mlir" --cgnet-fold-batchnorm $dbg -o "$out/folded.mlir"
"$bin/cgnet-run" "$out/folded.mlir" --input "$out/input.npy" \
  --expect "$out/original.npy" --atol 1e-5 --rtol 1e-4
echo "== 4. group the channels between convolutions (2 groups, exact), checked"
"$bin/cgnet-opt" "$out/folded.mlir" --cgnet-group-shuffle=groups=2 $dbg \
  -o "$out/grouped.mlir"
"$bin/cgnet-run" "$out/grouped.mlir" --input "$out/input.npy" \
  --expect "$out/original.npy" --atol 1e-5 --rtol 1e-4
echo "== 5. outlier channel splitting (25% more input channels, exact), checked"
"$bin/cgnet-opt" "$out/grouped.mlir" --cgnet-ocs=expand-ratio=0.25 $dbg \
  -o "$out/ocs.mlir"
"$bin/cgnet-run" "$out/ocs.mlir" --input "$out/input.npy" \
  --expect "$out/original.npy" --atol 1e-5 --rtol 1e-4
echo "== 6. channel gating (base path: one of the 2 groups; thresholds for 50%"
echo "   of the gates off on the calibration inputs); its cost as output SQNR"
"$bin/cgnet-opt" "$out/ocs.mlir" \
  --cgnet-channel-gating="target-off-rate=0.5 calibration=$out/calib-11.npy,$out/calib-12.npy" \
  $dbg -o "$out/gated.mlir"
"$bin/cgnet-run" "$out/gated.mlir" --input "$out/input.npy" --gate-stats \
  --expect "$out/original.npy" --min-sqnr 0 --output "$out/gated.npy"
echo "== 7. quantize to 8-bit integers (per-layer report: quant-report.json),"
echo "   checked against the float gated model by output SQNR"
"$bin/cgnet-opt" "$out/gated.mlir" --cgnet-quantize="calibration=$(calib)" \
  --cgnet-quant-report="$out/quant-report.json" --cgnet-quant-report-table=- \
  $dbg -o "$out/int8.mlir"
"$bin/cgnet-run" "$out/int8.mlir" --input "$out/input.npy" --gate-stats \
  --expect "$out/gated.npy" --min-sqnr 25 --print-values --output "$out/int8.npy"
echo "== 8. the integer model compiled for this CPU (JIT), bit for bit against"
echo "   step 7, with per-layer CPU times (cpu-profile.txt, mean of 20 runs)"
"$bin/cgnet-run" "$out/int8.mlir" --backend=cpu --input "$out/input.npy" \
  --expect "$out/int8.npy" --atol 0 --rtol 0 --profile --repeat 20 \
  --profile-report "$out/cpu-profile.json" | tee "$out/cpu-profile.txt"
echo "== 9. per-layer MACs and measured gate-on rates (flop-report.json)"
"$bin/cgnet-opt" "$out/int8.mlir" \
  --cgnet-flop-report="inputs=$out/calib-13.npy,$out/calib-14.npy report=$out/flop-report.json table=-" \
  -o /dev/null
echo "== 10. compile for the CGNet accelerator (config/cgnet-prototype.cfg)"
"$bin/cgnet-opt" "$out/int8.mlir" \
  --convert-cgnet-to-cgisa="config=$root/config/cgnet-prototype.cfg" \
  -o "$out/accel.mlir"
"$bin/cgnet-translate" --emit-cgisa-bin "$out/accel.mlir" -o "$out/accel.cgbin"
"$bin/cgnet-translate" --emit-cgisa-asm "$out/accel.mlir" -o "$out/accel.s"
echo "   wrote $out/accel.cgbin ($(wc -c < "$out/accel.cgbin") bytes) and $out/accel.s"
echo "== 11. simulate: output checked bit for bit against step 7, per-layer report"
"$bin/cgnet-sim" "$out/accel.cgbin" --input "$out/input.npy" \
  --expect "$out/int8.npy" --report "$out/accel-report.json" \
  --trace "$out/accel-trace.json" --table -
echo "== 12. the same network with every gate on (--cgnet-ungate), on the"
echo "   accelerator and on the CPU (one inference, best of 20 runs)"
"$bin/cgnet-opt" "$out/int8.mlir" --cgnet-ungate $dbg \
  -o "$out/int8-ungated.mlir"
"$bin/cgnet-opt" "$out/int8-ungated.mlir" \
  --convert-cgnet-to-cgisa="config=$root/config/cgnet-prototype.cfg" |
  "$bin/cgnet-translate" --emit-cgisa-bin -o "$out/accel-ungated.cgbin"
"$bin/cgnet-sim" "$out/accel-ungated.cgbin" --input "$out/input.npy" \
  --report "$out/accel-ungated-report.json" > /dev/null
"$bin/cgnet-sim" "$out/accel.cgbin" --input "$out/input.npy" \
  --baseline "$out/accel-ungated.cgbin" --table "$out/accel-vs-ungated.txt"
sed -n 's/^total: /   accelerator: /p' "$out/accel-vs-ungated.txt" | tail -1
for m in int8 int8-ungated; do
  printf '   CPU %-13s' "$m:"
  "$bin/cgnet-run" "$out/$m.mlir" --backend=cpu --input "$out/input.npy" \
    --time --repeat 20 | sed -n 's/^run: //p'
done
"$bin/cgnet-run" "$out/int8-ungated.mlir" --backend=cpu \
  --input "$out/input.npy" --profile --repeat 20 \
  --profile-report "$out/cpu-profile-ungated.json" > /dev/null
echo "== 13. per layer: MACs, gate-on rate and FLOP reduction (step 9), CPU time"
echo "   (steps 8, 12) and accelerator cycles (steps 11, 12), each against the"
echo "   ungated network (report.json)"
"$bin/cgnet-report" --flops "$out/flop-report.json" \
  --cpu "$out/cpu-profile.json" --cpu-baseline "$out/cpu-profile-ungated.json" \
  --accel "$out/accel-report.json" \
  --accel-baseline "$out/accel-ungated-report.json" \
  --json "$out/report.json" --table -
echo "== done: artifacts in $out"
