//===- GatingUtils.h - what the gating passes share -------------*- C++ -*-===//
//
// --cgnet-channel-gating and --cgnet-precision-split turn selected
// convolutions into gated ones the same way: the same selection options,
// the same threshold sources (a JSON file of trained Delta and gate
// batch-norm statistics, calibration to a target gate-off rate, or a
// constant) and the same float/integer threshold conventions. Only the op
// they create differs.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_LIB_DIALECT_CGNET_TRANSFORMS_GATINGUTILS_H
#define CGNET_LIB_DIALECT_CGNET_TRANSFORMS_GATINGUTILS_H

#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <string>

namespace cgnet {

/// The options both gating passes take (see their Passes.td entries).
struct GatingOptions {
  std::string passName; ///< e.g. "--cgnet-channel-gating", for messages
  llvm::ArrayRef<int64_t> layers;
  llvm::ArrayRef<std::string> names;
  int64_t skipInChannels = 0;
  std::string thresholdsFile;
  double targetOffRate = -1;
  llvm::ArrayRef<std::string> calibration;
  int64_t randomCalibration = 0;
  std::string threshold;
};

/// Why `conv` cannot be gated, or an empty string.
using EligibilityFn = llvm::function_ref<std::string(Conv2DOp)>;
/// Replaces `conv` by the gated op reading `threshold` (f32 for float
/// models, i32 for integer ones); returns the new op, whose operand #2 is
/// the threshold and whose result is the partial sum when every gate is
/// off.
using GateFn = llvm::function_ref<mlir::Operation *(Conv2DOp conv,
                                                    mlir::Value threshold)>;

/// Selects the convolutions, computes thresholds and gates them. Emits the
/// diagnostics and fails on any refusal; nothing is rewritten unless every
/// selected layer has its thresholds.
mlir::LogicalResult runGating(mlir::func::FuncOp func,
                              const GatingOptions &options,
                              EligibilityFn eligible, GateFn gate);

} // namespace cgnet

#endif // CGNET_LIB_DIALECT_CGNET_TRANSFORMS_GATINGUTILS_H
