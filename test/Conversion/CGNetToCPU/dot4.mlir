// RUN: cgnet-opt %s --convert-cgnet-to-cpu=dot4 --canonicalize | FileCheck %s
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(convert-cgnet-to-cpu{dot4},canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(cgnet-register-block))" | FileCheck %s --check-prefix=VNNI

// --convert-cgnet-to-cpu=dot4: an 8-bit convolution (4 input channels,
// signed storage, zero point 3, 1x1 kernel, every weight 1) packs the
// input's 4 channels into one i32 of bytes x + 128, the weights' 4 bytes
// likewise (0x01010101 = 16843009), and corrects the bias by
// (128 + 3) x 4 = 524: 1000 -> 476, 2000 -> 1476. The loops are marked
// for --cgnet-register-block, which computes them with vpdpbusd.

// CHECK-LABEL: func.func @conv
// CHECK-DAG: arith.constant dense<{{\[\[}}476, 1476{{\]\]}}> : tensor<1x2xi32>
// CHECK-DAG: arith.constant dense<16843009> : tensor<1x2x1x1x1xi32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.addi %{{.*}}, %c128_i32
// CHECK: arith.andi %{{.*}}, %c255_i32
// CHECK: arith.shli
// CHECK: arith.ori
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<1x1x1x272xi32>, tensor<1x2x1x1x1xi32>) {{.*}} attrs = {cgnet.dot4, cgnet.register_block}

// --convert-cgnet-to-cpu=dot2 (where dot4 is off): pairs of channels as
// signed 16-bit halves x - zp (x - 3), the weights' pairs likewise
// (0x00010001 = 65537), the bias as it is; the loops marked `cgnet.dot2`
// (pmaddwd). With both options dot4 wins.
// RUN: cgnet-opt %s --convert-cgnet-to-cpu=dot2 --canonicalize | FileCheck %s --check-prefix=DOT2
// RUN: cgnet-opt %s --convert-cgnet-to-cpu="dot2 dot4" --canonicalize | FileCheck %s
// DOT2-LABEL: func.func @conv
// DOT2-DAG: arith.constant dense<{{\[\[}}1000, 2000{{\]\]}}> : tensor<1x2xi32>
// DOT2-DAG: arith.constant dense<65537> : tensor<1x2x2x1x1xi32>
// DOT2: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel", "reduction"]
// DOT2: arith.addi %{{.*}}, %c-3_i32
// DOT2: arith.andi %{{.*}}, %c65535_i32
// DOT2: arith.shli
// DOT2: arith.ori
// DOT2: linalg.generic {{.*}} ins({{.*}} : tensor<1x1x2x272xi32>, tensor<1x2x2x1x1xi32>) {{.*}} attrs = {cgnet.dot2, cgnet.register_block}

// VNNI-LABEL: func.func @conv
// VNNI: llvm.call_intrinsic "llvm.x86.avx512.vpdpbusd.512"(%{{.*}}, %{{.*}}, %{{.*}}) : (vector<16xi32>, vector<64xi8>, vector<64xi8>) -> vector<16xi32>
!x = !quant.uniform<i8:f32, 0.5:3>
!w = !quant.uniform<i8:f32, 0.25>
func.func @conv(%x: tensor<1x4x16x16x!x>) -> tensor<1x2x16x16xi32> {
  %w8 = arith.constant dense<1> : tensor<2x4x1x1xi8>
  %w = quant.scast %w8 : tensor<2x4x1x1xi8> to tensor<2x4x1x1x!w>
  %b = arith.constant dense<[1000, 2000]> : tensor<2xi32>
  %y = cgnet.conv2d %x, %w, %b : (tensor<1x4x16x16x!x>, tensor<2x4x1x1x!w>, tensor<2xi32>) -> tensor<1x2x16x16xi32>
  return %y : tensor<1x2x16x16xi32>
}

