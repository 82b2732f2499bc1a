//===- cgnet-translate.cpp - cgnet translation driver ---------------------===//
//
// mlir-translate with cgnet's translations: ONNX import (the whole graph,
// or one function per Conv node) and the accelerator's binary and text
// forms (--emit-cgisa-bin, --emit-cgisa-asm, --disassemble-cgisa,
// --assemble-cgisa), and upstream's --mlir-to-llvmir for the CPU
// pipeline's output (cgnet-opt --cgnet-cpu-pipeline).
//
// Imported ops carry their ONNX node names as locations, which passes use
// as layer names (threshold files, reports). The output is printed with
// locations (--mlir-print-debuginfo) unless the command line says
// otherwise, so the names survive the round trip through a file.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Target/CGIsa/TranslateCGIsa.h"
#include "cgnet/Target/ONNX/ImportONNX.h"

#include "mlir/InitAllTranslations.h"
#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"
#include "llvm/ADT/StringRef.h"
#include <vector>

int main(int argc, char **argv) {
  cgnet::registerONNXTranslations();
  cgnet::registerCGIsaTranslations();
  mlir::registerToLLVMIRTranslation();
  std::vector<char *> args(argv, argv + argc);
  bool userChose = false;
  for (int i = 1; i < argc; ++i)
    if (llvm::StringRef(argv[i]).ltrim('-').starts_with("mlir-print-debuginfo"))
      userChose = true;
  static char debugInfo[] = "--mlir-print-debuginfo";
  if (!userChose)
    args.insert(args.begin() + 1, debugInfo);
  return mlir::failed(mlir::mlirTranslateMain(static_cast<int>(args.size()),
                                              args.data(),
                                              "cgnet translation driver\n"))
             ? 1
             : 0;
}
