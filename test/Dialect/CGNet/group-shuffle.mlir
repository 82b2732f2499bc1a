// RUN: cgnet-opt %s --cgnet-group-shuffle=groups=2 -split-input-file | FileCheck %s
// RUN: cgnet-opt %s --cgnet-group-shuffle="groups=2 interleave=false" -split-input-file | FileCheck %s --check-prefix=NOINT
//
// Numbers: every rewrite keeps the function (f32, exact permutations).
// RUN: split-file %s %t
// RUN: cgnet-run %t/consumer.mlir --random-inputs --seed 2 --output %t/c.npy > /dev/null
// RUN: cgnet-opt %t/consumer.mlir --cgnet-group-shuffle=groups=2 | cgnet-run - --random-inputs --seed 2 --expect %t/c.npy --atol 0 --rtol 0 | FileCheck %s --check-prefix=SAME
// RUN: cgnet-run %t/producer.mlir --entry producer --random-inputs --seed 2 --output %t/p.npy > /dev/null
// RUN: cgnet-opt %t/producer.mlir --cgnet-group-shuffle=groups=2 | cgnet-run - --entry producer --random-inputs --seed 2 --expect %t/p.npy --atol 0 --rtol 0 | FileCheck %s --check-prefix=SAME
// RUN: cgnet-run %cgnet_src/examples/outlier-cnn.mlir --random-inputs --seed 3 --output %t/o.npy > /dev/null
// RUN: cgnet-opt %cgnet_src/examples/outlier-cnn.mlir --cgnet-group-shuffle=groups=4 -o %t/o.mlir
// RUN: cgnet-run %t/o.mlir --random-inputs --seed 3 --expect %t/o.npy --atol 1e-6 --rtol 1e-5 | FileCheck %s --check-prefix=SAME
// RUN: FileCheck %s --check-prefix=OUTLIER < %t/o.mlir
// The grouped gating that follows: output group k takes input group k.
// RUN: cgnet-opt %t/o.mlir --cgnet-channel-gating=threshold=-inf | cgnet-run - --random-inputs --seed 3 --expect %t/o.npy --atol 1e-6 --rtol 1e-5 --gate-stats | FileCheck %s --check-prefix=SAME
// RUN: cgnet-opt %t/o.mlir --cgnet-channel-gating=threshold=-inf | FileCheck %s --check-prefix=GATED
// SAME: result #0 matches
// OUTLIER: cgnet.conv2d {{.*}} {cgnet.base_groups = 4 : i64, padding
// OUTLIER: cgnet.conv2d {{.*}} {cgnet.base_groups = 4 : i64, padding
// GATED: cgnet.channel_gated_conv2d {{.*}}grouped = true{{.*}}partitions = 4 : i64
// GATED: cgnet.channel_gated_conv2d {{.*}}grouped = true{{.*}}partitions = 4 : i64

//--- consumer.mlir
// A shuffle of 4 channels in 2 groups (shuffled channel o reads channel
// [0, 2, 1, 3][o]) folded into the consumer: columns [a, b, c, d] become
// [a, c, b, d]. The producer is a function argument, so nothing else
// changes and no base groups are assigned.
// CHECK-LABEL: func @consumer
// CHECK-NOT:     cgnet.channel_shuffle
// CHECK:         [[W:%.+]] = arith.constant dense<{{\[\[\[\[}}1.000000e+00]], {{\[\[}}3.000000e+00]], {{\[\[}}2.000000e+00]], {{\[\[}}4.000000e+00]]]]> : tensor<1x4x1x1xf32>
// CHECK:         cgnet.conv2d {{.*}}, [[W]] : (tensor<1x4x2x2xf32>
func.func @consumer(%x: tensor<1x4x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]], [[2.0]], [[3.0]], [[4.0]]]]> : tensor<1x4x1x1xf32>
  %s = cgnet.channel_shuffle %x {groups = 2 : i64} : tensor<1x4x2x2xf32>
  %r = cgnet.relu %s : tensor<1x4x2x2xf32>
  %y = cgnet.conv2d %r, %w : (tensor<1x4x2x2xf32>, tensor<1x4x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

//--- producer.mlir
// The shuffle's result is returned, so it folds into the producer's rows
// (and bias): rows [r0, r1, r2, r3] become [r0, r2, r1, r3].
// CHECK-LABEL: func @producer
// CHECK-NOT:     cgnet.channel_shuffle
// CHECK-DAG:     arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}3.000000e+00]]], {{\[\[\[}}2.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<4x1x1x1xf32>
// CHECK-DAG:     arith.constant dense<[1.000000e-01, 3.000000e-01, 2.000000e-01, 4.000000e-01]> : tensor<4xf32>
func.func @producer(%x: tensor<1x1x2x2xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]> : tensor<4x1x1x1xf32>
  %b = arith.constant dense<[0.1, 0.2, 0.3, 0.4]> : tensor<4xf32>
  %c = cgnet.conv2d %x, %w, %b : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  %s = cgnet.channel_shuffle %c {groups = 2 : i64} : tensor<1x4x2x2xf32>
  return %s : tensor<1x4x2x2xf32>
}

// -----

// Two convolutions: the channels between them go in shuffled order
// (producer rows and consumer columns alike) and the consumer is marked
// for grouped gating.
// CHECK-LABEL: func @interleave
// CHECK:         arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}3.000000e+00]]], {{\[\[\[}}2.000000e+00]]], {{\[\[\[}}4.000000e+00]]]]> : tensor<4x1x1x1xf32>
// CHECK:         arith.constant dense<{{\[\[\[\[}}5.000000e+00]], {{\[\[}}7.000000e+00]], {{\[\[}}6.000000e+00]], {{\[\[}}8.000000e+00]]], {{.*}}> : tensor<2x4x1x1xf32>
// CHECK:         cgnet.conv2d {{.*}} {cgnet.base_groups = 2 : i64}
// NOINT-LABEL: func @interleave
// NOINT:         arith.constant dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}2.000000e+00]]]
// NOINT:         cgnet.conv2d {{.*}} {cgnet.base_groups = 2 : i64}
func.func @interleave(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = arith.constant dense<[[[[1.0]]], [[[2.0]]], [[[3.0]]], [[[4.0]]]]> : tensor<4x1x1x1xf32>
  %w2 = arith.constant dense<[[[[5.0]], [[6.0]], [[7.0]], [[8.0]]], [[[1.0]], [[1.0]], [[1.0]], [[1.0]]]]> : tensor<2x4x1x1xf32>
  %c1 = cgnet.conv2d %x, %w1 : (tensor<1x1x2x2xf32>, tensor<4x1x1x1xf32>) -> tensor<1x4x2x2xf32>
  %r = cgnet.relu %c1 : tensor<1x4x2x2xf32>
  %c2 = cgnet.conv2d %r, %w2 : (tensor<1x4x2x2xf32>, tensor<2x4x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %c2 : tensor<1x2x2x2xf32>
}
