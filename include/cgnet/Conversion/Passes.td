//===- Passes.td - cgnet conversion passes -----------------*- tablegen -*-===//

#ifndef CGNET_CONVERSION_PASSES_TD
#define CGNET_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTosaToCGNet : Pass<"convert-tosa-to-cgnet", "::mlir::func::FuncOp"> {
  let summary = "Convert TOSA layer ops into the cgnet dialect";
  let description = [{
    Converts `tosa.conv2d`, `tosa.depthwise_conv2d`, `tosa.matmul` (with a
    constant right-hand side, as a fully connected layer), `tosa.max_pool2d`,
    `tosa.avg_pool2d`, `tosa.add`, `tosa.clamp`, `tosa.concat`,
    `tosa.reshape`, `tosa.transpose`, `tosa.rescale` and `tosa.const` into
    cgnet.

    TOSA is NHWC with OHWI (conv) and HWCM (depthwise) weights; cgnet is NCHW
    with OIHW weights. Every converted layer reads and writes NHWC through
    `cgnet.transpose` ops at its borders, constant weights are transposed at
    compile time, and transposes that cancel fold away, so a chain of layers
    stays NCHW inside and only the function's arguments and results are
    transposed.

    Anything else (a TOSA op without a cgnet counterpart, an attribute cgnet
    cannot express such as `DOUBLE_ROUND` rescaling, non-zero weight zero
    points, a non-constant weight) is an error naming the op and the reason;
    nothing is left half converted. The conversion marks the whole TOSA
    dialect illegal.
  }];
  let dependentDialects = ["::cgnet::CGNetDialect", "::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect"];
}

def ConvertCGNetToCGIsa : Pass<"convert-cgnet-to-cgisa", "::mlir::ModuleOp"> {
  let summary = "Compile integer cgnet functions into CGNet accelerator programs";
  let description = [{
    Replaces every `func.func` with a body by a `cgisa.program` of the same
    name: the instructions that run the function on the CGNet accelerator
    described by the configuration file (`config=`, default: the built-in
    prototype configuration, config/cgnet-prototype.cfg), the DRAM image
    with the weights and per-channel parameters, and the inputs and
    outputs. docs/isa.md describes the machine.

    Layers, in DRAM as int8 NHWC tensors:
    - `cgnet.conv2d` (grouped, depthwise, strided, padded, dilated),
      `cgnet.fully_connected`, `cgnet.channel_gated_conv2d` and
      `cgnet.precision_gated_conv2d`, each followed by its
      `cgnet.requantize` and optionally a `cgnet.relu` or `cgnet.clamp`,
      and (`fuse-residual`) a residual `cgnet.add` of that value with a
      tensor computed earlier, each side optionally requantized per tensor,
      and the ReLUs/clamps after it, fused into one layer: tiled over output rows (the input tile with its
      padding rows and columns) and output channel blocks (a multiple of the
      array width where possible, inside one gating group for grouped
      channel gating, so a tile shares one base input range), double
      buffered with dependency tokens. Gated layers run base conv, gate,
      compact and the conditional conv over the active pixels only.
    - `cgnet.max_pool2d`, `cgnet.avg_pool2d`, `cgnet.global_avg_pool`,
      `cgnet.add`, stand-alone `cgnet.requantize`, `cgnet.relu` and
      `cgnet.clamp` on int8 tensors run on the vector unit. A max or
      average pool of a convolution's result alone (`fuse-pool`) runs in
      that convolution's tiles: each tile pools rows the convolution
      stored a few tiles earlier while the array convolves.
    - `cgnet.reshape` costs nothing when it keeps the NHWC byte order;
      otherwise it gathers the result's bytes by DMA (runs of evenly
      spaced source bytes) and copies them through the vector unit.
    - `cgnet.leaky_relu` after a convolution's requantize (zero point 0,
      full int8 range) runs in the convolution's post-processing.
    - `cgnet.concat` along the channels and `cgnet.upsample_nearest` are
      DMA copies through the vector unit (strided stores).
    - `cgnet.quantize` of an argument and `cgnet.dequantize` of a result
      run on the host (the program's input and output descriptors).

    Anything else (float layers, zero points other than 0, more than 8
    bits, a layer whose smallest tile does not fit the buffers, a field
    that overflows its encoding) is an error naming the op; no program is
    produced for that function.
  }];
  let options = [
    Option<"configPath", "config", "std::string", "\"\"",
           "Accelerator configuration file (key = value lines); empty: the "
           "built-in defaults">,
    Option<"fuseResidual", "fuse-residual", "bool", "true",
           "Run a residual add, with the requantizations and ReLU/clamps "
           "around it, in the post-processing of the convolution that feeds "
           "it (false: a separate element-wise layer)">,
    Option<"fusePool", "fuse-pool", "bool", "true",
           "Run a max or average pool whose input is a convolution's result "
           "alone in that convolution's tiles, on the vector unit beside the "
           "array (false: a layer of its own after the convolution)">,
  ];
  let dependentDialects = ["::cgnet::cgisa::CGIsaDialect"];
}

