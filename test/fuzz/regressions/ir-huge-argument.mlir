
func.func @case16(%x: tensor<1x4x4x8xi16>, %w: tensor<000000000000000000020000000000000008x4x3x3xi8>) {
  // expected-error @+1 {cgnet.leakt hae 2-8 bit storage,<8x4x3x3xi8>) -> tensor<1x8x6x6xi30>~
  return
}

