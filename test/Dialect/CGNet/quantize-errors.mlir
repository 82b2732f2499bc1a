// RUN: cgnet-opt %s --cgnet-quantize=act-range=1 -split-input-file -verify-diagnostics
//
// Bad options and calibration files: an error naming the option or file,
// non-zero exit.
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 weight-bits=9" 2>&1 | FileCheck %s --check-prefix=BITS
// BITS: error: --cgnet-quantize: weight-bits must be in [2, 8], got 9
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 act-bits=1" 2>&1 | FileCheck %s --check-prefix=ABITS
// ABITS: error: --cgnet-quantize: act-bits must be in [2, 8], got 1
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 weight-clip=max" 2>&1 | FileCheck %s --check-prefix=CLIP
// CLIP: error: --cgnet-quantize: unknown weight-clip 'max' (expected none, mse, aciq or kl)
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 act-clip=entropy" 2>&1 | FileCheck %s --check-prefix=ACLIP
// ACLIP: error: --cgnet-quantize: unknown act-clip 'entropy'
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 granularity=per-row" 2>&1 | FileCheck %s --check-prefix=GRAN
// GRAN: error: --cgnet-quantize: granularity must be per-tensor or per-channel, got 'per-row'
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize 2>&1 | FileCheck %s --check-prefix=NONE
// NONE: error: --cgnet-quantize needs exactly one of calibration=<.npy files>, random-calibration=<n> and act-range=<clip value>
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=-2" 2>&1 | FileCheck %s --check-prefix=NEG
// NEG: error: --cgnet-quantize: act-range must be positive, got -2
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="calibration=%t.missing.npy" 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: calibration input: {{.*}}missing.npy
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="calibration=%S/Inputs/quant-x.npy" 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: calibration input '{{.*}}quant-x.npy' for argument #0: shape 1x1x2x2xfloat does not match the expected 1x2x4x4xfloat
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 report=%t.nodir/r.json" 2>&1 | FileCheck %s --check-prefix=REPORT
// REPORT: error: cannot write the quantization report '{{.*}}r.json'

func.func @batch_norm_left(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  %s = arith.constant dense<1.0> : tensor<1xf32>
  %c = cgnet.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  // expected-error @+1 {{batch norm must be folded before quantization (run --cgnet-fold-batchnorm first)}}
  %y = cgnet.batch_norm %c, %s, %s, %s, %s : (tensor<1x1x2x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @already_quantized(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{the function is already quantized: --cgnet-quantize takes a float model}}
  %q = cgnet.quantize %x : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>
  %y = cgnet.dequantize %q : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// expected-error @+1 {{--cgnet-quantize expects f32 inputs, got 'tensor<1x1x2x2xi8>'}}
func.func @integer_input(%x: tensor<1x1x2x2xi8>) -> tensor<1x1x2x2xi8> {
  return %x : tensor<1x1x2x2xi8>
}

// -----

func.func @constant_activation(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %c = arith.constant dense<1.0> : tensor<1x1x2x2xf32>
  // expected-error @+1 {{operand #1 is a constant; --cgnet-quantize supports constants only as weights, biases and thresholds}}
  %y = cgnet.add %x, %c : tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @weight_not_constant(%x: tensor<1x1x2x2xf32>, %w: tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{operand #1 (weight, threshold or bias) must be an f32 constant}}
  %y = cgnet.conv2d %x, %w : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

func.func @foreign_op(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  // expected-error @+1 {{'arith.addf' is not supported by --cgnet-quantize}}
  %y = arith.addf %x, %x : tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Clip values recorded by a grid-aware --cgnet-ocs for another bit width.
func.func @ocs_bits_mismatch(%x: tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  // expected-error @+1 {{--cgnet-ocs prepared this layer for 4-bit weights, but --cgnet-quantize has weight-bits=8}}
  %y = cgnet.conv2d %x, %w {cgnet.weight_clip = array<f64: 1.0>, cgnet.weight_clip_bits = 4 : i64} : (tensor<1x1x2x2xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}

// -----

// Per-tensor clip values recorded by --cgnet-ocs, per-channel quantization.
func.func @ocs_granularity_mismatch(%x: tensor<1x1x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  // expected-error @+1 {{--cgnet-ocs recorded 1 weight clip value(s) but granularity=per-channel needs 2 (use the same granularity for both passes)}}
  %y = cgnet.conv2d %x, %w {cgnet.weight_clip = array<f64: 1.0>, cgnet.weight_clip_bits = 8 : i64} : (tensor<1x1x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 weight-clip-ratio=0" 2>&1 | FileCheck %s --check-prefix=RATIO
// RATIO: error: --cgnet-quantize: clip ratios must be positive
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="random-calibration=-2" 2>&1 | FileCheck %s --check-prefix=RANDCAL
// RANDCAL: error: --cgnet-quantize: random-calibration must be a sample count, got -2
// RUN: not cgnet-opt %S/Inputs/two-args.mlir --cgnet-quantize="calibration=%S/Inputs/quant-x.npy" 2>&1 | FileCheck %s --check-prefix=PERARG
// PERARG: error: calibration takes one .npy file per function argument per sample: got 1 files for 2 arguments
// RUN: not cgnet-opt %S/Inputs/no-args.mlir --cgnet-channel-gating="target-off-rate=0.5 calibration=%S/Inputs/quant-x.npy" 2>&1 | FileCheck %s --check-prefix=NOARGS
// NOARGS: error: calibration needs a function with inputs
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-quantize="act-range=1 report-table=%t.nodir/t.txt" 2>&1 | FileCheck %s --check-prefix=TABLE
// TABLE: error: cannot write the quantization table '{{.*}}t.txt'
