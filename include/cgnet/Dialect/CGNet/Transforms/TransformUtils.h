//===- TransformUtils.h - helpers shared by cgnet passes ------*- C++ -*-===//
//
// Shared by the cgnet passes: calibration samples (.npy files or random),
// running the reference evaluator on them with an observer, layer names,
// and writing report files.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_DIALECT_CGNET_TRANSFORMS_TRANSFORMUTILS_H
#define CGNET_DIALECT_CGNET_TRANSFORMS_TRANSFORMUTILS_H

#include "cgnet/Reference/Evaluator.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
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

/// `count` deterministic random samples (`ref::randomTensor`: what
/// `cgnet-run --random-inputs` feeds), for studies without data. Fails on
/// dynamically shaped arguments.
mlir::FailureOr<std::vector<Sample>>
makeRandomSamples(mlir::func::FuncOp func, int64_t count, uint32_t seed);

/// Runs `func` on every sample, calling `observer` on every value (up to
/// `stopAfter` when given).
mlir::LogicalResult runCalibration(mlir::func::FuncOp func,
                                   llvm::ArrayRef<Sample> samples,
                                   const ref::ValueObserver &observer,
                                   mlir::Operation *stopAfter = nullptr);

/// Emits an error on `func` for each index of a pass's `layers` option
/// that does not name one of its `count` cgnet.conv2d ops; false if any.
bool checkLayerIndices(mlir::func::FuncOp func, llvm::StringRef passName,
                       llvm::ArrayRef<int64_t> layers, size_t count);

/// Sets operand `index` of `op` to `value` and erases the old operand's
/// defining op (a constant, typically) when nothing else uses it.
void setOperandDroppingDead(mlir::Operation *op, unsigned index,
                            mlir::Value value);

/// Replaces operand `index` of `op` by a new f32 constant of `type` (null:
/// the old operand's type) holding `data`, built just before `op` (see
/// setOperandDroppingDead).
void replaceF32Operand(mlir::Operation *op, unsigned index,
                       mlir::RankedTensorType type, llvm::ArrayRef<float> data);

/// The per-channel ops that commute with duplicating or permuting
/// channels (relu, leaky_relu, clamp, pooling).
bool isPerChannel(mlir::Operation *op);

/// Ops for which f(a x) = a f(x) for a > 0, channel by channel.
bool isPositivelyHomogeneous(mlir::Operation *op);

/// The chain of single-use ops from a producer to a value (consumer side
/// first), and the producer's result: what channel rewrites walk to reach
/// the convolution that produces a convolution's input.
struct ChannelPath {
  llvm::SmallVector<mlir::Operation *> chain;
  mlir::Value source;
  mlir::Operation *blocker = nullptr; ///< the first op not accepted
  bool multiUse = false;              ///< a value on the way has other users
};
ChannelPath traceChannelPath(mlir::Value input,
                             llvm::function_ref<bool(mlir::Operation *)> accept);

/// The file a per-function report of `func` goes to: `path` itself when
/// the module has one function ('-' stays '-'), else `path` with
/// `.<function name>` before its extension, so that functions (which
/// passes may process in parallel) never share a file.
std::string reportPathFor(mlir::func::FuncOp func, llvm::StringRef path);

/// Writes `text` to `path` ('-': stderr); on failure emits an error on
/// `op` naming `what` and the path.
mlir::LogicalResult writeTextFile(mlir::Operation *op, llvm::StringRef path,
                                  llvm::StringRef text, llvm::StringRef what);

/// "file:line:col" for a file location, else the printed location.
std::string formatLoc(mlir::Location loc);

/// A readable name for a layer: the name in its location (an ONNX node
/// name, `loc("name")`, also inside fused locations), else
/// `<op>@line:col`, else the printed location. Names survive a round trip
/// through a file only when it is printed with locations
/// (`--mlir-print-debuginfo`; cgnet-translate does so by default).
std::string layerName(mlir::Operation *op);

} // namespace cgnet

#endif // CGNET_DIALECT_CGNET_TRANSFORMS_TRANSFORMUTILS_H
