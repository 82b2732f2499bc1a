// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=2}),cse)" | FileCheck %s

// The conditional path of a gated convolution (2 output channels of 4x4,
// 32 input channels of which the first 8 are the base path, 3x3 taps), as
// --convert-cgnet-to-cpu marks it: inputs thresholds, the channels-last
// padded input and the O x kh x kw x C weights (i8, widened in the loop),
// init the partial sums (updated in place). The pass ignores the generic's
// body (the per-output kernel) and replaces it, per image and channel,
// with a scan of the gates (16 at a time, the passing pixels' indices
// compressed in a register and stored whole) and blocks of 2 listed
// pixels, each weight load of which comes with a prefetch of the next
// channel's weights at the same place.

// CHECK-LABEL: func.func @gated
// CHECK: scf.parallel (%[[N:.*]], %[[O:.*]]) =
// CHECK-NOT: memref.prefetch
// CHECK: %[[TH:.*]] = memref.load %arg0[%[[O]]]
// CHECK: %[[LIST:.*]] = memref.alloca() : memref<32xi32>
// CHECK: scf.for
// CHECK: scf.for
// CHECK: vector.maskedload %arg3
// CHECK-NOT: vector.maskedstore
// CHECK: arith.cmpi sge
// CHECK: %[[PACKED:.*]] = llvm.call_intrinsic "llvm.experimental.vector.compress"
// CHECK: vector.store %[[PACKED]], %[[LIST]]
// CHECK: math.ctpop
// Whole blocks of 2 up to the count rounded down to even, then blocks of 1.
// CHECK: %[[REM:.*]] = arith.remui %[[COUNT:.*]], %c2 : index
// CHECK: %[[BULK:.*]] = arith.subi %[[COUNT]], %[[REM]] : index
// CHECK: scf.for %[[FIRST:.*]] = %c0 to %[[BULK]] step %c2 {
// The next channel (the last one's own).
// CHECK: %[[O1:.*]] = arith.addi %[[O]], %c1 : index
// CHECK: %[[NEXT:.*]] = arith.minui %[[O1]], %c1 : index
// Every block is whole: its list entries are read unclamped, its sums
// stored unguarded.
// CHECK-NOT: arith.minui
// CHECK: memref.load %[[LIST]]
// CHECK: memref.load %[[LIST]]
// The conditional channels [8, 32), 8 at a time: one weight load per tap
// and one input load per pixel.
// CHECK: scf.for {{.*}} iter_args({{.*}}) -> (vector<8xi32>, vector<8xi32>) {
// CHECK: vector.load %arg2[%[[O]], %c0, %c0, %[[C:.*]]] : memref<2x3x3x32xi8>, vector<8xi8>
// CHECK: memref.prefetch %arg2[%[[NEXT]], %c0, %c0, %[[C]]], read, locality<2>, data : memref<2x3x3x32xi8>
// CHECK: arith.extsi {{.*}} : vector<8xi8> to vector<8xi32>
// CHECK: vector.load %arg1{{.*}} : memref<1x6x6x32xi32>, vector<8xi32>
// CHECK: arith.muli
// CHECK: vector.load %arg1
// CHECK-NOT: scf.if
// CHECK: vector.reduction <add>
// CHECK: memref.load %arg3
// CHECK: memref.store {{.*}}, %arg3
// CHECK: scf.for %{{.*}} = %[[BULK]] to %[[COUNT]] step %c1 {
// CHECK: memref.load %[[LIST]]
// CHECK-NOT: memref.load %[[LIST]]
// CHECK: -> (vector<8xi32>) {
// CHECK-NOT: scf.if
// CHECK: vector.reduction <add>
// CHECK: } {cgnet.iterations = 32 : i64}
// CHECK-NOT: linalg.generic
// With blocks of 4: whole blocks of 4, then at most one block of 2 and one
// of 1, so that no listed pixel is computed twice (a list of 1: one block
// of 1; of 3: 2 + 1).
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=4}),cse)" | FileCheck %s --check-prefix=TIERS
// TIERS-LABEL: func.func @gated
// TIERS: math.ctpop
// TIERS: %[[R4:.*]] = arith.remui %[[COUNT:.*]], %c4 : index
// TIERS: %[[B4:.*]] = arith.subi %[[COUNT]], %[[R4]] : index
// TIERS: scf.for %{{.*}} = %c0 to %[[B4]] step %c4 {
// TIERS: %[[LEFT:.*]] = arith.subi %[[COUNT]], %[[B4]] : index
// TIERS: %[[R2:.*]] = arith.remui %[[LEFT]], %c2 : index
// TIERS: %[[B2:.*]] = arith.subi %[[COUNT]], %[[R2]] : index
// TIERS: scf.for %{{.*}} = %[[B4]] to %[[B2]] step %c2 {
// TIERS: scf.for %{{.*}} = %[[B2]] to %[[COUNT]] step %c1 {
// Blocks of 3 (a count that is not a power of two): then blocks of 1
// for what is left after the whole blocks of 3.
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=3}),cse)" | FileCheck %s --check-prefix=TIERS3
// TIERS3-LABEL: func.func @gated
// TIERS3: %[[R3:.*]] = arith.remui %[[COUNT:.*]], %c3 : index
// TIERS3: %[[B3:.*]] = arith.subi %[[COUNT]], %[[R3]] : index
// TIERS3: scf.for %{{.*}} = %c0 to %[[B3]] step %c3 {
// TIERS3: scf.for %{{.*}} = %[[B3]] to %[[COUNT]] step %c1 {
// TIERS3-LABEL: func.func @gated_bytes
// TIERS-LABEL: func.func @gated_bytes
#nchw = affine_map<(n, o, y, x) -> (n, o, y, x)>
#ch = affine_map<(n, o, y, x) -> (o)>
#origin = affine_map<(n, o, y, x) -> (0, 0, 0, 0)>
#origin3 = affine_map<(n, o, y, x) -> (0, 0, 0)>
func.func @gated(%thr: memref<2xi32>, %xT: memref<1x6x6x32xi32>, %wT: memref<2x3x3x32xi8>, %partial: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#ch, #origin, #origin, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%thr, %xT, %wT : memref<2xi32>, memref<1x6x6x32xi32>, memref<2x3x3x32xi8>) outs(%partial : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 8 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, lanes = 8 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%t: i32, %x: i32, %w: i8, %p: i32):
    linalg.yield %p : i32
  }
  return
}

