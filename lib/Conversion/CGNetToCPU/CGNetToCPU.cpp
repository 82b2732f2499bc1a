//===- CGNetToCPU.cpp - float cgnet layers to linalg ----------------------===//
//
// Every layer becomes one or a few `linalg.generic` ops on tensors whose
// indexing maps spell out the reference evaluator's loops: convolutions
// over a padded input (`tensor.pad`), grouped convolutions with the group
// as a loop of its own (the input and the result reshaped to
// N x G x C/G x H x W), pooling windows as reduction loops. The rest of
// the pipeline (buildCPUPipeline) is upstream MLIR.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/CGNetToCPU/CGNetToCPU.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/LoopLikeInterface.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"
#include <limits>

namespace cgnet {
#define GEN_PASS_DEF_CONVERTCGNETTOCPU
#define GEN_PASS_DEF_CGNETOUTLINECONSTANTS
#define GEN_PASS_DEF_CGNETCOPIESTOLOOPS
#define GEN_PASS_DEF_CGNETFUSEELEMENTWISE
#define GEN_PASS_DEF_CGNETSERIALIZEINNERPARALLEL
#include "cgnet/Conversion/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

using utils::IteratorType;
constexpr IteratorType P = IteratorType::parallel, R = IteratorType::reduction;

class Lowering {
public:
  Lowering(OpBuilder &b, Location loc) : b(b), loc(loc) {}

  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  template <typename T>
  Value denseConstant(ArrayRef<int64_t> shape, Type elem, ArrayRef<T> data) {
    return arith::ConstantOp::create(
        b, loc,
        DenseElementsAttr::get(RankedTensorType::get(shape, elem), data));
  }
  Value constant(ArrayRef<int64_t> shape, ArrayRef<float> data) {
    return denseConstant(shape, b.getF32Type(), data);
  }
  Value scalar(double v) {
    return arith::ConstantOp::create(b, loc, b.getF32FloatAttr(v));
  }
  /// A tensor of `shape` filled with `v`.
  Value filled(ArrayRef<int64_t> shape, double v) {
    Value empty = tensor::EmptyOp::create(b, loc, shape, b.getF32Type());
    return linalg::FillOp::create(b, loc, scalar(v), empty).getResult(0);
  }
  Value pad(Value x, ArrayRef<int64_t> p, double v) {
    return pad(x, p, scalar(v));
  }
  /// `x` (N x C x H x W) padded by `p` = [top, left, bottom, right] with
  /// the scalar `v` of its element type.
  Value pad(Value x, ArrayRef<int64_t> p, Value v) {
    if (llvm::all_of(p, [](int64_t q) { return q == 0; }))
      return x;
    auto t = cast<RankedTensorType>(x.getType());
    SmallVector<int64_t> shape(t.getShape());
    shape[2] += p[0] + p[2];
    shape[3] += p[1] + p[3];
    SmallVector<OpFoldResult> low = {b.getIndexAttr(0), b.getIndexAttr(0),
                                     b.getIndexAttr(p[0]), b.getIndexAttr(p[1])};
    SmallVector<OpFoldResult> high = {b.getIndexAttr(0), b.getIndexAttr(0),
                                      b.getIndexAttr(p[2]), b.getIndexAttr(p[3])};
    return tensor::PadOp::create(
        b, loc, RankedTensorType::get(shape, t.getElementType()), x, low,
        high, v);
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    SmallVector<int64_t> dims(shape);
    Value s = arith::ConstantOp::create(
        b, loc,
        DenseIntElementsAttr::get(
            RankedTensorType::get({int64_t(dims.size())}, b.getI64Type()),
            dims));
    return tensor::ReshapeOp::create(
        b, loc,
        RankedTensorType::get(
            shape, cast<RankedTensorType>(x.getType()).getElementType()),
        x, s);
  }
  AffineMap map(unsigned dims, ArrayRef<AffineExpr> results) {
    return AffineMap::get(dims, 0, results, b.getContext());
  }
  Value generic(ArrayRef<Value> ins, Value init, ArrayRef<AffineMap> maps,
                ArrayRef<IteratorType> iters,
                function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    return linalg::GenericOp::create(
               b, loc, TypeRange{init.getType()}, ins, ValueRange{init}, maps,
               iters, /*doc=*/"", /*libraryCall=*/"",
               [&](OpBuilder &nb, Location nl, ValueRange args) {
                 linalg::YieldOp::create(nb, nl, body(nb, nl, args));
               })
        .getResult(0);
  }
  /// A tensor of `outShape` whose element i is `in[inMap(i)]`.
  Value gather(Value in, AffineMap inMap, ArrayRef<int64_t> outShape) {
    unsigned rank = outShape.size();
    Value init = tensor::EmptyOp::create(
        b, loc, outShape, cast<ShapedType>(in.getType()).getElementType());
    return generic({in}, init,
                   {inMap, AffineMap::getMultiDimIdentityMap(rank,
                                                             b.getContext())},
                   SmallVector<IteratorType>(rank, P),
                   [](OpBuilder &, Location, ValueRange v) { return v[0]; });
  }

  /// cgnet.upsample_nearest (a gather) and cgnet.insert_zeros (a strided
  /// insert into a tensor of `zero`), for any element type.
  Value resample(Operation *op, Value in, Value zero) {
    ArrayRef<int64_t> os = cast<ShapedType>(op->getResult(0).getType()).getShape();
    if (auto up = dyn_cast<UpsampleNearestOp>(op)) {
      ArrayRef<int64_t> f = up.getFactors();
      AffineExpr d[4];
      bindDims(b.getContext(), d[0], d[1], d[2], d[3]);
      return gather(in, map(4, {d[0], d[1], d[2].floorDiv(f[0]), d[3].floorDiv(f[1])}),
                    os);
    }
    ArrayRef<int64_t> st = cast<InsertZerosOp>(op).getStrides();
    Value init = tensor::EmptyOp::create(b, loc, os, zero.getType());
    Value filled = linalg::FillOp::create(b, loc, zero, init).getResult(0);
    ArrayRef<int64_t> is = cast<ShapedType>(in.getType()).getShape();
    return tensor::InsertSliceOp::create(
        b, loc, in, filled, ArrayRef<OpFoldResult>(getAsIndexOpFoldResult(b.getContext(), {0, 0, 0, 0})),
        getAsIndexOpFoldResult(b.getContext(), is),
        getAsIndexOpFoldResult(b.getContext(), {1, 1, st[0], st[1]}));
  }

  /// Element-wise into a tensor of `shape` and `resultElem` (the integer
  /// lowering's i32 mostly); `perChannel` inputs are indexed by dimension
  /// `axis` only.
  Value map32(ArrayRef<Value> ins, ArrayRef<bool> perChannel, int64_t axis,
              ArrayRef<int64_t> shape, Type resultElem,
              function_ref<Value(OpBuilder &, Location, ValueRange)> f) {
    unsigned rank = shape.size();
    AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
    SmallVector<AffineMap> maps;
    // A per-channel input of one element is per tensor: element 0.
    for (size_t i = 0; i < ins.size(); ++i) {
      auto t = cast<ShapedType>(ins[i].getType());
      if (!perChannel[i])
        maps.push_back(id);
      else if (t.getNumElements() == 1 && shape[axis] != 1)
        maps.push_back(map(rank, {b.getAffineConstantExpr(0)}));
      else
        maps.push_back(map(rank, {b.getAffineDimExpr(axis)}));
    }
    maps.push_back(id);
    Value init = tensor::EmptyOp::create(b, loc, shape, resultElem);
    return generic(ins, init, maps, SmallVector<IteratorType>(rank, P), f);
  }

  /// The gate of the gated convolutions, per output of `partial`
  /// (N x O x H x W): `partial + conditional` where `partial` passes its
  /// channel's threshold (`>` for floats, `>=` for integer accumulators),
  /// else `partial`.
  Value gateSelect(Value partial, Value conditional, Value thr) {
    auto t = cast<RankedTensorType>(partial.getType());
    bool isFloat = isa<FloatType>(t.getElementType());
    return map32({partial, conditional, thr}, {false, false, true}, 1,
                 t.getShape(), t.getElementType(),
                 [isFloat](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                   Value on, full;
                   if (isFloat) {
                     on = arith::CmpFOp::create(
                         nb, nl, arith::CmpFPredicate::OGT, a[0], a[2]);
                     full = arith::AddFOp::create(nb, nl, a[0], a[1]);
                   } else {
                     on = arith::CmpIOp::create(
                         nb, nl, arith::CmpIPredicate::sge, a[0], a[2]);
                     full = arith::AddIOp::create(nb, nl, a[0], a[1]);
                   }
                   return arith::SelectOp::create(nb, nl, on, full, a[0]);
                 });
  }

  /// Element-wise over tensors of one shape.
  Value elementwise(ArrayRef<Value> ins,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> f) {
    auto t = cast<RankedTensorType>(ins[0].getType());
    unsigned rank = t.getRank();
    SmallVector<AffineMap> maps(ins.size() + 1,
                                AffineMap::getMultiDimIdentityMap(
                                    rank, b.getContext()));
    SmallVector<IteratorType> iters(rank, P);
    Value init = tensor::EmptyOp::create(b, loc, t.getShape(), b.getF32Type());
    return generic(ins, init, maps, iters, f);
  }

  /// `v` (a weight, i8 or i32, scalar or vector) as i32.
  static Value widen(OpBuilder &nb, Location nl, Value v) {
    Type t = v.getType();
    Type i32 = nb.getI32Type();
    if (auto vt = dyn_cast<VectorType>(t))
      i32 = VectorType::get(vt.getShape(), i32);
    if (getElementTypeOrSelf(t).getIntOrFloatBitWidth() == 32)
      return v;
    return arith::ExtSIOp::create(nb, nl, i32, v);
  }

  /// `a[2] + a[0] * a[1]`, the float accumulation of convolutions and
  /// matrix products, allowed to contract into one fused multiply-add
  /// (rounded once: closer to the reference's double sums, not further).
  static Value multiplyAdd(OpBuilder &nb, Location nl, ValueRange a) {
    auto contract = arith::FastMathFlagsAttr::get(
        nb.getContext(), arith::FastMathFlags::contract);
    Value m = arith::MulFOp::create(nb, nl, a[0], a[1], contract);
    return arith::AddFOp::create(nb, nl, a[2], m, contract);
  }

  /// out[n, o, y, x] = bias[o] + sum in[n, g*Ig + c, y*sh + ky*dh, x*sw +
  /// kx*dw] * w[o, c, ky, kx] over a padded input; `w` is O x Ig x kh x kw.
  Value conv(Value in, ArrayRef<float> w, ArrayRef<int64_t> wShape,
             ArrayRef<float> bias, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
             int64_t groups, ArrayRef<int64_t> outShape) {
    int64_t G = groups, Og = wShape[0] / G;
    Value x = pad(in, padding, 0.0);
    SmallVector<int64_t> ws(wShape), st(strides);
    std::vector<float> wS;
    Value biasC = constant({G, Og}, bias);
    if (!spaceToDepth(x, scalar(0.0), w, wS, ws, st, dilations, groups,
                      outShape))
      if (Value out = polyphase(x, scalar(0.0), w, wShape, biasC, strides,
                                dilations, groups, outShape, multiplyAdd))
        return out;
    return convCore(x, constant({G, Og, ws[1], ws[2], ws[3]}, w), biasC, st,
                    dilations, outShape, multiplyAdd);
  }

  /// The accumulation loops of convCore: `generic` marked for
  /// --cgnet-register-block.
  Value convGeneric(ArrayRef<Value> ins, Value init, ArrayRef<AffineMap> maps,
                    ArrayRef<IteratorType> iters,
                    function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    Value r = generic(ins, init, maps, iters, body);
    r.getDefiningOp()->setAttr(kRegisterBlockAttr, b.getUnitAttr());
    if (!packedMark.empty())
      r.getDefiningOp()->setAttr(packedMark, b.getUnitAttr());
    return r;
  }
  /// Set while convCore builds loops over packed values (IntLowering's
  /// convPacked): the generics are marked with it, `cgnet.dot4` or
  /// `cgnet.dot2`.
  StringRef packedMark;

  /// Whether convCore takes its flat-plane loops (unit strides, an output
  /// plane of kChannelInnerPlane pixels or more), whose input has one
  /// more row of padding below.
  static bool flatPlane(ArrayRef<int64_t> strides, ArrayRef<int64_t> outShape) {
    return outShape[2] * outShape[3] >= kChannelInnerPlane &&
           strides[0] == 1 && strides[1] == 1;
  }

  /// The loops of every convolution: `x` is the padded N x C x Hp x Wp
  /// input (with `rowBelow`, N x C x (Hp + 1) x Wp: the flat-plane loops'
  /// extra row of zeros is already there), `w5` the G x Og x Ig x kh x kw
  /// weights, `bias` G x Og; the result starts from the bias and
  /// `body(x, w, acc)` accumulates over (c, ky, kx) for every (n, g, og, y,
  /// x). The flat-plane loops only: with `wide`, the sums start from it
  /// (N x G x Og x (OH * Wp), a previous call's result) instead of the
  /// bias; with `keepWide`, the result is returned so, uncropped.
  Value convCore(Value x, Value w5, Value bias, ArrayRef<int64_t> strides,
                 ArrayRef<int64_t> dilations, ArrayRef<int64_t> outShape,
                 function_ref<Value(OpBuilder &, Location, ValueRange)> body,
                 bool rowBelow = false, Value wide = {},
                 bool keepWide = false) {
    assert((!rowBelow || flatPlane(strides, outShape)) &&
           "only the flat-plane loops read a row below");
    assert(((!wide && !keepWide) || flatPlane(strides, outShape)) &&
           "wide sums are the flat-plane loops'");
    auto xt = cast<RankedTensorType>(x.getType());
    ArrayRef<int64_t> ws = cast<RankedTensorType>(w5.getType()).getShape();
    int64_t N = xt.getDimSize(0), Hp = xt.getDimSize(2) - (rowBelow ? 1 : 0),
            Wp = xt.getDimSize(3),
            G = ws[0], Og = ws[1], Ig = ws[2], OH = outShape[2],
            OW = outShape[3];
    Type elem = xt.getElementType();
    AffineExpr d[8];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
    int64_t taps = ws[3] * ws[4], plane = OH * OW;
    auto empty = [&](ArrayRef<int64_t> shape) {
      return tensor::EmptyOp::create(b, loc, shape, elem).getResult();
    };
    // The bias broadcast to `shape`, indexed by (g, og) at `gDim`, `oDim`.
    auto fromBias = [&](ArrayRef<int64_t> shape, unsigned gDim, unsigned oDim) {
      unsigned rank = shape.size();
      return generic({bias}, empty(shape),
                     {map(rank, {d[gDim], d[oDim]}),
                      AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
                     SmallVector<IteratorType>(rank, P),
                     [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    };
    // Every variant accumulates each output over (c, ky, kx) in the
    // reference's order, starting from the bias (in float; the evaluator
    // accumulates in double).
    // The kernel loops go inside the vectorized loop only when LLVM
    // unrolls them fully.
    bool tapsInner = taps <= kMaxUnrolledTaps;
    if (plane < kChannelInnerPlane) {
      // Small planes: the innermost loop runs over the output channels
      // (weights transposed at compile time to G x C x taps x Og), on the
      // input gathered per tap (im2col); the result is transposed back.
      // Loops n, g, c, pixel, og, tap: LLVM unrolls the tap loop, so the
      // output-channel loop is innermost and vectorized with the outputs
      // in registers across the taps.
      Value cols = reshape(
          im2col(x, Ig, ws[3], ws[4], G, strides, dilations, OH, OW),
          {N, G, Ig, taps, plane});
      // With too many taps to unroll: n, g, c, tap, pixel, og.
      Value wT = packedMark == kDot2Attr
                     ? bytePairs(transposedWeights(w5), {G, Ig, taps, Og})
                     : Value();
      if (!wT)
        wT = rowsApart(transposedWeights(w5), {G, Ig, taps, Og});
      Value outT =
          tapsInner
              ? convGeneric({cols, wT}, fromBias({N, G, plane, Og}, 1, 3),
                        {map(6, {d[0], d[1], d[2], d[5], d[3]}),
                         map(6, {d[1], d[2], d[5], d[4]}),
                         map(6, {d[0], d[1], d[3], d[4]})},
                        {P, P, R, P, P, R}, body)
              : convGeneric({cols, wT}, fromBias({N, G, plane, Og}, 1, 3),
                        {map(6, {d[0], d[1], d[2], d[3], d[4]}),
                         map(6, {d[1], d[2], d[3], d[5]}),
                         map(6, {d[0], d[1], d[4], d[5]})},
                        {P, P, R, R, P, P}, body);
      // A block reads a few vectors from each row of wT in turn: chunks of
      // the reduction that stay in L1 while every block of pixels reads
      // them (ResNet-18's 7 x 7 fp32 layer on a Zen 3 core: 6.4 -> 3.4
      // ms; 8-bit 4.4 -> 2.4).
      outT.getDefiningOp()->setAttr(kSliceBytesAttr,
                                    b.getI64IntegerAttr(kSmallPlaneSlice));
      return reshape(transposeInTiles(outT), {N, G * Og, OH, OW});
    }
    if (!flatPlane(strides, outShape)) {
      // Strided: the input gathered per tap, then loops n, g, og, c,
      // pixel, tap (the tap loop unrolled, as below; the output plane
      // contiguous), or n, g, og, c, tap, pixel with too many taps.
      Value cols = reshape(
          im2col(x, Ig, ws[3], ws[4], G, strides, dilations, OH, OW),
          {N, G, Ig, taps, plane});
      Value w4 = reshape(w5, {G, Og, Ig, taps});
      Value out =
          tapsInner
              ? convGeneric({cols, w4}, fromBias({N, G, Og, plane}, 1, 2),
                        {map(6, {d[0], d[1], d[3], d[5], d[4]}),
                         map(6, {d[1], d[2], d[3], d[5]}),
                         map(6, {d[0], d[1], d[2], d[4]})},
                        {P, P, P, R, P, R}, body)
              : convGeneric({cols, w4}, fromBias({N, G, Og, plane}, 1, 2),
                        {map(6, {d[0], d[1], d[3], d[4], d[5]}),
                         map(6, {d[1], d[2], d[3], d[4]}),
                         map(6, {d[0], d[1], d[2], d[5]})},
                        {P, P, P, R, R, P}, body);
      return reshape(out, {N, G * Og, OH, OW});
    }
    // Unit strides: each input plane and each output plane as one flat row
    // of Wp-wide lines, so that the innermost loop runs over a whole plane
    // (long, contiguous, vectorized) with no gathering. The output is
    // computed Wp wide (columns OW.. are never read back) and cropped; one
    // more input line covers the reads of those extra columns.
    int64_t wideLen = OH * Wp, L = (Hp + 1) * Wp;
    Value zero = arith::ConstantOp::create(b, loc, b.getZeroAttr(elem));
    Value xf = reshape(rowBelow ? x : pad(x, {0, 0, 1, 0}, zero),
                       {N, G, Ig, L});
    // Loops n, g, og, c, p, ky, kx: LLVM unrolls the (small, constant)
    // kernel loops, so the plane loop becomes innermost and is vectorized
    // with the output held in registers across the taps. (Blocking output
    // channels too makes the body too large to unroll: slower.)
    // With too many taps to unroll: n, g, og, c, ky, kx, p.
    Value init = wide ? wide : fromBias({N, G, Og, wideLen}, 1, 2);
    Value out = tapsInner
                    ? convGeneric({xf, w5}, init,
                                  {map(7, {d[0], d[1], d[3],
                                           d[4] + d[5] * (dilations[0] * Wp) +
                                               d[6] * dilations[1]}),
                                   map(7, {d[1], d[2], d[3], d[5], d[6]}),
                                   map(7, {d[0], d[1], d[2], d[4]})},
                                  {P, P, P, R, P, R, R}, body)
                    : convGeneric({xf, w5}, init,
                                  {map(7, {d[0], d[1], d[3],
                                           d[6] + d[4] * (dilations[0] * Wp) +
                                               d[5] * dilations[1]}),
                                   map(7, {d[1], d[2], d[3], d[4], d[5]}),
                                   map(7, {d[0], d[1], d[2], d[6]})},
                                  {P, P, P, R, R, R, P}, body);
    if (keepWide)
      return out;
    return cropWide(out, OH, OW, Wp);
  }

  /// The flat-plane loops' N x G x Og x (OH * Wp) sums as the
  /// N x G*Og x OH x OW output (columns OW.. of each row dropped).
  Value cropWide(Value out, int64_t OH, int64_t OW, int64_t Wp) {
    auto t = cast<RankedTensorType>(out.getType());
    Type elem = t.getElementType();
    int64_t N = t.getDimSize(0), G = t.getDimSize(1), Og = t.getDimSize(2);
    Value full = reshape(out, {N, G * Og, OH, Wp});
    SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)),
        sizes = {b.getIndexAttr(N), b.getIndexAttr(G * Og),
                 b.getIndexAttr(OH), b.getIndexAttr(OW)},
        ones(4, b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(
        b, loc, RankedTensorType::get({N, G * Og, OH, OW}, elem), full,
        offsets, sizes, ones);
  }

  /// The phases of the padded input `x` (N x C x Hp x Wp) for strides
  /// (sh, sw): element (Y, X) of phase (ph, pw) of channel c is
  /// x[n, c, Y * sh + ph, X * sw + pw], for ph < rowPhases, pw < sw, Y < Hs,
  /// X < Ws (`x` padded below and to the right with `padValue` as far as
  /// those reach), laid out rowPhases x sw x N x C x Hs x Ws, or with
  /// `channelMajor` N x C x rowPhases x sw x Hs x Ws. The loops run n, c,
  /// Y, ph, X, pw whatever the layout: the innermost two read a run of the
  /// input, which LLVM loads whole and deinterleaves (loops over X alone
  /// read every sw-th element: gathers, a third of CIFAR ResNet-18's fp32
  /// layer2.0.conv1 and half of ImageNet's 8-bit layer3.0.downsample on a
  /// Zen 5 core).
  Value phaseSplit(Value x, int64_t sh, int64_t sw, int64_t rowPhases,
                   int64_t Hs, int64_t Ws, Value padValue,
                   bool channelMajor = false) {
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t N = xt.getDimSize(0), C = xt.getDimSize(1);
    Value xp =
        pad(x,
            {0, 0,
             std::max<int64_t>(0, (Hs - 1) * sh + rowPhases - xt.getDimSize(2)),
             std::max<int64_t>(0, Ws * sw - xt.getDimSize(3))},
            padValue);
    AffineExpr d[6];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3], d[4], d[5]);
    SmallVector<int64_t> shape =
        channelMajor ? SmallVector<int64_t>{N, C, rowPhases, sw, Hs, Ws}
                     : SmallVector<int64_t>{rowPhases, sw, N, C, Hs, Ws};
    AffineMap out = channelMajor ? map(6, {d[0], d[1], d[3], d[5], d[2], d[4]})
                                 : map(6, {d[3], d[5], d[0], d[1], d[2], d[4]});
    return generic(
        {xp}, tensor::EmptyOp::create(b, loc, shape, xt.getElementType()),
        {map(6, {d[0], d[1], d[2] * sh + d[3], d[4] * sw + d[5]}), out},
        SmallVector<IteratorType>(6, P),
        [](OpBuilder &, Location, ValueRange v) { return v[0]; });
  }

