//===- CGNetToCPU.h - cgnet to the CPU ---------------------------*- C++ -*-===//

#ifndef CGNET_CONVERSION_CGNETTOCPU_CGNETTOCPU_H
#define CGNET_CONVERSION_CGNETTOCPU_CGNETTOCPU_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace cgnet {

#define GEN_PASS_DECL_CONVERTCGNETTOCPU
#define GEN_PASS_DECL_CGNETOUTLINECONSTANTS
#define GEN_PASS_DECL_CGNETCOPIESTOLOOPS
#define GEN_PASS_DECL_CGNETFUSEELEMENTWISE
#define GEN_PASS_DECL_CGNETSERIALIZEINNERPARALLEL
#define GEN_PASS_DECL_CGNETREGISTERBLOCK
#define GEN_PASS_DECL_CGNETCOMPACTGATED
#include "cgnet/Conversion/Passes.h.inc"

/// Whether integers of this storage width can cross a compiled function's
/// boundary (as int8_t, int16_t or int32_t data).
inline bool isBoundaryStorageWidth(unsigned bits) {
  return bits == 8 || bits == 16 || bits == 32;
}

struct CPUPipelineOptions {
  /// --convert-cgnet-to-cpu's `profile` option.
  bool profile = false;
  /// --convert-cgnet-to-cpu's `upstream-conv` option (a baseline).
  bool upstreamConv = false;
  /// Run --cgnet-outline-constants (the JIT passes the weights in).
  bool outlineConstants = false;
  /// --convert-cgnet-to-cpu's `outline-layers` option (compile time).
  bool outlineLayers = false;
  /// Threads: above 1, each layer's outermost parallel loop is split into
  /// async tasks (--async-parallel-for) that MLIR's async runtime
  /// (libmlir_async_runtime) runs on its thread pool.
  unsigned threads = 1;
  /// Run --cgnet-register-block (off: LLVM's loop vectorizer alone, the
  /// baseline of bench/).
  bool registerBlock = true;
  /// Run --cgnet-compact-gated (off: the per-output conditional kernel).
  bool compactGated = true;
  /// --convert-cgnet-to-cpu's `dot4` (needs a CPU with AVX-512 VNNI).
  bool dot4 = false;
  /// --convert-cgnet-to-cpu's `dot2` (pairs of 16-bit values; any x86-64
  /// CPU; `dot4` takes precedence).
  bool dot2 = false;
  /// --convert-cgnet-to-cpu's `dot4-7bit` (where `dot4` is off: 4 packed
  /// bytes per lane for inputs in 0..127, by vpmaddubsw; SSSE3, AVX2,
  /// AVX-512BW; takes precedence over `dot2` for those inputs).
  bool dot4SevenBit = false;
  /// --cgnet-register-block's vector width: 512 bits (AVX-512: blocks of
  /// 4 x 4 accumulator vectors in its 32 registers), 256 (AVX2) or 128
  /// (SSE): blocks of 4 x 3 in 16 registers (12 accumulators, 3 loaded
  /// vectors, a broadcast; 4 x 2 for dot2). See registerBlockShape.
  unsigned vectorBits = 512;
  /// Run --cgnet-fuse-elementwise (not with `profile`).
  bool fuseElementwise = true;
};

/// The blocks --cgnet-register-block uses in the CPU pipeline for vectors
/// of `vectorBits` bits: as many accumulators as the registers allow, with
/// room for the loaded vectors and a broadcast (and, for dot2, the
/// products).
struct RegisterBlockShape {
  int64_t rows, vectors, dot2Vectors;
};
RegisterBlockShape registerBlockShape(unsigned vectorBits);

/// The passes from cgnet on tensors to the LLVM dialect: --convert-cgnet-to-cpu,
/// bufferization (results become out-parameters), loops, LLVM with the
/// bare-pointer calling convention (every argument and result a plain
/// pointer to its row-major data). Also registered as
/// `--cgnet-cpu-pipeline` (default options). Fails when one of the passes
/// is not registered. The front stage ends on tensors (after
/// --cgnet-outline-constants when asked), the back stage does the rest.
mlir::LogicalResult buildCPUPipeline(mlir::OpPassManager &pm,
                                     const CPUPipelineOptions &options = {});
mlir::LogicalResult buildCPUPipelineFront(mlir::OpPassManager &pm,
                                          const CPUPipelineOptions &options);
mlir::LogicalResult buildCPUPipelineBack(mlir::OpPassManager &pm,
                                         const CPUPipelineOptions &options);
void registerCGNetCPUPipeline();

/// The function attribute of --cgnet-outline-constants: the values of the
/// arguments it added, in order.
constexpr llvm::StringLiteral kConstantArgumentsAttr =
    "cgnet.constant_arguments";

