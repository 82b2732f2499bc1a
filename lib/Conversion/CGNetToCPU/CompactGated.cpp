//===- CompactGated.cpp - gated outputs compacted, computed in blocks -----===//
//
// --cgnet-compact-gated: the conditional path of a channel-gated
// convolution (the generic --convert-cgnet-to-cpu marks
// `cgnet.compact_gated`: per output, a branch on the gate and a
// channel-vectorized dot product) becomes, per image and output channel,
// a list of the gated-on pixels (one branch-free pass over the plane) and
// blocks of `pixels` listed outputs computed together: each weight vector
// is loaded once per block and multiplied with every pixel's input
// vector, so the kernel does one load per multiply-add plus 1/pixels,
// where the per-output kernel did two.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/CGNetToCPU/CGNetToCPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

#include <numeric>

namespace cgnet {
#define GEN_PASS_DEF_CGNETCOMPACTGATED
#include "cgnet/Conversion/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

/// Pixels the list-building pass looks at together (one mask register).
constexpr int64_t kScan = 16;
/// Float accumulators a block keeps in flight (fused multiply-adds chain
/// through their accumulator: two FMA pipes times their latency).
constexpr int64_t kFloatChains = 8;
/// Below 512 bits: mask bits per lookup of the table of compressed lane
/// numbers (compressTable), lanes of a table row.
constexpr int64_t kTableLanes = 8;
static_assert(kScan % kTableLanes == 0, "whole table lookups per scan");

/// A stack table, filled at the function's entry, whose row m (of
/// kTableLanes i32) lists the set bits of m in increasing order, zeros
/// after them: the compressed lane numbers of a mask (8 KiB; written once
/// per call of the function, 256 vector stores).
static Value compressTable(func::FuncOp f) {
  OpBuilder b = OpBuilder::atBlockBegin(&f.getBody().front());
  Location loc = f.getLoc();
  int64_t rows = int64_t(1) << kTableLanes;
  Value table = memref::AllocaOp::create(
      b, loc, MemRefType::get({rows * kTableLanes}, b.getI32Type()));
  auto rowType = VectorType::get({kTableLanes}, b.getI32Type());
  for (int64_t m = 0; m < rows; ++m) {
    SmallVector<int32_t> lanes(kTableLanes, 0);
    for (int64_t i = 0, k = 0; i < kTableLanes; ++i)
      if (m >> i & 1)
        lanes[k++] = int32_t(i);
    Value row = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(rowType, ArrayRef<int32_t>(lanes)));
    vector::StoreOp::create(
        b, loc, row, table,
        ValueRange{arith::ConstantIndexOp::create(b, loc, m * kTableLanes)});
  }
  return table;
}

/// The parameters and buffers of one marked generic.
struct Gated {
  /// `partial` is the generic's init: the gated-on outputs are updated in
  /// place.
  Value partial, thr, xT, wT;
  /// The byte form (`bytes` in the mark): channels per vpdpbusd (16, 32,
  /// 64) and the per-output correction of the byte products' sum.
  int64_t bytes = 0;
  Value correction;
  /// The run form (`run_channels` in the mark; bytes with `bytes` = 64 (32
  /// with `seven_bit`: runs a multiple of 32 bytes), or
  /// floats): xT is N x rows x (Wp * runChannels) and wT O x kh x Lp, each
  /// kernel row one contiguous run (gatedConditionalRuns in CGNetToCPU.cpp).
  int64_t runChannels = 0;
  /// The run form on 16-bit values (`halves` in the mark: the dot2
  /// lowering): x - zp and the weights as i16, summed by pmaddwd.
  bool halves = false;
  /// The run form's bytes are 0..127 (`seven_bit` in the mark: the
  /// dot4-7bit lowering): summed by pmaddubsw, pmaddwd by ones and an add
  /// (addQuadProducts7Bit), a vector of the pass's width at a time.
  bool sevenBit = false;
  SmallVector<int64_t> strides, dilations;
  int64_t baseWidth, groupOutputs, lanes;
  bool grouped, isInt;
};

