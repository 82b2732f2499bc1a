// RUN: cgnet-opt %s --convert-tosa-to-cgnet -split-input-file | FileCheck %s

// A chain of NHWC layers becomes NCHW cgnet with transposes only at the
// function's borders.
// CHECK-LABEL: func @chain
// CHECK-SAME:    (%[[X:.+]]: tensor<1x8x8x4xf32>)
// CHECK:         %[[T:.+]] = cgnet.transpose %[[X]] {permutation = array<i64: 0, 3, 1, 2>} : (tensor<1x8x8x4xf32>) -> tensor<1x4x8x8xf32>
// CHECK:         %[[C:.+]] = cgnet.conv2d %[[T]], %{{.+}}, %{{.+}} {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
// CHECK:         %[[R:.+]] = cgnet.clamp %[[C]] {max_fp = 3.400000e+38 : f32, min_fp = 0.000000e+00 : f32}
// CHECK:         %[[A:.+]] = cgnet.add %[[R]], %[[C]] : tensor<1x8x8x8xf32>
// CHECK:         %[[P:.+]] = cgnet.avg_pool2d %[[A]] {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
// CHECK:         %[[K:.+]] = cgnet.concat %[[P]], %[[P]] {axis = 1 : i64} : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x16x4x4xf32>
// CHECK:         %[[B:.+]] = cgnet.transpose %[[K]] {permutation = array<i64: 0, 2, 3, 1>}
// CHECK:         return %[[B]] : tensor<1x4x4x16xf32>
func.func @chain(%x: tensor<1x8x8x4xf32>) -> tensor<1x4x4x16xf32> {
  %w = "tosa.const"() {values = dense<0.5> : tensor<8x3x3x4xf32>} : () -> tensor<8x3x3x4xf32>
  %b = "tosa.const"() {values = dense<0.25> : tensor<8xf32>} : () -> tensor<8xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x4xf32>, tensor<8x3x3x4xf32>, tensor<8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x8x8x8xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.4e38 : f32} : (tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %a = tosa.add %r, %c : (tensor<1x8x8x8xf32>, tensor<1x8x8x8xf32>) -> tensor<1x8x8x8xf32>
  %p = tosa.avg_pool2d %a, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x8x8x8xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x4x8xf32>
  %k = tosa.concat %p, %p {axis = 3 : i32} : (tensor<1x4x4x8xf32>, tensor<1x4x4x8xf32>) -> tensor<1x4x4x16xf32>
  return %k : tensor<1x4x4x16xf32>
}

// -----

// Integer convolution with zero points, then TOSA rescale (single rounding)
// to int8 with an output zero point.
// CHECK-LABEL: func @int8_conv_rescale
// CHECK:         %[[XQ:.+]] = quant.scast %{{.+}} : tensor<1x2x4x4xi8> to tensor<1x2x4x4x!quant.uniform<i8:f32, 1.000000e+00:-3>>
// CHECK:         %[[ACC:.+]] = cgnet.conv2d %[[XQ]], %{{.+}}, %{{.+}} : ({{.*}}) -> tensor<1x4x4x4xi32>
// CHECK:         %[[RQ:.+]] = cgnet.requantize %[[ACC]] {multiplier = array<i32: 1073741824, 1073741824, 1073741824, 1610612736>, rounding = #cgnet.rounding<half_up>, shift = array<i32: 35, 35, 35, 35>} : (tensor<1x4x4x4xi32>) -> tensor<1x4x4x4x!quant.uniform<i8:f32, 1.000000e+00:5>>
// CHECK:         quant.scast %[[RQ]] : tensor<1x4x4x4x!quant.uniform<i8:f32, 1.000000e+00:5>> to tensor<1x4x4x4xi8>
func.func @int8_conv_rescale(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x4xi8> {
  %w = "tosa.const"() {values = dense<3> : tensor<4x1x1x2xi8>} : () -> tensor<4x1x1x2xi8>
  %b = "tosa.const"() {values = dense<7> : tensor<4xi32>} : () -> tensor<4xi32>
  %xzp = "tosa.const"() {values = dense<-3> : tensor<1xi8>} : () -> tensor<1xi8>
  %wzp = "tosa.const"() {values = dense<0> : tensor<1xi8>} : () -> tensor<1xi8>
  %c = tosa.conv2d %x, %w, %b, %xzp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<4x1x1x2xi8>, tensor<4xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x4x4x4xi32>
  %m = "tosa.const"() {values = dense<[1073741824, 1073741824, 1073741824, 1610612736]> : tensor<4xi32>} : () -> tensor<4xi32>
  %s = "tosa.const"() {values = dense<35> : tensor<4xi8>} : () -> tensor<4xi8>
  %izp = "tosa.const"() {values = dense<0> : tensor<1xi32>} : () -> tensor<1xi32>
  %ozp = "tosa.const"() {values = dense<5> : tensor<1xi8>} : () -> tensor<1xi8>
  %r = tosa.rescale %c, %m, %s, %izp, %ozp {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x4x4x4xi32>, tensor<4xi32>, tensor<4xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x4x4x4xi8>
  return %r : tensor<1x4x4x4xi8>
}

// -----

// A batch-1 matmul with a constant right-hand side is a fully connected layer.
// CHECK-LABEL: func @matmul_reshape
// CHECK:         %[[F:.+]] = cgnet.reshape %{{.+}} : (tensor<1x2x2x4xf32>) -> tensor<1x1x16xf32>
// CHECK:         %[[A:.+]] = cgnet.reshape %[[F]] : (tensor<1x1x16xf32>) -> tensor<1x16xf32>
// CHECK:         %[[FC:.+]] = cgnet.fully_connected %[[A]], %{{.+}} : (tensor<1x16xf32>, tensor<10x16xf32>) -> tensor<1x10xf32>
// CHECK:         cgnet.reshape %[[FC]] : (tensor<1x10xf32>) -> tensor<1x1x10xf32>
func.func @matmul_reshape(%x: tensor<1x2x2x4xf32>) -> tensor<1x1x10xf32> {
  %shape = tosa.const_shape {values = dense<[1, 1, 16]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %f = tosa.reshape %x, %shape : (tensor<1x2x2x4xf32>, !tosa.shape<3>) -> tensor<1x1x16xf32>
  %w = "tosa.const"() {values = dense<0.125> : tensor<1x16x10xf32>} : () -> tensor<1x16x10xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %y = tosa.matmul %f, %w, %zp, %zp : (tensor<1x1x16xf32>, tensor<1x16x10xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x10xf32>
  return %y : tensor<1x1x10xf32>
}
