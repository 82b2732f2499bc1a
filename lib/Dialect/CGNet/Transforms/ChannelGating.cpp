//===- ChannelGating.cpp - convolutions to channel-gated convolutions -----===//
//
// CGNet's channel gating as a rewrite: a dense convolution becomes a
// channel-gated one with the same weights, a base path of 1/p of the input
// channels and a per-output-channel threshold (trained, calibrated to a
// gate-off rate, or constant; GatingUtils.cpp). Works on float models and
// on integer models after --cgnet-quantize.
//
//===----------------------------------------------------------------------===//

#include "GatingUtils.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

namespace cgnet {
#define GEN_PASS_DEF_CGNETCHANNELGATING
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

struct CGNetChannelGatingPass
    : public cgnet::impl::CGNetChannelGatingBase<CGNetChannelGatingPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (partitions < 1) {
      func.emitError() << "--cgnet-channel-gating: partitions must be >= 1, "
                          "got "
                       << partitions.getValue();
      return signalPassFailure();
    }
    GatingOptions options{"--cgnet-channel-gating", layers, names,
                          skipInChannels, thresholds, targetOffRate,
                          calibration, randomCalibration, threshold};
    // --cgnet-group-shuffle's `cgnet.base_groups` fixes a layer's grouping.
    auto partitionsOf = [&](Conv2DOp conv) -> int64_t {
      if (auto g = conv->getAttrOfType<IntegerAttr>("cgnet.base_groups"))
        return g.getInt();
      return partitions;
    };
    auto groupedOf = [&](Conv2DOp conv) {
      return grouped || conv->hasAttr("cgnet.base_groups");
    };
    auto eligible = [&](Conv2DOp conv) -> std::string {
      int64_t p = partitionsOf(conv);
      bool grouped = groupedOf(conv);
      int64_t c = cast<ShapedType>(conv.getInput().getType()).getDimSize(1);
      int64_t o = cast<ShapedType>(conv.getWeight().getType()).getDimSize(0);
      if (c % p != 0)
        return "its " + std::to_string(c) +
               " input channels are not divisible by partitions=" +
               std::to_string(p);
      if (grouped && o % p != 0)
        return "its " + std::to_string(o) +
               " output channels are not divisible by partitions=" +
               std::to_string(p) + " (grouped)";
      return "";
    };
    auto gate = [&](Conv2DOp conv, Value thr) -> Operation * {
      OpBuilder b(conv);
      Operation *op = ChannelGatedConv2DOp::create(
          b, conv.getLoc(), conv.getType(), conv.getInput(), conv.getWeight(),
          thr, conv.getBias(), conv.getStridesAttr(), conv.getPaddingAttr(),
          conv.getDilationsAttr(), b.getI64IntegerAttr(partitionsOf(conv)),
          b.getBoolAttr(groupedOf(conv)));
      return op;
    };
    if (failed(runGating(func, options, eligible, gate)))
      signalPassFailure();
  }
};

} // namespace
