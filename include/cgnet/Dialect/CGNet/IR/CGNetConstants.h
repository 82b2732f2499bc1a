//===- CGNetConstants.h - reading and building constant tensors -*- C++ -*-===//
//
// Weights, biases and thresholds are `arith.constant` tensors, inline
// (`dense<...>`) or as resources (`dense_resource<...>`, what the ONNX
// importer writes). Integer weights of quantized models are integer
// constants seen through `quant.scast`. These helpers read and build them in
// one place for passes and executors.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_DIALECT_CGNET_IR_CGNETCONSTANTS_H
#define CGNET_DIALECT_CGNET_IR_CGNETCONSTANTS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Value.h"
#include <optional>
#include <vector>

namespace cgnet {

/// The elements of a dense or dense_resource attribute of f32 type, in
/// row-major order; std::nullopt for anything else.
std::optional<std::vector<float>> readF32Elements(mlir::Attribute attr);
/// The elements of a dense or dense_resource attribute of integer type
/// (sign-extended, or zero-extended for unsigned types).
std::optional<std::vector<int64_t>> readIntElements(mlir::Attribute attr);

/// The value attribute of the constant that defines `value` (looking through
/// `quant.scast`), or null.
mlir::Attribute getConstantAttr(mlir::Value value);

/// `v` (stored bits of a `width`-bit integer) read as a signed or unsigned
/// `width`-bit value: how `quant.scast` reinterprets storage.
inline int64_t wrapStored(int64_t v, unsigned width, bool isSigned) {
  if (width >= 64)
    return v;
  int64_t span = int64_t(1) << width;
  v &= span - 1;
  return isSigned && v >= span / 2 ? v - span : v;
}

/// The storage width and signedness of an integer or quantized element
/// type (or of a shaped type's elements); std::nullopt for others.
std::optional<std::pair<unsigned, bool>> storageOf(mlir::Type type);

/// The integers a constant `value` holds (through `quant.scast`), read as
/// `value`'s own element type holds them: zero-extended where it is
/// unsigned (a `!quant.uniform<u8:...>` cast from signless i8 bits).
std::optional<std::vector<int64_t>> getConstantInts(mlir::Value value);

/// True when getConstantF32 would succeed on `value`, without decoding
/// it (for checks that come before the real read).
bool isF32Constant(mlir::Value value);

/// Convenience: the f32 elements of a constant value.
std::optional<std::vector<float>> getConstantF32(mlir::Value value);

/// Builds an `arith.constant` of f32 `type` holding `data`.
mlir::Value createF32Constant(mlir::OpBuilder &builder, mlir::Location loc,
                              mlir::RankedTensorType type,
                              llvm::ArrayRef<float> data);

/// Builds an `arith.constant` of f32 `type` holding `data` as a dense
/// resource named `name` (weights: printed once at the end of the file,
/// not as giant inline text).
mlir::Value createF32ResourceConstant(mlir::OpBuilder &builder,
                                      mlir::Location loc,
                                      mlir::RankedTensorType type,
                                      llvm::ArrayRef<float> data,
                                      llvm::StringRef name);
/// The same for 8-bit integer storage (`type`'s elements are i8): the
/// stored bytes of quantized weights.
mlir::Value createI8ResourceConstant(mlir::OpBuilder &builder,
                                     mlir::Location loc,
                                     mlir::RankedTensorType type,
                                     llvm::ArrayRef<int8_t> data,
                                     llvm::StringRef name);

/// The values of `attr`, viewed row-major with `shape` (same element
/// count), with their dimensions permuted: result dimension d is dimension
/// perm[d] of the view. Dense attributes are copied as raw bytes.
mlir::DenseElementsAttr permuteElements(mlir::ElementsAttr attr,
                                        llvm::ArrayRef<int64_t> shape,
                                        llvm::ArrayRef<int64_t> perm);

} // namespace cgnet

#endif // CGNET_DIALECT_CGNET_IR_CGNETCONSTANTS_H
