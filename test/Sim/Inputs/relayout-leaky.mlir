// A reshape that moves elements in DRAM (NHWC 1x6x4x1 -> 1x1x6x4, the
// input layout of the openWakeWord embedding model), then a convolution
// whose requantized result goes through a leaky ReLU and a clamp, both
// fused into the convolution's post (test/Sim/relayout-leaky.test).
!in = !quant.uniform<i8:f32, 0.02>
!mid = !quant.uniform<i8:f32, 0.05>
func.func @main(%x: tensor<1x6x4x1xf32>) -> tensor<1x3x6x4xf32> {
  %q = cgnet.quantize %x : (tensor<1x6x4x1xf32>) -> tensor<1x6x4x1x!in>
  %r = cgnet.reshape %q : (tensor<1x6x4x1x!in>) -> tensor<1x1x6x4x!in>
  %wi = arith.constant dense<[[[[12, -40, 7], [90, -3, -66], [5, 31, -127]]], [[[-8, 64, 17], [-22, 45, 3], [100, -9, 1]]], [[[55, -55, 20], [-70, 2, 80], [-1, 33, -45]]]]> : tensor<3x1x3x3xi8>
  %w = quant.scast %wi : tensor<3x1x3x3xi8> to tensor<3x1x3x3x!quant.uniform<i8:f32, 0.01>>
  %b = arith.constant dense<[150, -300, 20]> : tensor<3xi32>
  %c = cgnet.conv2d %r, %w, %b {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x1x6x4x!in>, tensor<3x1x3x3x!quant.uniform<i8:f32, 0.01>>, tensor<3xi32>) -> tensor<1x3x6x4xi32>
  %rq = cgnet.requantize %c {multiplier = array<i32: 1717986918, 1288490189, 1503238554>, shift = array<i32: 36, 36, 37>, axis = 1 : i64} : (tensor<1x3x6x4xi32>) -> tensor<1x3x6x4x!mid>
  %l = cgnet.leaky_relu %rq {alpha = 2.000000e-01 : f32} : tensor<1x3x6x4x!mid>
  %cl = cgnet.clamp %l {max_int = 127 : i64, min_int = -5 : i64} : tensor<1x3x6x4x!mid>
  %y = cgnet.dequantize %cl : (tensor<1x3x6x4x!mid>) -> tensor<1x3x6x4xf32>
  return %y : tensor<1x3x6x4xf32>
}
