// RUN: cgnet-opt %s --cgnet-ungate | FileCheck %s
// Numerically: test/Sim/zoo.test (ungated = every gate on).

// CHECK-LABEL: func.func @gated
// CHECK-NOT: cgnet.channel_gated_conv2d
// CHECK-NOT: cgnet.precision_gated_conv2d
// CHECK-NOT: dense<[1.0, 2.0]>
// CHECK: cgnet.conv2d %arg0, %{{.*}}, %{{.*}} {padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}
// CHECK-SAME: -> tensor<1x2x2x2xf32>
// CHECK: cgnet.conv2d %{{.*}}, %{{.*}} : {{.*}} -> tensor<1x2x2x2xi32>
func.func @gated(%x: tensor<1x2x4x4xf32>, %q: tensor<1x2x2x2xi8>) -> (tensor<1x2x2x2xf32>, tensor<1x2x2x2xi32>) {
  %w = arith.constant dense<0.5> : tensor<2x2x3x3xf32>
  %b = arith.constant dense<0.1> : tensor<2xf32>
  %t = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %y = cgnet.channel_gated_conv2d %x, %w, %t, %b {partitions = 2 : i64, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<2x2x3x3xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %wi = arith.constant dense<3> : tensor<2x2x1x1xi8>
  %ti = arith.constant dense<5> : tensor<2xi32>
  %z = cgnet.precision_gated_conv2d %q, %wi, %ti {bits = 8 : i64, high_bits = 4 : i64} : (tensor<1x2x2x2xi8>, tensor<2x2x1x1xi8>, tensor<2xi32>) -> tensor<1x2x2x2xi32>
  return %y, %z : tensor<1x2x2x2xf32>, tensor<1x2x2x2xi32>
}
