// RUN: cgnet-opt %s --cgnet-precision-split="threshold=0 layers=0" -split-input-file -verify-diagnostics
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-precision-split=threshold=0 2>&1 | FileCheck %s --check-prefix=FLOAT
// FLOAT: error: --cgnet-precision-split needs an integer model: run --cgnet-quantize first
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-precision-split="threshold=0 bits=9" 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: --cgnet-precision-split: bits must be in [2, 8] (or 0 for the input's), got 9
// RUN: not cgnet-opt %s --cgnet-precision-split 2>&1 | FileCheck %s --check-prefix=NOSRC
// NOSRC: error: --cgnet-precision-split needs exactly one of thresholds=<json>, target-off-rate=<r> and threshold=<value>

func.func @high_bits_too_many(%x: tensor<1x2x2x2x!quant.uniform<i8<-4:3>:f32, 0.5>>) -> tensor<1x1x2x2xi32> {
  %w = arith.constant dense<1> : tensor<1x2x1x1xi8>
  // expected-error @+1 {{cannot gate this convolution: high-bits=4 must be in [1, bits) with bits=3}}
  %y = cgnet.conv2d %x, %w : (tensor<1x2x2x2x!quant.uniform<i8<-4:3>:f32, 0.5>>, tensor<1x2x1x1xi8>) -> tensor<1x1x2x2xi32>
  return %y : tensor<1x1x2x2xi32>
}
