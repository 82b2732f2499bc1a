//===- Ungate.cpp - gated convolutions back to dense ones -----------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"

namespace cgnet {
#define GEN_PASS_DEF_CGNETUNGATE
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {
struct CGNetUngatePass
    : public cgnet::impl::CGNetUngateBase<CGNetUngatePass> {
  void runOnOperation() override {
    SmallVector<Operation *> gated;
    getOperation().walk([&](Operation *op) {
      if (isa<ChannelGatedConv2DOp, PrecisionGatedConv2DOp>(op))
        gated.push_back(op);
    });
    for (Operation *op : gated) {
      OpBuilder b(op);
      auto replace = [&](auto g) {
        Value threshold = g.getThreshold();
        auto conv = Conv2DOp::create(
            b, g.getLoc(), g.getType(), g.getInput(), g.getWeight(),
            g.getBias(), g.getStridesAttr(), g.getPaddingAttr(),
            g.getDilationsAttr(), b.getI64IntegerAttr(1));
        g.replaceAllUsesWith(conv.getOutput());
        g.erase();
        if (Operation *def = threshold.getDefiningOp();
            def && def->use_empty() && isMemoryEffectFree(def))
          def->erase();
      };
      if (auto g = dyn_cast<ChannelGatedConv2DOp>(op))
        replace(g);
      else
        replace(cast<PrecisionGatedConv2DOp>(op));
    }
  }
};
} // namespace
