//===- Passes.td - cgnet conversion passes -----------------*- tablegen -*-===//

#ifndef CGNET_CONVERSION_PASSES_TD
#define CGNET_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def ConvertTosaToCGNet : Pass<"convert-tosa-to-cgnet", "::mlir::func::FuncOp"> {
  let summary = "Convert TOSA layer ops into the cgnet dialect";
  let description = [{
    Converts `tosa.conv2d`, `tosa.depthwise_conv2d`, `tosa.matmul` (with a
    constant right-hand side, as a fully connected layer), `tosa.max_pool2d`,
    `tosa.avg_pool2d`, `tosa.add`, `tosa.clamp`, `tosa.concat`,
    `tosa.reshape`, `tosa.transpose`, `tosa.rescale` and `tosa.const` into
    cgnet.

    TOSA is NHWC with OHWI (conv) and HWCM (depthwise) weights; cgnet is NCHW
    with OIHW weights. Every converted layer reads and writes NHWC through
    `cgnet.transpose` ops at its borders, constant weights are transposed at
    compile time, and transposes that cancel fold away, so a chain of layers
    stays NCHW inside and only the function's arguments and results are
    transposed.

    Anything else (a TOSA op without a cgnet counterpart, an attribute cgnet
    cannot express such as `DOUBLE_ROUND` rescaling, non-zero weight zero
    points, a non-constant weight) is an error naming the op and the reason;
    nothing is left half converted. The conversion marks the whole TOSA
    dialect illegal.
  }];
  let dependentDialects = ["::cgnet::CGNetDialect", "::mlir::arith::ArithDialect",
                           "::mlir::quant::QuantDialect"];
}

#endif // CGNET_CONVERSION_PASSES_TD
