// RUN: cgnet-opt %s --cgnet-group-shuffle=groups=2 -split-input-file -verify-diagnostics
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-group-shuffle=groups=0 2>&1 | FileCheck %s --check-prefix=GROUPS
// GROUPS: error: --cgnet-group-shuffle: groups must be >= 1, got 0

func.func @gated(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %t = arith.constant dense<0.0> : tensor<2xf32>
  // expected-error @+1 {{--cgnet-group-shuffle must run before gating: permuting a gated convolution's channels would change its base path}}
  %y = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @integer(%x: tensor<1x2x2x2xi8>) -> tensor<1x1x2x2xi32> {
  %w = arith.constant dense<1> : tensor<1x2x1x1xi8>
  // expected-error @+1 {{--cgnet-group-shuffle must run before --cgnet-quantize: the weights are integer}}
  %y = cgnet.conv2d %x, %w : (tensor<1x2x2x2xi8>, tensor<1x2x1x1xi8>) -> tensor<1x1x2x2xi32>
  return %y : tensor<1x1x2x2xi32>
}

// -----

func.func @after_ocs(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x2x1x1xf32>
  // expected-error @+1 {{--cgnet-group-shuffle must run before --cgnet-ocs: permuting channels would break the split bookkeeping}}
  %y = cgnet.conv2d %x, %w {cgnet.ocs_copy = array<i64: 0>} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @nowhere_to_fold(%x: tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32> {
  // expected-warning @+1 {{channel shuffle left in place: neither a consuming nor a producing ungrouped cgnet.conv2d with constant weights to fold it into}}
  %s = cgnet.channel_shuffle %x {groups = 2 : i64} : tensor<1x4x2x2xf32>
  return %s : tensor<1x4x2x2xf32>
}

// -----

func.func @indivisible(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w1 = arith.constant dense<1.0> : tensor<3x1x1x1xf32>
  %w2 = arith.constant dense<1.0> : tensor<2x3x1x1xf32>
  %c1 = cgnet.conv2d %x, %w1 : (tensor<1x1x2x2xf32>, tensor<3x1x1x1xf32>) -> tensor<1x3x2x2xf32>
  // expected-warning @+1 {{no base groups assigned: 3 input and 2 output channels must be divisible by groups=2}}
  %c2 = cgnet.conv2d %c1, %w2 : (tensor<1x3x2x2xf32>, tensor<2x3x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %c2 : tensor<1x2x2x2xf32>
}