std::optional<Gated> analyze(linalg::GenericOp g) {
  auto params = g->getAttrOfType<DictionaryAttr>(kCompactGatedAttr);
  if (!params || !g.hasPureBufferSemantics() || g.getNumDpsInits() != 1)
    return std::nullopt;
  Gated k;
  if (auto bytes = params.getAs<IntegerAttr>("bytes"))
    k.bytes = bytes.getInt();
  if (g.getNumDpsInputs() != (k.bytes ? 4 : 3) ||
      (k.bytes && k.bytes != 16 && k.bytes != 32 && k.bytes != 64))
    return std::nullopt;
  if (k.bytes)
    k.correction = g.getDpsInputs()[3];
  if (auto run = params.getAs<IntegerAttr>("run_channels"))
    k.runChannels = run.getInt();
  k.halves = params.get("halves") != nullptr;
  k.sevenBit = params.get("seven_bit") != nullptr;
  if ((k.halves && (!k.runChannels || k.bytes)) ||
      (k.sevenBit && (!k.runChannels || !k.bytes)))
    return std::nullopt;
  k.thr = g.getDpsInputs()[0];
  k.xT = g.getDpsInputs()[1];
  k.wT = g.getDpsInputs()[2];
  k.partial = g.getDpsInits()[0];
  auto strides = params.getAs<DenseI64ArrayAttr>("strides");
  auto dilations = params.getAs<DenseI64ArrayAttr>("dilations");
  auto bw = params.getAs<IntegerAttr>("base_width");
  auto og = params.getAs<IntegerAttr>("group_outputs");
  auto lanes = params.getAs<IntegerAttr>("lanes");
  auto grouped = params.getAs<BoolAttr>("grouped");
  if (!strides || !dilations || !bw || !og || !lanes || !grouped ||
      strides.size() != 2 || dilations.size() != 2)
    return std::nullopt;
  k.strides.assign(strides.asArrayRef().begin(), strides.asArrayRef().end());
  k.dilations.assign(dilations.asArrayRef().begin(),
                     dilations.asArrayRef().end());
  k.baseWidth = bw.getInt();
  k.groupOutputs = og.getInt();
  k.lanes = lanes.getInt();
  k.grouped = grouped.getValue();
  for (Value v : {k.partial, k.thr, k.xT, k.wT}) {
    auto t = dyn_cast<MemRefType>(v.getType());
    SmallVector<int64_t> strides;
    int64_t offset;
    if (!t || !t.hasStaticShape() ||
        failed(t.getStridesAndOffset(strides, offset)) || strides.back() != 1)
      return std::nullopt;
  }
  auto shape = [](Value v) { return cast<MemRefType>(v.getType()).getShape(); };
  Type elem = cast<MemRefType>(k.partial.getType()).getElementType();
  k.isInt = isa<IntegerType>(elem);
  if (k.runChannels) {
    // Bytes into i32 sums, or floats; 64 bytes per vector either way.
    auto elemOf = [](Value v) {
      return cast<MemRefType>(v.getType()).getElementType();
    };
    Type stored = k.bytes    ? IntegerType::get(g.getContext(), 8)
                  : k.halves ? IntegerType::get(g.getContext(), 16)
                             : elem;
    if ((k.bytes    ? k.bytes != (k.sevenBit ? 32 : 64) || !elem.isInteger(32)
         : k.halves ? !elem.isInteger(32) || k.lanes != 16
                    : !elem.isF32() || k.lanes != 16) ||
        k.grouped || k.runChannels < 1 || shape(k.partial).size() != 4 ||
        shape(k.xT).size() != 3 || shape(k.wT).size() != 3 ||
        shape(k.thr).size() != 1 || shape(k.xT)[2] % k.runChannels ||
        shape(k.wT)[2] % (k.bytes || k.halves ? 32 : 16) ||
        (k.bytes && !k.sevenBit && shape(k.wT)[2] % 64) ||
        elemOf(k.xT) != stored ||
        (elemOf(k.wT) != stored && !(k.halves && elemOf(k.wT).isInteger(8))))
      return std::nullopt;
    return k;
  }
  if (shape(k.partial).size() != 4 || shape(k.xT).size() != 4 ||
      shape(k.wT).size() != 4 || shape(k.thr).size() != 1 ||
      shape(k.xT)[3] != shape(k.wT)[3] || k.lanes < 1 ||
      (k.bytes &&
       (k.baseWidth % k.bytes || shape(k.wT)[3] % k.bytes ||
        !elem.isInteger(32) ||
        !cast<MemRefType>(k.xT.getType()).getElementType().isInteger(8) ||
        !cast<MemRefType>(k.wT.getType()).getElementType().isInteger(8))) ||
      (!k.bytes && cast<MemRefType>(k.xT.getType()).getElementType() != elem) ||
      (cast<MemRefType>(k.wT.getType()).getElementType() != elem &&
       !(k.isInt && isa<IntegerType>(
                        cast<MemRefType>(k.wT.getType()).getElementType()))) ||
      k.baseWidth % k.lanes || shape(k.wT)[3] % k.lanes ||
      (!k.isInt && !isa<FloatType>(elem)))
    return std::nullopt;
  return k;
}

class Emitter {
public:
  /// `lut`: below 512 bits, the table of compressed lane indices
  /// (compressTable).
  Emitter(linalg::GenericOp g, const Gated &k, int64_t pixels,
          int64_t vectorBits, Value lut)
      : g(g), k(k), pixels(pixels), vectorBits(vectorBits), lut(lut),
        loc(g.getLoc()),
        elem(cast<MemRefType>(k.partial.getType()).getElementType()),
        vt(VectorType::get({k.lanes}, elem)) {}

  void run() {
    OpBuilder b(g);
    ArrayRef<int64_t> ps = cast<MemRefType>(k.partial.getType()).getShape();
    int64_t N = ps[0], O = ps[1], plane = ps[2] * ps[3];
    auto par =
        scf::ParallelOp::create(b, loc, ValueRange{index(b, 0), index(b, 0)},
                                ValueRange{index(b, N), index(b, O)},
                                ValueRange{index(b, 1), index(b, 1)},
                                [&](OpBuilder &nb, Location, ValueRange ivs) {
                                  channel(nb, ivs[0], ivs[1]);
                                });
    // Weighed by --cgnet-serialize-inner-parallel like the generic it
    // replaces (every output of the layer).
    par->setAttr(kIterationsAttr, b.getI64IntegerAttr(N * O * plane));
    g.erase();
  }

private:
  linalg::GenericOp g;
  const Gated &k;
  int64_t pixels, vectorBits;
  Value lut;
  Location loc;
  Type elem;
  VectorType vt;

  Value index(OpBuilder &b, int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  }
  Value add(OpBuilder &b, Value x, Value y) {
    return arith::AddIOp::create(b, loc, x, y);
  }
  Value mul(OpBuilder &b, Value x, int64_t c) {
    return c == 1 ? x
                  : arith::MulIOp::create(b, loc, x, index(b, c)).getResult();
  }

