//===- CGNetToCGIsa.h - cgnet to accelerator programs -----------*- C++ -*-===//

#ifndef CGNET_CONVERSION_CGNETTOCGISA_CGNETTOCGISA_H
#define CGNET_CONVERSION_CGNETTOCGISA_CGNETTOCGISA_H

#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace cgnet {

#define GEN_PASS_DECL_CONVERTCGNETTOCGISA
#include "cgnet/Conversion/Passes.h.inc"

/// Choices of the compiler that do not change results.
struct CGIsaOptions {
  /// Run a residual add (and the requantizations and ReLU around it) in
  /// the post-processing of the convolution that feeds it.
  bool fuseResidual = true;
  /// Run a max or average pool of a convolution's result in that
  /// convolution's tiles.
  bool fusePool = true;
};

/// Compiles `func` into a `cgisa.program` built before it (the function is
/// left in place). Emits diagnostics on the op that cannot be compiled.
mlir::FailureOr<cgisa::ProgramOp>
compileToCGIsa(mlir::func::FuncOp func, const isa::AccelConfig &config,
               const CGIsaOptions &options = {});

} // namespace cgnet

#endif // CGNET_CONVERSION_CGNETTOCGISA_CGNETTOCGISA_H
