//===- GatingUtils.cpp - what the gating passes share ---------------------===//

#include "GatingUtils.h"
#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Quant/Clip.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir;

namespace cgnet {
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

class GatingDriver {
public:
  GatingDriver(func::FuncOp func, const GatingOptions &o) : func(func), o(o) {}
  LogicalResult run(EligibilityFn eligible, GateFn gate);

private:
  LogicalResult checkOptions();
  SmallVector<Conv2DOp> select(EligibilityFn eligible, bool &failedAny);
  void setThresholds(Operation *op, ArrayRef<double> tau,
                     ArrayRef<int32_t> ints);
  FailureOr<std::vector<double>> fileThresholds(Operation *op,
                                                const llvm::json::Object &doc,
                                                int64_t out);
  LogicalResult calibrate(ArrayRef<Operation *> gated);

  func::FuncOp func;
  const GatingOptions &o;
  Source source = Source::Constant;
  double constantTau = 0;
};

LogicalResult GatingDriver::checkOptions() {
  bool calibrated = o.targetOffRate >= 0.0;
  int sources = int(!o.thresholdsFile.empty()) + int(calibrated) +
                int(!o.threshold.empty());
  if (sources != 1)
    return func.emitError() << o.passName
                            << " needs exactly one of thresholds=<json>, "
                               "target-off-rate=<r> and threshold=<value>";
  if (calibrated) {
    if (o.targetOffRate > 1.0)
      return func.emitError() << o.passName
                              << ": target-off-rate must be in [0, 1], got "
                              << o.targetOffRate;
    if (o.calibration.empty() == (o.randomCalibration <= 0))
      return func.emitError()
             << o.passName
             << ": target-off-rate needs exactly one of calibration=<.npy "
                "files> and random-calibration=<n>";
    source = Source::Calibrate;
  } else if (!o.thresholdsFile.empty()) {
    source = Source::File;
  } else {
    source = Source::Constant;
    StringRef t = o.threshold;
    if (t == "-inf" || t == "inf" || t == "+inf") {
      constantTau = t == "-inf" ? -std::numeric_limits<double>::infinity()
                                : std::numeric_limits<double>::infinity();
    } else if (t.getAsDouble(constantTau)) {
      return func.emitError() << o.passName
                              << ": threshold must be a number or -inf, got '"
                              << t << "'";
    }
  }
  return success();
}

SmallVector<Conv2DOp> GatingDriver::select(EligibilityFn eligible,
                                           bool &failedAny) {
  SmallVector<Conv2DOp> convs;
  func.walk([&](Conv2DOp conv) { convs.push_back(conv); });
  SmallVector<Conv2DOp> selected;
  llvm::StringSet<> foundNames;
  bool explicitSelection = !o.layers.empty() || !o.names.empty();
  for (auto [index, conv] : llvm::enumerate(convs)) {
    std::string name = layerName(conv);
    bool byIndex = llvm::is_contained(o.layers, static_cast<int64_t>(index));
    bool byName = llvm::is_contained(o.names, name);
    if (byName)
      foundNames.insert(name);
    if (explicitSelection && !byIndex && !byName)
      continue;
    int64_t c = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
    if (!explicitSelection && o.skipInChannels > 0 && c == o.skipInChannels)
      continue;
    std::string why = conv.getGroups() != 1 ? "it is a grouped convolution"
                                            : eligible(conv);
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
  if (!checkLayerIndices(func, o.passName, o.layers, convs.size()))
    failedAny = true;
  for (const std::string &n : o.names)
    if (!foundNames.contains(n)) {
      func.emitError() << o.passName << ": no cgnet.conv2d named '" << n
                       << "'";
      failedAny = true;
    }
  return selected;
}

void GatingDriver::setThresholds(Operation *op, ArrayRef<double> tau,
                                 ArrayRef<int32_t> ints) {
  OpBuilder b(op);
  bool isFloat = isFloatType(op->getOperand(1).getType());
  setOperandDroppingDead(
      op, 2, thresholdConstant(b, op->getLoc(), isFloat, tau, ints));
}

FailureOr<std::vector<double>>
GatingDriver::fileThresholds(Operation *op, const llvm::json::Object &doc,
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
  for (int64_t c = 0; c < out; ++c) {
    if (var[c] + eps < 0)
      return op->emitError() << "thresholds file, layer '" << name
                             << "': var + eps is negative for channel " << c;
    tau[c] = mean[c] + delta[c] * std::sqrt(var[c] + eps);
  }
  return tau;
}

/// For each layer in order (those before it already gated), the
/// threshold that gates off `targetOffRate` of each channel's outputs.
LogicalResult GatingDriver::calibrate(ArrayRef<Operation *> gated) {
  auto samples = o.randomCalibration > 0
                     ? makeRandomSamples(func, o.randomCalibration, 1)
                     : loadCalibrationSamples(func, o.calibration);
  if (failed(samples))
    return failure();
  double r = o.targetOffRate;
  for (Operation *op : gated) {
    bool isFloat = isFloatType(op->getOperand(1).getType());
    int64_t out = cast<ShapedType>(op->getOperand(1).getType()).getDimSize(0);
    // Every gate off: the op's result is the partial sum.
    std::vector<double> allOff(out, std::numeric_limits<double>::infinity());
    setThresholds(op, allOff, std::vector<int32_t>(out, INT32_MAX));
    std::vector<std::vector<double>> partials(out);
    Value result = op->getResult(0);
    auto observe = [&](Value v, const ref::Tensor &t) {
      if (v != result)
        return;
      int64_t plane = t.shape[2] * t.shape[3];
      for (int64_t e = 0; e < t.numElements(); ++e)
        partials[(e / plane) % out].push_back(t.isFloat ? double(t.f[e])
                                                        : double(t.i[e]));
    };
    // Later layers do not change this one's partial sums: stop after it.
    if (failed(runCalibration(func, *samples, observe, op)))
      return failure();
    std::vector<double> tau(out);
    std::vector<int32_t> ints(out);
    for (int64_t c = 0; c < out; ++c) {
      std::vector<double> &v = partials[c];
      std::sort(v.begin(), v.end());
      double n = double(v.size());
      size_t k = static_cast<size_t>(std::ceil(r * n - 1e-9));
      if (k == 0 || v.empty()) {
        tau[c] = -std::numeric_limits<double>::infinity();
        ints[c] = INT32_MIN;
        continue;
      }
      // Gating off everything up to v[k-1] reaches at least the target;
      // with ties (ReLU zeros, small integer accumulators) stopping below
      // that value may come closer. Take whichever is nearer.
      double cut = v[k - 1];
      size_t below = std::lower_bound(v.begin(), v.end(), cut) - v.begin();
      size_t upTo = std::upper_bound(v.begin(), v.end(), cut) - v.begin();
      if (r * n - double(below) < double(upTo) - r * n) {
        // Off: the values below `cut`.
        tau[c] = below == 0 ? -std::numeric_limits<double>::infinity()
                            : v[below - 1];
        ints[c] = static_cast<int32_t>(std::max(cut, double(INT32_MIN)));
      } else {
        tau[c] = cut; // float gate: partial > tau
        ints[c] = cut >= double(INT32_MAX) ? INT32_MAX
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

LogicalResult GatingDriver::run(EligibilityFn eligible, GateFn gate) {
  if (failed(checkOptions()))
    return failure();
  bool failedAny = false;
  SmallVector<Conv2DOp> convs = select(eligible, failedAny);
  if (failedAny)
    return failure();

  std::optional<llvm::json::Value> doc;
  if (source == Source::File) {
    auto buf = llvm::MemoryBuffer::getFile(o.thresholdsFile);
    if (!buf)
      return func.emitError() << "cannot read the thresholds file '"
                              << o.thresholdsFile
                              << "': " << buf.getError().message();
    auto parsed = llvm::json::parse((*buf)->getBuffer());
    if (!parsed)
      return func.emitError() << "thresholds file '" << o.thresholdsFile
                              << "' is not valid JSON: "
                              << llvm::toString(parsed.takeError());
    if (!parsed->getAsObject())
      return func.emitError() << "thresholds file '" << o.thresholdsFile
                              << "' must hold an object keyed by layer name";
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
        return failure();
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
      if (!used.contains(kv.first.str()))
        return func.emitError()
               << "the thresholds file names layer '" << kv.first.str()
               << "', which is not a selected cgnet.conv2d";
  }

  SmallVector<Operation *> gated;
  for (auto [conv, tau] : llvm::zip(convs, taus)) {
    OpBuilder b(conv);
    bool isFloat = isFloatType(conv.getWeight().getType());
    std::vector<int32_t> ints;
    if (!isFloat)
      for (auto [c, t] : llvm::enumerate(tau))
        ints.push_back(quant::integerThreshold(
            t, accumulatorScale(conv.getInput(), conv.getWeight(), c)));
    Value thr = thresholdConstant(b, conv.getLoc(), isFloat, tau, ints);
    Operation *op = gate(conv, thr);
    // Keep discardable attributes (OCS bookkeeping, clip values); the
    // grouping request is now the op's own.
    for (NamedAttribute attr : conv->getDiscardableAttrs())
      if (attr.getName() != "cgnet.base_groups")
        op->setAttr(attr.getName(), attr.getValue());
    conv.replaceAllUsesWith(op->getResult(0));
    conv.erase();
    gated.push_back(op);
  }
  if (source == Source::Calibrate)
    return calibrate(gated);
  return success();
}

} // namespace

LogicalResult runGating(func::FuncOp func, const GatingOptions &options,
                        EligibilityFn eligible, GateFn gate) {
  GatingDriver driver(func, options);
  return driver.run(eligible, gate);
}

} // namespace cgnet
