// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{rows=4 vectors=2}),cse)" | FileCheck %s
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{rows=4 vectors=2}))" | FileCheck %s --check-prefix=NOPF

// A convolution's loops (a 1-D convolution here: 6 outputs x 36 pixels, 20
// input channels, 3 taps), marked by --convert-cgnet-to-cpu, become blocks
// of 4 output rows x 2 vectors of 16 pixels kept in registers over the
// reduction: the 20 input channels as an scf.for carrying the 8
// accumulators, the 3 taps unrolled inside (3 x 2 vector loads of `x`,
// 3 x 4 broadcast weights). Rows 4-5 are a block of their own; pixels
// 32-35 use masked loads and stores.

// CHECK-LABEL: func.func @conv1d
// CHECK: scf.parallel
// CHECK: scf.for %[[U:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-COUNT-8: vector.load %arg2
// CHECK: scf.for %[[C:.*]] = {{.*}} iter_args({{.*}}) -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK: vector.load %arg0[%[[C]], {{.*}} : memref<20x40xf32>, vector<16xf32>
// CHECK: memref.load %arg1
// CHECK: vector.broadcast {{.*}} : f32 to vector<16xf32>
// CHECK: arith.mulf {{.*}} : vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<16xf32>
// CHECK: scf.yield
// CHECK-COUNT-8: vector.store
// CHECK: scf.for {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>, vector<16xf32>) {
// CHECK: } {cgnet.iterations = 12960 : i64}
// CHECK: vector.maskedload %arg2
// CHECK: vector.maskedload %arg0
// CHECK: vector.maskedstore %arg2
// CHECK-NOT: linalg.generic
// CHECK: return
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

// Integer bodies are cloned onto vectors too (values from outside the body
// broadcast): (x - zp) * w + acc on vector<16xi32>.
// Without reduction chunks no prefetches.
// NOPF-LABEL: func.func @conv1d(
// NOPF-NOT: memref.prefetch
// NOPF-LABEL: func.func @conv1d_int
// CHECK-LABEL: func.func @conv1d_int
// CHECK: %[[ZP:.*]] = vector.broadcast %arg3 : i32 to vector<16xi32>
// CHECK: arith.subi %{{.*}}, %[[ZP]] : vector<16xi32>
// CHECK: arith.muli {{.*}} : vector<16xi32>
// CHECK-NOT: linalg.generic
func.func @conv1d_int(%x: memref<20x40xi32>, %w: memref<6x20x3xi32>, %y: memref<6x36xi32>, %zp: i32) {
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x40xi32>, memref<6x20x3xi32>) outs(%y : memref<6x36xi32>) attrs = {cgnet.register_block} {
  ^bb0(%a: i32, %b: i32, %acc: i32):
    %c = arith.subi %a, %zp : i32
    %m = arith.muli %c, %b : i32
    %s = arith.addi %acc, %m : i32
    linalg.yield %s : i32
  }
  return
}

