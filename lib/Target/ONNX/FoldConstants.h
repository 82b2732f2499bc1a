//===- FoldConstants.h - ONNX shape computations evaluated at import ------===//
//
// Exporters (paddle2onnx, torch.onnx) compute reshape targets at run time:
// Shape -> Cast -> Slice -> Concat -> Reshape. With static shapes these
// subgraphs are constants; the importer evaluates them here instead of
// importing them.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_LIB_TARGET_ONNX_FOLDCONSTANTS_H
#define CGNET_LIB_TARGET_ONNX_FOLDCONSTANTS_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <functional>
#include <onnx/onnx_pb.h>
#include <optional>
#include <vector>

namespace cgnet::onnx_import {

/// The ops foldConstantNode evaluates (Concat only when all its inputs are
/// constants; the importer maps other Concats).
bool isShapeOp(llvm::StringRef opType);

/// What folding needs from the importer: the constant an input names (or
/// null), and the static shape of any value it names (constant or not).
struct FoldContext {
  std::function<const onnx::TensorProto *(const std::string &)> constant;
  std::function<std::optional<std::vector<int64_t>>(const std::string &)>
      shape;
  int64_t opset = 0;
};

/// Evaluates `n` (an op of isShapeOp) on constant inputs into the constant
/// of its first output. An error says why it cannot: an input that is not
/// a constant, an attribute or type outside what folding supports.
llvm::Expected<onnx::TensorProto> foldConstantNode(const onnx::NodeProto &n,
                                                   const FoldContext &ctx);

} // namespace cgnet::onnx_import

#endif // CGNET_LIB_TARGET_ONNX_FOLDCONSTANTS_H
