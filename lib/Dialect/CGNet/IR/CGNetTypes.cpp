//===- CGNetTypes.cpp - numeric classification of element types ----------===//

#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinTypes.h"

using namespace mlir;

namespace cgnet {

static unsigned rangeBits(int64_t lo, int64_t hi) {
  uint64_t span = static_cast<uint64_t>(hi - lo);
  unsigned bits = 0;
  while (bits < 64 && (span >> bits) != 0)
    ++bits;
  return bits;
}

std::optional<ElementInfo> getElementInfo(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  ElementInfo info;
  if (type.isF32()) {
    info.kind = NumericKind::Float;
    return info;
  }
  if (auto intType = dyn_cast<IntegerType>(type)) {
    unsigned w = intType.getWidth();
    if (w < 2 || w > 32)
      return std::nullopt;
    info.kind = NumericKind::Integer;
    info.bits = w;
    info.isSigned = !intType.isUnsigned();
    if (info.isSigned) {
      info.storageMin = -(int64_t(1) << (w - 1));
      info.storageMax = (int64_t(1) << (w - 1)) - 1;
    } else {
      info.storageMin = 0;
      info.storageMax = (int64_t(1) << w) - 1;
    }
    return info;
  }
  auto quantType = dyn_cast<quant::QuantizedType>(type);
  if (!quantType || !quantType.getExpressedType().isF32() ||
      quantType.getStorageTypeIntegralWidth() > 32)
    return std::nullopt;
  info.kind = NumericKind::Quantized;
  info.isSigned = quantType.isSigned();
  info.storageMin = quantType.getStorageTypeMin();
  info.storageMax = quantType.getStorageTypeMax();
  info.bits = rangeBits(info.storageMin, info.storageMax);
  if (auto uniform = dyn_cast<quant::UniformQuantizedType>(type)) {
    info.scales.push_back(uniform.getScale());
    info.zeroPoints.push_back(uniform.getZeroPoint());
    return info;
  }
  if (auto perAxis = dyn_cast<quant::UniformQuantizedPerAxisType>(type)) {
    info.quantizedDim = perAxis.getQuantizedDimension();
    info.scales.assign(perAxis.getScales().begin(), perAxis.getScales().end());
    info.zeroPoints.assign(perAxis.getZeroPoints().begin(),
                           perAxis.getZeroPoints().end());
    return info;
  }
  return std::nullopt;
}

bool isFloatType(Type type) {
  auto info = getElementInfo(type);
  return info && info->isFloat();
}

bool isIntegerLikeType(Type type) {
  auto info = getElementInfo(type);
  return info && info->isIntegerLike();
}

bool isAccumulatorType(Type type) {
  if (auto shaped = dyn_cast<ShapedType>(type))
    type = shaped.getElementType();
  return type.isSignlessInteger(32) || type.isSignedInteger(32);
}

} // namespace cgnet