def ConvertCGNetToCPU : Pass<"convert-cgnet-to-cpu", "::mlir::ModuleOp"> {
  let summary = "Lower float cgnet layers to linalg on tensors for the CPU";
  let description = [{
    The first step of the CPU backend (`--cgnet-cpu-pipeline` continues to
    the LLVM dialect; `cgnet-run --backend=cpu` compiles and runs it,
    `cgnet-compile` writes an object file). Every float op lowers, with the
    reference evaluator's semantics: `cgnet.conv2d` (grouped, depthwise,
    strided, padded, dilated), `cgnet.fully_connected`,
    `cgnet.channel_gated_conv2d`, max, average and global average pooling,
    `cgnet.add`, `cgnet.mul`, `cgnet.relu`, `cgnet.leaky_relu`,
    `cgnet.clamp`, `cgnet.sigmoid` and `cgnet.batch_norm` (in double, as
    the evaluator), `cgnet.hard_sigmoid`, `cgnet.reshape`,
    `cgnet.transpose`, `cgnet.channel_shuffle`, `cgnet.channel_permute`,
    `cgnet.channel_duplicate` become `linalg.generic` ops, `cgnet.concat`
    `tensor.concat`.

    Convolutions take one of three loop nests by shape, each accumulating
    every output over (input channel, ky, kx) in the reference's order from
    the bias (in float; the evaluator accumulates in double), with a
    contiguous innermost loop that LLVM vectorizes once it has unrolled the
    kernel taps: unit stride on output planes of 200 or more: the planes
    flattened into rows of the padded width (computed that wide, then
    cropped), which also takes strided layers whose kernel is large
    against the stride (7x7 / 2, 4x4 / 2, 2x2 / 2: at most a third more
    products) by space-to-depth (the input as the stride x stride phases
    of each channel, the kernel to match) and, in float, the other
    ungrouped, undilated ones whose kernel is at least the stride (3x3 /
    2) by phases: the input split once into its stride x stride phases,
    each convolved with unit strides by its own taps (3x3 / 2: 2x2, 2x1,
    1x2, 1x1), the sums of one phase starting from the previous one's;
    other strided layers: the input gathered per tap (im2col); small
    planes:
    im2col and the output channels innermost over weights transposed at
    compile time. Channel-gated convolutions: the base path a dense
    convolution over the base channels only, then one parallel loop over
    the outputs that branches on the gate and, only where it is on,
    accumulates the conditional channels in vectors over a channels-last
    copy of the input (`vector.transfer_read`, float sums reassociated).

    Integer models (after `--cgnet-quantize`) run in integer arithmetic,
    bit-exact with the reference: every integer tensor becomes an `i32`
    tensor of its stored values; `cgnet.quantize`/`dequantize` compute in
    f64 as the evaluator does; convolutions (also channel-gated as above,
    and precision-gated as high-bit and low-bit convolutions and a select)
    subtract zero points and accumulate in wrapping `i32`;
    `cgnet.requantize` is the fixed-point multiply, rounding shift and
    saturation; pooling, add, ReLU and clamp saturate to the storage range.

    Integer forms without a lowering (leaky ReLU, sigmoid, concat, ...) and
    weights that are not constants are errors naming the op: nothing is
    dropped.
  }];
  let options = [
    Option<"profile", "profile", "bool", /*default=*/"false",
           "Time every layer: call `cgnet_profile_enter(i64 id)` before and "
           "`cgnet_profile_exit(i64 id)` after the code of the id-th cgnet "
           "op of the function (in walk order); the runtime "
           "(`cgnet-run --profile`) provides both">,
    Option<"upstreamConv", "upstream-conv", "bool", /*default=*/"false",
           "Benchmark baseline: lower float ungrouped `cgnet.conv2d` to "
           "upstream's `linalg.conv_2d_nchw_fchw` (plain loops) instead of "
           "cgnet's loop nests">,
    Option<"dot4", "dot4", "bool", /*default=*/"false",
           "8-bit convolutions (8-bit input storage, weights in [-128, 127], "
           "input channels per group a multiple of 4, or one group: its "
           "channels padded to a multiple of 4 with the zero point and zero "
           "weights; no precision split) as "
           "dot products of 4 packed bytes: the input's bytes (offset to "
           "0..255) and the weights' 4 channels packed into each i32, the "
           "bias corrected by the offset and zero point, the loops marked "
           "`cgnet.dot4` for --cgnet-register-block, which computes them "
           "with AVX-512 VNNI's vpdpbusd (64 multiply-adds per instruction); "
           "only for CPUs that have it (cgnet-run turns it on when the host "
           "does)">,
    Option<"dot2", "dot2", "bool", /*default=*/"false",
           "Where `dot4` is off, the same 8-bit convolutions as dot products "
           "of pairs of 16-bit values: x - zp and the weights of 2 channels "
           "packed into each i32 as signed halves (bias unchanged), the "
           "loops marked `cgnet.dot2` for --cgnet-register-block, which "
           "computes them with pmaddwd (16 multiply-adds per 256-bit "
           "instruction; SSE2, AVX2, AVX-512BW), where 32-bit lanes do 8 "
           "(small planes' weights, read along the vectors, as bytes widened "
           "by a generic marked `cgnet.widen_pairs`, which "
           "--cgnet-register-block folds into its loads); gated "
           "convolutions' conditional paths in runs of 16-bit values, their "
           "weights stored as bytes (`halves` for --cgnet-compact-gated; "
           "cgnet-run turns it on on CPUs without VNNI)">,
    Option<"dot4SevenBit", "dot4-7bit", "bool", /*default=*/"false",
           "Where `dot4` is off, the 8-bit convolutions whose input's stored "
           "values are known to lie in 0..127 (a ReLU's output with a zero "
           "point of at least 0, or a max pooling of one; unsigned storage "
           "of at most 127) in `dot4`'s form with the bytes as stored "
           "(offset 0), the loops marked `cgnet.dot4_7bit` for "
           "--cgnet-register-block, which computes them with pmaddubsw, "
           "pmaddwd by ones and an add (32 multiply-adds in 3 instructions "
           "at 256 bits; SSSE3, AVX2, AVX-512BW): exact, as a pair of "
           "products of a byte of at most 127 and a signed byte fits "
           "pmaddubsw's signed 16 bits. Takes precedence over `dot2` for "
           "those convolutions (gated convolutions: their base paths; "
           "cgnet-run turns it on on CPUs without VNNI)">,
    Option<"outlineLayers", "outline-layers", "bool", /*default=*/"false",
           "Put each layer's code in a private function of its own "
           "(`<function>_layer<id>`, marked no_inline) called from the "
           "function; its tensor constants stay in the caller and are passed "
           "in. LLVM's loop passes then see small functions: the JIT "
           "compiles large networks several times faster">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::tensor::TensorDialect",
                           "::mlir::vector::VectorDialect"];
}

