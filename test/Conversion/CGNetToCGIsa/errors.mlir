// RUN: cgnet-opt %s --convert-cgnet-to-cgisa -split-input-file -verify-diagnostics
// RUN: not cgnet-opt %s --convert-cgnet-to-cgisa=config=%t.missing.cfg 2>&1 | FileCheck %s --check-prefix=MISSING
// MISSING: error: cannot open configuration '{{.*}}missing.cfg'
// RUN: printf 'rows = 32\ncols = wide\n' > %t.bad.cfg
// RUN: not cgnet-opt %s --convert-cgnet-to-cgisa=config=%t.bad.cfg 2>&1 | FileCheck %s --check-prefix=BADCFG
// BADCFG: error: {{.*}}bad.cfg:2: 'cols' needs an integer, got 'wide'
// RUN: printf 'rows = 32\nrow_groups = 0\n' > %t.groups0.cfg
// RUN: not cgnet-opt %s --convert-cgnet-to-cgisa=config=%t.groups0.cfg 2>&1 | FileCheck %s --check-prefix=GROUPS0
// GROUPS0: error: {{.*}}groups0.cfg:2: 'row_groups' must be -1 (4, 2 or 1, whichever divides 'rows') or at least 1
// RUN: printf 'rows = 32\nrow_groups = 3\n' > %t.groups3.cfg
// RUN: not cgnet-opt %s --convert-cgnet-to-cgisa=config=%t.groups3.cfg 2>&1 | FileCheck %s --check-prefix=GROUPS3
// GROUPS3: error: {{.*}}groups3.cfg: 'row_groups' = 3 does not divide 'rows' = 32

// expected-error @+1 {{cannot run on the accelerator: float argument #0 must have exactly one user, a cgnet.quantize}}
func.func @float_arg(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  return %x : tensor<1x4xf32>
}

// -----

func.func @float_layer(%x: tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32> {
  %q = cgnet.quantize %x : (tensor<1x1x4x4xf32>) -> tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1>>
  %d = cgnet.dequantize %q : (tensor<1x1x4x4x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x1x4x4xf32>
  %w = arith.constant dense<1.0> : tensor<1x1x1x1xf32>
  // expected-error @+1 {{cannot run on the accelerator: float layers must be quantized first (--cgnet-quantize)}}
  %c = cgnet.conv2d %d, %w : (tensor<1x1x4x4xf32>, tensor<1x1x1x1xf32>) -> tensor<1x1x4x4xf32>
  return %c : tensor<1x1x4x4xf32>
}

// -----

func.func @shuffle(%a: tensor<1x4x4x4xi8>) -> tensor<1x4x4x4xi8> {
  // expected-error @+1 {{cannot run on the accelerator: no lowering to cgisa for this op}}
  %c = cgnet.channel_shuffle %a {groups = 2 : i64} : tensor<1x4x4x4xi8>
  return %c : tensor<1x4x4x4xi8>
}

// -----

!q = !quant.uniform<i8:f32, 0.1:3>
func.func @zero_point(%x: tensor<1x2x4x4x!q>) -> tensor<1x2x2x2x!q> {
  // expected-error @+1 {{cannot run on the accelerator: its input has a non-zero zero point (the accelerator runs symmetric quantization)}}
  %p = cgnet.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4x!q>) -> tensor<1x2x2x2x!q>
  return %p : tensor<1x2x2x2x!q>
}

// -----

// expected-error @+1 {{cannot run on the accelerator: its argument #0 must be a signed integer of at most 8 bits, got 'tensor<1x2x4x4xi16>'}}
func.func @wide(%x: tensor<1x2x4x4xi16>) -> tensor<1x2x2x2xi16> {
  %p = cgnet.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<1x2x4x4xi16>) -> tensor<1x2x2x2xi16>
  return %p : tensor<1x2x2x2xi16>
}

// -----

func.func @no_requantize(%x: tensor<1x2x4x4xi8>) -> tensor<1x2x4x4xi32> {
  %w = arith.constant dense<1> : tensor<2x2x1x1xi8>
  // expected-error @+1 {{cannot run on the accelerator: its int32 result must feed a cgnet.requantize, not 'func.return'}}
  %c = cgnet.conv2d %x, %w : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi32>
  return %c : tensor<1x2x4x4xi32>
}

// -----

func.func @weight_arg(%x: tensor<1x2x4x4xi8>, %w: tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi8> {
  // expected-error @+1 {{cannot run on the accelerator: its weight must be an integer constant}}
  %c = cgnet.conv2d %x, %w : (tensor<1x2x4x4xi8>, tensor<2x2x1x1xi8>) -> tensor<1x2x4x4xi32>
  %r = cgnet.requantize %c {multiplier = array<i32: 1073741824>, shift = array<i32: 31>} : (tensor<1x2x4x4xi32>) -> tensor<1x2x4x4xi8>
  return %r : tensor<1x2x4x4xi8>
}

// -----

func.func @concat_rows(%a: tensor<1x2x3x4xi8>, %b: tensor<1x2x3x4xi8>) -> tensor<1x2x6x4xi8> {
  // expected-error @+1 {{cannot run on the accelerator: only concatenation along the channels (axis 1 of a rank-4 or rank-2 tensor) is supported, got axis 2 of rank 4}}
  %c = cgnet.concat %a, %b {axis = 2 : i64} : (tensor<1x2x3x4xi8>, tensor<1x2x3x4xi8>) -> tensor<1x2x6x4xi8>
  return %c : tensor<1x2x6x4xi8>
}

// -----

func.func @concat_wide(%a: tensor<1x40000x1x1xi8>, %b: tensor<1x4x1x1xi8>) -> tensor<1x40004x1x1xi8> {
  // expected-error @+1 {{does not fit the accelerator: one pixel of an operand (40000 channels) exceeds half of INP or OUT}}
  %c = cgnet.concat %a, %b {axis = 1 : i64} : (tensor<1x40000x1x1xi8>, tensor<1x4x1x1xi8>) -> tensor<1x40004x1x1xi8>
  return %c : tensor<1x40004x1x1xi8>
}

// -----

func.func @upsample_wide(%a: tensor<1x300x2x200xi8>) -> tensor<1x300x4x400xi8> {
  // expected-error @+1 {{does not fit the accelerator: one input row (60000 bytes) exceeds half of INP or OUT}}
  %u = cgnet.upsample_nearest %a {factors = array<i64: 2, 2>} : (tensor<1x300x2x200xi8>) -> tensor<1x300x4x400xi8>
  return %u : tensor<1x300x4x400xi8>
}

// -----

// A reshape that moves its elements runs as DMA gathers of evenly spaced
// bytes; 1x65537x2x1 -> 1x1x65537x2 moves every byte on its own (runs of
// two, 65537 of them), more transfers than the compiler emits.
func.func @reshape(%x: tensor<1x65537x2x1xi8>) -> tensor<1x1x65537x2xi8> {
  // expected-error @+1 {{cannot run on the accelerator: the reshape moves its elements too irregularly (more than 65536 DMA transfers)}}
  %r = cgnet.reshape %x : (tensor<1x65537x2x1xi8>) -> tensor<1x1x65537x2xi8>
  return %r : tensor<1x1x65537x2xi8>
}


// -----

// The element count overflows int64 (MLIR's own count wraps around).
// expected-error @+1 {{cannot run on the accelerator: its argument #0 'tensor<2000000000000000008x4x3x3xi8>' is larger than the 4 GiB of DRAM}}
func.func @overflowing_shape(%w: tensor<2000000000000000008x4x3x3xi8>) {
  return
}
