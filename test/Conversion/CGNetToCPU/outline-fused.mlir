// RUN: cgnet-opt %s --convert-cgnet-to-cpu=outline-layers=true --canonicalize | FileCheck %s
// RUN: cgnet-opt %s --convert-cgnet-to-cpu=outline-layers=true --canonicalize | cgnet-opt --pass-pipeline="builtin.module(func.func(cgnet-fuse-elementwise))" | FileCheck %s --check-prefix=FUSED

// outline-layers: an element-wise layer (ReLU, add) goes into the function
// of the layer before it, so that --cgnet-fuse-elementwise (part of
// --cgnet-cpu-pipeline) can merge the chain's loops; the max pool has a
// function of its own.
// CHECK-LABEL: func.func @block(
// CHECK-NEXT: %[[C:.*]] = call @block_layer0(%arg0, %arg1)
// CHECK-NEXT: %[[P:.*]] = call @block_layer1(%[[C]])
// CHECK-NEXT: return %[[P]]
// CHECK-LABEL: func.func private @block_layer1
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK: arith.maximumf
// CHECK-NOT: arith.addf
// CHECK: return
// CHECK-LABEL: func.func private @block_layer0
// CHECK: linalg.generic {{.*}}"reduction"
// CHECK: arith.maximumf
// CHECK: arith.addf
// CHECK: return

// Fused: the ReLU and the add are one loop after the convolution's.
// FUSED-LABEL: func.func private @block_layer0
// FUSED: linalg.generic {{.*}}"reduction"
// FUSED: %[[S:.*]] = tensor.extract_slice
// FUSED: %[[E:.*]] = linalg.generic {{.*}} ins(%[[S]], %arg1 :
// FUSED: arith.maximumf
// FUSED-NEXT: arith.addf
// FUSED-NEXT: linalg.yield
// FUSED-NOT: linalg.generic
// FUSED: return %[[E]]
func.func @block(%x: tensor<1x2x16x16xf32>, %s: tensor<1x3x16x16xf32>) -> tensor<1x3x8x8xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = cgnet.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x16x16xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x16x16xf32>
  %r = cgnet.relu %y : tensor<1x3x16x16xf32>
  %a = cgnet.add %r, %s : tensor<1x3x16x16xf32>
  %p = cgnet.max_pool2d %a {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x3x16x16xf32>) -> tensor<1x3x8x8xf32>
  return %p : tensor<1x3x8x8xf32>
}