  /// Image n, output channel o: the list of gated-on pixels, then blocks.
  void channel(OpBuilder &b, Value n, Value o) {
    ArrayRef<int64_t> ps = cast<MemRefType>(k.partial.getType()).getShape();
    int64_t OW = ps[3], plane = ps[2] * ps[3];
    Value th = memref::LoadOp::create(b, loc, k.thr, ValueRange{o});
    Value correction =
        k.bytes ? memref::LoadOp::create(b, loc, k.correction, ValueRange{o})
                      .getResult()
                : Value();
    auto list = memref::AllocaOp::create(
        b, loc, MemRefType::get({plane + kScan}, b.getI32Type()));
    // `kScan` pixels of a row at a time, the gated-on ones' indices are
    // appended to the list (the others keep their partial sums).
    auto scanType = VectorType::get({kScan}, elem);
    auto maskType = VectorType::get({kScan}, b.getI1Type());
    auto iotaType = VectorType::get({kScan}, b.getI32Type());
    SmallVector<int32_t> iota(kScan);
    std::iota(iota.begin(), iota.end(), 0);
    Value lanesI = arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(iotaType, ArrayRef<int32_t>(iota)));
    Value thV = vector::BroadcastOp::create(b, loc, scanType, th);
    Value zeroV = arith::ConstantOp::create(
        b, loc, scanType,
        DenseElementsAttr::get(scanType, b.getZeroAttr(elem)));
    int64_t OH = ps[2];
    auto scan = scf::ForOp::create(
        b, loc, index(b, 0), index(b, OH), index(b, 1), ValueRange{index(b, 0)},
        [&](OpBuilder &rb, Location, Value y, ValueRange rowArgs) {
          auto row = scf::ForOp::create(
              rb, loc, index(rb, 0), index(rb, OW), index(rb, kScan), rowArgs,
              [&](OpBuilder &lb, Location, Value x, ValueRange args) {
                // Pixels x .. x + kScan - 1 of row y that are in the row.
                Value left = arith::SubIOp::create(lb, loc, index(lb, OW), x);
                Value inside = vector::CreateMaskOp::create(lb, loc, maskType,
                                                            ValueRange{left});
                SmallVector<Value> at{n, o, y, x};
                Value v = vector::MaskedLoadOp::create(
                    lb, loc, scanType, k.partial, at, inside, zeroV);
                Value on = k.isInt
                               ? arith::CmpIOp::create(
                                     lb, loc, arith::CmpIPredicate::sge, v, thV)
                                     .getResult()
                               : arith::CmpFOp::create(
                                     lb, loc, arith::CmpFPredicate::OGT, v, thV)
                                     .getResult();
                on = arith::AndIOp::create(lb, loc, on, inside);
                Value q = add(lb, mul(lb, y, OW), x);
                Value q32 =
                    arith::IndexCastOp::create(lb, loc, lb.getI32Type(), q);
                // The mask's bits, one per pixel.
                Value bits = vector::BitCastOp::create(
                    lb, loc, VectorType::get({1}, lb.getIntegerType(kScan)),
                    on);
                Value word = vector::ExtractOp::create(lb, loc, bits,
                                                       ArrayRef<int64_t>{0});
                if (vectorBits < 512) {
                  // Without AVX-512 there is no compressing instruction
                  // (LLVM expands the intrinsic below lane by lane through
                  // a stack slot read back as a vector). Per byte of the
                  // mask, the table holds the set bits' lane numbers in
                  // order: those plus the byte's first pixel are stored
                  // whole at the list's end (8 entries of slack), and the
                  // end moves by the byte's count of bits.
                  Value end = args[0];
                  Value word32 = arith::ExtUIOp::create(
                      lb, loc, lb.getI32Type(), word);
                  auto i32 = [&](int64_t v) {
                    return arith::ConstantIntOp::create(lb, loc, v, 32);
                  };
                  auto laneType =
                      VectorType::get({kTableLanes}, lb.getI32Type());
                  for (int64_t i = 0; i < kScan; i += kTableLanes) {
                    Value byte = arith::AndIOp::create(
                        lb, loc,
                        i ? arith::ShRUIOp::create(lb, loc, word32, i32(i))
                                .getResult()
                          : word32,
                        i32((1 << kTableLanes) - 1));
                    Value row = mul(lb,
                                    arith::IndexCastUIOp::create(
                                        lb, loc, lb.getIndexType(), byte),
                                    kTableLanes);
                    Value lanes = vector::LoadOp::create(lb, loc, laneType, lut,
                                                         ValueRange{row});
                    Value first =
                        i ? arith::AddIOp::create(lb, loc, q32, i32(i))
                                .getResult()
                          : q32;
                    Value ids = arith::AddIOp::create(
                        lb, loc, lanes,
                        vector::BroadcastOp::create(lb, loc, laneType, first));
                    vector::StoreOp::create(lb, loc, ids, list,
                                            ValueRange{end});
                    Value pop = math::CtPopOp::create(lb, loc, byte);
                    end = add(lb, end,
                              arith::IndexCastUIOp::create(
                                  lb, loc, lb.getIndexType(), pop));
                  }
                  scf::YieldOp::create(lb, loc, end);
                  return;
                }
                Value ids = arith::AddIOp::create(
                    lb, loc, lanesI,
                    vector::BroadcastOp::create(lb, loc, iotaType, q32));
                // Compressed in a register (AVX-512's vpcompressd), then
                // stored whole (the list has kScan entries of slack): a
                // compressing store to memory (vector.compressstore,
                // vpcompressd m32) takes over a hundred cycles on AMD Zen 4.
                Value packed =
                    LLVM::CallIntrinsicOp::create(
                        lb, loc, iotaType,
                        lb.getStringAttr("llvm.experimental.vector.compress"),
                        ValueRange{ids, on, ids})
                        .getResult(0);
                vector::StoreOp::create(lb, loc, packed, list,
                                        ValueRange{args[0]});
                // The count of gated-on pixels: the mask's bits.
                Value pop = math::CtPopOp::create(lb, loc, word);
                Value popIdx = arith::IndexCastUIOp::create(
                    lb, loc, lb.getIndexType(), pop);
                scf::YieldOp::create(lb, loc, add(lb, args[0], popIdx));
              });
          scf::YieldOp::create(rb, loc, row.getResults());
        });
    // Blocks of `pixels` outputs, then what is left in at most one block
    // of each of half as many, a quarter, ..., one: no output is computed
    // twice (on small planes most lists are a pixel or two: ResNet-18's
    // 4 x 4 layer 4 at 90% off).
    Value count = scan.getResult(0);
    auto blocks = [&](Value from, Value to, int64_t P) {
      scf::ForOp::create(b, loc, from, to, index(b, P), ValueRange{},
                         [&](OpBuilder &lb, Location, Value first, ValueRange) {
                           block(lb, n, o, list, first, correction, P);
                           scf::YieldOp::create(lb, loc);
                         });
    };
    // Each tier's blocks: the whole ones of P in what the tiers before
    // left, [from, count - (count - from) mod P).
    Value from = index(b, 0);
    for (int64_t P = pixels; P >= 1; P /= 2) {
      Value left = P == pixels ? count
                               : arith::SubIOp::create(b, loc, count, from)
                                     .getResult();
      Value to = P == 1 ? count
                        : arith::SubIOp::create(
                              b, loc, count,
                              arith::RemUIOp::create(b, loc, left,
                                                     index(b, P)))
                              .getResult();
      blocks(from, to, P);
      from = to;
    }
  }

  /// Prefetches the line of the next output channel's weights (wT[o + 1];
  /// the last channel its own) at `at` (past the channel index), next to
  /// each weight load of a block: a channel's weights are read once per
  /// block, and in a network the large layers' (ResNet-18's layer 4: 7 MB
  /// of conditional weights per fp32 convolution) come from memory. Spread
  /// over the blocks' steps, not all of a channel's lines at its start: on
  /// a Zen 5 core that burst (216 prefetches for the fp32 layer 4) left
  /// the gated CIFAR fp32 network at 50% off 21% slower (7.7 against 6.1
  /// ms), at 90% 15%. A channel whose list is empty prefetches nothing;
  /// the next one then reads its first weights from memory.
  void prefetchNext(OpBuilder &b, Value next, ValueRange at) {
    SmallVector<Value> idx{next};
    idx.append(at.begin(), at.end());
    memref::PrefetchOp::create(b, loc, k.wT, idx, /*isWrite=*/false,
                               /*localityHint=*/2, /*isDataCache=*/true);
  }

  /// The listed outputs first .. first + P - 1, all within the list (the
  /// caller's tiers take whole blocks only).
  void block(OpBuilder &b, Value n, Value o, Value list, Value first,
             Value correction, int64_t P) {
    ArrayRef<int64_t> ps = cast<MemRefType>(k.partial.getType()).getShape();
    ArrayRef<int64_t> ws = cast<MemRefType>(k.wT.getType()).getShape();
    int64_t OW = ps[3], kh = ws[1], kw = k.runChannels ? 1 : ws[2],
            C = k.runChannels ? ws[2] : ws[3];
    Value nextO = arith::MinUIOp::create(b, loc, add(b, o, index(b, 1)),
                                         index(b, ws[0] - 1));
    SmallVector<Value> ys, xs, iys, ixs;
    for (int64_t j = 0; j < P; ++j) {
      Value q = arith::IndexCastOp::create(
          b, loc, b.getIndexType(),
          memref::LoadOp::create(b, loc, list,
                                 ValueRange{add(b, first, index(b, j))}));
      ys.push_back(arith::DivUIOp::create(b, loc, q, index(b, OW)));
      xs.push_back(arith::RemUIOp::create(b, loc, q, index(b, OW)));
      iys.push_back(mul(b, ys.back(), k.strides[0]));
      ixs.push_back(mul(b, xs.back(), k.strides[1]));
    }
    // The conditional channels: [0, lo) and [hi, C).
    Value lo = index(b, 0), hi = index(b, k.baseWidth);
    if (k.grouped) {
      Value grp = arith::DivUIOp::create(b, loc, o, index(b, k.groupOutputs));
      lo = mul(b, grp, k.baseWidth);
      hi = add(b, lo, index(b, k.baseWidth));
    }
    // The byte form: `bytes` channels per step, accumulated 4 per i32 lane
    // by vpdpbusd (input bytes unsigned, weights signed).
    VectorType accType =
        k.bytes ? VectorType::get({k.bytes / 4}, b.getI32Type()) : vt;
    int64_t step = k.bytes ? k.bytes : k.lanes;
    Value zero = arith::ConstantOp::create(
        b, loc, accType, DenseElementsAttr::get(accType, b.getZeroAttr(elem)));
    // Float sums of a block of few pixels: more accumulators per pixel,
    // the kernel taps taking them in turn (as the run form's, see runs).
    int64_t tapChains = !k.isInt && !k.runChannels && P < kFloatChains
                            ? std::min(kFloatChains / P, kh * kw)
                            : 1;
    SmallVector<Value> accs(P * tapChains, zero);
    auto run = [&](Value from, Value to) {
      auto loop = scf::ForOp::create(
          b, loc, from, to, index(b, step), accs,
          [&](OpBuilder &lb, Location, Value c, ValueRange args) {
            SmallVector<Value> next(args);
            for (int64_t ky = 0; ky < kh; ++ky)
              for (int64_t kx = 0; kx < kw; ++kx) {
                if (k.bytes) {
                  auto bt = VectorType::get({k.bytes}, lb.getI8Type());
                  Value wv = vector::LoadOp::create(
                      lb, loc, bt, k.wT,
                      ValueRange{o, index(lb, ky), index(lb, kx), c});
                  prefetchNext(lb, nextO,
                               ValueRange{index(lb, ky), index(lb, kx), c});
                  std::string name =
                      "llvm.x86.avx512.vpdpbusd." + std::to_string(k.bytes * 8);
                  for (int64_t j = 0; j < P; ++j) {
                    Value iy = add(lb, iys[j], index(lb, ky * k.dilations[0]));
                    Value ix = add(lb, ixs[j], index(lb, kx * k.dilations[1]));
                    Value xv = vector::LoadOp::create(lb, loc, bt, k.xT,
                                                      ValueRange{n, iy, ix, c});
                    next[j] = LLVM::CallIntrinsicOp::create(
                                  lb, loc, accType, lb.getStringAttr(name),
                                  ValueRange{next[j], xv, wv})
                                  .getResult(0);
                  }
                  continue;
                }
                // Integer weights may be stored narrower (i8).
                Type wElem = cast<MemRefType>(k.wT.getType()).getElementType();
                Value wv = vector::LoadOp::create(
                    lb, loc, VectorType::get({k.lanes}, wElem), k.wT,
                    ValueRange{o, index(lb, ky), index(lb, kx), c});
                prefetchNext(lb, nextO,
                             ValueRange{index(lb, ky), index(lb, kx), c});
                if (wElem != elem)
                  wv = arith::ExtSIOp::create(lb, loc, vt, wv);
                for (int64_t j = 0; j < P; ++j) {
                  Value iy = add(lb, iys[j], index(lb, ky * k.dilations[0]));
                  Value ix = add(lb, ixs[j], index(lb, kx * k.dilations[1]));
                  Value xv = vector::LoadOp::create(lb, loc, vt, k.xT,
                                                    ValueRange{n, iy, ix, c});
                  Value &acc = next[j + P * ((ky * kw + kx) % tapChains)];
                  acc = k.isInt ? arith::AddIOp::create(
                                      lb, loc, acc,
                                      arith::MulIOp::create(lb, loc, xv, wv))
                                      .getResult()
                                : vector::FMAOp::create(lb, loc, xv, wv, acc)
                                      .getResult();
                }
              }
            scf::YieldOp::create(lb, loc, next);
          });
      accs.assign(loop.getResults().begin(), loop.getResults().end());
    };
    if (k.runChannels)
      runs(b, n, o, nextO, iys, ixs, C, accs, P);
    else {
      run(index(b, 0), lo);
      run(hi, index(b, C));
      for (int64_t c = 1; c < tapChains; ++c)
        for (int64_t j = 0; j < P; ++j)
          accs[j] = arith::AddFOp::create(b, loc, accs[j], accs[j + P * c]);
    }
    for (int64_t j = 0; j < P; ++j) {
      // Float sums are reassociated (a shuffle tree).
      Value sum = vector::ReductionOp::create(
          b, loc, vector::CombiningKind::ADD, accs[j],
          k.isInt ? arith::FastMathFlags::none
                  : arith::FastMathFlags::reassoc);
      if (k.bytes)
        sum = arith::SubIOp::create(b, loc, sum, correction);
      SmallVector<Value> at{n, o, ys[j], xs[j]};
      Value p = memref::LoadOp::create(b, loc, k.partial, at);
      Value full = k.isInt ? arith::AddIOp::create(b, loc, p, sum).getResult()
                           : arith::AddFOp::create(b, loc, p, sum).getResult();
      memref::StoreOp::create(b, loc, full, k.partial, at);
    }
  }

  /// The run form's products: for 64 bytes at a time of the kh runs
  /// (`length` elements each; floats: vectorBits at a time), every pixel
  /// of the block multiplies its run with the weights' (loaded once;
  /// vpdpbusd on bytes, FMA on floats); with 512-bit vectors two
  /// accumulators per pixel (alternate kernel rows) keep 2 x P chains in
  /// flight; with fewer registers (AVX2: 16) one per pixel. Each weight
  /// load is paired with a prefetch of channel `nextO`'s (prefetchNext).
  void runs(OpBuilder &b, Value n, Value o, Value nextO, ArrayRef<Value> iys,
            ArrayRef<Value> ixs, int64_t length, SmallVector<Value> &accs,
            int64_t P) {
    ArrayRef<int64_t> ws = cast<MemRefType>(k.wT.getType()).getShape();
    int64_t kh = ws[1];
    SmallVector<Value> starts;
    for (Value ix : ixs)
      starts.push_back(mul(b, ix, k.runChannels));
    // Elements per vector, and the accumulators' lanes (pmaddwd sums
    // pairs of 16-bit products into 32-bit lanes, vpdpbusd and the 7-bit
    // form quads of byte products). Products in registers of their own
    // (halves, 7-bit) leave room for one chain per pixel below 512 bits.
    int64_t step = k.sevenBit ? std::min<int64_t>(vectorBits / 8, 32)
                   : k.bytes  ? 64
                   : k.halves ? vectorBits / 16
                              : vectorBits / 32,
            accLanes = k.halves  ? step / 2
                       : k.bytes ? step / 4
                                 : step,
            chains = (k.bytes && !k.sevenBit) || vectorBits == 512 ? 2 : 1;
    // Float sums: a block of fewer than kFloatChains pixels takes more
    // accumulators per pixel, over `unroll` consecutive vectors of the run
    // at a time, so that kFloatChains fused multiply-adds are in flight
    // (one chain per pixel waits out the FMA's latency on every step:
    // ResNet-18's 8 x 8 fp32 layer at 80% off spent a fifth of its time in
    // the blocks of 4, 2 and 1 pixels).
    int64_t unroll = 1;
    if (!k.isInt && P * chains < kFloatChains) {
      int64_t want = kFloatChains / P, vecs = length / step;
      while (unroll * kh < want && vecs % (unroll * 2) == 0)
        unroll *= 2;
      chains = std::min(want, unroll * kh);
    }
    Type stored = k.bytes    ? b.getI8Type()
                  : k.halves ? b.getI16Type()
                             : elem;
    auto bt = VectorType::get({step}, stored);
    // The block's accumulators in `accLanes` lanes: the sums of 16 lanes
    // taken apart (the order of a float sum's terms changes; the
    // reduction below is reassociated anyway).
    bool split = accLanes != k.lanes;
    SmallVector<Value> init;
    for (int64_t c = 0; c < chains; ++c)
      for (Value a : accs)
        init.push_back(split ? narrow(b, a, accLanes) : a);
    auto loop = scf::ForOp::create(
        b, loc, index(b, 0), index(b, length), index(b, step * unroll), init,
        [&](OpBuilder &lb, Location, Value c0, ValueRange args) {
          SmallVector<Value> next(args);
          // Step s: vector u of the runs from c0, kernel row ky.
          for (int64_t s = 0; s < unroll * kh; ++s) {
            int64_t u = s / kh, ky = s % kh;
            Value c = u ? add(lb, c0, index(lb, u * step)) : c0;
            // Halves' weights may be stored as bytes: sign-extended here
            // (vpmovsxbw).
            Type wStored = cast<MemRefType>(k.wT.getType()).getElementType();
            Value wv = vector::LoadOp::create(
                lb, loc, VectorType::get({step}, wStored), k.wT,
                ValueRange{o, index(lb, ky), c});
            prefetchNext(lb, nextO, ValueRange{index(lb, ky), c});
            if (wStored != stored)
              wv = arith::ExtSIOp::create(lb, loc, bt, wv);
            for (int64_t j = 0; j < P; ++j) {
              Value iy = add(lb, iys[j], index(lb, ky * k.dilations[0]));
              Value xv = vector::LoadOp::create(
                  lb, loc, bt, k.xT, ValueRange{n, iy, add(lb, starts[j], c)});
              Value &acc = next[j + P * (s % chains)];
              if (k.halves) {
                acc = addPairProducts(lb, loc, acc, xv, wv);
                continue;
              }
              if (k.sevenBit) {
                acc = addQuadProducts7Bit(lb, loc, acc, xv, wv);
                continue;
              }
              acc =
                  k.bytes
                      ? LLVM::CallIntrinsicOp::create(
                            lb, loc, acc.getType(),
                            lb.getStringAttr("llvm.x86.avx512.vpdpbusd.512"),
                            ValueRange{acc, xv, wv})
                            .getResult(0)
                      : vector::FMAOp::create(lb, loc, xv, wv, acc).getResult();
            }
          }
          scf::YieldOp::create(lb, loc, next);
        });
    for (int64_t j = 0; j < P; ++j) {
      Value a = loop.getResult(j);
      for (int64_t c = 1; c < chains; ++c)
        a = k.isInt
                ? arith::AddIOp::create(b, loc, a, loop.getResult(j + P * c))
                      .getResult()
                : arith::AddFOp::create(b, loc, a, loop.getResult(j + P * c))
                      .getResult();
      accs[j] = split ? widen(b, a) : a;
    }
  }

  /// The first `lanes` lanes of the accumulator `a` (its others are 0
  /// where this is used: the block's accumulators before the runs).
  Value narrow(OpBuilder &b, Value a, int64_t lanes) {
    return vector::ExtractStridedSliceOp::create(b, loc, a, {0}, {lanes},
                                                 {1});
  }
  /// `a` back in the accumulator's width (vt), zeros after it.
  Value widen(OpBuilder &b, Value a) {
    Value zero = arith::ConstantOp::create(b, loc, vt, b.getZeroAttr(vt));
    return vector::InsertStridedSliceOp::create(b, loc, a, zero, {0}, {1});
  }
};

