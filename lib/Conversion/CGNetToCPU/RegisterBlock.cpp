//===- RegisterBlock.cpp - register-blocked convolution kernels -----------===//
//
// --cgnet-register-block: a convolution's linalg.generic (on buffers,
// marked by --convert-cgnet-to-cpu) becomes explicit vector code that
// keeps a block of `rows` x `vectors` accumulator vectors in registers over
// the whole reduction: per reduction step, `vectors` loads of the operand
// that runs along the output's contiguous dimension, `rows` scalar loads
// of the other one (broadcast), and rows x vectors multiply-adds. LLVM's
// loop vectorizer, given the same loops, keeps one output vector and
// reloads and stores it for every input channel.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/CGNetToCPU/CGNetToCPU.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

#include <array>

namespace cgnet {
#define GEN_PASS_DEF_CGNETREGISTERBLOCK
#include "cgnet/Conversion/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

/// Reduction loops unrolled inside the block (innermost first, while the
/// product of their sizes stays within this).
constexpr int64_t kMaxUnrolled = 16;
/// The most bytes of the vector operand one block reads before the blocks
/// along u read them again (a share of a 1 MiB L2 cache).
constexpr int64_t kSliceBytes = 256 * 1024;
/// Slices up to this size are prefetched into L1 (chunkPrefetch).
constexpr int64_t kL1PrefetchBytes = 32 * 1024;

/// Whether `e` is `d<dim>` plus terms that do not depend on it: consecutive
/// iterations of `dim` read consecutive elements.
bool unitStrideIn(AffineExpr e, unsigned dim) {
  if (auto d = dyn_cast<AffineDimExpr>(e))
    return d.getPosition() == dim;
  auto add = dyn_cast<AffineBinaryOpExpr>(e);
  if (!add || add.getKind() != AffineExprKind::Add)
    return false;
  AffineExpr l = add.getLHS(), r = add.getRHS();
  return (unitStrideIn(l, dim) && !r.isFunctionOfDim(dim)) ||
         (unitStrideIn(r, dim) && !l.isFunctionOfDim(dim));
}

bool unitLastStride(Value v) {
  auto t = dyn_cast<MemRefType>(v.getType());
  if (!t || !t.hasStaticShape())
    return false;
  SmallVector<int64_t> strides;
  int64_t offset;
  return succeeded(t.getStridesAndOffset(strides, offset)) &&
         !strides.empty() && strides.back() == 1;
}

/// How one marked generic is blocked (see the pass description).
struct Plan {
  linalg::GenericOp op;
  unsigned u, v;          // the blocked and the vectorized loop
  unsigned vecIn, scalIn; // which input runs along v, which does not
  SmallVector<unsigned> outer, looped, unrolled;
  SmallVector<int64_t> sizes;
  int64_t lanes;
  /// Marked `cgnet.dot4`: i32 lanes of 4 bytes, summed by vpdpbusd; or
  /// `cgnet.dot4_7bit` (`sevenBit`): the same, the unsigned bytes at most
  /// 127, summed by pmaddubsw, pmaddwd by ones and an add.
  bool dot4 = false, sevenBit = false;
  /// Marked `cgnet.dot2`: i32 lanes of 2 signed 16-bit values, summed as
  /// pmaddwd.
  bool dot2 = false;
  /// The generic that fills the output just before (a broadcast of a
  /// smaller memref, the bias: see initFill), whose values the
  /// accumulators start from instead of the output's; null if none.
  linalg::GenericOp fill;
  /// With `fill`: the fill's input indices as a function of the output's.
  AffineMap fillMap;
  /// With `fill`: whether the fill's input varies along the output's last
  /// index (v: then a vector load, else a broadcast scalar).
  bool fillAlongV = false;
  /// dot2 only: the generic that writes the vector operand by widening
  /// bytes (marked kWidenPairsAttr, see findWiden), whose bytes the blocks
  /// read instead; null if none.
  linalg::GenericOp widen;
};

/// The generic before `g` that writes all of its vector operand from
/// bytes, `out[.., i] = (sext(in[.., 2i]) & 0xFFFF) | sext(in[.., 2i + 1])
/// << 16` (marked kWidenPairsAttr by --convert-cgnet-to-cpu{dot2}): where
/// the blocks need no masked loads, they load 2 x lanes bytes of `in` per
/// vector and sign-extend them to the halves (vpmovsxbw), and the widened
/// copy is never written.
static void findWiden(linalg::GenericOp g, Plan &p) {
  if (!p.dot2 || p.sizes[p.v] % p.lanes != 0)
    return;
  Value vec = g.getDpsInputs()[p.vecIn];
  for (Operation *user : vec.getUsers()) {
    auto w = dyn_cast<linalg::GenericOp>(user);
    if (!w || w == g || !w->hasAttr(kWidenPairsAttr) ||
        w->getBlock() != g->getBlock() || !w->isBeforeInBlock(g) ||
        !w.hasPureBufferSemantics() || w.getNumDpsInputs() != 2 ||
        w.getNumDpsInits() != 1 || w.getDpsInits()[0] != vec ||
        w.getDpsInputs()[0] != w.getDpsInputs()[1] ||
        !getElementTypeOrSelf(w.getDpsInputs()[0].getType()).isInteger(8) ||
        !unitLastStride(w.getDpsInputs()[0]))
      continue;
    // Nothing else may write the widened copy (or read it: it goes away).
    if (!llvm::all_of(vec.getUsers(), [&](Operation *u) {
          return u == w || u == g || isa<memref::DeallocOp>(u);
        }))
      return;
    p.widen = w;
    return;
  }
}

/// The linalg.generic right before `g` (past ops without memory effects)
/// when it only fills `g`'s output with a broadcast of its one input,
/// `out[i] = in[m(i)]`, whose last index is the output's last or does not
/// depend on it: its input is what `g` accumulates onto (the bias of a
/// convolution, broadcast over the pixels). Reading it where the blocks
/// start replaces a write and a read of the whole output.
static void initFill(linalg::GenericOp g, Plan &p) {
  Value out = g.getDpsInits()[0];
  Operation *prev = g->getPrevNode();
  while (prev && isMemoryEffectFree(prev))
    prev = prev->getPrevNode();
  auto fill = dyn_cast_or_null<linalg::GenericOp>(prev);
  if (!fill || !fill.hasPureBufferSemantics() || fill.getNumDpsInputs() != 1 ||
      fill.getNumDpsInits() != 1 || fill.getDpsInits()[0] != out ||
      fill.getNumReductionLoops() != 0)
    return;
  Block &body = fill.getRegion().front();
  auto yield = cast<linalg::YieldOp>(body.getTerminator());
  if (!body.without_terminator().empty() || yield.getNumOperands() != 1 ||
      yield.getOperand(0) != body.getArgument(0))
    return;
  SmallVector<AffineMap> maps = fill.getIndexingMapsArray();
  if (!maps[1].isIdentity() || !maps[0].isProjectedPermutation())
    return;
  Value in = fill.getDpsInputs()[0];
  auto inType = dyn_cast<MemRefType>(in.getType());
  if (!inType || inType.getElementType() !=
                     getElementTypeOrSelf(out.getType()))
    return;
  unsigned last = maps[1].getNumDims() - 1;
  unsigned r = maps[0].getNumResults();
  bool alongV = maps[0].isFunctionOfDim(last);
  if (alongV && (r == 0 || maps[0].getResult(r - 1) !=
                               getAffineDimExpr(last, g.getContext()) ||
                 !unitLastStride(in)))
    return;
  for (unsigned i = 0; i + 1 < r; ++i)
    if (maps[0].getResult(i).isFunctionOfDim(last))
      return;
  p.fill = fill;
  p.fillMap = maps[0];
  p.fillAlongV = alongV;
}

std::optional<Plan> analyze(linalg::GenericOp g, int64_t vectorBits) {
  if (!g.hasPureBufferSemantics() || g.getNumDpsInputs() != 2 ||
      g.getNumDpsInits() != 1)
    return std::nullopt;
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  AffineMap om = maps[2];
  unsigned n = om.getNumResults();
  if (n < 2 || !om.isProjectedPermutation())
    return std::nullopt;
  Plan p;
  p.op = g;
  p.v = cast<AffineDimExpr>(om.getResult(n - 1)).getPosition();
  p.u = cast<AffineDimExpr>(om.getResult(n - 2)).getPosition();
  auto iters = g.getIteratorTypesArray();
  if (iters[p.u] != utils::IteratorType::parallel ||
      iters[p.v] != utils::IteratorType::parallel)
    return std::nullopt;
  // The vector operand: its last index is v plus terms without v, its
  // other indices do not depend on v; the scalar operand does not at all.
  auto runsAlongV = [&](AffineMap m) {
    unsigned r = m.getNumResults();
    if (r == 0 || !unitStrideIn(m.getResult(r - 1), p.v))
      return false;
    for (unsigned i = 0; i + 1 < r; ++i)
      if (m.getResult(i).isFunctionOfDim(p.v))
        return false;
    return true;
  };
  if (runsAlongV(maps[0]) && !maps[1].isFunctionOfDim(p.v))
    p.vecIn = 0, p.scalIn = 1;
  else if (runsAlongV(maps[1]) && !maps[0].isFunctionOfDim(p.v))
    p.vecIn = 1, p.scalIn = 0;
  else
    return std::nullopt;
  // Vectors of `vectorBits` bits of the result's elements (the inputs'
  // elements, which the body may widen, as many).
  Type elem = getElementTypeOrSelf(g.getDpsInits()[0].getType());
  for (Value v : g->getOperands()) {
    Type e = getElementTypeOrSelf(v.getType());
    if (!e.isIntOrFloat() || e.getIntOrFloatBitWidth() > 64 ||
        e.getIntOrFloatBitWidth() < 8)
      return std::nullopt;
  }
  p.lanes = vectorBits / elem.getIntOrFloatBitWidth();
  p.sevenBit = g->hasAttr(kDot4SevenBitAttr);
  p.dot4 = p.sevenBit || g->hasAttr(kDot4Attr);
  p.dot2 = !p.dot4 && g->hasAttr(kDot2Attr);
  if ((p.dot4 || p.dot2) &&
      ((p.dot4 && !p.sevenBit && p.lanes != 16) || !elem.isInteger(32) ||
       llvm::any_of(g.getDpsInputs(), [](Value v) {
         return !getElementTypeOrSelf(v.getType()).isInteger(32);
       })))
    return std::nullopt;
  if (!unitLastStride(g.getDpsInputs()[p.vecIn]) ||
      !unitLastStride(g.getDpsInits()[0]) ||
      !isa<MemRefType>(g.getDpsInputs()[p.scalIn].getType()))
    return std::nullopt;
  // The body: element-wise arithmetic only.
  for (Operation &op : g.getRegion().front().without_terminator())
    if (op.getNumRegions() != 0 ||
        !(isa<arith::ConstantOp>(op) || op.hasTrait<OpTrait::Elementwise>()) ||
        llvm::any_of(op.getResultTypes(),
                     [](Type t) { return !t.isIntOrIndexOrFloat(); }))
      return std::nullopt;
  p.sizes = g.getStaticLoopRanges();
  if (llvm::any_of(p.sizes, ShapedType::isDynamic))
    return std::nullopt;
  SmallVector<unsigned> reductions;
  for (unsigned d = 0; d < iters.size(); ++d) {
    if (iters[d] == utils::IteratorType::reduction)
      reductions.push_back(d);
    else if (d != p.u && d != p.v)
      p.outer.push_back(d);
  }
  if (reductions.empty())
    return std::nullopt;
  // Unroll the innermost reduction loops while they stay small; the
  // others are loops carrying the accumulators. Both keep the generic's
  // order (outer reduction loops first), which is the reference's order
  // of accumulation.
  int64_t product = 1;
  size_t split = reductions.size();
  while (split > 0 && product * p.sizes[reductions[split - 1]] <= kMaxUnrolled)
    product *= p.sizes[reductions[--split]];
  p.looped.assign(reductions.begin(), reductions.begin() + split);
  p.unrolled.assign(reductions.begin() + split, reductions.end());
  return p;
}

class Emitter {
public:
  Emitter(const Plan &p, int64_t rows, int64_t vectors)
      : p(p), g(p.op), rows(rows), vectors(vectors), loc(g.getLoc()) {}