  /// `in` (N x G x P x O) as N x G x O x P, by a copy over the output
  /// marked kChannelsLastAttr where the elements have 32 bits: seen as
  /// N*G x P x 1 x O to channels-last, which --cgnet-compact-gated copies
  /// in 16 x 16 tiles transposed in registers (as loops over the output,
  /// LLVM reads every O-th element with gathers: half of ImageNet
  /// ResNet-18's 8-bit layer3.0.downsample on a Zen 5 core).
  Value transposeInTiles(Value in) {
    auto t = cast<RankedTensorType>(in.getType());
    int64_t N = t.getDimSize(0), G = t.getDimSize(1), P = t.getDimSize(2),
            O = t.getDimSize(3);
    AffineExpr d[4];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3]);
    Value out = gather(reshape(in, {N * G, P, 1, O}),
                       map(4, {d[0], d[3], d[1], d[2]}), {N * G, 1, O, P});
    if (t.getElementType().getIntOrFloatBitWidth() == 32)
      out.getDefiningOp()->setAttr(kChannelsLastAttr, b.getUnitAttr());
    return reshape(out, {N, G, O, P});
  }

  /// Space-to-depth for a strided convolution whose kernel is large
  /// against its stride (a network's 7x7 / 2 stem, a 4x4 / 2 or 2x2 / 2
  /// patchify layer): with stride s, the padded input `x` (N x C x Hp x
  /// Wp) becomes the s * s phases of each channel,
  ///   x'[n, (c * s + ph) * s + pw, Y, X] = x[n, c, Y * s + ph, X * s + pw],
  /// (N x C s^2 x ceil(Hp / s) x ceil(Wp / s), the rows and columns past
  /// Hp, Wp holding `padValue`), and the O x C x kh x kw weights `w` the
  /// O x C s^2 x ceil(kh / s) x ceil(kw / s) kernel
  ///   w'[o, (c * s + ph) * s + pw, ky, kx] = w[o, c, ky * s + ph, kx * s + pw]
  /// (zero past kh, kw), so that the convolution has unit strides and
  /// takes the flat-plane loops instead of an input gathered per tap (for
  /// the stem: 64 taps for 49, on 12 channels; the im2col was 7.4 MB).
  /// Taken for ungrouped, undilated layers with equal strides, output
  /// planes that take the strided loops, and at most a third more
  /// products; returns false (nothing changed) otherwise. `w'` goes to
  /// `wOut`, `w` then pointing at it.
  template <typename T>
  bool spaceToDepth(Value &x, Value padValue, ArrayRef<T> &w,
                    std::vector<T> &wOut, SmallVector<int64_t> &wShape,
                    SmallVector<int64_t> &strides, ArrayRef<int64_t> dilations,
                    int64_t groups, ArrayRef<int64_t> outShape) {
    int64_t s = strides[0], O = wShape[0], C = wShape[1], kh = wShape[2],
            kw = wShape[3], khS = (kh + s - 1) / s, kwS = (kw + s - 1) / s;
    if (groups != 1 || s < 2 || strides[1] != s || dilations[0] != 1 ||
        dilations[1] != 1 || outShape[2] * outShape[3] < kChannelInnerPlane ||
        3 * (khS * s) * (kwS * s) > 4 * kh * kw)
      return false;
    auto xs = cast<RankedTensorType>(x.getType()).getShape();
    int64_t N = xs[0], Hs = (xs[2] + s - 1) / s, Ws = (xs[3] + s - 1) / s;
    x = reshape(phaseSplit(x, s, s, s, Hs, Ws, padValue, /*channelMajor=*/true),
                {N, C * s * s, Hs, Ws});
    wOut.assign(O * C * s * s * khS * kwS, T(0));
    for (int64_t o = 0; o < O; ++o)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx)
            wOut[(((o * C + c) * s + ky % s) * s + kx % s) * khS * kwS +
                 (ky / s) * kwS + kx / s] =
                w[((o * C + c) * kh + ky) * kw + kx];
    w = wOut;
    wShape = {O, C * s * s, khS, kwS};
    strides = {1, 1};
    return true;
  }

  /// The polyphase form of a strided convolution that spaceToDepth
  /// declines (a 3x3 / 2 kernel: 16/9 the products there): with stride s,
  /// the padded input `x` (N x C x Hp x Wp) is split once into its s * s
  /// phases,
  ///   ph[ph, pw, n, c, Y, X] = x[n, c, Y * s + ph, X * s + pw]
  /// (ceil(Hp / s) + 1 rows each, the last and any past Hp holding
  /// `padValue`: the flat-plane loops' row below), and each phase is
  /// convolved with unit strides with the taps of its phase,
  ///   w_ph,pw[o, c, a, b] = w[o, c, a * s + ph, b * s + pw],
  /// the sums of one phase starting from those of the one before: the
  /// kernel's products once each, all in the flat-plane loops, where the
  /// strided loops gathered the input per tap (CIFAR ResNet-18's fp32
  /// layer2.0.conv1: 9 copies of its 16 x 16 x 64 input). Taken for
  /// ungrouped, undilated layers with equal strides, kernels at least s
  /// wide and high, output planes that take the flat-plane loops; null
  /// otherwise. The sums are reassociated (by phase), as spaceToDepth's.
  template <typename T>
  Value polyphase(Value x, Value padValue, ArrayRef<T> w,
                  ArrayRef<int64_t> wShape, Value bias,
                  ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                  int64_t groups, ArrayRef<int64_t> outShape,
                  function_ref<Value(OpBuilder &, Location, ValueRange)> body) {
    int64_t s = strides[0], O = wShape[0], C = wShape[1], kh = wShape[2],
            kw = wShape[3];
    if (groups != 1 || s < 2 || strides[1] != s || dilations[0] != 1 ||
        dilations[1] != 1 || kh < s || kw < s || !flatPlane({1, 1}, outShape))
      return {};
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t N = xt.getDimSize(0), Hs = (xt.getDimSize(2) + s - 1) / s,
            Ws = (xt.getDimSize(3) + s - 1) / s;
    Value phases = phaseSplit(x, s, s, s, Hs + 1, Ws, padValue);
    Value sums;
    for (int64_t ph = 0; ph < s; ++ph)
      for (int64_t pw = 0; pw < s; ++pw) {
        int64_t khP = (kh - ph + s - 1) / s, kwP = (kw - pw + s - 1) / s;
        std::vector<T> wP(O * C * khP * kwP);
        for (int64_t o = 0; o < O; ++o)
          for (int64_t c = 0; c < C; ++c)
            for (int64_t a = 0; a < khP; ++a)
              for (int64_t q = 0; q < kwP; ++q)
                wP[((o * C + c) * khP + a) * kwP + q] =
                    w[((o * C + c) * kh + a * s + ph) * kw + q * s + pw];
        SmallVector<OpFoldResult> at = {b.getIndexAttr(ph), b.getIndexAttr(pw),
                                        b.getIndexAttr(0),  b.getIndexAttr(0),
                                        b.getIndexAttr(0),  b.getIndexAttr(0)};
        SmallVector<OpFoldResult> sizes = {
            b.getIndexAttr(1), b.getIndexAttr(1),      b.getIndexAttr(N),
            b.getIndexAttr(C), b.getIndexAttr(Hs + 1), b.getIndexAttr(Ws)};
        Value phase = tensor::ExtractSliceOp::create(
            b, loc,
            RankedTensorType::get({N, C, Hs + 1, Ws}, xt.getElementType()),
            phases, at, sizes, SmallVector<OpFoldResult>(6, b.getIndexAttr(1)));
        sums = convCore(phase,
                        denseConstant({1, O, C, khP, kwP}, xt.getElementType(),
                                      ArrayRef<T>(wP)),
                        bias, {1, 1}, {1, 1}, outShape, body, /*rowBelow=*/true,
                        sums,
                        /*keepWide=*/true);
      }
    return cropWide(sums, outShape[2], outShape[3], Ws);
  }

  /// Output planes smaller than this use the channel-innermost loops. The
  /// flat-plane loops compute Wp-wide rows, 2 columns more than a 3x3
  /// layer's: on ResNet-18's 14 x 14 planes (196 pixels, 16-wide rows)
  /// the channel-innermost loops are faster (Zen 3, layer3.1.conv1 alone:
  /// fp32 3.22 -> 2.70 ms, 8-bit 2.02 -> 1.92; the ImageNet network 48.1
  /// -> 46.8 ms, 8-bit 33.3 -> 32.7), on 16 x 16 (256) slower (CIFAR
  /// layer2.1.conv1, fp32: 0.87 -> 1.15 ms).
  static constexpr int64_t kChannelInnerPlane = 200;
  /// The small-plane loops' chunk of the reduction (cgnet.slice_bytes): a
  /// share of a 32 KiB L1.
  static constexpr int64_t kSmallPlaneSlice = 12 * 1024;
  /// Kernels with more taps (e.g. 7x7) keep their tap loops outside the
  /// vectorized loop.
  static constexpr int64_t kMaxUnrolledTaps = 16;

  /// The padded input `x` (N x G*Ig x Hp x Wp) gathered per kernel tap:
  /// cols[n, g, (c * kh + ky) * kw + kx, y * OW + x] =
  /// x[n, g * Ig + c, y * sh + ky * dh, x * sw + kx * dw].
  Value im2col(Value x, int64_t Ig, int64_t kh, int64_t kw, int64_t G,
               ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
               int64_t OH, int64_t OW) {
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t N = xt.getDimSize(0), sh = strides[0], sw = strides[1];
    AffineExpr d[7];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
    if ((sh > 1 || sw > 1) && dilations[0] == 1 && dilations[1] == 1) {
      // Strided: the input split into its phases once (only the row
      // phases the kernel reads: one for a 1x1 / 2 layer), then each tap
      // copied from its phase in runs, cols[..., ky, kx, y, x] =
      // phase (ky mod sh, kx mod sw) at (y + ky / sh, x + kx / sw). The
      // padding the split adds is never copied.
      Value phases = phaseSplit(
          x, sh, sw, std::min(kh, sh), OH + (kh - 1) / sh, OW + (kw - 1) / sw,
          arith::ConstantOp::create(b, loc,
                                    b.getZeroAttr(xt.getElementType())));
      Value cols =
          gather(phases,
                 map(7, {d[3] % sh, d[4] % sw, d[0], d[1] * Ig + d[2],
                         d[5] + d[3].floorDiv(sh), d[6] + d[4].floorDiv(sw)}),
                 {N, G, Ig, kh, kw, OH, OW});
      return reshape(cols, {N, G, Ig * kh * kw, OH * OW});
    }
    Value x5 = reshape(x, {N, G, Ig, xt.getDimSize(2), xt.getDimSize(3)});
    Value cols = gather(
        x5,
        map(7, {d[0], d[1], d[2], d[5] * strides[0] + d[3] * dilations[0],
                d[6] * strides[1] + d[4] * dilations[1]}),
        {N, G, Ig, kh, kw, OH, OW});
    return reshape(cols, {N, G, Ig * kh * kw, OH * OW});
  }

  /// The constant G x Og x Ig x kh x kw weights `w5` as G x K x Og
  /// (K = Ig * kh * kw), computed now.
  Value transposedWeights(Value w5) {
    ArrayRef<int64_t> ws = cast<RankedTensorType>(w5.getType()).getShape();
    return permutedConstant(w5, {ws[0], ws[1], ws[2] * ws[3] * ws[4]},
                            {0, 2, 1});
  }

  /// The dot2 form's constant weights `c` (i32 pairs of 16-bit halves)
  /// viewed with `shape`, where every half fits 8 bits and the last
  /// dimension is a multiple of 16: computed from a constant of their
  /// bytes (`shape` with the last dimension doubled, half 0 of element i
  /// at 2i, half 1 at 2i + 1; rows apart as rowsApart lays them) by a
  /// generic marked kWidenPairsAttr, whose reads --cgnet-register-block
  /// takes over (the small-plane convolutions read their weights along
  /// the vectors, once per inference where they are large: ResNet-18's
  /// 4 x 4 layer 4 at 8 bits streams 2.4 MB instead of 4.7 per
  /// convolution). Null otherwise.
  Value bytePairs(Value c, ArrayRef<int64_t> shape) {
    auto dense = cast<DenseElementsAttr>(
        cast<arith::ConstantOp>(c.getDefiningOp()).getValue());
    if (shape.back() % 16 != 0 || !dense.getElementType().isInteger(32))
      return {};
    std::vector<int8_t> bytes;
    bytes.reserve(2 * dense.getNumElements());
    for (int32_t v : dense.getValues<int32_t>())
      for (int16_t h : {int16_t(uint32_t(v) & 0xFFFF),
                        int16_t(uint32_t(v) >> 16)}) {
        if (h < -128 || h > 127)
          return {};
        bytes.push_back(int8_t(h));
      }
    SmallVector<int64_t> byteShape(shape);
    byteShape.back() *= 2;
    Value packed = rowsApart(
        denseConstant({int64_t(bytes.size())}, b.getI8Type(),
                      ArrayRef<int8_t>(bytes)),
        byteShape);
    unsigned rank = shape.size();
    SmallVector<AffineExpr> even, odd;
    for (unsigned i = 0; i < rank; ++i) {
      AffineExpr d = b.getAffineDimExpr(i);
      even.push_back(i + 1 == rank ? d * 2 : d);
      odd.push_back(i + 1 == rank ? d * 2 + 1 : d);
    }
    auto mapOf = [&](ArrayRef<AffineExpr> e) {
      return AffineMap::get(rank, 0, e, b.getContext());
    };
    Value wide = generic(
        {packed, packed},
        tensor::EmptyOp::create(b, loc, shape, b.getI32Type()).getResult(),
        {mapOf(even), mapOf(odd),
         AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
        SmallVector<IteratorType>(rank, P),
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          auto i32 = [&](int64_t v) {
            return arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(v));
          };
          Value lo = arith::AndIOp::create(
              nb, nl, arith::ExtSIOp::create(nb, nl, nb.getI32Type(), a[0]),
              i32(0xFFFF));
          Value hi = arith::ShLIOp::create(
              nb, nl, arith::ExtSIOp::create(nb, nl, nb.getI32Type(), a[1]),
              i32(16));
          return arith::OrIOp::create(nb, nl, lo, hi);
        });
    wide.getDefiningOp()->setAttr(kWidenPairsAttr, b.getUnitAttr());
    return wide;
  }

  /// The constant `c` viewed with `shape` (row-major, same element
  /// count), its rows (last dimension) stored one cache line further
  /// apart than they are long where they are a multiple of 256 bytes
  /// (viewed without the gap: an extract_slice, after bufferization a
  /// strided view of the longer constant). The small-plane convolution
  /// loops read a few vectors from each row in turn: rows 2 KiB apart
  /// (512 output channels of f32) map to the same few cache sets, so the
  /// blocks' weights did not stay in L1 or L2 (ResNet-18's 7 x 7 fp32
  /// layer on a Zen 3 core: 8.0 -> 6.4 ms).
  Value rowsApart(Value c, ArrayRef<int64_t> shape) {
    auto type = RankedTensorType::get(
        shape, cast<RankedTensorType>(c.getType()).getElementType());
    int64_t row = shape.back(),
            bytes = type.getElementType().getIntOrFloatBitWidth() / 8;
    if (bytes == 0 || (row * bytes) % 256 != 0)
      return reshape(c, shape);
    int64_t gap = 64 / bytes, rows = type.getNumElements() / row;
    auto dense = cast<DenseElementsAttr>(
        cast<arith::ConstantOp>(c.getDefiningOp()).getValue());
    SmallVector<int64_t> wideShape(shape);
    wideShape.back() += gap;
    auto wideType = RankedTensorType::get(wideShape, type.getElementType());
    Value wide;
    if (dense.isSplat()) {
      wide = arith::ConstantOp::create(b, loc, dense.reshape(wideType));
    } else {
      ArrayRef<char> raw = dense.getRawData();
      std::vector<char> data(size_t(rows) * (row + gap) * bytes, 0);
      for (int64_t r = 0; r < rows; ++r)
        std::memcpy(&data[size_t(r) * (row + gap) * bytes],
                    &raw[size_t(r) * row * bytes], size_t(row) * bytes);
      wide = arith::ConstantOp::create(
          b, loc, DenseElementsAttr::getFromRawBuffer(wideType, data));
    }
    SmallVector<OpFoldResult> zeros(shape.size(), b.getIndexAttr(0)),
        ones(shape.size(), b.getIndexAttr(1)), sizes;
    for (int64_t d : shape)
      sizes.push_back(b.getIndexAttr(d));
    return tensor::ExtractSliceOp::create(b, loc, type, wide, zeros, sizes,
                                          ones);
  }

  /// The constant `c` viewed with `shape` (row-major, same element count),
  /// its dimensions permuted: result dimension i is dimension perm[i].
  /// Computed now: weights are laid out for the loops that read them.
  Value permutedConstant(Value c, ArrayRef<int64_t> shape,
                         ArrayRef<int64_t> perm) {
    auto attr = cast<ElementsAttr>(
        cast<arith::ConstantOp>(c.getDefiningOp()).getValue());
    return arith::ConstantOp::create(b, loc,
                                     permuteElements(attr, shape, perm));
  }

  /// The conditional path of a channel-gated convolution, computed only
  /// where the gate is on: for every output of `partial` (N x O x OH x OW)
  /// whose value passes the gate (`> thr[o]` for floats, `>= thr[o]` for
  /// integers), add the sum over the channels outside the output's base
  /// range [lo(o), hi(o)) of `(x - zp) * w`; other outputs keep `partial`.
  /// `x` is the padded input, `w` the full O x C x kh x kw weights
  /// (constant).
  ///
  /// The input is transposed to channels-last (zero point subtracted) and
  /// the weights to O x kh x kw x C, so that for every kernel tap the
  /// conditional channels are at most two contiguous runs of both. One
  /// parallel generic over the outputs branches on the gate (`scf.if`)
  /// and, only when it is on, accumulates those runs in one vector of the
  /// largest width (up to 16) that divides the base width, reduced once at
  /// the end (float sums are reassociated: hence the float tolerance).
  ///
  /// The partial sums are the generic's init, updated in place; `input`
  /// is the unpadded input, padded here by `padding` with `padValue`.
  ///
  /// `byteOffset` (integers, dot4 lowering): the input's stored values
  /// plus it are bytes 0..255. Where the base width is a multiple of 16
  /// and the weights are i8, the channels-last input is then stored as
  /// those bytes (the loop here subtracts offset + zp again), and the
  /// generic gets a fourth input, (offset + zp) x each output's conditional
  /// weight sum, and `bytes` and `input_offset` in its mark: the
  /// parameters --cgnet-compact-gated needs to sum byte products with
  /// vpdpbusd and correct the sum once per output.
  ///
  /// Ungrouped layers without horizontal dilation take the run form
  /// instead (gatedConditionalRuns) in bytes, or in floats where the base
  /// width is a multiple of 16, or, with `pairs` (the dot2 lowering: no
  /// byte form), 8-bit inputs and weights as 16-bit values; with
  /// `sevenBit` (the dot4-7bit lowering, an input of 0..127: storedIn7Bits),
  /// in bytes as stored (offset 0), marked `seven_bit` for pmaddubsw.
  Value gatedConditional(Value partial, Value input, ArrayRef<int64_t> padding,
                         Value padValue, Value w, Value thr,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                         int64_t partitions, bool grouped, bool isInt,
                         int64_t zp,
                         std::optional<int64_t> byteOffset = std::nullopt,
                         bool pairs = false, bool sevenBit = false) {
    auto pt = cast<RankedTensorType>(partial.getType());
    Type elem = pt.getElementType();
    ArrayRef<int64_t> ws = cast<RankedTensorType>(w.getType()).getShape();
    int64_t O = ws[0], C = ws[1], kh = ws[2], kw = ws[3], bw = C / partitions,
            og = O / partitions;
    int64_t lanes = 16;
    while (bw % lanes)
      lanes /= 2;
    auto vt = VectorType::get({lanes}, elem);
    // The byte form's vector width in channels (16, 32 or 64).
    int64_t bytes = 0;
    bool w8 = getElementTypeOrSelf(w.getType()).isInteger(8);
    if (sevenBit && isInt && byteOffset && w8 && !grouped &&
        dilations[1] == 1 && zp >= 0 && zp <= 127)
      return gatedConditionalRuns(partial, input, padding, padValue, w, thr,
                                  strides, dilations, partitions, zp,
                                  /*byteOffset=*/0, /*halves=*/false,
                                  /*sevenBit=*/true);
    // (The vpdpbusd byte form is for dot4 only.)
    if (sevenBit && !pairs)
      byteOffset = std::nullopt;
    if (isInt && byteOffset && !pairs && bw % 16 == 0 && w8)
      bytes = bw % 64 == 0 ? 64 : bw % 32 == 0 ? 32 : 16;
    bool halves = isInt && byteOffset && pairs && w8;
    int64_t inputOffset = bytes ? *byteOffset + zp : 0;
    if (!grouped && dilations[1] == 1 &&
        (bytes || halves || (!isInt && lanes == 16)))
      return gatedConditionalRuns(partial, input, padding, padValue, w, thr,
                                  strides, dilations, partitions, zp,
                                  bytes ? byteOffset : std::nullopt, halves);
    Value x = pad(input, padding, padValue);
    // xT[n, y, x, c] = x[n, c, y, x] - zp.
    auto xs = cast<RankedTensorType>(x.getType()).getShape();
    AffineExpr d[4];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3]);
    Value zpV = isInt ? arith::ConstantOp::create(b, loc,
                                                  b.getI32IntegerAttr(zp))
                            .getResult()
                      : Value();
    Type xElem = bytes ? b.getI8Type() : elem;
    Value xT = generic(
        {x},
        tensor::EmptyOp::create(
            b, loc, ArrayRef<int64_t>{xs[0], xs[2], xs[3], xs[1]}, xElem),
        {map(4, {d[0], d[3], d[1], d[2]}), map(4, {d[0], d[1], d[2], d[3]})},
        {P, P, P, P}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          if (!isInt)
            return a[0];
          if (bytes)
            return arith::TruncIOp::create(
                nb, nl, nb.getI8Type(),
                arith::AddIOp::create(
                    nb, nl, a[0],
                    arith::ConstantOp::create(
                        nb, nl, nb.getI32IntegerAttr(*byteOffset))));
          return arith::SubIOp::create(nb, nl, a[0], zpV);
        });
    Value wT = permutedConstant(w, ws, {0, 2, 3, 1});
    GatedMark mark{strides,     dilations,        bw, og, grouped, lanes, bytes,
                   inputOffset, /*runChannels=*/0,    /*halves=*/false};
    return gatedGeneric(
        partial, thr, xT, wT,
        bytes ? conditionalCorrection(w, partitions, grouped, inputOffset)
              : Value(),
        isInt, mark,
        [&](OpBuilder &tb, Location nl, Value n, Value o, Value y,
            Value xx) -> SmallVector<Value> {
          auto idx = [&](OpBuilder &ib, int64_t v) -> Value {
            return arith::ConstantIndexOp::create(ib, nl, v);
          };
          Value lo = idx(tb, 0), hi = idx(tb, bw);
          if (grouped) {
            Value k = arith::DivUIOp::create(tb, nl, o, idx(tb, og));
            lo = arith::MulIOp::create(tb, nl, k, idx(tb, bw));
            hi = arith::AddIOp::create(tb, nl, lo, idx(tb, bw));
          }
          // Loops over the channel runs [0, lo) and [hi, C), `lanes` at a
          // time, with the kernel taps unrolled inside, accumulating into up
          // to four vectors (independent chains).
          int64_t taps = kh * kw, chains = std::min<int64_t>(4, taps);
          Value zeroV = arith::ConstantOp::create(
              tb, nl, vt, DenseElementsAttr::get(vt, tb.getZeroAttr(elem)));
          SmallVector<Value> accs(chains, zeroV);
          auto run = [&](Value from, Value to) {
            auto forOp = scf::ForOp::create(
                tb, nl, from, to, idx(tb, lanes), accs,
                [&](OpBuilder &ib, Location il, Value c, ValueRange args) {
                  SmallVector<Value> next(args);
                  auto at = [&](Value i, int64_t s, int64_t off) -> Value {
                    return arith::AddIOp::create(
                        ib, il, arith::MulIOp::create(ib, il, i, idx(ib, s)),
                        idx(ib, off));
                  };
                  for (int64_t t = 0; t < taps; ++t) {
                    int64_t ky = t / kw, kx = t % kw;
                    Value iy = at(y, strides[0], ky * dilations[0]),
                          ix = at(xx, strides[1], kx * dilations[1]);
                    Value xv = vector::TransferReadOp::create(
                        ib, il, VectorType::get({lanes}, xElem), xT,
                        ValueRange{n, iy, ix, c},
                        arith::ConstantOp::create(ib, il,
                                                  ib.getZeroAttr(xElem)),
                        ArrayRef<bool>{true});
                    if (bytes)
                      xv = arith::SubIOp::create(
                          ib, il, arith::ExtUIOp::create(ib, il, vt, xv),
                          arith::ConstantOp::create(
                              ib, il,
                              DenseElementsAttr::get(
                                  vt, ib.getI32IntegerAttr(inputOffset))));
                    Type wElem = getElementTypeOrSelf(wT.getType());
                    Value wv = vector::TransferReadOp::create(
                        ib, il, VectorType::get({lanes}, wElem), wT,
                        ValueRange{o, idx(ib, ky), idx(ib, kx), c},
                        arith::ConstantOp::create(ib, il,
                                                  ib.getZeroAttr(wElem)),
                        ArrayRef<bool>{true});
                    if (isInt)
                      wv = widen(ib, il, wv);
                    Value &acc = next[t % chains];
                    acc = isInt ? arith::AddIOp::create(
                                      ib, il, acc,
                                      arith::MulIOp::create(ib, il, xv, wv))
                                      .getResult()
                                : vector::FMAOp::create(ib, il, xv, wv, acc)
                                      .getResult();
                  }
                  scf::YieldOp::create(ib, il, next);
                });
            accs.assign(forOp.getResults().begin(), forOp.getResults().end());
          };
          run(idx(tb, 0), lo);
          run(hi, idx(tb, C));
          return accs;
        });
  }

  /// The parameters of a gated generic's `cgnet.compact_gated` mark
  /// (`bytes`, `input_offset` and `run_channels` only where nonzero).
  struct GatedMark {
    ArrayRef<int64_t> strides, dilations;
    int64_t baseWidth, groupOutputs;
    bool grouped;
    int64_t lanes, bytes, inputOffset, runChannels;
    bool halves;
    /// The byte form's input bytes are 0..127 (dot4-7bit: pmaddubsw).
    bool sevenBit = false;
  };

  /// The marked generic of gatedConditional and gatedConditionalRuns:
  /// inputs the thresholds (per output channel), the channels-last input
  /// `x` and the weights `w` (read whole by the body's vector reads:
  /// --cgnet-compact-gated finds them there after bufferization), and
  /// where given the byte form's per-channel correction; init the partial
  /// sums (updated in place); per output, gatedOutput around the vectors
  /// `accumulate` builds from (n, o, y, x).
  Value
  gatedGeneric(Value partial, Value thr, Value x, Value w, Value correction,
               bool isInt, const GatedMark &mark,
               function_ref<SmallVector<Value>(OpBuilder &, Location, Value,
                                               Value, Value, Value)>
                   accumulate) {
    auto pt = cast<RankedTensorType>(partial.getType());
    GatedLoops loops(b.getContext(), pt.getDimSize(1),
                     pt.getDimSize(2) * pt.getDimSize(3));
    AffineMap channel =
        AffineMap::get(4, 0, {b.getAffineDimExpr(loops.o)}, b.getContext());
    auto origin = [&](Value v) {
      int64_t rank = cast<RankedTensorType>(v.getType()).getRank();
      return AffineMap::get(
          4, 0, SmallVector<AffineExpr>(rank, b.getAffineConstantExpr(0)),
          b.getContext());
    };
    SmallVector<Value> ins = {thr, x, w};
    SmallVector<AffineMap> maps = {channel, origin(x), origin(w)};
    if (correction) {
      ins.push_back(correction);
      maps.push_back(channel);
    }
    maps.push_back(loops.nchw);
    Value r = generic(
        ins, partial, maps, {P, P, P, P},
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          std::array<Value, 4> ix = loops.indices(nb, nl);
          return gatedOutput(nb, nl, a.back(), a[0], isInt, [&](OpBuilder &tb) {
            return accumulate(tb, nl, ix[0], ix[1], ix[2], ix[3]);
          });
        });
    SmallVector<NamedAttribute> params = {
        b.getNamedAttr("strides", b.getDenseI64ArrayAttr(mark.strides)),
        b.getNamedAttr("dilations", b.getDenseI64ArrayAttr(mark.dilations)),
        b.getNamedAttr("base_width", b.getI64IntegerAttr(mark.baseWidth)),
        b.getNamedAttr("group_outputs", b.getI64IntegerAttr(mark.groupOutputs)),
        b.getNamedAttr("grouped", b.getBoolAttr(mark.grouped)),
        b.getNamedAttr("lanes", b.getI64IntegerAttr(mark.lanes))};
    if (mark.bytes) {
      params.push_back(
          b.getNamedAttr("bytes", b.getI64IntegerAttr(mark.bytes)));
      params.push_back(b.getNamedAttr("input_offset",
                                      b.getI64IntegerAttr(mark.inputOffset)));
    }
    if (mark.runChannels)
      params.push_back(b.getNamedAttr("run_channels",
                                      b.getI64IntegerAttr(mark.runChannels)));
    if (mark.halves)
      params.push_back(b.getNamedAttr("halves", b.getUnitAttr()));
    if (mark.sevenBit)
      params.push_back(b.getNamedAttr("seven_bit", b.getUnitAttr()));
    r.getDefiningOp()->setAttr(kCompactGatedAttr, b.getDictionaryAttr(params));
    return r;
  }

  /// The gated-conditional generics' loops: n, o, y, x, or n, y, x, o when
  /// there are more pixels than output channels (what the inner loop
  /// reuses, a weight row or a pixel's neighbourhood, is the smaller total
  /// and stays in cache). `nchw` maps them to the N x O x OH x OW output.
  struct GatedLoops {
    unsigned o, y, x;
    AffineMap nchw;
    GatedLoops(MLIRContext *ctx, int64_t outputs, int64_t plane) {
      bool pixelsOuter = plane > outputs;
      o = pixelsOuter ? 3 : 1;
      y = pixelsOuter ? 1 : 2;
      x = y + 1;
      AffineExpr d[4];
      bindDims(ctx, d[0], d[1], d[2], d[3]);
      nchw = AffineMap::get(4, 0, {d[0], d[o], d[y], d[x]}, ctx);
    }
    /// n, o, y, x in the body.
    std::array<Value, 4> indices(OpBuilder &nb, Location nl) const {
      return {linalg::IndexOp::create(nb, nl, 0),
              linalg::IndexOp::create(nb, nl, o),
              linalg::IndexOp::create(nb, nl, y),
              linalg::IndexOp::create(nb, nl, x)};
    }
  };

  /// The gated-conditional generics' body around their products: the
  /// partial sum `p` passes the gate (`> th` for floats, `>= th` for
  /// integers) or is the output as it is; where it passes, the vectors
  /// `accumulate` builds (in the branch) are summed, reduced (float sums
  /// reassociated: a tree of shuffles, not 16 dependent scalar adds; hence
  /// the float tolerance) and added to it.
  static Value
  gatedOutput(OpBuilder &nb, Location nl, Value p, Value th, bool isInt,
              function_ref<SmallVector<Value>(OpBuilder &)> accumulate) {
    Value on =
        isInt ? arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge, p, th)
                    .getResult()
              : arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT, p, th)
                    .getResult();
    auto ifOp = scf::IfOp::create(nb, nl, TypeRange{p.getType()}, on,
                                  /*addThenBlock=*/true,
                                  /*addElseBlock=*/true);
    OpBuilder tb = ifOp.getThenBodyBuilder();
    SmallVector<Value> accs = accumulate(tb);
    auto add = [&](Value x, Value y) -> Value {
      return isInt ? arith::AddIOp::create(tb, nl, x, y).getResult()
                   : arith::AddFOp::create(tb, nl, x, y).getResult();
    };
    Value accV = accs[0];
    for (size_t i = 1; i < accs.size(); ++i)
      accV = add(accV, accs[i]);
    Value sum = vector::ReductionOp::create(
        tb, nl, vector::CombiningKind::ADD, accV,
        isInt ? arith::FastMathFlags::none : arith::FastMathFlags::reassoc);
    scf::YieldOp::create(tb, nl, add(p, sum));
    OpBuilder eb = ifOp.getElseBodyBuilder();
    scf::YieldOp::create(eb, nl, p);
    return ifOp.getResult(0);
  }

  /// The byte forms' per-output correction: `inputOffset` x the sum of the
  /// output's conditional weights (i8 `w`, O x C x kh x kw), wrapped to i32
  /// as the byte products' sum is.
  Value conditionalCorrection(Value w, int64_t partitions, bool grouped,
                              int64_t inputOffset) {
    ArrayRef<int64_t> ws = cast<RankedTensorType>(w.getType()).getShape();
    int64_t O = ws[0], C = ws[1], taps = ws[2] * ws[3], bw = C / partitions,
            og = O / partitions;
    auto wv = cast<DenseElementsAttr>(
                  cast<arith::ConstantOp>(w.getDefiningOp()).getValue())
                  .getValues<int8_t>();
    std::vector<int32_t> corr(O);
    for (int64_t o = 0; o < O; ++o) {
      int64_t lo = grouped ? o / og * bw : 0, sum = 0;
      for (int64_t c = 0; c < C; ++c)
        if (c < lo || c >= lo + bw)
          for (int64_t t = 0; t < taps; ++t)
            sum += wv[(o * C + c) * taps + t];
      corr[o] = int32_t(uint32_t(inputOffset * sum));
    }
    return denseConstant({O}, b.getI32Type(), ArrayRef<int32_t>(corr));
  }

  /// gatedConditional for ungrouped convolutions without horizontal
  /// dilation, in runs (8-bit inputs with the dot4 lowering, or float): the
  /// input's conditional channels [bw, C) are stored channels-last, each
  /// pixel's padded to cs = C - bw rounded up to 64 bytes, one row of the
  /// padded plane per Wp x cs elements (`xR`, N x (Hp + 1) x Wp*cs, the last
  /// row padding), so that the kw taps of one kernel row are one contiguous
  /// run of L = kw x cs elements; the weights are laid out to match,
  /// O x kh x Lp with Lp = L rounded up to 64 bytes and zeros at the padded
  /// channels and after L (what a run's last load reads beyond L, the next
  /// pixel's channels or the padding row, is multiplied by those zeros). A
  /// conditional output is then kh runs of 64-byte vector products
  /// whatever the channel count (ResNet-18's layer 1 at 8 bits: 9 vpdpbusd
  /// per pixel, where 16-channel vectors per tap took 27), and the loads
  /// walk kh x (pixels + 1) sequential streams. Bytes are the stored
  /// value + `byteOffset` (the padding holds zp likewise); the generic
  /// gets the per-output correction as a fourth input. The mark carries
  /// `run_channels` = cs; the generic's own body (without
  /// --cgnet-compact-gated) reads the same runs. The copy of the input is
  /// marked kChannelsLastAttr for --cgnet-compact-gated. `sevenBit`: the
  /// bytes are 0..127 (`seven_bit` in the mark).
  Value gatedConditionalRuns(Value partial, Value input,
                             ArrayRef<int64_t> padding, Value padValue, Value w,
                             Value thr, ArrayRef<int64_t> layerStrides,
                             ArrayRef<int64_t> dilations, int64_t partitions,
                             int64_t zp, std::optional<int64_t> byteOffset,
                             bool halves, bool sevenBit = false) {
    auto pt = cast<RankedTensorType>(partial.getType());
    Type elem = pt.getElementType();
    bool bytes = byteOffset.has_value();
    Type xElem = bytes ? b.getI8Type() : halves ? b.getI16Type() : elem;
    ArrayRef<int64_t> ws = cast<RankedTensorType>(w.getType()).getShape();
    ArrayRef<int64_t> xs = cast<RankedTensorType>(input.getType()).getShape();
    int64_t kh = ws[2], kw = ws[3];
    // A strided 1x1 convolution without padding reads one input pixel per
    // output: only those are copied (the copy's strides are the layer's,
    // the runs' 1).
    bool subsample =
        kh == 1 && kw == 1 &&
        llvm::all_of(padding, [](int64_t q) { return q == 0; }) &&
        llvm::any_of(layerStrides, [](int64_t q) { return q != 1; });
    SmallVector<int64_t> strides(layerStrides);
    if (subsample)
      strides.assign({1, 1});
    // Elements per 64-byte vector (the 7-bit form: per 32 bytes, its
    // vectors at 256 bits; ResNet-18's 48 and 96 conditional channels of
    // layers 1 and 2 then take 5 and 9 vectors per kernel row, not 6 and
    // 12), and the fallback body's vector width.
    int64_t unit = sevenBit ? 32 : bytes ? 64 : halves ? 32 : 16, lanes = 16;
    int64_t O = ws[0], C = ws[1], bw = C / partitions, cc = C - bw,
            cs = llvm::alignTo(cc, unit), Lp = llvm::alignTo(kw * cs, unit),
            N = xs[0], H = subsample ? pt.getDimSize(2) : xs[2],
            W = subsample ? pt.getDimSize(3) : xs[3],
            Hp = H + padding[0] + padding[2], Wp = W + padding[1] + padding[3];
    int64_t inputOffset = bytes ? *byteOffset + zp : 0;
    AffineExpr d[4];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3]);
    // The padding holds zp: as a byte, zp + offset (its products cancel
    // against the correction as every input's do).
    // As halves, x - zp: 0.
    Value padX = bytes || halves
                     ? arith::ConstantOp::create(
                           b, loc,
                           b.getIntegerAttr(xElem, halves ? 0
                                                          : int8_t(inputOffset)))
                           .getResult()
                     : padValue;
    Value empty = tensor::EmptyOp::create(
        b, loc, ArrayRef<int64_t>{N, Hp + 1, Wp, cs}, xElem);
    Value filled = linalg::FillOp::create(b, loc, padX, empty).getResult(0);
    SmallVector<OpFoldResult> one(4, b.getIndexAttr(1));
    SmallVector<OpFoldResult> at = {
        b.getIndexAttr(0), b.getIndexAttr(padding[0]),
        b.getIndexAttr(padding[1]), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> inner = {b.getIndexAttr(N), b.getIndexAttr(H),
                                       b.getIndexAttr(W), b.getIndexAttr(cc)};
    Value interior =
        tensor::ExtractSliceOp::create(b, loc, filled, at, inner, one);
    Value condIn = tensor::ExtractSliceOp::create(
        b, loc, input,
        SmallVector<OpFoldResult>{b.getIndexAttr(0), b.getIndexAttr(bw),
                                  b.getIndexAttr(0), b.getIndexAttr(0)},
        SmallVector<OpFoldResult>{b.getIndexAttr(N), b.getIndexAttr(cc),
                                  b.getIndexAttr(H), b.getIndexAttr(W)},
        SmallVector<OpFoldResult>{
            b.getIndexAttr(1), b.getIndexAttr(1),
            b.getIndexAttr(subsample ? layerStrides[0] : 1),
            b.getIndexAttr(subsample ? layerStrides[1] : 1)});
    Value moved = generic(
        {condIn}, interior,
        {map(4, {d[0], d[3], d[1], d[2]}), map(4, {d[0], d[1], d[2], d[3]})},
        {P, P, P, P}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          if (!bytes && !halves)
            return a[0];
          return arith::TruncIOp::create(
              nb, nl, xElem,
              arith::AddIOp::create(
                  nb, nl, a[0],
                  arith::ConstantOp::create(
                      nb, nl,
                      nb.getI32IntegerAttr(halves ? -zp : *byteOffset))));
        });
    moved.getDefiningOp()->setAttr(kChannelsLastAttr, b.getUnitAttr());
    Value xR = tensor::CollapseShapeOp::create(
        b, loc,
        tensor::InsertSliceOp::create(b, loc, moved, filled, at, inner, one),
        ArrayRef<ReassociationIndices>{{0}, {1}, {2, 3}});
    // wR[o, ky, kx * cs + c] = w[o, bw + c, ky, kx], zeros elsewhere.
    auto wAttr = cast<DenseElementsAttr>(
        cast<arith::ConstantOp>(w.getDefiningOp()).getValue());
    auto runWeights = [&](auto wv, auto zero) {
      std::vector<decltype(zero)> wr(O * kh * Lp, zero);
      for (int64_t o = 0; o < O; ++o)
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx)
            for (int64_t c = 0; c < cc; ++c)
              wr[(o * kh + ky) * Lp + kx * cs + c] =
                  wv[((o * C + bw + c) * kh + ky) * kw + kx];
      return denseConstant({O, kh, Lp}, getElementTypeOrSelf(w.getType()),
                           ArrayRef<decltype(zero)>(wr));
    };
    // 8-bit weights stay bytes in the halves form too (sign-extended to
    // 16 bits as they are loaded): a conditional output's kh x Lp weights
    // are read for the few pixels of its list (ResNet-18's 4 x 4 layer 4
    // at 90% off: 1.5 per listed channel), so their bytes, not the
    // products, bound it.
    Value wR = bytes || halves
                   ? runWeights(wAttr.getValues<int8_t>(), int8_t(0))
                   : runWeights(wAttr.getValues<float>(), 0.0f);
    auto vt = VectorType::get({lanes}, elem);
    GatedMark mark{strides,          dilations,         bw,
                   O / partitions,   /*grouped=*/false, lanes,
                   bytes ? unit : 0, inputOffset,       cs,
                   halves,           sevenBit};
    return gatedGeneric(
        partial, thr, xR, wR,
        bytes ? conditionalCorrection(w, partitions, /*grouped=*/false,
                                      inputOffset)
              : Value(),
        bytes || halves, mark,
        [&](OpBuilder &tb, Location nl, Value n, Value o, Value y,
            Value xx) -> SmallVector<Value> {
          auto idx = [&](OpBuilder &ib, int64_t v) -> Value {
            return arith::ConstantIndexOp::create(ib, nl, v);
          };
          // The run of output (y, x) starts at element x * sw * cs of row
          // y * sh + ky * dh.
          Value start =
              arith::MulIOp::create(tb, nl, xx, idx(tb, strides[1] * cs));
          Value zeroV = arith::ConstantOp::create(
              tb, nl, vt, DenseElementsAttr::get(vt, tb.getZeroAttr(elem)));
          Value offsetV = arith::ConstantOp::create(
              tb, nl, vt,
              DenseElementsAttr::get(
                  vt, bytes ? Attribute(tb.getI32IntegerAttr(inputOffset))
                            : tb.getZeroAttr(elem)));
          Type wElem = getElementTypeOrSelf(wR.getType());
          int64_t chains = std::min<int64_t>(4, kh);
          auto loop = scf::ForOp::create(
              tb, nl, idx(tb, 0), idx(tb, Lp), idx(tb, lanes),
              SmallVector<Value>(chains, zeroV),
              [&](OpBuilder &ib, Location il, Value j, ValueRange args) {
                SmallVector<Value> next(args);
                Value col = arith::AddIOp::create(ib, il, start, j);
                for (int64_t ky = 0; ky < kh; ++ky) {
                  Value iy = arith::AddIOp::create(
                      ib, il,
                      arith::MulIOp::create(ib, il, y, idx(ib, strides[0])),
                      idx(ib, ky * dilations[0]));
                  // Out of the row's bounds only past the padding row's end.
                  Value xv = vector::TransferReadOp::create(
                      ib, il, VectorType::get({lanes}, xElem), xR,
                      ValueRange{n, iy, col},
                      arith::ConstantOp::create(ib, il, ib.getZeroAttr(xElem)),
                      ArrayRef<bool>{false});
                  Value wv = vector::TransferReadOp::create(
                      ib, il, VectorType::get({lanes}, wElem), wR,
                      ValueRange{o, idx(ib, ky), j},
                      arith::ConstantOp::create(ib, il, ib.getZeroAttr(wElem)),
                      ArrayRef<bool>{true});
                  Value &acc = next[ky % chains];
                  if (halves) {
                    acc = arith::AddIOp::create(
                        ib, il, acc,
                        arith::MulIOp::create(
                            ib, il, arith::ExtSIOp::create(ib, il, vt, xv),
                            arith::ExtSIOp::create(ib, il, vt, wv)));
                    continue;
                  }
                  if (!bytes) {
                    acc = vector::FMAOp::create(ib, il, xv, wv, acc);
                    continue;
                  }
                  xv = arith::SubIOp::create(
                      ib, il, arith::ExtUIOp::create(ib, il, vt, xv), offsetV);
                  acc = arith::AddIOp::create(
                      ib, il, acc,
                      arith::MulIOp::create(ib, il, xv, widen(ib, il, wv)));
                }
                scf::YieldOp::create(ib, il, next);
              });
          return SmallVector<Value>(loop.getResults());
        });
  }

  /// Pooling over kernel windows: the maximum (padding ignored) or the sum
  /// divided by the window's count (with or without the padded positions).
  /// The indexing maps (input, window, output) and iterators of a pooling
  /// generic with strides `s` and `OW` output columns. Loops n, c, y, ky,
  /// kx, x: the output row is the innermost loop, which LLVM vectorizes
  /// (with the window innermost, 9 scalar steps per output of a 3x3 max
  /// pool: ResNet-18's took 0.8 ms); rows narrower than 8 (global pooling)
  /// keep the window innermost.
  std::pair<SmallVector<AffineMap>, SmallVector<IteratorType>>
  poolLoops(ArrayRef<int64_t> s, int64_t OW) {
    AffineExpr d[6];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3], d[4], d[5]);
    if (OW < 8)
      return {{map(6, {d[0], d[1], d[2] * s[0] + d[4], d[3] * s[1] + d[5]}),
               map(6, {d[4], d[5]}), map(6, {d[0], d[1], d[2], d[3]})},
              {P, P, P, P, R, R}};
    return {{map(6, {d[0], d[1], d[2] * s[0] + d[3], d[5] * s[1] + d[4]}),
             map(6, {d[3], d[4]}), map(6, {d[0], d[1], d[2], d[5]})},
            {P, P, P, R, R, P}};
  }

  Value pool(Value in, ArrayRef<int64_t> k, ArrayRef<int64_t> s,
             ArrayRef<int64_t> p, bool avg, bool includePad,
             ArrayRef<int64_t> outShape) {
    auto it = cast<RankedTensorType>(in.getType());
    int64_t H = it.getDimSize(2), W = it.getDimSize(3);
    double lowest = -std::numeric_limits<double>::infinity();
    Value x = pad(in, p, avg ? 0.0 : lowest);
    Value window = tensor::EmptyOp::create(b, loc, k, b.getF32Type());
    Value init = filled(outShape, avg ? 0.0 : lowest);
    auto [maps, iters] = poolLoops(s, outShape[3]);
    Value acc = generic(
        {x, window}, init, maps, iters,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          if (avg)
            return arith::AddFOp::create(nb, nl, a[2], a[0]);
          return arith::MaximumFOp::create(nb, nl, a[2], a[0]);
        });
    if (!avg)
      return acc;
    // 1 / count per output position, known at compile time.
    int64_t OH = outShape[2], OW = outShape[3];
    std::vector<float> inv(OH * OW);
    for (int64_t y = 0; y < OH; ++y)
      for (int64_t xx = 0; xx < OW; ++xx) {
        int64_t count = 0;
        for (int64_t ky = 0; ky < k[0]; ++ky)
          for (int64_t kx = 0; kx < k[1]; ++kx) {
            int64_t iy = y * s[0] - p[0] + ky, ix = xx * s[1] - p[1] + kx;
            bool inside = iy >= 0 && iy < H && ix >= 0 && ix < W;
            count += inside || includePad;
          }
        inv[y * OW + xx] = count ? 1.0f / float(count) : 0.0f;
      }
    Value invT = constant({OH, OW}, inv);
    AffineExpr e[4];
    bindDims(b.getContext(), e[0], e[1], e[2], e[3]);
    Value empty = tensor::EmptyOp::create(b, loc, outShape, b.getF32Type());
    return generic({acc, invT}, empty,
                   {map(4, {e[0], e[1], e[2], e[3]}), map(4, {e[2], e[3]}),
                    map(4, {e[0], e[1], e[2], e[3]})},
                   {P, P, P, P},
                   [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                     // The reference divides in double then rounds: a sum of
                     // floats times 1/count agrees within a float ulp.
                     return arith::MulFOp::create(nb, nl, a[0], a[1]);
                   });
  }

  OpBuilder &b;
  Location loc;
};

