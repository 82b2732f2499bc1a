//===- CGNetOps.td - cgnet operations ----------------------*- tablegen -*-===//
//
// Layer-level operations on NCHW tensors. Shapes, channel counts, group
// divisibility, bit widths and attribute ranges are checked by the C++
// verifiers in lib/Dialect/CGNet/IR/CGNetOps.cpp; the evaluator in
// lib/Reference defines what each op computes.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_DIALECT_CGNET_IR_CGNETOPS_TD
#define CGNET_DIALECT_CGNET_IR_CGNETOPS_TD

include "cgnet/Dialect/CGNet/IR/CGNetDialect.td"
include "cgnet/Dialect/CGNet/IR/CGNetInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"
include "mlir/IR/BuiltinAttributes.td"

class CGNet_Op<string mnemonic, list<Trait> traits = []>
    : Op<CGNet_Dialect, mnemonic, !listconcat(traits, [Pure])> {
  let hasVerifier = 1;
}

// Attributes shared by every 2-D convolution.
defvar ConvAttrs = (ins
  DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
  DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
  DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations);

defvar PoolAttrs = (ins
  DenseI64ArrayAttr:$kernel,
  DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
  DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding);

//===----------------------------------------------------------------------===//
// Convolution and fully connected
//===----------------------------------------------------------------------===//

