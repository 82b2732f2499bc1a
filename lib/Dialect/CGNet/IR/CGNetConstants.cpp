//===- CGNetConstants.cpp - reading and building constant tensors ---------===//

#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include <cstring>

using namespace mlir;

namespace cgnet {

/// Raw little-endian bytes of a dense_resource attribute, or std::nullopt.
static std::optional<ArrayRef<char>> resourceBytes(Attribute attr) {
  auto res = dyn_cast<DenseResourceElementsAttr>(attr);
  if (!res)
    return std::nullopt;
  AsmResourceBlob *blob = res.getRawHandle().getBlob();
  if (!blob)
    return std::nullopt;
  return blob->getData();
}

/// True when `attr` holds f32 elements that readF32Elements can read.
static bool holdsF32Elements(Attribute attr) {
  auto typed = dyn_cast_or_null<TypedAttr>(attr);
  if (!typed)
    return false;
  auto type = dyn_cast<ShapedType>(typed.getType());
  if (!type || !type.getElementType().isF32())
    return false;
  if (isa<DenseFPElementsAttr>(attr))
    return true;
  auto bytes = resourceBytes(attr);
  return bytes &&
         bytes->size() == static_cast<size_t>(type.getNumElements()) *
                              sizeof(float);
}

std::optional<std::vector<float>> readF32Elements(Attribute attr) {
  if (!holdsF32Elements(attr))
    return std::nullopt;
  auto type = cast<ShapedType>(cast<TypedAttr>(attr).getType());
  if (auto dense = dyn_cast<DenseFPElementsAttr>(attr)) {
    std::vector<float> out;
    out.reserve(type.getNumElements());
    for (APFloat v : dense.getValues<APFloat>())
      out.push_back(v.convertToFloat());
    return out;
  }
  ArrayRef<char> bytes = *resourceBytes(attr);
  std::vector<float> out(type.getNumElements());
  std::memcpy(out.data(), bytes.data(), out.size() * sizeof(float));
  return out;
}

std::optional<std::vector<int64_t>> readIntElements(Attribute attr) {
  auto typed = dyn_cast_or_null<TypedAttr>(attr);
  if (!typed)
    return std::nullopt;
  auto type = dyn_cast<ShapedType>(typed.getType());
  if (!type)
    return std::nullopt;
  auto intType = dyn_cast<IntegerType>(type.getElementType());
  if (!intType || intType.getWidth() > 64)
    return std::nullopt;
  bool isUnsigned = intType.isUnsigned();
  if (auto dense = dyn_cast<DenseIntElementsAttr>(attr)) {
    std::vector<int64_t> out;
    out.reserve(type.getNumElements());
    for (APInt v : dense.getValues<APInt>())
      out.push_back(isUnsigned ? static_cast<int64_t>(v.getZExtValue())
                               : v.getSExtValue());
    return out;
  }
  if (auto bytes = resourceBytes(attr)) {
    unsigned width = intType.getWidth();
    if (width != 8 && width != 16 && width != 32 && width != 64)
      return std::nullopt;
    size_t n = type.getNumElements(), size = width / 8;
    if (bytes->size() != n * size)
      return std::nullopt;
    std::vector<int64_t> out(n);
    for (size_t i = 0; i < n; ++i) {
      uint64_t raw = 0;
      std::memcpy(&raw, bytes->data() + i * size, size);
      if (!isUnsigned && width < 64 && (raw >> (width - 1)) & 1)
        raw |= ~uint64_t(0) << width;
      out[i] = static_cast<int64_t>(raw);
    }
    return out;
  }
  return std::nullopt;
}

Attribute getConstantAttr(Value value) {
  if (auto scast = value.getDefiningOp<quant::StorageCastOp>())
    value = scast.getInput();
  if (auto constant = value.getDefiningOp<arith::ConstantOp>())
    return constant.getValue();
  return {};
}

std::optional<std::pair<unsigned, bool>> storageOf(Type type) {
  Type elem = getElementTypeOrSelf(type);
  if (auto q = dyn_cast<quant::QuantizedType>(elem))
    return std::make_pair(q.getStorageTypeIntegralWidth(), q.isSigned());
  if (auto i = dyn_cast<IntegerType>(elem))
    return std::make_pair(i.getWidth(), !i.isUnsigned());
  return std::nullopt;
}

std::optional<std::vector<int64_t>> getConstantInts(Value value) {
  auto values = readIntElements(getConstantAttr(value));
  auto storage = storageOf(value.getType());
  if (!values || !storage)
    return std::nullopt;
  for (int64_t &v : *values)
    v = wrapStored(v, storage->first, storage->second);
  return values;
}

bool isF32Constant(Value value) {
  return holdsF32Elements(getConstantAttr(value));
}

std::optional<std::vector<float>> getConstantF32(Value value) {
  return readF32Elements(getConstantAttr(value));
}

Value createF32Constant(OpBuilder &builder, Location loc, RankedTensorType type,
                        ArrayRef<float> data) {
  auto attr = DenseElementsAttr::get(type, data);
  return arith::ConstantOp::create(builder, loc, attr);
}

template <typename T>
static Value createResourceConstant(OpBuilder &builder, Location loc,
                                    RankedTensorType type, ArrayRef<T> data,
                                    StringRef name) {
  // No elements (a degenerate shape): nothing to keep out of line, and no
  // blob to copy from.
  if (data.empty())
    return arith::ConstantOp::create(builder, loc,
                                     DenseElementsAttr::get(type, data));
  auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(data);
  return arith::ConstantOp::create(
      builder, loc, DenseResourceElementsAttr::get(type, name, std::move(blob)));
}

Value createF32ResourceConstant(OpBuilder &builder, Location loc,
                                RankedTensorType type, ArrayRef<float> data,
                                StringRef name) {
  return createResourceConstant(builder, loc, type, data, name);
}

Value createI8ResourceConstant(OpBuilder &builder, Location loc,
                               RankedTensorType type, ArrayRef<int8_t> data,
                               StringRef name) {
  return createResourceConstant(builder, loc, type, data, name);
}

DenseElementsAttr permuteElements(ElementsAttr attr, ArrayRef<int64_t> shape,
                                  ArrayRef<int64_t> perm) {
  Type elem = attr.getElementType();
  size_t rank = shape.size();
  SmallVector<int64_t> outShape, inStride(rank, 1);
  for (int64_t d : perm)
    outShape.push_back(shape[d]);
  for (size_t d = rank; d-- > 1;)
    inStride[d - 1] = inStride[d] * shape[d];
  auto type = RankedTensorType::get(outShape, elem);
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (dense && dense.isSplat())
    return dense.reshape(type);
  // The source index of every result element, in order.
  int64_t n = attr.getNumElements();
  std::vector<int64_t> from(n);
  SmallVector<int64_t> idx(rank, 0);
  for (int64_t e = 0; e < n; ++e) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d)
      src += idx[d] * inStride[perm[d]];
    from[e] = src;
    for (size_t d = rank; d-- > 0;) {
      if (++idx[d] < outShape[d])
        break;
      idx[d] = 0;
    }
  }
  unsigned bits = elem.isIntOrFloat() ? elem.getIntOrFloatBitWidth() : 0;
  if (dense && bits % 8 == 0 && bits > 0) {
    size_t bytes = bits / 8;
    ArrayRef<char> raw = dense.getRawData();
    std::vector<char> to(raw.size());
    for (int64_t e = 0; e < n; ++e)
      std::memcpy(&to[e * bytes], &raw[from[e] * bytes], bytes);
    return DenseElementsAttr::getFromRawBuffer(type, to);
  }
  if (isa<FloatType>(elem)) {
    SmallVector<APFloat> src(attr.getValues<APFloat>()), dst;
    for (int64_t s : from)
      dst.push_back(src[s]);
    return DenseElementsAttr::get(type, dst);
  }
  SmallVector<APInt> src(attr.getValues<APInt>()), dst;
  for (int64_t s : from)
    dst.push_back(src[s]);
  return DenseElementsAttr::get(type, dst);
}

} // namespace cgnet