static ArrayRef<int64_t> shapeOf(Value v) {
  return cast<ShapedType>(v.getType()).getShape();
}

/// The base path of a channel-gated convolution as a dense convolution
/// over the base channels only: its O x C/p x kh x kw weights (from the
/// full O x C x kh x kw `w`) and its input: the first C/p channels, or with
/// grouped base paths the whole input as a convolution of p groups.
template <typename T>
static std::vector<T> baseWeights(ChannelGatedConv2DOp op, ArrayRef<T> w,
                                  ArrayRef<int64_t> ws) {
  int64_t p = op.getPartitions(), bw = ws[1] / p, og = ws[0] / p,
          plane = ws[2] * ws[3];
  std::vector<T> base(ws[0] * bw * plane);
  for (int64_t o = 0; o < ws[0]; ++o)
    for (int64_t c = 0; c < bw; ++c) {
      int64_t src = op.getGrouped() ? (o / og) * bw + c : c;
      for (int64_t k = 0; k < plane; ++k)
        base[(o * bw + c) * plane + k] = w[(o * ws[1] + src) * plane + k];
    }
  return base;
}

/// narrowConditional's products per output below which the conditional
/// path runs dense. (128 when the per-output kernel did the conditional
/// path; with --cgnet-compact-gated's blocks the 1x1 downsampling layers of
/// ResNet-18, 48 products, run 1.1-2x faster compacted.)
constexpr int64_t kNarrowProducts = 32;

