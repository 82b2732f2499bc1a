// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{vector-bits=256 rows=4 vectors=3}),cse)" | FileCheck %s --check-prefix=AVX2
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{vector-bits=128 rows=4 vectors=3}),cse)" | FileCheck %s --check-prefix=SSE
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{vector-bits=512}),cse)" | FileCheck %s --check-prefix=AVX512
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{vector-bits=256 rows=4 vectors=3 dot2-vectors=2}),cse)" | FileCheck %s --check-prefix=PAIRS

// --cgnet-register-block's vector width: with 256 bits (AVX2, 16 vector
// registers; the CPU pipeline's block there is 4 rows x 3 vectors) a block
// of the 1-D convolution below is 4 output rows x 3 vectors of 8 pixels,
// 12 accumulators; with 128 bits 3 vectors of 4.

// AVX2-LABEL: func.func @conv1d
// AVX2: scf.for %{{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// AVX2-COUNT-3: vector.load %arg0{{.*}} : memref<20x40xf32>, vector<8xf32>
// AVX2: vector.broadcast {{.*}} : f32 to vector<8xf32>
// AVX2: arith.mulf {{.*}} : vector<8xf32>
// SSE-LABEL: func.func @conv1d
// SSE: scf.for %{{.*}} iter_args({{.*}}) -> (vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>, vector<4xf32>) {
// SSE: arith.mulf {{.*}} : vector<4xf32>
#x = affine_map<(o, c, p, k) -> (c, p + k)>
#w = affine_map<(o, c, p, k) -> (o, c, k)>
#y = affine_map<(o, c, p, k) -> (o, p)>
func.func @conv1d(%x: memref<20x40xf32>, %w: memref<6x20x3xf32>, %y: memref<6x36xf32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x40xf32>, memref<6x20x3xf32>) outs(%y : memref<6x36xf32>) attrs = {cgnet.register_block} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// A generic marked `cgnet.dot2` (--convert-cgnet-to-cpu=dot2: each i32
// holds two signed 16-bit values) is computed with pmaddwd of the vector
// width, not its cloned body: SSE2's on 128 bits, AVX2's on 256,
// AVX-512BW's on 512.
// AVX2-LABEL: func.func @dot2
// AVX2: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// AVX2: arith.addi {{.*}} : vector<8xi32>
// AVX2-NOT: arith.shrsi
// SSE-LABEL: func.func @dot2
// SSE: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"(%{{.*}}, %{{.*}}) : (vector<8xi16>, vector<8xi16>) -> vector<4xi32>
// With dot2-vectors=2 (the CPU pipeline's choice with 16 registers: each
// pmaddwd's product needs one) the dot2 blocks are 4 x 2, 8 accumulators;
// the float generic keeps its 4 x 3.
// PAIRS-LABEL: func.func @conv1d
// PAIRS: scf.for %{{.*}} iter_args({{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>) {
// PAIRS-LABEL: func.func @dot2
// PAIRS: scf.for %{{.*}} iter_args({{.*}}) -> (vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>, vector<8xi32>) {
// PAIRS-COUNT-2: vector.load %arg0{{.*}} : memref<20x40xi32>, vector<8xi32>
// PAIRS-NOT: vector.load %arg0
// PAIRS: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// AVX512-LABEL: func.func @dot2
// AVX512: llvm.call_intrinsic "llvm.x86.avx512.pmaddw.d.512"(%{{.*}}, %{{.*}}) : (vector<32xi16>, vector<32xi16>) -> vector<16xi32>
func.func @dot2(%x: memref<20x40xi32>, %w: memref<6x20x3xi32>, %y: memref<6x36xi32>) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x40xi32>, memref<6x20x3xi32>) outs(%y : memref<6x36xi32>) attrs = {cgnet.dot2, cgnet.register_block} {
  ^bb0(%a: i32, %b: i32, %acc: i32):
    %c16 = arith.constant 16 : i32
    %al = arith.shli %a, %c16 : i32
    %alo = arith.shrsi %al, %c16 : i32
    %bl = arith.shli %b, %c16 : i32
    %blo = arith.shrsi %bl, %c16 : i32
    %ahi = arith.shrsi %a, %c16 : i32
    %bhi = arith.shrsi %b, %c16 : i32
    %m0 = arith.muli %alo, %blo : i32
    %m1 = arith.muli %ahi, %bhi : i32
    %s0 = arith.addi %acc, %m0 : i32
    %s1 = arith.addi %s0, %m1 : i32
    linalg.yield %s1 : i32
  }
  return
}

// The vector width is one of 128, 256 and 512.
// RUN: not cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{vector-bits=64}))" 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: --cgnet-register-block: vector-bits must be 128, 256 or 512, not 64
// RUN: not cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{dot2-vectors=-1}))" 2>&1 | FileCheck %s --check-prefix=ERRV
// ERRV: error: --cgnet-register-block: rows and vectors must be at least 1, dot2-vectors at least 0
