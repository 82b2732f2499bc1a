//===- CGNetInterfaces.td - cgnet op interfaces ------------*- tablegen -*-===//

#ifndef CGNET_DIALECT_CGNET_IR_CGNETINTERFACES_TD
#define CGNET_DIALECT_CGNET_IR_CGNETINTERFACES_TD

include "mlir/IR/OpBase.td"

def GatedOpInterface : OpInterface<"GatedOpInterface"> {
  let cppNamespace = "::cgnet";
  let description = [{
    A convolution split into a dense *base path* and a *conditional path*
    that is computed only where a gate on the base path's partial sum is on.
    Channel gating splits the input channels, precision gating splits the
    bits of the activation; analyses (FLOP reports) and lowerings (CPU,
    accelerator) treat both through this interface.

    For output element `(n, o, y, x)`: `partial` is the base path's result,
    the gate is `partial > threshold[o]` for float models and
    `partial >= threshold[o]` for integer models (the integer threshold is
    the smallest accumulator that turns the gate on), and the result is
    `partial + conditional` where the gate is on and `partial` where it is
    off. A threshold of minus infinity (`INT32_MIN` for integers) turns every
    gate on and reproduces the ungated convolution exactly.
  }];
  let methods = [
    InterfaceMethod<"The activation the gated convolution reads.",
      "::mlir::Value", "getInput">,
    InterfaceMethod<"The full weight tensor (OIHW).",
      "::mlir::Value", "getWeight">,
    InterfaceMethod<"The per-output-channel gate threshold tensor.",
      "::mlir::Value", "getThreshold">,
    InterfaceMethod<[{The fraction of the dense work that the base path
      always performs: `1/p` of the MACs for channel gating, `high_bits/bits`
      of the bit-serial work for precision gating.}],
      "double", "getBaseFraction">,
    InterfaceMethod<"MACs of the equivalent dense convolution.",
      "int64_t", "getDenseMACs">,
  ];
}

#endif // CGNET_DIALECT_CGNET_IR_CGNETINTERFACES_TD
