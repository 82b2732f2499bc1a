//===- TosaToCGNet.cpp - TOSA layer ops to cgnet --------------------------===//
//
// TOSA is NHWC with OHWI (conv) / HWCM (depthwise) weights; cgnet is NCHW
// with OIHW weights. Each converted 4-D op is wrapped in cgnet.transpose ops
// at its borders, and the transposes that cancel fold away afterwards.
// Constant weights are transposed here, at compile time. Zero points are
// carried by reinterpreting integer storage as !quant.uniform with
// `quant.scast`, so cgnet's integer ops subtract them.
//
// Every TOSA op is checked before any rewrite: one that cgnet cannot
// represent exactly is an error naming the op and the reason, and nothing is
// converted.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/TosaToCGNet/TosaToCGNet.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/TypeSwitch.h"

namespace cgnet {
#define GEN_PASS_DEF_CONVERTTOSATOCGNET
#include "cgnet/Conversion/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

constexpr int64_t kToNCHW[] = {0, 3, 1, 2};
constexpr int64_t kToNHWC[] = {0, 2, 3, 1};

/// The elements attribute of a tosa.const or arith.constant defining `v`.
static ElementsAttr constantOf(Value v) {
  if (auto c = v.getDefiningOp<tosa::ConstOp>())
    return c.getValues();
  if (auto c = v.getDefiningOp<arith::ConstantOp>())
    return dyn_cast<ElementsAttr>(c.getValue());
  return {};
}

/// The single value of a scalar zero-point constant, or std::nullopt.
static std::optional<int64_t> scalarZeroPoint(Value v) {
  ElementsAttr attr = constantOf(v);
  if (!attr || attr.getNumElements() != 1)
    return std::nullopt;
  if (isa<FloatType>(attr.getElementType()))
    return (*attr.getValues<APFloat>().begin()).isZero()
               ? std::optional<int64_t>(0)
               : std::nullopt;
  return (*attr.getValues<APInt>().begin()).getSExtValue();
}

static RankedTensorType permuted(RankedTensorType t, ArrayRef<int64_t> perm) {
  SmallVector<int64_t> shape;
  for (int64_t p : perm)
    shape.push_back(t.getDimSize(p));
  return RankedTensorType::get(shape, t.getElementType());
}

static Value transpose(OpBuilder &b, Location loc, Value v,
                       ArrayRef<int64_t> perm) {
  auto type = cast<RankedTensorType>(v.getType());
  return TransposeOp::create(b, loc, permuted(type, perm), v,
                             b.getDenseI64ArrayAttr(perm));
}

/// A constant holding `attr` with its dimensions permuted (result dimension d
/// is source dimension perm[d]).
static DenseElementsAttr transposeAttr(ElementsAttr attr,
                                       ArrayRef<int64_t> perm) {
  return permuteElements(attr, cast<ShapedType>(attr.getType()).getShape(),
                         perm);
}

/// Reinterprets integer storage `v` as !quant.uniform with zero point `zp`
/// (scale 1: cgnet's integer ops only use the zero point) where zp != 0.
static Value withZeroPoint(OpBuilder &b, Location loc, Value v, int64_t zp) {
  if (zp == 0)
    return v;
  auto type = cast<RankedTensorType>(v.getType());
  auto storage = cast<IntegerType>(type.getElementType());
  auto info = *getElementInfo(storage);
  auto q = quant::UniformQuantizedType::get(
      quant::QuantizationFlags::Signed, storage, b.getF32Type(), 1.0, zp,
      info.storageMin, info.storageMax);
  return quant::StorageCastOp::create(b, loc, type.clone(q), v);
}

//===----------------------------------------------------------------------===//
// Checks: everything that can make a TOSA op unconvertible
//===----------------------------------------------------------------------===//

static LogicalResult checkConstant(Operation *op, Value v, StringRef what) {
  if (!constantOf(v))
    return op->emitOpError() << "cannot be converted to cgnet: " << what
                             << " must be a constant";
  return success();
}

static LogicalResult checkZeroPoint(Operation *op, Value v, StringRef what,
                                    bool mustBeZero) {
  std::optional<int64_t> zp = scalarZeroPoint(v);
  if (!zp)
    return op->emitOpError() << "cannot be converted to cgnet: " << what
                             << " must be a constant scalar";
  if (mustBeZero && *zp != 0)
    return op->emitOpError() << "cannot be converted to cgnet: non-zero "
                             << what << " (" << *zp << ") is not supported";
  return success();
}

template <typename ConvOp>
static LogicalResult checkConv(ConvOp op) {
  if (failed(checkConstant(op, op.getWeight(), "the weight")) ||
      failed(checkConstant(op, op.getBias(), "the bias")) ||
      failed(checkZeroPoint(op, op.getInputZp(), "input zero point", false)) ||
      failed(checkZeroPoint(op, op.getWeightZp(), "weight zero point", false)))
    return failure();
  Type acc = op.getAccType();
  if (!acc.isF32() && !acc.isInteger(32))
    return op.emitOpError() << "cannot be converted to cgnet: accumulator type "
                            << acc << " (cgnet accumulates in f32 or i32)";
  return success();
}

static LogicalResult checkOp(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<tosa::Conv2DOp>([](auto c) { return checkConv(c); })
      .Case<tosa::DepthwiseConv2DOp>([](auto c) { return checkConv(c); })
      .Case<tosa::MatMulOp>([](tosa::MatMulOp m) -> LogicalResult {
        if (failed(checkConstant(m, m.getB(), "the right-hand side")) ||
            failed(checkZeroPoint(m, m.getAZp(), "A zero point", false)) ||
            failed(checkZeroPoint(m, m.getBZp(), "B zero point", false)))
          return failure();
        if (cast<ShapedType>(m.getA().getType()).getDimSize(0) != 1)
          return m.emitOpError() << "cannot be converted to cgnet: only batch "
                                    "1 matmul maps to a fully connected layer";
        return success();
      })
      .Case<tosa::AvgPool2dOp>([](tosa::AvgPool2dOp p) -> LogicalResult {
        if (!isFloatType(p.getInput().getType()))
          return p.emitOpError()
                 << "cannot be converted to cgnet: integer average pooling "
                    "divides by a reciprocal multiplier that cgnet.avg_pool2d "
                    "(exact rounded division) does not reproduce";
        return success();
      })
      .Case<tosa::RescaleOp>([](tosa::RescaleOp r) -> LogicalResult {
        if (failed(checkConstant(r, r.getMultiplier(), "the multiplier")) ||
            failed(checkConstant(r, r.getShift(), "the shift")) ||
            failed(checkZeroPoint(r, r.getInputZp(), "input zero point",
                                  false)) ||
            failed(checkZeroPoint(r, r.getOutputZp(), "output zero point",
                                  false)))
          return failure();
        if (r.getInputUnsigned() || r.getOutputUnsigned())
          return r.emitOpError()
                 << "cannot be converted to cgnet: unsigned rescaling is not "
                    "supported";
        auto mode = r.getRoundingMode();
        if (mode == tosa::RoundingMode::INEXACT_ROUND)
          return r.emitOpError() << "cannot be converted to cgnet: "
                                    "INEXACT_ROUND is not supported";
        if (mode == tosa::RoundingMode::DOUBLE_ROUND)
          for (APInt s : constantOf(r.getShift()).getValues<APInt>())
            if (s.getSExtValue() > 31)
              return r.emitOpError()
                     << "cannot be converted to cgnet: DOUBLE_ROUND with a "
                        "shift above 31 is not supported";
        return success();
      })
      .Case<tosa::AddOp>([](tosa::AddOp a) -> LogicalResult {
        if (a.getInput1().getType() != a.getType() ||
            a.getInput2().getType() != a.getType())
          return a.emitOpError() << "cannot be converted to cgnet: operands "
                                    "must have the result's type (no "
                                    "broadcasting)";
        return success();
      })
      .Case<tosa::MaxPool2dOp, tosa::ClampOp, tosa::ConcatOp,
            tosa::ReshapeOp, tosa::TransposeOp, tosa::ConstOp, tosa::ConstShapeOp>(
          [](Operation *) { return success(); })
      .Default([](Operation *o) {
        return o->emitOpError()
               << "has no cgnet counterpart (supported: conv2d, "
                  "depthwise_conv2d, matmul, max_pool2d, avg_pool2d, add, "
                  "clamp, concat, reshape, transpose, rescale, const)";
      });
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Bias constant of a TOSA convolution, broadcast to `outChannels` entries.
static Value convertBias(OpBuilder &b, Location loc, Value bias,
                         int64_t outChannels) {
  ElementsAttr attr = constantOf(bias);
  auto type = RankedTensorType::get({outChannels}, attr.getElementType());
  if (attr.getNumElements() == outChannels)
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(type, SmallVector<Attribute>(
                                                 attr.getValues<Attribute>())));
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(type, *attr.getValues<Attribute>().begin()));
}

