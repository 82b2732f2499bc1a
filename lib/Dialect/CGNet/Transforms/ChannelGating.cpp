//===- ChannelGating.cpp - convolutions to channel-gated convolutions -----===//
//
// CGNet's channel gating as a rewrite: a dense convolution becomes a
// channel-gated one with the same weights, a base path of 1/p of the input
// channels and a per-output-channel threshold (trained, calibrated to a
// gate-off rate, or constant). Works on float models and on integer models
// after --cgnet-quantize.
//
//===----------------------------------------------------------------------===//

#include "TransformUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"
#include "cgnet/Quant/Clip.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>
#include <cmath>
#include <limits>

namespace cgnet {
#define GEN_PASS_DEF_CGNETCHANNELGATING
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

enum class Source { File, Calibrate, Constant };

/// The accumulator scale `s_x * s_w[o]` of an integer convolution.
static double accumulatorScale(Value input, Value weight, int64_t o) {
  return getElementInfo(input.getType())->scale() *
         getElementInfo(weight.getType())->scale(o);
}

/// An f32 or i32 threshold vector constant.
static Value thresholdConstant(OpBuilder &b, Location loc, bool isFloat,
                               ArrayRef<double> tau, ArrayRef<int32_t> ints) {
  if (isFloat) {
    std::vector<float> f(tau.begin(), tau.end());
    return createF32Constant(
        b, loc,
        RankedTensorType::get({static_cast<int64_t>(f.size())}, b.getF32Type()),
        f);
  }
  return arith::ConstantOp::create(
      b, loc,
      DenseElementsAttr::get(
          RankedTensorType::get({static_cast<int64_t>(ints.size())},
                                b.getI32Type()),
          ints));
}

struct CGNetChannelGatingPass
    : public cgnet::impl::CGNetChannelGatingBase<CGNetChannelGatingPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult checkOptions(Source &source);
  SmallVector<Conv2DOp> select(func::FuncOp func, bool &failedAny);
  ChannelGatedConv2DOp gate(Conv2DOp conv, ArrayRef<double> tau);
  void setThresholds(ChannelGatedConv2DOp op, ArrayRef<double> tau,
                     ArrayRef<int32_t> ints);
  FailureOr<std::vector<double>> fileThresholds(Operation *op,
                                                const llvm::json::Object &doc,
                                                int64_t out);
  LogicalResult calibrate(func::FuncOp func,
                          SmallVectorImpl<ChannelGatedConv2DOp> &gated);

  double constantTau = 0;
};

LogicalResult CGNetChannelGatingPass::checkOptions(Source &source) {
  func::FuncOp func = getOperation();
  if (partitions < 1)
    return func.emitError() << "--cgnet-channel-gating: partitions must be "
                               ">= 1, got "
                            << partitions.getValue();
  bool calibrated = targetOffRate >= 0.0;
  int sources = int(!thresholds.empty()) + int(calibrated) +
                int(!threshold.empty());
  if (sources != 1)
    return func.emitError("--cgnet-channel-gating needs exactly one of "
                          "thresholds=<json>, target-off-rate=<r> and "
                          "threshold=<value>");
  if (calibrated) {
    if (targetOffRate > 1.0)
      return func.emitError() << "--cgnet-channel-gating: target-off-rate "
                                 "must be in [0, 1], got "
                              << targetOffRate.getValue();
    if (calibration.empty() == (randomCalibration <= 0))
      return func.emitError("--cgnet-channel-gating: target-off-rate needs "
                            "exactly one of calibration=<.npy files> and "
                            "random-calibration=<n>");
    source = Source::Calibrate;
  } else if (!thresholds.empty()) {
    source = Source::File;
  } else {
    source = Source::Constant;
    StringRef t = threshold;
    if (t == "-inf" || t == "inf" || t == "+inf") {
      constantTau = t == "-inf" ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity();
    } else if (t.getAsDouble(constantTau)) {
      return func.emitError() << "--cgnet-channel-gating: threshold must be a "
                                 "number or -inf, got '"
                              << t << "'";
    }
  }
  return success();
}

