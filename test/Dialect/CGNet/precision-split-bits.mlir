// An 8-bit input cannot be split as 4-bit activations.
// RUN: cgnet-opt %s --cgnet-precision-split="threshold=0 layers=0 bits=4 high-bits=2" -verify-diagnostics

func.func @input_too_wide(%x: tensor<1x2x2x2xi8>) -> tensor<1x1x2x2xi32> {
  %w = arith.constant dense<1> : tensor<1x2x1x1xi8>
  // expected-error @+1 {{cannot gate this convolution: its input values [-128, 127] do not fit in bits=4 (quantize with act-bits=4)}}
  %y = cgnet.conv2d %x, %w : (tensor<1x2x2x2xi8>, tensor<1x2x1x1xi8>) -> tensor<1x1x2x2xi32>
  return %y : tensor<1x1x2x2xi32>
}
