// RUN: cgnet-opt %s --convert-cgnet-to-cpu | FileCheck %s
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(convert-cgnet-to-cpu,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(cgnet-register-block{vector-bits=256 rows=4 vectors=3}))" | FileCheck %s --check-prefix=BLOCK

// A small-plane convolution (4 x 4 outputs, < 128) reads its weights as
// C x taps x Og with the output channels innermost: a block reads a few
// vectors from each row in turn. Rows of 64 floats (256 bytes, a multiple
// of 256) are stored a cache line apart (80 floats, viewed as 64 by an
// extract_slice), so that they do not all map to the same cache sets, and
// the loops ask --cgnet-register-block for chunks of the reduction that
// stay in L1 (cgnet.slice_bytes). (A canonicalization folds the slice of
// this splat constant into a smaller splat: hence none here.)
// CHECK-LABEL: func.func @conv_small_wide
// CHECK-DAG: %[[W:.*]] = arith.constant dense<{{.*}}> : tensor<1x16x9x80xf32>
// CHECK: tensor.extract_slice %[[W]][0, 0, 0, 0] [1, 16, 9, 64] [1, 1, 1, 1] : tensor<1x16x9x80xf32> to tensor<1x16x9x64xf32>
// CHECK: linalg.generic {{.*}} attrs = {cgnet.register_block, cgnet.slice_bytes = 12288 : i64}
// After bufferization a strided view; the register blocks run the 16
// input channels in chunks that fit 12 KiB (4 x 3 vectors of 8 floats =
// 96 bytes per tap, 9 taps: 14 channels fit, chunks of 8).
// BLOCK-LABEL: func.func @conv_small_wide
// BLOCK: memref.subview {{.*}} : memref<1x16x9x80xf32> to memref<1x16x9x64xf32, strided<[11520, 720, 80, 1]>>
// BLOCK: scf.for %{{.*}} = %{{.*}} to %c16 step %c8 {
func.func @conv_small_wide(%x: tensor<1x16x4x4xf32>) -> tensor<1x64x4x4xf32> {
  %w = arith.constant dense<0.25> : tensor<64x16x3x3xf32>
  %y = cgnet.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x16x4x4xf32>, tensor<64x16x3x3xf32>) -> tensor<1x64x4x4xf32>
  return %y : tensor<1x64x4x4xf32>
}
