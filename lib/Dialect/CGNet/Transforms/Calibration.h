//===- Calibration.h - running a float model on calibration data -*- C++ -*-===//
//
// Shared by --cgnet-quantize and --cgnet-ocs: loads calibration samples
// from .npy files and runs the reference evaluator on them, showing every
// intermediate value to an observer.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_LIB_DIALECT_CGNET_TRANSFORMS_CALIBRATION_H
#define CGNET_LIB_DIALECT_CGNET_TRANSFORMS_CALIBRATION_H

#include "cgnet/Reference/Evaluator.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include <string>
#include <vector>

namespace cgnet {

/// One set of inputs, one tensor per function argument.
using Sample = std::vector<ref::Tensor>;

/// Reads `files` as samples: consecutive groups of one file per argument of
/// `func`. For a one-argument function, a file whose leading dimension is
/// k times the argument's holds k samples. Emits an error on `func` naming
/// the file and fails on anything unreadable or mismatched.
mlir::FailureOr<std::vector<Sample>>
loadCalibrationSamples(mlir::func::FuncOp func,
                       llvm::ArrayRef<std::string> files);

/// `count` deterministic samples uniform in [-1, 1] (what `cgnet-run
/// --random-inputs` feeds), for studies without data. Fails on non-float
/// or dynamically shaped arguments.
mlir::FailureOr<std::vector<Sample>>
makeRandomSamples(mlir::func::FuncOp func, int64_t count, uint32_t seed);

/// Runs `func` on every sample, calling `observer` on every value.
mlir::LogicalResult runCalibration(mlir::func::FuncOp func,
                                   llvm::ArrayRef<Sample> samples,
                                   const ref::ValueObserver &observer);

/// "file:line:col" for a file location, else the printed location.
std::string formatLoc(mlir::Location loc);

/// A readable name for a layer: its NameLoc, else its printed location.
std::string layerName(mlir::Operation *op);

} // namespace cgnet

#endif // CGNET_LIB_DIALECT_CGNET_TRANSFORMS_CALIBRATION_H
