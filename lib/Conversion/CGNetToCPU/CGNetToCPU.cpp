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
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/ADT/TypeSwitch.h"
#include <limits>

namespace cgnet {
#define GEN_PASS_DEF_CONVERTCGNETTOCPU
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
  Value constant(ArrayRef<int64_t> shape, ArrayRef<float> data) {
    return arith::ConstantOp::create(
        b, loc, DenseElementsAttr::get(f32(shape), data));
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
    return tensor::PadOp::create(b, loc, f32(shape), x, low, high, scalar(v));
  }
  Value reshape(Value x, ArrayRef<int64_t> shape) {
    SmallVector<int64_t> dims(shape);
    Value s = arith::ConstantOp::create(
        b, loc,
        DenseIntElementsAttr::get(
            RankedTensorType::get({int64_t(dims.size())}, b.getI64Type()),
            dims));
    return tensor::ReshapeOp::create(b, loc, f32(shape), x, s);
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

  /// out[n, o, y, x] = bias[o] + sum in[n, g*Ig + c, y*sh + ky*dh, x*sw +
  /// kx*dw] * w[o, c, ky, kx] over a padded input; `w` is O x Ig x kh x kw.
  Value conv(Value in, ArrayRef<float> w, ArrayRef<int64_t> wShape,
             ArrayRef<float> bias, ArrayRef<int64_t> strides,
             ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations,
             int64_t groups, ArrayRef<int64_t> outShape) {
    Value x = pad(in, padding, 0.0);
    auto xt = cast<RankedTensorType>(x.getType());
    int64_t N = xt.getDimSize(0), C = xt.getDimSize(1), Hp = xt.getDimSize(2),
            Wp = xt.getDimSize(3), O = wShape[0], Ig = wShape[1],
            kh = wShape[2], kw = wShape[3], G = groups, Og = O / G,
            OH = outShape[2], OW = outShape[3];
    (void)C;
    Value x5 = reshape(x, {N, G, Ig, Hp, Wp});
    Value w5 = constant({G, Og, Ig, kh, kw}, w);
    // Bias broadcast into N x G x Og x OH x OW.
    Value biasT = constant({G, Og}, bias);
    Value init = tensor::EmptyOp::create(b, loc, ArrayRef<int64_t>{N, G, Og, OH, OW},
                                         b.getF32Type());
    AffineExpr d[8];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7]);
    Value start = generic(
        {biasT}, init, {map(5, {d[1], d[2]}), map(5, {d[0], d[1], d[2], d[3], d[4]})},
        {P, P, P, P, P},
        [](OpBuilder &, Location, ValueRange a) { return a[0]; });
    // Loops n, g, og, y, x, c, ky, kx.
    Value out = generic(
        {x5, w5}, start,
        {map(8, {d[0], d[1], d[5], d[3] * strides[0] + d[6] * dilations[0],
                 d[4] * strides[1] + d[7] * dilations[1]}),
         map(8, {d[1], d[2], d[5], d[6], d[7]}),
         map(8, {d[0], d[1], d[2], d[3], d[4]})},
        {P, P, P, P, P, R, R, R},
        [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
          Value m = arith::MulFOp::create(nb, nl, a[0], a[1]);
          return arith::AddFOp::create(nb, nl, a[2], m);
        });
    return reshape(out, {N, O, OH, OW});
  }

  /// Pooling over kernel windows: the maximum (padding ignored) or the sum
  /// divided by the window's count (with or without the padded positions).
  Value pool(Value in, ArrayRef<int64_t> k, ArrayRef<int64_t> s,
             ArrayRef<int64_t> p, bool avg, bool includePad,
             ArrayRef<int64_t> outShape) {
    auto it = cast<RankedTensorType>(in.getType());
    int64_t H = it.getDimSize(2), W = it.getDimSize(3);
    double lowest = -std::numeric_limits<double>::infinity();
    Value x = pad(in, p, avg ? 0.0 : lowest);
    Value window = tensor::EmptyOp::create(b, loc, k, b.getF32Type());
    AffineExpr d[6];
    bindDims(b.getContext(), d[0], d[1], d[2], d[3], d[4], d[5]);
    Value init = filled(outShape, avg ? 0.0 : lowest);
    Value acc = generic(
        {x, window}, init,
        {map(6, {d[0], d[1], d[2] * s[0] + d[4], d[3] * s[1] + d[5]}),
         map(6, {d[4], d[5]}), map(6, {d[0], d[1], d[2], d[3]})},
        {P, P, P, P, R, R},
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

static FailureOr<Value> lower(Operation *op) {
  OpBuilder b(op);
  Lowering l(b, op->getLoc());
  for (Type t : op->getOperandTypes())
    if (!isFloatType(getElementTypeOrSelf(t)))
      return op->emitOpError("cannot be lowered to the CPU yet: integer and "
                             "quantized models are not supported by "
                             "--convert-cgnet-to-cpu (float models only)");
  return TypeSwitch<Operation *, FailureOr<Value>>(op)
      .Case<Conv2DOp>([&](Conv2DOp c) -> FailureOr<Value> {
        std::vector<float> w, bias;
        int64_t O = shapeOf(c.getWeight())[0];
        if (failed(floatConstants(c, c.getWeight(), c.getBias(), O, w, bias)))
          return failure();
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
        std::vector<float> base(w.size()), rest(w.size());
        int64_t plane = ws[2] * ws[3];
        for (size_t e = 0; e < w.size(); ++e) {
          int64_t o = e / (ws[1] * plane), ch = (e / plane) % ws[1];
          (c.isBaseChannel(o, ch) ? base : rest)[e] = w[e];
        }
        std::vector<float> zeros(ws[0], 0.0f);
        Value partial = l.conv(c.getInput(), base, ws, bias, c.getStrides(),
                               c.getPadding(), c.getDilations(), 1,
                               shapeOf(c.getOutput()));
        Value cond = l.conv(c.getInput(), rest, ws, zeros, c.getStrides(),
                            c.getPadding(), c.getDilations(), 1,
                            shapeOf(c.getOutput()));
        Value thrT = l.constant({ws[0]}, *thr);
        ArrayRef<int64_t> os = shapeOf(c.getOutput());
        AffineExpr d[4];
        bindDims(b.getContext(), d[0], d[1], d[2], d[3]);
        AffineMap id = l.map(4, {d[0], d[1], d[2], d[3]});
        Value empty = tensor::EmptyOp::create(b, c.getLoc(), os, b.getF32Type());
        return l.generic(
            {partial, cond, thrT}, empty, {id, id, l.map(4, {d[1]}), id},
            {P, P, P, P},
            [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              Value on = arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OGT,
                                               a[0], a[2]);
              Value full = arith::AddFOp::create(nb, nl, a[0], a[1]);
              return arith::SelectOp::create(nb, nl, on, full, a[0]);
            });
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
        return l.generic(
            {f.getInput(), l.constant(ws, w)}, start,
            {l.map(3, {d[0], d[2]}), l.map(3, {d[1], d[2]}),
             l.map(3, {d[0], d[1]})},
            {P, P, R}, [](OpBuilder &nb, Location nl, ValueRange a) -> Value {
              Value m = arith::MulFOp::create(nb, nl, a[0], a[1]);
              return arith::AddFOp::create(nb, nl, a[2], m);
            });
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
      .Case<QuantizeOp, DequantizeOp, RequantizeOp>(
          [](Operation *o) -> FailureOr<Value> {
            return o->emitOpError(
                "cannot be lowered to the CPU yet: integer and quantized "
                "models are not supported by --convert-cgnet-to-cpu (float "
                "models only)");
          })
      .Case<BatchNormOp>([](BatchNormOp bn) -> FailureOr<Value> {
        return bn.emitOpError("cannot be lowered to the CPU yet: fold it "
                              "into the convolution first "
                              "(--cgnet-fold-batchnorm)");
      })
      .Default([](Operation *o) -> FailureOr<Value> {
        return o->emitOpError("cannot be lowered to the CPU yet: no lowering "
                              "in --convert-cgnet-to-cpu");
      });
}

struct ConvertCGNetToCPUPass
    : public cgnet::impl::ConvertCGNetToCPUBase<ConvertCGNetToCPUPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation().walk([&](Operation *op) {
      if (isa<CGNetDialect>(op->getDialect()))
        ops.push_back(op);
    });
    for (Operation *op : ops) {
      FailureOr<Value> v = lower(op);
      if (failed(v))
        return signalPassFailure();
      op->getResult(0).replaceAllUsesWith(*v);
      op->erase();
    }
  }
};

} // namespace

LogicalResult cgnet::buildCPUPipeline(OpPassManager &pm) {
  // Parsed from text so that every step is an upstream pass with its
  // documented options.
  const char *pipeline =
      "func.func(convert-cgnet-to-cpu),canonicalize,"
      "one-shot-bufferize{bufferize-function-boundaries "
      "function-boundary-type-conversion=identity-layout-map},"
      "buffer-results-to-out-params{hoist-static-allocs "
      "modify-public-functions},"
      "func.func(ownership-based-buffer-deallocation),"
      "buffer-deallocation-simplification,bufferization-lower-deallocations,"
      "func.func(convert-linalg-to-loops),expand-strided-metadata,"
      "lower-affine,convert-scf-to-cf,finalize-memref-to-llvm,"
      "convert-func-to-llvm{use-bare-ptr-memref-call-conv=1},"
      "convert-to-llvm,reconcile-unrealized-casts";
  // Fails (with a message on stderr) when a pass is not registered.
  return parsePassPipeline(pipeline, pm);
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
