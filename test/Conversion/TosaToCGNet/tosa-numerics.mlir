// The converted TOSA graph (NHWC, OHWI and HWCM weights) computes what the
// same network written directly in cgnet (NCHW, OIHW weights transposed by
// hand) computes, on random inputs.
// RUN: split-file %s %t
// RUN: cgnet-run %t/cgnet.mlir --random-inputs --seed 5 --output %t/conv.npy --output %t/dw.npy
// RUN: cgnet-opt %t/tosa.mlir --convert-tosa-to-cgnet -o %t/converted.mlir
// RUN: cgnet-run %t/converted.mlir --random-inputs --seed 5 --expect %t/conv.npy --expect %t/dw.npy --atol 1e-6 --rtol 1e-6 | FileCheck %s
// CHECK: result #0 matches
// CHECK: result #1 matches
// RUN: FileCheck %s --check-prefix=IR < %t/converted.mlir
// IR-NOT: cgnet.transpose
// IR-NOT: tosa.

//--- tosa.mlir
func.func @main(%x: tensor<1x2x6x6xf32>) -> (tensor<1x3x5x5xf32>, tensor<1x4x3x3xf32>) {
  %w = "tosa.const"() {values = dense<[[[[-0.524,0.088],[-0.26,0.208],[0.251,-0.869]],[[-0.974,0.675],[-0.481,-0.531],[0.991,-0.059]],[[0.673,-0.047],[0.278,-0.699],[0.27,0.736]]],[[[0.046,0.483],[0.343,-0.872],[0.516,0.182]],[[-0.397,-0.938],[0.731,-0.055],[0.438,0.758]],[[0.428,0.842],[-0.21,0.602],[-0.111,0.871]]],[[[0.758,-0.805],[-0.728,-0.566],[0.931,-0.128]],[[0.253,-0.398],[0.014,-0.228],[-0.298,0.17]],[[0.169,0.808],[0.364,0.858],[0.713,0.982]]]]> : tensor<3x3x3x2xf32>} : () -> tensor<3x3x3x2xf32>
  %d = "tosa.const"() {values = dense<[[[[0.343,-0.674],[0.721,0.929]],[[0.809,0.138],[0.428,-0.578]],[[0.663,0.147],[-0.43,-0.873]]],[[[0.708,0.98],[-0.823,0.601]],[[-0.179,-0.698],[-0.412,0.538]],[[0.746,-0.912],[0.229,-0.91]]],[[[0.437,-0.338],[0.762,0.961]],[[0.011,0.997],[-0.381,-0.846]],[[0.2,-0.937],[-0.605,-0.184]]]]> : tensor<3x3x2x2xf32>} : () -> tensor<3x3x2x2xf32>
  %b = "tosa.const"() {values = dense<[0.1, 0.2, 0.3]> : tensor<3xf32>} : () -> tensor<3xf32>
  %db = "tosa.const"() {values = dense<[0.5]> : tensor<1xf32>} : () -> tensor<1xf32>
  %zp = "tosa.const"() {values = dense<0.0> : tensor<1xf32>} : () -> tensor<1xf32>
  %xt = tosa.transpose %x {perms = array<i32: 0, 2, 3, 1>} : (tensor<1x2x6x6xf32>) -> tensor<1x6x6x2xf32>
  %c = tosa.conv2d %xt, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 1, 0>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xf32>, tensor<3x3x3x2xf32>, tensor<3xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x5x5x3xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 1.5 : f32} : (tensor<1x5x5x3xf32>) -> tensor<1x5x5x3xf32>
  %dc = tosa.depthwise_conv2d %xt, %d, %db, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x6x6x2xf32>, tensor<3x3x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x6x4xf32>
  %p = tosa.max_pool2d %dc {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x6x6x4xf32>) -> tensor<1x3x3x4xf32>
  %y0 = tosa.transpose %r {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x5x5x3xf32>) -> tensor<1x3x5x5xf32>
  %y1 = tosa.transpose %p {perms = array<i32: 0, 3, 1, 2>} : (tensor<1x3x3x4xf32>) -> tensor<1x4x3x3xf32>
  return %y0, %y1 : tensor<1x3x5x5xf32>, tensor<1x4x3x3xf32>
}

//--- cgnet.mlir
func.func @main(%x: tensor<1x2x6x6xf32>) -> (tensor<1x3x5x5xf32>, tensor<1x4x3x3xf32>) {
  %w = arith.constant dense<[[[[-0.524,-0.26,0.251],[-0.974,-0.481,0.991],[0.673,0.278,0.27]],[[0.088,0.208,-0.869],[0.675,-0.531,-0.059],[-0.047,-0.699,0.736]]],[[[0.046,0.343,0.516],[-0.397,0.731,0.438],[0.428,-0.21,-0.111]],[[0.483,-0.872,0.182],[-0.938,-0.055,0.758],[0.842,0.602,0.871]]],[[[0.758,-0.728,0.931],[0.253,0.014,-0.298],[0.169,0.364,0.713]],[[-0.805,-0.566,-0.128],[-0.398,-0.228,0.17],[0.808,0.858,0.982]]]]> : tensor<3x2x3x3xf32>
  %d = arith.constant dense<[[[[0.343,0.809,0.663],[0.708,-0.179,0.746],[0.437,0.011,0.2]]],[[[-0.674,0.138,0.147],[0.98,-0.698,-0.912],[-0.338,0.997,-0.937]]],[[[0.721,0.428,-0.43],[-0.823,-0.412,0.229],[0.762,-0.381,-0.605]]],[[[0.929,-0.578,-0.873],[0.601,0.538,-0.91],[0.961,-0.846,-0.184]]]]> : tensor<4x1x3x3xf32>
  %b = arith.constant dense<[0.1, 0.2, 0.3]> : tensor<3xf32>
  %db = arith.constant dense<0.5> : tensor<4xf32>
  %c = cgnet.conv2d %x, %w, %b {padding = array<i64: 0, 1, 1, 0>} : (tensor<1x2x6x6xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x5x5xf32>
  %r = cgnet.clamp %c {min_fp = 0.0 : f32, max_fp = 1.5 : f32} : tensor<1x3x5x5xf32>
  %dc = cgnet.conv2d %x, %d, %db {groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %p = cgnet.max_pool2d %dc {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  return %r, %p : tensor<1x3x5x5xf32>, tensor<1x4x3x3xf32>
}
