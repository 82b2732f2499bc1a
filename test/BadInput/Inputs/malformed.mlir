// Malformed: a missing type.
func.func @main(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %y = cgnet.relu %x :
  return %y : tensor<1x1x2x2xf32>
}
