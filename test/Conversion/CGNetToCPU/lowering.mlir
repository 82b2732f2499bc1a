// RUN: cgnet-opt %s --convert-cgnet-to-cpu --canonicalize | FileCheck %s
// RUN: cgnet-opt %s --cgnet-cpu-pipeline | FileCheck %s --check-prefix=LLVM
// RUN: cgnet-opt %s --cgnet-cpu-pipeline | cgnet-translate --mlir-to-llvmir | FileCheck %s --check-prefix=LLVMIR
// RUN: cgnet-opt %s --convert-cgnet-to-cpu=profile=true | FileCheck %s --check-prefix=PROF
// RUN: cgnet-opt %s --convert-cgnet-to-cpu=upstream-conv=true | FileCheck %s --check-prefix=UPSTREAM
// RUN: cgnet-opt %s --convert-cgnet-to-cpu=outline-layers=true --canonicalize | FileCheck %s --check-prefix=LAYERS
// RUN: cgnet-opt %s --convert-cgnet-to-cpu=outline-layers=true --cgnet-cpu-pipeline | FileCheck %s --check-prefix=LAYERS-LLVM
// RUN: cgnet-opt %s --pass-pipeline='builtin.module(convert-cgnet-to-cpu,canonicalize,func.func(cgnet-outline-constants{min-elements=4}))' | FileCheck %s --check-prefix=OUTLINE

// Every convolution accumulates each output over (c, ky, kx) in the
// reference's order, starting from the bias; the loop nest depends on the
// output plane.

// (The maps of all three functions come first in the module.)

// Small planes (< 200 outputs): the input gathered per tap (im2col; with
// strides, the input split into its 2 x 2 phases once, loops n, c, Y, ph,
// X, pw reading runs, then each tap copied from its phase), the weights
// transposed at compile time to G x C x taps x Og; loops n, g, c, pixel,
// og, tap (LLVM unrolls the tap loop, so the output channels are
// innermost); the result transposed back (a copy marked for
// --cgnet-compact-gated's 16 x 16 tiles: 2 images of 4 pixels x 2 channels
// to 2 x 4).
// CHECK-DAG: #[[SPLITIN:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d2 * 2 + d3, d4 * 2 + d5)>
// CHECK-DAG: #[[SPLITOUT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d3, d5, d0, d1, d2, d4)>
// CHECK-DAG: #[[IM2COL:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d3 mod 2, d4 mod 2, d0, d1 + d2, d5 + d3 floordiv 2, d6 + d4 floordiv 2)>
// CHECK-DAG: #[[WT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d1, d2, d5, d4)>
// CHECK-DAG: #[[FLAT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5, d6) -> (d0, d1, d3, d4 + d5 * 18 + d6)>
// CHECK-DAG: #[[OUTT:.*]] = affine_map<(d0, d1, d2, d3, d4, d5) -> (d0, d1, d3, d4)>
// CHECK-LABEL: func.func @conv_small
// CHECK-DAG: arith.constant dense<5.000000e-01> : tensor<2x1x9x2xf32>
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {indexing_maps = [#[[SPLITIN]], #[[SPLITOUT]]], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK-SAME: outs(%{{.*}} : tensor<2x2x1x2x3x3xf32>)
// CHECK: linalg.generic {indexing_maps = [#[[IM2COL]], #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "parallel", "parallel", "parallel", "parallel"]}
// CHECK: -> tensor<1x2x1x9x4xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[WT]], #[[OUTT]]], iterator_types = ["parallel", "parallel", "reduction", "parallel", "parallel", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<1x2x4x2xf32>)
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: tensor.reshape {{.*}} -> tensor<2x4x1x2xf32>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2x1x2x4xf32>) attrs = {cgnet.channels_last}
// CHECK: tensor.reshape {{.*}} -> tensor<1x4x2x2xf32>
// CHECK-NOT: cgnet.
// The compiled function takes one pointer per argument and per result.
// LLVM: llvm.func @conv_small(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr)
// LLVMIR: define void @conv_small(ptr %0, ptr %1)
func.func @conv_small(%x: tensor<1x2x4x4xf32>) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<0.5> : tensor<4x1x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = cgnet.conv2d %x, %w, %b {groups = 2 : i64, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x2x2xf32>
  return %y : tensor<1x4x2x2xf32>
}

// Unit strides: input and output planes flattened into rows of the padded
// width (18); one more input row; loops n, g, og, c, plane, ky, kx (the
// kernel loops unrolled by LLVM, the whole output plane (16 x 18) is the
// vectorized loop), cropped to 16 x 16 at the end.
// CHECK-LABEL: func.func @conv_wide
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 2, 1]
// CHECK: tensor.reshape {{.*}} -> tensor<1x1x2x342xf32>
// CHECK: linalg.generic {indexing_maps = [#[[FLAT]], #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction", "reduction"]}
// CHECK-SAME: outs(%{{.*}} : tensor<1x1x3x288xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 3, 16, 16] [1, 1, 1, 1] : tensor<1x3x16x18xf32> to tensor<1x3x16x16xf32>
func.func @conv_wide(%x: tensor<1x2x16x16xf32>) -> tensor<1x3x16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = cgnet.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x16x16xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x16x16xf32>
  return %y : tensor<1x3x16x16xf32>
}