def CGNetOutlineConstants : Pass<"cgnet-outline-constants",
                                 "::mlir::func::FuncOp"> {
  let summary = "Turn large tensor constants into function arguments";
  let description = [{
    Part of the CPU pipeline's JIT path (`cgnet-run --backend=cpu`): every
    `arith.constant` of a statically shaped tensor of integers or floats
    (8 to 64 bits) with at least `min-elements` elements (not a shape
    operand of `tensor.reshape`) becomes a new
    argument of the function, after the existing ones, in order of
    appearance, and the constant values are listed in the function's
    `cgnet.constant_arguments` array attribute. The runtime passes the
    constants' data to those arguments, so that weights are neither
    translated to LLVM globals nor compiled: code generation time no
    longer grows with the model's size.

    Run it after `--convert-cgnet-to-cpu` and before bufferization.
  }];
  let options = [
    Option<"minElements", "min-elements", "int64_t", /*default=*/"256",
           "Smallest constant (in elements) that becomes an argument">
  ];
}

def CGNetFuseElementwise : Pass<"cgnet-fuse-elementwise",
                                "::mlir::func::FuncOp"> {
  let summary = "Fuse chains of element-wise linalg.generic ops into one";
  let description = [{
    Part of the CPU pipeline (`--cgnet-cpu-pipeline`, after
    `--convert-cgnet-to-cpu`; not with its `profile` option, whose per-layer
    hooks would then time one layer's loop in another's window): a
    `linalg.generic` whose result feeds only one other `linalg.generic`
    is merged into that consumer (upstream's elementwise op fusion,
    `linalg::fuseElementwiseOps`), so that a chain such as a
    convolution's requantization, its ReLU, the requantizations of a
    residual add, the add and the ReLU after it is one loop over memory
    instead of one per op: the intermediate tensors are never stored.

    Only plain element-wise ops take part, producer and consumer alike:
    every loop parallel, the result indexed by the identity, every operand
    by the identity or a broadcast (a projected permutation that keeps the
    order of the loops: per-channel parameters), and no `cgnet.*` mark
    (the convolution and gated loops that `--cgnet-register-block` and
    `--cgnet-compact-gated` rewrite, the gathers and transposes that feed
    them stay as they are). The fused body computes the same values in the
    same order: results are unchanged, bit for bit.

    Then each plain element-wise generic's trailing loops that every
    operand indexes together and none slices
    (`linalg::populateCollapseDimensions`; a convolution's output cut
    from its padded rows would be copied to be collapsed, also where a
    marked generic updates it in place first, as a gated convolution's
    conditional sums do: ImageNet ResNet-18's 56 x 56 gated layers
    copied 800 KB each) become one
    loop: an N x C x H x W chain with per-channel parameters runs over
    N x C x (H * W), one without them over a single loop. LLVM leaves a
    short inner loop scalar: ResNet-18's residual chains on 14 x 14 and
    7 x 7 planes (three 64-bit requantizations, an add, a ReLU) were;
    collapsed, they are vectorized (8-bit ImageNet network, perf samples of
    the three downsampling blocks' layer functions: 959 -> 369).
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CGNetCopiesToLoops : Pass<"cgnet-copies-to-loops",
                              "::mlir::func::FuncOp"> {
  let summary = "Turn strided memref.copy ops into linalg.copy";
  let description = [{
    Part of the CPU pipeline, after bufferization: a `memref.copy` whose
    source or target is not contiguous (the interior of a padded buffer,
    a channel slice) would lower to a call of the runner utilities'
    `memrefCopy`, which walks the elements one at a time through their
    strides. As `linalg.copy` it lowers to loops whose contiguous inner
    loop LLVM vectorizes. Copies between contiguous buffers stay
    `memref.copy` (one `memcpy`). A copy from a view onto the same view
    (the same value, or equal subviews of one buffer: bufferization leaves
    one where a value computed in place of a slice is inserted into it,
    as the gated layers' channels-last inputs are) is erased.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def CGNetRegisterBlock : Pass<"cgnet-register-block", "::mlir::func::FuncOp"> {
  let summary = "Register-blocked vector code for the CPU convolution loops";
  let description = [{
    Part of the CPU pipeline, after bufferization: every `linalg.generic`
    that `--convert-cgnet-to-cpu` marked `cgnet.register_block` (the
    convolution loops) becomes explicit vector code. The output's last
    index runs over a loop `v` (output pixels, or output channels for
    small planes) with unit stride, the one before it over a loop `u`;
    one input (the "vector operand") runs along `v` with unit stride, the
    other (the "scalar operand") does not depend on `v`. The code keeps
    `rows` x `vectors` accumulator vectors of `vector-bits` bits (`rows`
    values of `u`, `vectors` x 16 values of `v` for 32-bit elements in
    512-bit vectors, x 8 in 256-bit ones) in registers
    over the whole reduction: for each reduction step it loads `vectors`
    vectors of the vector operand, broadcasts `rows` scalars of the other,
    and applies the generic's body (element-wise arithmetic, cloned onto
    vectors) rows x vectors times. Reduction loops are unrolled innermost
    first while their product stays within 16 steps; the others are
    `scf.for` loops carrying the accumulators, in the generic's order, so
    every output accumulates in the same order as before (float results
    do not change). The last block along `v` uses masked loads and
    stores; the last rows along `u` a smaller block. The loops outside the
    block (the generic's other parallel loops and the blocks of `u`) are
    one `scf.parallel`, which the multi-threaded pipeline splits among
    threads.

    Where one block's slice of the vector operand over the whole
    reduction would not stay in cache (over 256 KiB, or over the
    generic's `cgnet.slice_bytes`: the small-plane lowering asks for
    L1-sized slices), the outermost looped reduction dimension runs in
    chunks, every block along `u` through one chunk before the next; each
    step then also prefetches (`memref.prefetch`) the lines its vector
    loads read one chunk later (into L1 where the chunks are within 32
    KiB, else into L2). In a network such operands come from memory
    (ResNet-18's small-plane weights: 9.4 MB per fp32 convolution of
    layer 4, rows 2 KiB apart), faster than the hardware prefetchers
    fetch them: ResNet-18 (one thread, Zen 5) CIFAR fp32 7.6 -> 5.5 ms,
    ImageNet fp32 20.8 -> 19.1 ms, int8 6.6 -> 6.0 ms.

    Where the generic right before (past ops without memory effects)
    only fills the output with a broadcast of a smaller memref (the bias,
    as `--convert-cgnet-to-cpu` emits it: `out[i] = in[m(i)]`, `in`
    constant along `v` or indexed by it in its last dimension), the
    blocks start from that memref's values instead of loading the filled
    output, and the fill is erased: a pass writing the whole output and
    the blocks' reads of it (from L2 or memory) go. With reduction chunks
    the first chunk starts from the bias. ResNet-18's 8-bit stem on a Zen 3
    core: 2.70 -> 2.34 ms.

    Generics also marked `cgnet.dot4` (`--convert-cgnet-to-cpu=dot4`: i32
    elements that each hold 4 bytes, the first input's unsigned, the
    second's signed, the body their 4 products' sum) are computed with
    AVX-512 VNNI's `vpdpbusd` (`llvm.x86.avx512.vpdpbusd.512`), 64
    multiply-adds per instruction, instead of the cloned body: for CPUs
    with VNNI only.

    Generics marked `cgnet.dot4_7bit` (`--convert-cgnet-to-cpu=dot4-7bit`:
    as `cgnet.dot4`, the unsigned bytes known to be at most 127) are
    computed without VNNI: `pmaddubsw` of the vector width
    (`llvm.x86.ssse3.pmadd.ub.sw.128`, `llvm.x86.avx2.pmadd.ub.sw`,
    `llvm.x86.avx512.pmaddubs.w.512`; each 16-bit lane the sum of 2
    products, at most 2 x 127 x 128 = 32512 in magnitude, so it never
    saturates), `pmaddwd` by a vector of ones (4 products per i32 lane)
    and an add: 32 multiply-adds per 3 instructions at 256 bits, where
    dot2 does 16 per 2. Their products take registers as dot2's do:
    `dot2-vectors` applies to them too.

    Generics marked `cgnet.dot2` (`--convert-cgnet-to-cpu=dot2`: i32
    elements that each hold two signed 16-bit values, the body the sum of
    their 2 products) are computed with pmaddwd of the vector width
    (`llvm.x86.sse2.pmadd.wd`, `llvm.x86.avx2.pmadd.wd`,
    `llvm.x86.avx512.pmaddw.d.512`: SSE2, AVX2, AVX-512BW) and an add.
    The add needs the product in a register of its own, so these blocks
    take `dot2-vectors` vectors along `v` where that option is set (0:
    `vectors`). Where the vector operand of such a generic is written
    just before by a generic marked `cgnet.widen_pairs` (the dot2
    lowering's small-plane weights: `out[.., i] = (sext(in[.., 2i]) &
    0xFFFF) | sext(in[.., 2i + 1]) << 16` from a memref of bytes) and
    no vector needs a mask, the blocks load 2 x lanes bytes of `in`
    and sign-extend them to the halves (vpmovsxbw) instead, and the
    widening generic (and its buffer) is erased where nothing else reads
    its output: half the weight bytes per inference (ResNet-18's 4 x 4
    layer 4: 2.4 MB per convolution instead of 4.7).

    The CPU pipeline (`cgnet-run --backend=cpu`, `cgnet-compile`) uses
    this CPU's widest vectors (`--cpu-vector-bits` to choose): 512 bits
    in blocks of 4 x 4 with AVX-512 (32 vector registers), 256 bits in
    blocks of 4 x 3 with AVX2 (16 registers: 12 accumulators, 3 loaded
    vectors and a broadcast; 4 x 4 of 512 bits spills there), and 4 x 2
    for dot2 there (4 x 3 and its products spilled: ResNet-18's 7 x 7 / 2
    8-bit stem 3.1 ms instead of 2.6 on a Zen 3 core, its 3 x 3 layers
    3-10% slower).

    A marked generic that does not have this form (more or fewer than two
    inputs, a body with regions, a strided last dimension, dynamic sizes)
    stays as it is and is lowered by `--convert-linalg-to-loops` as
    unmarked ones are: the pass only changes speed, never results.
  }];
  let options = [
    Option<"rows", "rows", "int64_t", /*default=*/"4",
           "Values of the blocked loop u per block">,
    Option<"vectors", "vectors", "int64_t", /*default=*/"4",
           "Vectors along the vectorized loop v per block">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Bits per vector: 512 (AVX-512), 256 (AVX2) or 128">,
    Option<"dot2Vectors", "dot2-vectors", "int64_t", /*default=*/"0",
           "Vectors along v per block of the generics marked cgnet.dot2 or "
           "cgnet.dot4_7bit (0: vectors)">
  ];
  let dependentDialects = ["::mlir::affine::AffineDialect",
                           "::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def CGNetCompactGated : Pass<"cgnet-compact-gated", "::mlir::func::FuncOp"> {
  let summary = "Gated-on outputs listed per channel and computed in blocks";
  let description = [{
    Part of the CPU pipeline, after bufferization: the conditional path of
    a channel-gated convolution, the `linalg.generic` that
    `--convert-cgnet-to-cpu` marks `cgnet.compact_gated` (inputs the
    thresholds, the channels-last input and the weights; init the partial
    sums, updated in place; per output, a branch on the gate, then the dot
    product of the conditional channels over the kernel taps), becomes,
    for every image and output channel (one `scf.parallel`):

    1. one branch-free pass over the output plane, 16 pixels of a row at a
       time, that compares the partial sums with the threshold and appends
       the passing pixels' indices to a list on the stack (compressed in a
       register, `llvm.experimental.vector.compress`, and stored whole: a
       compressing store to memory is microcoded and slow on AMD Zen 4;
       with `vector-bits` below 512, where x86 has no compressing
       instruction and LLVM expands it lane by lane through the stack,
       each byte of the mask looks up a row of a table of compressed lane
       numbers, 8 KiB on the stack written at the function's entry, which
       plus the byte's first pixel is stored whole at the list's end, and
       the end moves by the byte's popcount);
    2. blocks of `pixels` listed outputs: for every vector of conditional
       channels and every kernel tap, one load of the weights and one load
       of each pixel's inputs, multiply-added into one accumulator vector
       per pixel, and a prefetch (into L2) of the next channel's weights
       at the same place, which a network's large layers otherwise wait
       for from memory (spread over the steps: all of a channel's lines
       prefetched at its start, 216 for ResNet-18's fp32 layer 4, made the
       gated CIFAR fp32 network at 50% off 21% slower on a Zen 5 core;
       the channel after one whose list is empty reads its weights from
       memory); then each pixel's vector is reduced (float sums
       reassociated, as before) and added to its partial sum. What is
       left after the last whole block (fewer than `pixels` outputs) goes
       in at most one block each of `pixels` / 2, / 4, ..., 1 outputs, so
       that no output is computed twice (the small planes of a network's
       last layers list one or two pixels per channel: ResNet-18's 4 x 4
       layer 4 at 8 bits and 90% off, alone on a Zen 3 core, 0.262 ->
       0.243 ms once lists of 1 stopped taking a block of 2).

    The per-output kernel loaded a weight vector for every input vector
    (two loads per multiply-add); a block shares it among `pixels`
    outputs (8 by default: alone, ResNet-18's 56 x 56 layer at 8 bits and
    80% off took 0.45 ms, with 4 0.50 ms; its 7 x 7 layer 0.34 ms, with 4
    0.35 ms, once the tail went in blocks of 4). Results equal
    the generic's (bit for bit on integers). A marked generic of another
    form stays as it is.

    With `bytes` in the mark (`--convert-cgnet-to-cpu=dot4`: the
    channels-last input stored as bytes, the stored values plus an offset,
    i8 weights, and a fourth input: `input_offset` x each output's
    conditional weight sum), each step multiplies `bytes` channels (16, 32
    or 64) with one AVX-512 VNNI `vpdpbusd` per pixel, and each output's
    sum is corrected once: for CPUs with VNNI only.

    With `run_channels` = cs in the mark (ungrouped layers without
    horizontal dilation, float or bytes), the input is N x rows x (Wp * cs)
    (each padded row's pixels, cs conditional channels each) and the
    weights O x kh x Lp: each kernel row's kw taps are one contiguous run,
    walked 64 bytes at a time (16 floats by FMA, or 64 bytes by
    `vpdpbusd`) with two accumulators per pixel. With `vector-bits` = 256
    (AVX2) floats go 8 at a time with one accumulator per pixel (16
    registers). With `halves` in the mark (`--convert-cgnet-to-cpu=dot2`:
    x - zp stored as i16, the weights as i16 or as i8, sign-extended as
    they are loaded, no correction) each step sums
    pairs of 16-bit products with one pmaddwd of the vector width per
    pixel (16 halves on 256 bits). With `seven_bit` in the mark
    (`--convert-cgnet-to-cpu=dot4-7bit`: `bytes` = 32, the input bytes
    0..127 as stored, runs a multiple of 32 bytes) each step sums 32
    bytes (16 with `vector-bits` = 128) per pixel without VNNI:
    pmaddubsw, pmaddwd by ones and an add, one accumulator per pixel
    below 512 bits; the correction as for `vpdpbusd`.

    The run form's input copy (the `linalg.generic` marked
    `cgnet.channels_last`: bytes, out[n, y, x, c] = the low byte of
    in[n, c, y, x] + a constant, i32 in, i8 out; 16-bit halves likewise,
    i32 in, i16 out, the dot2 form's x - zp; or 32-bit words, floats or
    i32, out[n, y, x, c] = in[n, c, y, x]; the same mark is on a
    small-plane convolution's output, pixels x channels, as it is copied
    back to channels x pixels, seen as N x pixels x 1 x channels) becomes
    loops over 16 pixels of a row and 64 channels (bytes), 32 (halves) or
    16 (words) at a time: 16-pixel
    loads of each channel, four bytes or two halves packed into one word
    per pixel, the 16 x 16 words transposed by shuffles, one 64-byte
    store per pixel (masked at the last channels, masked loads at a row's
    last pixels). As a loop over the output LLVM read the input with
    gathers, or without AVX-512 one element at a time, a plane apart:
    alone at 99% off, ResNet-18's 56 x 56 layer at 8 bits 0.254 -> 0.212
    ms, the CIFAR 32 x 32 layer in fp32 0.329 -> 0.223 ms; on a Zen 3
    (AVX2, halves) the CIFAR 32 x 32 layer at 8 bits and 90% off 0.38 ->
    0.25 ms (its 4 KiB planes put a pixel's channels in one L1 set). The
    small-plane outputs, alone on a Zen 5 core: ImageNet ResNet-18's 8-bit
    layer3.0.downsample 0.093 -> 0.064 ms, fp32 0.103 -> 0.075 (with the
    input's quantization and ReLU), its 8-bit layer3.1.conv1 0.288 ->
    0.273.
  }];
  let options = [
    Option<"pixels", "pixels", "int64_t", /*default=*/"8",
           "Gated-on outputs computed together">,
    Option<"vectorBits", "vector-bits", "int64_t", /*default=*/"512",
           "Bits per vector of the float run form's multiply-adds: 512 "
           "(AVX-512: two accumulator chains per output), 256 (AVX2: one "
           "chain per output, so that a block's accumulators stay in its "
           "16 registers) or 128">
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::LLVM::LLVMDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def CGNetSerializeInnerParallel : Pass<"cgnet-serialize-inner-parallel",
                                       "::mlir::func::FuncOp"> {
  let summary = "Keep only the outermost scf.parallel of large loop nests";
  let description = [{
    Part of the multi-threaded CPU pipeline (`threads` > 1), after
    `--convert-linalg-to-parallel-loops`: an `scf.parallel` nested in
    another loop, or one whose whole nest runs fewer than `min-iterations`
    innermost iterations (static trip counts multiplied; loops with
    dynamic bounds count once; a loop `--cgnet-register-block` made counts
    the iterations of the generic it replaced, its `cgnet.iterations`), becomes a nest of `scf.for` with the same
    bounds. `--async-parallel-for` then splits only the outermost loop of
    the large nests (convolutions, not paddings or element-wise maps)
    among the threads, and the inner loops stay sequential (and
    vectorizable) inside each task. Only loops without reductions
    (`scf.parallel` with no results) are rewritten.
  }];
  let options = [
    Option<"minIterations", "min-iterations", "int64_t", /*default=*/"1000000",
           "Smallest loop nest (innermost iterations) that stays parallel">
  ];
  let dependentDialects = ["::mlir::scf::SCFDialect"];
}

#endif // CGNET_CONVERSION_PASSES_TD