// A gated 8-bit convolution: the base path in the dot4 form, and the
// conditional path in runs: its 48 channels stored as bytes x + 128 (the
// padding zp + 128 = 131, i8 -125) channels-last, padded to 64 per pixel,
// one row of the padded plane per 10 x 64 bytes plus a padding row
// (1 x 11 x 640), the weights 2 x 3 x 192 (a kernel row's three taps one
// run); the correction (128 + 3) x each output's conditional weight sum
// (1 x 48 channels x 9 taps = 432: 56592) as the fourth input, the partial
// sums as the init, updated in place; `bytes` = 64 and `run_channels` = 64
// in the mark for --cgnet-compact-gated.
// CHECK-LABEL: func.func @gated
// CHECK-DAG: arith.constant dense<56592> : tensor<2xi32>
// CHECK: attrs = {cgnet.dot4, cgnet.register_block, cgnet.slice_bytes = 12288 : i64}
// CHECK: linalg.fill ins(%c-125_i8 : i8) outs(%{{.*}} : tensor<1x11x10x64xi8>)
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 1, 0] [1, 8, 8, 48]
// CHECK: tensor.extract_slice %{{.*}}[0, 16, 0, 0] [1, 48, 8, 8]
// CHECK: arith.trunci {{.*}} : i32 to i8
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x11x10x64xi8> into tensor<1x11x640xi8>
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<2xi32>, tensor<1x11x640xi8>, tensor<2x3x192xi8>, tensor<2xi32>) outs(%{{.*}} : tensor<1x2x8x8xi32>)
// CHECK-SAME: bytes = 64 : i64
// CHECK-SAME: input_offset = 131 : i64
// CHECK-SAME: run_channels = 64 : i64
// With dot2 the conditional path's runs are 16-bit: x - zp (x - 3,
// padding 0) channels-last as i16, padded to 64 per pixel (32 halves per
// 64 bytes), the weights as bytes (sign-extended as they are loaded), no
// correction input; `halves` in the mark (--cgnet-compact-gated sums them
// with pmaddwd).
// DOT2-LABEL: func.func @gated
// DOT2: linalg.fill ins(%c0_i16 : i16) outs(%{{.*}} : tensor<1x11x10x64xi16>)
// DOT2: arith.addi %in, %c-3_i32 : i32
// DOT2: arith.trunci {{.*}} : i32 to i16
// DOT2: linalg.generic {{.*}} ins({{.*}} : tensor<2xi32>, tensor<1x11x640xi16>, tensor<2x3x192xi8>) outs(%{{.*}} : tensor<1x2x8x8xi32>)
// DOT2-SAME: halves
// DOT2-SAME: run_channels = 64 : i64
func.func @gated(%x: tensor<1x64x8x8x!x>) -> tensor<1x2x8x8xi32> {
  %w8 = arith.constant dense<1> : tensor<2x64x3x3xi8>
  %w = quant.scast %w8 : tensor<2x64x3x3xi8> to tensor<2x64x3x3x!w>
  %t = arith.constant dense<[1000, 2000]> : tensor<2xi32>
  %b = arith.constant dense<[5, 6]> : tensor<2xi32>
  %y = cgnet.channel_gated_conv2d %x, %w, %t, %b {padding = array<i64: 1, 1, 1, 1>, partitions = 4 : i64} : (tensor<1x64x8x8x!x>, tensor<2x64x3x3x!w>, tensor<2xi32>, tensor<2xi32>) -> tensor<1x2x8x8xi32>
  return %y : tensor<1x2x8x8xi32>
}

// A gated 1x1 convolution with stride 2 and no padding reads one input
// pixel per output: only those are copied (a slice with strides 2 of the
// 48 conditional channels, 4x4 of the 8x8 plane), and the runs walk the
// copy with strides 1.
// CHECK-LABEL: func.func @gated_strided_1x1
// CHECK: linalg.fill ins(%c-125_i8 : i8) outs(%{{.*}} : tensor<1x5x4x64xi8>)
// CHECK: tensor.extract_slice %{{.*}}[0, 16, 0, 0] [1, 48, 4, 4] [1, 1, 2, 2]
// CHECK: tensor.collapse_shape %{{.*}} : tensor<1x5x4x64xi8> into tensor<1x5x256xi8>
// CHECK: linalg.generic {{.*}} ins({{.*}} : tensor<2xi32>, tensor<1x5x256xi8>, tensor<2x1x64xi8>, tensor<2xi32>) outs(%{{.*}} : tensor<1x2x4x4xi32>)
// CHECK-SAME: strides = array<i64: 1, 1>
func.func @gated_strided_1x1(%x: tensor<1x64x8x8x!x>) -> tensor<1x2x4x4xi32> {
  %w8 = arith.constant dense<1> : tensor<2x64x1x1xi8>
  %w = quant.scast %w8 : tensor<2x64x1x1xi8> to tensor<2x64x1x1x!w>
  %t = arith.constant dense<[1000, 2000]> : tensor<2xi32>
  %b = arith.constant dense<[5, 6]> : tensor<2xi32>
  %y = cgnet.channel_gated_conv2d %x, %w, %t, %b {partitions = 4 : i64, strides = array<i64: 2, 2>} : (tensor<1x64x8x8x!x>, tensor<2x64x1x1x!w>, tensor<2xi32>, tensor<2xi32>) -> tensor<1x2x4x4xi32>
  return %y : tensor<1x2x4x4xi32>
}

