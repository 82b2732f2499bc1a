// A 1x1 convolution whose result, requantized, is added to its own input
// (requantized too) and passed through a ReLU: the residual stage of the
// accelerator's post (test/Sim/residual.test).
func.func @main(%x: tensor<1x3x3x3xi8>) -> tensor<1x3x3x3xi8> {
  %w = arith.constant dense<[[[[1]], [[-2]], [[0]]], [[[3]], [[4]], [[1]]], [[[-5]], [[6]], [[2]]]]> : tensor<3x3x1x1xi8>
  %b = arith.constant dense<[10, -20, 30]> : tensor<3xi32>
  %c = cgnet.conv2d %x, %w, %b : (tensor<1x3x3x3xi8>, tensor<3x3x1x1xi8>, tensor<3xi32>) -> tensor<1x3x3x3xi32>
  %r = cgnet.requantize %c {multiplier = array<i32: 1073741824, 1073741824, 1610612736>, shift = array<i32: 31, 32, 31>, axis = 1 : i64} : (tensor<1x3x3x3xi32>) -> tensor<1x3x3x3xi8>
  %a = cgnet.requantize %r {multiplier = array<i32: 1610612736>, shift = array<i32: 31>} : (tensor<1x3x3x3xi8>) -> tensor<1x3x3x3xi8>
  %s = cgnet.requantize %x {multiplier = array<i32: 1610612736>, shift = array<i32: 30>, rounding = #cgnet.rounding<half_up>} : (tensor<1x3x3x3xi8>) -> tensor<1x3x3x3xi8>
  %sum = cgnet.add %a, %s : tensor<1x3x3x3xi8>
  %y = cgnet.relu %sum : tensor<1x3x3x3xi8>
  return %y : tensor<1x3x3x3xi8>
}
