// Functions whose signatures the CPU backend cannot take (test/Tools/cgnet-compile.test).
func.func @nibbles(%x: tensor<1x2x!quant.uniform<i4:f32, 0.5>>) -> tensor<1x2xf32> {
  %y = cgnet.dequantize %x : (tensor<1x2x!quant.uniform<i4:f32, 0.5>>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

func.func @dynamic(%x: tensor<?x2xf32>) -> tensor<?x2xf32> {
  return %x : tensor<?x2xf32>
}
