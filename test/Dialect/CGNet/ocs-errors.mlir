// RUN: cgnet-opt %s --cgnet-ocs=expand-ratio=0.5 -split-input-file -verify-diagnostics
//
// Bad options: an error naming the option, non-zero exit.
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=mode=inputs 2>&1 | FileCheck %s --check-prefix=MODE
// MODE: error: --cgnet-ocs: mode must be 'weights' or 'activations', got 'inputs'
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=expand-ratio=2 2>&1 | FileCheck %s --check-prefix=RATIO
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=expand-ratio=-0.1 2>&1 | FileCheck %s --check-prefix=RATIO
// RATIO: error: --cgnet-ocs: expand-ratio must be in [0, 1], got
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=weight-bits=1 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: --cgnet-ocs: weight-bits must be in [2, 8], got 1
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=weight-clip=p99 2>&1 | FileCheck %s --check-prefix=CLIP
// CLIP: error: --cgnet-ocs: unknown weight-clip 'p99' (expected none, mse, aciq or kl)
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=granularity=per-pixel 2>&1 | FileCheck %s --check-prefix=GRAN
// GRAN: error: --cgnet-ocs: granularity must be per-tensor or per-channel, got 'per-pixel'
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=mode=activations 2>&1 | FileCheck %s --check-prefix=NOCAL
// NOCAL: error: --cgnet-ocs mode=activations needs calibration inputs (calibration=<.npy files>) to rank channels
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-ocs=layers=0,3 2>&1 | FileCheck %s --check-prefix=LAYERS
// LAYERS: error: --cgnet-ocs: layers index 3 is out of range (the function has 1 cgnet.conv2d ops)
//
// Activation OCS of a convolution named in `layers` whose input comes
// through an add (not positively homogeneous): an error naming the add.
// RUN: not cgnet-opt %S/Inputs/act-through-add.mlir --cgnet-ocs="mode=activations layers=1 calibration=%S/Inputs/quant-x.npy" 2>&1 | FileCheck %s --check-prefix=PATH
// PATH: act-through-add.mlir:8:8: error: cannot split: activation OCS needs a positively homogeneous path (relu, pooling, leaky relu, clamp to [0, inf]) from a producing cgnet.conv2d; 'cgnet.add' at {{.*}}act-through-add.mlir:7:8 is not

func.func @integer_weights(%x: tensor<1x2x2x2xi8>) -> tensor<1x1x2x2xi32> {
  %w = arith.constant dense<1> : tensor<1x2x1x1xi8>
  // expected-error @+1 {{--cgnet-ocs must run before --cgnet-quantize: the weights are already integer}}
  %y = cgnet.conv2d %x, %w : (tensor<1x2x2x2xi8>, tensor<1x2x1x1xi8>) -> tensor<1x1x2x2xi32>
  return %y : tensor<1x1x2x2xi32>
}

// -----

func.func @gated(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x2x1x1xf32>
  %t = arith.constant dense<0.0> : tensor<2xf32>
  // expected-warning @+1 {{not split: --cgnet-ocs must run before gating (a gated convolution's base/conditional channel split would change)}}
  %y = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

func.func @already_split(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x2x1x1xf32>
  // expected-error @+1 {{this convolution was already split by --cgnet-ocs}}
  %y = cgnet.conv2d %x, %w {cgnet.ocs_copy = array<i64: 0>} : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @weight_not_constant(%x: tensor<1x2x2x2xf32>, %w: tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{--cgnet-ocs needs an f32 constant weight}}
  %y = cgnet.conv2d %x, %w : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
// RUN: not cgnet-opt %S/Inputs/act-multiuse.mlir --cgnet-ocs="mode=activations layers=1 calibration=%S/Inputs/quant-x.npy" 2>&1 | FileCheck %s --check-prefix=MULTI
// MULTI: act-multiuse.mlir:7:8: error: cannot split: a value between this convolution and its producer has other users
// RUN: cgnet-run %S/Inputs/act-grouped.mlir --random-inputs --save-inputs %t.g.npy > /dev/null
// RUN: not cgnet-opt %S/Inputs/act-grouped.mlir --cgnet-ocs="mode=activations layers=1 calibration=%t.g.npy" 2>&1 | FileCheck %s --check-prefix=GROUPED
// GROUPED: act-grouped.mlir:7:8: error: cannot split: activation OCS needs an ungrouped producing convolution with f32 constant weights and bias