SmallVector<Conv2DOp> CGNetChannelGatingPass::select(func::FuncOp func,
                                                     bool &failedAny) {
  SmallVector<Conv2DOp> convs;
  func.walk([&](Conv2DOp conv) { convs.push_back(conv); });
  SmallVector<Conv2DOp> selected;
  llvm::StringSet<> foundNames;
  bool explicitSelection = !layers.empty() || !names.empty();
  for (auto [index, conv] : llvm::enumerate(convs)) {
    std::string name = layerName(conv);
    bool byIndex = llvm::is_contained(layers, static_cast<int64_t>(index));
    bool byName = llvm::is_contained(names, name);
    if (byName)
      foundNames.insert(name);
    if (explicitSelection && !byIndex && !byName)
      continue;
    int64_t c = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
    int64_t o = cast<ShapedType>(conv.getWeight().getType()).getDimSize(0);
    if (!explicitSelection && skipInChannels > 0 && c == skipInChannels)
      continue;
    std::string why;
    if (conv.getGroups() != 1)
      why = "it is a grouped convolution";
    else if (c % partitions != 0)
      why = "its " + std::to_string(c) + " input channels are not divisible "
            "by partitions=" + std::to_string(partitions);
    else if (grouped && o % partitions != 0)
      why = "its " + std::to_string(o) + " output channels are not divisible "
            "by partitions=" + std::to_string(partitions) + " (grouped)";
    if (!why.empty()) {
      if (explicitSelection) {
        conv.emitError() << "cannot gate this convolution: " << why;
        failedAny = true;
      } else {
        conv.emitWarning() << "not gated: " << why;
      }
      continue;
    }
    selected.push_back(conv);
  }
  for (int64_t l : layers)
    if (l < 0 || l >= static_cast<int64_t>(convs.size())) {
      func.emitError() << "--cgnet-channel-gating: layers index " << l
                       << " is out of range (the function has "
                       << convs.size() << " cgnet.conv2d ops)";
      failedAny = true;
    }
  for (const std::string &n : names)
    if (!foundNames.contains(n)) {
      func.emitError() << "--cgnet-channel-gating: no cgnet.conv2d named '"
                       << n << "'";
      failedAny = true;
    }
  return selected;
}

void CGNetChannelGatingPass::setThresholds(ChannelGatedConv2DOp op,
                                           ArrayRef<double> tau,
                                           ArrayRef<int32_t> ints) {
  OpBuilder b(op);
  bool isFloat = isFloatType(op.getWeight().getType());
  Value old = op.getThreshold();
  op.getThresholdMutable().assign(
      thresholdConstant(b, op.getLoc(), isFloat, tau, ints));
  if (Operation *def = old.getDefiningOp(); def && def->use_empty())
    def->erase();
}

ChannelGatedConv2DOp CGNetChannelGatingPass::gate(Conv2DOp conv,
                                                  ArrayRef<double> tau) {
  OpBuilder b(conv);
  bool isFloat = isFloatType(conv.getWeight().getType());
  std::vector<int32_t> ints;
  if (!isFloat)
    for (auto [o, t] : llvm::enumerate(tau))
      ints.push_back(cgnet::quant::integerThreshold(
          t, accumulatorScale(conv.getInput(), conv.getWeight(), o)));
  Value thr = thresholdConstant(b, conv.getLoc(), isFloat, tau, ints);
  auto gated = ChannelGatedConv2DOp::create(
      b, conv.getLoc(), conv.getType(), conv.getInput(), conv.getWeight(), thr,
      conv.getBias(), conv.getStridesAttr(), conv.getPaddingAttr(),
      conv.getDilationsAttr(), b.getI64IntegerAttr(partitions),
      b.getBoolAttr(grouped));
  // Keep discardable attributes (OCS bookkeeping, clip values).
  for (NamedAttribute attr : conv->getDiscardableAttrs())
    gated->setAttr(attr.getName(), attr.getValue());
  conv.replaceAllUsesWith(gated.getOutput());
  conv.erase();
  return gated;
}

