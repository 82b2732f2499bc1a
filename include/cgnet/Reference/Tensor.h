//===- Tensor.h - host tensors of the reference evaluator -------*- C++ -*-===//

#ifndef CGNET_REFERENCE_TENSOR_H
#define CGNET_REFERENCE_TENSOR_H

#include "llvm/ADT/ArrayRef.h"
#include <cstdint>
#include <string>
#include <vector>

namespace cgnet::ref {

/// A dense row-major tensor: float elements, or integer storage values (all
/// cgnet integer types fit in 32 bits).
/// The number of elements of `shape`, INT64_MAX when the product
/// overflows (MLIR's ShapedType::getNumElements wraps around), so that
/// size limits reject such shapes.
int64_t elementCount(llvm::ArrayRef<int64_t> shape);

struct Tensor {
  std::vector<int64_t> shape;
  bool isFloat = true;
  std::vector<float> f;
  std::vector<int32_t> i;

  static Tensor floats(std::vector<int64_t> shape);
  static Tensor ints(std::vector<int64_t> shape);

  int64_t numElements() const;
  /// "1x3x8x8" with the element kind, for messages.
  std::string describe() const;
};

} // namespace cgnet::ref

#endif // CGNET_REFERENCE_TENSOR_H
