//===- ImportONNX.h - ONNX to cgnet -----------------------------*- C++ -*-===//

#ifndef CGNET_TARGET_ONNX_IMPORTONNX_H
#define CGNET_TARGET_ONNX_IMPORTONNX_H

#include "cgnet/Target/ONNX/ONNXModel.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace cgnet {

/// Builds one function per Conv node of `model`, each a single float
/// `cgnet.conv2d` with the node's weights (as dense resources), bias,
/// strides, pads (auto_pad resolved), dilations and groups, on an input of
/// 1 x C x `height` x `width`. Functions are named after the nodes and
/// carry their names as locations. Errors are emitted at `loc`.
mlir::OwningOpRef<mlir::ModuleOp>
importConvLayers(const onnx_import::Model &model, mlir::MLIRContext *context,
                 mlir::Location loc, int64_t height, int64_t width);

/// Registers the ONNX translations with mlir-translate's registry:
/// --import-onnx-conv-layers (and its --conv-input-size option).
void registerONNXTranslations();

} // namespace cgnet

#endif // CGNET_TARGET_ONNX_IMPORTONNX_H
