func.func @main(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %y = cgnet.relu %x : tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}

func.func @other(%x: tensor<1x2xi8>) -> tensor<1x2xi8> {
  return %x : tensor<1x2xi8>
}

func.func @unsupported(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
  %y = arith.addf %x, %x : tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
