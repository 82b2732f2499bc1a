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

// A copy of a view onto the same view (bufferization leaves one where a
// value computed in place of a slice is inserted into it) is erased:
// equal subviews of one buffer, or one value. Different offsets, or views
// of different buffers, are copies.
// CHECK-LABEL: func.func @self_copies
// CHECK-NOT: memref.copy
// CHECK-NOT: linalg.copy
// CHECK: return
func.func @self_copies(%buf: memref<1x4x6x8xi16>, %c: memref<4x8xi32>) {
  %v1 = memref.subview %buf[0, 1, 1, 0] [1, 2, 4, 8] [1, 1, 1, 1] : memref<1x4x6x8xi16> to memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 56>>
  %v2 = memref.subview %buf[0, 1, 1, 0] [1, 2, 4, 8] [1, 1, 1, 1] : memref<1x4x6x8xi16> to memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 56>>
  memref.copy %v1, %v2 : memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 56>> to memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 56>>
  memref.copy %c, %c : memref<4x8xi32> to memref<4x8xi32>
  return
}

// CHECK-LABEL: func.func @shifted_copy
// CHECK: linalg.copy
func.func @shifted_copy(%buf: memref<1x4x6x8xi16>) {
  %v1 = memref.subview %buf[0, 1, 1, 0] [1, 2, 4, 8] [1, 1, 1, 1] : memref<1x4x6x8xi16> to memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 56>>
  %v2 = memref.subview %buf[0, 1, 2, 0] [1, 2, 4, 8] [1, 1, 1, 1] : memref<1x4x6x8xi16> to memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 64>>
  memref.copy %v1, %v2 : memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 56>> to memref<1x2x4x8xi16, strided<[192, 48, 8, 1], offset: 64>>
  return
}
