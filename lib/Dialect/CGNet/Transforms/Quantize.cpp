//===- Quantize.cpp - float cgnet to integer cgnet ------------------------===//
//
// Symmetric post-training quantization as the OCS reference code does it
// (signed symmetric weights and activations, clip values from
// lib/Quant/Clip.cpp), producing an integer model in which every
// convolution accumulates in i32 and is requantized by a fixed-point
// multiplier and shift. The function is rebuilt op by op into new values
// and the float ops are erased at the end; every refusal is checked before
// anything is rebuilt.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"
#include "cgnet/Quant/ChannelSplit.h"
#include "cgnet/Quant/Clip.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <limits>

namespace cgnet {
#define GEN_PASS_DEF_CGNETQUANTIZE
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"

std::string &quantReportPathOption() {
  static std::string path;
  return path;
}
std::string &quantReportTableOption() {
  static std::string path;
  return path;
}
} // namespace cgnet

using namespace mlir;
using namespace cgnet;
using namespace cgnet::quant;

namespace {

/// What the report says about one convolution or fully connected layer.
struct LayerReport {
  std::string name, kind;
  unsigned bits = 0;
  std::string clipMethod;
  std::vector<double> clip;
  int64_t inChannels = 0, splitChannels = 0;
  ErrorStats before, after;
  double inputClip = 0, outputClip = 0;
};

/// Quantized weights of one layer.
struct LayerWeights {
  std::vector<double> clip, step; // one, or one per output channel
  std::vector<int8_t> q;
};

static bool isLayer(Operation *op) {
  return isa<Conv2DOp, FullyConnectedOp, ChannelGatedConv2DOp>(op);
}

/// Float ops without an integer form, which stay float between a
/// dequantize and a quantize ("float islands"): element-wise functions,
/// products of activations, softmax, and batch norms that follow no
/// convolution (nothing to fold them into).
static bool isFloatIsland(Operation *op) {
  if (auto bn = dyn_cast<BatchNormOp>(op)) {
    Operation *def = bn.getInput().getDefiningOp();
    return !def || !isa<Conv2DOp, ChannelGatedConv2DOp>(def);
  }
  return isa<SigmoidOp, HardSigmoidOp, MulOp, SoftmaxOp>(op);
}

/// Values that get a scale of their own from calibration: inputs and the
/// results of ops that compute new values. Everything else inherits its
/// input's scale.
static bool ownsScale(Value v) {
  Operation *def = v.getDefiningOp();
  return !def || isLayer(def) || isa<AddOp, ConcatOp>(def) ||
         isFloatIsland(def);
}

struct CGNetQuantizePass
    : public cgnet::impl::CGNetQuantizeBase<CGNetQuantizePass> {
  using Base::Base;

  void runOnOperation() override;

private:
  LogicalResult checkOptions();
  LogicalResult checkFunction(func::FuncOp func);
  LogicalResult calibrate(func::FuncOp func);
  LogicalResult rewrite(func::FuncOp func);
  LogicalResult quantizeLayer(OpBuilder &b, Operation *op);
  LogicalResult rescaleTo(OpBuilder &b, Operation *op, ValueRange operands,
                          Type elemType, SmallVectorImpl<Value> &out);
  Type actType(double clip);
  FailureOr<LayerWeights> quantizeWeights(Operation *op,
                                          const std::vector<float> &w,
                                          int64_t out);
  void reportLayer(Operation *op, const std::vector<float> &w, int64_t out,
                   const LayerWeights &lw);
  LogicalResult writeReports(func::FuncOp func);

  ClipMethod wClip = ClipMethod::None, aClip = ClipMethod::None;
  bool perChannel = true;
  llvm::DenseMap<Value, double> actClipOf; // per value that owns a scale
  IRMapping mapping;                      // float value -> integer value
  /// Results of float islands -> their float values in the new function
  /// (read by islands and returns without a quantize/dequantize pair).
  llvm::DenseMap<Value, Value> floatOf;
  std::vector<LayerReport> layers;
};

LogicalResult CGNetQuantizePass::checkOptions() {
  func::FuncOp func = getOperation();
  if (weightBits < 2 || weightBits > 8)
    return func.emitError() << "--cgnet-quantize: weight-bits must be in "
                               "[2, 8], got "
                            << static_cast<unsigned>(weightBits);
  if (actBits < 2 || actBits > 8)
    return func.emitError() << "--cgnet-quantize: act-bits must be in [2, 8], "
                               "got "
                            << static_cast<unsigned>(actBits);
  auto w = parseClipMethod(weightClip.getValue()), a = parseClipMethod(actClip.getValue());
  if (!w)
    return func.emitError() << "--cgnet-quantize: unknown weight-clip '"
                            << weightClip << "' (expected none, mse, aciq or kl)";
  if (!a)
    return func.emitError() << "--cgnet-quantize: unknown act-clip '"
                            << actClip << "' (expected none, mse, aciq or kl)";
  wClip = *w;
  aClip = *a;
  if (granularity != "per-tensor" && granularity != "per-channel")
    return func.emitError() << "--cgnet-quantize: granularity must be "
                               "per-tensor or per-channel, got '"
                            << granularity << "'";
  perChannel = granularity == "per-channel";
  if (!(weightClipRatio > 0) || !(actClipRatio > 0))
    return func.emitError("--cgnet-quantize: clip ratios must be positive");
  bool haveRange = actRange != 0.0;
  if (haveRange && !(actRange > 0))
    return func.emitError() << "--cgnet-quantize: act-range must be positive, "
                               "got "
                            << actRange.getValue();
  if (randomCalibration < 0)
    return func.emitError() << "--cgnet-quantize: random-calibration must be "
                               "a sample count, got "
                            << randomCalibration.getValue();
  int sources = int(haveRange) + int(!calibration.empty()) +
                int(randomCalibration > 0);
  if (sources != 1)
    return func.emitError("--cgnet-quantize needs exactly one of "
                          "calibration=<.npy files>, random-calibration=<n> "
                          "and act-range=<clip value>");
  return success();
}

LogicalResult CGNetQuantizePass::checkFunction(func::FuncOp func) {
  for (Type t : func.getArgumentTypes())
    if (!isFloatType(t))
      return func.emitError() << "--cgnet-quantize expects f32 inputs, got "
                              << t;
  for (Type t : func.getResultTypes())
    if (!isFloatType(t))
      return func.emitError() << "--cgnet-quantize expects f32 results, got "
                              << t;
  WalkResult walk = func.walk([&](Operation *op) -> WalkResult {
    if (op == func)
      return WalkResult::advance();
    if (isa<BatchNormOp>(op) && !isFloatIsland(op))
      return op->emitError("batch norm must be folded before quantization "
                           "(run --cgnet-fold-batchnorm first)");
    if (isFloatIsland(op))
      return WalkResult::advance();
    if (isa<QuantizeOp, DequantizeOp, RequantizeOp, PrecisionGatedConv2DOp,
            mlir::quant::StorageCastOp>(op))
      return op->emitError("the function is already quantized: "
                           "--cgnet-quantize takes a float model");
    if (isa<arith::ConstantOp>(op)) {
      for (OpOperand &use : op->getResult(0).getUses()) {
        Operation *user = use.getOwner();
        unsigned n = use.getOperandNumber();
        // Weights, biases and thresholds: operands 1.. of layers. Batch
        // norm statistics get their own error.
        if ((isLayer(user) && n >= 1) || isa<BatchNormOp>(user))
          continue;
        return user->emitError()
               << "operand #" << n << " is a constant; --cgnet-quantize "
               << "supports constants only as weights, biases and thresholds";
      }
      return WalkResult::advance();
    }
    if (isa<func::ReturnOp>(op))
      return WalkResult::advance();
    if (op->getDialect() != op->getContext()->getLoadedDialect<CGNetDialect>())
      return op->emitError() << "'" << op->getName()
                             << "' is not supported by --cgnet-quantize";
    // The ops the rewrite knows: layers, ops with a result scale of their
    // own, and ops that keep their input's scale.
    if (!isLayer(op) &&
        !isa<AddOp, ConcatOp, ReluOp, LeakyReluOp, ClampOp, MaxPool2DOp,
             AvgPool2DOp, GlobalAvgPoolOp, ReshapeOp, TransposeOp,
             ChannelShuffleOp, ChannelPermuteOp, ChannelDuplicateOp,
             UpsampleNearestOp, InsertZerosOp>(op))
      return op->emitError() << "'" << op->getName()
                             << "' has no integer form yet; --cgnet-quantize "
                                "cannot quantize it";
    for (Value v : op->getOperands())
      if (!isFloatType(v.getType()))
        return op->emitError() << "operand of type " << v.getType()
                               << " is not f32: the function is already "
                                  "(partly) integer";
    if (isLayer(op)) {
      for (unsigned i = 1; i < op->getNumOperands(); ++i)
        if (!isF32Constant(op->getOperand(i)))
          return op->emitError()
                 << "operand #" << i
                 << " (weight, threshold or bias) must be an f32 constant";
    }
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

LogicalResult CGNetQuantizePass::calibrate(func::FuncOp func) {
  SmallVector<Value> owners;
  for (Value arg : func.getArguments())
    owners.push_back(arg);
  func.walk([&](Operation *op) {
    for (Value r : op->getResults())
      if (isa<CGNetDialect>(op->getDialect()) && ownsScale(r))
        owners.push_back(r);
  });
  if (actRange != 0.0) {
    for (Value v : owners)
      actClipOf[v] = actRange;
    return success();
  }
  auto samples = randomCalibration > 0
                     ? makeRandomSamples(func, randomCalibration, 1)
                     : loadCalibrationSamples(func, calibration);
  if (failed(samples))
    return failure();
  if (samples->empty())
    return func.emitError("--cgnet-quantize: the calibration files hold no "
                          "samples");
  llvm::DenseSet<Value> wanted(owners.begin(), owners.end());
  // Keep every observed value for the histogram searches; max |x| only
  // for `none`.
  llvm::DenseMap<Value, std::vector<float>> seen;
  llvm::DenseMap<Value, double> maxAbs;
  auto observe = [&](Value v, const ref::Tensor &t) {
    if (!wanted.contains(v) || !t.isFloat)
      return;
    double &m = maxAbs[v];
    for (float x : t.f)
      m = std::max(m, std::fabs(double(x)));
    if (aClip != ClipMethod::None) {
      std::vector<float> &all = seen[v];
      all.insert(all.end(), t.f.begin(), t.f.end());
    }
  };
  if (failed(runCalibration(func, *samples, observe)))
    return failure();
  for (Value v : owners)
    actClipOf[v] = aClip == ClipMethod::None
                     ? actClipRatio * maxAbs[v]
                     : findClip(seen[v], actBits, aClip);
  return success();
}

Type CGNetQuantizePass::actType(double clip) {
  MLIRContext *ctx = &getContext();
  int64_t hi = symmetricMax(actBits);
  return mlir::quant::UniformQuantizedType::get(
      mlir::quant::QuantizationFlags::Signed, IntegerType::get(ctx, 8),
      Float32Type::get(ctx), symmetricStep(clip, actBits), 0, -hi - 1, hi);
}

/// The scale of an integer activation value.
static double scaleOf(Value v) { return getElementInfo(v.getType())->scale(); }

static RankedTensorType withElementType(Value v, Type elem) {
  return RankedTensorType::get(cast<ShapedType>(v.getType()).getShape(), elem);
}

FailureOr<LayerWeights>
CGNetQuantizePass::quantizeWeights(Operation *op, const std::vector<float> &w,
                                   int64_t out) {
  LayerWeights lw;
  if (auto recorded = op->getAttrOfType<DenseF64ArrayAttr>("cgnet.weight_clip")) {
    // Clip values chosen by a grid-aware --cgnet-ocs: using them keeps its
    // split exact.
    auto bits = op->getAttrOfType<IntegerAttr>("cgnet.weight_clip_bits");
    if (!bits || bits.getInt() != static_cast<int64_t>(weightBits))
      return op->emitError()
             << "--cgnet-ocs prepared this layer for "
             << (bits ? bits.getInt() : 0) << "-bit weights, but "
             << "--cgnet-quantize has weight-bits=" << static_cast<unsigned>(weightBits);
    size_t expected = perChannel ? static_cast<size_t>(out) : 1;
    if (recorded.size() != static_cast<int64_t>(expected))
      return op->emitError()
             << "--cgnet-ocs recorded " << recorded.size()
             << " weight clip value(s) but granularity=" << granularity
             << " needs " << expected
             << " (use the same granularity for both passes)";
    lw.clip.assign(recorded.asArrayRef().begin(), recorded.asArrayRef().end());
  } else {
    lw.clip = weightClips(w, out, weightBits, perChannel, wClip,
                          weightClipRatio);
  }
  for (double c : lw.clip)
    lw.step.push_back(symmetricStep(c, weightBits));
  size_t row = w.size() / static_cast<size_t>(out);
  lw.q.resize(w.size());
  for (size_t e = 0; e < w.size(); ++e)
    lw.q[e] = static_cast<int8_t>(quantizeSymmetric(
        w[e], lw.step[perChannel ? e / row : 0], weightBits));
  return lw;
}

void CGNetQuantizePass::reportLayer(Operation *op, const std::vector<float> &w,
                                    int64_t out, const LayerWeights &lw) {
  LayerReport r;
  r.name = layerName(op);
  r.kind = op->getName().stripDialect().str();
  r.bits = weightBits;
  r.clipMethod = op->hasAttr("cgnet.weight_clip")
                     ? std::string("ocs:") + clipMethodName(wClip)
                     : clipMethodName(wClip);
  r.clip = lw.clip;
  auto wType = cast<ShapedType>(op->getOperand(1).getType());
  int64_t in = wType.getDimSize(1);
  int64_t taps = wType.getNumElements() / (out * in);
  std::vector<int64_t> copied;
  if (auto attr = op->getAttrOfType<DenseI64ArrayAttr>("cgnet.ocs_copy"))
    copied.assign(attr.asArrayRef().begin(), attr.asArrayRef().end());
  r.splitChannels = static_cast<int64_t>(copied.size());
  r.inChannels = in - r.splitChannels;
  // Activation splitting duplicates weight columns unchanged: the original
  // weight is the first columns.
  int64_t actSplit = 0;
  if (auto attr = op->getAttrOfType<DenseI64ArrayAttr>("cgnet.ocs_act_copy"))
    actSplit = attr.size();
  WeightShape orig{out, r.inChannels, taps};
  size_t row = w.size() / static_cast<size_t>(out);
  // The original weight (split channels summed back) and its
  // approximation by the quantized split weight.
  std::vector<double> wd(w.begin(), w.end()), deq(w.size());
  for (size_t e = 0; e < w.size(); ++e)
    deq[e] = lw.q[e] * lw.step[perChannel ? e / row : 0];
  std::vector<double> w0, approx;
  if (actSplit) {
    r.splitChannels = actSplit;
    r.inChannels = in - actSplit;
    for (size_t e = 0; e < w.size(); ++e)
      if (static_cast<int64_t>((e / taps) % in) < in - actSplit) {
        w0.push_back(wd[e]);
        approx.push_back(deq[e]);
      }
  } else {
    w0 = mergeSplits(wd, orig, copied);
    approx = mergeSplits(deq, orig, copied);
  }
  r.after = compareSignals(w0, approx);
  // Quantizing the original weight directly, with the same method.
  std::vector<float> w0f(w0.begin(), w0.end());
  std::vector<double> clip0 =
      weightClips(w0f, out, weightBits, perChannel, wClip, weightClipRatio);
  std::vector<double> direct(w0.size());
  size_t row0 = w0.size() / static_cast<size_t>(out);
  for (size_t e = 0; e < w0.size(); ++e) {
    double step = symmetricStep(clip0[perChannel ? e / row0 : 0], weightBits);
    direct[e] = quantizeSymmetric(w0[e], step, weightBits) * step;
  }
  r.before = compareSignals(w0, direct);
  r.inputClip = actClipOf.lookup(op->getOperand(0));
  r.outputClip = actClipOf.lookup(op->getResult(0));
  layers.push_back(std::move(r));
}

LogicalResult CGNetQuantizePass::quantizeLayer(OpBuilder &b, Operation *op) {
  MLIRContext *ctx = &getContext();
  Value input = op->getOperand(0), weight = op->getOperand(1);
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t out = wType.getDimSize(0);
  std::vector<float> w = *getConstantF32(weight);
  auto lwOr = quantizeWeights(op, w, out);
  if (failed(lwOr))
    return failure();
  LayerWeights &lw = *lwOr;
  Location loc = op->getLoc();
  Value x = mapping.lookup(input);
  double sx = scaleOf(x);
  auto stepOf = [&](int64_t o) { return lw.step[perChannel ? o : 0]; };
  // A bias too large for i32 at the accumulator's scale s_x * s_w (weights
  // of almost nothing, a bias of something): the weight step widens until
  // it fits in 2^30, and those weights are quantized again.
  unsigned biasAt = isa<ChannelGatedConv2DOp>(op) ? 3 : 2;
  if (op->getNumOperands() > biasAt) {
    std::vector<float> bias = *getConstantF32(op->getOperand(biasAt));
    size_t row = w.size() / static_cast<size_t>(out);
    for (int64_t o = 0; o < out; ++o) {
      double need = std::fabs(double(bias[o])) / (sx * double(1 << 30));
      double &step = lw.step[perChannel ? o : 0];
      if (!(need > step))
        continue;
      step = need;
      for (size_t e = 0; e < w.size(); ++e)
        if (!perChannel || e / row == static_cast<size_t>(o))
          lw.q[e] = static_cast<int8_t>(quantizeSymmetric(w[e], step, weightBits));
    }
  }
  reportLayer(op, w, out, lw);

  // Weight: i8 storage seen as !quant.uniform through quant.scast.
  auto i8 = IntegerType::get(ctx, 8);
  int64_t hi = symmetricMax(weightBits);
  Type wElem;
  if (perChannel)
    wElem = mlir::quant::UniformQuantizedPerAxisType::get(
        mlir::quant::QuantizationFlags::Signed, i8, Float32Type::get(ctx), lw.step,
        SmallVector<int64_t>(out, 0), 0, -hi - 1, hi);
  else
    wElem = mlir::quant::UniformQuantizedType::get(mlir::quant::QuantizationFlags::Signed,
                                             i8, Float32Type::get(ctx),
                                             lw.step[0], 0, -hi - 1, hi);
  auto storage = arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(RankedTensorType::get(wType.getShape(), i8),
                             ArrayRef<int8_t>(lw.q)));
  Value qWeight = mlir::quant::StorageCastOp::create(
      b, loc, RankedTensorType::get(wType.getShape(), wElem), storage);
  mapping.map(weight, qWeight);

  // An i32 vector constant from per-channel values, or an error naming the
  // channel that does not fit.
  auto i32 = IntegerType::get(ctx, 32);
  auto intVector = [&](StringRef what, const std::vector<float> &vals,
                       auto convert) -> FailureOr<Value> {
    std::vector<int32_t> ints;
    for (int64_t o = 0; o < out; ++o) {
      std::optional<int64_t> v = convert(o, double(vals[o]));
      if (!v)
        return op->emitError()
               << "the quantized " << what << " of output channel " << o
               << " (" << vals[o] << ") does not fit in i32";
      ints.push_back(static_cast<int32_t>(*v));
    }
    return arith::ConstantOp::create(
               b, loc,
               DenseElementsAttr::get(RankedTensorType::get({out}, i32),
                                      ArrayRef<int32_t>(ints)))
        .getResult();
  };
  auto fitsI32 = [](double v) -> std::optional<int64_t> {
    if (!(v >= double(INT32_MIN) && v <= double(INT32_MAX)))
      return std::nullopt;
    return static_cast<int64_t>(v);
  };
  if (op->getNumOperands() > biasAt) {
    Value bias = op->getOperand(biasAt);
    auto q = intVector("bias", *getConstantF32(bias), [&](int64_t o, double v) {
      return fitsI32(std::round(v / (sx * stepOf(o))));
    });
    if (failed(q))
      return failure();
    mapping.map(bias, *q);
  }
  if (auto gated = dyn_cast<ChannelGatedConv2DOp>(op)) {
    // acc * s > tau  <=>  acc >= floor(tau / s) + 1; -inf: every gate on.
    auto q = intVector("threshold", *getConstantF32(gated.getThreshold()),
                       [&](int64_t o, double tau) -> std::optional<int64_t> {
                         return integerThreshold(tau, sx * stepOf(o));
                       });
    if (failed(q))
      return failure();
    mapping.map(gated.getThreshold(), *q);
  }

  Operation *acc = b.clone(*op, mapping);
  acc->removeAttr("cgnet.weight_clip");
  acc->removeAttr("cgnet.weight_clip_bits");
  Value result = op->getResult(0);
  acc->getResult(0).setType(withElementType(result, i32));

  // Requantize the accumulator (scale s_x * s_w[o]) to the result's scale.
  Type yElem = actType(actClipOf.lookup(result));
  double sy = getElementInfo(yElem)->scale();
  SmallVector<int32_t> mult, shift;
  for (size_t k = 0; k < lw.step.size(); ++k) {
    auto fp = toFixedPoint(sx * lw.step[k] / sy);
    if (!fp)
      return op->emitError() << "requantization ratio "
                             << sx * lw.step[k] / sy
                             << " cannot be expressed as a multiplier and "
                                "shift";
    mult.push_back(fp->multiplier);
    shift.push_back(fp->shift);
  }
  Value y = RequantizeOp::create(b, loc, withElementType(result, yElem),
                                 acc->getResult(0), mult, shift, /*axis=*/1);
  mapping.map(result, y);
  return success();
}

/// Requantizes `operands` (integer values) to `elemType` where their scale
/// differs.
LogicalResult CGNetQuantizePass::rescaleTo(OpBuilder &b, Operation *op,
                                           ValueRange operands, Type elemType,
                                           SmallVectorImpl<Value> &out) {
  double target = getElementInfo(elemType)->scale();
  for (Value v : operands) {
    Value nv = mapping.lookup(v);
    double s = scaleOf(nv);
    if (s == target) {
      out.push_back(nv);
      continue;
    }
    auto fp = toFixedPoint(s / target);
    if (!fp)
      return op->emitError() << "rescaling ratio " << s / target
                             << " cannot be expressed as a multiplier and "
                                "shift";
    out.push_back(RequantizeOp::create(b, op->getLoc(),
                                       withElementType(v, elemType), nv,
                                       ArrayRef<int32_t>{fp->multiplier},
                                       ArrayRef<int32_t>{fp->shift}));
  }
  return success();
}

LogicalResult CGNetQuantizePass::rewrite(func::FuncOp func) {
  Block &body = func.getBody().front();
  OpBuilder b(&getContext());
  b.setInsertionPointToStart(&body);
  for (BlockArgument arg : body.getArguments()) {
    Type elem = actType(actClipOf.lookup(arg));
    mapping.map(arg, QuantizeOp::create(b, arg.getLoc(),
                                        withElementType(arg, elem), arg)
                         .getResult());
  }
  SmallVector<Operation *> old;
  for (Operation &opRef : llvm::make_early_inc_range(body)) {
    Operation *op = &opRef;
    if (isa<QuantizeOp>(op))
      continue; // created above
    b.setInsertionPoint(op);
    if (isa<arith::ConstantOp>(op))
      continue;
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      for (OpOperand &operand : ret->getOpOperands()) {
        Value v = operand.get();
        if (Value f = floatOf.lookup(v))
          operand.set(f);
        else
          operand.set(DequantizeOp::create(b, ret.getLoc(), v.getType(),
                                           mapping.lookup(v)));
      }
      continue;
    }
    old.push_back(op);
    if (isFloatIsland(op)) {
      // Float in (dequantized, or an island's float result), float out, and
      // quantized to its calibrated scale for integer readers.
      SmallVector<Value> operands;
      for (Value v : op->getOperands()) {
        if (v.getDefiningOp<arith::ConstantOp>())
          operands.push_back(v);
        else if (Value f = floatOf.lookup(v))
          operands.push_back(f);
        else
          operands.push_back(DequantizeOp::create(b, op->getLoc(), v.getType(),
                                                  mapping.lookup(v)));
      }
      Operation *nop = b.clone(*op);
      nop->setOperands(operands);
      Value result = op->getResult(0);
      floatOf[result] = nop->getResult(0);
      Type elem = actType(actClipOf.lookup(result));
      mapping.map(result, QuantizeOp::create(b, op->getLoc(),
                                             withElementType(result, elem),
                                             nop->getResult(0))
                              .getResult());
      continue;
    }
    if (isLayer(op)) {
      if (failed(quantizeLayer(b, op)))
        return failure();
      continue;
    }
    if (isa<AddOp, ConcatOp>(op)) {
      Value result = op->getResult(0);
      Type elem = actType(actClipOf.lookup(result));
      SmallVector<Value> operands;
      if (failed(rescaleTo(b, op, op->getOperands(), elem, operands)))
        return failure();
      Operation *nop = b.clone(*op);
      nop->setOperands(operands);
      nop->getResult(0).setType(withElementType(result, elem));
      mapping.map(result, nop->getResult(0));
      continue;
    }
    // Per-element and data-movement ops keep their input's scale.
    Operation *nop = b.clone(*op, mapping);
    Type elem = cast<ShapedType>(nop->getOperand(0).getType()).getElementType();
    nop->getResult(0).setType(withElementType(op->getResult(0), elem));
    if (auto clamp = dyn_cast<ClampOp>(nop)) {
      double s = scaleOf(clamp.getInput());
      int64_t hi = symmetricMax(actBits), lo = -hi - 1;
      auto toInt = [&](float v) {
        double q = std::round(double(v) / s);
        return static_cast<int64_t>(std::clamp(q, double(lo), double(hi)));
      };
      if (auto mn = clamp.getMinFp())
        clamp.setMinIntAttr(b.getI64IntegerAttr(toInt(mn->convertToFloat())));
      if (auto mx = clamp.getMaxFp())
        clamp.setMaxIntAttr(b.getI64IntegerAttr(toInt(mx->convertToFloat())));
      clamp.removeMinFpAttr();
      clamp.removeMaxFpAttr();
    }
    if (failed(mlir::verify(nop)))
      return failure();
  }
  for (Operation *op : llvm::reverse(old))
    op->erase();
  // Constants the layers no longer read, and the quantizes of island
  // results only islands read.
  SmallVector<Operation *> deadConstants;
  for (Operation &op : body)
    if (isa<arith::ConstantOp, QuantizeOp>(op) && op.use_empty())
      deadConstants.push_back(&op);
  for (Operation *op : deadConstants)
    op->erase();
  return success();
}

static std::string formatClip(const std::vector<double> &clip) {
  if (clip.size() == 1)
    return llvm::formatv("{0:g}", clip[0]).str();
  double lo = *std::min_element(clip.begin(), clip.end());
  double hi = *std::max_element(clip.begin(), clip.end());
  return llvm::formatv("{0:g}..{1:g}", lo, hi).str();
}

/// A JSON number, with infinities (exact quantization) as null.
static llvm::json::Value jsonNumber(double v) {
  if (!std::isfinite(v))
    return nullptr;
  return v;
}

LogicalResult CGNetQuantizePass::writeReports(func::FuncOp func) {
  std::string jsonPath = report.empty() ? quantReportPathOption() : report;
  std::string tablePath =
      reportTable.empty() ? quantReportTableOption() : reportTable;
  if (!jsonPath.empty())
    jsonPath = reportPathFor(func, jsonPath);
  if (!tablePath.empty())
    tablePath = reportPathFor(func, tablePath);
  if (!jsonPath.empty()) {
    llvm::json::Array arr;
    for (const LayerReport &r : layers) {
      llvm::json::Array clips;
      for (double c : r.clip)
        clips.push_back(c);
      arr.push_back(llvm::json::Object{
          {"layer", r.name},
          {"op", r.kind},
          {"weight_bits", static_cast<int64_t>(r.bits)},
          {"act_bits", static_cast<int64_t>(actBits)},
          {"granularity", granularity},
          {"clip_method", r.clipMethod},
          {"clip", std::move(clips)},
          {"input_act_clip", r.inputClip},
          {"output_act_clip", r.outputClip},
          {"in_channels", r.inChannels},
          {"channels_split", r.splitChannels},
          {"size_overhead",
           r.inChannels ? double(r.splitChannels) / double(r.inChannels) : 0.0},
          {"weight_mse_before_ocs", r.before.mse},
          {"weight_sqnr_db_before_ocs", jsonNumber(r.before.sqnr)},
          {"weight_mse_after_ocs", r.after.mse},
          {"weight_sqnr_db_after_ocs", jsonNumber(r.after.sqnr)},
      });
    }
    llvm::json::Object doc{{"function", func.getSymName().str()},
                           {"layers", std::move(arr)}};
    std::string text =
        llvm::formatv("{0:2}\n", llvm::json::Value(std::move(doc))).str();
    if (failed(writeTextFile(func, jsonPath, text, "quantization report")))
      return failure();
  }
  if (!tablePath.empty()) {
    std::string text;
    llvm::raw_string_ostream os(text);
    size_t width = 5;
    for (const LayerReport &r : layers)
      width = std::max(width, r.name.size());
    auto pad = [&](StringRef name) {
      return (name + std::string(width - name.size(), ' ')).str();
    };
    os << pad("layer")
       << llvm::formatv(" {0,4} {1,-8} {2,-17} {3,5} {4,12} {5,9} {6,12} "
                        "{7,9} {8,8}\n",
                        "bits", "clip", "clip value", "split", "mse before",
                        "sqnr dB", "mse after", "sqnr dB", "overhead");
    for (const LayerReport &r : layers)
      os << pad(r.name)
         << llvm::formatv(" {0,4} {1,-8} {2,-17} {3,5} {4,12:e3} {5,9:f2} "
                          "{6,12:e3} {7,9:f2} {8,7:f2}%\n",
                          r.bits, r.clipMethod, formatClip(r.clip),
                          r.splitChannels, r.before.mse, r.before.sqnr,
                          r.after.mse, r.after.sqnr,
                          r.inChannels ? 100.0 * r.splitChannels / r.inChannels
                                       : 0.0);
    if (failed(writeTextFile(func, tablePath, text, "quantization table")))
      return failure();
  }
  return success();
}

void CGNetQuantizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  // The same pass instance may run on several functions in turn.
  actClipOf.clear();
  mapping.clear();
  floatOf.clear();
  layers.clear();
  if (!func.getBody().hasOneBlock()) {
    func.emitError("--cgnet-quantize expects a single-block function");
    return signalPassFailure();
  }
  if (failed(checkOptions()) || failed(checkFunction(func)) ||
      failed(calibrate(func)) || failed(rewrite(func)) ||
      failed(writeReports(func)))
    return signalPassFailure();
}

} // namespace