/// Whether a gated convolution's conditional path is too narrow for the
/// per-output kernel (gatedConditional): its vector would have fewer than
/// 8 lanes, or an output's conditional sum fewer than kNarrowProducts
/// products. Such
/// layers compute the conditional channels as dense convolutions and
/// select per output (conditionalTerms): the same MACs as the dense layer,
/// in the vectorized convolution loops. (Measured on 8-16-channel layers:
/// 1.3x faster than the per-output kernel on 64x64 planes, as fast on
/// 32x32; on 8x8 planes, once temporaries stopped being faulted in on
/// every run, 1.3-1.7x faster too: the main example's conv2 and conv3.)
static bool narrowConditional(ChannelGatedConv2DOp op) {
  ArrayRef<int64_t> ws = cast<ShapedType>(op.getWeight().getType()).getShape();
  int64_t bw = ws[1] / op.getPartitions(), lanes = 16;
  while (bw % lanes)
    lanes /= 2;
  return lanes < 8 || (ws[1] - bw) * ws[2] * ws[3] < kNarrowProducts;
}

/// One dense convolution of the conditional path (narrowConditional).
template <typename T>
struct ConditionalTerm {
  Value input;
  std::vector<T> w;
  SmallVector<int64_t, 4> wShape;
  int64_t groups;
};

/// The conditional path of a channel-gated convolution (`x` its lowered
/// input, `w` its full O x C x kh x kw weights) as dense convolutions whose
/// sum it is: the channels after the base ones, or with grouped base paths
/// one grouped convolution per rotation r = 1..p-1 of the input groups
/// (output group k reads input group (k + r) mod p).
template <typename T>
static SmallVector<ConditionalTerm<T>>
conditionalTerms(OpBuilder &b, ChannelGatedConv2DOp op, Value x, ArrayRef<T> w,
                 ArrayRef<int64_t> ws) {
  int64_t p = op.getPartitions(), O = ws[0], C = ws[1], bw = C / p,
          og = O / p, plane = ws[2] * ws[3];
  ArrayRef<int64_t> is = cast<ShapedType>(x.getType()).getShape();
  Location loc = op.getLoc();
  auto slice = [&](int64_t from, int64_t count) -> Value {
    SmallVector<OpFoldResult> offsets = {b.getIndexAttr(0),
                                         b.getIndexAttr(from),
                                         b.getIndexAttr(0), b.getIndexAttr(0)};
    SmallVector<OpFoldResult> sizes = {
        b.getIndexAttr(is[0]), b.getIndexAttr(count), b.getIndexAttr(is[2]),
        b.getIndexAttr(is[3])};
    SmallVector<OpFoldResult> strides(4, b.getIndexAttr(1));
    return tensor::ExtractSliceOp::create(b, loc, x, offsets, sizes, strides);
  };
  SmallVector<ConditionalTerm<T>> terms;
  if (!op.getGrouped()) {
    ConditionalTerm<T> t{slice(bw, C - bw), {}, {O, C - bw, ws[2], ws[3]}, 1};
    for (int64_t o = 0; o < O; ++o)
      for (int64_t c = bw; c < C; ++c)
        for (int64_t k = 0; k < plane; ++k)
          t.w.push_back(w[(o * C + c) * plane + k]);
    terms.push_back(std::move(t));
    return terms;
  }
  for (int64_t r = 1; r < p; ++r) {
    SmallVector<Value> groups;
    for (int64_t k = 0; k < p; ++k)
      groups.push_back(slice(((k + r) % p) * bw, bw));
    ConditionalTerm<T> t{tensor::ConcatOp::create(b, loc, 1, groups),
                         {},
                         {O, bw, ws[2], ws[3]},
                         p};
    for (int64_t o = 0; o < O; ++o)
      for (int64_t c = 0; c < bw; ++c) {
        int64_t src = ((o / og + r) % p) * bw + c;
        for (int64_t k = 0; k < plane; ++k)
          t.w.push_back(w[(o * C + src) * plane + k]);
      }
    terms.push_back(std::move(t));
  }
  return terms;
}

static Value baseInput(OpBuilder &b, ChannelGatedConv2DOp op) {
  if (op.getGrouped())
    return op.getInput();
  ArrayRef<int64_t> is = cast<ShapedType>(op.getInput().getType()).getShape();
  SmallVector<OpFoldResult> offsets(4, b.getIndexAttr(0)), strides(4, b.getIndexAttr(1));
  SmallVector<OpFoldResult> sizes = {
      b.getIndexAttr(is[0]), b.getIndexAttr(is[1] / op.getPartitions()),
      b.getIndexAttr(is[2]), b.getIndexAttr(is[3])};
  return tensor::ExtractSliceOp::create(b, op.getLoc(), op.getInput(), offsets,
                                        sizes, strides);
}

/// The float weights, bias (zeros when absent) of a convolution-like op.
static LogicalResult floatConstants(Operation *op, Value weight, Value bias,
                                    int64_t outChannels,
                                    std::vector<float> &w,
                                    std::vector<float> &b) {
  auto wv = getConstantF32(weight);
  if (!wv)
    return op->emitOpError("cannot be lowered to the CPU yet: its weight must "
                           "be a float constant");
  w = std::move(*wv);
  b.assign(outChannels, 0.0f);
  if (bias) {
    auto bv = getConstantF32(bias);
    if (!bv)
      return op->emitOpError("cannot be lowered to the CPU yet: its bias must "
                             "be a float constant");
    b = std::move(*bv);
  }
  return success();
}

