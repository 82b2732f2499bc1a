//===- Passes.h - cgnet transformation passes -------------------*- C++ -*-===//

#ifndef CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_H
#define CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Pass/Pass.h"

namespace cgnet {

#define GEN_PASS_DECL
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"

} // namespace cgnet

#endif // CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_H
