//===- OCS.cpp - outlier channel splitting --------------------------------===//
//
// Weight OCS (the reference's ocs_wts, lib/Quant/ChannelSplit.cpp) splits
// the consumer's input channels and duplicates the producer's channels;
// activation OCS halves and duplicates the producer's output channels and
// duplicates the consumer's weight columns. Both rewrite the convolutions
// in place (new weight constants, wider result types), so the network
// computes the same function with more channels.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"
#include "cgnet/Quant/ChannelSplit.h"
#include "cgnet/Quant/Clip.h"

#include "llvm/Support/raw_ostream.h"
#include <cmath>

namespace cgnet {
#define GEN_PASS_DEF_CGNETOCS
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;
using namespace cgnet::quant;

namespace {

/// A copy of `type` with `channels` in dimension 1.
static RankedTensorType withChannels(Type type, int64_t channels) {
  auto t = cast<RankedTensorType>(type);
  SmallVector<int64_t> shape(t.getShape());
  shape[1] = channels;
  return RankedTensorType::get(shape, t.getElementType());
}

struct CGNetOCSPass : public cgnet::impl::CGNetOCSBase<CGNetOCSPass> {
  using Base::Base;
  void runOnOperation() override;

private:
  LogicalResult checkOptions();
  SmallVector<Conv2DOp> selectLayers(func::FuncOp func, bool &failedAny);
  LogicalResult splitWeightsOf(Conv2DOp conv);
  LogicalResult splitActivationsOf(Conv2DOp conv,
                                   const std::vector<double> &magnitudes);
  void duplicateProducerRows(Conv2DOp producer, ArrayRef<int64_t> from,
                             bool halve);
  void widenChain(ArrayRef<Operation *> chain, int64_t channels);

