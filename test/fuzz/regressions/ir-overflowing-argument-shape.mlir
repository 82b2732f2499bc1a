
func.func @case16(%x: tensor<1x4x4x8xi16>, %w: tensor<000000000000000002000000000000000008x4x3x3xi8>) {
  // {<1x8x6x6xi30>~
  return
}

