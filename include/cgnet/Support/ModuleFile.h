//===- ModuleFile.h - reading a model and picking its function -*- C++ -*-===//
//
// Shared by the tools that take a cgnet module (cgnet-run, cgnet-compile):
// open, bound the nesting depth, parse and verify; choose the function.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_SUPPORT_MODULEFILE_H
#define CGNET_SUPPORT_MODULEFILE_H

#include "cgnet/Support/InputLimits.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace cgnet {

/// Parses and verifies the module in `path` ('-': stdin). Problems with the
/// file are printed as "<tool>: error: ..."; parse and verifier errors go
/// to the context's diagnostic handler (e.g. one on `sourceMgr`).
inline mlir::OwningOpRef<mlir::ModuleOp>
parseModuleFile(llvm::StringRef path, mlir::MLIRContext &context,
                llvm::SourceMgr &sourceMgr, llvm::StringRef tool) {
  std::string errorMessage;
  auto file = mlir::openInputFile(path, &errorMessage);
  if (!file) {
    llvm::errs() << tool << ": error: " << errorMessage << "\n";
    return {};
  }
  if (auto tooDeep =
          checkNestingDepth(file->getBuffer(), file->getBufferIdentifier())) {
    llvm::errs() << *tooDeep << "\n";
    return {};
  }
  sourceMgr.AddNewSourceBuffer(std::move(file), llvm::SMLoc());
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module || mlir::failed(module->verify()))
    return {};
  return module;
}

/// The function a tool works on: `entry` when given, else the module's
/// only function, else @main. Sets `why` when there is none.
inline mlir::func::FuncOp pickFunction(mlir::ModuleOp module,
                                       llvm::StringRef entry,
                                       std::string &why) {
  llvm::SmallVector<mlir::func::FuncOp> funcs(
      module.getOps<mlir::func::FuncOp>());
  mlir::func::FuncOp func;
  if (!entry.empty()) {
    func = module.lookupSymbol<mlir::func::FuncOp>(entry);
    if (!func)
      why = ("no function named '" + entry + "'").str();
  } else if (funcs.empty()) {
    why = "the module has no functions";
  } else if (funcs.size() == 1) {
    func = funcs.front();
  } else {
    func = module.lookupSymbol<mlir::func::FuncOp>("main");
    if (!func)
      why = ("the module has " + llvm::Twine(funcs.size()) +
             " functions and none is @main; pick one with --entry")
                .str();
  }
  return func;
}

} // namespace cgnet

#endif // CGNET_SUPPORT_MODULEFILE_H