  ClipMethod clipMethod = ClipMethod::None;
};

LogicalResult CGNetOCSPass::checkOptions() {
  func::FuncOp func = getOperation();
  if (mode != "weights" && mode != "activations")
    return func.emitError() << "--cgnet-ocs: mode must be 'weights' or "
                               "'activations', got '"
                            << mode << "'";
  if (!(expandRatio >= 0) || expandRatio > 1)
    return func.emitError() << "--cgnet-ocs: expand-ratio must be in [0, 1], "
                               "got "
                            << expandRatio;
  if (weightBits < 2 || weightBits > 8)
    return func.emitError() << "--cgnet-ocs: weight-bits must be in [2, 8], "
                               "got "
                            << static_cast<unsigned>(weightBits);
  auto m = parseClipMethod(weightClip.getValue());
  if (!m)
    return func.emitError()
           << "--cgnet-ocs: unknown weight-clip '" << weightClip
           << "' (expected none, mse, aciq or kl)";
  clipMethod = *m;
  if (granularity != "per-tensor" && granularity != "per-channel")
    return func.emitError() << "--cgnet-ocs: granularity must be per-tensor "
                               "or per-channel, got '"
                            << granularity << "'";
  if (mode == "activations" && calibration.empty())
    return func.emitError("--cgnet-ocs mode=activations needs calibration "
                          "inputs (calibration=<.npy files>) to rank channels");
  return success();
}

SmallVector<Conv2DOp> CGNetOCSPass::selectLayers(func::FuncOp func,
                                                 bool &failedAny) {
  SmallVector<Conv2DOp> convs;
  func.walk([&](Operation *op) {
    if (isa<ChannelGatedConv2DOp, PrecisionGatedConv2DOp>(op))
      op->emitWarning("not split: --cgnet-ocs must run before gating (a "
                      "gated convolution's base/conditional channel split "
                      "would change)");
    if (auto conv = dyn_cast<Conv2DOp>(op))
      convs.push_back(conv);
  });
  SmallVector<Conv2DOp> selected;
  for (auto [index, conv] : llvm::enumerate(convs)) {
    if (!layers.empty() &&
        !llvm::is_contained(layers, static_cast<int64_t>(index)))
      continue;
    if (!isFloatType(conv.getWeight().getType())) {
      conv.emitError("--cgnet-ocs must run before --cgnet-quantize: the "
                     "weights are already integer");
      failedAny = true;
      continue;
    }
    int64_t in = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
    if (conv.getGroups() != 1 || (skipInChannels > 0 && in == skipInChannels))
      continue;
    if (!isF32Constant(conv.getWeight())) {
      conv.emitError("--cgnet-ocs needs an f32 constant weight");
      failedAny = true;
      continue;
    }
    selected.push_back(conv);
  }
  if (!checkLayerIndices(func, "--cgnet-ocs", layers, convs.size()))
    failedAny = true;
  return selected;
}

void CGNetOCSPass::duplicateProducerRows(Conv2DOp producer,
                                         ArrayRef<int64_t> from, bool halve) {
  auto wType = cast<RankedTensorType>(producer.getWeight().getType());
  int64_t out = wType.getDimSize(0);
  int64_t row = wType.getNumElements() / out;
  std::vector<float> w = *getConstantF32(producer.getWeight());
  std::vector<float> bias;
  if (producer.getBias())
    bias = *getConstantF32(producer.getBias());
  for (int64_t src : from) {
    if (halve) {
      for (int64_t k = 0; k < row; ++k)
        w[src * row + k] /= 2;
      if (!bias.empty())
        bias[src] /= 2;
    }
    w.insert(w.end(), w.begin() + src * row, w.begin() + (src + 1) * row);
    if (!bias.empty())
      bias.push_back(bias[src]);
  }
  int64_t newOut = out + static_cast<int64_t>(from.size());
  SmallVector<int64_t> shape(wType.getShape());
  shape[0] = newOut;
  OpBuilder b(producer);
  replaceF32Operand(producer, 1,
                    RankedTensorType::get(shape, wType.getElementType()), w);
  if (producer.getBias())
    replaceF32Operand(producer, 2,
                      RankedTensorType::get({newOut}, wType.getElementType()),
                      bias);
  // Per-channel clip values recorded by an earlier split follow the rows.
  if (auto clip =
          producer->getAttrOfType<DenseF64ArrayAttr>("cgnet.weight_clip");
      clip && clip.size() == out) {
    SmallVector<double> clips(clip.asArrayRef());
    for (int64_t src : from)
      clips.push_back(clips[src]);
    producer->setAttr("cgnet.weight_clip", b.getDenseF64ArrayAttr(clips));
  }
  producer.getOutput().setType(
      withChannels(producer.getOutput().getType(), newOut));
}

void CGNetOCSPass::widenChain(ArrayRef<Operation *> chain, int64_t channels) {
  // The chain is listed consumer side first; widen producer side first.
  for (Operation *op : llvm::reverse(chain))
    op->getResult(0).setType(
        withChannels(op->getResult(0).getType(), channels));
}

LogicalResult CGNetOCSPass::splitWeightsOf(Conv2DOp conv) {
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  WeightShape shape{wType.getDimSize(0), wType.getDimSize(1),
                    wType.getDimSize(2) * wType.getDimSize(3)};
  int64_t n = numSplits(expandRatio, shape.in);
  if (n == 0)
    return success();
  if (conv->hasAttr("cgnet.ocs_copy") || conv->hasAttr("cgnet.ocs_act_copy"))
    return conv.emitError("this convolution was already split by --cgnet-ocs");
  std::vector<float> w = *getConstantF32(conv.getWeight());
  bool perChannel = granularity == "per-channel";
  SplitWeights split;
  std::vector<double> clips;
  if (gridAware) {
    GridAwareSplit g =
        splitForQuantization(w, shape, n, splitThreshold, weightBits,
                             perChannel, clipMethod, weightClipRatio);
    split = std::move(g.split);
    clips = std::move(g.clips);
  } else {
    split = splitWeights(w, shape, n, splitThreshold, false, {1.0});
  }

  int64_t newIn = split.shape.in;
  SmallVector<int64_t> wShape(wType.getShape());
  wShape[1] = newIn;
  OpBuilder b(conv);
  replaceF32Operand(conv, 1,
                    RankedTensorType::get(wShape, wType.getElementType()),
                    split.weight);
  SmallVector<int64_t> copied(split.copied.begin(), split.copied.end());
  conv->setAttr("cgnet.ocs_copy", b.getDenseI64ArrayAttr(copied));
  if (gridAware) {
    conv->setAttr("cgnet.weight_clip", b.getDenseF64ArrayAttr(clips));
    conv->setAttr("cgnet.weight_clip_bits", b.getI64IntegerAttr(weightBits));
  }

  // Duplicate the input channels: inside the producer where the path from
  // it is per-channel and single-use, else with cgnet.channel_duplicate.
  ChannelPath path = traceChannelPath(conv.getInput(), isPerChannel);
  auto producer = path.source.getDefiningOp<Conv2DOp>();
  if (foldIntoProducer && !path.multiUse && producer &&
      producer.getGroups() == 1 && isF32Constant(producer.getWeight()) &&
      (!producer.getBias() || isF32Constant(producer.getBias()))) {
    duplicateProducerRows(producer, copied, /*halve=*/false);
    widenChain(path.chain, newIn);
    return success();
  }
  b.setInsertionPoint(conv);
  Value dup = ChannelDuplicateOp::create(
      b, conv.getLoc(), withChannels(conv.getInput().getType(), newIn),
      conv.getInput(), b.getDenseI64ArrayAttr(copied));
  conv.getInputMutable().assign(dup);
  return success();
}

LogicalResult
CGNetOCSPass::splitActivationsOf(Conv2DOp conv,
                                 const std::vector<double> &magnitudes) {
  int64_t in = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
  int64_t n = numSplits(expandRatio, in);
  if (n == 0)
    return success();
  ChannelPath path = traceChannelPath(conv.getInput(), isPositivelyHomogeneous);
  auto producer = path.source.getDefiningOp<Conv2DOp>();
  std::string why;
  llvm::raw_string_ostream os(why);
  if (path.multiUse)
    os << "a value between this convolution and its producer has other users";
  else if (!producer && path.blocker)
    os << "activation OCS needs a positively homogeneous path (relu, "
          "pooling, leaky relu, clamp to [0, inf]) from a producing "
          "cgnet.conv2d; '"
       << path.blocker->getName() << "' at "
       << formatLoc(path.blocker->getLoc()) << " is not";
  else if (!producer)
    os << "activation OCS needs the input to come from a cgnet.conv2d, not "
          "a function argument";
  else if (producer.getGroups() != 1 || !isF32Constant(producer.getWeight()) ||
           (producer.getBias() && !isF32Constant(producer.getBias())))
    os << "activation OCS needs an ungrouped producing convolution with f32 "
          "constant weights and bias";
  if (!why.empty()) {
    // Layers named in `layers` must be split; others are skipped with a
    // warning.
    if (!layers.empty())
      return conv.emitError() << "cannot split: " << why;
    conv.emitWarning() << "not split: " << why;
    return success();
  }

  std::vector<double> mag = magnitudes;
  std::vector<int64_t> from = chooseActivationSplits(mag, n);
  // Halve and duplicate the producer's rows, duplicate the consumer's
  // columns unchanged.
  duplicateProducerRows(producer, from, /*halve=*/true);
  widenChain(path.chain, in + n);

  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  int64_t out = wType.getDimSize(0),
          taps = wType.getDimSize(2) * wType.getDimSize(3);
  std::vector<float> w = *getConstantF32(conv.getWeight());
  int64_t newIn = in + n;
  std::vector<float> nw(out * newIn * taps);
  std::vector<int64_t> origin(newIn);
  for (int64_t c = 0; c < newIn; ++c)
    origin[c] = c < in ? c : origin[from[c - in]];
  for (int64_t o = 0; o < out; ++o)
    for (int64_t c = 0; c < newIn; ++c)
      for (int64_t t = 0; t < taps; ++t)
        nw[(o * newIn + c) * taps + t] = w[(o * in + origin[c]) * taps + t];
  SmallVector<int64_t> wShape(wType.getShape());
  wShape[1] = newIn;
  OpBuilder b(conv);
  replaceF32Operand(conv, 1,
                    RankedTensorType::get(wShape, wType.getElementType()), nw);
  conv->setAttr("cgnet.ocs_act_copy",
                b.getDenseI64ArrayAttr(
                    SmallVector<int64_t>(origin.begin() + in, origin.end())));
  return success();
}

void CGNetOCSPass::runOnOperation() {
  func::FuncOp func = getOperation();
  if (func.isExternal())
    return;
  if (failed(checkOptions()))
    return signalPassFailure();
  bool failedAny = false;
  SmallVector<Conv2DOp> convs = selectLayers(func, failedAny);
  if (failedAny)
    return signalPassFailure();

  if (mode == "weights") {
    for (Conv2DOp conv : convs)
      if (failed(splitWeightsOf(conv)))
        return signalPassFailure();
    return;
  }

  // Activations: rank each selected convolution's input channels by their
  // largest calibrated magnitude, before anything changes.
  auto samples = loadCalibrationSamples(func, calibration);
  if (failed(samples))
    return signalPassFailure();
  llvm::DenseMap<Value, std::vector<double>> channelMax;
  for (Conv2DOp conv : convs) {
    int64_t c = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
    channelMax[conv.getInput()].assign(c, 0.0);
  }
  auto observe = [&](Value v, const ref::Tensor &t) {
    auto it = channelMax.find(v);
    if (it == channelMax.end() || !t.isFloat)
      return;
    std::vector<double> &m = it->second;
    int64_t channels = t.shape[1], plane = 1;
    for (size_t d = 2; d < t.shape.size(); ++d)
      plane *= t.shape[d];
    for (size_t e = 0; e < t.f.size(); ++e) {
      int64_t ch = (static_cast<int64_t>(e) / plane) % channels;
      m[ch] = std::max(m[ch], std::fabs(double(t.f[e])));
    }
  };
  if (failed(runCalibration(func, *samples, observe)))
    return signalPassFailure();
  std::vector<std::vector<double>> mags;
  for (Conv2DOp conv : convs)
    mags.push_back(channelMax[conv.getInput()]);
  for (auto [conv, mag] : llvm::zip(convs, mags))
    if (failed(splitActivationsOf(conv, mag)))
      return signalPassFailure();
}

} // namespace
