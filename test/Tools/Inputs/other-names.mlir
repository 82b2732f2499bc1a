// A module without @main, for --baseline errors.
func.func @elsewhere(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  return %x : tensor<1x2xf32>
}
