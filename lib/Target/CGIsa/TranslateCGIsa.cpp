//===- TranslateCGIsa.cpp - cgisa translations ----------------------------===//
//
// The binary and the text form are written from one isa::Program, built
// from the `cgisa.program` op or read from the other form, so every
// direction shares the encoding table of Instructions.def.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Target/CGIsa/TranslateCGIsa.h"
#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.h"
#include "cgnet/Target/CGIsa/ISA.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace cgnet {

static FailureOr<isa::Program> programOf(ModuleOp module) {
  auto programs = llvm::to_vector(module.getOps<cgisa::ProgramOp>());
  if (programs.size() != 1)
    return module.emitError()
           << "expected exactly one cgisa.program (from "
              "--convert-cgnet-to-cgisa), found "
           << programs.size();
  return cgisa::toProgram(programs.front());
}

static LogicalResult reportError(const std::shared_ptr<llvm::SourceMgr> &sm,
                                 MLIRContext *ctx, llvm::Error e) {
  StringRef name =
      sm->getMemoryBuffer(sm->getMainFileID())->getBufferIdentifier();
  emitError(FileLineColLoc::get(ctx, name, 0, 0)) << llvm::toString(std::move(e));
  return failure();
}

/// Registers a translation from a module holding one cgisa.program to
/// `write`'s output.
static void
registerEmit(StringRef name, StringRef description,
             LogicalResult (*write)(ModuleOp, const isa::Program &,
                                    llvm::raw_ostream &)) {
  TranslateFromMLIRRegistration(
      name, description,
      [write](Operation *op, llvm::raw_ostream &os) -> LogicalResult {
        auto module = dyn_cast<ModuleOp>(op);
        if (!module)
          return op->emitError("expected a module");
        FailureOr<isa::Program> p = programOf(module);
        if (failed(p))
          return failure();
        return write(module, *p, os);
      },
      [](DialectRegistry &r) {
        r.insert<cgisa::CGIsaDialect, func::FuncDialect>();
      });
}

void registerCGIsaTranslations() {
  static bool once = false;
  if (once)
    return;
  once = true;
  registerEmit(
      "emit-cgisa-bin", "Write a cgisa.program as an accelerator binary",
      [](ModuleOp module, const isa::Program &p,
         llvm::raw_ostream &os) -> LogicalResult {
        if (llvm::Error e = isa::writeBinary(p, os))
          return module.emitError() << llvm::toString(std::move(e));
        return success();
      });
  registerEmit(
      "emit-cgisa-asm", "Write a cgisa.program as accelerator assembly",
      [](ModuleOp, const isa::Program &p,
         llvm::raw_ostream &os) -> LogicalResult {
        isa::writeAssembly(p, os);
        return success();
      });
  static TranslateRegistration disassemble(
      "disassemble-cgisa", "Accelerator binary -> assembly",
      [](const std::shared_ptr<llvm::SourceMgr> &sm, llvm::raw_ostream &os,
         MLIRContext *ctx) -> LogicalResult {
        StringRef buf = sm->getMemoryBuffer(sm->getMainFileID())->getBuffer();
        auto p = isa::readBinary(ArrayRef<uint8_t>(
            reinterpret_cast<const uint8_t *>(buf.data()), buf.size()));
        if (!p)
          return reportError(sm, ctx, p.takeError());
        if (llvm::Error e = isa::verifyProgram(*p))
          return reportError(sm, ctx, std::move(e));
        isa::writeAssembly(*p, os);
        return success();
      });
  static TranslateRegistration assemble(
      "assemble-cgisa", "Accelerator assembly -> binary",
      [](const std::shared_ptr<llvm::SourceMgr> &sm, llvm::raw_ostream &os,
         MLIRContext *ctx) -> LogicalResult {
        StringRef buf = sm->getMemoryBuffer(sm->getMainFileID())->getBuffer();
        auto p = isa::readAssembly(buf);
        if (!p)
          return reportError(sm, ctx, p.takeError());
        if (llvm::Error e = isa::verifyProgram(*p))
          return reportError(sm, ctx, std::move(e));
        if (llvm::Error e = isa::writeBinary(*p, os))
          return reportError(sm, ctx, std::move(e));
        return success();
      });
}

} // namespace cgnet