  void run() {
    OpBuilder b(g);
    // Values the body uses from outside and its constants, as vectors.
    Block &body = g.getRegion().front();
    for (Operation &op : body.without_terminator()) {
      if (auto c = dyn_cast<arith::ConstantOp>(op))
        bodyMap.map(c.getResult(), splat(b, b.clone(op)->getResult(0)));
      for (Value x : op.getOperands())
        if (x.getParentBlock() != &body && !bodyMap.contains(x))
          bodyMap.map(x, splat(b, x));
    }
    int64_t V = p.sizes[p.v], step = vectors * p.lanes, full = V / step * step;
    // The outer parallel loops and the blocks along v as one scf.parallel
    // (split among threads by the multi-threaded pipeline), the rest of v
    // after it.
    auto parallel = [&](OpBuilder &ob, int64_t vBlocks,
                        function_ref<void(OpBuilder &, ValueRange)> f) {
      SmallVector<Value> lbs, ubs, steps;
      for (unsigned d : p.outer) {
        lbs.push_back(index(ob, 0));
        ubs.push_back(index(ob, p.sizes[d]));
        steps.push_back(index(ob, 1));
      }
      if (vBlocks > 0) {
        lbs.push_back(index(ob, 0));
        ubs.push_back(index(ob, vBlocks));
        steps.push_back(index(ob, 1));
      }
      if (lbs.empty())
        return f(ob, {});
      auto par = scf::ParallelOp::create(
          ob, loc, lbs, ubs, steps,
          [&](OpBuilder &nb, Location, ValueRange ivs) { f(nb, ivs); });
      // The generic's iterations, which --cgnet-serialize-inner-parallel
      // weighs (the loops left here are fewer: vectors, unrolled steps).
      int64_t iterations = 1;
      for (int64_t s : p.sizes)
        iterations *= s;
      par->setAttr(kIterationsAttr, ob.getI64IntegerAttr(iterations));
    };
    auto outerDims = [&](ValueRange ivs) {
      DenseMap<unsigned, OpFoldResult> dims;
      for (auto [d, iv] : llvm::zip(p.outer, ivs))
        dims[d] = iv;
      return dims;
    };
    if (full > 0)
      parallel(b, full / step, [&](OpBuilder &nb, ValueRange ivs) {
        Value v0 = arith::MulIOp::create(nb, loc, ivs.back(), index(nb, step));
        alongU(nb, outerDims(ivs.drop_back()), v0, step);
      });
    if (V > full)
      parallel(b, 0, [&](OpBuilder &nb, ValueRange ivs) {
        alongU(nb, outerDims(ivs), index(nb, full), V - full);
      });
    g.erase();
  }

private:
  const Plan &p;
  linalg::GenericOp g;
  int64_t rows, vectors;
  Location loc;
  IRMapping bodyMap;

