// RUN: cgnet-opt %s --convert-cgnet-to-cpu --canonicalize | FileCheck %s

// A float fully connected layer: loops n, k, o over the weights transposed
// at compile time to K x O, so that the innermost loop runs over the
// outputs (vectorized) and each output sums over k in order from its
// bias, as the reference does.
// CHECK-LABEL: func.func @fc
// CHECK-DAG: arith.constant dense<{{\[}}[1.000000e+00, 4.000000e+00], [2.000000e+00, 5.000000e+00], [3.000000e+00, 6.000000e+00]]> : tensor<3x2xf32>
// CHECK: linalg.generic {{.*}}iterator_types = ["parallel", "reduction", "parallel"]
// CHECK-SAME: tensor<1x3xf32>, tensor<3x2xf32>
// CHECK: arith.mulf
// CHECK-NEXT: arith.addf
func.func @fc(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = arith.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %b = arith.constant dense<[0.5, -0.5]> : tensor<2xf32>
  %y = cgnet.fully_connected %x, %w, %b : (tensor<1x3xf32>, tensor<2x3xf32>, tensor<2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