/// `body(builder, start, size)` over [0, extent) in pieces of `step`: a
/// loop over the whole pieces (size `step`), then the rest at a constant
/// start (size extent % step), where there is one.
static void
wholeThenRest(OpBuilder &b, Location loc, int64_t extent, int64_t step,
              function_ref<void(OpBuilder &, Value, int64_t)> body) {
  int64_t whole = extent - extent % step;
  if (whole)
    scf::ForOp::create(
        b, loc, arith::ConstantIndexOp::create(b, loc, 0),
        arith::ConstantIndexOp::create(b, loc, whole),
        arith::ConstantIndexOp::create(b, loc, step), ValueRange{},
        [&](OpBuilder &lb, Location, Value start, ValueRange) {
          body(lb, start, step);
          scf::YieldOp::create(lb, loc);
        });
  if (extent % step)
    body(b, arith::ConstantIndexOp::create(b, loc, whole), extent % step);
}

/// The copy of a run-form gated convolution's conditional channels to
/// channels-last (gatedConditionalRuns, marked kChannelsLastAttr): bytes,
/// out[n, y, x, c] = the low byte of in[n, c, y, x] + a constant offset
/// (i32 in, i8 out), 16-bit halves likewise (i32 in, i16 out: the dot2
/// form, offset -zp), or 32-bit words, out[n, y, x, c] = in[n, c, y, x]
/// (floats; floats or i32: a small-plane convolution's output seen as
/// N*G x pixels x 1 x Og, transposed back, transposeInTiles). As
/// loops over the output, LLVM reads the input with gathers (vpgatherdd,
/// slow on AMD Zen 4) or, without AVX-512, one element at a time, the
/// channels a plane apart (a 32 x 32 plane of i32 is 4 KiB: every load of
/// a pixel's channels in the same L1 set); here 16 pixels of a row at a
/// time, and 64 channels (bytes), 32 (halves) or 16 (words): each
/// channel's 16 pixels are one contiguous load, four channels' bytes or
/// two channels' halves are packed into one i32 per pixel (shifts and
/// ors), and the 16 x 16 matrix of those words (or floats) is
/// transposed in registers (four rounds of two-source shuffles), each row
/// then one pixel's 64 bytes, stored whole (masked where fewer channels
/// are left). Returns false, leaving the generic, for another form.
static bool lowerChannelsLast(linalg::GenericOp g) {
  g->removeAttr(kChannelsLastAttr);
  if (!g.hasPureBufferSemantics() || g.getNumDpsInputs() != 1 ||
      g.getNumDpsInits() != 1)
    return false;
  Value in = g.getDpsInputs()[0], out = g.getDpsInits()[0];
  auto it = dyn_cast<MemRefType>(in.getType());
  auto ot = dyn_cast<MemRefType>(out.getType());
  auto unitStride = [](MemRefType t) {
    SmallVector<int64_t> strides;
    int64_t offset;
    return t && t.hasStaticShape() && t.getRank() == 4 &&
           succeeded(t.getStridesAndOffset(strides, offset)) &&
           strides.back() == 1;
  };
  if (!unitStride(it) || !unitStride(ot))
    return false;
  // The body: trunci(addi(input, offset)) to bytes or 16-bit halves (the
  // dot2 form: the offset is -zp), the input on floats.
  Block &body = g.getRegion().front();
  Value yielded = body.getTerminator()->getOperand(0);
  // Bits per packed field: 8 (bytes), 16 (halves), 0 (floats, unpacked).
  int64_t fieldBits = 0;
  if (it.getElementType().isInteger(32) && (ot.getElementType().isInteger(8) ||
                                            ot.getElementType().isInteger(16)))
    fieldBits = ot.getElementType().getIntOrFloatBitWidth();
  bool packed = fieldBits != 0;
  APInt offset(32, 0);
  if (packed) {
    // An offset of 0 (halves of a zero zero point) folds away.
    auto trunc = yielded.getDefiningOp<arith::TruncIOp>();
    auto sum = trunc ? trunc.getIn().getDefiningOp<arith::AddIOp>() : nullptr;
    bool plain = trunc && trunc.getIn() == body.getArgument(0);
    if (!plain && (!sum || sum.getLhs() != body.getArgument(0) ||
                   !matchPattern(sum.getRhs(), m_ConstantInt(&offset))))
      return false;
  } else if (it.getElementType() != ot.getElementType() ||
             !(it.getElementType().isF32() ||
               it.getElementType().isInteger(32)) ||
             yielded != body.getArgument(0)) {
    return false;
  }
  MLIRContext *ctx = g.getContext();
  AffineExpr d0, d1, d2, d3;
  bindDims(ctx, d0, d1, d2, d3);
  ArrayRef<int64_t> is = it.getShape(), os = ot.getShape();
  if (is[0] != os[0] || is[1] != os[3] || is[2] != os[1] || is[3] != os[2] ||
      g.getIndexingMapsArray() !=
          SmallVector<AffineMap>{AffineMap::get(4, 0, {d0, d3, d1, d2}, ctx),
                                 AffineMap::getMultiDimIdentityMap(4, ctx)})
    return false;

  OpBuilder b(g);
  Location loc = g.getLoc();
  int64_t N = os[0], H = os[1], W = os[2], C = os[3];
  // Channels per tile: 16 words of 4 bytes or 2 halves, or 16 floats.
  int64_t perWord = packed ? 32 / fieldBits : 1, group = 16 * perWord;
  auto index = [&](OpBuilder &ib, int64_t v) -> Value {
    return arith::ConstantIndexOp::create(ib, loc, v);
  };
  auto rowType = VectorType::get({16}, it.getElementType());
  auto zeroRow = [&](OpBuilder &ib) -> Value {
    return arith::ConstantOp::create(
        ib, loc, rowType,
        DenseElementsAttr::get(rowType, ib.getZeroAttr(it.getElementType())));
  };
  // Bytes only: a vector of i32 `v`.
  auto words = [&](OpBuilder &ib, int64_t v) -> Value {
    return arith::ConstantOp::create(
        ib, loc, rowType,
        DenseElementsAttr::get(rowType, ib.getI32IntegerAttr(int32_t(v))));
  };
  // Pixels x0 .. x0 + pixels - 1 of row y, channels c0 .. c0 + channels - 1.
  auto tile = [&](OpBuilder &tb, Value n, Value y, Value x0, int64_t pixels,
                  Value c0, int64_t channels) {
    Value inside = pixels < 16
                       ? vector::CreateMaskOp::create(
                             tb, loc, VectorType::get({16}, tb.getI1Type()),
                             ValueRange{index(tb, pixels)})
                             .getResult()
                       : Value();
    // The tile's constants, once: zeros, and (packed) the offset and mask.
    Value zero = zeroRow(tb), offsetV, low;
    if (packed) {
      offsetV = words(tb, offset.getSExtValue());
      low = words(tb, (int64_t(1) << fieldBits) - 1);
    }
    SmallVector<Value> rows;
    for (int64_t q = 0; q < 16; ++q) {
      Value word;
      for (int64_t i = 0; i < perWord && perWord * q + i < channels; ++i) {
        SmallVector<Value> at{
            n, arith::AddIOp::create(tb, loc, c0, index(tb, perWord * q + i)),
            y, x0};
        Value v =
            inside
                ? vector::MaskedLoadOp::create(tb, loc, rowType, in, at, inside,
                                               zero)
                      .getResult()
                : vector::LoadOp::create(tb, loc, rowType, in, at).getResult();
        if (packed) {
          v = arith::AndIOp::create(
              tb, loc, arith::AddIOp::create(tb, loc, v, offsetV), low);
          if (i)
            v = arith::ShLIOp::create(tb, loc, v, words(tb, fieldBits * i));
        }
        word = word ? arith::OrIOp::create(tb, loc, word, v).getResult() : v;
      }
      rows.push_back(word ? word : zero);
    }
    // rows[q][p] = pixel p's channels perWord * q ...: transposed by
    // swapping the off-diagonal s x s blocks of every 2s x 2s block, s = 8,
    // 4, 2, 1.
    for (int64_t s = 8; s >= 1; s /= 2)
      for (int64_t r = 0; r < 16; ++r) {
        if (r & s)
          continue;
        SmallVector<int64_t> first, second;
        for (int64_t l = 0; l < 16; ++l) {
          first.push_back(l & s ? 16 + l - s : l);
          second.push_back(l & s ? 16 + l : l + s);
        }
        Value a = rows[r], c = rows[r + s];
        rows[r] = vector::ShuffleOp::create(tb, loc, a, c, first);
        rows[r + s] = vector::ShuffleOp::create(tb, loc, a, c, second);
      }
    auto storeType = VectorType::get({group}, ot.getElementType());
    Value keep = channels < group
                     ? vector::CreateMaskOp::create(
                           tb, loc, VectorType::get({group}, tb.getI1Type()),
                           ValueRange{index(tb, channels)})
                           .getResult()
                     : Value();
    for (int64_t p = 0; p < pixels; ++p) {
      Value v = packed ? vector::BitCastOp::create(tb, loc, storeType, rows[p])
                            .getResult()
                      : rows[p];
      SmallVector<Value> at{
          n, y, arith::AddIOp::create(tb, loc, x0, index(tb, p)), c0};
      if (keep)
        vector::MaskedStoreOp::create(tb, loc, out, at, keep, v);
      else
        vector::StoreOp::create(tb, loc, v, out, at);
    }
  };
  // Rows n, y: 16 pixels at a time, then the rest; within, whole channel
  // groups, then the rest.
  scf::buildLoopNest(
      b, loc, ValueRange{index(b, 0), index(b, 0)},
      ValueRange{index(b, N), index(b, H)},
      ValueRange{index(b, 1), index(b, 1)},
      [&](OpBuilder &nb, Location, ValueRange ivs) {
        wholeThenRest(
            nb, loc, W, 16, [&](OpBuilder &xb, Value x0, int64_t pixels) {
              wholeThenRest(xb, loc, C, group,
                            [&](OpBuilder &cb, Value c0, int64_t channels) {
                              tile(cb, ivs[0], ivs[1], x0, pixels, c0,
                                   channels);
                            });
            });
      });
  g.erase();
  return true;
}

