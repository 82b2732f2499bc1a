#!/usr/bin/env bash
# The main job on the bundled example (examples/tiny-cnn.mlir): installs what
# is missing, builds, then runs the pipeline that exists today:
#   fold batch norm -> reference run of the original and the folded model
#   -> check they agree -> the folded model compiled for the CPU (JIT),
#   checked against the reference -> calibrate and quantize to 8 bits (with the
#   per-layer quantization report) -> run the integer model and check its
#   output SQNR against the float model -> the integer model on the CPU,
#   bit for bit -> per-layer MACs, gate-on rates
#   and FLOP reduction -> compile for the CGNet accelerator (binary and
#   assembly) -> simulate it, check its output bit for bit against the
#   reference, per-layer cycles and gate-on rates (table, JSON, trace)
#   -> per-layer speedup and MAC reduction against the same network with
#   every gate on, on the accelerator and (whole network) on the CPU; the
#   CPU's per-layer times come with step 6b -> one per-layer table of all
#   of it (MACs, gate-on rate, FLOP reduction, CPU time, accelerator cycles,
#   speedups against the ungated network) and its JSON (report.json).
# Artifacts go to ${OUT_DIR:-out/tiny-cnn}.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/install-deps.sh"
bash "$root/scripts/build.sh"
bin=${BUILD_DIR:-$root/build}/bin
out=${OUT_DIR:-$root/out/tiny-cnn}
mkdir -p "$out"
model=$root/examples/tiny-cnn.mlir

echo "== 1. fold batch norm"
"$bin/cgnet-opt" "$model" --cgnet-fold-batchnorm -o "$out/folded.mlir"
echo "   wrote $out/folded.mlir"
echo "== 2. reference run of the original model (seeded random input)"
"$bin/cgnet-run" "$model" --random-inputs --seed 1 --gate-stats \
  --output "$out/original.npy" --print-values
echo "== 3. reference run of the folded model, checked against step 2"
"$bin/cgnet-run" "$out/folded.mlir" --random-inputs --seed 1 --gate-stats \
  --expect "$out/original.npy" --atol 1e-5 --rtol 1e-4 --print-values \
  --output "$out/folded.npy"
echo "== 3b. the folded float model compiled for this CPU (JIT), checked against step 3"
"$bin/cgnet-run" "$out/folded.mlir" --backend=cpu --random-inputs --seed 1 \
  --expect "$out/folded.npy" --atol 1e-5 --rtol 1e-4
echo "== 4. calibration inputs (seeded random inputs, written as .npy)"
for s in 11 12 13 14; do
  "$bin/cgnet-run" "$out/folded.mlir" --random-inputs --seed $s \
    --save-inputs "$out/calib-$s.npy" > /dev/null
done
echo "== 5. quantize to 8-bit integers (per-layer report: quant-report.json)"
"$bin/cgnet-opt" "$out/folded.mlir" \
  --cgnet-quantize="calibration=$out/calib-11.npy,$out/calib-12.npy,$out/calib-13.npy,$out/calib-14.npy" \
  --cgnet-quant-report="$out/quant-report.json" --cgnet-quant-report-table=- \
  -o "$out/int8.mlir"
echo "== 6. reference run of the integer model against the float output"
"$bin/cgnet-run" "$out/int8.mlir" --random-inputs --seed 1 --gate-stats \
  --expect "$out/folded.npy" --min-sqnr 30 --print-values \
  --output "$out/int8.npy" --save-inputs "$out/input.npy"
echo "== 6b. the integer model compiled for this CPU (JIT), bit for bit against step 6,"
echo "   with per-layer CPU times (cpu-profile.txt, mean of 20 runs)"
"$bin/cgnet-run" "$out/int8.mlir" --backend=cpu --input "$out/input.npy" \
  --expect "$out/int8.npy" --atol 0 --rtol 0 --profile --repeat 20 \
  --profile-report "$out/cpu-profile.json" | tee "$out/cpu-profile.txt"
echo "== 7. per-layer MACs and measured gate-on rates (flop-report.json)"
"$bin/cgnet-opt" "$out/int8.mlir" \
  --cgnet-flop-report="inputs=$out/calib-11.npy,$out/calib-12.npy report=$out/flop-report.json table=-" \
  -o /dev/null
echo "== 8. compile for the CGNet accelerator (config/cgnet-prototype.cfg)"
"$bin/cgnet-opt" "$out/int8.mlir" \
  --convert-cgnet-to-cgisa="config=$root/config/cgnet-prototype.cfg" \
  -o "$out/accel.mlir"
"$bin/cgnet-translate" --emit-cgisa-bin "$out/accel.mlir" -o "$out/accel.cgbin"
"$bin/cgnet-translate" --emit-cgisa-asm "$out/accel.mlir" -o "$out/accel.s"
echo "   wrote $out/accel.cgbin ($(wc -c < "$out/accel.cgbin") bytes) and $out/accel.s"
echo "== 9. simulate: output checked bit for bit against step 6, per-layer report"
"$bin/cgnet-sim" "$out/accel.cgbin" --input "$out/input.npy" \
  --expect "$out/int8.npy" --report "$out/accel-report.json" \
  --trace "$out/accel-trace.json" --table -
echo "== 10. against the same network with every gate on (--cgnet-ungate)"
"$bin/cgnet-opt" "$out/int8.mlir" --cgnet-ungate \
  --convert-cgnet-to-cgisa="config=$root/config/cgnet-prototype.cfg" |
  "$bin/cgnet-translate" --emit-cgisa-bin -o "$out/accel-ungated.cgbin"
"$bin/cgnet-sim" "$out/accel-ungated.cgbin" --input "$out/input.npy" \
  --report "$out/accel-ungated-report.json" > /dev/null
"$bin/cgnet-sim" "$out/accel.cgbin" --input "$out/input.npy" \
  --baseline "$out/accel-ungated.cgbin" --table "$out/accel-vs-ungated.txt"
sed -n '/vs --baseline/,$p' "$out/accel-vs-ungated.txt"
echo "== 10b. the same comparison on the CPU (one inference, best of 20 runs)"
# The ungated model keeps int8.mlir's locations, so its layers carry the
# same names in every report.
"$bin/cgnet-opt" "$out/int8.mlir" --cgnet-ungate --mlir-print-debuginfo \
  -o "$out/int8-ungated.mlir"
for m in int8 int8-ungated; do
  printf '   %-14s' "$m:"
  "$bin/cgnet-run" "$out/$m.mlir" --backend=cpu --input "$out/input.npy" \
    --time --repeat 20 | sed -n 's/^run: //p'
done
"$bin/cgnet-run" "$out/int8-ungated.mlir" --backend=cpu \
  --input "$out/input.npy" --profile --repeat 20 \
  --profile-report "$out/cpu-profile-ungated.json" > /dev/null
echo "== 11. per layer: MACs, gate-on rate and FLOP reduction (step 7), CPU time"
echo "   (steps 6b, 10b) and accelerator cycles (steps 9, 10), each against the"
echo "   ungated network (report.json)"
"$bin/cgnet-report" --flops "$out/flop-report.json" \
  --cpu "$out/cpu-profile.json" --cpu-baseline "$out/cpu-profile-ungated.json" \
  --accel "$out/accel-report.json" \
  --accel-baseline "$out/accel-ungated-report.json" \
  --json "$out/report.json" --table -
echo "== done: artifacts in $out"
