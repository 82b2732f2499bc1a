// RUN: split-file %s %t
// RUN: cgnet-opt %t/fold.mlir --cgnet-ocs="expand-ratio=0.5 grid-aware=false" | FileCheck %s
// RUN: cgnet-opt %t/fold.mlir --cgnet-ocs="expand-ratio=0.5 grid-aware=false fold-into-producer=false" | FileCheck %s --check-prefix=NOFOLD
// RUN: cgnet-opt %t/fold.mlir --cgnet-ocs="expand-ratio=0.5 weight-bits=4" | FileCheck %s --check-prefix=GRID
//
// Activation OCS, ranked on the calibration input x = [0.4, 4.2, -4, 100]:
// relu(1 * x) peaks at 100 and relu(-0.5 * x) at 2, so channel 0 is split.
// The first convolution reads the function argument: skipped with a warning.
// RUN: cgnet-opt %t/act.mlir --cgnet-ocs="mode=activations expand-ratio=0.5 calibration=%S/Inputs/quant-x.npy" 2>%t/act.err | FileCheck %s --check-prefix=ACT
// RUN: FileCheck %s --check-prefix=ACTWARN < %t/act.err
// ACTWARN: warning: not split: activation OCS needs the input to come from a cgnet.conv2d, not a function argument
//
// Each rewrite computes the same function (f32, 1e-6).
// RUN: cgnet-run %t/fold.mlir --random-inputs --seed 3 --output %t/ref.npy
// RUN: cgnet-opt %t/fold.mlir --cgnet-ocs="expand-ratio=0.5 grid-aware=false" -o %t/o1.mlir
// RUN: cgnet-run %t/o1.mlir --random-inputs --seed 3 --expect %t/ref.npy --atol 1e-6 --rtol 1e-6
// RUN: cgnet-opt %t/fold.mlir --cgnet-ocs="expand-ratio=0.5 fold-into-producer=false" -o %t/o2.mlir
// RUN: cgnet-run %t/o2.mlir --random-inputs --seed 3 --expect %t/ref.npy --atol 1e-6 --rtol 1e-6
// RUN: cgnet-run %t/act.mlir --input %S/Inputs/quant-x.npy --output %t/act-ref.npy
// RUN: cgnet-opt %t/act.mlir --cgnet-ocs="mode=activations expand-ratio=0.5 calibration=%S/Inputs/quant-x.npy" -o %t/o3.mlir
// RUN: cgnet-run %t/o3.mlir --input %S/Inputs/quant-x.npy --expect %t/act-ref.npy --atol 1e-6 --rtol 1e-6

//--- fold.mlir
// The second convolution's channel 1 (max |w| = 1) is halved and appended;
// its copy comes from the first convolution, whose row 1 is duplicated
// (through the ReLU). The RGB-input convolution is not split.
// CHECK-LABEL: func @main
// CHECK:         [[W1:%.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}0.000000e+00]], {{\[\[}}-1.000000e+00]]], {{\[\[\[}}5.000000e-01]], {{\[\[}}2.000000e+00]], {{\[\[}}3.000000e+00]]], {{\[\[\[}}5.000000e-01]], {{\[\[}}2.000000e+00]], {{\[\[}}3.000000e+00]]]]> : tensor<3x3x1x1xf32>
// CHECK:         [[B1:%.+]] = arith.constant dense<[1.000000e-01, -4.000000e-01, -4.000000e-01]> : tensor<3xf32>
// CHECK:         [[C1:%.+]] = cgnet.conv2d %arg0, [[W1]], [[B1]] : {{.*}} -> tensor<1x3x2x2xf32>
// CHECK:         [[R:%.+]] = cgnet.relu [[C1]] : tensor<1x3x2x2xf32>
// CHECK:         [[W2:%.+]] = arith.constant dense<{{\[\[\[\[}}2.000000e-01]], {{\[\[}}-5.000000e-01]], {{\[\[}}-5.000000e-01]]]]> : tensor<1x3x1x1xf32>
// CHECK:         cgnet.conv2d [[R]], [[W2]] {cgnet.ocs_copy = array<i64: 1>} : (tensor<1x3x2x2xf32>, tensor<1x3x1x1xf32>) -> tensor<1x1x2x2xf32>
// NOFOLD-LABEL: func @main
// NOFOLD:         [[R:%.+]] = cgnet.relu %{{.+}} : tensor<1x2x2x2xf32>
// NOFOLD:         [[D:%.+]] = cgnet.channel_duplicate [[R]] {indices = array<i64: 1>} : (tensor<1x2x2x2xf32>) -> tensor<1x3x2x2xf32>
// NOFOLD:         cgnet.conv2d [[D]]
// Grid-aware, 4 bits: the plain split's max |w| is 0.5, so the step is
// 0.5/7 and the halves of -1 are -0.5 -+ 0.5/28 (the spec's (h*s -+ 1/4)/s).
// GRID-LABEL: func @main
// GRID:         cgnet.conv2d {{.*}} {cgnet.ocs_copy = array<i64: 1>, cgnet.weight_clip = array<f64: 5.000000e-01>, cgnet.weight_clip_bits = 4 : i64}
// GRID-SAME:    tensor<1x3x1x1xf32>
func.func @main(%x: tensor<1x3x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = arith.constant dense<[[[[1.0]], [[0.0]], [[-1.0]]], [[[0.5]], [[2.0]], [[3.0]]]]> : tensor<2x3x1x1xf32>
  %b1 = arith.constant dense<[0.1, -0.4]> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[0.2]], [[-1.0]]]]> : tensor<1x2x1x1xf32>
  %c1 = cgnet.conv2d %x, %w1, %b1 : (tensor<1x3x2x2xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = cgnet.relu %c1 : tensor<1x2x2x2xf32>
  %y = cgnet.conv2d %r, %w2 : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

//--- act.mlir
// ACT-LABEL: func @main
// ACT-DAG:     [[W1:%.+]] = arith.constant dense<{{\[\[\[\[}}5.000000e-01]]], {{\[\[\[}}-5.000000e-01]]], {{\[\[\[}}5.000000e-01]]]]> : tensor<3x1x1x1xf32>
// ACT-DAG:     [[B1:%.+]] = arith.constant dense<[1.000000e-01, 2.000000e-01, 1.000000e-01]> : tensor<3xf32>
// ACT:         [[C1:%.+]] = cgnet.conv2d %arg0, [[W1]], [[B1]]
// ACT:         [[P:%.+]] = cgnet.max_pool2d {{.*}} -> tensor<1x3x1x1xf32>
// ACT:         [[W2:%.+]] = arith.constant dense<{{\[\[\[\[}}3.000000e-01]], {{\[\[}}-0.699999988]], {{\[\[}}3.000000e-01]]]]> : tensor<1x3x1x1xf32>
// ACT:         cgnet.conv2d [[P]], [[W2]] {cgnet.ocs_act_copy = array<i64: 0>}
func.func @main(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x1x1xf32> {
  %w1 = arith.constant dense<[[[[1.0]]], [[[-0.5]]]]> : tensor<2x1x1x1xf32>
  %b1 = arith.constant dense<[0.2, 0.2]> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[0.3]], [[-0.7]]]]> : tensor<1x2x1x1xf32>
  %c1 = cgnet.conv2d %x, %w1, %b1 : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = cgnet.relu %c1 : tensor<1x2x2x2xf32>
  %p = cgnet.max_pool2d %r {kernel = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %y = cgnet.conv2d %p, %w2 : (tensor<1x2x1x1xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x1x1xf32>
  return %y : tensor<1x1x1x1xf32>
}
