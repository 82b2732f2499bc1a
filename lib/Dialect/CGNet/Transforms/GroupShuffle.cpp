//===- GroupShuffle.cpp - grouped base paths, shuffles folded -------------===//
//
// Channel shuffles cost no data movement: a permutation of channels between
// two convolutions is a permutation of the producer's rows or of the
// consumer's columns. This pass folds existing shuffles that way, puts the
// channels between consecutive convolutions in shuffled order (so grouped
// base paths mix the producer's groups), and marks the consumers for
// grouped gating.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

namespace cgnet {
#define GEN_PASS_DEF_CGNETGROUPSHUFFLE
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

/// ShuffleNet's permutation: shuffled channel `o` reads channel `pi[o]`.
static std::vector<int64_t> shufflePermutation(int64_t channels,
                                               int64_t groups) {
  std::vector<int64_t> pi(channels);
  int64_t per = channels / groups;
  for (int64_t o = 0; o < channels; ++o)
    pi[o] = (o % groups) * per + o / groups;
  return pi;
}

/// A conv2d whose weights (and bias) can be permuted here.
static bool isPermutable(Conv2DOp conv) {
  return conv && conv.getGroups() == 1 && isF32Constant(conv.getWeight()) &&
         (!conv.getBias() || isF32Constant(conv.getBias()));
}

/// Producer rows: new output channel `o` is old channel `pi[o]`.
static void permuteRows(Conv2DOp conv, ArrayRef<int64_t> pi) {
  std::vector<float> w = *getConstantF32(conv.getWeight());
  int64_t out = static_cast<int64_t>(pi.size());
  int64_t row = static_cast<int64_t>(w.size()) / out;
  std::vector<float> nw(w.size());
  for (int64_t o = 0; o < out; ++o)
    std::copy(w.begin() + pi[o] * row, w.begin() + (pi[o] + 1) * row,
              nw.begin() + o * row);
  replaceF32Operand(conv, 1, {}, nw);
  if (conv.getBias()) {
    std::vector<float> bias = *getConstantF32(conv.getBias());
    std::vector<float> nb(out);
    for (int64_t o = 0; o < out; ++o)
      nb[o] = bias[pi[o]];
    replaceF32Operand(conv, 2, {}, nb);
  }
}

/// Consumer columns: new input channel `c` gets the weights of old input
/// channel `src[c]`.
static void permuteColumns(Conv2DOp conv, ArrayRef<int64_t> src) {
  auto wType = cast<ShapedType>(conv.getWeight().getType());
  int64_t out = wType.getDimSize(0), in = wType.getDimSize(1);
  int64_t taps = wType.getDimSize(2) * wType.getDimSize(3);
  std::vector<float> w = *getConstantF32(conv.getWeight());
  std::vector<float> nw(w.size());
  for (int64_t o = 0; o < out; ++o)
    for (int64_t c = 0; c < in; ++c)
      for (int64_t t = 0; t < taps; ++t)
        nw[(o * in + c) * taps + t] = w[(o * in + src[c]) * taps + t];
  replaceF32Operand(conv, 1, {}, nw);
}

/// The single conv2d that reads `v`, through per-channel single-use ops.
static Conv2DOp consumerOf(Value v) {
  while (v.hasOneUse()) {
    Operation *user = *v.getUsers().begin();
    if (auto conv = dyn_cast<Conv2DOp>(user))
      return conv.getInput() == v ? conv : Conv2DOp();
    if (!isPerChannel(user))
      return {};
    v = user->getResult(0);
  }
  return {};
}

struct CGNetGroupShufflePass
    : public cgnet::impl::CGNetGroupShuffleBase<CGNetGroupShufflePass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (groups < 1) {
      func.emitError() << "--cgnet-group-shuffle: groups must be >= 1, got "
                       << groups.getValue();
      return signalPassFailure();
    }
    bool failedAny = false;
    func.walk([&](Operation *op) {
      if (isa<ChannelGatedConv2DOp, PrecisionGatedConv2DOp>(op)) {
        op->emitError("--cgnet-group-shuffle must run before gating: "
                      "permuting a gated convolution's channels would change "
                      "its base path");
        failedAny = true;
      } else if (auto conv = dyn_cast<Conv2DOp>(op);
                 conv && !isFloatType(conv.getWeight().getType())) {
        op->emitError("--cgnet-group-shuffle must run before "
                      "--cgnet-quantize: the weights are integer");
        failedAny = true;
      } else if (conv && (conv->hasAttr("cgnet.ocs_copy") ||
                          conv->hasAttr("cgnet.ocs_act_copy") ||
                          conv->hasAttr("cgnet.weight_clip"))) {
        op->emitError("--cgnet-group-shuffle must run before --cgnet-ocs: "
                      "permuting channels would break the split bookkeeping");
        failedAny = true;
      }
    });
    if (failedAny)
      return signalPassFailure();

    // 1. Fold the shuffles that are there.
    SmallVector<ChannelShuffleOp> shuffles;
    func.walk([&](ChannelShuffleOp s) { shuffles.push_back(s); });
    for (ChannelShuffleOp s : shuffles) {
      int64_t c = cast<ShapedType>(s.getType()).getDimSize(1);
      std::vector<int64_t> pi = shufflePermutation(c, s.getGroups());
      if (Conv2DOp consumer = consumerOf(s.getOutput());
          isPermutable(consumer)) {
        // conv(shuffle(x), W): shuffled channel o (weights W[:, o]) is
        // x[pi[o]]; as a convolution of x, channel pi[o] takes W[:, o].
        std::vector<int64_t> src(c);
        for (int64_t o = 0; o < c; ++o)
          src[pi[o]] = o;
        permuteColumns(consumer, src);
      } else {
        ChannelPath path = traceChannelPath(s.getInput(), isPerChannel);
        auto producer = path.source.getDefiningOp<Conv2DOp>();
        if (path.multiUse || !isPermutable(producer)) {
          s.emitWarning("channel shuffle left in place: neither a consuming "
                        "nor a producing ungrouped cgnet.conv2d with constant "
                        "weights to fold it into");
          continue;
        }
        permuteRows(producer, pi);
      }
      s.getOutput().replaceAllUsesWith(s.getInput());
      s.erase();
    }

    // 2./3. Interleave and assign base groups.
    SmallVector<Conv2DOp> convs;
    func.walk([&](Conv2DOp conv) { convs.push_back(conv); });
    for (Conv2DOp conv : convs) {
      if (!isPermutable(conv))
        continue;
      int64_t c = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
      int64_t o = cast<ShapedType>(conv.getWeight().getType()).getDimSize(0);
      ChannelPath path = traceChannelPath(conv.getInput(), isPerChannel);
      auto producer = path.source.getDefiningOp<Conv2DOp>();
      if (path.multiUse || !isPermutable(producer))
        continue; // e.g. the first layer: nothing to mix
      if (c % groups != 0 || o % groups != 0) {
        conv.emitWarning() << "no base groups assigned: " << c
                           << " input and " << o
                           << " output channels must be divisible by groups="
                           << groups.getValue();
        continue;
      }
      if (interleave) {
        std::vector<int64_t> pi = shufflePermutation(c, groups);
        permuteRows(producer, pi);
        permuteColumns(conv, pi);
      }
      OpBuilder b(conv);
      conv->setAttr("cgnet.base_groups", b.getI64IntegerAttr(groups));
    }
  }
};

} // namespace
