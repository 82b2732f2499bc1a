//===- Passes.td - cgnet transformation passes -------------*- tablegen -*-===//

#ifndef CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_TD
#define CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def CGNetFoldBatchNorm : Pass<"cgnet-fold-batchnorm"> {
  let summary = "Fold inference batch normalization into the preceding convolution";
  let description = [{
    Rewrites `cgnet.batch_norm(cgnet.conv2d(x, W, b))` into one convolution
    with

    ```
    k[o]  = scale[o] / sqrt(var[o] + epsilon)
    W'[o] = W[o] * k[o]
    b'[o] = (b[o] - mean[o]) * k[o] + bias[o]
    ```

    computed in double precision and stored as f32.

    A batch norm after a `cgnet.channel_gated_conv2d` folds the same way:
    batch norm is affine per channel, so it commutes with the gate's select,
    and the threshold becomes `tau'[o] = (tau[o] - mean[o]) * k[o] + bias[o]`
    (minus infinity stays minus infinity). This needs `k[o] > 0` for every
    channel; otherwise the comparison would flip and the pass refuses. The rewrite is exact in
    real arithmetic; in f32 it agrees with the unfolded network to rounding
    error (the tests check 1e-5 relative on random and imported weights).

    The convolution's weight, bias (if any) and threshold must be constants,
    and the convolution's result must have no other user. A batch norm that cannot be
    folded is an error naming the reason, unless `allow-unfolded` is set, in
    which case it stays and a warning says why.

    Example:

    ```mlir
    %c = cgnet.conv2d %x, %w : (...) -> tensor<1x16x8x8xf32>
    %y = cgnet.batch_norm %c, %s, %b, %m, %v : (...) -> tensor<1x16x8x8xf32>
    // becomes
    %y = cgnet.conv2d %x, %w_folded, %b_folded : (...) -> tensor<1x16x8x8xf32>
    ```
  }];
  let options = [
    Option<"allowUnfolded", "allow-unfolded", "bool", /*default=*/"false",
           "Keep (with a warning) batch norms that cannot be folded instead of failing">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}

#endif // CGNET_DIALECT_CGNET_TRANSFORMS_PASSES_TD