template <typename ConvOp>
struct ConvLowering : public OpConversionPattern<ConvOp> {
  using OpConversionPattern<ConvOp>::OpConversionPattern;
  using OpAdaptor = typename ConvOp::Adaptor;

  LogicalResult
  matchAndRewrite(ConvOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    constexpr bool depthwise = std::is_same_v<ConvOp, tosa::DepthwiseConv2DOp>;
    ElementsAttr w = constantOf(op.getWeight());
    auto wType = cast<RankedTensorType>(w.getType());
    DenseElementsAttr oihw;
    int64_t groups = 1;
    if constexpr (depthwise) {
      // HWCM -> (C*M) x 1 x H x W: transpose to C x M x H x W, then reshape.
      int64_t c = wType.getDimSize(2), m = wType.getDimSize(3);
      DenseElementsAttr cmhw = transposeAttr(w, {2, 3, 0, 1});
      oihw = cmhw.reshape(RankedTensorType::get(
          {c * m, 1, wType.getDimSize(0), wType.getDimSize(1)},
          wType.getElementType()));
      groups = c;
    } else {
      oihw = transposeAttr(w, {0, 3, 1, 2});
    }
    int64_t outChannels = oihw.getType().getDimSize(0);
    Value weight = withZeroPoint(rewriter, loc,
                                 arith::ConstantOp::create(rewriter, loc, oihw),
                                 *scalarZeroPoint(op.getWeightZp()));
    Value input = withZeroPoint(
        rewriter, loc, transpose(rewriter, loc, adaptor.getInput(), kToNCHW),
        *scalarZeroPoint(op.getInputZp()));
    Value bias = convertBias(rewriter, loc, op.getBias(), outChannels);
    ArrayRef<int64_t> pad = op.getPad(); // top, bottom, left, right
    auto resultType =
        permuted(cast<RankedTensorType>(op.getType()), kToNCHW);
    auto conv = Conv2DOp::create(
        rewriter, loc, resultType, input, weight, bias,
        rewriter.getDenseI64ArrayAttr(op.getStride()),
        rewriter.getDenseI64ArrayAttr({pad[0], pad[2], pad[1], pad[3]}),
        rewriter.getDenseI64ArrayAttr(op.getDilation()),
        rewriter.getI64IntegerAttr(groups));
    rewriter.replaceOp(op, transpose(rewriter, loc, conv, kToNHWC));
    return success();
  }
};

