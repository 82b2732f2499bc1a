// Every float layer without weights that the CPU backend lowers, chained:
// cpu-backend.test runs it on the CPU and on the reference evaluator.
func.func @main(%x: tensor<2x4x6x6xf32>, %s: tensor<2x4x1x1xf32>) -> (tensor<2x6x6x6xf32>, tensor<2x4x6x6xf32>) {
  %scale = arith.constant dense<[1.5, -0.5, 2.0, 0.25]> : tensor<4xf32>
  %bias = arith.constant dense<[0.1, 0.2, -0.3, 0.0]> : tensor<4xf32>
  %mean = arith.constant dense<[0.05, -0.1, 0.2, 0.0]> : tensor<4xf32>
  %var = arith.constant dense<[1.0, 0.5, 2.0, 0.01]> : tensor<4xf32>
  %bn = cgnet.batch_norm %x, %scale, %bias, %mean, %var {epsilon = 1.0e-03 : f32} : (tensor<2x4x6x6xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<2x4x6x6xf32>
  %sg = cgnet.sigmoid %bn : tensor<2x4x6x6xf32>
  %hs = cgnet.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<2x4x6x6xf32>
  %m = cgnet.mul %sg, %s : (tensor<2x4x6x6xf32>, tensor<2x4x1x1xf32>) -> tensor<2x4x6x6xf32>
  %m2 = cgnet.mul %m, %hs : (tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
  %sh = cgnet.channel_shuffle %m2 {groups = 2 : i64} : tensor<2x4x6x6xf32>
  %pm = cgnet.channel_permute %sh {permutation = array<i64: 2, 0, 3, 1>} : tensor<2x4x6x6xf32>
  %dup = cgnet.channel_duplicate %pm {indices = array<i64: 3, 1>} : (tensor<2x4x6x6xf32>) -> tensor<2x6x6x6xf32>
  %t = cgnet.transpose %x {permutation = array<i64: 0, 2, 3, 1>} : (tensor<2x4x6x6xf32>) -> tensor<2x6x6x4xf32>
  %t2 = cgnet.transpose %t {permutation = array<i64: 0, 3, 1, 2>} : (tensor<2x6x6x4xf32>) -> tensor<2x4x6x6xf32>
  %a = cgnet.concat %sh, %t2 {axis = 2 : i64} : (tensor<2x4x6x6xf32>, tensor<2x4x6x6xf32>) -> tensor<2x4x12x6xf32>
  %b = cgnet.max_pool2d %a {kernel = array<i64: 2, 1>, strides = array<i64: 2, 1>} : (tensor<2x4x12x6xf32>) -> tensor<2x4x6x6xf32>
  return %dup, %b : tensor<2x6x6x6xf32>, tensor<2x4x6x6xf32>
}
