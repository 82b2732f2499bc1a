// A convolution whose result only a pool reads (test/Sim/fuse-pool.test):
// the pool runs in the convolution's tiles (fuse-pool), a max pool 3x3 with
// stride 2 after the first, an average pool 2x2 with stride 2 after the
// second.
func.func @main(%x: tensor<2x4x12x12xi8>) -> tensor<2x4x3x3xi8> {
  %w1 = arith.constant dense<[[[[8,15,9],[8,12,17],[-8,-9,12]],[[10,20,19],[-9,-14,8],[-1,-11,-15]],[[14,20,-18],[18,5,8],[19,-10,19]],[[-20,13,-16],[-17,-18,-8],[-5,18,-19]]],[[[9,0,8],[17,-8,13],[-6,20,-2]],[[11,-20,-15],[9,-3,6],[15,-15,-4]],[[0,-6,12],[-2,-19,-16],[16,-14,5]],[[-14,-2,4],[-16,-19,-20],[-7,-7,-17]]],[[[10,4,5],[6,-16,16],[20,-8,-3]],[[1,-15,-1],[1,-20,6],[-13,-12,-5]],[[-14,-20,-17],[9,11,-9],[15,-8,8]],[[12,-8,-12],[6,4,-13],[5,6,-7]]],[[[-20,-3,17],[-1,-19,-7],[-9,5,18]],[[16,-14,-18],[-11,-7,8],[-4,-20,19]],[[1,-2,4],[-16,-16,-15],[-7,17,20]],[[-5,-20,18],[3,3,19],[9,-12,17]]]]> : tensor<4x4x3x3xi8>
  %b1 = arith.constant dense<[10, -20, 30, 5]> : tensor<4xi32>
  %c1 = cgnet.conv2d %x, %w1, %b1 {padding = array<i64: 1, 1, 1, 1>} : (tensor<2x4x12x12xi8>, tensor<4x4x3x3xi8>, tensor<4xi32>) -> tensor<2x4x12x12xi32>
  %r1 = cgnet.requantize %c1 {multiplier = array<i32: 1073741824>, shift = array<i32: 36>} : (tensor<2x4x12x12xi32>) -> tensor<2x4x12x12xi8>
  %a1 = cgnet.relu %r1 : tensor<2x4x12x12xi8>
  %p1 = cgnet.max_pool2d %a1 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>} : (tensor<2x4x12x12xi8>) -> tensor<2x4x6x6xi8>
  %w2 = arith.constant dense<[[[[10,16,-12],[4,-9,20],[-11,-1,-6]],[[19,-5,-8],[-10,20,15],[-8,4,10]],[[18,-15,6],[-17,-14,-14],[-18,12,-4]],[[-5,5,-4],[6,18,11],[-2,13,-9]]],[[[-16,-12,-6],[10,15,19],[19,-16,-3]],[[-7,-7,-19],[-16,-3,6],[8,-5,-17]],[[-18,-9,-2],[3,13,16],[-12,-15,3]],[[-12,8,1],[13,17,-12],[17,-18,-19]]],[[[10,2,-1],[-18,-19,18],[20,-16,10]],[[-16,-1,0],[-12,-16,-16],[8,14,3]],[[-18,-12,1],[2,-15,10],[-16,6,-19]],[[11,16,-20],[19,4,4],[17,-20,18]]],[[[-16,-15,-15],[20,-13,-4],[6,1,4]],[[17,9,8],[9,14,-15],[13,12,-19]],[[-1,18,-15],[10,-19,-6],[-13,11,19]],[[11,-4,-20],[3,-1,-11],[19,-8,13]]]]> : tensor<4x4x3x3xi8>
  %b2 = arith.constant dense<[-7, 3, 0, 12]> : tensor<4xi32>
  %c2 = cgnet.conv2d %p1, %w2, %b2 {padding = array<i64: 1, 1, 1, 1>} : (tensor<2x4x6x6xi8>, tensor<4x4x3x3xi8>, tensor<4xi32>) -> tensor<2x4x6x6xi32>
  %r2 = cgnet.requantize %c2 {multiplier = array<i32: 1073741824>, shift = array<i32: 35>} : (tensor<2x4x6x6xi32>) -> tensor<2x4x6x6xi8>
  %p2 = cgnet.avg_pool2d %r2 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>} : (tensor<2x4x6x6xi8>) -> tensor<2x4x3x3xi8>
  return %p2 : tensor<2x4x3x3xi8>
}
