// Requantize on the CPU (--convert-cgnet-to-cpu) against the reference
// evaluator (requantize-cpu.test): per-channel multipliers and shifts
// (0, 1, 31, 33), an input with a zero point, both rounding modes, negative
// and positive products, saturation at both ends; and the 32-bit form of
// half away from zero (shifts of 31..62, multipliers of at least 0) on
// 32-bit inputs of any value (%d, %e: random, %f: INT_MIN, INT_MAX, -1,
// 1, 0), multipliers up to 2^31 - 1, 8- and 16-bit outputs.
func.func @main(%x: tensor<1x4x3x5xf32>, %y: tensor<1x4x3x5xi32>) -> (tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>, tensor<1x4x3x5x!quant.uniform<i8:f32, 0.5:5>>, tensor<1x4x3x5x!quant.uniform<i16:f32, 0.5:-7>>, tensor<2x5x!quant.uniform<i8:f32, 0.5:-2>>) {
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
  %d = cgnet.requantize %y {multiplier = array<i32: 2147483647, 1073741824, 1, 0>, shift = array<i32: 31, 40, 31, 62>, axis = 1 : i64}
      : (tensor<1x4x3x5xi32>) -> tensor<1x4x3x5x!quant.uniform<i8:f32, 0.5:5>>
  %e = cgnet.requantize %y {multiplier = array<i32: 1518500250>, shift = array<i32: 46>}
      : (tensor<1x4x3x5xi32>) -> tensor<1x4x3x5x!quant.uniform<i16:f32, 0.5:-7>>
  %k = arith.constant dense<[[-2147483648, 2147483647, -1, 1, 0], [-2147483648, 2147483647, -1073741824, 1073741823, 0]]> : tensor<2x5xi32>
  %f = cgnet.requantize %k {multiplier = array<i32: 2147483647, 1073741824>, shift = array<i32: 31, 55>, axis = 0 : i64}
      : (tensor<2x5xi32>) -> tensor<2x5x!quant.uniform<i8:f32, 0.5:-2>>
  return %da, %db, %dc, %d, %e, %f : tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>, tensor<1x4x3x5xf32>, tensor<1x4x3x5x!quant.uniform<i8:f32, 0.5:5>>, tensor<1x4x3x5x!quant.uniform<i16:f32, 0.5:-7>>, tensor<2x5x!quant.uniform<i8:f32, 0.5:-2>>
}