  Value index(OpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  VectorType vectorOf(Type scalar) {
    return VectorType::get({p.lanes}, getElementTypeOrSelf(scalar));
  }
  Value splat(OpBuilder &b, Value scalar) {
    return vector::BroadcastOp::create(b, loc, vectorOf(scalar.getType()),
                                       scalar);
  }

  /// The most bytes of the vector operand a block may read over one chunk
  /// of the reduction: kSliceBytes, or the generic's cgnet.slice_bytes.
  int64_t sliceBytes() {
    if (auto a = g->getAttrOfType<IntegerAttr>(kSliceBytesAttr))
      return a.getInt();
    return kSliceBytes;
  }

  /// How many steps of the outermost looped reduction dimension the blocks
  /// along u run before the next ones: the vector operand's slice that one
  /// block reads over them, which every block along u reads again, stays
  /// within kSliceBytes, or the generic's cgnet.slice_bytes (0: no looped
  /// dimension; its size: no chunks).
  int64_t chunkSize() {
    if (p.looped.empty())
      return 0;
    int64_t perStep = vectors * p.lanes *
                      (getElementTypeOrSelf(g.getDpsInputs()[p.vecIn].getType())
                           .getIntOrFloatBitWidth() /
                       8);
    for (unsigned d : p.unrolled)
      perStep *= p.sizes[d];
    for (size_t k = 1; k < p.looped.size(); ++k)
      perStep *= p.sizes[p.looped[k]];
    // The largest divisor of the outermost looped dimension whose slice
    // stays within a share of the L2 cache (or of L1, as the lowering
    // asks).
    int64_t n = p.sizes[p.looped[0]];
    for (int64_t c = n; c > 1; --c)
      if (n % c == 0 && c * perStep <= sliceBytes())
        return c;
    return 1;
  }

  /// Whether chunkSize's `chunk` leaves the reduction whole (no looped
  /// dimension, or one chunk of all of it).
  bool wholeReduction(int64_t chunk) {
    return chunk == 0 || chunk == p.sizes[p.looped[0]];
  }

  /// Where the reduction runs in chunks (chunkSize: the vector operand's
  /// slice would not stay in cache), each step also prefetches the lines
  /// its vector loads read one chunk later (`distance` steps of the
  /// outermost looped dimension ahead, the last one at the end): the next
  /// chunk arrives while every block along u runs this one. In a network
  /// such operands come from memory (ResNet-18's small-plane layers'
  /// weights: 9.4 MB per fp32 convolution of layer 4, read a weight row
  /// of 4 x 16 outputs at a time, rows 2 KiB apart), where the hardware's
  /// prefetchers did not keep up: CIFAR's fp32 layer-4 convolutions took
  /// 3x their time with warm caches. Into L1 (hint 3) where a chunk fits
  /// a share of it, else into L2 (hint 2).
  struct ChunkPrefetch {
    int64_t distance;
    uint32_t localityHint;
  };
  std::optional<ChunkPrefetch> chunkPrefetch() {
    int64_t chunk = chunkSize();
    if (wholeReduction(chunk))
      return std::nullopt;
    return ChunkPrefetch{chunk, sliceBytes() <= kL1PrefetchBytes ? 3u : 2u};
  }

  /// The blocks along u of the vectors from v0 covering `count` elements
  /// of v: whole blocks in a loop, then the rest of u; with the outermost
  /// reduction loop cut into chunks that stay in cache, all blocks along u
  /// run one chunk before the next.
  void alongU(OpBuilder &b, DenseMap<unsigned, OpFoldResult> dims, Value v0,
              int64_t count) {
    int64_t U = p.sizes[p.u], full = U / rows * rows;
    auto blocks = [&](OpBuilder &nb, Value c0, int64_t chunk) {
      if (full > 0)
        scf::ForOp::create(nb, loc, index(nb, 0), index(nb, full),
                           index(nb, rows), ValueRange{},
                           [&](OpBuilder &lb, Location, Value u0, ValueRange) {
                             block(lb, dims, u0, rows, v0, count, c0, chunk);
                             scf::YieldOp::create(lb, loc);
                           });
      if (U > full)
        block(nb, dims, index(nb, full), U - full, v0, count, c0, chunk);
    };
    int64_t chunk = chunkSize();
    if (wholeReduction(chunk))
      return blocks(b, index(b, 0), chunk);
    scf::ForOp::create(b, loc, index(b, 0), index(b, p.sizes[p.looped[0]]),
                       index(b, chunk), ValueRange{},
                       [&](OpBuilder &lb, Location, Value c0, ValueRange) {
                         blocks(lb, c0, chunk);
                         scf::YieldOp::create(lb, loc);
                       });
  }

  /// The indices of operand `i` at the point `dims` (every loop of the
  /// generic given).
  SmallVector<Value> indices(OpBuilder &b, unsigned i,
                             const DenseMap<unsigned, OpFoldResult> &dims) {
    AffineMap m = g.getIndexingMapsArray()[i];
    SmallVector<OpFoldResult> operands;
    for (unsigned d = 0; d < m.getNumDims(); ++d) {
      auto it = dims.find(d);
      operands.push_back(it == dims.end() ? OpFoldResult(b.getIndexAttr(0))
                                          : it->second);
    }
    SmallVector<Value> idx;
    for (AffineExpr e : m.getResults())
      idx.push_back(getValueOrCreateConstantIndexOp(
          b, loc,
          affine::makeComposedFoldedAffineApply(
              b, loc, AffineMap::get(m.getNumDims(), 0, e), operands)));
    return idx;
  }

  OpFoldResult plus(OpBuilder &b, Value base, int64_t k) {
    AffineExpr d0 = b.getAffineDimExpr(0);
    return affine::makeComposedFoldedAffineApply(b, loc, d0 + k,
                                                 {OpFoldResult(base)});
  }

  /// One block: `ob` rows from u0, the vectors from v0 covering `count`
  /// (at most vectors * lanes) elements of v, over the reduction with the
  /// outermost looped dimension from c0 to c0 + chunk (all of it when
  /// chunk is 0 or its size).
  void block(OpBuilder &b, DenseMap<unsigned, OpFoldResult> dims, Value u0,
             int64_t ob, Value v0, int64_t count, Value c0, int64_t chunk) {
    int64_t nv = (count + p.lanes - 1) / p.lanes, tail = count % p.lanes;
    Value mask;
    if (tail) {
      SmallVector<bool> bits(p.lanes, false);
      std::fill(bits.begin(), bits.begin() + tail, true);
      mask = arith::ConstantOp::create(
          b, loc,
          DenseElementsAttr::get(VectorType::get({p.lanes}, b.getI1Type()),
                                 ArrayRef<bool>(bits)));
    }
    auto masked = [&](int64_t j) { return tail && j == nv - 1; };
    auto at = [&](OpBuilder &nb, int64_t i, int64_t j) {
      auto d = dims;
      d[p.u] = plus(nb, u0, i);
      d[p.v] = plus(nb, v0, j * p.lanes);
      return d;
    };
    auto load = [&](OpBuilder &nb, Value mem, ValueRange idx,
                    int64_t j) -> Value {
      VectorType t = vectorOf(mem.getType());
      if (masked(j)) {
        Type e = t.getElementType();
        Value zero =
            splat(nb, arith::ConstantOp::create(nb, loc, nb.getZeroAttr(e)));
        return vector::MaskedLoadOp::create(nb, loc, t, mem, idx, mask, zero);
      }
      return vector::LoadOp::create(nb, loc, t, mem, idx);
    };
    Value out = g.getDpsInits()[0];
    auto fromOutput = [&](OpBuilder &nb) {
      SmallVector<Value> acc;
      for (int64_t i = 0; i < ob; ++i)
        for (int64_t j = 0; j < nv; ++j)
          acc.push_back(load(nb, out, indices(nb, 2, at(nb, i, j)), j));
      return acc;
    };
    // Starting from the fill's input (the bias) instead: a vector of it
    // where it varies along v, else one value broadcast.
    auto fromFill = [&](OpBuilder &nb) {
      linalg::GenericOp fill = p.fill;
      Value in = fill.getDpsInputs()[0];
      SmallVector<Value> acc;
      for (int64_t i = 0; i < ob; ++i)
        for (int64_t j = 0; j < nv; ++j) {
          SmallVector<Value> outIdx = indices(nb, 2, at(nb, i, j));
          SmallVector<Value> idx;
          for (AffineExpr e : p.fillMap.getResults())
            idx.push_back(getValueOrCreateConstantIndexOp(
                nb, loc,
                affine::makeComposedFoldedAffineApply(
                    nb, loc, AffineMap::get(p.fillMap.getNumDims(), 0, e),
                    getAsOpFoldResult(ValueRange(outIdx)))));
          acc.push_back(p.fillAlongV
                            ? load(nb, in, idx, j)
                            : splat(nb, memref::LoadOp::create(nb, loc, in,
                                                               idx)));
        }
      return acc;
    };
    SmallVector<Value> acc;
    if (!p.fill) {
      acc = fromOutput(b);
    } else if (wholeReduction(chunk)) {
      acc = fromFill(b);
    } else {
      // Reduction chunks: the first starts from the fill's input, the
      // others from what the one before stored.
      Value first = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                          c0, index(b, 0));
      SmallVector<Type> types(ob * nv, vectorOf(out.getType()));
      auto branch = scf::IfOp::create(b, loc, types, first,
                                      /*withElseRegion=*/true);
      OpBuilder tb = branch.getThenBodyBuilder();
      scf::YieldOp::create(tb, loc, fromFill(tb));
      OpBuilder eb = branch.getElseBodyBuilder();
      scf::YieldOp::create(eb, loc, fromOutput(eb));
      acc.assign(branch.getResults().begin(), branch.getResults().end());
    }

    // The looped reduction dimensions, outermost first, carrying `acc`.
    std::function<SmallVector<Value>(
        OpBuilder &, size_t, DenseMap<unsigned, OpFoldResult>, ValueRange)>
        loops = [&](OpBuilder &nb, size_t k, DenseMap<unsigned, OpFoldResult> d,
                    ValueRange in) -> SmallVector<Value> {
      if (k == p.looped.size())
        return steps(nb, d, u0, v0, ob, nv, in, load);
      Value lb = index(nb, 0), ub = index(nb, p.sizes[p.looped[k]]);
      if (k == 0 && chunk) {
        lb = c0;
        ub = getValueOrCreateConstantIndexOp(nb, loc, plus(nb, c0, chunk));
      }
      auto f = scf::ForOp::create(
          nb, loc, lb, ub, index(nb, 1), in,
          [&](OpBuilder &lb, Location, Value iv, ValueRange args) {
            auto d2 = d;
            d2[p.looped[k]] = iv;
            scf::YieldOp::create(lb, loc, loops(lb, k + 1, d2, args));
          });
      return SmallVector<Value>(f.getResults());
    };
    acc = loops(b, 0, dims, acc);
    for (int64_t i = 0; i < ob; ++i)
      for (int64_t j = 0; j < nv; ++j) {
        SmallVector<Value> idx = indices(b, 2, at(b, i, j));
        Value a = acc[i * nv + j];
        if (masked(j))
          vector::MaskedStoreOp::create(b, loc, out, idx, mask, a);
        else
          vector::StoreOp::create(b, loc, a, out, idx);
      }
  }

