// A 1x1x2x2 identity-like model for the bad-input tests.
func.func @main(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %y = cgnet.relu %x : tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