struct MatMulLowering : public OpConversionPattern<tosa::MatMulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::MatMulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto aType = cast<RankedTensorType>(op.getA().getType());
    ElementsAttr b = constantOf(op.getB());
    auto bType = cast<RankedTensorType>(b.getType());
    int64_t m = aType.getDimSize(1), k = aType.getDimSize(2),
            n = bType.getDimSize(2);
    // B is 1 x K x N; the fully connected weight is N x K.
    DenseElementsAttr weightAttr =
        transposeAttr(b, {0, 2, 1})
            .reshape(RankedTensorType::get({n, k}, bType.getElementType()));
    Value weight =
        withZeroPoint(rewriter, loc,
                      arith::ConstantOp::create(rewriter, loc, weightAttr),
                      *scalarZeroPoint(op.getBZp()));
    Value a = ReshapeOp::create(
        rewriter, loc, RankedTensorType::get({m, k}, aType.getElementType()),
        adaptor.getA());
    a = withZeroPoint(rewriter, loc, a, *scalarZeroPoint(op.getAZp()));
    auto outType = cast<RankedTensorType>(op.getType());
    auto fc = FullyConnectedOp::create(
        rewriter, loc, RankedTensorType::get({m, n}, outType.getElementType()),
        a, weight, Value());
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, outType, fc);
    return success();
  }
};

/// Wraps a 4-D NHWC value in a transpose to NCHW; other ranks pass through.
static Value toCGNetLayout(OpBuilder &b, Location loc, Value v) {
  if (cast<RankedTensorType>(v.getType()).getRank() != 4)
    return v;
  return transpose(b, loc, v, kToNCHW);
}