// Strided 3x3 / 2, large plane: the padded input (34 x 34, and 2 rows
// more: the phases' row below) split once into its 2 x 2 phases of 18 x 17;
// each phase convolved with unit strides by its taps (2x2, 2x1, 1x2, 1x1:
// 9 in all) in the flat-plane loops, the sums of one starting from the
// previous one's; then cropped from 17 to 16 columns.
// CHECK-LABEL: func.func @conv_strided
// CHECK: tensor.pad %{{.*}} low[0, 0, 1, 1] high[0, 0, 3, 1]
// CHECK: %[[PH:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x2x1x2x18x17xf32>)
// CHECK: %[[P0:.*]] = tensor.extract_slice %[[PH]][0, 0, 0, 0, 0, 0] [1, 1, 1, 2, 18, 17]
// CHECK: %[[B:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x1x3x272xf32>)
// CHECK: %[[S0:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x1x2x306xf32>, tensor<1x3x2x2x2xf32>) outs(%[[B]] : tensor<1x1x3x272xf32>)
// CHECK: tensor.extract_slice %[[PH]][0, 1, 0, 0, 0, 0]
// CHECK: %[[S1:.*]] = linalg.generic {{.*}} tensor<1x3x2x2x1xf32>) outs(%[[S0]] :
// CHECK: tensor.extract_slice %[[PH]][1, 0, 0, 0, 0, 0]
// CHECK: %[[S2:.*]] = linalg.generic {{.*}} tensor<1x3x2x1x2xf32>) outs(%[[S1]] :
// CHECK: tensor.extract_slice %[[PH]][1, 1, 0, 0, 0, 0]
// CHECK: %[[S3:.*]] = linalg.generic {{.*}} tensor<1x3x2x1x1xf32>) outs(%[[S2]] :
// CHECK: tensor.reshape %[[S3]]({{.*}}) -> tensor<1x3x16x17xf32>
// CHECK: tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 3, 16, 16] [1, 1, 1, 1] : tensor<1x3x16x17xf32> to tensor<1x3x16x16xf32>
func.func @conv_strided(%x: tensor<1x2x32x32xf32>) -> tensor<1x3x16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = cgnet.conv2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x32x32xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x16x16xf32>
  return %y : tensor<1x3x16x16xf32>
}

// Strided and grouped, large plane: im2col, then loops n, g, og, c, plane,
// tap.
// CHECK-LABEL: func.func @conv_strided_grouped
// CHECK: -> tensor<1x2x1x3x3x16x16xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x2x1x9x256xf32>, tensor<2x2x1x9xf32>) outs(%{{.*}} : tensor<1x2x2x256xf32>)
func.func @conv_strided_grouped(%x: tensor<1x2x32x32xf32>) -> tensor<1x4x16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<4x1x3x3xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %y = cgnet.conv2d %x, %w, %b {strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, groups = 2 : i64} : (tensor<1x2x32x32xf32>, tensor<4x1x3x3xf32>, tensor<4xf32>) -> tensor<1x4x16x16xf32>
  return %y : tensor<1x4x16x16xf32>
}

// profile=true: the hooks declared once, each layer between its enter and
// exit calls with its index in the function.
// PROF: func.func private @cgnet_profile_enter(i64)
// PROF: func.func private @cgnet_profile_exit(i64)
// PROF-LABEL: func.func @conv_small
// PROF: %[[ID:.*]] = arith.constant 0 : i64
// PROF: call @cgnet_profile_enter(%[[ID]]) : (i64) -> ()
// PROF: linalg.generic
// PROF: call @cgnet_profile_exit(%{{.*}}) : (i64) -> ()
// PROF-NEXT: return

