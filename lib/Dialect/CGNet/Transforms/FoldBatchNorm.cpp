//===- FoldBatchNorm.cpp - fold batch norm into convolutions --------------===//
//
// Exact in real arithmetic: BN(conv(x, W) + b) = conv(x, W*k) + (b-mean)*k + beta
// with k = gamma / sqrt(var + eps), per output channel.
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

/// Why `bn` cannot be folded, or an empty string where it can.
static std::string whyNotFoldable(BatchNormOp bn) {
  auto conv = bn.getInput().getDefiningOp<Conv2DOp>();
  if (!conv)
    return "its input is not produced by a cgnet.conv2d";
  if (!conv->hasOneUse())
    return "the convolution's result has other users";
  if (!getConstantF32(conv.getWeight()))
    return "the convolution's weight is not an f32 constant";
  if (conv.getBias() && !getConstantF32(conv.getBias()))
    return "the convolution's bias is not an f32 constant";
  for (Value v : {bn.getScale(), bn.getBias(), bn.getMean(), bn.getVariance()})
    if (!getConstantF32(v))
      return "its statistics are not f32 constants";
  return "";
}

static void fold(BatchNormOp bn, IRRewriter &rewriter) {
  auto conv = bn.getInput().getDefiningOp<Conv2DOp>();
  std::vector<float> w = *getConstantF32(conv.getWeight());
  auto wType = cast<RankedTensorType>(conv.getWeight().getType());
  int64_t outChannels = wType.getDimSize(0);
  int64_t perChannel = wType.getNumElements() / outChannels;
  std::vector<float> b(outChannels, 0.0f);
  if (conv.getBias())
    b = *getConstantF32(conv.getBias());
  std::vector<float> gamma = *getConstantF32(bn.getScale());
  std::vector<float> beta = *getConstantF32(bn.getBias());
  std::vector<float> mean = *getConstantF32(bn.getMean());
  std::vector<float> var = *getConstantF32(bn.getVariance());
  double eps = bn.getEpsilon().convertToDouble();

  for (int64_t o = 0; o < outChannels; ++o) {
    double k = static_cast<double>(gamma[o]) /
               std::sqrt(static_cast<double>(var[o]) + eps);
    for (int64_t i = 0; i < perChannel; ++i) {
      float &x = w[o * perChannel + i];
      x = static_cast<float>(static_cast<double>(x) * k);
    }
    b[o] = static_cast<float>((static_cast<double>(b[o]) - mean[o]) * k +
                              beta[o]);
  }

  rewriter.setInsertionPoint(conv);
  Location loc = bn.getLoc();
  Value newW = createF32Constant(rewriter, loc, wType, w);
  Value newB = createF32Constant(
      rewriter, loc, RankedTensorType::get({outChannels}, rewriter.getF32Type()),
      b);
  auto folded = Conv2DOp::create(
      rewriter, FusedLoc::get(rewriter.getContext(), {conv.getLoc(), loc}),
      bn.getType(), conv.getInput(), newW, newB, conv.getStridesAttr(),
      conv.getPaddingAttr(), conv.getDilationsAttr(), conv.getGroupsAttr());
  SmallVector<Value> oldConstants = {conv.getWeight(), bn.getScale(),
                                     bn.getBias(), bn.getMean(),
                                     bn.getVariance()};
  if (conv.getBias())
    oldConstants.push_back(conv.getBias());
  rewriter.replaceOp(bn, folded.getResult());
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
        fold(bn, rewriter);
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