static Value fromCGNetLayout(OpBuilder &b, Location loc, Value v) {
  if (cast<RankedTensorType>(v.getType()).getRank() != 4)
    return v;
  return transpose(b, loc, v, kToNHWC);
}

static RankedTensorType cgnetLayoutType(Type t) {
  auto r = cast<RankedTensorType>(t);
  return r.getRank() == 4 ? permuted(r, kToNCHW) : r;
}

template <typename PoolOp>
struct PoolLowering : public OpConversionPattern<PoolOp> {
  using OpConversionPattern<PoolOp>::OpConversionPattern;
  using OpAdaptor = typename PoolOp::Adaptor;
  LogicalResult
  matchAndRewrite(PoolOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value in = toCGNetLayout(rewriter, loc, adaptor.getInput());
    ArrayRef<int64_t> pad = op.getPad(); // top, bottom, left, right
    auto kernel = rewriter.getDenseI64ArrayAttr(op.getKernel());
    auto strides = rewriter.getDenseI64ArrayAttr(op.getStride());
    auto padding =
        rewriter.getDenseI64ArrayAttr({pad[0], pad[2], pad[1], pad[3]});
    auto type = cgnetLayoutType(op.getType());
    Value result;
    if constexpr (std::is_same_v<PoolOp, tosa::MaxPool2dOp>)
      result = MaxPool2DOp::create(rewriter, loc, type, in, kernel, strides,
                                   padding);
    else
      // TOSA divides by the number of in-bounds elements.
      result = AvgPool2DOp::create(rewriter, loc, type, in, kernel, strides,
                                   padding, rewriter.getBoolAttr(false));
    rewriter.replaceOp(op, fromCGNetLayout(rewriter, loc, result));
    return success();
  }
};

struct AddLowering : public OpConversionPattern<tosa::AddOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::AddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value add = AddOp::create(rewriter, loc, cgnetLayoutType(op.getType()),
                              toCGNetLayout(rewriter, loc, adaptor.getInput1()),
                              toCGNetLayout(rewriter, loc, adaptor.getInput2()));
    rewriter.replaceOp(op, fromCGNetLayout(rewriter, loc, add));
    return success();
  }
};

struct ClampLowering : public OpConversionPattern<tosa::ClampOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::ClampOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value in = toCGNetLayout(rewriter, loc, adaptor.getInput());
    auto type = cgnetLayoutType(op.getType());
    ClampOp clamp;
    if (auto lo = dyn_cast<FloatAttr>(op.getMinValAttr())) {
      auto hi = cast<FloatAttr>(op.getMaxValAttr());
      clamp = ClampOp::create(
          rewriter, loc, type, in,
          rewriter.getF32FloatAttr(lo.getValueAsDouble()),
          rewriter.getF32FloatAttr(hi.getValueAsDouble()), IntegerAttr(),
          IntegerAttr());
    } else {
      auto loInt = cast<IntegerAttr>(op.getMinValAttr());
      auto hiInt = cast<IntegerAttr>(op.getMaxValAttr());
      clamp = ClampOp::create(rewriter, loc, type, in, FloatAttr(), FloatAttr(),
                              rewriter.getI64IntegerAttr(loInt.getInt()),
                              rewriter.getI64IntegerAttr(hiInt.getInt()));
    }
    rewriter.replaceOp(op, fromCGNetLayout(rewriter, loc, clamp));
    return success();
  }
};

struct ConcatLowering : public OpConversionPattern<tosa::ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    int64_t axis = op.getAxis();
    SmallVector<Value> inputs;
    for (Value v : adaptor.getInput1())
      inputs.push_back(toCGNetLayout(rewriter, loc, v));
    if (type.getRank() == 4)
      axis = llvm::find(kToNCHW, axis) - std::begin(kToNCHW);
    Value concat =
        ConcatOp::create(rewriter, loc, cgnetLayoutType(type), inputs,
                         rewriter.getI64IntegerAttr(axis));
    rewriter.replaceOp(op, fromCGNetLayout(rewriter, loc, concat));
    return success();
  }
};

struct ReshapeLowering : public OpConversionPattern<tosa::ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    // Row-major order is that of the NHWC tensor: reshape it as it is.
    rewriter.replaceOpWithNewOp<ReshapeOp>(op, op.getType(),
                                           adaptor.getInput1());
    return success();
  }
};

