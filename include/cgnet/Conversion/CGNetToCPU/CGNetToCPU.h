//===- CGNetToCPU.h - cgnet to the CPU ---------------------------*- C++ -*-===//

#ifndef CGNET_CONVERSION_CGNETTOCPU_CGNETTOCPU_H
#define CGNET_CONVERSION_CGNETTOCPU_CGNETTOCPU_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace cgnet {

#define GEN_PASS_DECL_CONVERTCGNETTOCPU
#include "cgnet/Conversion/Passes.h.inc"

/// The passes from cgnet on tensors to the LLVM dialect: --convert-cgnet-to-cpu,
/// bufferization (results become out-parameters), loops, LLVM with the
/// bare-pointer calling convention (every argument and result a plain
/// pointer to its row-major data). Also registered as
/// `--cgnet-cpu-pipeline`. Fails when one of the passes is not registered.
mlir::LogicalResult buildCPUPipeline(mlir::OpPassManager &pm);
void registerCGNetCPUPipeline();

} // namespace cgnet

#endif // CGNET_CONVERSION_CGNETTOCPU_CGNETTOCPU_H
