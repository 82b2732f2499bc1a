//===- cgnet-translate.cpp - cgnet translation driver ---------------------===//
//
// mlir-translate with cgnet's translations: ONNX import (so far the
// per-layer --import-onnx-conv-layers).
//
//===----------------------------------------------------------------------===//

#include "cgnet/Target/ONNX/ImportONNX.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  cgnet::registerONNXTranslations();
  return mlir::failed(
             mlir::mlirTranslateMain(argc, argv, "cgnet translation driver\n"))
             ? 1
             : 0;
}
