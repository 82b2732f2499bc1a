//===- CGNetDialect.cpp - cgnet dialect ------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"

#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace cgnet;

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "cgnet/Dialect/CGNet/IR/CGNetAttrs.cpp.inc"

void CGNetDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "cgnet/Dialect/CGNet/IR/CGNetAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "cgnet/Dialect/CGNet/IR/CGNetOps.cpp.inc"
      >();
}
