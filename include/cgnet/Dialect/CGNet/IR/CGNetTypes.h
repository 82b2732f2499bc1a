//===- CGNetTypes.h - numeric classification of element types ---*- C++ -*-===//
//
// Every cgnet op works on f32 ("float") or on integers whose storage is an
// integer type or an upstream !quant.uniform type ("integer-like"). This
// header classifies element types once, for verifiers, passes and every
// executor alike.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_DIALECT_CGNET_IR_CGNETTYPES_H
#define CGNET_DIALECT_CGNET_IR_CGNETTYPES_H

#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/SmallVector.h"
#include <optional>

namespace cgnet {

enum class NumericKind { Float, Integer, Quantized };

/// What an executor needs to know about one element type.
struct ElementInfo {
  NumericKind kind = NumericKind::Float;
  /// Width of the storage range in bits (4 for `i8<-8:7>`); 32 for f32.
  unsigned bits = 32;
  bool isSigned = true;
  int64_t storageMin = 0, storageMax = 0;
  /// Quantized types: the axis of per-axis parameters, or -1 per tensor.
  int32_t quantizedDim = -1;
  llvm::SmallVector<double, 1> scales;
  llvm::SmallVector<int64_t, 1> zeroPoints;

  bool isFloat() const { return kind == NumericKind::Float; }
  bool isIntegerLike() const { return kind != NumericKind::Float; }
  bool isPerAxis() const { return quantizedDim >= 0; }
  /// Zero point of channel `c` along the quantized dimension (0 for plain
  /// integers).
  int64_t zeroPoint(int64_t c = 0) const {
    if (zeroPoints.empty())
      return 0;
    return zeroPoints.size() == 1 ? zeroPoints[0] : zeroPoints[c];
  }
  double scale(int64_t c = 0) const {
    if (scales.empty())
      return 1.0;
    return scales.size() == 1 ? scales[0] : scales[c];
  }
  bool hasZeroPoints() const {
    for (int64_t zp : zeroPoints)
      if (zp != 0)
        return true;
    return false;
  }
};

/// Classifies `type` (an element type or a shaped type's element type).
/// Returns std::nullopt for element types cgnet does not support
/// (anything but f32, signless/signed/unsigned integers up to 32 bits and
/// !quant.uniform with such storage).
std::optional<ElementInfo> getElementInfo(mlir::Type type);

/// True for f32 element types / tensors of f32.
bool isFloatType(mlir::Type type);
/// True for integer or !quant.uniform element types / tensors of them.
bool isIntegerLikeType(mlir::Type type);
/// True for `i32` (the accumulator type).
bool isAccumulatorType(mlir::Type type);

/// Saturates `v` to the storage range of `info`.
inline int64_t saturate(int64_t v, const ElementInfo &info) {
  return v < info.storageMin ? info.storageMin
                             : (v > info.storageMax ? info.storageMax : v);
}

} // namespace cgnet

#endif // CGNET_DIALECT_CGNET_IR_CGNETTYPES_H