// Three input channels (an RGB stem) are padded to four that hold the zero
// point (3), with zero weights.
// CHECK-LABEL: func.func @rgb
// CHECK: tensor.pad %{{.*}} low[0, 0, 0, 0] high[0, 1, 0, 0]
// CHECK-NEXT: ^bb0
// CHECK-NEXT: tensor.yield %c3_i32
// CHECK: attrs = {cgnet.dot4, cgnet.register_block}
func.func @rgb(%x: tensor<1x3x16x16x!x>) -> tensor<1x2x16x16xi32> {
  %w8 = arith.constant dense<1> : tensor<2x3x1x1xi8>
  %w = quant.scast %w8 : tensor<2x3x1x1xi8> to tensor<2x3x1x1x!w>
  %b = arith.constant dense<[1000, 2000]> : tensor<2xi32>
  %y = cgnet.conv2d %x, %w, %b : (tensor<1x3x16x16x!x>, tensor<2x3x1x1x!w>, tensor<2xi32>) -> tensor<1x2x16x16xi32>
  return %y : tensor<1x2x16x16xi32>
}

// A small plane (4 x 4 < 128 pixels) reads its weights along the vectors
// (16 output channels). With dot2 they are a constant of bytes (the two
// halves of pair (c, o) at 2o and 2o + 1 of row c: -2 and 5), widened
// to i32 pairs by a generic marked `cgnet.widen_pairs`; --cgnet-register-block
// loads 16 bytes per 8 pairs instead, sign-extends them to halves for
// pmaddwd, and drops the widened copy.
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(convert-cgnet-to-cpu{dot2},canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(cgnet-register-block{vector-bits=256}),canonicalize)" | FileCheck %s --check-prefix=REG
// DOT2-LABEL: func.func @small_plane
// DOT2: arith.constant dense<[-2, 5, -2, 5,
// DOT2-SAME: tensor<64xi8>
// DOT2: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x2x1x32xi8>, tensor<1x2x1x32xi8>) outs(%{{.*}} : tensor<1x2x1x16xi32>) attrs =  {cgnet.widen_pairs}
// DOT2: arith.extsi %in : i8 to i32
// DOT2: arith.andi %{{.*}}, %c65535_i32
// DOT2: arith.extsi %in_{{[0-9]+}} : i8 to i32
// DOT2: arith.shli
// DOT2: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x2x1x16xi32>, tensor<1x2x1x16xi32>) {{.*}} attrs = {cgnet.dot2, cgnet.register_block, cgnet.slice_bytes
// REG-LABEL: func.func @small_plane
// REG-NOT: cgnet.widen_pairs
// REG: vector.load %{{.*}} : memref<1x2x1x32xi8{{.*}}>, vector<16xi8>
// REG: arith.extsi %{{.*}} : vector<16xi8> to vector<16xi16>
// REG: llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"
// REG-NOT: cgnet.widen_pairs
func.func @small_plane(%x: tensor<1x4x4x4x!x>) -> tensor<1x16x4x4xi32> {
  %w8 = arith.constant dense<[[[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]], [[[-2]], [[5]], [[-2]], [[5]]]]> : tensor<16x4x1x1xi8>
  %w = quant.scast %w8 : tensor<16x4x1x1xi8> to tensor<16x4x1x1x!w>
  %b = arith.constant dense<7> : tensor<16xi32>
  %y = cgnet.conv2d %x, %w, %b : (tensor<1x4x4x4x!x>, tensor<16x4x1x1x!w>, tensor<16xi32>) -> tensor<1x16x4x4xi32>
  return %y : tensor<1x16x4x4xi32>
}