// Constants of at least min-elements elements become trailing arguments;
// their values are listed on the function.
// OUTLINE-LABEL: func.func @conv_wide(%{{.*}}: tensor<1x2x16x16xf32>, %{{.*}}: tensor<1x3x2x3x3xf32>) -> tensor<1x3x16x16xf32>
// OUTLINE-SAME: cgnet.constant_arguments = [dense<5.000000e-01> : tensor<1x3x2x3x3xf32>]
// OUTLINE-NOT: arith.constant dense<5.000000e-01>
// OUTLINE: return

// outline-layers=true: each layer's code in a private function of its own,
// its weights (tensor constants of 256+ elements) passed in by the caller,
// small constants copied in; the functions keep a cgnet.layer marker down
// to LLVM (where the JIT makes them noinline).
// LAYERS-LABEL: func.func @conv_wide(%arg0: tensor<1x2x16x16xf32>) -> tensor<1x3x16x16xf32>
// LAYERS-NEXT:    %[[Y:.*]] = call @conv_wide_layer0(%arg0) : (tensor<1x2x16x16xf32>) -> tensor<1x3x16x16xf32>
// LAYERS-NEXT:    return %[[Y]]
// LAYERS-LABEL: func.func private @conv_wide_layer0(%arg0: tensor<1x2x16x16xf32>) -> tensor<1x3x16x16xf32> attributes {cgnet.layer}
// LAYERS:         linalg.generic
// LAYERS-LABEL: func.func @gated
// LAYERS-NEXT:    %[[W:.*]] = arith.constant {{.*}} : tensor<1x8x8x3x3xf32>
// LAYERS-NEXT:    %[[WT:.*]] = arith.constant {{.*}} : tensor<8x3x3x32xf32>
// LAYERS-NEXT:    call @gated_layer0(%arg0, %[[W]], %[[WT]]) : (tensor<1x32x16x16xf32>, tensor<1x8x8x3x3xf32>, tensor<8x3x3x32xf32>) -> tensor<1x8x16x16xf32>
// LAYERS-LLVM: llvm.func @conv_wide_layer0(%{{.*}}: !llvm.ptr, %{{.*}}: !llvm.ptr) attributes {cgnet.layer

// upstream-conv=true (a benchmark baseline): ungrouped float convolutions
// become upstream's named op on the padded input; grouped ones keep
// cgnet's loops.
// UPSTREAM-LABEL: func.func @conv_small
// UPSTREAM-NOT: linalg.conv_2d_nchw_fchw
// UPSTREAM-LABEL: func.func @conv_wide
// UPSTREAM: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>} ins(%{{.*}}, %{{.*}} : tensor<1x2x18x18xf32>, tensor<3x2x3x3xf32>) outs(%{{.*}} : tensor<1x3x16x16xf32>)
// UPSTREAM-LABEL: func.func @conv_strided
// UPSTREAM: linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<2> : tensor<2xi64>}

