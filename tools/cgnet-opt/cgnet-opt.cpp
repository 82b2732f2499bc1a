//===- cgnet-opt.cpp - cgnet pass driver ----------------------------------===//
//
// mlir-opt with the cgnet dialect, its passes, and the upstream dialects and
// passes a cgnet pipeline uses.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/Passes.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tosa/IR/TosaOps.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"

// Report files for every --cgnet-quantize in the pipeline (a pass's own
// report= / report-table= options take precedence).
static llvm::cl::opt<std::string, /*ExternalStorage=*/true> quantReport(
    "cgnet-quant-report",
    llvm::cl::desc("Write --cgnet-quantize's per-layer JSON report to <file>"),
    llvm::cl::value_desc("file"),
    llvm::cl::location(cgnet::quantReportPathOption()));
static llvm::cl::opt<std::string, /*ExternalStorage=*/true> quantReportTable(
    "cgnet-quant-report-table",
    llvm::cl::desc("Write --cgnet-quantize's per-layer table to <file> ('-': "
                   "stderr)"),
    llvm::cl::value_desc("file"),
    llvm::cl::location(cgnet::quantReportTableOption()));

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<cgnet::CGNetDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::LLVM::LLVMDialect, mlir::memref::MemRefDialect,
                  mlir::quant::QuantDialect, mlir::scf::SCFDialect,
                  mlir::tensor::TensorDialect, mlir::tosa::TosaDialect,
                  mlir::vector::VectorDialect>();
  mlir::registerTransformsPasses();
  cgnet::registerCGNetPasses();
  cgnet::registerCGNetConversionPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "cgnet optimizer driver: cgnet dialect passes and pipelines\n",
      registry));
}
