// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-serialize-inner-parallel{min-iterations=1000}))" | FileCheck %s

// A large nest keeps its outermost scf.parallel; the scf.parallel inside
// it becomes scf.for loops with the same bounds (the body moves intact).
// CHECK-LABEL: func.func @large
// CHECK: scf.parallel (%[[I:.*]]) = (%c0) to (%c64) step (%c1)
// CHECK-NEXT: scf.for %[[J:.*]] = %c0 to %c32 step %c1
// CHECK-NEXT: scf.for %[[K:.*]] = %c0 to %c16 step %c1
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[I]], %[[J]], %[[K]]]
// CHECK-NOT: scf.parallel
func.func @large(%m: memref<64x32x16xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c16 = arith.constant 16 : index
  %c32 = arith.constant 32 : index
  %c64 = arith.constant 64 : index
  scf.parallel (%i) = (%c0) to (%c64) step (%c1) {
    scf.parallel (%j, %k) = (%c0, %c0) to (%c32, %c16) step (%c1, %c1) {
      memref.store %v, %m[%i, %j, %k] : memref<64x32x16xf32>
    }
  }
  return
}

// A nest under min-iterations (8 x 8 = 64) runs on the calling thread.
// CHECK-LABEL: func.func @small
// CHECK-NOT: scf.parallel
// CHECK: scf.for %{{.*}} = %c0 to %c8 step %c1
// CHECK-NEXT: scf.for %{{.*}} = %c0 to %c8 step %c1
func.func @small(%m: memref<8x8xf32>, %v: f32) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c8) step (%c1, %c1) {
    memref.store %v, %m[%i, %j] : memref<8x8xf32>
  }
  return
}
