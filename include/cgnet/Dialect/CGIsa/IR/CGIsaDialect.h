//===- CGIsaDialect.h - the cgisa dialect -----------------------*- C++ -*-===//

#ifndef CGNET_DIALECT_CGISA_IR_CGISADIALECT_H
#define CGNET_DIALECT_CGISA_IR_CGISADIALECT_H

#include "cgnet/Target/CGIsa/ISA.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"

#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.h.inc"

#define GET_OP_CLASSES
#include "cgnet/Dialect/CGIsa/IR/CGIsaOps.h.inc"

namespace cgnet::cgisa {

/// The configuration as the `config` dictionary of a program, and back
/// (checked as a configuration file is).
mlir::DictionaryAttr configToAttr(mlir::MLIRContext *ctx,
                                  const isa::AccelConfig &config);
llvm::Expected<isa::AccelConfig> configFromAttr(mlir::DictionaryAttr attr);

/// The instruction an op stands for (fields from its attributes), or an
/// error on the op. `desc` must be the op's table entry.
mlir::FailureOr<isa::Instr> toInstr(mlir::Operation *op);
/// Builds the op of `instr` at the builder's insertion point, with every
/// non-zero field as an attribute.
mlir::Operation *buildInstr(mlir::OpBuilder &b, mlir::Location loc,
                            const isa::Instr &instr);

/// The program a `cgisa.program` describes, for the binary and text
/// writers and the simulator.
mlir::FailureOr<isa::Program> toProgram(ProgramOp op);

} // namespace cgnet::cgisa

#endif // CGNET_DIALECT_CGISA_IR_CGISADIALECT_H