static FailureOr<Value> lower(Operation *op, bool upstreamConv) {
  OpBuilder b(op);
  Lowering l(b, op->getLoc());
  return TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case<Conv2DOp>([&](Conv2DOp c) -> FailureOr<Value> {
        std::vector<float> w, bias;
        int64_t O = shapeOf(c.getWeight())[0];
        if (failed(floatConstants(c, c.getWeight(), c.getBias(), O, w, bias)))
          return failure();
        if (upstreamConv && c.getGroups() == 1) {
          // The benchmarks' baseline: upstream's named convolution.
          ArrayRef<int64_t> os = shapeOf(c.getOutput());
          AffineExpr d[4];
          bindDims(b.getContext(), d[0], d[1], d[2], d[3]);
          Value init = tensor::EmptyOp::create(b, l.loc, os, b.getF32Type());
          Value start = l.generic(
              {l.constant({O}, bias)}, init,
              {l.map(4, {d[1]}), l.map(4, {d[0], d[1], d[2], d[3]})},
              {P, P, P, P},
              [](OpBuilder &, Location, ValueRange a) { return a[0]; });
          return linalg::Conv2DNchwFchwOp::create(
                     b, l.loc, TypeRange{start.getType()},
                     ValueRange{l.pad(c.getInput(), c.getPadding(), 0.0),
                                l.constant(shapeOf(c.getWeight()), w)},
                     ValueRange{start}, b.getI64TensorAttr(c.getStrides()),
                     b.getI64TensorAttr(c.getDilations()))
              .getResult(0);
        }
        return l.conv(c.getInput(), w, shapeOf(c.getWeight()), bias,
                      c.getStrides(), c.getPadding(), c.getDilations(),
                      c.getGroups(), shapeOf(c.getOutput()));
      })
      .Case<ChannelGatedConv2DOp>([&](ChannelGatedConv2DOp c)
                                      -> FailureOr<Value> {
        std::vector<float> w, bias;
        ArrayRef<int64_t> ws = shapeOf(c.getWeight());
        if (failed(floatConstants(c, c.getWeight(), c.getBias(), ws[0], w,
                                  bias)))
          return failure();
        auto thr = getConstantF32(c.getThreshold());
        if (!thr)
          return c.emitOpError("cannot be lowered to the CPU yet: its "
                               "threshold must be a float constant");
        // The base path is a dense convolution over the base channels; the
        // conditional path runs only for the outputs whose gate is on.
        int64_t p = c.getPartitions();
        ArrayRef<int64_t> os = shapeOf(c.getOutput());
        Value partial = l.conv(
            baseInput(b, c), baseWeights<float>(c, w, ws),
            {ws[0], ws[1] / p, ws[2], ws[3]}, bias, c.getStrides(),
            c.getPadding(), c.getDilations(), c.getGrouped() ? p : 1, os);
        if (narrowConditional(c)) {
          // Dense conditional convolutions, then the gate per output:
          // partial + conditional where partial > threshold.
          Value cond;
          std::vector<float> zeros(ws[0], 0.0f);
          for (auto &t : conditionalTerms<float>(b, c, c.getInput(), w, ws)) {
            Value y = l.conv(t.input, t.w, t.wShape, zeros, c.getStrides(),
                             c.getPadding(), c.getDilations(), t.groups, os);
            cond = cond ? l.elementwise({cond, y},
                                        [](OpBuilder &nb, Location nl,
                                           ValueRange v) -> Value {
                                          return arith::AddFOp::create(
                                              nb, nl, v[0], v[1]);
                                        })
                        : y;
          }
          return l.gateSelect(partial, cond, l.constant({ws[0]}, *thr));
        }
        return l.gatedConditional(
            partial, c.getInput(), c.getPadding(), l.scalar(0.0),
            l.constant(ws, w), l.constant({ws[0]}, *thr), c.getStrides(),
            c.getDilations(), c.getPartitions(), c.getGrouped(),
            /*isInt=*/false, 0);
      })
      .Case<FullyConnectedOp>([&](FullyConnectedOp f) -> FailureOr<Value> {
        std::vector<float> w, bias;
        ArrayRef<int64_t> ws = shapeOf(f.getWeight());
        if (failed(floatConstants(f, f.getWeight(), f.getBias(), ws[0], w,
                                  bias)))
          return failure();
        ArrayRef<int64_t> os = shapeOf(f.getOutput());
        AffineExpr d[3];
        bindDims(b.getContext(), d[0], d[1], d[2]);
        Value biasT = l.constant({ws[0]}, bias);
        Value init = tensor::EmptyOp::create(b, f.getLoc(), os, b.getF32Type());
        Value start = l.generic(
            {biasT}, init, {l.map(2, {d[1]}), l.map(2, {d[0], d[1]})}, {P, P},
            [](OpBuilder &, Location, ValueRange a) { return a[0]; });
        // Loops n, k, o over weights transposed at compile time to K x O:
        // the innermost loop runs over the outputs (contiguous, vectorized)
        // and each output still sums over k in order from its bias. (With
        // k innermost the float sum is a serial chain LLVM may not
        // reassociate: ResNet-18's classifier took 0.54 ms.)
        Value wT = l.permutedConstant(l.constant(ws, w), ws, {1, 0});
        return l.generic({f.getInput(), wT}, start,
                         {l.map(3, {d[0], d[1]}), l.map(3, {d[1], d[2]}),
                          l.map(3, {d[0], d[2]})},
                         {P, R, P}, Lowering::multiplyAdd);
      })
      .Case<MaxPool2DOp>([&](MaxPool2DOp p) -> FailureOr<Value> {
        return l.pool(p.getInput(), p.getKernel(), p.getStrides(),
                      p.getPadding(), false, false, shapeOf(p.getOutput()));
      })
      .Case<AvgPool2DOp>([&](AvgPool2DOp p) -> FailureOr<Value> {
        return l.pool(p.getInput(), p.getKernel(), p.getStrides(),
                      p.getPadding(), true, p.getCountIncludePad(),
                      shapeOf(p.getOutput()));
      })
      .Case<GlobalAvgPoolOp>([&](GlobalAvgPoolOp p) -> FailureOr<Value> {
        ArrayRef<int64_t> s = shapeOf(p.getInput());
        return l.pool(p.getInput(), {s[2], s[3]}, {1, 1}, {0, 0, 0, 0}, true,
                      false, shapeOf(p.getOutput()));
      })
      .Case<AddOp>([&](AddOp a) -> FailureOr<Value> {
        return l.elementwise({a.getLhs(), a.getRhs()},
                             [](OpBuilder &nb, Location nl, ValueRange v) {
                               return arith::AddFOp::create(nb, nl, v[0], v[1])
                                   .getResult();
                             });
      })
      .Case<ReluOp>([&](ReluOp r) -> FailureOr<Value> {
        Value zero = l.scalar(0.0);
        return l.elementwise({r.getInput()},
                             [&](OpBuilder &nb, Location nl, ValueRange v) {
                               return arith::MaximumFOp::create(nb, nl, v[0],
                                                                zero)
                                   .getResult();
                             });
      })
      .Case<LeakyReluOp>([&](LeakyReluOp r) -> FailureOr<Value> {
        Value zero = l.scalar(0.0);
        Value alpha = l.scalar(r.getAlpha().convertToDouble());
        return l.elementwise(
            {r.getInput()}, [&](OpBuilder &nb, Location nl, ValueRange v) {
              Value neg = arith::CmpFOp::create(
                  nb, nl, arith::CmpFPredicate::OLT, v[0], zero);
              Value scaled = arith::MulFOp::create(nb, nl, v[0], alpha);
              return arith::SelectOp::create(nb, nl, neg, scaled, v[0])
                  .getResult();
            });
      })
      .Case<ClampOp>([&](ClampOp c) -> FailureOr<Value> {
        std::optional<APFloat> lo = c.getMinFp(), hi = c.getMaxFp();
        return l.elementwise(
            {c.getInput()}, [&](OpBuilder &nb, Location nl, ValueRange v) {
              Value r = v[0];
              // As the reference: x < lo -> lo, then x > hi -> hi (NaN
              // passes through).
              if (lo) {
                Value bound = l.scalar(lo->convertToDouble());
                Value below = arith::CmpFOp::create(
                    nb, nl, arith::CmpFPredicate::OLT, r, bound);
                r = arith::SelectOp::create(nb, nl, below, bound, r);
              }
              if (hi) {
                Value bound = l.scalar(hi->convertToDouble());
                Value above = arith::CmpFOp::create(
                    nb, nl, arith::CmpFPredicate::OGT, r, bound);
                r = arith::SelectOp::create(nb, nl, above, bound, r);
              }
              return r;
            });
      })
      .Case<ReshapeOp>([&](ReshapeOp r) -> FailureOr<Value> {
        return l.reshape(r.getInput(), shapeOf(r.getOutput()));
      })
      .Case<SigmoidOp>([&](SigmoidOp sg) -> FailureOr<Value> {
        // In double, as the reference: 1 / (1 + exp(-x)).
        return l.elementwise(
            {sg.getInput()}, [&](OpBuilder &nb, Location nl, ValueRange v) {
              Value x = arith::ExtFOp::create(nb, nl, nb.getF64Type(), v[0]);
              Value one = arith::ConstantOp::create(nb, nl,
                                                    nb.getF64FloatAttr(1.0));
              Value e = math::ExpOp::create(
                  nb, nl, arith::NegFOp::create(nb, nl, x));
              Value y = arith::DivFOp::create(
                  nb, nl, one, arith::AddFOp::create(nb, nl, one, e));
              return arith::TruncFOp::create(nb, nl, nb.getF32Type(), y)
                  .getResult();
            });
      })
      .Case<SoftmaxOp>([&](SoftmaxOp sm) -> FailureOr<Value> {
        // As the reference: the max along the axis, then exp(x - max) and
        // its sum in double, then the quotient.
        Value x = sm.getInput();
        ArrayRef<int64_t> s = shapeOf(x);
        unsigned rank = s.size();
        int64_t axis = sm.getAxis();
        SmallVector<int64_t> reduced(s);
        reduced[axis] = 1;
        SmallVector<AffineExpr> all, keep;
        SmallVector<IteratorType> iters;
        for (unsigned d = 0; d < rank; ++d) {
          all.push_back(b.getAffineDimExpr(d));
          keep.push_back(d == axis ? b.getAffineConstantExpr(0)
                                   : b.getAffineDimExpr(d));
          iters.push_back(d == axis ? R : P);
        }
        AffineMap id = l.map(rank, all), red = l.map(rank, keep);
        Value lowest = l.filled(reduced, -std::numeric_limits<double>::infinity());
        Value mx = l.generic({x}, lowest, {id, red}, iters,
                             [&](OpBuilder &nb, Location nl, ValueRange a) {
                               return arith::MaximumFOp::create(nb, nl, a[0], a[1])
                                   .getResult();
                             });
        auto expOf = [](OpBuilder &nb, Location nl, Value v, Value m) {
          Value d = arith::SubFOp::create(
              nb, nl, arith::ExtFOp::create(nb, nl, nb.getF64Type(), v),
              arith::ExtFOp::create(nb, nl, nb.getF64Type(), m));
          return math::ExpOp::create(nb, nl, d).getResult();
        };
        Value zero = arith::ConstantOp::create(b, sm.getLoc(), b.getF64FloatAttr(0.0));
        Value sumInit = linalg::FillOp::create(
                            b, sm.getLoc(), zero,
                            tensor::EmptyOp::create(b, sm.getLoc(), reduced,
                                                    b.getF64Type())
                                .getResult())
                            .getResult(0);
        Value sum = l.generic({x, mx}, sumInit, {id, red, red}, iters,
                              [&](OpBuilder &nb, Location nl, ValueRange a) {
                                return arith::AddFOp::create(
                                           nb, nl, a[2], expOf(nb, nl, a[0], a[1]))
                                    .getResult();
                              });
        Value init = tensor::EmptyOp::create(b, sm.getLoc(), s, b.getF32Type());
        return l.generic({x, mx, sum}, init, {id, red, red, id},
                         SmallVector<IteratorType>(rank, P),
                         [&](OpBuilder &nb, Location nl, ValueRange a) {
                           Value q = arith::DivFOp::create(
                               nb, nl, expOf(nb, nl, a[0], a[1]), a[2]);
                           return arith::TruncFOp::create(nb, nl, nb.getF32Type(), q)
                               .getResult();
                         });
      })
      .Case<HardSigmoidOp>([&](HardSigmoidOp hs) -> FailureOr<Value> {
        // max(0, min(1, alpha * x + beta)) in float, as the reference.
        Value a = l.scalar(hs.getAlpha().convertToDouble()),
              c = l.scalar(hs.getBeta().convertToDouble()),
              zero = l.scalar(0.0), one = l.scalar(1.0);
        return l.elementwise(
            {hs.getInput()}, [&](OpBuilder &nb, Location nl, ValueRange v) {
              Value y = arith::AddFOp::create(
                  nb, nl, arith::MulFOp::create(nb, nl, a, v[0]), c);
              y = arith::MinimumFOp::create(nb, nl, one, y);
              return arith::MaximumFOp::create(nb, nl, zero, y).getResult();
            });
      })
      .Case<MulOp>([&](MulOp m) -> FailureOr<Value> {
        // rhs of lhs's shape, or one factor per (sample, channel).
        ArrayRef<int64_t> s = shapeOf(m.getLhs());
        unsigned rank = s.size();
        AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
        AffineMap rhsMap = id;
        if (shapeOf(m.getRhs()) != s) {
          SmallVector<AffineExpr> r = {b.getAffineDimExpr(0),
                                       b.getAffineDimExpr(1)};
          for (unsigned d = 2; d < rank; ++d)
            r.push_back(b.getAffineConstantExpr(0));
          rhsMap = l.map(rank, r);
        }
        Value init = tensor::EmptyOp::create(b, l.loc, s, b.getF32Type());
        return l.generic({m.getLhs(), m.getRhs()}, init, {id, rhsMap, id},
                         SmallVector<IteratorType>(rank, P),
                         [](OpBuilder &nb, Location nl, ValueRange v) {
                           return arith::MulFOp::create(nb, nl, v[0], v[1])
                               .getResult();
                         });
      })
      .Case<BatchNormOp>([&](BatchNormOp bn) -> FailureOr<Value> {
        // In double, as the reference: (x - mean) / sqrt(var + eps) *
        // scale + bias, the parameters indexed by the channel.
        ArrayRef<int64_t> s = shapeOf(bn.getInput());
        unsigned rank = s.size();
        AffineMap id = AffineMap::getMultiDimIdentityMap(rank, b.getContext());
        AffineMap channel = l.map(rank, {b.getAffineDimExpr(1)});
        Value init = tensor::EmptyOp::create(b, l.loc, s, b.getF32Type());
        double eps = bn.getEpsilon().convertToDouble();
        return l.generic(
            {bn.getInput(), bn.getScale(), bn.getBias(), bn.getMean(),
             bn.getVariance()},
            init, {id, channel, channel, channel, channel, id},
            SmallVector<IteratorType>(rank, P),
            [&](OpBuilder &nb, Location nl, ValueRange v) {
              auto d = [&](Value f) {
                return arith::ExtFOp::create(nb, nl, nb.getF64Type(), f)
                    .getResult();
              };
              Value e = arith::ConstantOp::create(nb, nl,
                                                  nb.getF64FloatAttr(eps));
              Value den = math::SqrtOp::create(
                  nb, nl, arith::AddFOp::create(nb, nl, d(v[4]), e));
              Value y = arith::DivFOp::create(
                  nb, nl, arith::SubFOp::create(nb, nl, d(v[0]), d(v[3])),
                  den);
              y = arith::AddFOp::create(
                  nb, nl, arith::MulFOp::create(nb, nl, y, d(v[1])), d(v[2]));
              return arith::TruncFOp::create(nb, nl, nb.getF32Type(), y)
                  .getResult();
            });
      })
      .Case<UpsampleNearestOp, InsertZerosOp>([&](Operation *o) -> FailureOr<Value> {
        return l.resample(o, o->getOperand(0), l.scalar(0.0));
      })
      .Case<TransposeOp>([&](TransposeOp t) -> FailureOr<Value> {
        // out[i] = in[j] with j[perm[d]] = i[d].
        ArrayRef<int64_t> perm = t.getPermutation();
        unsigned rank = perm.size();
        SmallVector<AffineExpr> in(rank);
        for (unsigned d = 0; d < rank; ++d)
          in[perm[d]] = b.getAffineDimExpr(d);
        return l.gather(t.getInput(), l.map(rank, in), shapeOf(t.getOutput()));
      })
      .Case<ChannelShuffleOp>([&](ChannelShuffleOp cs) -> FailureOr<Value> {
        // out[:, o] = in[:, (o mod g) * (C / g) + o floordiv g].
        ArrayRef<int64_t> s = shapeOf(cs.getInput());
        unsigned rank = s.size();
        int64_t g = cs.getGroups(), per = s[1] / g;
        SmallVector<AffineExpr> in;
        for (unsigned d = 0; d < rank; ++d)
          in.push_back(b.getAffineDimExpr(d));
        AffineExpr o = b.getAffineDimExpr(1);
        in[1] = o % g * per + o.floorDiv(g);
        return l.gather(cs.getInput(), l.map(rank, in), s);
      })
      .Case<ChannelDuplicateOp, ChannelPermuteOp>(
          [&](Operation *o) -> FailureOr<Value> {
            // out[:, j] = in[:, source[j]]: the channels kept, then the
            // duplicated ones (OCS), or the permutation.
            Value in = o->getOperand(0);
            int64_t C = shapeOf(in)[1];
            std::vector<int64_t> source;
            if (auto d = dyn_cast<ChannelDuplicateOp>(o)) {
              for (int64_t c = 0; c < C; ++c)
                source.push_back(c);
              llvm::append_range(source, d.getIndices());
            } else {
              llvm::append_range(source,
                                 cast<ChannelPermuteOp>(o).getPermutation());
            }
            ArrayRef<int64_t> os = shapeOf(o->getResult(0));
            unsigned rank = os.size();
            Value src = l.denseConstant(
                {int64_t(source.size())}, b.getIndexType(),
                ArrayRef<int64_t>(source));
            Value init = tensor::EmptyOp::create(
                b, l.loc, os, getElementTypeOrSelf(in.getType()));
            return l.generic(
                {src}, init,
                {l.map(rank, {b.getAffineDimExpr(1)}),
                 AffineMap::getMultiDimIdentityMap(rank, b.getContext())},
                SmallVector<IteratorType>(rank, P),
                [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                  SmallVector<Value> idx;
                  for (unsigned d = 0; d < rank; ++d)
                    idx.push_back(d == 1 ? v[0]
                                         : linalg::IndexOp::create(nb, nl, d)
                                               .getResult());
                  return tensor::ExtractOp::create(nb, nl, in, idx);
                });
          })
      .Case<ConcatOp>([&](ConcatOp c) -> FailureOr<Value> {
        return tensor::ConcatOp::create(b, l.loc, c.getAxis(),
                                        ValueRange(c.getInputs()))
            .getResult();
      })
      .Default([](Operation *o) -> FailureOr<Value> {
        return o->emitOpError("cannot be lowered to the CPU yet: no lowering "
                              "in --convert-cgnet-to-cpu");
      });
}


//===----------------------------------------------------------------------===//
// Integer models: every integer tensor becomes an i32 tensor of its stored
// values; the arithmetic is the reference evaluator's (zero points
// subtracted, i32 wrapping accumulation, fixed-point requantization,
// saturation), so results are bit-exact.
//===----------------------------------------------------------------------===//

/// The element info of values before lowering: integer-like values are
/// replaced by i32 tensors, which no longer carry it.
using InfoMap = DenseMap<Value, ElementInfo>;

static ElementInfo infoOf(const InfoMap &infos, Value v) {
  auto it = infos.find(v);
  if (it != infos.end())
    return it->second;
  return *getElementInfo(getElementTypeOrSelf(v.getType()));
}

/// Integer values of a constant (through quant.scast) with the zero point
/// of `info` (per axis 0 or per tensor) subtracted.
static std::optional<std::vector<int32_t>>
centeredConstant(Value v, const ElementInfo &info, ArrayRef<int64_t> shape) {
  auto values = getConstantInts(v);
  if (!values)
    return std::nullopt;
  int64_t inner = 1;
  for (size_t d = 1; d < shape.size(); ++d)
    inner *= shape[d];
  std::vector<int32_t> out(values->size());
  for (size_t e = 0; e < values->size(); ++e) {
    int64_t zp = info.isPerAxis() ? info.zeroPoint(e / inner) : info.zeroPoint();
    out[e] = static_cast<int32_t>((*values)[e] - zp);
  }
  return out;
}

class IntLowering : public Lowering {
public:
  using Lowering::Lowering;
  Value constI32(ArrayRef<int64_t> shape, ArrayRef<int32_t> data) {
    return denseConstant(shape, b.getI32Type(), data);
  }
  /// Weights as i8 when every value fits (8-bit models: a quarter of the
  /// memory traffic; the loops sign-extend them, `widen`), else as i32.
  Value weights(ArrayRef<int64_t> shape, ArrayRef<int32_t> data) {
    if (llvm::any_of(data, [](int32_t v) { return v < -128 || v > 127; }))
      return constI32(shape, data);
    std::vector<int8_t> narrow(data.begin(), data.end());
    return denseConstant(shape, b.getI8Type(), ArrayRef<int8_t>(narrow));
  }

  Value c32(int64_t v) {
    return arith::ConstantOp::create(b, loc, b.getI32IntegerAttr(v));
  }
  static Value c64(OpBuilder &nb, Location nl, int64_t v) {
    return arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(v));
  }
  static Value sat(OpBuilder &nb, Location nl, Value v, int64_t lo,
                   int64_t hi) {
    v = arith::MaxSIOp::create(nb, nl, v, c64(nb, nl, lo));
    return arith::MinSIOp::create(nb, nl, v, c64(nb, nl, hi));
  }
  static Value ext(OpBuilder &nb, Location nl, Value v) {
    return arith::ExtSIOp::create(nb, nl, nb.getI64Type(), v);
  }
  static Value trunc(OpBuilder &nb, Location nl, Value v) {
    return arith::TruncIOp::create(nb, nl, nb.getI32Type(), v);
  }
  Value emptyI32(ArrayRef<int64_t> shape) {
    return tensor::EmptyOp::create(b, loc, shape, b.getI32Type());
  }
  /// --convert-cgnet-to-cpu's `dot4`: 8-bit convolutions as dot products of
  /// 4 packed bytes.
  bool dot4 = false;
  /// --convert-cgnet-to-cpu's `dot2`: 8-bit convolutions as dot products of
  /// pairs of 16-bit values (where `dot4` is off).
  bool dot2 = false;
  /// --convert-cgnet-to-cpu's `dot4-7bit`: where `dot4` is off, 8-bit
  /// convolutions whose input holds 0..127 as dot products of 4 packed
  /// bytes (vpmaddubsw).
  bool dot4SevenBit = false;

  /// The packed forms of conv (see the pass options `dot4` and `dot2`):
  /// `x` the padded input, `pack` channels packed per i32 (little endian),
  /// the weights' `pack` channels likewise.
  ///  - pack 4 (dot4): the input's stored values plus `offset` (128 for
  ///    signed 8-bit storage, 0 for unsigned; 0 for dot4-7bit, whose
  ///    values are 0..127 as they are) as bytes 0..255, the weights
  ///    as signed bytes, and the bias less (offset + zp) x the sum of each
  ///    output's weights, so that the sum of byte products equals the sum
  ///    over (x - zp) * w (the padding holds zp: its products cancel);
  ///  - pack 2 (dot2): x - zp and the weights as signed 16-bit halves (8-bit
  ///    storage: |x - zp| <= 255, so a pair's sum fits 32 bits), the bias
  ///    as it is.
  ///
  /// With `inPadding` (top, left, bottom, right; dot2 only), `x` is the
  /// input before padding: the packed values go straight into the interior
  /// of the zeroed packed buffer, whose border is then the padding (x - zp
  /// = 0 there), so that the padded input is never built.
  Value convPacked(Value x, int64_t zp, int64_t offset, ArrayRef<int32_t> w,
                   ArrayRef<int64_t> wShape, ArrayRef<int32_t> bias,
                   ArrayRef<int64_t> strides, ArrayRef<int64_t> dilations,
                   int64_t groups, ArrayRef<int64_t> outShape, int pack,
                   ArrayRef<int64_t> inPadding = {}) {
    int64_t G = groups, O = wShape[0], Og = O / G, Ig = wShape[1],
            taps = wShape[2] * wShape[3];
    int bits = 32 / pack;
    uint32_t fieldMask = (1u << bits) - 1;
    auto xs = cast<RankedTensorType>(x.getType()).getShape();
    assert((inPadding.empty() || pack == 2) && "only dot2 pads while packing");
    int64_t pt = inPadding.empty() ? 0 : inPadding[0],
            pl = inPadding.empty() ? 0 : inPadding[1],
            pb = inPadding.empty() ? 0 : inPadding[2],
            pr = inPadding.empty() ? 0 : inPadding[3];
    int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3], Hp = H + pt + pb,
            Wp = W + pl + pr;
    AffineExpr d[5];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3], d[4]);
    Value x5 = reshape(x, {N, C / pack, pack, H, W});
    // The flat-plane loops read one more row of zeros below: the packed
    // values are written into the first Hp rows of a zeroed buffer that
    // has it (padding the packed tensor afterwards copied it whole).
    bool rowBelow = flatPlane(strides, outShape);
    Value zeros = linalg::FillOp::create(
                      b, loc, c32(0),
                      emptyI32({N, C / pack, Hp + (rowBelow ? 1 : 0), Wp}))
                      .getResult(0);
    // The packed input's interior (all of it without inPadding).
    bool inside = rowBelow || !inPadding.empty();
    SmallVector<OpFoldResult> origin = {b.getIndexAttr(0), b.getIndexAttr(0),
                                        b.getIndexAttr(pt), b.getIndexAttr(pl)},
                              sizes = {b.getIndexAttr(N),
                                       b.getIndexAttr(C / pack),
                                       b.getIndexAttr(H), b.getIndexAttr(W)},
                              unit(4, b.getIndexAttr(1));
    Value zero = inside ? tensor::ExtractSliceOp::create(b, loc, zeros, origin,
                                                         sizes, unit)
                              .getResult()
                        : zeros;
    // What each field holds: x + offset (bytes) or x - zp (halves).
    Value shiftV = c32(pack == 4 ? offset : -zp);
    Value packed = generic(
        {x5}, zero,
        {map(5, {d[0], d[1], d[4], d[2], d[3]}),
         map(5, {d[0], d[1], d[2], d[3]})},
        {P, P, P, P, R}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value k = linalg::IndexOp::create(nb, nl, 4);
          Value shift = arith::IndexCastOp::create(
              nb, nl, nb.getI32Type(),
              arith::MulIOp::create(
                  nb, nl, k, arith::ConstantIndexOp::create(nb, nl, bits)));
          Value field = arith::AndIOp::create(
              nb, nl, arith::AddIOp::create(nb, nl, a[0], shiftV),
              arith::ConstantOp::create(
                  nb, nl, nb.getI32IntegerAttr(int32_t(fieldMask))));
          return arith::OrIOp::create(
              nb, nl, a[1], arith::ShLIOp::create(nb, nl, field, shift));
        });
    if (inside)
      packed = tensor::InsertSliceOp::create(b, loc, packed, zeros, origin,
                                             sizes, unit);
    std::vector<int32_t> wp(O * (Ig / pack) * taps);
    std::vector<int32_t> biasP(O);
    for (int64_t o = 0; o < O; ++o) {
      int64_t sum = 0;
      for (int64_t c = 0; c < Ig; ++c)
        for (int64_t t = 0; t < taps; ++t) {
          int32_t v = w[(o * Ig + c) * taps + t];
          sum += v;
          uint32_t f = (uint32_t(v) & fieldMask) << (bits * (c % pack));
          int32_t &slot = wp[(o * (Ig / pack) + c / pack) * taps + t];
          slot = int32_t(uint32_t(slot) | f);
        }
      // Wrapping like the accumulation.
      biasP[o] = pack == 4
                     ? int32_t(uint32_t(int64_t(bias[o]) - (offset + zp) * sum))
                     : bias[o];
    }
    Value w5 = constI32({G, Og, Ig / pack, wShape[2], wShape[3]}, wp);
    packedMark = pack == 2 ? kDot2Attr : dot4 ? kDot4Attr : kDot4SevenBitAttr;
    Value out = convCore(
        packed, w5, constI32({G, Og}, biasP), strides, dilations, outShape,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          // acc + the sum over fields k of field k of x times field k of
          // w: what one lane of AVX-512 VNNI's vpdpbusd computes (x's
          // bytes unsigned, w's signed), or of pmaddwd (both signed
          // halves).
          Value acc = a[2];
          auto i32 = [&](int64_t v) {
            return arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(v));
          };
          for (int k = 0; k < pack; ++k) {
            // Field k of x: unsigned bytes, signed halves.
            Value xf =
                pack == 4
                    ? arith::AndIOp::create(
                          nb, nl,
                          arith::ShRUIOp::create(nb, nl, a[0], i32(bits * k)),
                          i32(fieldMask))
                          .getResult()
                    : arith::ShRSIOp::create(
                          nb, nl,
                          arith::ShLIOp::create(nb, nl, a[0],
                                                i32(32 - bits * (k + 1))),
                          i32(32 - bits))
                          .getResult();
            Value wf = arith::ShRSIOp::create(
                nb, nl,
                arith::ShLIOp::create(nb, nl, a[1], i32(32 - bits * (k + 1))),
                i32(32 - bits));
            acc = arith::AddIOp::create(nb, nl, acc,
                                        arith::MulIOp::create(nb, nl, xf, wf));
          }
          return acc;
        },
        rowBelow);
    packedMark = {};
    return out;
  }

  /// conv over centered inputs: out = bias + sum t(x - zp) * w, `t` the
  /// identity or the high/low split of precision gating (mode 1/2).
  /// `byteOffset`: the input's storage is 8-bit (128 when signed, 0 when
  /// not), which the dot4 form needs. `sevenBit`: the input's stored values
  /// are 0..127 (storedIn7Bits), which the dot4-7bit form needs.
  Value conv(Value in, int64_t zp, int mode, int64_t lowBits,
             ArrayRef<int32_t> w, ArrayRef<int64_t> wShape,
             ArrayRef<int32_t> bias, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
             int64_t groups, ArrayRef<int64_t> outShape,
             std::optional<int64_t> byteOffset = std::nullopt,
             bool sevenBit = false) {
    int64_t G = groups, Og = wShape[0] / G;
    Value x = pad(in, padding, c32(zp));
    SmallVector<int64_t> wsS(wShape), st(strides);
    std::vector<int32_t> wS;
    bool s2d =
        spaceToDepth(x, c32(zp), w, wS, wsS, st, dilations, groups, outShape);
    wShape = wsS;
    strides = st;
    // dot4-7bit: the bytes as stored (the padding's zp is 0..127 too).
    bool seven = !dot4 && dot4SevenBit && sevenBit && zp >= 0 && zp <= 127;
    if (seven)
      byteOffset = 0;
    int pack = dot4 || seven ? 4 : dot2 ? 2 : 0;
    if (pack && byteOffset && mode == 0 &&
        (wShape[1] % pack == 0 || G == 1) &&
        llvm::all_of(w, [](int32_t v) { return v >= -128 && v <= 127; })) {
      // dot2 packs the input as it pads it (the padding's halves are 0).
      if (wShape[1] % pack == 0 && pack == 2 && !s2d)
        return convPacked(in, zp, *byteOffset, w, wShape, bias, strides,
                          dilations, groups, outShape, pack, padding);
      if (wShape[1] % pack == 0)
        return convPacked(x, zp, *byteOffset, w, wShape, bias, strides,
                          dilations, groups, outShape, pack);
      // Input channels up to a multiple of `pack` (a network's first
      // layer: RGB): more channels holding the zero point, with zero
      // weights.
      int64_t O = wShape[0], Ig = wShape[1],
              Ig4 = (Ig + pack - 1) / pack * pack, taps = wShape[2] * wShape[3];
      std::vector<int32_t> w4(O * Ig4 * taps, 0);
      for (int64_t o = 0; o < O; ++o)
        std::copy_n(w.begin() + o * Ig * taps, Ig * taps,
                    w4.begin() + o * Ig4 * taps);
      auto xt = cast<RankedTensorType>(x.getType());
      SmallVector<int64_t> shape(xt.getShape());
      shape[1] = Ig4;
      auto zeroIdx = b.getIndexAttr(0);
      Value wide = tensor::PadOp::create(
          b, loc, RankedTensorType::get(shape, xt.getElementType()), x,
          ArrayRef<OpFoldResult>{zeroIdx, zeroIdx, zeroIdx, zeroIdx},
          ArrayRef<OpFoldResult>{zeroIdx, b.getIndexAttr(Ig4 - Ig), zeroIdx,
                                 zeroIdx},
          c32(zp));
      return convPacked(wide, zp, *byteOffset, w4,
                        {O, Ig4, wShape[2], wShape[3]}, bias, strides,
                        dilations, groups, outShape, pack);
    }
    Value w5 = weights({G, Og, wShape[1], wShape[2], wShape[3]}, w);
    Value biasT = constI32({G, Og}, bias);
    Value zpV = c32(zp);
    return convCore(
        x, w5, biasT, strides, dilations, outShape,
        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value c = arith::SubIOp::create(nb, nl, a[0], zpV);
          if (mode != 0) {
            // high = sign(c) * (|c| >> lb), scaled back by 2^lb.
            Value sh = arith::ConstantOp::create(nb, nl,
                                                 nb.getI32IntegerAttr(lowBits));
            Value mag = math::AbsIOp::create(nb, nl, c);
            Value hiMag = arith::ShRSIOp::create(nb, nl, mag, sh);
            Value zero = arith::ConstantOp::create(nb, nl, nb.getI32IntegerAttr(0));
            Value neg = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                              c, zero);
            Value hiNeg = arith::SubIOp::create(nb, nl, zero, hiMag);
            Value hi = arith::SelectOp::create(nb, nl, neg, hiNeg, hiMag);
            Value hiScaled = arith::ShLIOp::create(nb, nl, hi, sh);
            c = mode == 1 ? hiScaled
                          : arith::SubIOp::create(nb, nl, c, hiScaled).getResult();
          }
          Value m = arith::MulIOp::create(nb, nl, c, widen(nb, nl, a[1]));
          return arith::AddIOp::create(nb, nl, a[2], m);
        });
  }
};

