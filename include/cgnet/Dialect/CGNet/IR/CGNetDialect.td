//===- CGNetDialect.td - cgnet dialect definition ----------*- tablegen -*-===//
//
// The cgnet dialect: convolutional networks on tensors, float and integer,
// with channel-gated and precision-gated convolutions.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_DIALECT_CGNET_IR_CGNETDIALECT_TD
#define CGNET_DIALECT_CGNET_IR_CGNETDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def CGNet_Dialect : Dialect {
  let name = "cgnet";
  let cppNamespace = "::cgnet";
  let summary = "Convolutional networks specialized for dynamic sparsity and low precision";
  let description = [{
    The `cgnet` dialect models a convolutional network at the level of layers,
    on ranked tensors in NCHW layout with OIHW weights. Every op has a float
    form (`f32`) and, where it makes sense, an integer form whose operands are
    integers or upstream `!quant.uniform` types (per-tensor or per-axis,
    2 to 8 bits of storage) and whose accumulators are `i32`.

    The semantics of every op are defined by the reference evaluator
    (`lib/Reference/Evaluator.cpp`); the descriptions below state them.

    Integer conventions, shared by every integer op:
    - the real value of a quantized element is `(q - zp) * scale`; integer
      ops subtract the zero point of each operand before they compute;
    - accumulation is in `i32` (two's complement, wrapping);
    - rounding is round-half-away-from-zero unless an op says otherwise;
    - narrowing is saturating to the storage range of the result type.
  }];
  let dependentDialects = ["::mlir::quant::QuantDialect"];
  let hasConstantMaterializer = 0;
  let useDefaultAttributePrinterParser = 1;
}

def CGNet_RoundingMode : I32EnumAttr<"RoundingMode", "rounding to an integer", [
    I32EnumAttrCase<"HalfAwayFromZero", 0, "half_away_from_zero">,
    I32EnumAttrCase<"HalfUp", 1, "half_up">,
    I32EnumAttrCase<"HalfToEven", 2, "half_to_even">
  ]> {
  let cppNamespace = "::cgnet";
  let genSpecializedAttr = 0;
}

def CGNet_RoundingModeAttr : EnumAttr<CGNet_Dialect, CGNet_RoundingMode, "rounding"> {
  let assemblyFormat = "`<` $value `>`";
}

#endif // CGNET_DIALECT_CGNET_IR_CGNETDIALECT_TD
