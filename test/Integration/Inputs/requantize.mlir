// Requantize on the CPU (--convert-cgnet-to-cpu) against the reference
// evaluator (requantize-cpu.test): per-channel multipliers and shifts
// (0, 1, 31, 33), an input with a zero point, both rounding modes, negative
// and positive products, saturation at both ends.
func.func @main(%x: tensor<1x4x3x5xf32>) -> (tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>) {
  %q = cgnet.quantize %x : (tensor<1x4x3x5xf32>) -> tensor<1x4x3x5x!quant.uniform<u8:f32, 0.01:128>>
  %a = cgnet.requantize %q {multiplier = array<i32: 1073741824, 2147483647, 1518500250, 7>, shift = array<i32: 31, 33, 0, 1>, axis = 1 : i64}
      : (tensor<1x4x3x5x!quant.uniform<u8:f32, 0.01:128>>) -> tensor<1x4x3x5x!quant.uniform<i8:f32, 0.02:-3>>
  %b = cgnet.requantize %q {multiplier = array<i32: 1073741824, 2147483647, 1518500250, 7>, shift = array<i32: 31, 33, 0, 1>, axis = 1 : i64, rounding = #cgnet.rounding<half_up>}
      : (tensor<1x4x3x5x!quant.uniform<u8:f32, 0.01:128>>) -> tensor<1x4x3x5x!quant.uniform<i8:f32, 0.02:-3>>
  %c = cgnet.requantize %q {multiplier = array<i32: 1717986918>, shift = array<i32: 32>}
      : (tensor<1x4x3x5x!quant.uniform<u8:f32, 0.01:128>>) -> tensor<1x4x3x5x!quant.uniform<u8:f32, 0.02:7>>
  %da = cgnet.dequantize %a : (tensor<1x4x3x5x!quant.uniform<i8:f32, 0.02:-3>>) -> tensor<1x4x3x5xf32>
  %db = cgnet.dequantize %b : (tensor<1x4x3x5x!quant.uniform<i8:f32, 0.02:-3>>) -> tensor<1x4x3x5xf32>
  %dc = cgnet.dequantize %c : (tensor<1x4x3x5x!quant.uniform<u8:f32, 0.02:7>>) -> tensor<1x4x3x5xf32>
  return %da, %db, %dc : tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>
}