/// The scales (f64) and zero points (i64) of a quantized type as constant
/// tensors, one entry per channel of its axis (one per tensor), and that
/// axis.
static std::tuple<Value, Value, int64_t>
quantParams(IntLowering &l, const ElementInfo &info, ArrayRef<int64_t> shape) {
  int64_t axis = info.isPerAxis() ? info.quantizedDim : 0;
  int64_t channels = info.isPerAxis() ? shape[axis] : 1;
  std::vector<double> scales;
  std::vector<int64_t> zps;
  for (int64_t c = 0; c < channels; ++c) {
    scales.push_back(info.scale(c));
    zps.push_back(info.zeroPoint(c));
  }
  OpBuilder &b = l.b;
  Value scaleT = arith::ConstantOp::create(
      b, l.loc,
      DenseElementsAttr::get(RankedTensorType::get({channels}, b.getF64Type()),
                             ArrayRef<double>(scales)));
  Value zpT = arith::ConstantOp::create(
      b, l.loc,
      DenseElementsAttr::get(RankedTensorType::get({channels}, b.getI64Type()),
                             ArrayRef<int64_t>(zps)));
  return {scaleT, zpT, axis};
}

static FailureOr<std::vector<int32_t>> intVector(Operation *op, Value v,
                                                 const InfoMap &infos,
                                                 StringRef what) {
  ElementInfo info = infoOf(infos, v);
  auto c = centeredConstant(v, info, cast<ShapedType>(v.getType()).getShape());
  if (!c)
    return op->emitOpError() << "cannot be lowered to the CPU yet: its " << what
                             << " must be an integer constant";
  return std::move(*c);
}

/// The values whose stored values are known to lie in 0..127 (the
/// dot4-7bit form's inputs) besides those of an unsigned storage of at most
/// 127, found before lowering (storedIn7Bits) and carried over to the
/// lowered values.
using SevenBitSet = DenseSet<Value>;

/// Whether every stored value of `v` is known to lie in 0..127: 8-bit
/// storage of at most 127 and either unsigned, or in `known`. `known` gets
/// (see noteSevenBit) a ReLU's output (clamped below at its zero point,
/// which is at least 0) and the max pooling of a value in it (every window
/// holds one of its values: padding smaller than the kernel).
static bool storedIn7Bits(Value v, const InfoMap &infos,
                          const SevenBitSet &known) {
  ElementInfo info = infoOf(infos, v);
  if (!info.isIntegerLike() || info.isPerAxis() || info.storageMin < -128 ||
      info.storageMax > 127)
    return false;
  return info.storageMin >= 0 || known.contains(v);
}

/// Adds `op`'s result to `known` where storedIn7Bits's rules say so
/// (`op`'s operands already noted: ops in order).
static void noteSevenBit(Operation *op, const InfoMap &infos,
                         SevenBitSet &known) {
  if (auto r = dyn_cast<ReluOp>(op)) {
    ElementInfo in = infoOf(infos, r.getInput());
    if (in.isIntegerLike() && !in.isPerAxis() && in.zeroPoint() >= 0)
      known.insert(r.getOutput());
  } else if (auto m = dyn_cast<MaxPool2DOp>(op)) {
    ArrayRef<int64_t> k = m.getKernel(), p = m.getPadding();
    for (size_t i = 0; i < p.size(); ++i)
      if (p[i] >= k[i % k.size()])
        return;
    if (storedIn7Bits(m.getInput(), infos, known))
      known.insert(m.getOutput());
  }
}

