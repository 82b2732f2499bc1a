// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-copies-to-loops))" | FileCheck %s

// A copy into the interior of a padded buffer (strided target) becomes a
// linalg.copy (loops LLVM vectorizes, not the runner utilities'
// element-by-element memrefCopy); a copy between contiguous buffers stays
// one memref.copy (memcpy).

// CHECK-LABEL: func.func @pad_interior
// CHECK: %[[VIEW:.*]] = memref.subview
// CHECK-NOT: memref.copy
// CHECK: linalg.copy ins(%{{.*}} : memref<1x2x3x3xf32>) outs(%[[VIEW]] : memref<1x2x3x3xf32, strided<[50, 25, 5, 1], offset: 6>>)
func.func @pad_interior(%x: memref<1x2x3x3xf32>, %padded: memref<1x2x5x5xf32>) {
  %v = memref.subview %padded[0, 0, 1, 1] [1, 2, 3, 3] [1, 1, 1, 1] : memref<1x2x5x5xf32> to memref<1x2x3x3xf32, strided<[50, 25, 5, 1], offset: 6>>
  memref.copy %x, %v : memref<1x2x3x3xf32> to memref<1x2x3x3xf32, strided<[50, 25, 5, 1], offset: 6>>
  return
}

// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<4x8xi32>, %b: memref<4x8xi32>) {
  memref.copy %a, %b : memref<4x8xi32> to memref<4x8xi32>
  return
}
