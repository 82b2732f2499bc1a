//===- ONNXModel.h - reading ONNX models ------------------------*- C++ -*-===//
//
// Loads an ONNX model (Debian's libonnx protobuf classes) and gives access
// to its constant tensors (graph initializers and Constant nodes) and its
// convolution layers. This is the reading half that per-layer studies (OCS
// on real weights, the OCS benchmark) need; the whole-graph importer builds
// on it.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_TARGET_ONNX_ONNXMODEL_H
#define CGNET_TARGET_ONNX_ONNXMODEL_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace onnx {
class ModelProto;
class TensorProto;
} // namespace onnx

namespace cgnet::onnx_import {

/// A float constant tensor of the model.
struct FloatTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

/// One ONNX Conv node with constant float weights.
struct ConvLayer {
  std::string name;   ///< the node's name (or "Conv_<index>")
  int64_t index = 0;  ///< position among the model's Conv nodes
  FloatTensor weight; ///< O x I/groups x kh x kw
  std::vector<float> bias; ///< empty when the node has none
  int64_t groups = 1;
  std::vector<int64_t> strides{1, 1}, dilations{1, 1};
  std::vector<int64_t> pads{0, 0, 0, 0}; ///< ONNX order: top, left, bottom, right
  std::string autoPad = "NOTSET";
};

class Model;

/// True for the auto_pad values ONNX defines (NOTSET, VALID, SAME_UPPER,
/// SAME_LOWER).
bool isKnownAutoPad(llvm::StringRef autoPad);

/// Output extent of a convolution or pooling window along one axis, with
/// `auto_pad` resolved: for SAME_* and VALID the padding is computed into
/// `padBefore`/`padAfter`, for NOTSET they are used as given. 0 when the
/// window does not fit.
int64_t resolveWindow(llvm::StringRef autoPad, int64_t in, int64_t kernel,
                      int64_t stride, int64_t dilation, int64_t &padBefore,
                      int64_t &padAfter);

/// The elements of a constant tensor (float, double, int32 or int64
/// storage, raw or typed fields) as doubles; std::nullopt for other data
/// types, external data or sizes that do not match the shape.
std::optional<std::vector<double>> tensorValues(const onnx::TensorProto &t);

/// `v` as an int64 when it is finite and within int64's range (truncated
/// toward zero); std::nullopt otherwise (a corrupt or hostile model's
/// 1e30 shape, index or scale).
inline std::optional<int64_t> toInt64(double v) {
  if (!(v > -9.2e18 && v < 9.2e18))
    return std::nullopt;
  return static_cast<int64_t>(v);
}

/// Parses the ONNX protobuf in `bytes` (`what` names it in errors).
llvm::Expected<std::unique_ptr<Model>> parseModel(llvm::StringRef bytes,
                                                  llvm::StringRef what);

/// A parsed model.
class Model {
public:
  ~Model();
  /// The model's default-domain opset.
  int64_t opset() const;
  /// The protobuf itself (libonnx's classes).
  const onnx::ModelProto &proto() const;
  /// Every Conv node, in graph order. A node whose weight is not a float
  /// constant, or a 1-D/3-D convolution, is an error naming the node.
  llvm::Expected<std::vector<ConvLayer>> convLayers() const;

private:
  /// The float constant feeding `input` of `node`; `what` names the
  /// operand in errors.
  llvm::Expected<FloatTensor> constantInput(const std::string &input,
                                            const std::string &node,
                                            llvm::StringRef what) const;
  friend llvm::Expected<std::unique_ptr<Model>> parseModel(llvm::StringRef,
                                                           llvm::StringRef);
  struct Impl;
  std::unique_ptr<Impl> impl;
  explicit Model(std::unique_ptr<Impl> impl);
};

} // namespace cgnet::onnx_import

#endif // CGNET_TARGET_ONNX_ONNXMODEL_H
