// RUN: cgnet-opt %s --cgnet-quantize=act-range=127 -split-input-file | FileCheck %s
// RUN: cgnet-opt %s --cgnet-quantize="act-range=127 granularity=per-tensor" -split-input-file | FileCheck %s --check-prefix=TENSOR
//
// Hand-computed: with act-range=127 every activation has scale 1.0; the
// weights 0.5 and -0.25 get per-channel steps 0.5/127 and 0.25/127, so they
// quantize to 127 and -127, the biases to round(1 / (0.5/127)) = 254 and
// round(-2 / (0.25/127)) = -1016, and the requantization ratios are the
// weight steps: 0.5/127 = 1082196484 * 2^-38.
//
// Numbers on the first function, by hand: x = [0.4, 4.2, -4, 100] quantizes
// to [0, 4, -4, 100]; channel 0 is 0.5 q + 1 = [1, 3, -1, 51], channel 1 is
// -0.25 q - 2 = [-2, -3, -1, -27]. (Inputs are chosen off ties: at an exact
// .5 the 31-bit multiplier, slightly below 1/254, decides the rounding.)
// RUN: split-file %s %t
// RUN: cgnet-opt %t/conv.mlir --cgnet-quantize=act-range=127 -o %t/q.mlir
// RUN: cgnet-run %t/q.mlir --entry conv --input %S/Inputs/quant-x.npy --print-values | FileCheck %s --check-prefix=NUM
// NUM: result #0: tensor<1x2x2x2xf32> = [1.000000e+00, 3.000000e+00, -1.000000e+00, 5.100000e+01, -2.000000e+00, -3.000000e+00, -1.000000e+00, -2.700000e+01]

