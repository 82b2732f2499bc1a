//===- Passes.td - cgnet transformation passes -------------*- tablegen -*-===//

#ifndef CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_TD
#define CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CGNetFoldBatchNorm : Pass<"cgnet-fold-batchnorm"> {
  let summary = "Fold inference batch normalization into the preceding convolution";
  let description = [{
    Rewrites `cgnet.batch_norm(cgnet.conv2d(x, W, b))` into one convolution
    with

    ```
    k[o]  = scale[o] / sqrt(var[o] + epsilon)
    W'[o] = W[o] * k[o]
    b'[o] = (b[o] - mean[o]) * k[o] + bias[o]
    ```

    computed in double precision and stored as f32.

    A batch norm after a `cgnet.channel_gated_conv2d` folds the same way:
    batch norm is affine per channel, so it commutes with the gate's select,
    and the threshold becomes `tau'[o] = (tau[o] - mean[o]) * k[o] + bias[o]`
    (minus infinity stays minus infinity). This needs `k[o] > 0` for every
    channel; otherwise the comparison would flip and the pass refuses. The rewrite is exact in
    real arithmetic; in f32 it agrees with the unfolded network to rounding
    error (the tests check 1e-5 relative on random and imported weights).

    The convolution's weight, bias (if any) and threshold must be constants,
    and the convolution's result must have no other user. A batch norm that cannot be
    folded is an error naming the reason, unless `allow-unfolded` is set, in
    which case it stays and a warning says why.

    Example:

    ```mlir
    %c = cgnet.conv2d %x, %w : (...) -> tensor<1x16x8x8xf32>
    %y = cgnet.batch_norm %c, %s, %b, %m, %v : (...) -> tensor<1x16x8x8xf32>
    // becomes
    %y = cgnet.conv2d %x, %w_folded, %b_folded : (...) -> tensor<1x16x8x8xf32>
    ```
  }];
  let options = [
    Option<"allowUnfolded", "allow-unfolded", "bool", /*default=*/"false",
           "Keep (with a warning) batch norms that cannot be folded instead of failing">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def CGNetOCS : Pass<"cgnet-ocs", "::mlir::func::FuncOp"> {
  let summary = "Outlier channel splitting of weights or activations";
  let description = [{
    Outlier channel splitting (OCS, dnn-quant-ocs) duplicates the channels
    that hold the largest magnitudes and halves them, so that a quantizer
    with a smaller clip value loses less. The network computes the same
    function (exactly in real arithmetic).

    `mode=weights` (the reference's `ocs_wts`): for each selected
    `cgnet.conv2d` (`groups = 1`) with `I` input channels it splits
    `n = ceil(expand-ratio * I)` times the input channel holding the largest
    `|w|` of the current weight (appended channels included, so a channel
    can be split again). Split weights are halved where `|w| > split_value`
    (`split_value = split-threshold * max(ch)`, 0 by default: the whole
    channel). With `grid-aware` the halves are `w/2 -+ step/4`, with `step`
    the weight quantization step of `weight-bits`, `weight-clip` and
    `granularity` (the reference's two-stage procedure: a plain split to
    find the clip value, then the grid-aware split of the original weight),
    so that the two quantized halves add up to the quantized original. The
    clip values used are recorded on the convolution
    (`cgnet.weight_clip`, `cgnet.weight_clip_bits`) and `--cgnet-quantize`
    reuses them; the original channel of every appended channel is
    recorded as `cgnet.ocs_copy`.

    The convolution then reads `I + n` channels: the producer's channels are
    duplicated by folding the copies into the producing `cgnet.conv2d`'s
    weights and bias when the path from it is single-use and per-channel
    (`relu`, `leaky_relu`, `clamp`, pooling), or else by a
    `cgnet.channel_duplicate`.

    `mode=activations`: for each selected convolution, the `n` input
    channels with the largest calibrated magnitude (`calibration` inputs)
    are split: the producing convolution's output channel is halved
    (weights and bias) and duplicated, and the consumer's weight column is
    duplicated unchanged. This is exact only when every op between the two
    convolutions is positively homogeneous (`relu`, `leaky_relu`, max and
    average pooling, `clamp` to `[0, +inf]`); a convolution reached by
    any other path (or from a function argument) is an error naming the op
    when it is listed in `layers`, and is skipped with a warning otherwise.

    Convolutions with `skip-in-channels` input channels (3 by default: the
    RGB input layer, as the reference), grouped convolutions and fully
    connected layers are left alone. Run this before `--cgnet-quantize` and
    before gating; gated or integer convolutions are an error.

    ```mlir
    %y = cgnet.conv2d %x, %w : (tensor<1x4x8x8xf32>, tensor<8x4x3x3xf32>) -> ...
    // expand-ratio=0.25 grid-aware=false becomes
    %d = cgnet.channel_duplicate %x {indices = array<i64: 2>} : ... -> tensor<1x5x8x8xf32>
    %y = cgnet.conv2d %d, %w_split {cgnet.ocs_copy = array<i64: 2>} : ...
    ```
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"weights\"",
           "What to split: 'weights' or 'activations'">,
    Option<"expandRatio", "expand-ratio", "double", /*default=*/"0.02",
           "Channels to add, as a fraction of the input channels (n = ceil(ratio * I))">,
    Option<"splitThreshold", "split-threshold", "double", /*default=*/"0.0",
           "Split only weights with |w| > split-threshold * max(channel)">,
    Option<"gridAware", "grid-aware", "bool", /*default=*/"true",
           "Offset the halves by -+ step/4 so that they quantize exactly (weights mode)">,
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits the grid-aware split prepares for (2-8)">,
    Option<"weightClip", "weight-clip", "std::string", /*default=*/"\"none\"",
           "Weight clip method for the grid: none, mse, aciq or kl">,
    Option<"weightClipRatio", "weight-clip-ratio", "double", /*default=*/"1.0",
           "With weight-clip=none: clip at ratio * max|W| of the split weight">,
    Option<"granularity", "granularity", "std::string", /*default=*/"\"per-channel\"",
           "Weight quantization grid: per-tensor (the reference) or per-channel (as --cgnet-quantize's default)">,
    Option<"skipInChannels", "skip-in-channels", "int64_t", /*default=*/"3",
           "Leave convolutions with this many input channels alone (0: none)">,
    ListOption<"layers", "layers", "int64_t",
               "Only these convolutions (indices of cgnet.conv2d ops in the function, from 0)">,
    ListOption<"calibration", "calibration", "std::string",
               "Calibration .npy inputs (activations mode)">,
    Option<"foldIntoProducer", "fold-into-producer", "bool", /*default=*/"true",
           "Duplicate channels inside the producing convolution where possible (weights mode)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def CGNetQuantize : Pass<"cgnet-quantize", "::mlir::func::FuncOp"> {
  let summary = "Quantize a float cgnet model to integers (symmetric, with clipping)";
  let description = [{
    Rewrites a float function into an integer one that the reference
    evaluator runs with no float in between: inputs are quantized on entry
    (`cgnet.quantize`), every activation is a symmetric signed
    `!quant.uniform` of `act-bits` bits, convolutions and fully connected
    layers take `weight-bits` symmetric weights (per tensor or per output
    channel), accumulate in `i32` with an `i32` bias
    (`round(b / (s_x s_w))`), and are requantized to their output's scale by
    a fixed-point multiplier and shift (`cgnet.requantize`, half away from
    zero). Adds and concatenations requantize their operands to the
    result's scale; ReLU, pooling and data movement keep their input's
    scale; clamp bounds become integer bounds. Results are dequantized to
    f32, so the function's signature does not change.

    Channel-gated convolutions get the integer threshold
    `floor(tau / (s_x s_w[o])) + 1`, the smallest accumulator with
    `acc * s_x s_w[o] > tau` (`-inf` becomes `INT32_MIN`).

    Clip values (`weight-clip`, `act-clip`) follow the OCS reference code:
    `none` clips at `ratio * max|x|`, `mse` searches a 201-bin histogram,
    `aciq` uses the Gaussian/Laplace alpha tables (2-8 bits), `kl` the
    TensorRT KL search with `2^b - 1` bins. The scale is
    `clip / (2^(b-1) - 1)`. Weight clip values recorded by `--cgnet-ocs`
    are reused so that a grid-aware split stays exact.

    Activation ranges come from `calibration` inputs (the float model is run
    on them with the reference evaluator; a file whose leading dimension is
    a multiple of the argument's is split into samples), from
    `random-calibration=N` deterministic random inputs uniform in [-1, 1]
    (for per-layer studies without data), or from the static `act-range`
    (clip value of every activation).

    In a module of several functions, each function's report goes to
    `FILE` with `.<function>` before the extension.

    `report=FILE` writes a JSON report per layer (bits, clip method and
    value, channels split by OCS, weight quantization MSE and SQNR before
    and after OCS, size overhead), `report-table=FILE` (`-` for stderr) a
    readable table; `cgnet-opt --cgnet-quant-report=FILE` and
    `--cgnet-quant-report-table=FILE` set them for every run of the pass.

    Ops without an integer form (sigmoid, hard sigmoid, mul, softmax, and
    batch norm that follows no convolution) stay float: each reads
    dequantized values (or another such op's float result), and its result
    gets a calibrated scale and a quantize for integer readers ("float
    islands"; the CPU runs them, the accelerator does not). Where a bias
    does not fit in i32 at the accumulator's scale, that channel's weight
    step widens until it does.

    Batch norm after a convolution must be folded first; quantization ops,
    precision-gated convolutions or integer tensors already in the
    function are an error.
  }];
  let options = [
    Option<"weightBits", "weight-bits", "unsigned", /*default=*/"8",
           "Weight bits (2-8)">,
    Option<"actBits", "act-bits", "unsigned", /*default=*/"8",
           "Activation bits (2-8)">,
    Option<"granularity", "granularity", "std::string", /*default=*/"\"per-channel\"",
           "Weight scales: per-tensor or per-channel (per output channel)">,
    Option<"weightClip", "weight-clip", "std::string", /*default=*/"\"none\"",
           "Weight clip method: none, mse, aciq or kl">,
    Option<"weightClipRatio", "weight-clip-ratio", "double", /*default=*/"1.0",
           "With weight-clip=none: clip at ratio * max|W|">,
    Option<"actClip", "act-clip", "std::string", /*default=*/"\"none\"",
           "Activation clip method: none, mse, aciq or kl">,
    Option<"actClipRatio", "act-clip-ratio", "double", /*default=*/"1.0",
           "With act-clip=none: clip at ratio * max|x| over the calibration inputs">,
    ListOption<"calibration", "calibration", "std::string",
               "Calibration .npy inputs (one per function argument, per sample)">,
    Option<"randomCalibration", "random-calibration", "int64_t", /*default=*/"0",
           "Calibrate on this many deterministic random inputs, uniform in [-1, 1] (studies without data)">,
    Option<"actRange", "act-range", "double", /*default=*/"0.0",
           "Static clip value for every activation instead of calibration">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write the per-layer JSON report to this file">,
    Option<"reportTable", "report-table", "std::string", /*default=*/"\"\"",
           "Write the per-layer table to this file ('-' for stderr)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect"];
}

def CGNetChannelGating : Pass<"cgnet-channel-gating", "::mlir::func::FuncOp"> {
  let summary = "Turn convolutions into channel-gated convolutions (CGNet)";
  let description = [{
    Rewrites selected `cgnet.conv2d` ops (ungrouped) into
    `cgnet.channel_gated_conv2d` with `partitions = p` (base path `1/p` of
    the input channels: the first `C/p`, or with `grouped` input group `k`
    for output group `k`) and a per-output-channel threshold. Gated-off
    outputs keep the partial sum; the layer's own batch norm and ReLU stay
    after it, as in the reference (fold the batch norm afterwards with
    `--cgnet-fold-batchnorm`, which moves the threshold).

    Thresholds come from exactly one of:
    - `thresholds=FILE`: JSON keyed by layer name (the op's name location,
      or `conv2d@line:col`), each `{"delta": [...] | x, "mean": [...],
      "var": [...], "eps": 1e-5}`: the trained `Delta` of the reference and
      the statistics of its gate batch norm (`affine=False`), giving
      `tau = mean + Delta * sqrt(var + eps)`; without `mean`/`var`,
      `tau = Delta`.
    - `target-off-rate=r` with `calibration` inputs (or
      `random-calibration=N`): for each layer in order, with the layers
      before it already gated, `tau[o]` is the `r`-quantile of channel `o`'s
      partial sums over the calibration inputs, so that a fraction `r` of
      the outputs is gated off (a capability beyond the reference, which
      only trains thresholds).
    - `threshold=x`: one value for every channel (`-inf` reproduces the
      ungated model exactly).

    Float models get f32 thresholds (`partial > tau`); integer models
    (after `--cgnet-quantize`) get the `i32` threshold
    `floor(tau / (s_x s_w[o])) + 1` (`partial >= thr`), or from calibration
    the integer quantile plus one.

    A convolution annotated `cgnet.base_groups = g` by
    `--cgnet-group-shuffle` is gated with `partitions = g`, `grouped`.

    Selection: every ungrouped convolution (`layers`: indices among the
    function's `cgnet.conv2d` ops; `names`: layer names), except those with
    `skip-in-channels` input channels (3: the RGB input layer, which the
    reference does not gate). A layer whose channels are not divisible by
    `p` is an error when selected explicitly and skipped with a warning
    otherwise. Run after `--cgnet-ocs` (OCS refuses gated layers).
  }];
  let options = [
    Option<"partitions", "partitions", "int64_t", /*default=*/"4",
           "p: the base path is 1/p of the input channels">,
    Option<"grouped", "grouped", "bool", /*default=*/"false",
           "Output group k takes input group k as its base path (else the first C/p channels)">,
    ListOption<"layers", "layers", "int64_t",
               "Only these convolutions (indices of cgnet.conv2d ops, from 0)">,
    ListOption<"names", "names", "std::string",
               "Only these convolutions (layer names)">,
    Option<"skipInChannels", "skip-in-channels", "int64_t", /*default=*/"3",
           "Leave convolutions with this many input channels ungated (0: none)">,
    Option<"thresholds", "thresholds", "std::string", /*default=*/"\"\"",
           "JSON file of trained Delta and gate batch-norm statistics per layer">,
    Option<"targetOffRate", "target-off-rate", "double", /*default=*/"-1.0",
           "Calibrate thresholds so that this fraction of outputs is gated off">,
    ListOption<"calibration", "calibration", "std::string",
               "Calibration .npy inputs for target-off-rate">,
    Option<"randomCalibration", "random-calibration", "int64_t", /*default=*/"0",
           "Calibrate on this many deterministic random inputs instead">,
    Option<"threshold", "threshold", "std::string", /*default=*/"\"\"",
           "One threshold for every channel (a number, or -inf)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def CGNetFlopReport : Pass<"cgnet-flop-report", "::mlir::func::FuncOp"> {
  let summary = "Report dense, base and effective MACs with measured gate-on rates";
  let description = [{
    An analysis (the IR is unchanged): runs the function on the given
    inputs with the reference evaluator, measures every gated
    convolution's gate-on rate, and reports per layer (every convolution,
    gated convolution and fully connected layer):
    - dense MACs (the ungated layer), base-path MACs (`f` = the base
      fraction: `1/p` for channel gating, `high_bits/bits` for precision
      gating, as `GatedOpInterface` gives it) and the comparisons the gates
      cost (one per output);
    - the measured gate-on rate `on`;
    - effective MACs `dense * (f + on * (1 - f))` (for precision gating in
      `bits`-bit MAC equivalents, i.e. `dense * B_avg / bits`) and the FLOP
      reduction `dense / effective`;
    - for precision gating, `B_avg = high_bits + on * (bits - high_bits)`.

    Ungated layers count as dense. The network's reduction is
    `sum(dense) / sum(effective)` over layers, computed per layer as
    `../shared/specs/seed-algorithms.md` 1.5 says, not by the reference
    code's activation-weighted aggregate sparsity (also reported, as
    `aggregate_gate_on_rate`, for comparison).

    Inputs: `inputs=` `.npy` files (one per function argument per sample)
    or `random-inputs=N`. `report=FILE` writes JSON, `table=FILE` (`-` for
    stderr) a table; in a module of several functions each function's goes
    to `FILE` with `.<function>` before the extension.
  }];
  let options = [
    ListOption<"inputs", "inputs", "std::string",
               "Input .npy files (one per function argument, per sample)">,
    Option<"randomInputs", "random-inputs", "int64_t", /*default=*/"0",
           "Use this many deterministic random inputs, uniform in [-1, 1]">,
    Option<"report", "report", "std::string", /*default=*/"\"\"",
           "Write the JSON report to this file">,
    Option<"table", "table", "std::string", /*default=*/"\"\"",
           "Write the table to this file ('-' for stderr)">,
  ];
}

def CGNetPrecisionSplit : Pass<"cgnet-precision-split", "::mlir::func::FuncOp"> {
  let summary = "Turn integer convolutions into precision-gated convolutions";
  let description = [{
    Precision gating (ICLR 2020) on an integer model (after
    `--cgnet-quantize`): a selected `cgnet.conv2d` whose input holds
    `bits`-bit activations becomes a `cgnet.precision_gated_conv2d` with
    `high_bits` predicting bits: the activation is split sign-magnitude
    into `q_hb = sign(q)(|q| >> lb)` and `q_lb = q - (q_hb << lb)` with
    `lb = bits - high_bits`, so that `q * W = 2^lb (q_hb * W) + q_lb * W`
    exactly; the gate compares the high-bit partial product
    `msb = (conv(q_hb, W) << lb) + bias` with a per-channel threshold, and
    the low-bit path is added only where the gate is on. Configurations
    such as 8/4, 5/3, 4/3 and 3/2 (`bits`/`high-bits`) need activations
    quantized to `bits` bits (`--cgnet-quantize act-bits=...`).

    `bits` counts the signed two's complement activation (sign included;
    the reference's sign-magnitude `B` excludes the sign), and the scale is
    the model's static quantization scale rather than the reference's
    dynamic `max|x|`: both are deliberate, so that the whole path stays
    integer.

    Thresholds come from exactly one of `thresholds=FILE` (JSON keyed by
    layer name, `{"delta": [...] | x}`: the trained `Delta` of the
    reference in real units, compared with `msb * s_x s_w`, so the integer
    threshold is `floor(Delta / (s_x s_w[o])) + 1`; `mean`/`var` are
    accepted as for channel gating), `target-off-rate=r` with
    `calibration` inputs or `random-calibration=N` (per channel, the
    `r`-quantile of `msb`, layer by layer), or `threshold=x` (a real value
    for every channel; `-inf` reproduces the integer convolution exactly).
    Selection as `--cgnet-channel-gating` (`layers`, `names`,
    `skip-in-channels`); float convolutions are an error (quantize first).
  }];
  let options = [
    Option<"bits", "bits", "int64_t", /*default=*/"0",
           "B: activation bits (0: the input's storage bits)">,
    Option<"highBits", "high-bits", "int64_t", /*default=*/"4",
           "B_hb: the predicting high bits (1 <= B_hb < B)">,
    ListOption<"layers", "layers", "int64_t",
               "Only these convolutions (indices of cgnet.conv2d ops, from 0)">,
    ListOption<"names", "names", "std::string",
               "Only these convolutions (layer names)">,
    Option<"skipInChannels", "skip-in-channels", "int64_t", /*default=*/"3",
           "Leave convolutions with this many input channels alone (0: none)">,
    Option<"thresholds", "thresholds", "std::string", /*default=*/"\"\"",
           "JSON file of trained Delta per layer">,
    Option<"targetOffRate", "target-off-rate", "double", /*default=*/"-1.0",
           "Calibrate thresholds so that this fraction of outputs skips the low bits">,
    ListOption<"calibration", "calibration", "std::string",
               "Calibration .npy inputs for target-off-rate">,
    Option<"randomCalibration", "random-calibration", "int64_t", /*default=*/"0",
           "Calibrate on this many deterministic random inputs instead">,
    Option<"threshold", "threshold", "std::string", /*default=*/"\"\"",
           "One real-valued threshold for every channel (a number, or -inf)">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

def CGNetUngate : Pass<"cgnet-ungate", "::mlir::func::FuncOp"> {
  let summary = "Replace gated convolutions by the dense convolutions they gate";
  let description = [{
    Every `cgnet.channel_gated_conv2d` and `cgnet.precision_gated_conv2d`
    becomes a `cgnet.conv2d` with the same input, weight, bias, strides,
    padding and dilations; the threshold is dropped (it is erased when
    nothing else uses it). The result is the network with every gate on,
    exactly what a threshold of minus infinity computes: the baseline that
    gated runs are compared with (`cgnet-sim --baseline`, the benchmarks).
  }];
}

def CGNetGroupShuffle : Pass<"cgnet-group-shuffle", "::mlir::func::FuncOp"> {
  let summary = "Assign grouped base paths and fold channel shuffles into weights";
  let description = [{
    Prepares a float network for grouped channel gating with ShuffleNet
    mixing, as the reference's `--use_group` and `-shuffle` do, without
    any data movement at run time:

    1. Every `cgnet.channel_shuffle` is folded into the weights: into the
       consuming `cgnet.conv2d`'s columns (`W'[:, pi(o)] = W[:, o]`, where
       shuffled channel `o` reads channel `pi(o) = (o mod g)(C/g) +
       floor(o/g)`), or else into the producing convolution's rows and bias
       (`W'[o] = W[pi(o)]`), through per-channel ops (ReLU, clamp,
       pooling). Exact. A shuffle with neither is left in place with a
       warning.
    2. With `interleave` (default), for every ungrouped `cgnet.conv2d`
       whose input comes from another one through per-channel ops, the
       channels between them are put in shuffled order: the producer's rows
       and the consumer's columns are permuted alike (exact), so that each
       contiguous input group of the consumer holds channels of every
       output group of the producer.
    3. Each such consumer is annotated `cgnet.base_groups = groups`:
       `--cgnet-channel-gating` then gates it with `partitions = groups` and
       `grouped = true`, i.e. output group `k` takes input group `k` as its
       base path (`1/groups` of the MACs).

    The rewrite preserves the function exactly (checked numerically); run
    it before `--cgnet-channel-gating` and `--cgnet-quantize` (gated or
    integer convolutions are errors).
  }];
  let options = [
    Option<"groups", "groups", "int64_t", /*default=*/"4",
           "g = p: the number of base-path groups (base fraction 1/g)">,
    Option<"interleave", "interleave", "bool", /*default=*/"true",
           "Put the channels between consecutive convolutions in shuffled order">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_TD
