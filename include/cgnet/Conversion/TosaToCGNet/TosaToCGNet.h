//===- TosaToCGNet.h - TOSA to cgnet conversion -----------------*- C++ -*-===//

#ifndef CGNET_CONVERSION_TOSATOCGNET_TOSATOCGNET_H
#define CGNET_CONVERSION_TOSATOCGNET_TOSATOCGNET_H

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/DialectConversion.h"

namespace cgnet {

#define GEN_PASS_DECL_CONVERTTOSATOCGNET
#include "cgnet/Conversion/Passes.h.inc"

/// Adds the patterns that rewrite TOSA layer ops into cgnet ops.
void populateTosaToCGNetConversionPatterns(mlir::RewritePatternSet &patterns);

} // namespace cgnet

#endif // CGNET_CONVERSION_TOSATOCGNET_TOSATOCGNET_H