// A channel-gated convolution: the base path a dense convolution over the
// first C/p input channels; then one parallel loop over the outputs (pixels
// outer here: 256 pixels > 8 channels) that branches on the gate and, only
// where it is on, accumulates the conditional channels [C/p, C) of a
// channels-last copy of the input against O x kh x kw x C weights in
// vectors (the 9 taps unrolled into 4 chains), reduced once, added to the
// partial sums (the generic's init, updated in place); the input
// and weights are inputs of the generic too, which is marked for
// --cgnet-compact-gated with its parameters. (Narrower
// conditional paths on large planes run as dense convolutions instead:
// test/Integration/cpu-backend.test.)
// (The weights are a splat here: canonicalization folds their reads, and
// the empty run [0, 0) of the first C/p channels.)
// CHECK-LABEL: func.func @gated
// CHECK: linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<1x1x8x342xf32>, tensor<1x8x8x3x3xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x18x18x32xf32>)
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<1x18x18x32xf32>, tensor<8x3x3x32xf32>) outs(%{{.*}} : tensor<1x8x16x16xf32>)
// CHECK-SAME: cgnet.compact_gated = {base_width = 8 : i64, dilations = array<i64: 1, 1>, group_outputs = 2 : i64, grouped = false, lanes = 8 : i64, strides = array<i64: 1, 1>}
// CHECK: %[[ON:.*]] = arith.cmpf ogt
// CHECK: scf.if %[[ON]]
// CHECK: scf.for %{{.*}} = %c8 to %c32 step %c8 iter_args(%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) -> (vector<8xf32>, vector<8xf32>, vector<8xf32>, vector<8xf32>)
// CHECK-COUNT-9: vector.transfer_read %{{.*}} {in_bounds = [true]} : tensor<1x18x18x32xf32>, vector<8xf32>
// CHECK: vector.reduction <add>
// CHECK: } else {
func.func @gated(%x: tensor<1x32x16x16xf32>) -> tensor<1x8x16x16xf32> {
  %w = arith.constant dense<0.25> : tensor<8x32x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<8xf32>
  %t = arith.constant dense<1.0> : tensor<8xf32>
  %y = cgnet.channel_gated_conv2d %x, %w, %b, %t {padding = array<i64: 1, 1, 1, 1>, partitions = 4 : i64} : (tensor<1x32x16x16xf32>, tensor<8x32x3x3xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x16x16xf32>
  return %y : tensor<1x8x16x16xf32>
}

// More than 16 taps (5x5): the kernel loops stay outside the plane loop
// (n, g, og, c, ky, kx, plane), since LLVM would not unroll them.
// CHECK-LABEL: func.func @conv_5x5
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction", "reduction", "reduction", "parallel"]} ins(%{{.*}}, %{{.*}} : tensor<1x1x2x420xf32>, tensor<1x3x2x5x5xf32>) outs(%{{.*}} : tensor<1x1x3x320xf32>)
func.func @conv_5x5(%x: tensor<1x2x16x16xf32>) -> tensor<1x3x16x16xf32> {
  %w = arith.constant dense<0.5> : tensor<3x2x5x5xf32>
  %b = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = cgnet.conv2d %x, %w, %b {padding = array<i64: 2, 2, 2, 2>} : (tensor<1x2x16x16xf32>, tensor<3x2x5x5xf32>, tensor<3xf32>) -> tensor<1x3x16x16xf32>
  return %y : tensor<1x3x16x16xf32>
}

// A float gated convolution with 16 base channels (of 64): the conditional
// path in runs. The 48 conditional channels channels-last (no padding
// needed: 48 floats are whole 64-byte vectors), one row of the padded plane
// per 10 x 48 floats plus a padding row; the weights 8 x 3 x 144 (a kernel
// row's three taps one run); per output, 16 floats at a time of the 3 runs
// (3 chains), reduced once.
// CHECK-LABEL: func.func @gated_runs
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x11x10x48xf32>)
// CHECK: tensor.extract_slice %{{.*}}[0, 1, 1, 0] [1, 8, 8, 48]
// CHECK: tensor.extract_slice %arg0[0, 16, 0, 0] [1, 48, 8, 8]
// CHECK: tensor.collapse_shape %{{.*}} {{\[\[}}0], [1], [2, 3]] : tensor<1x11x10x48xf32> into tensor<1x11x480xf32>
// CHECK: linalg.generic
// CHECK-SAME: ins(%{{.*}}, %{{.*}}, %{{.*}} : tensor<8xf32>, tensor<1x11x480xf32>, tensor<8x3x144xf32>) outs(%{{.*}} : tensor<1x8x8x8xf32>)
// CHECK-SAME: run_channels = 48 : i64
// CHECK: scf.for %{{.*}} = %c0 to %c144 step %c16 {{.*}} -> (vector<16xf32>, vector<16xf32>, vector<16xf32>)
// CHECK-COUNT-3: vector.fma
// CHECK: vector.reduction <add>, %{{.*}} fastmath<reassoc>
func.func @gated_runs(%x: tensor<1x64x8x8xf32>) -> tensor<1x8x8x8xf32> {
  %w = arith.constant dense<0.25> : tensor<8x64x3x3xf32>
  %b = arith.constant dense<0.5> : tensor<8xf32>
  %t = arith.constant dense<1.0> : tensor<8xf32>
  %y = cgnet.channel_gated_conv2d %x, %w, %t, %b {padding = array<i64: 1, 1, 1, 1>, partitions = 4 : i64} : (tensor<1x64x8x8xf32>, tensor<8x64x3x3xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x8x8xf32>
  return %y : tensor<1x8x8x8xf32>
}