// pixels must be at least 1.
// RUN: not cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=0}))" 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: --cgnet-compact-gated: pixels must be at least 1
// RUN: not cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{vector-bits=1024}))" 2>&1 | FileCheck %s --check-prefix=ERRBITS
// ERRBITS: error: --cgnet-compact-gated: vector-bits must be 128, 256 or 512, not 1024

// The byte form (--convert-cgnet-to-cpu=dot4): the input is stored as
// bytes (stored values + offset), the mark has `bytes` (channels per
// vpdpbusd) and a fourth input holds each output's correction, subtracted
// once from each listed output's sum.
// CHECK-LABEL: func.func @gated_bytes
// CHECK: %[[CORR:.*]] = memref.load %arg3[%[[O2:.*]]] : memref<2xi32>
// CHECK: scf.for {{.*}} -> (vector<4xi32>, vector<4xi32>) {
// CHECK: vector.load %arg2{{.*}} : memref<2x3x3x32xi8>, vector<16xi8>
// CHECK: vector.load %arg1{{.*}} : memref<1x6x6x32xi8>, vector<16xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.128"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<4xi32>, vector<16xi8>, vector<16xi8>) -> vector<4xi32>
// CHECK: vector.reduction <add>
// CHECK: arith.subi %{{.*}}, %[[CORR]] : i32
func.func @gated_bytes(%thr: memref<2xi32>, %xT: memref<1x6x6x32xi8>, %wT: memref<2x3x3x32xi8>, %corr: memref<2xi32>, %partial: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#ch, #origin, #origin, #ch, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%thr, %xT, %wT, %corr : memref<2xi32>, memref<1x6x6x32xi8>, memref<2x3x3x32xi8>, memref<2xi32>) outs(%partial : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 16 : i64, bytes = 16 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, input_offset = 131 : i64, lanes = 16 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%t: i32, %x: i8, %w: i8, %c: i32, %p: i32):
    linalg.yield %p : i32
  }
  return
}