  /// Every step of the unrolled reduction dimensions at the looped ones'
  /// point `d`: the accumulators after them.
  template <typename Load>
  SmallVector<Value> steps(OpBuilder &b, DenseMap<unsigned, OpFoldResult> d,
                           Value u0, Value v0, int64_t ob, int64_t nv,
                           ValueRange in, Load &load) {
    SmallVector<Value> acc(in);
    SmallVector<int64_t> point(p.unrolled.size(), 0);
    Value vecMem = g.getDpsInputs()[p.vecIn],
          scalMem = g.getDpsInputs()[p.scalIn];
    AffineMap vecMap = g.getIndexingMapsArray()[p.vecIn],
              scalMap = g.getIndexingMapsArray()[p.scalIn];
    bool vecPerRow = vecMap.isFunctionOfDim(p.u),
         scalPerRow = scalMap.isFunctionOfDim(p.u);
    // The widened pairs' bytes: element e's two halves are bytes 2e and
    // 2e + 1.
    Value loadMem =
        p.widen ? linalg::GenericOp(p.widen).getDpsInputs()[0] : vecMem;
    // With chunks, the outermost looped dimension's index one chunk ahead
    // (the same for every unrolled step).
    std::optional<ChunkPrefetch> prefetch = chunkPrefetch();
    Value ahead;
    if (prefetch) {
      unsigned c = p.looped[0];
      ahead = arith::MinUIOp::create(
          b, loc,
          arith::AddIOp::create(b, loc,
                                getValueOrCreateConstantIndexOp(b, loc, d[c]),
                                index(b, prefetch->distance)),
          index(b, p.sizes[c] - 1));
    }
    Block &body = g.getRegion().front();
    while (true) {
      for (auto [k, dim] : llvm::enumerate(p.unrolled))
        d[dim] = b.getIndexAttr(point[k]);
      auto at = [&](int64_t i, int64_t j) {
        auto e = d;
        e[p.u] = plus(b, u0, i);
        e[p.v] = plus(b, v0, j * p.lanes);
        return e;
      };
      auto loadIndices = [&](DenseMap<unsigned, OpFoldResult> e) {
        SmallVector<Value> idx = indices(b, p.vecIn, e);
        if (p.widen)
          idx.back() = arith::MulIOp::create(b, loc, idx.back(), index(b, 2));
        return idx;
      };
      if (ahead) {
        // The lines these loads read one chunk later.
        for (int64_t i = 0; i < (vecPerRow ? ob : 1); ++i)
          for (int64_t j = 0; j < nv; ++j) {
            auto e = at(i, j);
            e[p.looped[0]] = ahead;
            memref::PrefetchOp::create(b, loc, loadMem, loadIndices(e),
                                       /*isWrite=*/false,
                                       prefetch->localityHint,
                                       /*isDataCache=*/true);
          }
      }
      SmallVector<Value> vecs, scals;
      for (int64_t i = 0; i < (vecPerRow ? ob : 1); ++i)
        for (int64_t j = 0; j < nv; ++j) {
          SmallVector<Value> idx = loadIndices(at(i, j));
          if (!p.widen) {
            vecs.push_back(load(b, vecMem, idx, j));
            continue;
          }
          Value bytes = vector::LoadOp::create(
              b, loc, VectorType::get({2 * p.lanes}, b.getI8Type()), loadMem,
              idx);
          vecs.push_back(vector::BitCastOp::create(
              b, loc, vectorOf(vecMem.getType()),
              arith::ExtSIOp::create(
                  b, loc, VectorType::get({2 * p.lanes}, b.getI16Type()),
                  bytes)));
        }
      for (int64_t i = 0; i < (scalPerRow ? ob : 1); ++i)
        scals.push_back(
            splat(b, memref::LoadOp::create(b, loc, scalMem,
                                            indices(b, p.scalIn, at(i, 0)))));
      for (int64_t i = 0; i < ob; ++i)
        for (int64_t j = 0; j < nv; ++j) {
          Value vec = vecs[(vecPerRow ? i : 0) * nv + j],
                scal = scals[scalPerRow ? i : 0];
          if (p.dot4) {
            // The body's sum of 4 byte products per lane, in one
            // instruction: input 0 holds the unsigned bytes, input 1 the
            // signed ones.
            Value in0 = p.vecIn == 0 ? vec : scal,
                  in1 = p.vecIn == 0 ? scal : vec;
            auto bytes = VectorType::get({p.lanes * 4}, b.getI8Type());
            if (p.sevenBit) {
              acc[i * nv + j] = addQuadProducts7Bit(
                  b, loc, acc[i * nv + j],
                  vector::BitCastOp::create(b, loc, bytes, in0),
                  vector::BitCastOp::create(b, loc, bytes, in1));
              continue;
            }
            acc[i * nv + j] =
                LLVM::CallIntrinsicOp::create(
                    b, loc, acc[i * nv + j].getType(),
                    b.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                    ValueRange{acc[i * nv + j],
                               vector::BitCastOp::create(b, loc, bytes, in0),
                               vector::BitCastOp::create(b, loc, bytes, in1)})
                    .getResult(0);
            continue;
          }
          if (p.dot2) {
            // The body's sum of 2 products of 16-bit halves per lane.
            auto halves = VectorType::get({p.lanes * 2}, b.getI16Type());
            acc[i * nv + j] = addPairProducts(
                b, loc, acc[i * nv + j],
                vector::BitCastOp::create(b, loc, halves, vec),
                vector::BitCastOp::create(b, loc, halves, scal));
            continue;
          }
          IRMapping m = bodyMap;
          m.map(body.getArgument(p.vecIn), vec);
          m.map(body.getArgument(p.scalIn), scal);
          m.map(body.getArgument(2), acc[i * nv + j]);
          for (Operation &op : body.without_terminator()) {
            if (isa<arith::ConstantOp>(op))
              continue;
            OperationState st(loc, op.getName());
            for (Value x : op.getOperands())
              st.addOperands(m.lookup(x));
            st.addAttributes(op.getAttrs());
            for (Type t : op.getResultTypes())
              st.addTypes(VectorType::get({p.lanes}, t));
            Operation *c = b.create(st);
            m.map(op.getResults(), c->getResults());
          }
          acc[i * nv + j] = m.lookup(body.getTerminator()->getOperand(0));
        }
      // Next point, last dimension fastest.
      int k = int(point.size()) - 1;
      for (; k >= 0; --k) {
        if (++point[k] < p.sizes[p.unrolled[k]])
          break;
        point[k] = 0;
      }
      if (k < 0)
        break;
    }
    return acc;
  }
};

} // namespace

