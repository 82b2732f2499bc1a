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

/// Everything a fold reads, decoded once by `gather`.
struct FoldInputs {
  Affine a;
  std::vector<float> w, b, thr;
};

static Affine affineOf(ArrayRef<float> gamma, ArrayRef<float> beta,
                       ArrayRef<float> mean, ArrayRef<float> var, double eps) {
  Affine a;
  for (size_t o = 0; o < gamma.size(); ++o) {
    a.k.push_back(gamma[o] / std::sqrt(double(var[o]) + eps));
    a.c.push_back(beta[o] - double(mean[o]) * a.k.back());
  }
  return a;
}

/// Decodes the constants folding `bn` needs into `in`; returns why `bn`
/// cannot be folded, or an empty string where it can.
static std::string gather(BatchNormOp bn, FoldInputs &in) {
  Operation *producer = bn.getInput().getDefiningOp();
  if (!isa_and_nonnull<Conv2DOp, ChannelGatedConv2DOp>(producer))
    return "its input is not produced by a cgnet.conv2d or "
           "cgnet.channel_gated_conv2d";
  if (!producer->hasOneUse())
    return "the convolution's result has other users";
  auto gamma = getConstantF32(bn.getScale());
  auto beta = getConstantF32(bn.getBias());
  auto mean = getConstantF32(bn.getMean());
  auto var = getConstantF32(bn.getVariance());
  if (!gamma || !beta || !mean || !var)
    return "its statistics are not f32 constants";
  auto weight = getConstantF32(producer->getOperand(1));
  if (!weight)
    return "the convolution's weight is not an f32 constant";
  in.w = std::move(*weight);
  Value bias = isa<Conv2DOp>(producer) ? cast<Conv2DOp>(producer).getBias()
                                       : cast<ChannelGatedConv2DOp>(producer)
                                             .getBias();
  if (bias) {
    auto b = getConstantF32(bias);
    if (!b)
      return "the convolution's bias is not an f32 constant";
    in.b = std::move(*b);
  } else {
    in.b.assign(gamma->size(), 0.0f);
  }
  in.a = affineOf(*gamma, *beta, *mean, *var,
                  bn.getEpsilon().convertToDouble());
  if (auto gated = dyn_cast<ChannelGatedConv2DOp>(producer)) {
    auto thr = getConstantF32(gated.getThreshold());
    if (!thr)
      return "the gate threshold is not an f32 constant";
    in.thr = std::move(*thr);
    for (size_t o = 0; o < in.a.k.size(); ++o)
      if (!(in.a.k[o] > 0.0))
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
static void fold(BatchNormOp bn, ConvOpT conv, FoldInputs &in,
                 IRRewriter &rewriter) {
  const Affine &a = in.a;
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  int64_t outChannels = wType.getDimSize(0);
  std::vector<float> &w = in.w, &b = in.b;
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
    std::vector<float> &thr = in.thr;
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
      FoldInputs in;
      std::string why = gather(bn, in);
      if (why.empty()) {
        Operation *producer = bn.getInput().getDefiningOp();
        if (auto conv = dyn_cast<Conv2DOp>(producer))
          fold(bn, conv, in, rewriter);
        else
          fold(bn, cast<ChannelGatedConv2DOp>(producer), in, rewriter);
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
