//===- Evaluator.h - the reference evaluator --------------------*- C++ -*-===//
//
// Executes a func.func of cgnet ops with plain C++ loops. This is the
// definition of every op's semantics and the oracle that the CPU backend and
// the accelerator simulator are checked against. Float ops accumulate in
// double and store f32; integer ops follow IntegerArith.h.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_REFERENCE_EVALUATOR_H
#define CGNET_REFERENCE_EVALUATOR_H

#include "cgnet/Reference/Tensor.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Support/LLVM.h"
#include <functional>
#include <optional>
#include <random>
#include <string>

namespace cgnet::ref {

/// What one gated convolution did in a run.
struct GateStats {
  std::string layer; ///< the op's location
  int64_t outputs = 0;
  int64_t gateOn = 0;
  mlir::Operation *op = nullptr; ///< the gated convolution
};

/// Called with every block argument and every op result as it is computed
/// (calibration and per-layer comparisons read intermediate values this way).
using ValueObserver = std::function<void(mlir::Value, const Tensor &)>;

/// Runs `func` on `inputs` (one per argument, matching the argument types).
/// Emits a diagnostic on the offending op (or the function) and fails on
/// anything it cannot run. `gateStats`, when given, receives one entry per
/// gated convolution executed; `observer`, when given, sees every value.
/// With `stopAfter`, evaluation ends after that op and returns no results.
mlir::FailureOr<std::vector<Tensor>>
evaluate(mlir::func::FuncOp func, llvm::ArrayRef<Tensor> inputs,
         std::vector<GateStats> *gateStats = nullptr,
         const ValueObserver &observer = nullptr,
         mlir::Operation *stopAfter = nullptr);

/// The largest tensor the evaluator materializes (2^28 elements, 1 GiB of
/// f32): bigger values are an error naming the op, not an allocation
/// failure.
constexpr int64_t kMaxTensorElements = int64_t(1) << 28;

/// A deterministic random value of `type` (a statically shaped tensor):
/// floats uniform in [-1, 1], integers uniform in their storage range; what
/// `cgnet-run --random-inputs` feeds and random calibration uses.
/// std::nullopt for other types and for tensors over kMaxTensorElements.
std::optional<Tensor> randomTensor(mlir::Type type, std::mt19937 &rng);

/// Checks that `t` can be passed as a value of `type` (shape, float vs
/// integer, storage range). Returns an empty string when it can, or why not.
std::string checkCompatible(const Tensor &t, mlir::Type type);

} // namespace cgnet::ref

#endif // CGNET_REFERENCE_EVALUATOR_H