/// The x86 intrinsic of the vector width `acc` has (4, 8 or 16 i32 lanes:
/// 128, 256 or 512 bits), `names` in that order, on `x` and `y`, with
/// result type `type`.
static Value callByWidth(OpBuilder &b, Location loc, Value acc, Type type,
                         std::array<StringRef, 3> names, Value x, Value y) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  StringRef name = names[lanes == 4 ? 0 : lanes == 8 ? 1 : 2];
  return LLVM::CallIntrinsicOp::create(b, loc, type, b.getStringAttr(name),
                                       ValueRange{x, y})
      .getResult(0);
}

Value cgnet::addPairProducts(OpBuilder &b, Location loc, Value acc, Value x,
                             Value y) {
  Value sum = callByWidth(b, loc, acc, acc.getType(),
                          {"llvm.x86.sse2.pmadd.wd", "llvm.x86.avx2.pmadd.wd",
                           "llvm.x86.avx512.pmaddw.d.512"},
                          x, y);
  return arith::AddIOp::create(b, loc, acc, sum);
}

Value cgnet::addQuadProducts7Bit(OpBuilder &b, Location loc, Value acc, Value x,
                                 Value y) {
  int64_t lanes = cast<VectorType>(acc.getType()).getNumElements();
  auto halves = VectorType::get({lanes * 2}, b.getI16Type());
  Value pairs = callByWidth(b, loc, acc, halves,
                            {"llvm.x86.ssse3.pmadd.ub.sw.128",
                             "llvm.x86.avx2.pmadd.ub.sw",
                             "llvm.x86.avx512.pmaddubs.w.512"},
                            x, y);
  Value ones = arith::ConstantOp::create(
      b, loc, halves, DenseElementsAttr::get(halves, b.getI16IntegerAttr(1)));
  return addPairProducts(b, loc, acc, pairs, ones);
}