//--- conv.mlir
// CHECK-LABEL: func @conv
// CHECK:         [[X:%.+]] = cgnet.quantize %arg0 : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK:         [[WI:%.+]] = arith.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>
// CHECK:         [[W:%.+]] = quant.scast [[WI]] : tensor<2x1x1x1xi8> to tensor<2x1x1x1x!quant.uniform<i8:f32:0, {0.003937007874015748,0.001968503937007874}>>
// CHECK:         [[B:%.+]] = arith.constant dense<[254, -1016]> : tensor<2xi32>
// CHECK:         [[ACC:%.+]] = cgnet.conv2d [[X]], [[W]], [[B]] : {{.*}} -> tensor<1x2x2x2xi32>
// CHECK:         [[Y:%.+]] = cgnet.requantize [[ACC]] {multiplier = array<i32: 1082196484, 1082196484>, shift = array<i32: 38, 39>} : (tensor<1x2x2x2xi32>) -> tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK:         [[F:%.+]] = cgnet.dequantize [[Y]] : {{.*}} -> tensor<1x2x2x2xf32>
// CHECK:         return [[F]]
// Per tensor: one step 0.5/127 for both channels; -0.25 becomes -63.5 -> -64.
// TENSOR-LABEL: func @conv
// TENSOR:         arith.constant dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-64]]]]> : tensor<2x1x1x1xi8>
// TENSOR:         quant.scast {{.*}} to tensor<2x1x1x1x!quant.uniform<i8:f32, 0.003937007874015748>>
// TENSOR:         arith.constant dense<[254, -508]> : tensor<2xi32>
// TENSOR:         cgnet.requantize {{.*}} {multiplier = array<i32: 1082196484>, shift = array<i32: 38>}
func.func @conv(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<[[[[0.5]]], [[[-0.25]]]]> : tensor<2x1x1x1xf32>
  %b = arith.constant dense<[1.0, -2.0]> : tensor<2xf32>
  %y = cgnet.conv2d %x, %w, %b : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// The gate threshold 3.0 becomes floor(3 / (0.5/127)) + 1 = 763, minus
// infinity INT32_MIN; ReLU6 becomes an integer clamp to [0, 6]; pooling,
// add and reshape keep the scale; results are dequantized.
// CHECK-LABEL: func @gated_relu6
// CHECK:         [[T:%.+]] = arith.constant dense<[763, -2147483648]> : tensor<2xi32>
// CHECK:         [[G:%.+]] = cgnet.channel_gated_conv2d %{{.+}}, %{{.+}}, [[T]] {partitions = 2 : i64} : {{.*}} -> tensor<1x2x2x2xi32>
// CHECK:         [[Q:%.+]] = cgnet.requantize [[G]]
// CHECK:         [[C:%.+]] = cgnet.clamp [[Q]] {max_int = 6 : i64, min_int = 0 : i64} : tensor<1x2x2x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK:         [[P:%.+]] = cgnet.max_pool2d [[C]] {{.*}} -> tensor<1x2x1x1x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK:         [[A:%.+]] = cgnet.add [[P]], [[P]] : tensor<1x2x1x1x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK:         [[R:%.+]] = cgnet.reshape [[A]]
// CHECK:         [[FC:%.+]] = cgnet.fully_connected [[R]], %{{.+}} : {{.*}} -> tensor<1x1xi32>
// CHECK:         [[FQ:%.+]] = cgnet.requantize [[FC]] {multiplier = array<i32: 1082196484>, shift = array<i32: 37>}
// CHECK-DAG:     [[D0:%.+]] = cgnet.dequantize [[C]]
// CHECK-DAG:     [[D1:%.+]] = cgnet.dequantize [[FQ]]
// CHECK:         return [[D0]], [[D1]]
func.func @gated_relu6(%x: tensor<1x2x2x2xf32>) -> (tensor<1x2x2x2xf32>, tensor<1x1xf32>) {
  %w = arith.constant dense<[[[[0.5]], [[0.25]]], [[[-0.25]], [[0.125]]]]> : tensor<2x2x1x1xf32>
  %t = arith.constant dense<[3.0, 0xFF800000]> : tensor<2xf32>
  %c = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  %r = cgnet.clamp %c {min_fp = 0.0 : f32, max_fp = 6.0 : f32} : tensor<1x2x2x2xf32>
  %p = cgnet.max_pool2d %r {kernel = array<i64: 2, 2>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x1x1xf32>
  %a = cgnet.add %p, %p : tensor<1x2x1x1xf32>
  %f = cgnet.reshape %a : (tensor<1x2x1x1xf32>) -> tensor<1x2xf32>
  %w2 = arith.constant dense<[[1.0, -1.0]]> : tensor<1x2xf32>
  %y = cgnet.fully_connected %f, %w2 : (tensor<1x2xf32>, tensor<1x2xf32>) -> tensor<1x1xf32>
  return %r, %y : tensor<1x2x2x2xf32>, tensor<1x1xf32>
}

// -----

// Float islands: an op without an integer form reads dequantized values,
// computes in float, and is quantized again (scale 1 here) for integer
// readers; a result it computes is returned as float directly.
// CHECK-LABEL: func @island
// CHECK:         [[Q:%.+]] = cgnet.quantize %arg0 : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK-NEXT:    [[D:%.+]] = cgnet.dequantize [[Q]] : {{.*}} -> tensor<1x1x2x2xf32>
// CHECK-NEXT:    [[S:%.+]] = cgnet.sigmoid [[D]] : tensor<1x1x2x2xf32>
// CHECK-NEXT:    [[SQ:%.+]] = cgnet.quantize [[S]] : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 1.000000e+00>>
// CHECK-NEXT:    [[R:%.+]] = cgnet.relu [[SQ]]
// CHECK-NEXT:    [[RD:%.+]] = cgnet.dequantize [[R]]
// CHECK-NEXT:    [[M:%.+]] = cgnet.mul [[RD]], [[S]]
// CHECK-NEXT:    return [[M]] : tensor<1x1x2x2xf32>
func.func @island(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %s = cgnet.sigmoid %x : tensor<1x1x2x2xf32>
  %r = cgnet.relu %s : tensor<1x1x2x2xf32>
  %m = cgnet.mul %r, %s : (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  return %m : tensor<1x1x2x2xf32>
}

// -----

// A bias too large for i32 at the accumulator's scale (s_x = 1, weight step
// 1/127: 1e9 * 127 overflows): the weight step widens to 1e9 / 2^30 =
// 0.931, the weight 1.0 quantizes to 1 and the bias to 2^30.
// CHECK-LABEL: func @bias_overflow
// CHECK:         quant.scast %{{.*}} : tensor<1x1x1x1xi8> to tensor<1x1x1x1x!quant.uniform<i8:f32:0, {0.93132257461547852}>>
// CHECK:         arith.constant dense<1073741824> : tensor<1xi32>
func.func @bias_overflow(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %b = arith.constant dense<1.0e9> : tensor<1xf32>
  %y = cgnet.conv2d %x, %w, %b : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
