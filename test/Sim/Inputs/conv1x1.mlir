// The layer of conv1x1.s, for the reference evaluator.
func.func @main(%x: tensor<1x2x3x3xi8>) -> tensor<1x3x3x3xi8> {
  %w = arith.constant dense<[[[[1]], [[-2]]], [[[3]], [[4]]], [[[-5]], [[6]]]]> : tensor<3x2x1x1xi8>
  %b = arith.constant dense<[10, -20, 30]> : tensor<3xi32>
  %c = cgnet.conv2d %x, %w, %b : (tensor<1x2x3x3xi8>, tensor<3x2x1x1xi8>, tensor<3xi32>) -> tensor<1x3x3x3xi32>
  %r = cgnet.requantize %c {multiplier = array<i32: 1073741824>, shift = array<i32: 31>} : (tensor<1x3x3x3xi32>) -> tensor<1x3x3x3xi8>
  return %r : tensor<1x3x3x3xi8>
}
