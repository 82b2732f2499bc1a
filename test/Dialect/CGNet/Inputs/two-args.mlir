// A two-argument float function for the calibration-count error.
func.func @main(%a: tensor<1x2x4x4xf32>, %b: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %y = cgnet.add %a, %b : tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}
