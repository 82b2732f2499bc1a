// RUN: cgnet-opt %s | cgnet-opt | FileCheck %s
// RUN: cgnet-opt %s --mlir-print-op-generic | cgnet-opt | FileCheck %s

// CHECK-LABEL: func @float_layers
func.func @float_layers(%x: tensor<1x16x8x8xf32>, %w: tensor<16x16x3x3xf32>,
                        %dw: tensor<32x1x3x3xf32>, %b: tensor<16xf32>,
                        %thr: tensor<16xf32>, %fcw: tensor<10x36xf32>)
    -> tensor<1x10xf32> {
  // CHECK: [[C:%.+]] = cgnet.conv2d %{{.+}}, %{{.+}}, %{{.+}} {dilations = array<i64: 2, 2>, padding = array<i64: 2, 2, 2, 2>}
  %c = cgnet.conv2d %x, %w, %b {padding = array<i64: 2, 2, 2, 2>, dilations = array<i64: 2, 2>}
      : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  // CHECK: cgnet.conv2d {{.*}}groups = 16 : i64{{.*}}strides = array<i64: 2, 2>
  %d = cgnet.conv2d %c, %dw {groups = 16 : i64, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x16x8x8xf32>, tensor<32x1x3x3xf32>) -> tensor<1x32x4x4xf32>
  // CHECK: cgnet.channel_gated_conv2d {{.*}}grouped = true{{.*}}partitions = 4 : i64
  %g = cgnet.channel_gated_conv2d %c, %w, %thr {partitions = 4 : i64, grouped = true, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  // CHECK: cgnet.relu
  %r = cgnet.relu %g : tensor<1x16x8x8xf32>
  // CHECK: cgnet.leaky_relu {{.*}} {alpha = 2.000000e-01 : f32} : tensor<1x16x8x8xf32>
  %lr = cgnet.leaky_relu %r {alpha = 0.2 : f32} : tensor<1x16x8x8xf32>
  // CHECK: cgnet.sigmoid {{.*}} : tensor<1x16x8x8xf32>
  %sg = cgnet.sigmoid %r : tensor<1x16x8x8xf32>
  // CHECK: cgnet.hard_sigmoid {{.*}} {alpha = 2.000000e-01 : f32, beta = 5.000000e-01 : f32}
  %hs = cgnet.hard_sigmoid %r {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x16x8x8xf32>
  // CHECK: cgnet.mul {{.*}} : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  %mu = cgnet.mul %sg, %hs : (tensor<1x16x8x8xf32>, tensor<1x16x8x8xf32>) -> tensor<1x16x8x8xf32>
  // CHECK: cgnet.clamp {{.*}} {max_fp = 6.000000e+00 : f32, min_fp = 0.000000e+00 : f32}
  %r6 = cgnet.clamp %r {min_fp = 0.0 : f32, max_fp = 6.0 : f32} : tensor<1x16x8x8xf32>
  // CHECK: cgnet.batch_norm {{.*}} {epsilon = 1.000000e-03 : f32}
  %bn = cgnet.batch_norm %r6, %b, %b, %b, %b {epsilon = 1.0e-3 : f32}
      : (tensor<1x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>) -> tensor<1x16x8x8xf32>
  // CHECK: cgnet.add
  %a = cgnet.add %bn, %c : tensor<1x16x8x8xf32>
  // CHECK: cgnet.channel_shuffle {{.*}} {groups = 4 : i64}
  %s = cgnet.channel_shuffle %a {groups = 4 : i64} : tensor<1x16x8x8xf32>
  // CHECK: cgnet.channel_permute
  %p = cgnet.channel_permute %s {permutation = array<i64: 1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15>} : tensor<1x16x8x8xf32>
  // CHECK: cgnet.channel_duplicate {{.*}} {indices = array<i64: 3, 3>}
  %dup = cgnet.channel_duplicate %p {indices = array<i64: 3, 3>} : (tensor<1x16x8x8xf32>) -> tensor<1x18x8x8xf32>
  // CHECK: cgnet.max_pool2d
  %mp = cgnet.max_pool2d %dup {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x18x8x8xf32>) -> tensor<1x18x4x4xf32>
  // CHECK: cgnet.avg_pool2d {{.*}}count_include_pad = true
  %ap = cgnet.avg_pool2d %mp {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, count_include_pad = true}
      : (tensor<1x18x4x4xf32>) -> tensor<1x18x2x2xf32>
  // CHECK: cgnet.concat {{.*}} {axis = 1 : i64}
  %cat = cgnet.concat %ap, %ap {axis = 1 : i64}
      : (tensor<1x18x2x2xf32>, tensor<1x18x2x2xf32>) -> tensor<1x36x2x2xf32>
  // CHECK: cgnet.global_avg_pool
  %gap = cgnet.global_avg_pool %cat : (tensor<1x36x2x2xf32>) -> tensor<1x36x1x1xf32>
  // CHECK: cgnet.transpose {{.*}} {permutation = array<i64: 0, 2, 3, 1>}
  %t = cgnet.transpose %gap {permutation = array<i64: 0, 2, 3, 1>} : (tensor<1x36x1x1xf32>) -> tensor<1x1x1x36xf32>
  // CHECK: cgnet.reshape
  %flat = cgnet.reshape %t : (tensor<1x1x1x36xf32>) -> tensor<1x36xf32>
  // CHECK: cgnet.fully_connected
  %fc = cgnet.fully_connected %flat, %fcw : (tensor<1x36xf32>, tensor<10x36xf32>) -> tensor<1x10xf32>
  return %fc : tensor<1x10xf32>
}

// CHECK-LABEL: func @integer_layers
func.func @integer_layers(%x: tensor<1x8x4x4xf32>, %w: tensor<8x8x1x1x!quant.uniform<i8:f32:0, {0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2}>>,
                          %w4: tensor<8x8x3x3x!quant.uniform<i8<-8:7>:f32, 0.5>>,
                          %bias: tensor<8xi32>, %thr: tensor<8xi32>)
    -> (tensor<1x8x4x4xf32>, tensor<1x8x4x4xi32>) {
  // CHECK: [[Q:%.+]] = cgnet.quantize %{{.+}} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4x!quant.uniform<u8:f32, 5.000000e-02>>
  %q = cgnet.quantize %x : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
  // CHECK: cgnet.quantize %{{.+}} {rounding = #cgnet.rounding<half_to_even>}
  %qe = cgnet.quantize %x {rounding = #cgnet.rounding<half_to_even>} : (tensor<1x8x4x4xf32>) -> tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
  // CHECK: cgnet.conv2d [[Q]]
  %acc = cgnet.conv2d %q, %w, %bias
      : (tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>, tensor<8x8x1x1x!quant.uniform<i8:f32:0, {0.1, 0.1, 0.2, 0.2, 0.1, 0.1, 0.2, 0.2}>>, tensor<8xi32>) -> tensor<1x8x4x4xi32>
  // CHECK: cgnet.requantize {{.*}}rounding = #cgnet.rounding<half_up>
  %r = cgnet.requantize %acc {multiplier = array<i32: 1073741824, 1073741824, 1073741824, 1073741824, 1073741824, 1073741824, 1073741824, 1073741824>,
                              shift = array<i32: 36, 36, 36, 36, 36, 36, 36, 36>, rounding = #cgnet.rounding<half_up>}
      : (tensor<1x8x4x4xi32>) -> tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
  // CHECK: cgnet.precision_gated_conv2d {{.*}}bits = 8 : i64, high_bits = 4 : i64
  %pg = cgnet.precision_gated_conv2d %r, %w4, %thr {bits = 8 : i64, high_bits = 4 : i64, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>, tensor<8x8x3x3x!quant.uniform<i8<-8:7>:f32, 0.5>>, tensor<8xi32>) -> tensor<1x8x4x4xi32>
  // CHECK: cgnet.channel_gated_conv2d
  %cg = cgnet.channel_gated_conv2d %r, %w4, %thr, %bias {partitions = 2 : i64, padding = array<i64: 1, 1, 1, 1>}
      : (tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>, tensor<8x8x3x3x!quant.uniform<i8<-8:7>:f32, 0.5>>, tensor<8xi32>, tensor<8xi32>) -> tensor<1x8x4x4xi32>
  %sum = cgnet.add %pg, %cg : tensor<1x8x4x4xi32>
  // CHECK: cgnet.relu {{.*}} : tensor<1x8x4x4x!quant.uniform
  %rr = cgnet.relu %r : tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
  // CHECK: cgnet.leaky_relu {{.*}} : tensor<1x8x4x4x!quant.uniform
  %lrr = cgnet.leaky_relu %rr {alpha = 0.1 : f32} : tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
  // CHECK: cgnet.clamp {{.*}} {max_int = 200 : i64, min_int = 3 : i64}
  %cl = cgnet.clamp %rr {min_int = 3 : i64, max_int = 200 : i64} : tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>
  // CHECK: cgnet.dequantize
  %d = cgnet.dequantize %cl : (tensor<1x8x4x4x!quant.uniform<u8:f32, 0.05>>) -> tensor<1x8x4x4xf32>
  return %d, %sum : tensor<1x8x4x4xf32>, tensor<1x8x4x4xi32>
}

// CHECK-LABEL: func @resampling
func.func @resampling(%x: tensor<1x4x3x3xf32>, %q: tensor<1x4x3x3x!quant.uniform<i8:f32, 0.5:3>>, %l: tensor<2x10xf32>)
    -> (tensor<1x4x6x9xf32>, tensor<1x4x5x5x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x10xf32>) {
  // CHECK: cgnet.upsample_nearest %{{.*}} {factors = array<i64: 2, 3>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x6x9xf32>
  %u = cgnet.upsample_nearest %x {factors = array<i64: 2, 3>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x6x9xf32>
  // CHECK: cgnet.insert_zeros %{{.*}} {strides = array<i64: 2, 2>}
  %z = cgnet.insert_zeros %q {strides = array<i64: 2, 2>} : (tensor<1x4x3x3x!quant.uniform<i8:f32, 0.5:3>>) -> tensor<1x4x5x5x!quant.uniform<i8:f32, 0.5:3>>
  // CHECK: cgnet.softmax %{{.*}} {axis = 1 : i64} : tensor<2x10xf32>
  %p = cgnet.softmax %l {axis = 1 : i64} : tensor<2x10xf32>
  return %u, %z, %p : tensor<1x4x6x9xf32>, tensor<1x4x5x5x!quant.uniform<i8:f32, 0.5:3>>, tensor<2x10xf32>
}
