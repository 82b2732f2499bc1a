// RUN: cgnet-opt %s --cgnet-fold-batchnorm -split-input-file -verify-diagnostics
// RUN: cgnet-opt %s --cgnet-fold-batchnorm=allow-unfolded=true -split-input-file 2>&1 | FileCheck %s --check-prefix=WARN

func.func @not_after_conv(%x: tensor<1x1x2x2xf32>, %s: tensor<1xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{cannot fold batch norm: its input is not produced by a cgnet.conv2d or cgnet.channel_gated_conv2d (pass allow-unfolded=true to keep it)}}
  %y = cgnet.batch_norm %x, %s, %s, %s, %s : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
// WARN: warning: batch norm left unfolded: its input is not produced by a cgnet.conv2d or cgnet.channel_gated_conv2d
// WARN: cgnet.batch_norm

// -----

func.func @weight_not_constant(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {
  %s = arith.constant dense<1.0> : tensor<1xf32>
  %c = cgnet.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  // expected-error @+1 {{cannot fold batch norm: the convolution's weight is not an f32 constant}}
  %y = cgnet.batch_norm %c, %s, %s, %s, %s : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @conv_has_other_users(%x: tensor<1x1x2x2xf32>) -> (tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>) {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %s = arith.constant dense<1.0> : tensor<1xf32>
  %c = cgnet.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  // expected-error @+1 {{cannot fold batch norm: the convolution's result has other users}}
  %y = cgnet.batch_norm %c, %s, %s, %s, %s : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y, %c : tensor<1x1x2x2xf32>, tensor<1x1x2x2xf32>
}

// -----

func.func @stats_not_constant(%x: tensor<1x1x2x2xf32>, %s: tensor<1xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %c = cgnet.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  // expected-error @+1 {{cannot fold batch norm: its statistics are not f32 constants}}
  %y = cgnet.batch_norm %c, %s, %s, %s, %s : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @gated_negative_scale(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %t = arith.constant dense<0.0> : tensor<2xf32>
  %g = arith.constant dense<[1.0, -1.0]> : tensor<2xf32>
  %s = arith.constant dense<1.0> : tensor<2xf32>
  %c = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  // expected-error @+1 {{cannot fold batch norm: its scale for channel 1 is not positive, which would flip the gate's comparison}}
  %y = cgnet.batch_norm %c, %g, %s, %s, %s : (tensor<1x2x2x2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