// A marked generic of another form (the vectorized operand strided along
// the output's last loop) stays a generic; only the mark goes.
// CHECK-LABEL: func.func @strided
// CHECK: linalg.generic
// CHECK-NOT: cgnet.register_block
#xs = affine_map<(o, c, p, k) -> (c, p * 2 + k)>
func.func @strided(%x: memref<20x80xf32>, %w: memref<6x20x3xf32>, %y: memref<6x36xf32>) {
  linalg.generic {indexing_maps = [#xs, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x80xf32>, memref<6x20x3xf32>) outs(%y : memref<6x36xf32>) attrs = {cgnet.register_block} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// Rows and vectors must be at least 1.
// RUN: not cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{rows=0}))" 2>&1 | FileCheck %s --check-prefix=ERR
// ERR: error: --cgnet-register-block: rows and vectors must be at least 1

// The output filled with the bias just before (a broadcast generic, as
// --convert-cgnet-to-cpu emits it): the blocks start from the bias
// instead of reading the filled output back, and the fill goes (it wrote
// every output, which the blocks now do). The bias varies along the rows
// (u): one value broadcast per row, no load of the output.
// CHECK-LABEL: func.func @bias_rows
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[U:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK: %[[B:.*]] = memref.load %arg3[%[[U]]] : memref<6xf32>
// CHECK: vector.broadcast %[[B]] : f32 to vector<16xf32>
// CHECK-NOT: vector.load %arg2
// CHECK: scf.for
// CHECK: vector.store {{.*}}, %arg2
// CHECK-NOT: linalg.generic
// CHECK: return
#brow = affine_map<(o, p) -> (o)>
#id2 = affine_map<(o, p) -> (o, p)>
func.func @bias_rows(%x: memref<20x40xf32>, %w: memref<6x20x3xf32>, %y: memref<6x36xf32>, %bias: memref<6xf32>) {
  linalg.generic {indexing_maps = [#brow, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<6xf32>) outs(%y : memref<6x36xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x40xf32>, memref<6x20x3xf32>) outs(%y : memref<6x36xf32>) attrs = {cgnet.register_block} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// A bias along v (small planes: the output channels innermost): vector
// loads of the bias (masked at the last, partial vector).
// CHECK-LABEL: func.func @bias_vectors
// CHECK-NOT: linalg.generic
// CHECK: vector.load %arg3[%{{.*}}] : memref<36xf32>, vector<16xf32>
// CHECK: vector.maskedload %arg3
// CHECK-NOT: linalg.generic
// CHECK: return
#bvec = affine_map<(o, p) -> (p)>
func.func @bias_vectors(%x: memref<20x40xf32>, %w: memref<6x20x3xf32>, %y: memref<6x36xf32>, %bias: memref<36xf32>) {
  linalg.generic {indexing_maps = [#bvec, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<36xf32>) outs(%y : memref<6x36xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x40xf32>, memref<6x20x3xf32>) outs(%y : memref<6x36xf32>) attrs = {cgnet.register_block} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// Reduction chunks (cgnet.slice_bytes: 4 input channels of 2 x 16 floats
// a chunk): the first chunk starts from the bias, the others from what
// the chunk before stored. Each step prefetches (into L1: a chunk within
// 32 KiB) the lines its vector loads read one chunk later, the last input
// channel's at the end; without chunks (@conv1d) nothing is prefetched.
// CHECK-LABEL: func.func @bias_chunks
// CHECK-NOT: linalg.generic
// CHECK: scf.for %[[C0:.*]] = %c0 to %c20 step %c4 {
// CHECK: %[[FIRST:.*]] = arith.cmpi eq, %[[C0]], %c0 : index
// CHECK: scf.if %[[FIRST]] -> (vector<16xf32>, {{.*}}) {
// CHECK: memref.load %arg3
// CHECK: } else {
// CHECK: vector.{{(masked)?}}load %arg2
// CHECK: scf.for %[[C:.*]] = %[[C0]] to
// CHECK: %[[NEXT:.*]] = arith.addi %[[C]], %c4
// CHECK: %[[AHEAD:.*]] = arith.minui %[[NEXT]], %c19
// CHECK: memref.prefetch %arg0[%[[AHEAD]], %{{.*}}], read, locality<3>, data : memref<20x40xf32>
// CHECK: vector.{{(masked)?}}load %arg0[%[[C]], %{{.*}}]
// CHECK-NOT: linalg.generic
// CHECK: return
func.func @bias_chunks(%x: memref<20x40xf32>, %w: memref<6x20x3xf32>, %y: memref<6x36xf32>, %bias: memref<6xf32>) {
  linalg.generic {indexing_maps = [#brow, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<6xf32>) outs(%y : memref<6x36xf32>) {
  ^bb0(%b: f32, %o: f32):
    linalg.yield %b : f32
  }
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x40xf32>, memref<6x20x3xf32>) outs(%y : memref<6x36xf32>) attrs = {cgnet.register_block, cgnet.slice_bytes = 1536 : i64} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}

// A fill that is not a plain broadcast (it computes) stays, and the blocks
// read the output it wrote.
// CHECK-LABEL: func.func @not_a_fill
// CHECK: linalg.generic
// CHECK: arith.negf
// CHECK: vector.load %arg2
// CHECK: return
func.func @not_a_fill(%x: memref<20x40xf32>, %w: memref<6x20x3xf32>, %y: memref<6x36xf32>, %bias: memref<6xf32>) {
  linalg.generic {indexing_maps = [#brow, #id2], iterator_types = ["parallel", "parallel"]}
      ins(%bias : memref<6xf32>) outs(%y : memref<6x36xf32>) {
  ^bb0(%b: f32, %o: f32):
    %n = arith.negf %b : f32
    linalg.yield %n : f32
  }
  linalg.generic {indexing_maps = [#x, #w, #y], iterator_types = ["parallel", "reduction", "parallel", "reduction"]}
      ins(%x, %w : memref<20x40xf32>, memref<6x20x3xf32>) outs(%y : memref<6x36xf32>) attrs = {cgnet.register_block} {
  ^bb0(%a: f32, %b: f32, %acc: f32):
    %m = arith.mulf %a, %b : f32
    %s = arith.addf %acc, %m : f32
    linalg.yield %s : f32
  }
  return
}
