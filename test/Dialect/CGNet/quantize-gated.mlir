// A channel-gated convolution with every threshold at minus infinity,
// quantized, computes exactly what the quantized dense convolution with the
// same weights computes (the thresholds become INT32_MIN; bit for bit).
// RUN: split-file %s %t
// RUN: cgnet-opt %t/dense.mlir --cgnet-quantize=act-range=4 -o %t/qd.mlir
// RUN: cgnet-opt %t/gated.mlir --cgnet-quantize=act-range=4 -o %t/qg.mlir
// RUN: cgnet-run %t/qd.mlir --random-inputs --seed 5 --output %t/dense.npy
// RUN: cgnet-run %t/qg.mlir --random-inputs --seed 5 --gate-stats --expect %t/dense.npy --atol 0 --rtol 0 | FileCheck %s
// CHECK: gate {{.*}}: 32/32 on (100.00%)
// CHECK: result #0 matches
//
// The whole bundled example (batch norm folded, a gated convolution, an
// add of two differently scaled activations) quantized with calibration:
// the output SQNR against the float model, and the gate-on count within
// a few of the float count (gates near the threshold may flip).
// RUN: cgnet-opt %cgnet_src/examples/tiny-cnn.mlir --cgnet-fold-batchnorm -o %t/folded.mlir
// RUN: cgnet-run %t/folded.mlir --random-inputs --seed 1 --save-inputs %t/c1.npy > /dev/null
// RUN: cgnet-run %t/folded.mlir --random-inputs --seed 2 --save-inputs %t/c2.npy > /dev/null
// RUN: cgnet-run %t/folded.mlir --random-inputs --seed 9 --gate-stats --output %t/float.npy | FileCheck %s --check-prefix=FLOAT
// FLOAT: gate {{.*}}: 291/512 on
// RUN: cgnet-opt %t/folded.mlir --cgnet-quantize="calibration=%t/c1.npy,%t/c2.npy" -o %t/q.mlir
// RUN: FileCheck %s --check-prefix=IR < %t/q.mlir
// The add's operands (two scales) are requantized to the add's own scale.
// IR: [[P:%.+]] = cgnet.max_pool2d
// IR: cgnet.channel_gated_conv2d {{.*}} -> tensor<1x8x8x8xi32>
// IR: [[R:%.+]] = cgnet.relu
// IR: [[A:%.+]] = cgnet.requantize [[R]] {multiplier = array<i32: {{[0-9]+}}>, shift = array<i32: {{[0-9]+}}>} {{.*}} -> tensor<1x8x8x8x!quant.uniform<i8:f32, [[S:[0-9.e-]+]]>>
// IR: [[B:%.+]] = cgnet.requantize [[P]] {{.*}} -> tensor<1x8x8x8x!quant.uniform<i8:f32, [[S]]>>
// IR: cgnet.add [[A]], [[B]] : tensor<1x8x8x8x!quant.uniform<i8:f32, [[S]]>>
// RUN: cgnet-run %t/q.mlir --random-inputs --seed 9 --gate-stats --expect %t/float.npy --min-sqnr 30 | FileCheck %s --check-prefix=QUANT
// QUANT: gate {{.*}}: {{28[6-9]|29[0-6]}}/512 on
// QUANT: SQNR

//--- dense.mlir
func.func @main(%x: tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32> {
  %w = arith.constant dense<[[[[0.5]], [[-1.0]], [[0.25]], [[2.0]]], [[[0.1]], [[0.2]], [[0.3]], [[0.4]]], [[[-0.5]], [[1.0]], [[-0.25]], [[-2.0]]], [[[1.5]], [[0.0]], [[0.0]], [[-1.5]]], [[[0.5]], [[0.5]], [[0.5]], [[0.5]]], [[[-0.1]], [[0.9]], [[-0.7]], [[0.3]]], [[[0.05]], [[-0.05]], [[0.6]], [[-0.6]]], [[[1.0]], [[1.0]], [[-1.0]], [[-1.0]]]]> : tensor<8x4x1x1xf32>
  %b = arith.constant dense<[0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4]> : tensor<8xf32>
  %y = cgnet.conv2d %x, %w, %b : (tensor<1x4x2x2xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>) -> tensor<1x8x2x2xf32>
  return %y : tensor<1x8x2x2xf32>
}

//--- gated.mlir
func.func @main(%x: tensor<1x4x2x2xf32>) -> tensor<1x8x2x2xf32> {
  %w = arith.constant dense<[[[[0.5]], [[-1.0]], [[0.25]], [[2.0]]], [[[0.1]], [[0.2]], [[0.3]], [[0.4]]], [[[-0.5]], [[1.0]], [[-0.25]], [[-2.0]]], [[[1.5]], [[0.0]], [[0.0]], [[-1.5]]], [[[0.5]], [[0.5]], [[0.5]], [[0.5]]], [[[-0.1]], [[0.9]], [[-0.7]], [[0.3]]], [[[0.05]], [[-0.05]], [[0.6]], [[-0.6]]], [[[1.0]], [[1.0]], [[-1.0]], [[-1.0]]]]> : tensor<8x4x1x1xf32>
  %b = arith.constant dense<[0.1, -0.1, 0.2, -0.2, 0.3, -0.3, 0.4, -0.4]> : tensor<8xf32>
  %t = arith.constant dense<0xFF800000> : tensor<8xf32>
  %y = cgnet.channel_gated_conv2d %x, %w, %t, %b {partitions = 2 : i64, grouped = true} : (tensor<1x4x2x2xf32>, tensor<8x4x1x1xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x2x2xf32>
  return %y : tensor<1x8x2x2xf32>
}
