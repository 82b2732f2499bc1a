// RUN: cgnet-opt %s --convert-cgnet-to-cpu | FileCheck %s
// RUN: cgnet-opt %s --cgnet-cpu-pipeline | FileCheck %s --check-prefix=LLVM

// A convolution is a padded input, a bias broadcast and one generic whose
// maps are the reference evaluator's loops (n, g, o, y, x | c, ky, kx).
// CHECK-DAG: #[[IN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d0, d1, d5, d3 * 2 + d6, d4 * 2 + d7)>
// CHECK-DAG: #[[W:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6, d7) -> (d1, d2, d5, d6, d7)>
// CHECK-LABEL: func.func @conv
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: tensor.reshape {{.*}} -> tensor<1x2x1x6x6xf32>
// CHECK: linalg.generic {indexing_maps = [#[[IN]], #[[W]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "reduction", "reduction", "reduction"]}
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.reshape {{.*}} -> tensor<1x4x2x2xf32>
// CHECK-NOT: cgnet.
// The compiled function takes one pointer per argument and per result.
// LLVM: llvm.func @conv(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
func.func @conv(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<4x1x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = cgnet.conv2d %x, %w, %b {groups = 2 : i64, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}