// The run form (`run_channels` = 64: 48 conditional channels padded to
// 64 per pixel): the input as rows of 6 pixels x 64 bytes (plus a padding
// row), the weights 2 x 3 x 192 (each kernel row's three taps one run).
// Per block, 64 bytes at a time of the 3 runs: one weight load per kernel
// row, one input load and vpdpbusd per pixel into one of two accumulators
// per pixel (alternate kernel rows), summed after the loop.
// Each weight load comes with a prefetch of the next channel's line at
// the same place.
// CHECK-LABEL: func.func @gated_runs
// CHECK: scf.parallel (%{{.*}}, %[[O:.*]]) =
// CHECK: %[[NEXT:.*]] = arith.minui
// CHECK: %[[S0:.*]] = arith.muli %{{.*}}, %c64 : index
// CHECK: scf.for %[[J:.*]] = %c0 to %c192 step %c64 iter_args({{.*}}) -> (vector<16xi32>, vector<16xi32>, vector<16xi32>, vector<16xi32>) {
// CHECK: vector.load %arg2[%[[O]], %c0, %[[J]]] : memref<2x3x192xi8>, vector<64xi8>
// CHECK: memref.prefetch %arg2[%[[NEXT]], %c0, %[[J]]], read, locality<2>, data : memref<2x3x192xi8>
// CHECK: %[[C0:.*]] = arith.addi %[[S0]], %[[J]] : index
// CHECK: vector.load %arg1[%{{.*}}, %{{.*}}, %[[C0]]] : memref<1x7x384xi8>, vector<64xi8>
// CHECK: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"
// CHECK: vector.load %arg2[%{{.*}}, %c1, %[[J]]]
// CHECK: vector.load %arg2[%{{.*}}, %c2, %[[J]]]
// CHECK: scf.yield
// CHECK: arith.addi {{.*}} : vector<16xi32>
// CHECK: vector.reduction <add>
// CHECK: arith.subi %{{.*}}, %{{.*}} : i32
func.func @gated_runs(%thr: memref<2xi32>, %xR: memref<1x7x384xi8>, %wR: memref<2x3x192xi8>, %corr: memref<2xi32>, %partial: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#ch, #origin3, #origin3, #ch, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%thr, %xR, %wR, %corr : memref<2xi32>, memref<1x7x384xi8>, memref<2x3x192xi8>, memref<2xi32>) outs(%partial : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 16 : i64, bytes = 64 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, input_offset = 131 : i64, lanes = 16 : i64, run_channels = 64 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%t: i32, %x: i8, %w: i8, %c: i32, %p: i32):
    linalg.yield %p : i32
  }
  return
}