FailureOr<std::vector<double>>
CGNetChannelGatingPass::fileThresholds(Operation *op,
                                       const llvm::json::Object &doc,
                                       int64_t out) {
  std::string name = layerName(op);
  const llvm::json::Object *entry = doc.getObject(name);
  if (!entry)
    return op->emitError() << "the thresholds file has no entry for layer '"
                           << name << "'";
  auto vectorOf = [&](StringRef key,
                      std::vector<double> &v) -> FailureOr<bool> {
    const llvm::json::Value *val = entry->get(key);
    if (!val)
      return false;
    if (auto num = val->getAsNumber()) {
      v.assign(out, *num);
      return true;
    }
    const llvm::json::Array *arr = val->getAsArray();
    if (!arr || static_cast<int64_t>(arr->size()) != out) {
      op->emitError() << "thresholds file, layer '" << name << "': '" << key
                      << "' must be a number or an array of " << out
                      << " numbers";
      return failure();
    }
    for (const llvm::json::Value &e : *arr) {
      auto num = e.getAsNumber();
      if (!num) {
        op->emitError() << "thresholds file, layer '" << name << "': '" << key
                        << "' holds a non-number";
        return failure();
      }
      v.push_back(*num);
    }
    return true;
  };
  std::vector<double> delta, mean, var;
  auto hasDelta = vectorOf("delta", delta);
  auto hasMean = vectorOf("mean", mean);
  auto hasVar = vectorOf("var", var);
  if (failed(hasDelta) || failed(hasMean) || failed(hasVar))
    return failure();
  if (!*hasDelta)
    return op->emitError() << "thresholds file, layer '" << name
                           << "': 'delta' is missing";
  if (*hasMean != *hasVar)
    return op->emitError() << "thresholds file, layer '" << name
                           << "': give both 'mean' and 'var', or neither";
  double eps = entry->getNumber("eps").value_or(1e-5);
  if (!*hasMean)
    return delta;
  std::vector<double> tau(out);
  for (int64_t o = 0; o < out; ++o) {
    if (var[o] + eps < 0)
      return op->emitError() << "thresholds file, layer '" << name
                             << "': var + eps is negative for channel " << o;
    tau[o] = mean[o] + delta[o] * std::sqrt(var[o] + eps);
  }
  return tau;
}

