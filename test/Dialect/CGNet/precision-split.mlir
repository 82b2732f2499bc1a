// RUN: cgnet-opt %s --cgnet-quantize=act-range=127 --cgnet-precision-split="threshold=3.0 high-bits=4" | FileCheck %s
// RUN: cgnet-opt %s --cgnet-quantize="act-range=4 act-bits=3" --cgnet-precision-split="threshold=-inf high-bits=2" | FileCheck %s --check-prefix=B3
//
// Numbers. With every gate on (-inf), precision gating is the integer
// convolution bit for bit: q W = 2^lb (q_hb W) + q_lb W exactly (8/4, 5/3,
// 4/3, 3/2). With every gate off only the high bits count.
// RUN: cgnet-run %s --random-inputs --seed 2 --save-inputs %t.x.npy > /dev/null
// RUN: cgnet-opt %s --cgnet-quantize=act-range=1 -o %t.q8.mlir
// RUN: cgnet-run %t.q8.mlir --input %t.x.npy --output %t.q8.npy > /dev/null
// RUN: cgnet-opt %t.q8.mlir --cgnet-precision-split="threshold=-inf high-bits=4" -o %t.p84.mlir
// RUN: cgnet-run %t.p84.mlir --input %t.x.npy --expect %t.q8.npy --atol 0 --rtol 0 --gate-stats | FileCheck %s --check-prefix=ALLON
// RUN: cgnet-opt %s --cgnet-quantize="act-range=1 act-bits=5" -o %t.q5.mlir
// RUN: cgnet-run %t.q5.mlir --input %t.x.npy --output %t.q5.npy > /dev/null
// RUN: cgnet-opt %t.q5.mlir --cgnet-precision-split="threshold=-inf high-bits=3" -o %t.p53.mlir
// RUN: cgnet-run %t.p53.mlir --input %t.x.npy --expect %t.q5.npy --atol 0 --rtol 0 --gate-stats | FileCheck %s --check-prefix=ALLON
// RUN: cgnet-opt %s --cgnet-quantize="act-range=1 act-bits=4" -o %t.q4.mlir
// RUN: cgnet-run %t.q4.mlir --input %t.x.npy --output %t.q4.npy > /dev/null
// RUN: cgnet-opt %t.q4.mlir --cgnet-precision-split="threshold=-inf high-bits=3" -o %t.p43.mlir
// RUN: cgnet-run %t.p43.mlir --input %t.x.npy --expect %t.q4.npy --atol 0 --rtol 0 --gate-stats | FileCheck %s --check-prefix=ALLON
// RUN: cgnet-opt %s --cgnet-quantize="act-range=1 act-bits=3" -o %t.q3.mlir
// RUN: cgnet-run %t.q3.mlir --input %t.x.npy --output %t.q3.npy > /dev/null
// RUN: cgnet-opt %t.q3.mlir --cgnet-precision-split="threshold=-inf high-bits=2" -o %t.p32.mlir
// RUN: cgnet-run %t.p32.mlir --input %t.x.npy --expect %t.q3.npy --atol 0 --rtol 0 --gate-stats | FileCheck %s --check-prefix=ALLON
// ALLON: gate {{.*}}: 32/32 on (100.00%)
// ALLON: result #0 matches
// RUN: cgnet-opt %t.q8.mlir --cgnet-precision-split="threshold=inf high-bits=4" -o %t.off.mlir
// RUN: cgnet-run %t.off.mlir --input %t.x.npy --gate-stats --expect %t.q8.npy --min-sqnr -100 | FileCheck %s --check-prefix=OFF
// OFF: gate {{.*}}: 0/32 on (0.00%)
// Calibration to half the gates off, on the calibration input itself.
// RUN: cgnet-opt %t.q8.mlir --cgnet-precision-split="target-off-rate=0.5 calibration=%t.x.npy" -o %t.cal.mlir
// RUN: cgnet-run %t.cal.mlir --input %t.x.npy --gate-stats | FileCheck %s --check-prefix=CAL
// CAL: gate {{.*}}: {{1[4-8]}}/32 on

// act-range=127: s_x = 1; the weight steps are 2/127 and 1/127 per
// channel, so the threshold 3.0 becomes floor(3 * 127/2) + 1 = 191 and
// floor(3 * 127) + 1 = 382.
// CHECK-LABEL: func @main
// CHECK:         [[T:%.+]] = arith.constant dense<[191, 382]> : tensor<2xi32>
// CHECK:         cgnet.precision_gated_conv2d %{{.+}}, %{{.+}}, [[T]], %{{.+}} {bits = 8 : i64, high_bits = 4 : i64} : {{.*}} -> tensor<1x2x4x4xi32>
// B3-LABEL: func @main
// B3:         cgnet.precision_gated_conv2d {{.*}} {bits = 3 : i64, high_bits = 2 : i64} : (tensor<1x2x4x4x!quant.uniform<i8<-4:3>:f32
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w = arith.constant dense<[[[[2.0]], [[-1.0]]], [[[0.5]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %b = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %c = cgnet.conv2d %x, %w, %b : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
  return %c : tensor<1x2x4x4xf32>
}
