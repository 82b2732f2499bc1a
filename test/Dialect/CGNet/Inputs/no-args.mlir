// A function without inputs, for the calibration error.
func.func @main() -> tensor<1x2xf32> {
  %c = arith.constant dense<1.0> : tensor<1x2xf32>
  %w = arith.constant dense<1.0> : tensor<2x2xf32>
  %y = cgnet.fully_connected %c, %w : (tensor<1x2xf32>, tensor<2x2xf32>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