/// The mark --convert-cgnet-to-cpu puts on the convolution loops that
/// --cgnet-register-block rewrites.
constexpr llvm::StringLiteral kRegisterBlockAttr = "cgnet.register_block";
/// On a marked generic, the most bytes of its vector operand one block
/// reads before the blocks along `u` read them again (default 256 KiB, a
/// share of L2): the small-plane convolutions (vector operand: weights, a
/// few vectors from each row in turn) ask for a share of L1.
constexpr llvm::StringLiteral kSliceBytesAttr = "cgnet.slice_bytes";
/// Marks the convolution loops of --convert-cgnet-to-cpu{dot4} (i32
/// elements holding 4 bytes each: unsigned inputs, signed weights):
/// --cgnet-register-block computes them with AVX-512 VNNI's vpdpbusd.
constexpr llvm::StringLiteral kDot4Attr = "cgnet.dot4";
/// Marks the convolution loops of --convert-cgnet-to-cpu{dot4-7bit}: as
/// `cgnet.dot4`, and the unsigned bytes are known to be at most 127, so
/// that --cgnet-register-block computes them exactly without VNNI:
/// vpmaddubsw (a pair of products of a byte <= 127 and a signed byte fits
/// its signed 16 bits: |sum| <= 2 x 127 x 128 = 32512), vpmaddwd by ones,
/// an add.
constexpr llvm::StringLiteral kDot4SevenBitAttr = "cgnet.dot4_7bit";
/// Marks the convolution loops of --convert-cgnet-to-cpu{dot2} (i32
/// elements holding two signed 16-bit values each):
/// --cgnet-register-block computes them as pmaddwd (SSE2, AVX2, AVX-512BW).
constexpr llvm::StringLiteral kDot2Attr = "cgnet.dot2";

/// Marks a generic of --convert-cgnet-to-cpu{dot2} that widens 8-bit
/// weights to the i32 pairs of 16-bit halves a dot2 convolution reads
/// along its vectors (its input, twice: the even and the odd bytes):
/// --cgnet-register-block reads the bytes instead where it blocks that
/// convolution, and the widening goes away.
constexpr llvm::StringLiteral kWidenPairsAttr = "cgnet.widen_pairs";

/// acc + pmaddwd(x, y): `x` and `y` vectors of 2n signed 16-bit values,
/// `acc` of n i32 (n = 4, 8, 16: SSE2's, AVX2's or AVX-512BW's pmaddwd,
/// an LLVM intrinsic; each lane gets the sum of its two products). The
/// dot2 loops of --cgnet-register-block and --cgnet-compact-gated's
/// `halves` runs. (Written as widened even and odd products, LLVM does not
/// select pmaddwd when one operand is a broadcast: it multiplies 32-bit
/// lanes.)
mlir::Value addPairProducts(mlir::OpBuilder &b, mlir::Location loc,
                            mlir::Value acc, mlir::Value x, mlir::Value y);

/// acc + the sums of 4 byte products per i32 lane without VNNI: `x` and
/// `y` vectors of 4n bytes (x's unsigned and at most 127, y's signed),
/// `acc` of n i32 (n = 4, 8, 16): pmaddubsw (SSSE3, AVX2, AVX-512BW; each
/// 16-bit lane the sum of 2 products, which cannot saturate as x <= 127),
/// pmaddwd by ones, an add. What vpdpbusd computes, in 3 instructions.
mlir::Value addQuadProducts7Bit(mlir::OpBuilder &b, mlir::Location loc,
                                mlir::Value acc, mlir::Value x, mlir::Value y);
/// The mark --convert-cgnet-to-cpu puts on a gated convolution's
/// conditional path (a dictionary of its parameters) for
/// --cgnet-compact-gated.
constexpr llvm::StringLiteral kCompactGatedAttr = "cgnet.compact_gated";
/// The mark --convert-cgnet-to-cpu puts on the copy of a run-form gated
/// convolution's conditional channels to channels-last (bytes, halves or
/// floats) and on the copy of a small-plane convolution's output back to
/// channels x pixels (32-bit words): --cgnet-compact-gated transposes 16
/// pixels at a time in registers.
constexpr llvm::StringLiteral kChannelsLastAttr = "cgnet.channels_last";
/// The scalar iterations of the loop nest an scf.parallel of
/// --cgnet-register-block stands for (--cgnet-serialize-inner-parallel).
constexpr llvm::StringLiteral kIterationsAttr = "cgnet.iterations";
/// The layers --convert-cgnet-to-cpu{profile} times, in the order of their
/// ids: the cgnet ops of `func` in walk order.
llvm::SmallVector<mlir::Operation *> profiledLayers(mlir::func::FuncOp func);
void registerCGNetCPUPipeline();

} // namespace cgnet

#endif // CGNET_CONVERSION_CGNETTOCPU_CGNETTOCPU_H