static FailureOr<Value> lowerInt(Operation *op, InfoMap &infos,
                                 const SevenBitSet &sevenBit, bool dot4,
                                 bool dot2, bool dot4SevenBit) {
  OpBuilder b(op);
  IntLowering l(b, op->getLoc());
  l.dot4 = dot4;
  l.dot2 = dot2 && !dot4;
  l.dot4SevenBit = dot4SevenBit && !dot4;
  Location loc = op->getLoc();
  // Centered weights and the bias (zeros when absent) of a convolution.
  using Params = std::pair<std::vector<int32_t>, std::vector<int32_t>>;
  auto weightsAndBias = [&](Value weight, Value bias) -> FailureOr<Params> {
    auto w = intVector(op, weight, infos, "weight");
    if (failed(w))
      return failure();
    std::vector<int32_t> bv(shapeOf(weight)[0], 0);
    if (bias) {
      auto bb = intVector(op, bias, infos, "bias");
      if (failed(bb))
        return failure();
      bv = *bb;
    }
    return Params{std::move(*w), std::move(bv)};
  };
  auto inputZeroPoint = [&](Value input) -> FailureOr<int64_t> {
    ElementInfo in = infoOf(infos, input);
    if (in.isPerAxis())
      return op->emitOpError("cannot be lowered to the CPU yet: per-axis "
                             "activation zero points");
    return in.zeroPoint();
  };
  // The offset that makes the input's stored values bytes (the dot4 form).
  auto byteOffset = [&](Value input) -> std::optional<int64_t> {
    ElementInfo in = infoOf(infos, input);
    if (!in.isIntegerLike())
      return std::nullopt;
    if (in.storageMin >= 0 && in.storageMax <= 255)
      return 0;
    if (in.storageMin >= -128 && in.storageMax <= 127)
      return 128;
    return std::nullopt;
  };
  auto convLike = [&](Value input, Value weight, Value bias,
                      ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                      ArrayRef<int64_t> dilations, int64_t groups,
                      ArrayRef<int64_t> outShape, int mode,
                      int64_t lowBits) -> FailureOr<Value> {
    FailureOr<Params> wb = weightsAndBias(weight, bias);
    FailureOr<int64_t> zp = inputZeroPoint(input);
    if (failed(wb) || failed(zp))
      return failure();
    return l.conv(input, *zp, mode, lowBits, wb->first, shapeOf(weight),
                  wb->second, strides, padding, dilations, groups, outShape,
                  byteOffset(input), storedIn7Bits(input, infos, sevenBit));
  };
  return TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case<QuantizeOp>([&](QuantizeOp q) -> FailureOr<Value> {
        ElementInfo info = infoOf(infos, q.getOutput());
        ArrayRef<int64_t> shape = shapeOf(q.getOutput());
        auto [scaleT, zpT, axis] = quantParams(l, info, shape);
        RoundingMode rounding = q.getRounding();
        int64_t lo = info.storageMin, hi = info.storageMax;
        auto body = [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value x = arith::ExtFOp::create(nb, nl, nb.getF64Type(), a[0]);
          Value v = arith::DivFOp::create(nb, nl, x, a[1]);
          Value r;
          if (rounding == RoundingMode::HalfToEven)
            r = math::RoundEvenOp::create(nb, nl, v);
          else if (rounding == RoundingMode::HalfUp)
            r = math::FloorOp::create(
                nb, nl,
                arith::AddFOp::create(
                    nb, nl, v,
                    arith::ConstantOp::create(nb, nl, nb.getF64FloatAttr(0.5))));
          else
            r = math::RoundOp::create(nb, nl, v);
          Value nan = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::UNO,
                                            r, r);
          Value big = arith::ConstantOp::create(nb, nl, nb.getF64FloatAttr(4e18));
          Value small = arith::ConstantOp::create(nb, nl,
                                                  nb.getF64FloatAttr(-4e18));
          Value safe = arith::SelectOp::create(
              nb, nl, nan,
              arith::ConstantOp::create(nb, nl, nb.getF64FloatAttr(0.0)), r);
          safe = arith::MinimumFOp::create(nb, nl, safe, big);
          safe = arith::MaximumFOp::create(nb, nl, safe, small);
          Value qi = arith::FPToSIOp::create(nb, nl, nb.getI64Type(), safe);
          qi = arith::AddIOp::create(nb, nl, qi, a[2]);
          Value out = IntLowering::sat(nb, nl, qi, lo, hi);
          Value zpOnly = IntLowering::sat(nb, nl, a[2], lo, hi);
          return IntLowering::trunc(
              nb, nl, arith::SelectOp::create(nb, nl, nan, zpOnly, out));
        };
        return l.map32({q.getInput(), scaleT, zpT}, {false, true, true}, axis,
                       shape, b.getI32Type(), body);
      })
      .Case<DequantizeOp>([&](DequantizeOp dq) -> FailureOr<Value> {
        ElementInfo info = infoOf(infos, dq.getInput());
        ArrayRef<int64_t> shape = shapeOf(dq.getInput());
        auto [scaleT, zpT, axis] = quantParams(l, info, shape);
        return l.map32(
            {dq.getInput(), scaleT, zpT}, {false, true, true}, axis, shape,
            b.getF32Type(),
            [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              Value v = arith::SubIOp::create(
                  nb, nl, IntLowering::ext(nb, nl, a[0]), a[2]);
              Value d = arith::SIToFPOp::create(nb, nl, nb.getF64Type(), v);
              Value r = arith::MulFOp::create(nb, nl, d, a[1]);
              return arith::TruncFOp::create(nb, nl, nb.getF32Type(), r);
            });
      })
      .Case<RequantizeOp>([&](RequantizeOp rq) -> FailureOr<Value> {
        ElementInfo in = infoOf(infos, rq.getInput()),
                    out = infoOf(infos, rq.getOutput());
        ArrayRef<int64_t> shape = shapeOf(rq.getInput());
        ArrayRef<int32_t> mult = rq.getMultiplier(), shift = rq.getShift();
        int64_t channels = mult.size();
        int64_t axis = channels > 1 ? rq.getAxis() : 0;
        // The multipliers and shifts as i32 constants, sign-extended in the
        // loop: LLVM then multiplies the two sign-extended 32-bit values
        // with pmuldq (i64 constants read from memory took a full 64-bit
        // multiply, three pmuludq, on every element).
        auto i32s = [&](ArrayRef<int32_t> v) -> Value {
          return arith::ConstantOp::create(
              b, loc,
              DenseElementsAttr::get(
                  RankedTensorType::get({int64_t(v.size())}, b.getI32Type()),
                  v));
        };
        Value mT = i32s(mult), sT = i32s(shift);
        int64_t zpIn = in.zeroPoint(), zpOut = out.zeroPoint(),
                lo = out.storageMin, hi = out.storageMax;
        bool up = rq.getRounding() == RoundingMode::HalfUp;
        // Half away from zero with multipliers of at least 0 and shifts
        // of 31..62 (what --cgnet-quantize emits for scales below 1),
        // x - zpIn within 32 bits and an output storage of at most 17
        // bits: |x - zpIn| x m < 2^62, so the rounded
        // magnitude (|x - zpIn| x m + 2^(s-1)) >> s is below 2^31 and the
        // rest is 32-bit: pmuludq on the magnitude, where the general
        // form's 64-bit signed arithmetic (compares, selects, negations)
        // is emulated on AVX2 by 64-bit compares and blends (the fused
        // requantize / add / ReLU loop of a gated layer of CIFAR's int8
        // ResNet-18 at 90% off took about a quarter of it on a Zen 3 core).
        bool narrowIn = zpIn == 0 || (in.storageMin >= -(int64_t(1) << 16) &&
                                      in.storageMax < (int64_t(1) << 16));
        bool narrowOut = lo >= -(int64_t(1) << 16) && hi < (int64_t(1) << 16);
        if (!up && narrowIn && narrowOut &&
            llvm::all_of(mult, [](int32_t m) { return m >= 0; }) &&
            llvm::all_of(shift, [](int32_t s) { return s >= 31 && s <= 62; }))
          return l.map32(
              {rq.getInput(), mT, sT}, {false, true, true}, axis, shape,
              b.getI32Type(),
              [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                auto i32 = [&](int64_t v) -> Value {
                  return arith::ConstantOp::create(nb, nl,
                                                   nb.getI32IntegerAttr(v));
                };
                auto u64 = [&](Value v) -> Value {
                  return arith::ExtUIOp::create(nb, nl, nb.getI64Type(), v);
                };
                Value v = a[0];
                if (zpIn != 0)
                  v = arith::SubIOp::create(nb, nl, v, i32(zpIn));
                // |v| as unsigned 32 bits (|INT_MIN| = 2^31 included).
                Value mag = arith::MulIOp::create(
                    nb, nl, u64(math::AbsIOp::create(nb, nl, v)), u64(a[1]));
                Value shiftBy = u64(a[2]);
                Value round = arith::ShLIOp::create(
                    nb, nl, IntLowering::c64(nb, nl, 1),
                    arith::SubIOp::create(nb, nl, shiftBy,
                                          IntLowering::c64(nb, nl, 1)));
                Value r = arith::TruncIOp::create(
                    nb, nl, nb.getI32Type(),
                    arith::ShRUIOp::create(
                        nb, nl, arith::AddIOp::create(nb, nl, mag, round),
                        shiftBy));
                // Bounded before the sign and zero point (no wrap): any
                // magnitude past max(hi - zpOut, zpOut - lo) saturates.
                r = arith::MinSIOp::create(
                    nb, nl, r, i32(std::max(hi - zpOut, zpOut - lo) + 1));
                Value neg = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::slt, v, i32(0));
                r = arith::SelectOp::create(
                    nb, nl, neg, arith::SubIOp::create(nb, nl, i32(0), r), r);
                r = arith::AddIOp::create(nb, nl, r, i32(zpOut));
                r = arith::MaxSIOp::create(nb, nl, r, i32(lo));
                return arith::MinSIOp::create(nb, nl, r, i32(hi));
              });
        return l.map32(
            {rq.getInput(), mT, sT}, {false, true, true}, axis,
            shape, b.getI32Type(),
            [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              Value v = IntLowering::ext(nb, nl, a[0]);
              if (zpIn != 0)
                v = arith::SubIOp::create(nb, nl, v,
                                          IntLowering::c64(nb, nl, zpIn));
              Value prod = arith::MulIOp::create(
                  nb, nl, v, IntLowering::ext(nb, nl, a[1]));
              Value shiftBy = IntLowering::ext(nb, nl, a[2]);
              Value one = IntLowering::c64(nb, nl, 1);
              Value zero = IntLowering::c64(nb, nl, 0);
              // round = 1 << (shift - 1), 0 when shift is 0.
              Value isZero = arith::CmpIOp::create(
                  nb, nl, arith::CmpIPredicate::eq, shiftBy, zero);
              Value sm1 = arith::SubIOp::create(nb, nl, shiftBy, one);
              Value sm1Safe = arith::SelectOp::create(nb, nl, isZero, zero, sm1);
              Value round = arith::ShLIOp::create(nb, nl, one, sm1Safe);
              Value r;
              if (up) {
                r = arith::ShRSIOp::create(
                    nb, nl, arith::AddIOp::create(nb, nl, prod, round),
                    shiftBy);
              } else {
                Value neg = arith::CmpIOp::create(
                    nb, nl, arith::CmpIPredicate::slt, prod, zero);
                Value mag = arith::SelectOp::create(
                    nb, nl, neg, arith::SubIOp::create(nb, nl, zero, prod),
                    prod);
                // |prod| + round >= 0: a logical shift (AVX2 has
                // vpsrlvq, no 64-bit arithmetic shift).
                Value res = arith::ShRUIOp::create(
                    nb, nl, arith::AddIOp::create(nb, nl, mag, round),
                    shiftBy);
                r = arith::SelectOp::create(
                    nb, nl, neg, arith::SubIOp::create(nb, nl, zero, res), res);
              }
              r = arith::SelectOp::create(nb, nl, isZero, prod, r);
              r = arith::AddIOp::create(nb, nl, r,
                                        IntLowering::c64(nb, nl, zpOut));
              return IntLowering::trunc(nb, nl,
                                        IntLowering::sat(nb, nl, r, lo, hi));
            });
      })
      .Case<Conv2DOp>([&](Conv2DOp c) -> FailureOr<Value> {
        return convLike(c.getInput(), c.getWeight(), c.getBias(),
                        c.getStrides(), c.getPadding(), c.getDilations(),
                        c.getGroups(), shapeOf(c.getOutput()), 0, 0);
      })
      .Case<FullyConnectedOp>([&](FullyConnectedOp f) -> FailureOr<Value> {
        // As the reference: a 1x1 convolution over N x K x 1 x 1.
        ArrayRef<int64_t> is = shapeOf(f.getInput()), os = shapeOf(f.getOutput());
        ArrayRef<int64_t> ws = shapeOf(f.getWeight());
        Value x4 = l.reshape(f.getInput(), {is[0], is[1], 1, 1});
        FailureOr<Params> wb = weightsAndBias(f.getWeight(), f.getBias());
        FailureOr<int64_t> zp = inputZeroPoint(f.getInput());
        if (failed(wb) || failed(zp))
          return failure();
        Value y = l.conv(x4, *zp, 0, 0, wb->first, {ws[0], ws[1], 1, 1},
                         wb->second, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1,
                         {os[0], os[1], 1, 1});
        return l.reshape(y, os);
      })
      .Case<ChannelGatedConv2DOp>([&](ChannelGatedConv2DOp c)
                                      -> FailureOr<Value> {
        auto thr = intVector(op, c.getThreshold(), infos, "threshold");
        if (failed(thr))
          return failure();
        FailureOr<Params> wb = weightsAndBias(c.getWeight(), c.getBias());
        FailureOr<int64_t> zpOr = inputZeroPoint(c.getInput());
        if (failed(wb) || failed(zpOr))
          return failure();
        // The base path is a dense convolution over the base channels; the
        // conditional path runs only for the outputs whose gate is on.
        int64_t zp = *zpOr;
        ArrayRef<int64_t> ws = shapeOf(c.getWeight());
        int64_t p = c.getPartitions();
        ArrayRef<int64_t> os = shapeOf(c.getOutput());
        bool in7Bits = storedIn7Bits(c.getInput(), infos, sevenBit);
        Value partial = l.conv(
            baseInput(b, c), zp, 0, 0, baseWeights<int32_t>(c, wb->first, ws),
            {ws[0], ws[1] / p, ws[2], ws[3]}, wb->second, c.getStrides(),
            c.getPadding(), c.getDilations(), c.getGrouped() ? p : 1, os,
            byteOffset(c.getInput()), in7Bits);
        if (narrowConditional(c)) {
          // Dense conditional convolutions (i32 sums wrap as the
          // evaluator's), then the gate per output.
          Value cond;
          std::vector<int32_t> zeros(ws[0], 0);
          for (auto &t : conditionalTerms<int32_t>(b, c, c.getInput(),
                                                   wb->first, ws)) {
            Value y = l.conv(t.input, zp, 0, 0, t.w, t.wShape, zeros,
                             c.getStrides(), c.getPadding(), c.getDilations(),
                             t.groups, os, byteOffset(c.getInput()), in7Bits);
            cond = cond ? l.map32({cond, y}, {false, false}, 1, os,
                                  b.getI32Type(),
                                  [](OpBuilder &nb, Location nl,
                                     ValueRange v) -> Value {
                                    return arith::AddIOp::create(nb, nl, v[0],
                                                                 v[1]);
                                  })
                        : y;
          }
          return l.gateSelect(partial, cond,
                              l.constI32({int64_t(thr->size())}, *thr));
        }
        bool seven = l.dot4SevenBit && in7Bits;
        return l.gatedConditional(
            partial, c.getInput(), c.getPadding(), l.c32(zp),
            l.weights(ws, wb->first), l.constI32({ws[0]}, *thr), c.getStrides(),
            c.getDilations(), c.getPartitions(), c.getGrouped(),
            /*isInt=*/true, zp,
            l.dot4 || l.dot2 || seven ? byteOffset(c.getInput()) : std::nullopt,
            /*pairs=*/l.dot2, seven);
      })
      .Case<PrecisionGatedConv2DOp>([&](PrecisionGatedConv2DOp c)
                                        -> FailureOr<Value> {
        auto thr = intVector(op, c.getThreshold(), infos, "threshold");
        if (failed(thr))
          return failure();
        int64_t lowBits = c.getBits() - c.getHighBits();
        FailureOr<Value> msb =
            convLike(c.getInput(), c.getWeight(), c.getBias(), c.getStrides(),
                     c.getPadding(), c.getDilations(), 1,
                     shapeOf(c.getOutput()), 1, lowBits);
        FailureOr<Value> low =
            convLike(c.getInput(), c.getWeight(), Value(), c.getStrides(),
                     c.getPadding(), c.getDilations(), 1,
                     shapeOf(c.getOutput()), 2, lowBits);
        if (failed(msb) || failed(low))
          return failure();
        return l.gateSelect(*msb, *low,
                            l.constI32({int64_t(thr->size())}, *thr));
      })
      .Case<AddOp>([&](AddOp a) -> FailureOr<Value> {
        ElementInfo info = infoOf(infos, a.getOutput());
        int64_t zp = info.zeroPoint(), lo = info.storageMin,
                hi = info.storageMax;
        bool wrap = info.bits == 32;
        return l.map32(
            {a.getLhs(), a.getRhs()}, {false, false}, 0, shapeOf(a.getOutput()),
            b.getI32Type(), [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
              if (wrap)
                return arith::AddIOp::create(nb, nl, v[0], v[1]);
              Value x = IntLowering::ext(nb, nl, v[0]),
                    y = IntLowering::ext(nb, nl, v[1]);
              Value z = IntLowering::c64(nb, nl, zp);
              Value s = arith::AddIOp::create(
                  nb, nl, arith::SubIOp::create(nb, nl, x, z),
                  arith::SubIOp::create(nb, nl, y, z));
              s = arith::AddIOp::create(nb, nl, s, z);
              return IntLowering::trunc(nb, nl, IntLowering::sat(nb, nl, s, lo, hi));
            });
      })
      .Case<ReluOp, ClampOp>([&](Operation *o) -> FailureOr<Value> {
        ElementInfo info = infoOf(infos, o->getOperand(0));
        std::optional<int64_t> lo, hi;
        if (isa<ReluOp>(o))
          lo = info.zeroPoint();
        if (auto c = dyn_cast<ClampOp>(o)) {
          if (auto v = c.getMinInt())
            lo = static_cast<int64_t>(*v);
          if (auto v = c.getMaxInt())
            hi = static_cast<int64_t>(*v);
        }
        return l.map32({o->getOperand(0)}, {false}, 0, shapeOf(o->getResult(0)),
                       b.getI32Type(),
                       [&](OpBuilder &nb, Location nl, ValueRange v) -> Value {
                         Value r = v[0];
                         if (lo)
                           r = arith::MaxSIOp::create(
                               nb, nl, r,
                               arith::ConstantOp::create(
                                   nb, nl, nb.getI32IntegerAttr(*lo)));
                         if (hi)
                           r = arith::MinSIOp::create(
                               nb, nl, r,
                               arith::ConstantOp::create(
                                   nb, nl, nb.getI32IntegerAttr(*hi)));
                         return r;
                       });
      })
      .Case<MaxPool2DOp>([&](MaxPool2DOp p) -> FailureOr<Value> {
        ArrayRef<int64_t> k = p.getKernel(), st = p.getStrides();
        Value x = l.pad(p.getInput(), p.getPadding(), l.c32(INT32_MIN));
        Value window = tensor::EmptyOp::create(b, loc, k, b.getI32Type());
        Value init = linalg::FillOp::create(
                         b, loc, l.c32(INT32_MIN),
                         l.emptyI32(shapeOf(p.getOutput())))
                         .getResult(0);
        auto [maps, iters] = l.poolLoops(st, shapeOf(p.getOutput())[3]);
        return l.generic(
            {x, window}, init, maps, iters,
            [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              return arith::MaxSIOp::create(nb, nl, a[2], a[0]);
            });
      })
      .Case<AvgPool2DOp, GlobalAvgPoolOp>([&](Operation *o) -> FailureOr<Value> {
        SmallVector<int64_t> k, st{1, 1}, pd{0, 0, 0, 0};
        bool includePad = false;
        ArrayRef<int64_t> is = shapeOf(o->getOperand(0));
        if (auto a = dyn_cast<AvgPool2DOp>(o)) {
          k.assign(a.getKernel().begin(), a.getKernel().end());
          st.assign(a.getStrides().begin(), a.getStrides().end());
          pd.assign(a.getPadding().begin(), a.getPadding().end());
          includePad = a.getCountIncludePad();
        } else {
          k = {is[2], is[3]};
        }
        ElementInfo info = infoOf(infos, o->getOperand(0));
        int64_t zp = info.zeroPoint(), lo = info.storageMin, hi = info.storageMax;
        ArrayRef<int64_t> os = shapeOf(o->getResult(0));
        Value x = l.pad(o->getOperand(0), pd, l.c32(zp));
        Value window = tensor::EmptyOp::create(b, loc, k, b.getI32Type());
        Value zero64 = IntLowering::c64(b, loc, 0);
        Value empty64 = tensor::EmptyOp::create(b, loc, os, b.getI64Type());
        Value init = linalg::FillOp::create(b, loc, zero64, empty64).getResult(0);
        Value zpV = IntLowering::c64(b, loc, zp);
        auto [maps, iters] = l.poolLoops(st, os[3]);
        Value sum = l.generic(
            {x, window}, init, maps, iters,
            [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              Value v = arith::SubIOp::create(nb, nl,
                                              IntLowering::ext(nb, nl, a[0]), zpV);
              return arith::AddIOp::create(nb, nl, a[2], v);
            });
        std::vector<int64_t> counts(os[2] * os[3]);
        for (int64_t y = 0; y < os[2]; ++y)
          for (int64_t xx = 0; xx < os[3]; ++xx) {
            int64_t count = 0;
            for (int64_t ky = 0; ky < k[0]; ++ky)
              for (int64_t kx = 0; kx < k[1]; ++kx) {
                int64_t iy = y * st[0] - pd[0] + ky, ix = xx * st[1] - pd[1] + kx;
                count += (iy >= 0 && iy < is[2] && ix >= 0 && ix < is[3]) ||
                         includePad;
              }
            counts[y * os[3] + xx] = std::max<int64_t>(count, 1);
          }
        Value countT = arith::ConstantOp::create(
            b, loc,
            DenseElementsAttr::get(
                RankedTensorType::get({os[2], os[3]}, b.getI64Type()),
                ArrayRef<int64_t>(counts)));
        AffineExpr e[4];
        bindDims(b.getContext(), e[0], e[1], e[2], e[3]);
        AffineMap id = l.map(4, {e[0], e[1], e[2], e[3]});
        return l.generic(
            {sum, countT}, l.emptyI32(os), {id, l.map(4, {e[2], e[3]}), id},
            {P, P, P, P}, [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              // divRoundHalfAwayFromZero(sum, count) + zp, saturated.
              Value q = arith::DivSIOp::create(nb, nl, a[0], a[1]);
              Value r = arith::RemSIOp::create(nb, nl, a[0], a[1]);
              Value zero = IntLowering::c64(nb, nl, 0);
              Value two = IntLowering::c64(nb, nl, 2);
              Value rNeg = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                                 r, zero);
              Value rAbs = arith::SelectOp::create(
                  nb, nl, rNeg, arith::SubIOp::create(nb, nl, zero, r), r);
              Value twice = arith::MulIOp::create(nb, nl, rAbs, two);
              Value bump = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::sge,
                                                 twice, a[1]);
              Value sNeg = arith::CmpIOp::create(nb, nl, arith::CmpIPredicate::slt,
                                                 a[0], zero);
              Value step = arith::SelectOp::create(
                  nb, nl, sNeg, IntLowering::c64(nb, nl, -1),
                  IntLowering::c64(nb, nl, 1));
              Value adj = arith::SelectOp::create(nb, nl, bump, step, zero);
              Value res = arith::AddIOp::create(
                  nb, nl, arith::AddIOp::create(nb, nl, q, adj),
                  IntLowering::c64(nb, nl, zp));
              return IntLowering::trunc(nb, nl, IntLowering::sat(nb, nl, res, lo, hi));
            });
      })
      .Case<ReshapeOp>([&](ReshapeOp r) -> FailureOr<Value> {
        return l.reshape(r.getInput(), shapeOf(r.getOutput()));
      })
      .Case<ConcatOp, TransposeOp, ChannelShuffleOp, ChannelDuplicateOp,
            ChannelPermuteOp>([&](Operation *o) -> FailureOr<Value> {
        // Data movement: the float lowering moves the stored i32 values
        // as they are (concat's inputs share one scale after quantization).
        return lower(o, /*upstreamConv=*/false);
      })
      .Case<UpsampleNearestOp, InsertZerosOp>([&](Operation *o) -> FailureOr<Value> {
        Value in = o->getOperand(0);
        Value zp = arith::ConstantOp::create(
            b, loc, b.getI32IntegerAttr(
                        static_cast<int32_t>(infoOf(infos, in).zeroPoint())));
        return l.resample(o, in, zp);
      })
      .Default([](Operation *o) -> FailureOr<Value> {
        return o->emitOpError("cannot be lowered to the CPU yet: no integer "
                              "lowering in --convert-cgnet-to-cpu");
      });
}

/// True when `op` computes on integers (by the types before lowering).
static bool isIntegerOp(Operation *op, const InfoMap &infos) {
  if (isa<QuantizeOp>(op))
    return true;
  for (Value v : op->getOperands())
    if (infoOf(infos, v).isIntegerLike())
      return true;
  return false;
}

struct ConvertCGNetToCPUPass
    : public cgnet::impl::ConvertCGNetToCPUBase<ConvertCGNetToCPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (profile)
      declareProfileHooks(module);
    // The functions as they are: not the layer functions lowering adds
    // (already lowered, with arguments that must keep their types).
    SmallVector<func::FuncOp> funcs(module.getOps<func::FuncOp>());
    for (func::FuncOp func : funcs)
      if (failed(lowerFunction(func)))
        return signalPassFailure();
  }

  static constexpr StringLiteral enterHook = "cgnet_profile_enter",
                                 exitHook = "cgnet_profile_exit";

  void declareProfileHooks(ModuleOp module) {
    OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
    auto type = b.getFunctionType({b.getI64Type()}, {});
    for (StringRef name : {enterHook, exitHook})
      if (!module.lookupSymbol(name))
        func::FuncOp::create(b, module.getLoc(), name, type).setPrivate();
  }

  /// The integer type an integer argument or result of `type` crosses the
  /// function boundary as: its storage width, signless (8, 16 or 32 bits).
  static FailureOr<Type> boundaryType(func::FuncOp func, Type type,
                                      StringRef what, unsigned i) {
    unsigned width = storageOf(type)->first;
    if (!isBoundaryStorageWidth(width))
      return func.emitOpError()
             << "cannot be lowered to the CPU: " << what << " #" << i
             << " has " << width << "-bit integer storage (" << type
             << "); 8, 16 and 32 bits can cross the function boundary";
    return cast<ShapedType>(type).clone(
        IntegerType::get(func.getContext(), width));
  }

  /// Integer arguments arrive in their storage type (signless) and widen to
  /// the i32 the integer lowering computes in.
  LogicalResult lowerArguments(func::FuncOp func, InfoMap &infos) {
    Block &entry = func.getBody().front();
    OpBuilder b = OpBuilder::atBlockBegin(&entry);
    for (BlockArgument arg : entry.getArguments()) {
      std::optional<ElementInfo> info =
          getElementInfo(getElementTypeOrSelf(arg.getType()));
      if (!info || !info->isIntegerLike())
        continue;
      FailureOr<Type> type =
          boundaryType(func, arg.getType(), "argument", arg.getArgNumber());
      if (failed(type))
        return failure();
      arg.setType(*type);
      Value wide = arg;
      if (getElementTypeOrSelf(*type).getIntOrFloatBitWidth() < 32) {
        IntLowering l(b, arg.getLoc());
        bool isSigned = info->isSigned;
        wide = l.map32({arg}, {false}, 0, shapeOf(arg), b.getI32Type(),
                       [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                         if (isSigned)
                           return arith::ExtSIOp::create(
                               nb, nl, nb.getI32Type(), a[0]);
                         return arith::ExtUIOp::create(nb, nl, nb.getI32Type(),
                                                       a[0]);
                       });
        arg.replaceAllUsesExcept(wide, wide.getDefiningOp());
      }
      infos[wide] = *info;
    }
    return success();
  }

  /// Integer results leave in their storage type; the function's type
  /// follows its arguments and results.
  LogicalResult lowerResults(func::FuncOp func) {
    SmallVector<Type> results;
    for (Block &block : func.getBody())
      if (auto ret = dyn_cast<func::ReturnOp>(block.getTerminator())) {
        OpBuilder b(ret);
        results.clear();
        for (OpOperand &operand : ret->getOpOperands()) {
          Type declared = func.getResultTypes()[operand.getOperandNumber()];
          std::optional<ElementInfo> info =
              getElementInfo(getElementTypeOrSelf(declared));
          if (!info || !info->isIntegerLike()) {
            results.push_back(operand.get().getType());
            continue;
          }
          FailureOr<Type> type = boundaryType(func, declared, "result",
                                              operand.getOperandNumber());
          if (failed(type))
            return failure();
          Value v = operand.get();
          if (getElementTypeOrSelf(v.getType()) !=
              getElementTypeOrSelf(*type)) {
            IntLowering l(b, ret.getLoc());
            Type storage = getElementTypeOrSelf(*type);
            v = l.map32({v}, {false}, 0, shapeOf(v), storage,
                        [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                          return arith::TruncIOp::create(nb, nl, storage, a[0]);
                        });
            operand.set(v);
          }
          results.push_back(*type);
        }
      }
    func.setFunctionType(FunctionType::get(
        func.getContext(), func.getBody().front().getArgumentTypes(),
        results.empty() ? SmallVector<Type>(func.getResultTypes())
                        : results));
    return success();
  }

  /// True when `c` (through further casts) reinterprets a constant: the
  /// weights, read at compile time.
  static bool castsConstant(quant::StorageCastOp c) {
    Value v = c.getInput();
    while (auto inner = v.getDefiningOp<quant::StorageCastOp>())
      v = inner.getInput();
    return v.getDefiningOp<arith::ConstantOp>() != nullptr;
  }

  /// A storage cast of an activation: the i32 values the integer lowering
  /// holds, reinterpreted as the result type's stored integers (wrapped to
  /// its width and signedness).
  void lowerActivationCast(quant::StorageCastOp c, InfoMap &infos) {
    Value in = c.getInput();
    Type resultType = c.getResult().getType();
    std::pair<unsigned, bool> storage = *storageOf(resultType);
    unsigned width = storage.first;
    bool isSigned = storage.second;
    OpBuilder b(c);
    IntLowering l(b, c.getLoc());
    // A new value even where the bits stay: it carries the new type's info.
    Value v = l.map32({in}, {false}, 0, shapeOf(in), b.getI32Type(),
                  [&](OpBuilder &nb, Location nl, ValueRange a) -> Value {
                    auto k = [&](int64_t x) {
                      return arith::ConstantOp::create(
                          nb, nl, nb.getI32IntegerAttr(static_cast<int32_t>(x)));
                    };
                    if (width >= 32)
                      return a[0];
                    if (!isSigned)
                      return arith::AndIOp::create(
                          nb, nl, a[0], k((int64_t(1) << width) - 1));
                    Value up = arith::ShLIOp::create(nb, nl, a[0], k(32 - width));
                    return arith::ShRSIOp::create(nb, nl, up, k(32 - width));
                  });
    infos[v] = *getElementInfo(getElementTypeOrSelf(resultType));
    c.getResult().replaceAllUsesWith(v);
    c.erase();
  }

  LogicalResult lowerFunction(func::FuncOp func) {
    InfoMap infos;
    SevenBitSet sevenBit;
    if (func.isExternal())
      return success();
    if (failed(lowerArguments(func, infos)))
      return failure();
    int64_t id = 0;
    // The layers in order, with the storage casts that reinterpret
    // activations (ONNX import's zero-point changes) between them.
    SmallVector<Operation *> work;
    func.walk([&](Operation *op) {
      if (isa<CGNetDialect>(op->getDialect()))
        work.push_back(op);
      else if (auto c = dyn_cast<quant::StorageCastOp>(op); c && !castsConstant(c))
        work.push_back(op);
    });
    // Each layer's code: the ops its lowering put before it.
    SmallVector<SmallVector<Operation *>> layerOps;
    for (Operation *op : work) {
      if (auto c = dyn_cast<quant::StorageCastOp>(op)) {
        lowerActivationCast(c, infos);
        continue;
      }
      Operation *before = op->getPrevNode();
      OpBuilder b(op);
      Location loc = op->getLoc();
      auto hook = [&](StringRef name) {
        Value i = arith::ConstantOp::create(b, loc, b.getI64IntegerAttr(id));
        func::CallOp::create(b, loc, name, TypeRange{}, ValueRange{i});
      };
      if (profile)
        hook(enterHook);
      noteSevenBit(op, infos, sevenBit);
      bool integer = isIntegerOp(op, infos);
      FailureOr<Value> v =
          integer ? lowerInt(op, infos, sevenBit, dot4, dot2, dot4SevenBit)
                  : lower(op, upstreamConv);
      if (failed(v))
        return failure();
      if (profile)
        hook(exitHook);
      ++id;
      Operation *first =
          before ? before->getNextNode() : &op->getBlock()->front();
      // An element-wise layer joins the layer before it when only
      // constants lie between them: one function, whose chain of
      // element-wise loops --cgnet-fuse-elementwise can merge. (A layer
      // whose lowering added no ops has nothing to join.)
      bool joins = !layerOps.empty() && !layerOps.back().empty() &&
                   isElementwiseLayer(op);
      if (joins)
        for (Operation *o = layerOps.back().back()->getNextNode(); o != first;
             o = o->getNextNode())
          joins &= isa<arith::ConstantOp>(o);
      SmallVector<Operation *> &ops =
          joins ? layerOps.back() : layerOps.emplace_back();
      for (Operation *o = first; o != op; o = o->getNextNode())
        ops.push_back(o);
      Value old = op->getResult(0);
      if (auto info = getElementInfo(getElementTypeOrSelf(old.getType())))
        infos[*v] = *info;
      if (sevenBit.contains(old))
        sevenBit.insert(*v);
      old.replaceAllUsesWith(*v);
      op->erase();
    }
    // Storage casts of integer weights are read at compile time.
    func.walk([](quant::StorageCastOp c) {
      if (c.use_empty())
        c.erase();
    });
    if (outlineLayers)
      for (auto [i, ops] : llvm::enumerate(layerOps))
        outlineLayer(func, ops, (func.getSymName() + "_layer" + Twine(i)).str());
    return lowerResults(func);
  }

  /// Layers lowered to element-wise loops only (outlined with the layer
  /// before them).
  static bool isElementwiseLayer(Operation *op) {
    return isa<RequantizeOp, ReluOp, LeakyReluOp, ClampOp, AddOp, MulOp,
               SigmoidOp, HardSigmoidOp, QuantizeOp, DequantizeOp>(op);
  }

  /// Constants --cgnet-outline-constants would make arguments (its
  /// default size): the ones a layer function takes from its caller.
  static bool isLargeConstant(arith::ConstantOp c) {
    auto t = dyn_cast<RankedTensorType>(c.getType());
    return t && t.hasStaticShape() &&
           t.getNumElements() >= CGNetOutlineConstantsOptions().minElements;
  }

  /// Moves one layer's ops (a contiguous run in `func`) into a private
  /// no_inline function called in their place. Tensor constants stay in
  /// `func` (--cgnet-outline-constants turns the large ones into its
  /// arguments) and are passed in.
  void outlineLayer(func::FuncOp func, ArrayRef<Operation *> ops,
                    StringRef name) {
    llvm::SmallPtrSet<Operation *, 32> inRange;
    SmallVector<Operation *> body;
    for (Operation *op : ops) {
      if (isa<arith::ConstantOp>(op))
        continue; // stays in the caller (large) or is copied in (small)
      inRange.insert(op);
      body.push_back(op);
    }
    if (body.empty())
      return;
    // The op of `func`'s body that holds `op` (or null for `func` itself).
    auto topOf = [&](Operation *op) -> Operation * {
      while (op && op->getParentOp() != func)
        op = op->getParentOp();
      return op;
    };
    auto definedInside = [&](Value v) {
      Operation *owner = isa<BlockArgument>(v)
                             ? v.getParentRegion()->getParentOp()
                             : v.getDefiningOp();
      return inRange.contains(topOf(owner));
    };
    SetVector<Value> inputs, passed;
    SmallVector<Value> outputs;
    for (Operation *op : body) {
      op->walk([&](Operation *nested) {
        for (Value v : nested->getOperands())
          if (!definedInside(v))
            inputs.insert(v);
      });
      for (Value r : op->getResults())
        if (llvm::any_of(r.getUsers(), [&](Operation *user) {
              return !inRange.contains(topOf(user));
            }))
          outputs.push_back(r);
    }
    for (Value v : inputs) {
      auto c = v.getDefiningOp<arith::ConstantOp>();
      if (!c || isLargeConstant(c))
        passed.insert(v);
    }
    OpBuilder mb(func);
    mb.setInsertionPointAfter(func);
    auto callee = func::FuncOp::create(
        mb, func.getLoc(), name,
        mb.getFunctionType(TypeRange(passed.getArrayRef()),
                           TypeRange(outputs)));
    callee.setPrivate();
    callee->setAttr("cgnet.layer", mb.getUnitAttr());
    Block *entry = callee.addEntryBlock();
    IRMapping map;
    for (auto [v, arg] : llvm::zip(passed, entry->getArguments()))
      map.map(v, arg);
    OpBuilder cb = OpBuilder::atBlockEnd(entry);
    // Small constants (shapes of static reshapes, per-channel parameters)
    // are copied in rather than passed: the callee sees them as constants.
    for (Value v : inputs)
      if (auto c = v.getDefiningOp<arith::ConstantOp>())
        if (!isLargeConstant(c))
          map.map(v, cb.clone(*c)->getResult(0));
    for (Operation *op : body)
      cb.clone(*op, map);
    SmallVector<Value> results;
    for (Value r : outputs)
      results.push_back(map.lookup(r));
    func::ReturnOp::create(cb, func.getLoc(), results);
    OpBuilder b(body.back()->getNextNode());
    auto call = func::CallOp::create(b, body.front()->getLoc(), callee,
                                     passed.getArrayRef());
    for (auto [r, c] : llvm::zip(outputs, call.getResults()))
      r.replaceAllUsesWith(c);
    for (Operation *op : llvm::reverse(body))
      op->erase();
  }
};

} // namespace

