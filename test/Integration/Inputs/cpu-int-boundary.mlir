// Used by test/Integration/cpu-backend.test and test/Tools/cgnet-compile.test.
// Integer arguments and results at the CPU backend's function boundary:
// an unsigned 8-bit quantized input (zero point 3), a convolution with
// unsigned weights (zero point 5) into i32, a re-quantized signed 8-bit
// result and a float one.
func.func @main(%x: tensor<1x2x5x5x!quant.uniform<u8:f32, 0.25:3>>) -> (tensor<1x3x3x3xi32>, tensor<1x2x5x5x!quant.uniform<i8:f32, 0.5:-2>>, tensor<1x2x5x5xf32>) {
  %wi = arith.constant dense<[[[[1, 9, 200], [5, 0, 255], [17, 3, 5]], [[6, 7, 8], [250, 4, 2], [5, 5, 5]]], [[[0, 0, 0], [0, 10, 0], [0, 0, 0]], [[1, 2, 3], [4, 5, 6], [7, 8, 9]]], [[[255, 254, 253], [252, 251, 250], [249, 248, 247]], [[5, 5, 5], [5, 5, 5], [5, 5, 6]]]]> : tensor<3x2x3x3xi8>
  %w = quant.scast %wi : tensor<3x2x3x3xi8> to tensor<3x2x3x3x!quant.uniform<u8:f32, 0.1:5>>
  %y = cgnet.conv2d %x, %w : (tensor<1x2x5x5x!quant.uniform<u8:f32, 0.25:3>>, tensor<3x2x3x3x!quant.uniform<u8:f32, 0.1:5>>) -> tensor<1x3x3x3xi32>
  %f = cgnet.dequantize %x : (tensor<1x2x5x5x!quant.uniform<u8:f32, 0.25:3>>) -> tensor<1x2x5x5xf32>
  %q = cgnet.quantize %f : (tensor<1x2x5x5xf32>) -> tensor<1x2x5x5x!quant.uniform<i8:f32, 0.5:-2>>
  return %y, %q, %f : tensor<1x3x3x3xi32>, tensor<1x2x5x5x!quant.uniform<i8:f32, 0.5:-2>>, tensor<1x2x5x5xf32>
}
