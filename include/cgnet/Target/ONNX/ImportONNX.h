//===- ImportONNX.h - ONNX to cgnet -----------------------------*- C++ -*-===//

#ifndef CGNET_TARGET_ONNX_IMPORTONNX_H
#define CGNET_TARGET_ONNX_IMPORTONNX_H

#include "cgnet/Target/ONNX/ONNXModel.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"

namespace cgnet {

struct ImportOptions {
  /// Shapes of the graph's inputs, in order (empty: from the model, with
  /// a dynamic leading dimension taken as 1).
  std::vector<std::vector<int64_t>> inputShapes;
  /// Values to return instead of the graph's outputs (cutting the model
  /// at them, e.g. before a final sigmoid), by name.
  std::vector<std::string> outputs;
  std::string functionName = "main";
};

/// Imports the whole graph as one function (float, or quantized where the
/// model is: QuantizeLinear/DequantizeLinear, ConvInteger, QLinearConv);
/// the ops and idioms it maps are listed in docs/user-guide.md; opsets
/// 1-17. Anything else is an error naming the node, the op and the opset,
/// for every such node.
mlir::OwningOpRef<mlir::ModuleOp> importONNX(const onnx_import::Model &model,
                                             mlir::MLIRContext *context,
                                             mlir::Location loc,
                                             const ImportOptions &options);

/// The model's op histogram, each op marked supported or unsupported.
std::string opStatistics(const onnx_import::Model &model);

/// Builds one function per Conv node of `model`, each a single float
/// `cgnet.conv2d` with the node's weights (as dense resources), bias,
/// strides, pads (auto_pad resolved), dilations and groups, on an input of
/// 1 x C x `height` x `width`. Functions are named after the nodes and
/// carry their names as locations. Errors are emitted at `loc`.
mlir::OwningOpRef<mlir::ModuleOp>
importConvLayers(const onnx_import::Model &model, mlir::MLIRContext *context,
                 mlir::Location loc, int64_t height, int64_t width);

/// Registers the ONNX translations with mlir-translate's registry:
/// --import-onnx (with --onnx-input-shape and --op-stats) and
/// --import-onnx-conv-layers (with --conv-input-size).
void registerONNXTranslations();
/// `--export-onnx` (lib/Target/ONNX/ExportONNX.cpp): a float function as
/// an ONNX model; registered by registerONNXTranslations.
void registerONNXExport();

} // namespace cgnet

#endif // CGNET_TARGET_ONNX_IMPORTONNX_H