// The float run form: 16 floats per FMA, no correction. Float sums chain
// their FMAs through the accumulator, so a block of fewer than 8 pixels
// keeps more accumulators per pixel: two vectors of the runs per step, the
// kernel rows taking the accumulators in turn, summed after the loop: 4
// per pixel in the block of two (8 in all), 6 in the block of one.
// CHECK-LABEL: func.func @gated_runs_float
// CHECK: scf.for %[[J:.*]] = %c0 to %c96 step %c32 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK: vector.load %arg2[%{{.*}}, %c0, %[[J]]] : memref<2x3x96xf32>, vector<16xf32>
// CHECK: vector.load %arg1{{.*}} : memref<1x7x192xf32>, vector<16xf32>
// CHECK: vector.fma
// CHECK: %[[J16:.*]] = arith.addi %[[J]], %c16 : index
// CHECK: vector.load %arg2[%{{.*}}, %c0, %[[J16]]] : memref<2x3x96xf32>, vector<16xf32>
// CHECK: scf.yield
// CHECK-COUNT-6: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
// CHECK-NOT: arith.subf
// CHECK: arith.addf
// CHECK: scf.for %{{.*}} = %c0 to %c96 step %c32 iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK: scf.yield
// CHECK-COUNT-5: arith.addf {{.*}} : vector<16xf32>
// CHECK: vector.reduction <add>
// Without AVX-512 (no compressing instruction) the function starts with
// a table of compressed lane numbers (row m: the set bits of m; row 41 =
// 0b101001: lanes 0, 3, 5), and the scan looks up each byte of the 16
// pixels' mask, stores the row plus the byte's first pixel whole at the
// list's end and moves the end by the byte's popcount.
// AVX2-LABEL: func.func @gated
// AVX2: %[[LUT:.*]] = memref.alloca() : memref<2048xi32>
// AVX2: %[[ROW41:.*]] = arith.constant dense<[0, 3, 5, 0, 0, 0, 0, 0]> : vector<8xi32>
// AVX2: vector.store %[[ROW41]], %[[LUT]][%c328] : memref<2048xi32>, vector<8xi32>
// AVX2: %[[LIST:.*]] = memref.alloca() : memref<32xi32>
// AVX2: arith.cmpi sge
// AVX2: %[[Q:.*]] = arith.index_cast %{{.*}} : index to i32
// AVX2: %[[WORD:.*]] = vector.extract {{.*}} : i16 from vector<1xi16>
// AVX2: %[[W32:.*]] = arith.extui %[[WORD]] : i16 to i32
// AVX2: %[[LO:.*]] = arith.andi %[[W32]], %c255_i32 : i32
// AVX2: %[[LOI:.*]] = arith.index_castui %[[LO]] : i32 to index
// AVX2: %[[R0:.*]] = arith.muli %[[LOI]], %c8 : index
// AVX2: %[[L0:.*]] = vector.load %[[LUT]][%[[R0]]] : memref<2048xi32>, vector<8xi32>
// AVX2: %[[B0:.*]] = vector.broadcast %[[Q]] : i32 to vector<8xi32>
// AVX2: %[[I0:.*]] = arith.addi %[[L0]], %[[B0]] : vector<8xi32>
// AVX2: vector.store %[[I0]], %[[LIST]][%[[E0:.*]]] : memref<32xi32>, vector<8xi32>
// AVX2: %[[P0:.*]] = math.ctpop %[[LO]] : i32
// AVX2: %[[P0I:.*]] = arith.index_castui %[[P0]] : i32 to index
// AVX2: %[[E1:.*]] = arith.addi %[[E0]], %[[P0I]] : index
// AVX2: %[[HI0:.*]] = arith.shrui %[[W32]], %c8_i32 : i32
// AVX2: %[[HI:.*]] = arith.andi %[[HI0]], %c255_i32 : i32
// AVX2: vector.load %[[LUT]]
// AVX2: %[[Q8:.*]] = arith.addi %[[Q]], %c8_i32 : i32
// AVX2: vector.broadcast %[[Q8]]
// AVX2: vector.store %{{.*}}, %[[LIST]][%[[E1]]] : memref<32xi32>, vector<8xi32>
// AVX2: math.ctpop %[[HI]] : i32
// AVX2-NOT: llvm.call_intrinsic "llvm.experimental.vector.compress"
// AVX2: scf.yield
// With 256-bit vectors (AVX2) 8 floats per FMA and one accumulator per
// pixel in a block of 8 (2 x 8 pixels' chains would not fit 16 registers);
// the blocks of fewer pixels keep 8 accumulators in all: the block of two
// 4 per pixel over two vectors of the runs per step, the block of one 8
// over four; widened back to 16 lanes for the reduction.
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=2 vector-bits=256}),cse)" | FileCheck %s --check-prefix=AVX2
// AVX2-LABEL: func.func @gated_runs_float
// AVX2: scf.for %[[J:.*]] = %c0 to %c96 step %c16 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// AVX2: vector.load %arg2[%{{.*}}, %c0, %[[J]]] : memref<2x3x96xf32>, vector<8xf32>
// AVX2: vector.fma {{.*}} : vector<8xf32>
// AVX2: scf.yield
// AVX2-COUNT-6: arith.addf {{.*}} : vector<8xf32>
// AVX2: vector.insert_strided_slice {{.*}} : vector<8xf32> into vector<16xf32>
// AVX2: vector.reduction <add>, %{{.*}} fastmath<reassoc> : vector<16xf32> into f32
// AVX2: scf.for %{{.*}} = %c0 to %c96 step %c32 iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// AVX2: scf.yield
// AVX2-COUNT-7: arith.addf {{.*}} : vector<8xf32>
func.func @gated_runs_float(%thr: memref<2xf32>, %xR: memref<1x7x192xf32>, %wR: memref<2x3x96xf32>, %partial: memref<1x2x4x4xf32>) {
  linalg.generic {indexing_maps = [#ch, #origin3, #origin3, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%thr, %xR, %wR : memref<2xf32>, memref<1x7x192xf32>, memref<2x3x96xf32>) outs(%partial : memref<1x2x4x4xf32>)
      attrs = {cgnet.compact_gated = {base_width = 16 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, lanes = 16 : i64, run_channels = 32 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%t: f32, %x: f32, %w: f32, %p: f32):
    linalg.yield %p : f32
  }
  return
}

// The run form on 16-bit values (`halves`, --convert-cgnet-to-cpu=dot2):
// pmaddwd of the vector width on 16 halves (256 bits), summed into
// accumulators of 8 lanes, widened back to 16 for the reduction; no
// correction.
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=2 vector-bits=256}),cse)" | FileCheck %s --check-prefix=HALVES
// HALVES-LABEL: func.func @gated_runs_halves
// HALVES: scf.for %[[J:.*]] = %c0 to %c96 step %c16 iter_args({{.*}}) -> (vector<8xi32>, vector<8xi32>) {
// HALVES: vector.load %arg2[%{{.*}}, %c0, %[[J]]] : memref<2x3x96xi16>, vector<16xi16>
// HALVES: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// HALVES: vector.insert_strided_slice {{.*}} : vector<8xi32> into vector<16xi32>
// HALVES: vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
// HALVES-NOT: arith.subi
// HALVES: arith.addi
func.func @gated_runs_halves(%thr: memref<2xi32>, %xR: memref<1x7x192xi16>, %wR: memref<2x3x96xi16>, %partial: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#ch, #origin3, #origin3, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%thr, %xR, %wR : memref<2xi32>, memref<1x7x192xi16>, memref<2x3x96xi16>) outs(%partial : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 16 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, halves, lanes = 16 : i64, run_channels = 32 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%t: i32, %x: i16, %w: i16, %p: i32):
    linalg.yield %p : i32
  }
  return
}