// dot2 on the flat-plane loops (unit strides, 16 x 16 outputs): the input
// is packed straight into the interior of a zeroed buffer of the padded
// size plus the loops' extra row (18 + 1 rows of 18), whose border holds
// the padding's halves x - zp = 0; no padded copy of the input is built.
// DOT2-LABEL: func.func @conv_padded
// DOT2-NOT: tensor.pad
// DOT2: %[[Z:.*]] = linalg.fill ins(%c0_i32 : i32) outs(%{{.*}} : tensor<1x2x19x18xi32>)
// DOT2: %[[IN:.*]] = tensor.extract_slice %[[Z]][0, 0, 1, 1] [1, 2, 16, 16] [1, 1, 1, 1]
// DOT2: %[[P:.*]] = linalg.generic {{.*}} outs(%[[IN]] : tensor<1x2x16x16xi32>)
// DOT2: tensor.insert_slice %[[P]] into %[[Z]][0, 0, 1, 1] [1, 2, 16, 16] [1, 1, 1, 1]
// DOT2-NOT: tensor.pad
// DOT2: attrs = {cgnet.dot2, cgnet.register_block}
func.func @conv_padded(%x: tensor<1x4x16x16x!x>) -> tensor<1x2x16x16xi32> {
  %w8 = arith.constant dense<1> : tensor<2x4x3x3xi8>
  %w = quant.scast %w8 : tensor<2x4x3x3xi8> to tensor<2x4x3x3x!w>
  %b = arith.constant dense<[1000, 2000]> : tensor<2xi32>
  %y = cgnet.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x16x16x!x>, tensor<2x4x3x3x!w>, tensor<2xi32>) -> tensor<1x2x16x16xi32>
  return %y : tensor<1x2x16x16xi32>
}

// A ReLU's output (zero point 3: stored values 3..127): with
// --convert-cgnet-to-cpu=dot4-7bit, the dot4 form with the bytes as stored
// (no offset: the packing adds nothing), the bias corrected by 3 x 4 = 12
// (1000 -> 988), the loops marked `cgnet.dot4_7bit`; @conv's input (any
// signed byte) stays dot2. dot4 (VNNI) takes precedence.
// SEVEN-LABEL: func.func @conv
// SEVEN: attrs = {cgnet.dot2, cgnet.register_block}
// SEVEN-LABEL: func.func @relu7
// SEVEN-DAG: arith.constant dense<{{\[\[}}988, 1988{{\]\]}}> : tensor<1x2xi32>
// SEVEN-DAG: arith.constant dense<16843009> : tensor<1x2x1x1x1xi32>
// SEVEN-NOT: %c128_i32
// SEVEN: linalg.generic {{.*}} ins({{.*}} : tensor<1x1x1x272xi32>, tensor<1x2x1x1x1xi32>) {{.*}} attrs = {cgnet.dot4_7bit, cgnet.register_block}
// RUN: cgnet-opt %s --convert-cgnet-to-cpu="dot2 dot4-7bit" --canonicalize | FileCheck %s --check-prefix=SEVEN
// RUN: cgnet-opt %s --convert-cgnet-to-cpu="dot4 dot4-7bit" --canonicalize | FileCheck %s --check-prefix=SEVENVNNI
// SEVENVNNI-LABEL: func.func @relu7
// SEVENVNNI: attrs = {cgnet.dot4, cgnet.register_block}