struct RescaleLowering : public OpConversionPattern<tosa::RescaleOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::RescaleOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    SmallVector<int32_t> mult, shift;
    for (APInt v : constantOf(op.getMultiplier()).getValues<APInt>())
      mult.push_back(static_cast<int32_t>(v.getSExtValue()));
    for (APInt v : constantOf(op.getShift()).getValues<APInt>())
      shift.push_back(static_cast<int32_t>(v.getSExtValue()));
    auto outType = cast<RankedTensorType>(op.getType());
    int64_t rank = outType.getRank();
    Value in = withZeroPoint(rewriter, loc,
                             toCGNetLayout(rewriter, loc, adaptor.getInput()),
                             *scalarZeroPoint(op.getInputZp()));
    int64_t outZp = *scalarZeroPoint(op.getOutputZp());
    // TOSA's per-channel axis is the innermost one; in NCHW it is 1.
    int64_t axis = rank == 4 ? 1 : rank - 1;
    RankedTensorType storageType = cgnetLayoutType(outType);
    Type resultType = storageType;
    if (outZp != 0) {
      auto info = *getElementInfo(outType);
      resultType = storageType.clone(quant::UniformQuantizedType::get(
          quant::QuantizationFlags::Signed, outType.getElementType(),
          rewriter.getF32Type(), 1.0, outZp, info.storageMin,
          info.storageMax));
    }
    Value result = RequantizeOp::create(
        rewriter, loc, resultType, in, rewriter.getDenseI32ArrayAttr(mult),
        rewriter.getDenseI32ArrayAttr(shift), rewriter.getI64IntegerAttr(axis),
        RoundingModeAttr::get(rewriter.getContext(), RoundingMode::HalfUp));
    if (outZp != 0)
      result = quant::StorageCastOp::create(rewriter, loc, storageType, result);
    rewriter.replaceOp(op, fromCGNetLayout(rewriter, loc, result));
    return success();
  }
};

struct TransposeLowering : public OpConversionPattern<tosa::TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    SmallVector<int64_t> perm(op.getPerms().begin(), op.getPerms().end());
    rewriter.replaceOpWithNewOp<TransposeOp>(
        op, op.getType(), adaptor.getInput1(),
        rewriter.getDenseI64ArrayAttr(perm));
    return success();
  }
};

struct ConstLowering : public OpConversionPattern<tosa::ConstOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tosa::ConstOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(
        op, cast<TypedAttr>(op.getValues()));
    return success();
  }
};

struct ConvertTosaToCGNetPass
    : public cgnet::impl::ConvertTosaToCGNetBase<ConvertTosaToCGNetPass> {
  void runOnOperation() override {
    func::FuncOp func = getOperation();
    bool bad = false;
    func.walk([&](Operation *op) {
      if (isa<tosa::TosaDialect>(op->getDialect()) && failed(checkOp(op)))
        bad = true;
    });
    if (bad)
      return signalPassFailure();

    ConversionTarget target(getContext());
    target.addIllegalDialect<tosa::TosaDialect>();
    // Shapes feed tosa.reshape only; they die with it and are erased below.
    target.addLegalOp<tosa::ConstShapeOp>();
    target.addLegalDialect<CGNetDialect, arith::ArithDialect,
                           quant::QuantDialect>();
    RewritePatternSet patterns(&getContext());
    populateTosaToCGNetConversionPatterns(patterns);
    if (failed(applyPartialConversion(func, target, std::move(patterns))))
      return signalPassFailure();

    // Fold the transposes that cancel and drop dead constants and shapes.
    RewritePatternSet none(&getContext());
    (void)applyPatternsGreedily(func, std::move(none));
  }
};

} // namespace

void cgnet::populateTosaToCGNetConversionPatterns(RewritePatternSet &patterns) {
  patterns.add<ConvLowering<tosa::Conv2DOp>,
               ConvLowering<tosa::DepthwiseConv2DOp>, MatMulLowering,
               PoolLowering<tosa::MaxPool2dOp>, PoolLowering<tosa::AvgPool2dOp>,
               AddLowering, ClampLowering, ConcatLowering, ReshapeLowering,
               RescaleLowering, TransposeLowering, ConstLowering>(patterns.getContext());
}
