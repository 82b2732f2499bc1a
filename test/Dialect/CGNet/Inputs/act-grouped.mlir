// The producing convolution is grouped.
func.func @main(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2x2xf32> {
  %w1 = arith.constant dense<[[[[1.0]]], [[[-0.5]]]]> : tensor<2x1x1x1xf32>
  %w2 = arith.constant dense<[[[[0.3]], [[-0.7]]]]> : tensor<1x2x1x1xf32>
  %c1 = cgnet.conv2d %x, %w1 {groups = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  %r = cgnet.relu %c1 : tensor<1x2x2x2xf32>
  %y = cgnet.conv2d %r, %w2 : (tensor<1x2x2x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x1x2x2xf32>
  return %y : tensor<1x1x2x2xf32>
}