struct CompactGatedPass
    : public cgnet::impl::CGNetCompactGatedBase<CompactGatedPass> {
  using Base::Base;
  void runOnOperation() override {
    if (pixels < 1) {
      getOperation().emitError("--cgnet-compact-gated: pixels must be at "
                               "least 1");
      return signalPassFailure();
    }
    if (vectorBits != 128 && vectorBits != 256 && vectorBits != 512) {
      getOperation().emitError("--cgnet-compact-gated: vector-bits must be "
                               "128, 256 or 512, not ")
          << int64_t(vectorBits);
      return signalPassFailure();
    }
    SmallVector<linalg::GenericOp> marked;
    getOperation().walk([&](linalg::GenericOp g) {
      if (g->hasAttr(kCompactGatedAttr))
        marked.push_back(g);
    });
    SmallVector<linalg::GenericOp> copies;
    getOperation().walk([&](linalg::GenericOp g) {
      if (g->hasAttr(kChannelsLastAttr))
        copies.push_back(g);
    });
    for (linalg::GenericOp g : copies)
      lowerChannelsLast(g);
    Value lut;
    for (linalg::GenericOp g : marked) {
      std::optional<Gated> k = analyze(g);
      g->removeAttr(kCompactGatedAttr);
      if (!k)
        continue;
      if (vectorBits < 512 && !lut)
        lut = compressTable(getOperation());
      Emitter(g, *k, pixels, vectorBits, lut).run();
    }
  }
};

} // namespace