// --cgnet-register-block computes `cgnet.dot4_7bit` without VNNI, at the
// vector width asked for: pmaddubsw (32 bytes x 32 bytes -> 16 sums of 2
// products), pmaddwd by ones, an add.
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(convert-cgnet-to-cpu{dot4-7bit},canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(cgnet-register-block{vector-bits=256}))" | FileCheck %s --check-prefix=RB256
// RUN: cgnet-opt %s --pass-pipeline="builtin.module(convert-cgnet-to-cpu{dot4-7bit},canonicalize,one-shot-bufferize{bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map},func.func(cgnet-register-block{vector-bits=128}))" | FileCheck %s --check-prefix=RB128
// RB256-LABEL: func.func @relu7
// RB256: %[[P:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.ub.sw"(%{{.*}}, %{{.*}}) : (vector<32xi8>, vector<32xi8>) -> vector<16xi16>
// RB256: %[[ONES:.*]] = arith.constant dense<1> : vector<16xi16>
// RB256: %[[S:.*]] = llvm.call_intrinsic "llvm.x86.avx2.pmadd.wd"(%[[P]], %[[ONES]]) : (vector<16xi16>, vector<16xi16>) -> vector<8xi32>
// RB256: arith.addi %{{.*}}, %[[S]] : vector<8xi32>
// RB128-LABEL: func.func @relu7
// RB128: llvm.call_intrinsic "llvm.x86.ssse3.pmadd.ub.sw.128"(%{{.*}}, %{{.*}}) : (vector<16xi8>, vector<16xi8>) -> vector<8xi16>
// RB128: llvm.call_intrinsic "llvm.x86.sse2.pmadd.wd"
!xz = !quant.uniform<i8:f32, 0.5:3>
func.func @relu7(%x: tensor<1x4x16x16x!xz>) -> tensor<1x2x16x16xi32> {
  %r = cgnet.relu %x : tensor<1x4x16x16x!xz>
  %w8 = arith.constant dense<1> : tensor<2x4x1x1xi8>
  %w = quant.scast %w8 : tensor<2x4x1x1xi8> to tensor<2x4x1x1x!w>
  %b = arith.constant dense<[1000, 2000]> : tensor<2xi32>
  %y = cgnet.conv2d %r, %w, %b : (tensor<1x4x16x16x!xz>, tensor<2x4x1x1x!w>, tensor<2xi32>) -> tensor<1x2x16x16xi32>
  return %y : tensor<1x2x16x16xi32>
}

// A gated convolution of a ReLU's output with dot4-7bit: the base path
// `cgnet.dot4_7bit`, the conditional path's runs in bytes as stored (the
// padding zp = 3; no offset), corrected by 3 x each output's conditional
// weight sum (48 x 9 = 432: 1296), marked `seven_bit` for
// --cgnet-compact-gated.
// SEVEN-LABEL: func.func @gated_relu7
// SEVEN-DAG: arith.constant dense<1296> : tensor<2xi32>
// SEVEN: attrs = {cgnet.dot4_7bit, cgnet.register_block, cgnet.slice_bytes = 12288 : i64}
// SEVEN: linalg.fill ins(%c3_i8 : i8) outs(%{{.*}} : tensor<1x11x10x64xi8>)
// SEVEN: linalg.generic {{.*}} ins({{.*}} : tensor<2xi32>, tensor<1x11x640xi8>, tensor<2x3x192xi8>, tensor<2xi32>) outs(%{{.*}} : tensor<1x2x8x8xi32>)
// SEVEN-SAME: bytes = 32 : i64
// SEVEN-SAME: input_offset = 3 : i64
// SEVEN-SAME: run_channels = 64 : i64
// SEVEN-SAME: seven_bit
func.func @gated_relu7(%x: tensor<1x64x8x8x!xz>) -> tensor<1x2x8x8xi32> {
  %r = cgnet.relu %x : tensor<1x64x8x8x!xz>
  %w8 = arith.constant dense<1> : tensor<2x64x3x3xi8>
  %w = quant.scast %w8 : tensor<2x64x3x3xi8> to tensor<2x64x3x3x!w>
  %t = arith.constant dense<[1000, 2000]> : tensor<2xi32>
  %b = arith.constant dense<[5, 6]> : tensor<2xi32>
  %y = cgnet.channel_gated_conv2d %r, %w, %t, %b {padding = array<i64: 1, 1, 1, 1>, partitions = 4 : i64} : (tensor<1x64x8x8x!xz>, tensor<2x64x3x3x!w>, tensor<2xi32>, tensor<2xi32>) -> tensor<1x2x8x8xi32>
  return %y : tensor<1x2x8x8xi32>
}
