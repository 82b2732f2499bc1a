//===- CGNetOps.h - cgnet operations ----------------------------*- C++ -*-===//

#ifndef CGNET_DIALECT_CGNET_IR_CGNETOPS_H
#define CGNET_DIALECT_CGNET_IR_CGNETOPS_H

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "cgnet/Dialect/CGNet/IR/CGNetEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "cgnet/Dialect/CGNet/IR/CGNetAttrs.h.inc"

#include "cgnet/Dialect/CGNet/IR/CGNetInterfaces.h.inc"

#define GET_OP_CLASSES
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h.inc"

#endif // CGNET_DIALECT_CGNET_IR_CGNETOPS_H
