// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=2}),cse)" | FileCheck %s

// The conditional path of a gated convolution (2 output channels of 4x4,
// 32 input channels of which the first 8 are the base path, 3x3 taps), as
// --convert-cgnet-to-cpu marks it: inputs partial sums, thresholds, the
// channels-last padded input and the O x kh x kw x C weights (i8, widened
// in the loop). The pass ignores the generic's body (the per-output
// kernel) and replaces it, per image and channel, with a scan of the
// gates (16 at a time, the passing pixels' indices compressed in a
// register and stored whole) and blocks of 2 listed pixels.

// CHECK-LABEL: func.func @gated
// CHECK: scf.parallel (%[[N:.*]], %[[O:.*]]) =
// CHECK: %[[TH:.*]] = memref.load %arg1[%[[O]]]
// CHECK: %[[LIST:.*]] = memref.alloca() : memref<32xi32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.maskedload %arg0
// CHECK: vector.maskedstore %arg4
// CHECK: arith.cmpi sge
// CHECK: %[[PACKED:.*]] = llvm.call_intrinsic "llvm.experimental.vector.compress"
// CHECK: vector.store %[[PACKED]], %[[LIST]]
// CHECK: math.ctpop
// CHECK: scf.for %[[FIRST:.*]] = %{{.*}} to %[[COUNT:.*]] step %{{.*}} {
// CHECK: memref.load %[[LIST]]
// CHECK: memref.load %[[LIST]]
// The conditional channels [8, 32), 8 at a time: one weight load per tap
// and one input load per pixel.
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xi32>, vector<8xi32>) {
// CHECK: vector.load %arg3{{.*}} : memref<2x3x3x32xi8>, vector<8xi8>
// CHECK: arith.extsi {{.*}} : vector<8xi8> to vector<8xi32>
// CHECK: vector.load %arg2{{.*}} : memref<1x6x6x32xi32>, vector<8xi32>
// CHECK: arith.muli
// CHECK: vector.load %arg2
// CHECK: scf.if
// CHECK: vector.reduction <add>
// CHECK: memref.store {{.*}}, %arg4
// CHECK: } {cgnet.iterations = 32 : i64}
// CHECK-NOT: linalg.generic
#nchw = affine_map<(n, o, y, x) -> (n, o, y, x)>
#ch = affine_map<(n, o, y, x) -> (o)>
#origin = affine_map<(n, o, y, x) -> (0, 0, 0, 0)>
func.func @gated(%partial: memref<1x2x4x4xi32>, %thr: memref<2xi32>, %xT: memref<1x6x6x32xi32>, %wT: memref<2x3x3x32xi8>, %out: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#nchw, #ch, #origin, #origin, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%partial, %thr, %xT, %wT : memref<1x2x4x4xi32>, memref<2xi32>, memref<1x6x6x32xi32>, memref<2x3x3x32xi8>) outs(%out : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 8 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, lanes = 8 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%p: i32, %t: i32, %x: i32, %w: i8, %o: i32):
    linalg.yield %p : i32
  }
  return
}

// pixels must be at least 1.
// RUN: not cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=0}))" 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: --cgnet-compact-gated: pixels must be at least 1

// The byte form (--convert-cgnet-to-cpu=dot4): the input is stored as
// bytes (stored values + offset), the mark has `bytes` (channels per
// vpdpbusd) and a fifth input holds each output's correction, subtracted
// once from each listed output's sum.
// CHECK-LABEL: func.func @gated_bytes
// CHECK: %[[CORR:.*]] = memref.load %arg4[%[[O2:.*]]] : memref<2xi32>
// CHECK: scf.for {{.*}} -> (vector<4xi32>, vector<4xi32>) {
// CHECK: vector.load %arg3{{.*}} : memref<2x3x3x32xi8>, vector<16xi8>
// CHECK: vector.load %arg2{{.*}} : memref<1x6x6x32xi8>, vector<16xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// CHECK: vector.reduction <add>
// CHECK: arith.subi %{{.*}}, %[[CORR]] : i32
func.func @gated_bytes(%partial: memref<1x2x4x4xi32>, %thr: memref<2xi32>, %xT: memref<1x6x6x32xi8>, %wT: memref<2x3x3x32xi8>, %corr: memref<2xi32>, %out: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#nchw, #ch, #origin, #origin, #ch, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%partial, %thr, %xT, %wT, %corr : memref<1x2x4x4xi32>, memref<2xi32>, memref<1x6x6x32xi8>, memref<2x3x3x32xi8>, memref<2xi32>) outs(%out : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 16 : i64, bytes = 16 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, input_offset = 131 : i64, lanes = 16 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%p: i32, %t: i32, %x: i8, %w: i8, %c: i32, %o: i32):
    linalg.yield %p : i32
  }
  return
}
