// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-register-block{rows=4 vectors=2}),cse)" | FileCheck %s

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
