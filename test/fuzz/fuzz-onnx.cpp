//===- fuzz-onnx.cpp - libFuzzer: the ONNX importer on mutated models -----===//

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Target/ONNX/ImportONNX.h"
#include "cgnet/Target/ONNX/ONNXModel.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

using namespace mlir;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  llvm::StringRef bytes(reinterpret_cast<const char *>(data), size);
  auto model = cgnet::onnx_import::parseModel(bytes, "fuzz.onnx");
  if (!model) {
    llvm::consumeError(model.takeError());
    return 0;
  }
  if (auto layers = (*model)->convLayers(); !layers)
    llvm::consumeError(layers.takeError());
  (void)cgnet::opStatistics(**model);
  MLIRContext context;
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) {
    return success();
  });
  cgnet::ImportOptions options;
  (void)cgnet::importONNX(**model, &context, UnknownLoc::get(&context),
                          options);
  (void)cgnet::importConvLayers(**model, &context, UnknownLoc::get(&context),
                                8, 8);
  return 0;
}