SmallVector<Operation *> cgnet::profiledLayers(func::FuncOp func) {
  SmallVector<Operation *> ops;
  func.walk([&](Operation *op) {
    if (isa<CGNetDialect>(op->getDialect()))
      ops.push_back(op);
  });
  return ops;
}

namespace {
struct CopiesToLoopsPass
    : public cgnet::impl::CGNetCopiesToLoopsBase<CopiesToLoopsPass> {
  /// Whether `a` and `b` are the same elements of one buffer: the same
  /// value, or subviews CSE would merge (same source, offsets, sizes,
  /// strides and type).
  static bool sameView(Value a, Value b) {
    if (a == b)
      return true;
    auto sa = a.getDefiningOp<memref::SubViewOp>(),
         sb = b.getDefiningOp<memref::SubViewOp>();
    return sa && sb &&
           OperationEquivalence::isEquivalentTo(
               sa, sb, OperationEquivalence::IgnoreLocations);
  }

  void runOnOperation() override {
    // A copy of a view onto itself (bufferization leaves one where a
    // value computed in place of its destination's slice is inserted
    // there: the gated layers' channels-last inputs) does nothing.
    SmallVector<memref::CopyOp> selfCopies;
    getOperation().walk([&](memref::CopyOp c) {
      if (sameView(c.getSource(), c.getTarget()))
        selfCopies.push_back(c);
    });
    for (memref::CopyOp c : selfCopies)
      c.erase();
    SmallVector<memref::CopyOp> copies;
    getOperation().walk([&](memref::CopyOp c) {
      auto contiguous = [](Value v) {
        auto t = dyn_cast<MemRefType>(v.getType());
        return t && t.getLayout().isIdentity();
      };
      if (!contiguous(c.getSource()) || !contiguous(c.getTarget()))
        copies.push_back(c);
    });
    for (memref::CopyOp c : copies) {
      OpBuilder b(c);
      linalg::CopyOp::create(b, c.getLoc(), c.getSource(), c.getTarget());
      c.erase();
    }
  }
};

struct SerializeInnerParallelPass
    : public cgnet::impl::CGNetSerializeInnerParallelBase<
          SerializeInnerParallelPass> {
  using Base::Base;

  /// Innermost iterations of the loop nest rooted at `op`: its static trip
  /// counts multiplied by the largest of its children's (saturating).
  static int64_t nestIterations(Operation *op) {
    if (auto n = op->getAttrOfType<IntegerAttr>(kIterationsAttr))
      return n.getInt();
    int64_t inner = 1;
    for (Region &r : op->getRegions())
      for (Operation &child : r.getOps())
        inner = std::max(inner, nestIterations(&child));
    int64_t trips = 1;
    auto mul = [](int64_t a, int64_t b) {
      return a > (int64_t(1) << 40) / std::max<int64_t>(b, 1) ? int64_t(1) << 40
                                                              : a * b;
    };
    if (auto loop = dyn_cast<LoopLikeOpInterface>(op)) {
      auto lbs = loop.getLoopLowerBounds(), ubs = loop.getLoopUpperBounds();
      auto steps = loop.getLoopSteps();
      if (lbs && ubs && steps)
        for (auto [lb, ub, step] : llvm::zip(*lbs, *ubs, *steps)) {
          auto l = getConstantIntValue(lb), u = getConstantIntValue(ub),
               st = getConstantIntValue(step);
          if (l && u && st && *st > 0)
            trips = mul(trips, std::max<int64_t>(1, (*u - *l + *st - 1) / *st));
        }
    }
    return mul(trips, inner);
  }

  void runOnOperation() override {
    SmallVector<scf::ParallelOp> inner;
    getOperation().walk([&](scf::ParallelOp p) {
      if (p.getNumResults() == 0 &&
          (p->getParentOfType<LoopLikeOpInterface>() ||
           nestIterations(p) < minIterations))
        inner.push_back(p);
    });
    // Bodies move with the loops they hold, so the order does not matter.
    for (scf::ParallelOp p : inner) {
      OpBuilder b(p);
      Location loc = p.getLoc();
      SmallVector<Value> ivs;
      for (auto [lb, ub, step] : llvm::zip(p.getLowerBound(),
                                           p.getUpperBound(), p.getStep())) {
        auto f = scf::ForOp::create(b, loc, lb, ub, step);
        ivs.push_back(f.getInductionVar());
        b.setInsertionPoint(f.getBody()->getTerminator());
      }
      // The body's ops (all but the scf.reduce terminator) move in front
      // of the innermost for's yield.
      Block &body = p.getRegion().front();
      for (auto [arg, iv] : llvm::zip(body.getArguments(), ivs))
        arg.replaceAllUsesWith(iv);
      Operation *yield = b.getInsertionBlock()->getTerminator();
      yield->getBlock()->getOperations().splice(
          Block::iterator(yield), body.getOperations(), body.begin(),
          std::prev(body.end()));
      p.erase();
    }
  }
};

/// A generic that --cgnet-fuse-elementwise merges: every loop parallel, the
/// result indexed by the identity, every operand by the identity or a
/// broadcast that keeps the loops' order, no cgnet.* mark.
bool isPlainElementwise(linalg::GenericOp g) {
  if (g.getNumReductionLoops() != 0 || g.getNumDpsInits() != 1 ||
      !g.hasPureTensorSemantics())
    return false;
  for (NamedAttribute a : g->getDiscardableAttrs())
    if (a.getName().strref().starts_with("cgnet."))
      return false;
  if (!g.getMatchingIndexingMap(g.getDpsInitOperand(0)).isIdentity())
    return false;
  for (AffineMap m : g.getIndexingMapsArray()) {
    if (!m.isProjectedPermutation(/*allowZeroInResults=*/false))
      return false;
    unsigned last = 0;
    for (AffineExpr e : m.getResults()) {
      unsigned d = cast<AffineDimExpr>(e).getPosition();
      if (d < last)
        return false;
      last = d;
    }
  }
  return true;
}

/// Merges a plain element-wise producer with a single use into its plain
/// element-wise consumer (upstream's FuseElementwiseOps, restricted).
struct FusePlainElementwise : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    if (!isPlainElementwise(consumer))
      return failure();
    for (OpOperand *operand : consumer.getDpsInputOperands()) {
      auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
      if (!producer || !producer->hasOneUse() ||
          !isPlainElementwise(producer) ||
          !linalg::areElementwiseOpsFusable(operand))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, operand);
      if (failed(fused))
        continue;
      for (auto [old, replacement] : fused->replacements)
        rewriter.replaceUsesWithIf(old, replacement, [&](OpOperand &use) {
          return use.getOwner() != producer.getOperation();
        });
      rewriter.eraseOp(consumer);
      return success();
    }
    return failure();
  }
};

/// The trailing loops of a plain element-wise generic that every operand
/// indexes together (a per-channel operand keeps the channel loop apart)
/// and that no operand slices (a convolution's output cut from its padded
/// rows would be copied to be collapsed): the longest such run of at least
/// two, or none.
static SmallVector<ReassociationIndices>
collapsibleTrailingLoops(linalg::LinalgOp op) {
  auto g = dyn_cast<linalg::GenericOp>(op.getOperation());
  if (!g || !isPlainElementwise(g))
    return {};
  int64_t rank = g.getNumLoops();
  SmallVector<AffineMap> maps = g.getIndexingMapsArray();
  // Whether operand `v` (indexed by `map`) holds loops k+1 .. rank-1 whole.
  auto whole = [&](Value v, AffineMap map, int64_t k) {
    if (map.isIdentity()) {
      // The buffer `v` bufferizes into: through ops that update their
      // init in place (a gated convolution's conditional sums update the
      // base path's cropped output).
      while (auto r = dyn_cast<OpResult>(v)) {
        auto dps = dyn_cast<DestinationStyleOpInterface>(r.getOwner());
        if (!dps || !isa<linalg::LinalgOp>(r.getOwner()))
          break;
        v = dps.getTiedOpOperand(r)->get();
      }
      auto slice = v.getDefiningOp<tensor::ExtractSliceOp>();
      if (!slice)
        return true;
      ArrayRef<int64_t> src = slice.getSourceType().getShape();
      for (int64_t d = k + 1; d < rank; ++d)
        if (slice.getStaticSizes()[d] != src[d] ||
            slice.getStaticStrides()[d] != 1)
          return false;
      return true;
    }
    // A broadcast operand takes part only where it holds none of the run.
    return llvm::none_of(map.getResults(), [&](AffineExpr e) {
      return cast<AffineDimExpr>(e).getPosition() >= k;
    });
  };
  for (int64_t k = 0; k + 1 < rank; ++k) {
    ReassociationIndices run = llvm::to_vector(llvm::seq<int64_t>(k, rank));
    if (!linalg::areDimSequencesPreserved(maps, {run}))
      continue;
    bool ok = true;
    for (OpOperand &operand : g->getOpOperands())
      ok = ok && whole(operand.get(), g.getMatchingIndexingMap(&operand), k);
    if (ok)
      return {run};
  }
  return {};
}

struct FuseElementwisePass
    : public cgnet::impl::CGNetFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FusePlainElementwise>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
    // Then each fused loop's trailing loops as one (a 14 x 14 plane is one
    // loop of 196: LLVM vectorizes it, where a 14-iteration inner loop
    // stayed scalar).
    RewritePatternSet collapse(&getContext());
    linalg::populateCollapseDimensions(collapse, collapsibleTrailingLoops);
    if (failed(applyPatternsGreedily(getOperation(), std::move(collapse))))
      signalPassFailure();
  }
};

struct OutlineConstantsPass
    : public cgnet::impl::CGNetOutlineConstantsBase<OutlineConstantsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    SmallVector<arith::ConstantOp> big;
    func.walk([&](arith::ConstantOp c) {
      auto t = dyn_cast<RankedTensorType>(c.getType());
      if (!t || !t.hasStaticShape() || t.getNumElements() < minElements ||
          !isa<ElementsAttr>(c.getValue()))
        return;
      // Shapes stay constants (static reshapes).
      for (OpOperand &use : c->getUses())
        if (isa<tensor::ReshapeOp>(use.getOwner()) &&
            use.getOperandNumber() == 1)
          return;
      Type e = t.getElementType();
      unsigned bits = e.getIntOrFloatBitWidth();
      if (isa<IntegerType, FloatType>(e) && bits % 8 == 0 && bits <= 64)
        big.push_back(c);
    });
    if (big.empty())
      return;
    SmallVector<Attribute> values;
    Block &entry = func.getBody().front();
    SmallVector<Type> inputs(func.getArgumentTypes());
    for (arith::ConstantOp c : big) {
      BlockArgument arg = entry.addArgument(c.getType(), c.getLoc());
      inputs.push_back(c.getType());
      values.push_back(c.getValue());
      c.replaceAllUsesWith(arg);
      c.erase();
    }
    func.setFunctionType(FunctionType::get(&getContext(), inputs,
                                           func.getResultTypes()));
    func->setAttr(kConstantArgumentsAttr,
                  ArrayAttr::get(&getContext(), values));
  }
};
} // namespace

LogicalResult cgnet::buildCPUPipelineFront(OpPassManager &pm,
                                           const CPUPipelineOptions &options) {
  std::string pipeline =
      std::string("convert-cgnet-to-cpu{profile=") +
      (options.profile ? "true" : "false") +
      " upstream-conv=" + (options.upstreamConv ? "true" : "false") +
      " outline-layers=" + (options.outlineLayers ? "true" : "false") +
      " dot4=" + (options.dot4 ? "true" : "false") +
      " dot2=" + (options.dot2 ? "true" : "false") +
      " dot4-7bit=" + (options.dot4SevenBit ? "true" : "false") +
      "},canonicalize";
  // Not when profiling: the per-layer hooks would then time one layer's
  // loop in another's window.
  if (options.fuseElementwise && !options.profile)
    pipeline += ",func.func(cgnet-fuse-elementwise),canonicalize";
  if (options.outlineConstants)
    pipeline += ",func.func(cgnet-outline-constants)";
  // Fails (with a message on stderr) when a pass is not registered.
  return parsePassPipeline(pipeline, pm);
}

cgnet::RegisterBlockShape cgnet::registerBlockShape(unsigned vectorBits) {
  // AVX-512 has 32 vector registers: 16 accumulators, 4 loads, a
  // broadcast. AVX2 and SSE have 16: 12 accumulators, 3 loads, a
  // broadcast (4 x 4 there spills: ResNet-18's 56 x 56 fp32 layer took
  // 8.2 ms instead of 2.7 on a Zen 3 core); pmaddwd's products take
  // registers of their own, so dot2 blocks have 8 accumulators there
  // (4 x 3 spilled: the 8-bit 7 x 7 / 2 stem 3.1 ms instead of 2.6).
  if (vectorBits >= 512)
    return {4, 4, 4};
  return {4, 3, 2};
}

LogicalResult cgnet::buildCPUPipelineBack(OpPassManager &pm,
                                          const CPUPipelineOptions &options) {
  // Parsed from text so that every step is an upstream pass with its
  // documented options.
  auto [rows, vectors, dot2Vectors] = registerBlockShape(options.vectorBits);
  std::string block =
      (options.compactGated
           ? "cgnet-compact-gated{vector-bits=" +
                 std::to_string(options.vectorBits) + "},"
           : std::string()) +
      (options.registerBlock
           ? "cgnet-register-block{vector-bits=" +
                 std::to_string(options.vectorBits) +
                 " rows=" + std::to_string(rows) +
                 " vectors=" + std::to_string(vectors) +
                 " dot2-vectors=" + std::to_string(dot2Vectors) + "},"
           : "");
  std::string loops =
      "func.func(" + block + "cgnet-copies-to-loops,convert-linalg-to-loops),";
  if (options.threads > 1)
    // Each layer's outermost parallel loop becomes async tasks over
    // blocks of its iterations (at least one iteration per task: a
    // convolution's outer loop runs over output channels).
    loops = "func.func(" + block +
            "cgnet-copies-to-loops,convert-linalg-to-parallel-loops,"
            "cgnet-serialize-inner-parallel),"
            "async-parallel-for{num-workers=" +
            std::to_string(options.threads) +
            " min-task-size=1 async-dispatch=false},async-to-async-runtime,"
            "async-runtime-ref-counting,async-runtime-ref-counting-opt,"
            "arith-expand,convert-async-to-llvm,";
  return parsePassPipeline(
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "buffer-results-to-out-params{hoist-static-allocs "
      "modify-public-functions},"
      "func.func(ownership-based-buffer-deallocation),"
      "buffer-deallocation-simplification,bufferization-lower-deallocations," +
          loops +
          "expand-strided-metadata,"
          "lower-affine,convert-vector-to-scf,convert-scf-to-cf,"
          "convert-vector-to-llvm,finalize-memref-to-llvm{use-aligned-alloc=1},"
          "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
          "convert-to-llvm,reconcile-unrealized-casts",
      pm);
}

LogicalResult cgnet::buildCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &options) {
  if (failed(buildCPUPipelineFront(pm, options)))
    return failure();
  return buildCPUPipelineBack(pm, options);
}

void cgnet::registerCGNetCPUPipeline() {
  PassPipelineRegistration<>(
      "cgnet-cpu-pipeline",
      "Float cgnet to the LLVM dialect: --convert-cgnet-to-cpu, "
      "bufferization (results as out-parameters), loops, LLVM with bare "
      "pointers for arguments and results",
      [](OpPassManager &pm) {
        // Registered next to the upstream passes it names
        // (registerAllPasses), so the pipeline always parses.
        (void)buildCPUPipeline(pm);
      });
}
