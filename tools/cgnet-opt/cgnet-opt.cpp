//===- cgnet-opt.cpp - cgnet pass driver ----------------------------------===//
//
// mlir-opt with the cgnet dialect, its passes, and the upstream dialects and
// passes a cgnet pipeline uses.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/Passes.h"
#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
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
#include "cgnet/Support/InputLimits.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

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
  registry.insert<cgnet::CGNetDialect, cgnet::cgisa::CGIsaDialect, mlir::arith::ArithDialect,
                  mlir::bufferization::BufferizationDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::LLVM::LLVMDialect, mlir::memref::MemRefDialect,
                  mlir::quant::QuantDialect, mlir::scf::SCFDialect,
                  mlir::tensor::TensorDialect, mlir::tosa::TosaDialect,
                  mlir::vector::VectorDialect, mlir::cf::ControlFlowDialect,
                  mlir::math::MathDialect>();
  // The CPU pipeline is made of upstream passes; bufferization and the
  // lowering to LLVM need the dialects' external interface models.
  mlir::registerAllPasses();
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  cgnet::registerCGNetCPUPipeline();
  cgnet::registerCGNetPasses();
  cgnet::registerCGNetConversionPasses();
  llvm::InitLLVM y(argc, argv);
  auto [inputFilename, outputFilename] = mlir::registerAndParseCLIOptions(
      argc, argv, "cgnet optimizer driver: cgnet dialect passes and pipelines\n",
      registry);
  mlir::MlirOptMainConfig config = mlir::MlirOptMainConfig::createFromCLOptions();
  if (config.shouldShowDialects() || config.shouldListPasses())
    return mlir::asMainReturnCode(
        mlir::MlirOptMain(argc, argv, inputFilename, outputFilename, registry));
  // Read the input ourselves to refuse what the MLIR parser cannot take
  // (cgnet/Support/InputLimits.h) before handing it over.
  std::string error;
  auto file = mlir::openInputFile(inputFilename, &error);
  if (!file) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (auto tooDeep = cgnet::checkNestingDepth(file->getBuffer(),
                                              file->getBufferIdentifier())) {
    llvm::errs() << *tooDeep << "\n";
    return 1;
  }
  auto output = mlir::openOutputFile(outputFilename, &error);
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (mlir::failed(
          mlir::MlirOptMain(output->os(), std::move(file), registry, config)))
    return 1;
  output->keep();
  return 0;
}