// The byte run form on inputs of 0..127 (`seven_bit`,
// --convert-cgnet-to-cpu=dot4-7bit): 32 bytes at a time at 256 bits
// (pmaddubsw, pmaddwd by ones, an add: no VNNI), into accumulators of 8
// lanes widened back to 16 for the reduction, then the correction
// subtracted; at 128 bits 16 bytes (SSSE3).
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=2 vector-bits=256}),cse)" | FileCheck %s --check-prefix=SEVEN
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-compact-gated{pixels=2 vector-bits=128}),cse)" | FileCheck %s --check-prefix=SEVEN128
// SEVEN-LABEL: func.func @gated_runs_7bit
// SEVEN: scf.for %[[J:.*]] = %c0 to %c192 step %c32 iter_args({{.*}}) -> (vector<8xi32>, vector<8xi32>) {
// SEVEN: vector.load %arg2[%{{.*}}, %c0, %[[J]]] : memref<2x3x192xi8>, vector<32xi8>
// SEVEN: llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%{{.*}}, %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
// SEVEN: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// SEVEN-NOT: vpdpbusd
// SEVEN: vector.insert_strided_slice {{.*}} : vector<8xi32> into vector<16xi32>
// SEVEN: vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
// SEVEN: arith.subi
// SEVEN128-LABEL: func.func @gated_runs_7bit
// SEVEN128: scf.for %{{.*}} = %c0 to %c192 step %c16
// SEVEN128: llvm.call_intrinsic "llvm.x86.ssse3.pmadd.ub.sw.128"(%{{.*}}, %{{.*}}) : (vector<16xi8>, vector<16xi8>) -> vector<8xi16>
func.func @gated_runs_7bit(%thr: memref<2xi32>, %xR: memref<1x7x384xi8>, %wR: memref<2x3x192xi8>, %corr: memref<2xi32>, %partial: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#ch, #origin3, #origin3, #ch, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%thr, %xR, %wR, %corr : memref<2xi32>, memref<1x7x384xi8>, memref<2x3x192xi8>, memref<2xi32>) outs(%partial : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 16 : i64, bytes = 32 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, input_offset = 3 : i64, lanes = 16 : i64, run_channels = 64 : i64, seven_bit, strides = array<i64: 1, 1>}} {
  ^bb0(%t: i32, %x: i8, %w: i8, %c: i32, %p: i32):
    linalg.yield %p : i32
  }
  return
}

