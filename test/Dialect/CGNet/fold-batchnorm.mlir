// RUN: cgnet-opt %s --cgnet-fold-batchnorm -split-input-file | FileCheck %s
//
// Numbers: the folded network equals the unfolded one on random inputs
// (reference evaluator, f32, |diff| <= 1e-5 + 1e-5 * |expected|).
// RUN: split-file %s %t
// RUN: cgnet-run %t/main.mlir --random-inputs --seed 11 --output %t/ref.npy
// RUN: cgnet-opt %t/main.mlir --cgnet-fold-batchnorm -o %t/folded.mlir
// RUN: cgnet-run %t/folded.mlir --random-inputs --seed 11 --expect %t/ref.npy --atol 1e-5 --rtol 1e-5 | FileCheck %s --check-prefix=NUM
// NUM: result #0 matches

//--- main.mlir
// CHECK-LABEL: func @main
// CHECK-DAG:     [[W:%.+]] = arith.constant dense<{{.*}}> : tensor<2x2x3x3xf32>
// CHECK-DAG:     [[B:%.+]] = arith.constant dense<{{.*}}> : tensor<2xf32>
// CHECK:         [[C:%.+]] = cgnet.conv2d %{{.+}}, [[W]], [[B]] {padding = array<i64: 1, 1, 1, 1>}
// CHECK-NOT:     cgnet.batch_norm
// CHECK:         return [[C]]
func.func @main(%x: tensor<1x2x3x3xf32>) -> tensor<1x2x3x3xf32> {
  %w = arith.constant dense<[[[[0.1, 0.2, 0.3], [0.4, 0.5, 0.6], [0.7, 0.8, 0.9]], [[-0.1, 0.2, -0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, -0.9]]], [[[0.5, 0.5, 0.5], [0.5, 0.5, 0.5], [0.5, 0.5, 0.5]], [[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]]]]> : tensor<2x2x3x3xf32>
  %cb = arith.constant dense<[0.25, -0.75]> : tensor<2xf32>
  %g = arith.constant dense<[1.5, -0.5]> : tensor<2xf32>
  %b = arith.constant dense<[0.1, 0.2]> : tensor<2xf32>
  %m = arith.constant dense<[0.3, -0.4]> : tensor<2xf32>
  %v = arith.constant dense<[2.0, 0.25]> : tensor<2xf32>
  %c = cgnet.conv2d %x, %w, %cb {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x3x3xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  %y = cgnet.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0e-3 : f32} : (tensor<1x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x3x3xf32>
  return %y : tensor<1x2x3x3xf32>
}

// -----

// Hand-computed fold: k = 2 / sqrt(3 + 1) = 1; W' = W, b' = (0 - 1) * 1 + 5 = 4.
// CHECK-LABEL: func @exact_values
// CHECK-DAG: arith.constant dense<1.000000e+00> : tensor<1x1x1x1xf32>
// CHECK-DAG: arith.constant dense<4.000000e+00> : tensor<1xf32>
func.func @exact_values(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %g = arith.constant dense<2.0> : tensor<1xf32>
  %b = arith.constant dense<5.0> : tensor<1xf32>
  %m = arith.constant dense<1.0> : tensor<1xf32>
  %v = arith.constant dense<3.0> : tensor<1xf32>
  %c = cgnet.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  %y = cgnet.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0 : f32} : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Gated: k = 2 / sqrt(3 + 1) = 1, c = 5 - 1 * 1 = 4. The threshold 0.5
// becomes 0.5 * 1 + 4 = 4.5 and -inf stays -inf; the bias 1 becomes 5.
// CHECK-LABEL: func @gated
// CHECK-DAG: [[T:%.+]] = arith.constant dense<[4.500000e+00, 0xFF800000]> : tensor<2xf32>
// CHECK-DAG: [[B:%.+]] = arith.constant dense<5.000000e+00> : tensor<2xf32>
// CHECK:     cgnet.channel_gated_conv2d %{{.+}}, %{{.+}}, [[T]], [[B]] {partitions = 2 : i64}
func.func @gated(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %t = arith.constant dense<[0.5, 0xFF800000]> : tensor<2xf32>
  %cb = arith.constant dense<1.0> : tensor<2xf32>
  %g = arith.constant dense<2.0> : tensor<2xf32>
  %b = arith.constant dense<5.0> : tensor<2xf32>
  %m = arith.constant dense<1.0> : tensor<2xf32>
  %v = arith.constant dense<3.0> : tensor<2xf32>
  %c = cgnet.channel_gated_conv2d %x, %w, %t, %cb {partitions = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %y = cgnet.batch_norm %c, %g, %b, %m, %v {epsilon = 1.0 : f32} : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