namespace {
struct RegisterBlockPass
    : public cgnet::impl::CGNetRegisterBlockBase<RegisterBlockPass> {
  using Base::Base;
  void runOnOperation() override {
    if (rows < 1 || vectors < 1 || dot2Vectors < 0) {
      getOperation().emitError("--cgnet-register-block: rows and vectors "
                               "must be at least 1, dot2-vectors at least 0");
      return signalPassFailure();
    }
    if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
      getOperation().emitError("--cgnet-register-block: vector-bits must be "
                               "128, 256 or 512, not ")
          << int64_t(vectorBits);
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> marked;
    getOperation().walk([&](linalg::GenericOp g) {
      if (g->hasAttr(kRegisterBlockAttr))
        marked.push_back(g);
    });
    for (linalg::GenericOp g : marked) {
      std::optional<Plan> plan = analyze(g, vectorBits);
      g->removeAttr(kRegisterBlockAttr);
      if (!plan)
        continue;
      initFill(g, *plan);
      findWiden(g, *plan);
      linalg::GenericOp fill = plan->fill, widen = plan->widen;
      // pmaddwd's (and pmaddubsw's) products take registers of their own.
      bool products = plan->dot2 || plan->sevenBit;
      Emitter(*plan, rows,
              products && dot2Vectors > 0 ? int64_t(dot2Vectors)
                                          : int64_t(vectors))
          .run();
      // The blocks write every output: the fill is dead.
      if (fill)
        fill.erase();
      // The widened copy is dead: the blocks were its only reader (its
      // buffer with it, and that buffer's deallocation).
      if (widen) {
        Value copy = widen.getDpsInits()[0];
        widen.erase();
        if (Operation *alloc = copy.getDefiningOp();
            alloc && isa<memref::AllocOp>(alloc)) {
          for (Operation *u : llvm::make_early_inc_range(copy.getUsers()))
            if (isa<memref::DeallocOp>(u))
              u->erase();
          if (alloc->use_empty())
            alloc->erase();
        }
      }
    }
  }
};

} // namespace
