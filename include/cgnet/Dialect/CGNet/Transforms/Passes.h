//===- Passes.h - cgnet transformation passes -------------------*- C++ -*-===//

#ifndef CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_H
#define CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Pass/Pass.h"
#include <string>

namespace cgnet {

#define GEN_PASS_DECL
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"

/// Report files every run of --cgnet-quantize writes unless its own
/// `report`/`report-table` options say otherwise; cgnet-opt's
/// --cgnet-quant-report and --cgnet-quant-report-table set them.
std::string &quantReportPathOption();
std::string &quantReportTableOption();

#define GEN_PASS_REGISTRATION
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"

} // namespace cgnet

#endif // CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_H
