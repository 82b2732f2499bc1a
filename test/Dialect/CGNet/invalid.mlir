// RUN: cgnet-opt %s -split-input-file -verify-diagnostics
// One case per verifier error of the cgnet dialect.

func.func @case0(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{result shape must be 1x8x6x6, got 'tensor<1x8x8x8xf32>'}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x8x8xf32>
  return
}

// -----

func.func @case1(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3xf32>) {
  // expected-error @+1 {{weight must have rank 4, got 'tensor<8x4x3xf32>'}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case2(%x: tensor<?x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{input must have a static shape, got 'tensor<?x4x8x8xf32>'}}
  %r = cgnet.conv2d %x, %w : (tensor<?x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case3(%x: tensor<1x4x8x8xf16>, %w: tensor<8x4x3x3xf16>) {
  // expected-error @+1 {{input has unsupported element type 'f16'}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xf16>, tensor<8x4x3x3xf16>) -> tensor<1x8x6x6xf16>
  return
}

// -----

func.func @case4(%x: tensor<1x6x8x8xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{input channels (6) must be divisible by groups (4)}}
  %r = cgnet.conv2d %x, %w {groups = 4 : i64} : (tensor<1x6x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case5(%x: tensor<1x4x8x8xf32>, %w: tensor<6x1x3x3xf32>) {
  // expected-error @+1 {{output channels (6) must be divisible by groups (4)}}
  %r = cgnet.conv2d %x, %w {groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<6x1x3x3xf32>) -> tensor<1x6x6x6xf32>
  return
}

// -----

func.func @case6(%x: tensor<1x4x8x8xf32>, %w: tensor<8x2x3x3xf32>) {
  // expected-error @+1 {{weight has 2 input channels per group, expected 1 (4 channels / 4 groups)}}
  %r = cgnet.conv2d %x, %w {groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case7(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'groups' must be >= 1, got 0}}
  %r = cgnet.conv2d %x, %w {groups = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case8(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'strides' elements must be >= 1, got 0}}
  %r = cgnet.conv2d %x, %w {strides = array<i64: 0, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case9(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'padding' must have 4 elements, got 2}}
  %r = cgnet.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case10(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{'dilations' elements must be >= 1, got -1}}
  %r = cgnet.conv2d %x, %w {dilations = array<i64: 1, -1>} : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case11(%x: tensor<1x4x2x2xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{window of 3x3 does not fit the padded input}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x2x2xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x1x1xf32>
  return
}

// -----

func.func @case12(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xi8>) {
  // expected-error @+1 {{input and weight must both be float or both be integer, got 'f32' and 'i8'}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xi8>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case13(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{bias must have 8 elements, got 'tensor<4xf32>'}}
  %r = cgnet.conv2d %x, %w, %b : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case14(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>) {
  // expected-error @+1 {{float convolution must produce f32, got 'i32'}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case15(%x: tensor<1x4x8x8xf32>, %w: tensor<8x4x3x3xf32>, %b: tensor<8xi32>) {
  // expected-error @+1 {{float convolution needs an f32 bias}}
  %r = cgnet.conv2d %x, %w, %b : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>, tensor<8xi32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case16(%x: tensor<1x4x8x8xi16>, %w: tensor<8x4x3x3xi8>) {
  // expected-error @+1 {{input must have 2-8 bit storage, got 16 bits ('i16')}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xi16>, tensor<8x4x3x3xi8>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case17(%x: tensor<1x4x8x8xi8>, %w: tensor<8x4x3x3xi8>) {
  // expected-error @+1 {{integer convolution must produce the i32 accumulator, got 'i8'}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xi8>, tensor<8x4x3x3xi8>) -> tensor<1x8x6x6xi8>
  return
}

// -----

func.func @case18(%x: tensor<1x4x8x8xi8>, %w: tensor<8x4x3x3xi8>, %b: tensor<8xi8>) {
  // expected-error @+1 {{integer convolution needs an i32 bias, got 'tensor<8xi8>'}}
  %r = cgnet.conv2d %x, %w, %b : (tensor<1x4x8x8xi8>, tensor<8x4x3x3xi8>, tensor<8xi8>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case19(%x: tensor<1x4x8x8xi8>, %w: tensor<8x4x3x3x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>) {
  // expected-error @+1 {{per-axis weight quantization must be along dimension 0 (output channels), got dimension 1}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8xi8>, tensor<8x4x3x3x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case20(%x: tensor<1x4x8x8x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>, %w: tensor<8x4x3x3xi8>) {
  // expected-error @+1 {{input must be quantized per tensor}}
  %r = cgnet.conv2d %x, %w : (tensor<1x4x8x8x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>, tensor<8x4x3x3xi8>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case21(%x: tensor<1x16xf32>, %w: tensor<10x8xf32>) {
  // expected-error @+1 {{input has 16 features but weight expects 8}}
  %r = cgnet.fully_connected %x, %w : (tensor<1x16xf32>, tensor<10x8xf32>) -> tensor<1x10xf32>
  return
}

// -----

func.func @case22(%x: tensor<1x16xf32>, %w: tensor<10x16xf32>) {
  // expected-error @+1 {{result shape must be 1x10, got 'tensor<1x11xf32>'}}
  %r = cgnet.fully_connected %x, %w : (tensor<1x16xf32>, tensor<10x16xf32>) -> tensor<1x11xf32>
  return
}

// -----

func.func @case23(%x: tensor<1x6x8x8xf32>, %w: tensor<8x6x3x3xf32>, %t: tensor<8xf32>) {
  // expected-error @+1 {{input channels (6) must be divisible by partitions (4)}}
  %r = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 4 : i64} : (tensor<1x6x8x8xf32>, tensor<8x6x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case24(%x: tensor<1x6x8x8xf32>, %w: tensor<8x6x3x3xf32>, %t: tensor<8xf32>) {
  // expected-error @+1 {{'partitions' must be >= 1, got 0}}
  %r = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 0 : i64} : (tensor<1x6x8x8xf32>, tensor<8x6x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case25(%x: tensor<1x6x8x8xf32>, %w: tensor<9x6x3x3xf32>, %t: tensor<9xf32>) {
  // expected-error @+1 {{grouped gating needs output channels (9) divisible by partitions (2)}}
  %r = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64, grouped = true} : (tensor<1x6x8x8xf32>, tensor<9x6x3x3xf32>, tensor<9xf32>) -> tensor<1x9x6x6xf32>
  return
}

// -----

func.func @case26(%x: tensor<1x6x8x8xf32>, %w: tensor<8x6x3x3xf32>, %t: tensor<4xf32>) {
  // expected-error @+1 {{threshold must have one entry per output channel (8), got 'tensor<4xf32>'}}
  %r = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64} : (tensor<1x6x8x8xf32>, tensor<8x6x3x3xf32>, tensor<4xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case27(%x: tensor<1x6x8x8xf32>, %w: tensor<8x6x3x3xf32>, %t: tensor<8xi32>) {
  // expected-error @+1 {{float gated convolution needs an f32 threshold, got 'tensor<8xi32>'}}
  %r = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64} : (tensor<1x6x8x8xf32>, tensor<8x6x3x3xf32>, tensor<8xi32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case28(%x: tensor<1x6x8x8xi8>, %w: tensor<8x6x3x3xi8>, %t: tensor<8xf32>) {
  // expected-error @+1 {{integer gated convolution needs an i32 threshold, got 'tensor<8xf32>'}}
  %r = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64} : (tensor<1x6x8x8xi8>, tensor<8x6x3x3xi8>, tensor<8xf32>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case29(%x: tensor<1x6x8x8xi8>, %w: tensor<8x6x3x3xi8>, %t: tensor<8xi32>) {
  // expected-error @+1 {{'bits' must be in [2, 8], got 9}}
  %r = cgnet.precision_gated_conv2d %x, %w, %t {bits = 9 : i64, high_bits = 4 : i64} : (tensor<1x6x8x8xi8>, tensor<8x6x3x3xi8>, tensor<8xi32>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case30(%x: tensor<1x6x8x8xi8>, %w: tensor<8x6x3x3xi8>, %t: tensor<8xi32>) {
  // expected-error @+1 {{'high_bits' must be in [1, bits), got 8 with bits = 8}}
  %r = cgnet.precision_gated_conv2d %x, %w, %t {bits = 8 : i64, high_bits = 8 : i64} : (tensor<1x6x8x8xi8>, tensor<8x6x3x3xi8>, tensor<8xi32>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case31(%x: tensor<1x6x8x8xi8>, %w: tensor<8x6x3x3xi8>, %t: tensor<8xi32>) {
  // expected-error @+1 {{input values [-128, 127] (zero point subtracted) do not fit in 4 bits}}
  %r = cgnet.precision_gated_conv2d %x, %w, %t {bits = 4 : i64, high_bits = 2 : i64} : (tensor<1x6x8x8xi8>, tensor<8x6x3x3xi8>, tensor<8xi32>) -> tensor<1x8x6x6xi32>
  return
}

// -----

func.func @case32(%x: tensor<1x6x8x8xf32>, %w: tensor<8x6x3x3xf32>, %t: tensor<8xf32>) {
  // expected-error @+1 {{precision gating needs an integer or quantized input}}
  %r = cgnet.precision_gated_conv2d %x, %w, %t {bits = 8 : i64, high_bits = 4 : i64} : (tensor<1x6x8x8xf32>, tensor<8x6x3x3xf32>, tensor<8xf32>) -> tensor<1x8x6x6xf32>
  return
}

// -----

func.func @case33(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{result shape must be 1x4x4x4, got 'tensor<1x4x3x4xf32>'}}
  %r = cgnet.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x4xf32>
  return
}

// -----

func.func @case34(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'kernel' must have 2 elements, got 1}}
  %r = cgnet.max_pool2d %x {kernel = array<i64: 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  return
}

// -----

func.func @case35(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{padding must be smaller than the kernel}}
  %r = cgnet.avg_pool2d %x {kernel = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x9x7xf32>
  return
}

// -----

func.func @case36(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{input and result element types must match}}
  %r = cgnet.avg_pool2d %x {kernel = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xi8>
  return
}

// -----

func.func @case37(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{result shape must be 1x4x1x1, got 'tensor<1x4x2x1xf32>'}}
  %r = cgnet.global_avg_pool %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x2x1xf32>
  return
}

// -----

func.func @case38(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{input and result element types must match}}
  %r = cgnet.global_avg_pool %x : (tensor<1x4x8x8xf32>) -> tensor<1x4x1x1xi8>
  return
}

// -----

func.func @case39(%x: tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>) {
  // expected-error @+1 {{per-axis quantized add is not supported; requantize to a per-tensor type first}}
  %r = cgnet.add %x, %x : tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>
  return
}

// -----

func.func @case40(%x: tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>) {
  // expected-error @+1 {{per-axis quantized relu is not supported}}
  %r = cgnet.relu %x : tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>
  return
}

// -----

func.func @requantize_half_to_even(%x: tensor<1x4xi32>) {
  // expected-error @+1 {{rounding half_to_even is not supported by requantize (half_away_from_zero or half_up)}}
  %r = cgnet.requantize %x {multiplier = array<i32: 1>, shift = array<i32: 1>, rounding = #cgnet.rounding<half_to_even>} : (tensor<1x4xi32>) -> tensor<1x4xi8>
  return
}

// -----

func.func @batch_norm_rank(%x: tensor<4xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{input must have rank >= 2 (N x C x ...), got 'tensor<4xf32>'}}
  %y = cgnet.batch_norm %x, %s, %s, %s, %s : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return
}

// -----

func.func @mul_integer(%x: tensor<1x4xi8>) {
  // expected-error @+1 {{is float only (no integer form yet), got 'tensor<1x4xi8>'}}
  %y = cgnet.mul %x, %x : (tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x4xi8>
  return
}

// -----

func.func @mul_broadcast(%x: tensor<1x4x2x2xf32>, %s: tensor<1x4x2x1xf32>) {
  // expected-error @+1 {{rhs must have the lhs shape or N x C x 1 x 1, got 'tensor<1x4x2x1xf32>' for 'tensor<1x4x2x2xf32>'}}
  %y = cgnet.mul %x, %s : (tensor<1x4x2x2xf32>, tensor<1x4x2x1xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @sigmoid_integer(%x: tensor<1x4xi8>) {
  // expected-error @+1 {{is float only (no integer form yet)}}
  %y = cgnet.sigmoid %x : tensor<1x4xi8>
  return
}

// -----

func.func @leaky_alpha(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'alpha' must be in [0, 1], got 1.5}}
  %r = cgnet.leaky_relu %x {alpha = 1.5 : f32} : tensor<2x4xf32>
  return
}

// -----

func.func @leaky_per_axis(%x: tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>) {
  // expected-error @+1 {{per-axis quantized leaky_relu is not supported}}
  %r = cgnet.leaky_relu %x {alpha = 0.5 : f32} : tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.1, 0.1, 0.1}>>
  return
}

// -----

func.func @case41(%x: tensor<4xf32>) {
  // expected-error @+1 {{float clamp takes 'min_fp' and 'max_fp' (and no integer bounds)}}
  %r = cgnet.clamp %x {min_int = 0 : i64, max_int = 6 : i64} : tensor<4xf32>
  return
}

// -----

func.func @case42(%x: tensor<4xf32>) {
  // expected-error @+1 {{'min_fp' must not exceed 'max_fp'}}
  %r = cgnet.clamp %x {min_fp = 6.0 : f32, max_fp = 0.0 : f32} : tensor<4xf32>
  return
}

// -----

func.func @case43(%x: tensor<4xi8>) {
  // expected-error @+1 {{integer clamp takes 'min_int' and 'max_int' (and no float bounds)}}
  %r = cgnet.clamp %x {min_fp = 0.0 : f32, max_fp = 6.0 : f32} : tensor<4xi8>
  return
}

// -----

func.func @case44(%x: tensor<4xi8>) {
  // expected-error @+1 {{'min_int' must not exceed 'max_int'}}
  %r = cgnet.clamp %x {min_int = 6 : i64, max_int = 0 : i64} : tensor<4xi8>
  return
}

// -----

func.func @case45(%x: tensor<4xi8>) {
  // expected-error @+1 {{bounds [0, 300] exceed the storage range [-128, 127]}}
  %r = cgnet.clamp %x {min_int = 0 : i64, max_int = 300 : i64} : tensor<4xi8>
  return
}

// -----

func.func @case46(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>, %v: tensor<3xf32>) {
  // expected-error @+1 {{variance must be tensor<4xf32>, got 'tensor<3xf32>'}}
  %r = cgnet.batch_norm %x, %s, %s, %s, %v : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @case47(%x: tensor<1x4x2x2xi8>, %s: tensor<4xf32>) {
  // expected-error @+1 {{batch norm is float only; fold it (--cgnet-fold-batchnorm) before quantizing}}
  %r = cgnet.batch_norm %x, %s, %s, %s, %s : (tensor<1x4x2x2xi8>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xi8>
  return
}

// -----

func.func @case48(%x: tensor<1x4x2x2xf32>, %s: tensor<4xf32>) {
  // expected-error @+1 {{'epsilon' must be non-negative}}
  %r = cgnet.batch_norm %x, %s, %s, %s, %s {epsilon = -1.0 : f32} : (tensor<1x4x2x2xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return
}

// -----

func.func @case49(%a: tensor<1x4xf32>, %b: tensor<1x4xi8>) {
  // expected-error @+1 {{input #1 has element type 'i8', expected 'f32'}}
  %r = cgnet.concat %a, %b {axis = 1 : i64} : (tensor<1x4xf32>, tensor<1x4xi8>) -> tensor<1x8xf32>
  return
}

// -----

func.func @case50(%a: tensor<1x4xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{input #1 differs from the result in dimension 0}}
  %r = cgnet.concat %a, %b {axis = 1 : i64} : (tensor<1x4xf32>, tensor<2x4xf32>) -> tensor<1x8xf32>
  return
}

// -----

func.func @case51(%a: tensor<1x4xf32>) {
  // expected-error @+1 {{result dimension 1 must be 8, got 9}}
  %r = cgnet.concat %a, %a {axis = 1 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x9xf32>
  return
}

// -----

func.func @case52(%a: tensor<1x4xf32>) {
  // expected-error @+1 {{'axis' 2 is out of range for rank 2}}
  %r = cgnet.concat %a {axis = 2 : i64} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return
}

// -----

func.func @case53(%x: tensor<1x6x2x2xf32>) {
  // expected-error @+1 {{channels (6) must be divisible by groups (4)}}
  %r = cgnet.channel_shuffle %x {groups = 4 : i64} : tensor<1x6x2x2xf32>
  return
}

// -----

func.func @case54(%x: tensor<6xf32>) {
  // expected-error @+1 {{input must have a channel dimension (rank >= 2), got 'tensor<6xf32>'}}
  %r = cgnet.channel_shuffle %x {groups = 2 : i64} : tensor<6xf32>
  return
}

// -----

func.func @case55(%x: tensor<1x4x2x2xf32>) {
  // expected-error @+1 {{index 4 is out of range for 4 channels}}
  %r = cgnet.channel_duplicate %x {indices = array<i64: 4>} : (tensor<1x4x2x2xf32>) -> tensor<1x5x2x2xf32>
  return
}

// -----

func.func @case56(%x: tensor<1x4x2x2xf32>) {
  // expected-error @+1 {{result must have 5 channels and the input's element type, got 'tensor<1x6x2x2xf32>'}}
  %r = cgnet.channel_duplicate %x {indices = array<i64: 1>} : (tensor<1x4x2x2xf32>) -> tensor<1x6x2x2xf32>
  return
}

// -----

func.func @case57(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'permutation' is not a permutation of [0, 3)}}
  %r = cgnet.channel_permute %x {permutation = array<i64: 0, 1, 1>} : tensor<1x3x2x2xf32>
  return
}

// -----

func.func @case58(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{'permutation' must have 3 entries (one per channel), got 2}}
  %r = cgnet.channel_permute %x {permutation = array<i64: 0, 1>} : tensor<1x3x2x2xf32>
  return
}

// -----

func.func @case59(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{result type does not match the permuted input}}
  %r = cgnet.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : (tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32>
  return
}

// -----

func.func @case60(%x: tensor<1x3x2x2xf32>) {
  // expected-error @+1 {{cannot reshape 12 elements into 'tensor<1x13xf32>'}}
  %r = cgnet.reshape %x : (tensor<1x3x2x2xf32>) -> tensor<1x13xf32>
  return
}

// -----

func.func @case61(%x: tensor<4xf32>) {
  // expected-error @+1 {{result must be !quant.uniform, got 'tensor<4xi8>'}}
  %r = cgnet.quantize %x : (tensor<4xf32>) -> tensor<4xi8>
  return
}

// -----

func.func @case62(%x: tensor<4xi8>) {
  // expected-error @+1 {{input must be f32, got 'tensor<4xi8>'}}
  %r = cgnet.quantize %x : (tensor<4xi8>) -> tensor<4x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @case63(%x: tensor<4xf32>) {
  // expected-error @+1 {{result must have 2-8 bit storage, got 16 bits}}
  %r = cgnet.quantize %x : (tensor<4xf32>) -> tensor<4x!quant.uniform<i16:f32, 0.1>>
  return
}

// -----

func.func @case64(%x: tensor<4xf32>) {
  // expected-error @+1 {{input and result shapes differ}}
  %r = cgnet.quantize %x : (tensor<4xf32>) -> tensor<3x!quant.uniform<i8:f32, 0.1>>
  return
}

// -----

func.func @case65(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{result has 2 per-axis scales for dimension 1 of size 4}}
  %r = cgnet.quantize %x : (tensor<2x4xf32>) -> tensor<2x4x!quant.uniform<i8:f32:1, {0.1, 0.2}>>
  return
}

// -----

func.func @case66(%x: tensor<4xi8>) {
  // expected-error @+1 {{input must be !quant.uniform, got 'tensor<4xi8>'}}
  %r = cgnet.dequantize %x : (tensor<4xi8>) -> tensor<4xf32>
  return
}

// -----

func.func @case67(%x: tensor<4xf32>) {
  // expected-error @+1 {{input and result must be integer or quantized (no float in the integer path)}}
  %r = cgnet.requantize %x {multiplier = array<i32: 1>, shift = array<i32: 1>} : (tensor<4xf32>) -> tensor<4xi8>
  return
}

// -----

func.func @case68(%x: tensor<1x4xi32>) {
  // expected-error @+1 {{'multiplier' and 'shift' must have the same length, got 2 and 1}}
  %r = cgnet.requantize %x {multiplier = array<i32: 1, 2>, shift = array<i32: 1>} : (tensor<1x4xi32>) -> tensor<1x4xi8>
  return
}

// -----

func.func @case69(%x: tensor<1x4xi32>) {
  // expected-error @+1 {{per-channel 'multiplier' has 2 entries for dimension 1 of size 4}}
  %r = cgnet.requantize %x {multiplier = array<i32: 1, 2>, shift = array<i32: 1, 1>} : (tensor<1x4xi32>) -> tensor<1x4xi8>
  return
}

// -----

func.func @case70(%x: tensor<1x4xi32>) {
  // expected-error @+1 {{'multiplier' must be non-negative, got -1}}
  %r = cgnet.requantize %x {multiplier = array<i32: -1>, shift = array<i32: 1>} : (tensor<1x4xi32>) -> tensor<1x4xi8>
  return
}

// -----

func.func @case71(%x: tensor<1x4xi32>) {
  // expected-error @+1 {{'shift' must be in [0, 62], got 63}}
  %r = cgnet.requantize %x {multiplier = array<i32: 1>, shift = array<i32: 63>} : (tensor<1x4xi32>) -> tensor<1x4xi8>
  return
}

// -----

func.func @case72(%x: tensor<1x4xi32>) {
  // expected-error @+1 {{'axis' 2 is out of range for rank 2}}
  %r = cgnet.requantize %x {multiplier = array<i32: 1, 1, 1, 1>, shift = array<i32: 1, 1, 1, 1>, axis = 2 : i64} : (tensor<1x4xi32>) -> tensor<1x4xi8>
  return
}

// -----

func.func @upsample_shape(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{result must be 1x4x6x6 of the input's element type, got 'tensor<1x4x6x5xf32>'}}
  %u = cgnet.upsample_nearest %x {factors = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x6x5xf32>
  return
}

// -----

func.func @upsample_factors(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{'factors' must be two positive integers}}
  %u = cgnet.upsample_nearest %x {factors = array<i64: 0, 2>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x6x6xf32>
  return
}

// -----

func.func @insert_zeros_rank(%x: tensor<4x3x3xf32>) {
  // expected-error @+1 {{expects a 4-D input, got 'tensor<4x3x3xf32>'}}
  %u = cgnet.insert_zeros %x {strides = array<i64: 2, 2>} : (tensor<4x3x3xf32>) -> tensor<4x5x5xf32>
  return
}

// -----

func.func @insert_zeros_type(%x: tensor<1x4x3x3xf32>) {
  // expected-error @+1 {{result must be 1x4x5x5 of the input's element type, got 'tensor<1x4x5x5xi8>'}}
  %u = cgnet.insert_zeros %x {strides = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x5x5xi8>
  return
}

// -----

func.func @softmax_axis(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{axis 2 is out of range for a rank-2 tensor}}
  %p = cgnet.softmax %x {axis = 2 : i64} : tensor<2x10xf32>
  return
}

// -----

func.func @softmax_int(%x: tensor<2x10xi8>) {
  // expected-error @+1 {{is float only (no integer form yet), got 'tensor<2x10xi8>'}}
  %p = cgnet.softmax %x {axis = 1 : i64} : tensor<2x10xi8>
  return
}
