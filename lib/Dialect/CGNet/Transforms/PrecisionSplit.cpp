//===- PrecisionSplit.cpp - convolutions to precision-gated convolutions --===//
//
// Precision gating as a rewrite of integer convolutions: the same weights,
// the activation split into high and low bits, a gate on the high-bit
// partial product. Thresholds as for channel gating (GatingUtils.cpp).
//
//===----------------------------------------------------------------------===//

#include "GatingUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

namespace cgnet {
#define GEN_PASS_DEF_CGNETPRECISIONSPLIT
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

struct CGNetPrecisionSplitPass
    : public cgnet::impl::CGNetPrecisionSplitBase<CGNetPrecisionSplitPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (bits != 0 && (bits < 2 || bits > 8)) {
      func.emitError() << "--cgnet-precision-split: bits must be in [2, 8] (or "
                          "0 for the input's), got "
                       << bits.getValue();
      return signalPassFailure();
    }
    bool failedAny = false;
    func.walk([&](Conv2DOp conv) {
      if (isFloatType(conv.getInput().getType()) &&
          (layers.empty() && names.empty())) {
        conv.emitError("--cgnet-precision-split needs an integer model: run "
                       "--cgnet-quantize first");
        failedAny = true;
      }
    });
    if (failedAny)
      return signalPassFailure();
    GatingOptions options{"--cgnet-precision-split", layers, names,
                          skipInChannels, thresholds, targetOffRate,
                          calibration, randomCalibration, threshold};
    // The activation bits of a convolution: `bits`, or its input's.
    auto bitsOf = [&](Conv2DOp conv) -> int64_t {
      if (bits != 0)
        return bits;
      ElementInfo in = *getElementInfo(conv.getInput().getType());
      return static_cast<int64_t>(in.bits);
    };
    auto eligible = [&](Conv2DOp conv) -> std::string {
      if (isFloatType(conv.getInput().getType()))
        return "it is a float convolution (run --cgnet-quantize first)";
      int64_t b = bitsOf(conv);
      if (highBits < 1 || highBits >= b)
        return "high-bits=" + std::to_string(highBits) +
               " must be in [1, bits) with bits=" + std::to_string(b);
      ElementInfo in = *getElementInfo(conv.getInput().getType());
      int64_t limit = (int64_t(1) << (b - 1)) - 1;
      if (in.storageMax - in.zeroPoint() > limit ||
          in.storageMin - in.zeroPoint() < -limit - 1)
        return "its input values [" +
               std::to_string(in.storageMin - in.zeroPoint()) + ", " +
               std::to_string(in.storageMax - in.zeroPoint()) +
               "] do not fit in bits=" + std::to_string(b) +
               " (quantize with act-bits=" + std::to_string(b) + ")";
      return "";
    };
    auto gate = [&](Conv2DOp conv, Value thr) -> Operation * {
      OpBuilder b(conv);
      return PrecisionGatedConv2DOp::create(
          b, conv.getLoc(), conv.getType(), conv.getInput(), conv.getWeight(),
          thr, conv.getBias(), conv.getStridesAttr(), conv.getPaddingAttr(),
          conv.getDilationsAttr(), b.getI64IntegerAttr(bitsOf(conv)),
          b.getI64IntegerAttr(highBits));
    };
    if (failed(runGating(func, options, eligible, gate)))
      signalPassFailure();
  }
};

} // namespace
