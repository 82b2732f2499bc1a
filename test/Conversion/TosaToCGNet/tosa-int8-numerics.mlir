// Integer TOSA (zero points as operands, per-channel rescale with single
// rounding) converts to cgnet that computes the same int8 outputs, bit for
// bit, as the network written directly in cgnet with !quant.uniform types.
// RUN: split-file %s %t
// RUN: cgnet-run %t/cgnet.mlir --random-inputs --seed 8 --output %t/ref.npy
// RUN: cgnet-opt %t/tosa.mlir --convert-tosa-to-cgnet -o %t/converted.mlir
// RUN: cgnet-run %t/converted.mlir --random-inputs --seed 8 --expect %t/ref.npy | FileCheck %s
// CHECK: result #0 matches

//--- tosa.mlir
func.func @main(%x: tensor<1x2x4x4xi8>) -> tensor<1x4x4x4xi8> {
  %w = "tosa.const"() {values = dense<[[[[1, -2]]], [[[3, 4]]], [[[-5, 6]]], [[[7, -8]]]]> : tensor<4x1x1x2xi8>} : () -> tensor<4x1x1x2xi8>
  %b = "tosa.const"() {values = dense<[7, -7, 100, 0]> : tensor<4xi32>} : () -> tensor<4xi32>
  %xzp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x4x4xi8>) -> tensor<1x4x4x2xi8>
  %c = tosa.conv2d %xt, %w, %b, %xzp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<4x1x1x2xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x4xi32>
  %m = "tosa.const"() {values = dense<[1073741824, 1431655765, 1073741824, 1610612736]> : tensor<4xi32>} : () -> tensor<4xi32>
  %s = "tosa.const"() {values = dense<[32, 33, 31, 34]> : tensor<4xi8>} : () -> tensor<4xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %c, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x4x4x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x4xi8>
  %y = tosa.transpose %r {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x4x4x4xi8>) -> tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}

//--- cgnet.mlir
func.func @main(%x: tensor<1x2x4x4xi8>) -> tensor<1x4x4x4xi8> {
  %xq = quant.scast %x : tensor<1x2x4x4xi8> to tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-3>>
  %w = arith.constant dense<[[[[1]], [[-2]]], [[[3]], [[4]]], [[[-5]], [[6]]], [[[7]], [[-8]]]]> : tensor<4x2x1x1xi8>
  %b = arith.constant dense<[7, -7, 100, 0]> : tensor<4xi32>
  %acc = cgnet.conv2d %xq, %w, %b : (tensor<1x2x4x4x!quant.uniform<i8:f32, 0.5:-3>>, tensor<4x2x1x1xi8>, tensor<4xi32>) -> tensor<1x4x4x4xi32>
  %q = cgnet.requantize %acc {multiplier = array<i32: 1073741824, 1431655765, 1073741824, 1610612736>, shift = array<i32: 32, 33, 31, 34>, rounding = #cgnet.rounding<half_up>}
      : (tensor<1x4x4x4xi32>) -> tensor<1x4x4x4x!quant.uniform<i8:f32, 0.25:5>>
  %y = quant.scast %q : tensor<1x4x4x4x!quant.uniform<i8:f32, 0.25:5>> to tensor<1x4x4x4xi8>
  return %y : tensor<1x4x4x4xi8>
}
