// A channel concatenation of the input and a convolution of it, then a 2x3
// nearest upsampling (the shape of a detector's FPN merge), on the
// accelerator as DMA copies (test/Sim/concat-upsample.test).
!q = !quant.uniform<i8:f32, 0.02>
func.func @main(%x: tensor<1x3x4x5xf32>) -> tensor<1x6x8x15xf32> {
  %q = cgnet.quantize %x : (tensor<1x3x4x5xf32>) -> tensor<1x3x4x5x!q>
  %wi = arith.constant dense<[[[[40]], [[-20]], [[7]]], [[[-9]], [[33]], [[21]]], [[[5]], [[5]], [[-60]]]]> : tensor<3x3x1x1xi8>
  %w = quant.scast %wi : tensor<3x3x1x1xi8> to tensor<3x3x1x1x!quant.uniform<i8:f32, 0.01>>
  %c = cgnet.conv2d %q, %w : (tensor<1x3x4x5x!q>, tensor<3x3x1x1x!quant.uniform<i8:f32, 0.01>>) -> tensor<1x3x4x5xi32>
  %r = cgnet.requantize %c {multiplier = array<i32: 1073741824>, shift = array<i32: 36>} : (tensor<1x3x4x5xi32>) -> tensor<1x3x4x5x!q>
  %cat = cgnet.concat %q, %r {axis = 1 : i64} : (tensor<1x3x4x5x!q>, tensor<1x3x4x5x!q>) -> tensor<1x6x4x5x!q>
  %up = cgnet.upsample_nearest %cat {factors = array<i64: 2, 3>} : (tensor<1x6x4x5x!q>) -> tensor<1x6x8x15x!q>
  %y = cgnet.dequantize %up : (tensor<1x6x8x15x!q>) -> tensor<1x6x8x15xf32>
  return %y : tensor<1x6x8x15xf32>
}