/// For each layer in order (those before it already gated), the
/// threshold that gates off `targetOffRate` of each channel's outputs.
LogicalResult CGNetChannelGatingPass::calibrate(
    func::FuncOp func, SmallVectorImpl<ChannelGatedConv2DOp> &gated) {
  auto samples = randomCalibration > 0
                     ? makeRandomSamples(func, randomCalibration, 1)
                     : loadCalibrationSamples(func, calibration);
  if (failed(samples))
    return failure();
  double r = targetOffRate;
  for (ChannelGatedConv2DOp op : gated) {
    bool isFloat = isFloatType(op.getWeight().getType());
    int64_t out = cast<ShapedType>(op.getWeight().getType()).getDimSize(0);
    // Every gate off: the op's result is the partial sum.
    std::vector<double> allOff(out, std::numeric_limits<double>::infinity());
    setThresholds(op, allOff, std::vector<int32_t>(out, INT32_MAX));
    std::vector<std::vector<double>> partials(out);
    Value result = op.getOutput();
    auto observe = [&](Value v, const ref::Tensor &t) {
      if (v != result)
        return;
      int64_t plane = t.shape[2] * t.shape[3];
      for (int64_t e = 0; e < t.numElements(); ++e)
        partials[(e / plane) % out].push_back(t.isFloat ? double(t.f[e])
                                                        : double(t.i[e]));
    };
    if (failed(runCalibration(func, *samples, observe)))
      return failure();
    std::vector<double> tau(out);
    std::vector<int32_t> ints(out);
    for (int64_t o = 0; o < out; ++o) {
      std::vector<double> &v = partials[o];
      std::sort(v.begin(), v.end());
      double n = double(v.size());
      size_t k = static_cast<size_t>(std::ceil(r * n - 1e-9));
      if (k == 0 || v.empty()) {
        tau[o] = -std::numeric_limits<double>::infinity();
        ints[o] = INT32_MIN;
        continue;
      }
      // Gating off everything up to v[k-1] reaches at least the target;
      // with ties (ReLU zeros, small integer accumulators) stopping below
      // that value may come closer. Take whichever is nearer.
      double cut = v[k - 1];
      size_t below = std::lower_bound(v.begin(), v.end(), cut) - v.begin();
      size_t upTo = std::upper_bound(v.begin(), v.end(), cut) - v.begin();
      bool lower = r * n - double(below) < double(upTo) - r * n;
      if (lower) {
        // Off: the values below `cut`.
        tau[o] = below == 0 ? -std::numeric_limits<double>::infinity()
                            : v[below - 1];
        ints[o] = static_cast<int32_t>(std::max(cut, double(INT32_MIN)));
      } else {
        tau[o] = cut; // float gate: partial > tau
        ints[o] = cut >= double(INT32_MAX) ? INT32_MAX
                                           : static_cast<int32_t>(cut) + 1;
      }
    }
    if (isFloat)
      setThresholds(op, tau, {});
    else
      setThresholds(op, {}, ints);
  }
  return success();
}

void CGNetChannelGatingPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  Source source;
  if (failed(checkOptions(source)))
    return signalPassFailure();
  bool failedAny = false;
  SmallVector<Conv2DOp> convs = select(func, failedAny);
  if (failedAny)
    return signalPassFailure();

  std::optional<llvm::json::Value> doc;
  if (source == Source::File) {
    auto buf = llvm::MemoryBuffer::getFile(thresholds.getValue());
    if (!buf) {
      func.emitError() << "cannot read the thresholds file '"
                       << thresholds.getValue()
                       << "': " << buf.getError().message();
      return signalPassFailure();
    }
    auto parsed = llvm::json::parse((*buf)->getBuffer());
    if (!parsed) {
      func.emitError() << "thresholds file '" << thresholds.getValue()
                       << "' is not valid JSON: "
                       << llvm::toString(parsed.takeError());
      return signalPassFailure();
    }
    if (!parsed->getAsObject()) {
      func.emitError() << "thresholds file '" << thresholds.getValue()
                       << "' must hold an object keyed by layer name";
      return signalPassFailure();
    }
    doc = std::move(*parsed);
  }

  // Thresholds for the file and constant sources, checked before any
  // rewrite.
  std::vector<std::vector<double>> taus;
  for (Conv2DOp conv : convs) {
    int64_t out = cast<ShapedType>(conv.getWeight().getType()).getDimSize(0);
    if (source == Source::File) {
      auto tau = fileThresholds(conv, *doc->getAsObject(), out);
      if (failed(tau))
        return signalPassFailure();
      taus.push_back(std::move(*tau));
    } else {
      taus.push_back(std::vector<double>(out, constantTau));
    }
  }
  if (doc) {
    llvm::StringSet<> used;
    for (Conv2DOp conv : convs)
      used.insert(layerName(conv));
    for (const auto &kv : *doc->getAsObject())
      if (!used.contains(kv.first.str())) {
        func.emitError() << "the thresholds file names layer '"
                         << kv.first.str()
                         << "', which is not a selected cgnet.conv2d";
        return signalPassFailure();
      }
  }
  SmallVector<ChannelGatedConv2DOp> gated;
  for (auto [conv, tau] : llvm::zip(convs, taus))
    gated.push_back(gate(conv, tau));
  if (source == Source::Calibrate && failed(calibrate(func, gated)))
    return signalPassFailure();
}

} // namespace