def CGNet_Conv2DOp : CGNet_Op<"conv2d"> {
  let summary = "2-D convolution (grouped, depthwise, strided, padded, dilated)";
  let description = [{
    `out[n, o, y, x] = bias[o] + sum_{c, ky, kx} in[n, g*Ig + c, y*sh - pt + ky*dh,
    x*sw - pl + kx*dw] * w[o, c, ky, kx]` where `g = o / (O / groups)`,
    `Ig = C / groups` is the weight's second dimension and out-of-range input
    positions read zero (the input's zero point for quantized inputs).
    `padding` is `[top, left, bottom, right]`. A depthwise convolution is
    `groups = C` with weight `C*m x 1 x kh x kw`.

    Float form: `f32` input, weight, bias and result. Integer form: input
    and weight are integers or `!quant.uniform` (2-8 bit storage), their
    zero points are subtracted, products accumulate in `i32`, the optional
    bias is `i32` and the result is the `i32` accumulator.

    ```mlir
    %y = cgnet.conv2d %x, %w, %b {strides = array<i64: 2, 2>,
           padding = array<i64: 1, 1, 1, 1>}
         : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
         -> tensor<1x16x16x16xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                            Optional<AnyRankedTensor>:$bias),
                       ConvAttrs,
                       (ins DefaultValuedAttr<I64Attr, "1">:$groups));
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

def CGNet_FullyConnectedOp : CGNet_Op<"fully_connected"> {
  let summary = "fully connected layer";
  let description = [{
    `out[n, o] = bias[o] + sum_k in[n, k] * w[o, k]`, with the same float and
    integer forms as `cgnet.conv2d`.

    ```mlir
    %y = cgnet.fully_connected %x, %w, %b
         : (tensor<1x512xf32>, tensor<10x512xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                       Optional<AnyRankedTensor>:$bias);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Gated convolutions
//===----------------------------------------------------------------------===//

def CGNet_ChannelGatedConv2DOp : CGNet_Op<"channel_gated_conv2d",
    [DeclareOpInterfaceMethods<GatedOpInterface, ["getBaseFraction", "getDenseMACs"]>]> {
  let summary = "channel-gated convolution (CGNet)";
  let description = [{
    A convolution whose input channels are split into a base path and a
    conditional path, as `CGConv2d` in the reference code. With `C` input
    channels, `O` output channels and `p = partitions`:
    - not `grouped`: the base path of every output channel is input channels
      `[0, C/p)`;
    - `grouped`: output channel `o` is in group `k = o / (O/p)` and its base
      path is input channels `[k*C/p, (k+1)*C/p)`.

    `partial = conv(in, w * M) + bias` where `M` masks the base channels; the
    gate of output `(n, o, y, x)` is on where `partial > threshold[o]`
    (float) or `partial >= threshold[o]` (integer); the result is
    `conv(in, w) + bias` where the gate is on and `partial` where it is off.
    A threshold of `-inf` (`INT32_MIN`) reproduces `cgnet.conv2d` exactly.
    The convolution itself is not grouped (`C` must be divisible by `p`,
    `O` too when `grouped`).

    ```mlir
    %y = cgnet.channel_gated_conv2d %x, %w, %thr {partitions = 4 : i64,
           grouped = true, padding = array<i64: 1, 1, 1, 1>}
         : (tensor<1x16x8x8xf32>, tensor<16x16x3x3xf32>, tensor<16xf32>)
         -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                            AnyRankedTensor:$threshold,
                            Optional<AnyRankedTensor>:$bias),
                       ConvAttrs,
                       (ins I64Attr:$partitions,
                            DefaultValuedAttr<BoolAttr, "false">:$grouped));
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $threshold (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
  let extraClassDeclaration = [{
    /// True where input channel `c` is on the base path of output channel `o`.
    bool isBaseChannel(int64_t o, int64_t c);
  }];
}

def CGNet_PrecisionGatedConv2DOp : CGNet_Op<"precision_gated_conv2d",
    [DeclareOpInterfaceMethods<GatedOpInterface, ["getBaseFraction", "getDenseMACs"]>]> {
  let summary = "precision-gated convolution (integer)";
  let description = [{
    Precision gating as `PGConv2d` in the reference code, on integers. The
    input holds `bits`-bit values `q` (zero point subtracted); with
    `lb = bits - high_bits` they are split sign-magnitude into
    `q_hb = sign(q) * (|q| >> lb)` and `q_lb = q - (q_hb << lb)`, so that
    `q * W = 2^lb * (q_hb * W) + q_lb * W` exactly.

    `msb = (conv(q_hb, w) << lb) + bias`; the gate of output `(n, o, y, x)` is
    on where `msb >= threshold[o]`; the result is `msb + conv(q_lb, w)` where
    the gate is on and `msb` where it is off. A threshold of `INT32_MIN`
    reproduces the integer `cgnet.conv2d` exactly. Input and weight are
    integer or quantized, the threshold and optional bias `i32`, the
    result the `i32` accumulator; the convolution is not grouped.

    ```mlir
    %y = cgnet.precision_gated_conv2d %x, %w, %thr {bits = 8 : i64, high_bits = 4 : i64}
         : (tensor<1x8x8x8xi8>, tensor<8x8x1x1xi8>, tensor<8xi32>) -> tensor<1x8x8x8xi32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input, AnyRankedTensor:$weight,
                            AnyRankedTensor:$threshold,
                            Optional<AnyRankedTensor>:$bias),
                       ConvAttrs,
                       (ins I64Attr:$bits, I64Attr:$high_bits));
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $weight `,` $threshold (`,` $bias^)? attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

def CGNet_MaxPool2DOp : CGNet_Op<"max_pool2d"> {
  let summary = "2-D max pooling";
  let description = [{
    Maximum over each `kernel` window; padded positions are ignored. Float
    or integer (on storage values; the zero point is unchanged, so input and
    result types are equal).

    ```mlir
    %y = cgnet.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
         : (tensor<1x16x8x8xf32>) -> tensor<1x16x4x4xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input), PoolAttrs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CGNet_AvgPool2DOp : CGNet_Op<"avg_pool2d"> {
  let summary = "2-D average pooling";
  let description = [{
    Mean over each `kernel` window. Padded positions count in the divisor
    only when `count_include_pad` is set. Integer form: the sum of
    `q - zp` is divided by the count, rounded half away from zero, and the
    zero point added back; input and result types are equal.

    ```mlir
    %y = cgnet.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>}
         : (tensor<1x16x8x8xf32>) -> tensor<1x16x4x4xf32>
    ```
  }];
  let arguments = !con((ins AnyRankedTensor:$input), PoolAttrs,
                       (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad));
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CGNet_GlobalAvgPoolOp : CGNet_Op<"global_avg_pool"> {
  let summary = "global average pooling to N x C x 1 x 1";
  let description = [{
    Mean over the spatial dimensions, with the integer rounding of
    `cgnet.avg_pool2d`.

    ```mlir
    %y = cgnet.global_avg_pool %x : (tensor<1x512x7x7xf32>) -> tensor<1x512x1x1xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

def CGNet_AddOp : CGNet_Op<"add", [SameOperandsAndResultType]> {
  let summary = "elementwise addition (residual connections)";
  let description = [{
    Operands and result have one type. Float: `a + b`. `i32`: wrapping
    addition. Narrow integer or quantized (one scale for all three):
    `sat(zp + (a - zp) + (b - zp))`.

    ```mlir
    %y = cgnet.add %a, %b : tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($output)";
}

def CGNet_ReluOp : CGNet_Op<"relu", [SameOperandsAndResultType]> {
  let summary = "rectified linear unit";
  let description = [{
    `max(x, 0)`; for quantized values `max(q, zp)`, i.e. real zero.

    ```mlir
    %y = cgnet.relu %x : tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_LeakyReluOp : CGNet_Op<"leaky_relu", [SameOperandsAndResultType]> {
  let summary = "leaky rectified linear unit";
  let description = [{
    `x >= 0 ? x : alpha * x`, with `alpha` in `[0, 1]`.

    Integer form, on `v = q - zp`: `zp + (v >= 0 ? v : round(v * m / 2^s))`
    where `m * 2^-s` is the 31-bit fixed-point form of `alpha` (multiplier
    in `[2^30, 2^31)`, as `cgnet.requantize` uses) and `round` is half away
    from zero; `alpha = 0` gives ReLU. The result keeps the input's scale.

    ```mlir
    %y = cgnet.leaky_relu %x {alpha = 0.2 : f32} : tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, F32Attr:$alpha);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_SigmoidOp : CGNet_Op<"sigmoid", [SameOperandsAndResultType]> {
  let summary = "logistic sigmoid (float)";
  let description = [{
    `1 / (1 + exp(-x))` on f32 tensors. No integer form yet:
    `--cgnet-quantize` keeps it float (a float island between a dequantize
    and a quantize).

    ```mlir
    %y = cgnet.sigmoid %x : tensor<1x16x1x1xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_SoftmaxOp : CGNet_Op<"softmax", [SameOperandsAndResultType]> {
  let summary = "softmax along one axis (float)";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis` (ONNX Softmax), on f32
    tensors; the exponentials and the sum are computed in double. No
    integer form yet: `--cgnet-quantize` keeps it float (a float island).

    ```mlir
    %p = cgnet.softmax %logits {axis = 1 : i64} : tensor<1x10xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_HardSigmoidOp : CGNet_Op<"hard_sigmoid", [SameOperandsAndResultType]> {
  let summary = "hard sigmoid (float)";
  let description = [{
    `max(0, min(1, alpha * x + beta))` on f32 tensors (ONNX HardSigmoid;
    HardSwish is `x * hard_sigmoid(x)` with `alpha = 1/6`, `beta = 0.5`).
    No integer form yet: `--cgnet-quantize` keeps it float (a float
    island).

    ```mlir
    %y = cgnet.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x16x1x1xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, F32Attr:$alpha, F32Attr:$beta);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_MulOp : CGNet_Op<"mul"> {
  let summary = "elementwise multiplication, with per-channel broadcast (float)";
  let description = [{
    `out = lhs * rhs` on f32 tensors. `rhs` has the shape of `lhs`, or
    `N x C x 1 x 1` for a 4-D `lhs` (squeeze-and-excitation scaling: one
    factor per sample and channel). No integer form yet:
    `--cgnet-quantize` keeps it float (a float island).

    ```mlir
    %y = cgnet.mul %x, %s : (tensor<1x16x8x8xf32>, tensor<1x16x1x1xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$lhs, AnyRankedTensor:$rhs);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
}

def CGNet_ClampOp : CGNet_Op<"clamp", [SameOperandsAndResultType]> {
  let summary = "clamp to a range (ReLU6 and friends)";
  let description = [{
    `min(max(x, min), max)`. Float tensors take `min_fp`/`max_fp`; integer
    and quantized tensors take `min_int`/`max_int` on storage values, which
    must lie in the storage range.

    ```mlir
    %y = cgnet.clamp %x {min_fp = 0.0 : f32, max_fp = 6.0 : f32} : tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       OptionalAttr<F32Attr>:$min_fp, OptionalAttr<F32Attr>:$max_fp,
                       OptionalAttr<I64Attr>:$min_int, OptionalAttr<I64Attr>:$max_int);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_BatchNormOp : CGNet_Op<"batch_norm"> {
  let summary = "inference batch normalization (float; folded before quantization)";
  let description = [{
    `out[n, c, ...] = (in - mean[c]) / sqrt(var[c] + epsilon) * scale[c] + bias[c]`
    on any `N x C x ...` tensor (rank >= 2). `--cgnet-fold-batchnorm` folds
    it into a preceding convolution.

    ```mlir
    %y = cgnet.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-05 : f32}
         : (tensor<1x16x8x8xf32>, tensor<16xf32>, tensor<16xf32>, tensor<16xf32>,
            tensor<16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, AnyRankedTensor:$scale,
                       AnyRankedTensor:$bias, AnyRankedTensor:$mean,
                       AnyRankedTensor:$variance,
                       DefaultValuedAttr<F32Attr, "1.0e-5">:$epsilon);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias `,` $mean `,` $variance attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def CGNet_ConcatOp : CGNet_Op<"concat"> {
  let summary = "concatenation along an axis";
  let description = [{
    All operands have the result's element type and agree on every
    dimension but `axis`.

    ```mlir
    %y = cgnet.concat %a, %b {axis = 1 : i64}
         : (tensor<1x8x4x4xf32>, tensor<1x8x4x4xf32>) -> tensor<1x16x4x4xf32>
    ```
  }];
  let arguments = (ins Variadic<AnyRankedTensor>:$inputs, I64Attr:$axis);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
}

def CGNet_ChannelShuffleOp : CGNet_Op<"channel_shuffle", [SameOperandsAndResultType]> {
  let summary = "ShuffleNet channel shuffle";
  let description = [{
    With `C` channels and `g = groups`: `out[:, o] = in[:, (o mod g) * (C/g) + o / g]`,
    i.e. `x.view(N, g, C/g, H, W).transpose(1, 2).flatten(1, 2)`.

    ```mlir
    %y = cgnet.channel_shuffle %x {groups = 4 : i64} : tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, I64Attr:$groups);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_UpsampleNearestOp : CGNet_Op<"upsample_nearest"> {
  let summary = "nearest-neighbour upsampling by integer factors";
  let description = [{
    `out[n, c, y, x] = in[n, c, y floordiv fh, x floordiv fw]` with
    `factors = [fh, fw]`: each pixel repeated `fh x fw` times (ONNX Resize,
    mode nearest, at integer scales). Float, integer or quantized; the
    result has the input's element type.

    ```mlir
    %y = cgnet.upsample_nearest %x {factors = array<i64: 2, 2>}
         : (tensor<1x8x4x4xf32>) -> tensor<1x8x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$factors);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CGNet_InsertZerosOp : CGNet_Op<"insert_zeros"> {
  let summary = "spread each plane's pixels apart with zeros between";
  let description = [{
    `out[n, c, y * sh, x * sw] = in[n, c, y, x]` with `strides = [sh, sw]`
    and zero (the zero point, for quantized types) everywhere else; the
    result is `(H - 1) * sh + 1` by `(W - 1) * sw + 1`. A strided
    transposed convolution is this followed by a stride-1 convolution
    with the kernel flipped (how ONNX ConvTranspose imports).

    ```mlir
    %y = cgnet.insert_zeros %x {strides = array<i64: 2, 2>}
         : (tensor<1x8x4x4xf32>) -> tensor<1x8x7x7xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$strides);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CGNet_ChannelDuplicateOp : CGNet_Op<"channel_duplicate"> {
  let summary = "append copies of selected channels (outlier channel splitting)";
  let description = [{
    `out = concat(in, in[:, indices], axis = 1)`: the result has
    `C + len(indices)` channels.

    ```mlir
    %y = cgnet.channel_duplicate %x {indices = array<i64: 3, 3, 7>}
         : (tensor<1x16x8x8xf32>) -> tensor<1x19x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$indices);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CGNet_ChannelPermuteOp : CGNet_Op<"channel_permute", [SameOperandsAndResultType]> {
  let summary = "permute channels";
  let description = [{
    `out[:, o] = in[:, permutation[o]]`; `permutation` is a permutation of
    `[0, C)`.

    ```mlir
    %y = cgnet.channel_permute %x {permutation = array<i64: 1, 0, 3, 2>} : tensor<1x4x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($output)";
}

def CGNet_TransposeOp : CGNet_Op<"transpose"> {
  let summary = "layout change (dimension permutation)";
  let description = [{
    `out[i_0, ..., i_r] = in[j]` with `j[permutation[d]] = i_d`, i.e. result
    dimension `d` is input dimension `permutation[d]`. Used at the borders of
    imported NHWC graphs; pairs that cancel fold away.

    ```mlir
    %y = cgnet.transpose %x {permutation = array<i64: 0, 3, 1, 2>}
         : (tensor<1x8x8x16xf32>) -> tensor<1x16x8x8xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def CGNet_ReshapeOp : CGNet_Op<"reshape"> {
  let summary = "reshape (row-major, same number of elements)";
  let description = [{
    Reinterprets the row-major element order under the static result shape
    (flatten before a fully connected layer).

    ```mlir
    %y = cgnet.reshape %x : (tensor<1x512x1x1xf32>) -> tensor<1x512xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def CGNet_QuantizeOp : CGNet_Op<"quantize"> {
  let summary = "float to !quant.uniform";
  let description = [{
    `q = sat(round(x / scale) + zp)` with the scale and zero point of the
    result's `!quant.uniform` type (per tensor, or per axis along the
    type's quantized dimension). `rounding` is `half_away_from_zero` (the
    default, the project's convention), `half_to_even` (ONNX
    QuantizeLinear) or `half_up`.

    ```mlir
    %q = cgnet.quantize %x : (tensor<1x16x8x8xf32>) -> tensor<1x16x8x8x!quant.uniform<i8:f32, 0.05:-3>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input,
                       DefaultValuedAttr<CGNet_RoundingModeAttr,
                         "::cgnet::RoundingMode::HalfAwayFromZero">:$rounding);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CGNet_DequantizeOp : CGNet_Op<"dequantize"> {
  let summary = "!quant.uniform to float";
  let description = [{
    `x = (q - zp) * scale`.

    ```mlir
    %x = cgnet.dequantize %q : (tensor<1x10x!quant.uniform<i8:f32, 0.1>>) -> tensor<1x10xf32>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def CGNet_RequantizeOp : CGNet_Op<"requantize"> {
  let summary = "integer rescale by fixed-point multiplier and shift";
  let description = [{
    For every element, with `c` its index along `axis` when the multiplier
    and shift are per channel:
    `out = sat(zp_out + round((in - zp_in) * multiplier[c] / 2^shift[c]))`,
    computed in 64-bit integers. `rounding` is `half_away_from_zero` (the
    default, the project's convention) or `half_up` (TOSA `SINGLE_ROUND`:
    `(v * m + 2^(shift-1)) >> shift`); `half_to_even` is not supported
    here. `multiplier` is in `[0, 2^31)`, `shift`
    in `[0, 62]`; both have one entry or one per channel. The input is `i32`
    (an accumulator) or a narrow integer/quantized type; the result is a
    narrow integer or quantized type, or `i32`. No float is involved.

    ```mlir
    %q = cgnet.requantize %acc {multiplier = array<i32: 1518500250>, shift = array<i32: 38>}
         : (tensor<1x16x8x8xi32>) -> tensor<1x16x8x8x!quant.uniform<i8:f32, 0.05>>
    ```
  }];
  let arguments = (ins AnyRankedTensor:$input, DenseI32ArrayAttr:$multiplier,
                       DenseI32ArrayAttr:$shift,
                       DefaultValuedAttr<I64Attr, "1">:$axis,
                       DefaultValuedAttr<CGNet_RoundingModeAttr,
                         "::cgnet::RoundingMode::HalfAwayFromZero">:$rounding);
  let results = (outs AnyRankedTensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

#endif // CGNET_DIALECT_CGNET_IR_CGNETOPS_TD