// The weights of the halves form stored as bytes (what
// --convert-cgnet-to-cpu=dot2 emits for 8-bit weights): 16 bytes per 16
// halves, sign-extended (vpmovsxbw) before the pmaddwd.
// HALVES-LABEL: func.func @gated_runs_halves_byte_weights
// HALVES: scf.for %[[J:.*]] = %c0 to %c96 step %c16 iter_args({{.*}}) -> (vector<8xi32>, vector<8xi32>) {
// HALVES: %[[WB:.*]] = vector.load %arg2[%{{.*}}, %c0, %[[J]]] : memref<2x3x96xi8>, vector<16xi8>
// HALVES: %[[WH:.*]] = arith.extsi %[[WB]] : vector<16xi8> to vector<16xi16>
// HALVES: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %[[WH]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// HALVES: vector.reduction <add>, %{{.*}} : vector<16xi32> into i32
func.func @gated_runs_halves_byte_weights(%thr: memref<2xi32>, %xR: memref<1x7x192xi16>, %wR: memref<2x3x96xi8>, %partial: memref<1x2x4x4xi32>) {
  linalg.generic {indexing_maps = [#ch, #origin3, #origin3, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%thr, %xR, %wR : memref<2xi32>, memref<1x7x192xi16>, memref<2x3x96xi8>) outs(%partial : memref<1x2x4x4xi32>)
      attrs = {cgnet.compact_gated = {base_width = 16 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, halves, lanes = 16 : i64, run_channels = 32 : i64, strides = array<i64: 1, 1>}} {
  ^bb0(%t: i32, %x: i16, %w: i8, %p: i32):
    linalg.yield %p : i32
  }
  return
}

// The copy of the run form's conditional channels to channels-last bytes
// (--convert-cgnet-to-cpu{dot4} marks it): 48 channels of a 3 x 20 plane,
// out[n, y, x, c] = the low byte of in[n, c, y, x] + 131. Per row, one
// block of 16 pixels and one of the 4 left (masked loads); each block's
// 48 channels: 12 words of four channels' bytes per pixel (channels 48 ..
// 63 zero), transposed by shuffles (64, less those cse finds equal) into
// one 64-byte vector per pixel, stored masked to the 48 channels.
// CHECK-LABEL: func.func @channels_last_bytes
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[N:.*]] = %c0 to %c1 step %c1 {
// CHECK: scf.for %[[Y:.*]] = %c0 to %c3 step %c1 {
// CHECK: scf.for %[[X0:.*]] = %c0 to %c16 step %c16 {
// CHECK: %[[W0:.*]] = vector.load %arg0[%[[N]], %{{.*}}, %[[Y]], %[[X0]]] : memref<1x48x3x20xi32>, vector<16xi32>
// CHECK: arith.addi %[[W0]], %{{.*}} : vector<16xi32>
// CHECK: arith.andi
// CHECK: vector.load %arg0[%[[N]], %{{.*}}, %[[Y]], %[[X0]]]
// CHECK: arith.shli
// CHECK: arith.ori
// CHECK: vector.shuffle
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<64xi8>
// CHECK: vector.maskedstore %arg1[%[[N]], %[[Y]], %{{.*}}, %{{.*}}]
// CHECK-COUNT-15: vector.maskedstore %arg1
// CHECK-NOT: vector.maskedstore
// CHECK: }
// CHECK: vector.create_mask %{{.*}} : vector<16xi1>
// CHECK: vector.maskedload %arg0[%[[N]], %{{.*}}, %[[Y]], %c16]
// CHECK: vector.shuffle
// CHECK-COUNT-4: vector.maskedstore %arg1
// CHECK-NOT: vector.maskedstore
#in = affine_map<(n, y, x, c) -> (n, c, y, x)>
func.func @channels_last_bytes(%in: memref<1x48x3x20xi32>, %out: memref<1x3x20x48xi8, strided<[5120, 1536, 64, 1], offset: 1600>>) {
  %offset = arith.constant 131 : i32
  linalg.generic {indexing_maps = [#in, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<1x48x3x20xi32>) outs(%out : memref<1x3x20x48xi8, strided<[5120, 1536, 64, 1], offset: 1600>>)
      attrs = {cgnet.channels_last} {
  ^bb0(%x: i32, %o: i8):
    %s = arith.addi %x, %offset : i32
    %t = arith.trunci %s : i32 to i8
    linalg.yield %t : i8
  }
  return
}

// The copy to channels-last 16-bit halves (--convert-cgnet-to-cpu{dot2}:
// x - zp, here zp = 5): 48 channels, 32 per tile as 16 words of two
// halves each (the low one masked to 16 bits, the high one shifted by 16),
// transposed, one 64-byte vector of 32 halves per pixel; the second tile's
// 16 channels stored masked.
// CHECK-LABEL: func.func @channels_last_halves
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[C0:.*]] = %c0 to %c32 step %c32 {
// -zp in every lane, the 16-bit mask:
// CHECK: %[[M5:.*]] = arith.constant dense<-5> : vector<16xi32>
// CHECK: %[[MASK:.*]] = arith.constant dense<65535> : vector<16xi32>
// CHECK: %[[H0:.*]] = vector.load %arg0[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x48x3x16xi32>, vector<16xi32>
// CHECK: %[[S0:.*]] = arith.addi %[[H0]], %[[M5]] : vector<16xi32>
// CHECK: arith.andi %[[S0]], %[[MASK]] : vector<16xi32>
// CHECK: %[[H1:.*]] = vector.load %arg0
// CHECK: %[[S1:.*]] = arith.addi %[[H1]], %[[M5]] : vector<16xi32>
// CHECK: %[[L1:.*]] = arith.andi %[[S1]], %[[MASK]] : vector<16xi32>
// CHECK: arith.shli %[[L1]], %{{.*}} : vector<16xi32>
// CHECK: vector.shuffle
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<32xi16>
// CHECK-COUNT-16: vector.store %{{.*}}, %arg1[%{{.*}}, %{{.*}}, %{{.*}}, %[[C0]]] : memref<1x3x16x48xi16>, vector<32xi16>
// CHECK: vector.create_mask %{{.*}} : vector<32xi1>
// CHECK-COUNT-16: vector.maskedstore %arg1
// CHECK-NOT: vector.maskedstore
func.func @channels_last_halves(%in: memref<1x48x3x16xi32>, %out: memref<1x3x16x48xi16>) {
  %offset = arith.constant -5 : i32
  linalg.generic {indexing_maps = [#in, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<1x48x3x16xi32>) outs(%out : memref<1x3x16x48xi16>)
      attrs = {cgnet.channels_last} {
  ^bb0(%x: i32, %o: i16):
    %s = arith.addi %x, %offset : i32
    %t = arith.trunci %s : i32 to i16
    linalg.yield %t : i16
  }
  return
}

// A zero zero point: the body is the truncation alone (the addition of 0
// folded away), the same copy with an offset of 0. Before this form was
// matched, LLVM read a pixel's channels one element at a time, a plane
// apart (CIFAR ResNet-18's 8-bit gated layer 1: 0.38 -> 0.25 ms).
// CHECK-LABEL: func.func @channels_last_halves_plain
// CHECK-NOT: linalg.generic
// CHECK: vector.load %arg0{{.*}} : memref<1x32x1x16xi32>, vector<16xi32>
// CHECK: vector.bitcast %{{.*}} : vector<16xi32> to vector<32xi16>
// CHECK-COUNT-16: vector.store %{{.*}}, %arg1{{.*}} : memref<1x1x16x32xi16>, vector<32xi16>
func.func @channels_last_halves_plain(%in: memref<1x32x1x16xi32>, %out: memref<1x1x16x32xi16>) {
  linalg.generic {indexing_maps = [#in, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<1x32x1x16xi32>) outs(%out : memref<1x1x16x32xi16>)
      attrs = {cgnet.channels_last} {
  ^bb0(%x: i32, %o: i16):
    %t = arith.trunci %x : i32 to i16
    linalg.yield %t : i16
  }
  return
}

// 32-bit words copied as they are (i32 here; floats alike): a
// small-plane convolution's output, pixels x output channels per image
// (2 images of 20 pixels x 48 channels, seen as N x 20 x 1 x 48),
// transposed back to channels x pixels (--convert-cgnet-to-cpu marks it).
// Per image, 16 channels at a time (3 blocks) and 16 pixels, then 4
// (masked): 16 row loads, shuffles, one store per channel, no packing.
// CHECK-LABEL: func.func @channels_last_words
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[N:.*]] = %c0 to %c2 step %c1 {
// CHECK: scf.for %[[X0:.*]] = %c0 to %c48 step %c16 {
// CHECK: scf.for %[[C0:.*]] = %c0 to %c16 step %c16 {
// CHECK: vector.load %arg0[%[[N]], %{{.*}}, %{{.*}}, %[[X0]]] : memref<2x20x1x48xi32>, vector<16xi32>
// CHECK-NOT: arith.shli
// CHECK: vector.shuffle
// CHECK-COUNT-16: vector.store %{{.*}}, %arg1[%[[N]], %{{.*}}, %{{.*}}, %[[C0]]] : memref<2x1x48x20xi32>, vector<16xi32>
// CHECK: vector.create_mask %{{.*}} : vector<16xi1>
// CHECK-COUNT-16: vector.maskedstore %arg1[%[[N]], %{{.*}}, %{{.*}}, %c16]
func.func @channels_last_words(%in: memref<2x20x1x48xi32>, %out: memref<2x1x48x20xi32>) {
  linalg.generic {indexing_maps = [#in, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<2x20x1x48xi32>) outs(%out : memref<2x1x48x20xi32>)
      attrs = {cgnet.channels_last} {
  ^bb0(%x: i32, %o: i32):
    linalg.yield %x : i32
  }
  return
}

// Words to words of another type are not a copy: the generic stays.
// CHECK-LABEL: func.func @channels_last_words_other
// CHECK: linalg.generic
// CHECK-NOT: cgnet.channels_last
func.func @channels_last_words_other(%in: memref<1x16x1x16xi32>, %out: memref<1x1x16x16xf32>) {
  linalg.generic {indexing_maps = [#in, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<1x16x1x16xi32>) outs(%out : memref<1x1x16x16xf32>)
      attrs = {cgnet.channels_last} {
  ^bb0(%x: i32, %o: f32):
    %f = arith.sitofp %x : i32 to f32
    linalg.yield %f : f32
  }
  return
}

// A marked copy of another form (here the input's channels not the
// outer dimension) stays a generic, unmarked.
// CHECK-LABEL: func.func @channels_last_bytes_other
// CHECK: linalg.generic
// CHECK-NOT: cgnet.channels_last
// CHECK: arith.trunci
// CHECK: linalg.yield
func.func @channels_last_bytes_other(%in: memref<1x3x20x48xi32>, %out: memref<1x3x20x48xi8>) {
  %offset = arith.constant 131 : i32
  linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<1x3x20x48xi32>) outs(%out : memref<1x3x20x48xi8>)
      attrs = {cgnet.channels_last} {
  ^bb0(%x: i32, %o: i8):
    %s = arith.addi %x, %offset : i32
    %t = arith.trunci %s : i32 to i8
    linalg.yield %t : i8
  }
  return
}

// The float copy (the run form of float layers): 16 channels per tile,
// the 16 x 16 floats transposed, one 16-float store per pixel. 20
// channels of a 2 x 16 plane: a whole group, then 4 channels stored
// masked (the other 12 rows zero).
// CHECK-LABEL: func.func @channels_last_floats
// CHECK-NOT: linalg.generic
// CHECK: scf.for %{{.*}} = %c0 to %c16 step %c16 {
// CHECK: scf.for %[[C0:.*]] = %c0 to %c16 step %c16 {
// CHECK: vector.load %arg0[%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}] : memref<1x20x2x16xf32>, vector<16xf32>
// CHECK-NOT: arith.addi {{.*}} : vector
// CHECK: vector.shuffle {{.*}} : vector<16xf32>, vector<16xf32>
// CHECK-NOT: vector.maskedstore
// CHECK-COUNT-16: vector.store %{{.*}}, %arg1[%{{.*}}, %{{.*}}, %{{.*}}, %[[C0]]] : memref<1x2x16x20xf32, strided<[1024, 512, 32, 1]>>, vector<16xf32>
// CHECK: vector.create_mask %{{.*}} : vector<16xi1>
// CHECK-COUNT-16: vector.maskedstore %arg1
// CHECK-NOT: vector.maskedstore
func.func @channels_last_floats(%in: memref<1x20x2x16xf32>, %out: memref<1x2x16x20xf32, strided<[1024, 512, 32, 1]>>) {
  linalg.generic {indexing_maps = [#in, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%in : memref<1x20x2x16xf32>) outs(%out : memref<1x2x16x20xf32, strided<[1024, 512, 32, 1]>>)
      attrs = {cgnet.channels_last} {
  ^bb0(%x: f32, %o: f32):
    linalg.yield %x : f32
  }
  return
}
