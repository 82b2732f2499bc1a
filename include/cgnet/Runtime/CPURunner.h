//===- CPURunner.h - compile and run a cgnet function on the CPU -*- C++ -*-===//

#ifndef CGNET_RUNTIME_CPURUNNER_H
#define CGNET_RUNTIME_CPURUNNER_H

#include "cgnet/Reference/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include <vector>

namespace cgnet {

/// Compiles `module` with the CPU pipeline (cgnet/Conversion/CGNetToCPU)
/// and runs function `entry` with the LLVM ORC JIT on `inputs` (f32
/// tensors), returning its f32 results. The module is cloned; diagnostics
/// go to the context's handler. Fails (with a diagnostic) on what the
/// pipeline cannot lower or on non-f32 arguments and results.
mlir::FailureOr<std::vector<ref::Tensor>>
runOnCPU(mlir::ModuleOp module, llvm::StringRef entry,
         llvm::ArrayRef<ref::Tensor> inputs);

/// Registers what the CPU pipeline needs in a context's registry (upstream
/// dialects' external models, LLVM translations).
void registerCPUBackend(mlir::DialectRegistry &registry);

} // namespace cgnet

#endif // CGNET_RUNTIME_CPURUNNER_H
