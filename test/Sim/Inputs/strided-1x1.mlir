// Strided 1x1 convolutions (test/Sim/strided-1x1.test): the DMA loads only
// the input rows they read. Batch 2 and odd heights: 9 rows at stride 2 are
// rows 0, 2, ..., 8 of each image; at stride 3, rows 0, 3, 6.
func.func @main(%x: tensor<2x4x9x33xi8>) -> (tensor<2x6x5x17xi8>, tensor<2x6x3x17xi8>) {
  %w = arith.constant dense<[[[[1]], [[-2]], [[3]], [[0]]], [[[4]], [[5]], [[-6]], [[1]]], [[[-7]], [[2]], [[0]], [[3]]], [[[2]], [[2]], [[-1]], [[-3]]], [[[0]], [[-4]], [[5]], [[6]]], [[[3]], [[1]], [[1]], [[-2]]]]> : tensor<6x4x1x1xi8>
  %b = arith.constant dense<[10, -20, 30, 0, 5, -5]> : tensor<6xi32>
  %c = cgnet.conv2d %x, %w, %b {strides = array<i64: 2, 2>} : (tensor<2x4x9x33xi8>, tensor<6x4x1x1xi8>, tensor<6xi32>) -> tensor<2x6x5x17xi32>
  %r = cgnet.requantize %c {multiplier = array<i32: 1073741824>, shift = array<i32: 31>} : (tensor<2x6x5x17xi32>) -> tensor<2x6x5x17xi8>
  %c3 = cgnet.conv2d %x, %w, %b {strides = array<i64: 3, 2>} : (tensor<2x4x9x33xi8>, tensor<6x4x1x1xi8>, tensor<6xi32>) -> tensor<2x6x3x17xi32>
  %r3 = cgnet.requantize %c3 {multiplier = array<i32: 1073741824>, shift = array<i32: 31>} : (tensor<2x6x3x17xi32>) -> tensor<2x6x3x17xi8>
  return %r, %r3 : tensor<2x6x5x17xi8>, tensor<2x6x3x17xi8>
}
