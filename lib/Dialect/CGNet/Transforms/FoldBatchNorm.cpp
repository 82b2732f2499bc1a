//===- FoldBatchNorm.cpp - fold batch norm into convolutions --------------===//
//
// Exact in real arithmetic: with k = gamma / sqrt(var + eps) per output
// channel, BN(conv(x, W) + b) = conv(x, W*k) + (b - mean)*k + beta.
//
// A channel-gated convolution folds too: BN is affine per channel, so it
// commutes with the select between the partial and the full sum, and the
// gate `partial > tau` becomes `BN(partial) > (tau - mean)*k + beta`, which
// holds only for k > 0 (a negative k would flip the comparison).
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

#include "mlir/IR/PatternMatch.h"
#include <cmath>

namespace cgnet {
#define GEN_PASS_DEF_CGNETFOLDBATCHNORM
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

/// The per-channel affine map of a batch norm, y = x * k + c, in double.
struct Affine {
  std::vector<double> k, c;
  double apply(int64_t o, double x) const { return x * k[o] + c[o]; }
};

static Affine affineOf(BatchNormOp bn) {
  std::vector<float> gamma = *getConstantF32(bn.getScale());
  std::vector<float> beta = *getConstantF32(bn.getBias());
  std::vector<float> mean = *getConstantF32(bn.getMean());
  std::vector<float> var = *getConstantF32(bn.getVariance());
  double eps = bn.getEpsilon().convertToDouble();
  Affine a;
  for (size_t o = 0; o < gamma.size(); ++o) {
    a.k.push_back(gamma[o] / std::sqrt(double(var[o]) + eps));
    a.c.push_back(beta[o] - double(mean[o]) * a.k.back());
  }
  return a;
}

/// Why `bn` cannot be folded, or an empty string where it can.
static std::string whyNotFoldable(BatchNormOp bn) {
  Operation *producer = bn.getInput().getDefiningOp();
  if (!isa_and_nonnull<Conv2DOp, ChannelGatedConv2DOp>(producer))
    return "its input is not produced by a cgnet.conv2d or "
           "cgnet.channel_gated_conv2d";
  if (!producer->hasOneUse())
    return "the convolution's result has other users";
  for (Value v : {bn.getScale(), bn.getBias(), bn.getMean(), bn.getVariance()})
    if (!getConstantF32(v))
      return "its statistics are not f32 constants";
  Value weight = producer->getOperand(1);
  Value bias = isa<Conv2DOp>(producer) ? cast<Conv2DOp>(producer).getBias()
                                       : cast<ChannelGatedConv2DOp>(producer)
                                             .getBias();
  if (!getConstantF32(weight))
    return "the convolution's weight is not an f32 constant";
  if (bias && !getConstantF32(bias))
    return "the convolution's bias is not an f32 constant";
  if (auto gated = dyn_cast<ChannelGatedConv2DOp>(producer)) {
    if (!getConstantF32(gated.getThreshold()))
      return "the gate threshold is not an f32 constant";
    Affine a = affineOf(bn);
    for (size_t o = 0; o < a.k.size(); ++o)
      if (!(a.k[o] > 0.0))
        return "its scale for channel " + std::to_string(o) +
               " is not positive, which would flip the gate's comparison";
  }
  return "";
}

/// Folds `a` into the weight and bias of a convolution with OIHW `weight`.
static void foldInto(const Affine &a, std::vector<float> &w,
                     std::vector<float> &b) {
  size_t outChannels = b.size(), perChannel = w.size() / outChannels;
  for (size_t o = 0; o < outChannels; ++o) {
    for (size_t i = 0; i < perChannel; ++i)
      w[o * perChannel + i] =
          static_cast<float>(double(w[o * perChannel + i]) * a.k[o]);
    b[o] = static_cast<float>(a.apply(o, b[o]));
  }
}

template <typename ConvOpT>
static void fold(BatchNormOp bn, ConvOpT conv, IRRewriter &rewriter) {
  Affine a = affineOf(bn);
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  int64_t outChannels = wType.getDimSize(0);
  std::vector<float> w = *getConstantF32(conv.getWeight());
  std::vector<float> b(outChannels, 0.0f);
  if (conv.getBias())
    b = *getConstantF32(conv.getBias());
  foldInto(a, w, b);

  rewriter.setInsertionPoint(conv);
  Location loc = FusedLoc::get(rewriter.getContext(), {conv.getLoc(), bn.getLoc()});
  auto vecType = RankedTensorType::get({outChannels}, rewriter.getF32Type());
  Value newW = createF32Constant(rewriter, loc, wType, w);
  Value newB = createF32Constant(rewriter, loc, vecType, b);
  SmallVector<Value> oldConstants = {conv.getWeight(), bn.getScale(),
                                     bn.getBias(), bn.getMean(),
                                     bn.getVariance()};
  if (conv.getBias())
    oldConstants.push_back(conv.getBias());

  Value folded;
  if constexpr (std::is_same_v<ConvOpT, Conv2DOp>) {
    folded = Conv2DOp::create(rewriter, loc, bn.getType(), conv.getInput(),
                              newW, newB, conv.getStridesAttr(),
                              conv.getPaddingAttr(), conv.getDilationsAttr(),
                              conv.getGroupsAttr());
  } else {
    std::vector<float> thr = *getConstantF32(conv.getThreshold());
    for (size_t o = 0; o < thr.size(); ++o)
      thr[o] = static_cast<float>(a.apply(o, thr[o])); // -inf stays -inf
    Value newThr = createF32Constant(rewriter, loc, vecType, thr);
    oldConstants.push_back(conv.getThreshold());
    folded = ChannelGatedConv2DOp::create(
        rewriter, loc, bn.getType(), conv.getInput(), newW, newThr, newB,
        conv.getStridesAttr(), conv.getPaddingAttr(), conv.getDilationsAttr(),
        conv.getPartitionsAttr(), conv.getGroupedAttr());
  }
  rewriter.replaceOp(bn, folded);
  rewriter.eraseOp(conv);
  // Drop the constants only the folded ops used.
  for (Value v : oldConstants)
    if (Operation *def = v.getDefiningOp(); def && def->use_empty())
      rewriter.eraseOp(def);
}

struct CGNetFoldBatchNormPass
    : public cgnet::impl::CGNetFoldBatchNormBase<CGNetFoldBatchNormPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<BatchNormOp> bns;
    getOperation()->walk([&](BatchNormOp bn) { bns.push_back(bn); });
    IRRewriter rewriter(&getContext());
    bool failedAny = false;
    for (BatchNormOp bn : bns) {
      std::string why = whyNotFoldable(bn);
      if (why.empty()) {
        Operation *producer = bn.getInput().getDefiningOp();
        if (auto conv = dyn_cast<Conv2DOp>(producer))
          fold(bn, conv, rewriter);
        else
          fold(bn, cast<ChannelGatedConv2DOp>(producer), rewriter);
        continue;
      }
      if (allowUnfolded) {
        bn.emitWarning() << "batch norm left unfolded: " << why;
        continue;
      }
      bn.emitError() << "cannot fold batch norm: " << why
                     << " (pass allow-unfolded=true to keep it)";
      failedAny = true;
    }
    if (failedAny)
      signalPassFailure();
  }
};

} // namespace
