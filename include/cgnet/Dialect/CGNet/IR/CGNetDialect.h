//===- CGNetDialect.h - cgnet dialect ---------------------------*- C++ -*-===//

#ifndef CGNET_DIALECT_CGNET_IR_CGNETDIALECT_H
#define CGNET_DIALECT_CGNET_IR_CGNETDIALECT_H

#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Dialect.h"

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h.inc"

#endif // CGNET_DIALECT_CGNET_IR_CGNETDIALECT_H
