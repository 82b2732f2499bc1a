// RUN: cgnet-opt %s --convert-cgnet-to-cpu -split-input-file -verify-diagnostics

func.func @integer(%x: tensor<1x2x4x4xi8>) -> tensor<1x2x4x4xi8> {
  // expected-error @+1 {{cannot be lowered to the CPU yet: no integer lowering in --convert-cgnet-to-cpu}}
  %y = cgnet.leaky_relu %x {alpha = 0.1 : f32} : tensor<1x2x4x4xi8>
  return %y : tensor<1x2x4x4xi8>
}

// -----

func.func @weight_arg(%x: tensor<1x2x4x4xf32>, %w: tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> {
  // expected-error @+1 {{cannot be lowered to the CPU yet: its weight must be a float constant}}
  %y = cgnet.conv2d %x, %w : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32>
  return %y : tensor<1x2x4x4xf32>
}

// -----

// expected-error @+1 {{'func.func' op cannot be lowered to the CPU: argument #0 has 4-bit integer storage ('tensor<1x2x!quant.uniform<i4:f32, 5.000000e-01>>'); 8, 16 and 32 bits can cross the function boundary}}
func.func @nibbles(%x: tensor<1x2x!quant.uniform<i4:f32, 0.5>>) -> tensor<1x2xf32> {
  %y = cgnet.dequantize %x : (tensor<1x2x!quant.uniform<i4:f32, 0.5>>) -> tensor<1x2xf32>
  return %y : tensor<1x2xf32>
}
