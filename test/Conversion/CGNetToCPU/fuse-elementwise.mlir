// RUN: cgnet-opt %s --pass-pipeline="builtin.module(func.func(cgnet-fuse-elementwise))" | FileCheck %s

// A chain of plain element-wise generics (a requantization with a
// per-channel broadcast operand, a ReLU, an add of another value) becomes
// one generic; its inputs are the chain's outside operands.

#id = affine_map<(d0, d1) -> (d0, d1)>
#ch = affine_map<(d0, d1) -> (d1)>
#tr = affine_map<(d0, d1) -> (d1, d0)>

// CHECK-LABEL: func.func @chain
// CHECK: %[[R:.*]] = linalg.generic
// CHECK-SAME: ins(%arg0, %arg1, %arg2 : tensor<4x8xi32>, tensor<8xi32>, tensor<4x8xi32>)
// CHECK: arith.muli
// CHECK: arith.maxsi
// CHECK: arith.addi
// CHECK: linalg.yield
// CHECK-NOT: linalg.generic
// CHECK: return %[[R]]
func.func @chain(%x: tensor<4x8xi32>, %m: tensor<8xi32>, %y: tensor<4x8xi32>) -> tensor<4x8xi32> {
  %e = tensor.empty() : tensor<4x8xi32>
  %c0 = arith.constant 0 : i32
  %rq = linalg.generic {indexing_maps = [#id, #ch, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x, %m : tensor<4x8xi32>, tensor<8xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %b: i32, %o: i32):
    %p = arith.muli %a, %b : i32
    linalg.yield %p : i32
  } -> tensor<4x8xi32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%rq : tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.maxsi %a, %c0 : i32
    linalg.yield %r : i32
  } -> tensor<4x8xi32>
  %sum = linalg.generic {indexing_maps = [#id, #id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%relu, %y : tensor<4x8xi32>, tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %b: i32, %o: i32):
    %s = arith.addi %a, %b : i32
    linalg.yield %s : i32
  } -> tensor<4x8xi32>
  return %sum : tensor<4x8xi32>
}

// Left as they are: a producer with a second use (it would be computed
// twice), a transpose (not order-preserving), and a generic marked for a
// later pass (cgnet.compact_gated here) as producer or consumer.
// CHECK-LABEL: func.func @kept
// CHECK-COUNT-6: linalg.generic
// CHECK-NOT: linalg.generic
func.func @kept(%x: tensor<4x8xi32>, %t: tensor<8x4xi32>) -> (tensor<4x8xi32>, tensor<4x8xi32>, tensor<4x8xi32>, tensor<4x8xi32>) {
  %e = tensor.empty() : tensor<4x8xi32>
  %c0 = arith.constant 0 : i32
  %twice = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.maxsi %a, %c0 : i32
    linalg.yield %r : i32
  } -> tensor<4x8xi32>
  %use = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%twice : tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.addi %a, %a : i32
    linalg.yield %r : i32
  } -> tensor<4x8xi32>
  %tr = linalg.generic {indexing_maps = [#tr, #id], iterator_types = ["parallel", "parallel"]}
      ins(%t : tensor<8x4xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %o: i32):
    linalg.yield %a : i32
  } -> tensor<4x8xi32>
  %relu = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%tr : tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.maxsi %a, %c0 : i32
    linalg.yield %r : i32
  } -> tensor<4x8xi32>
  %marked = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%x : tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) attrs = {cgnet.compact_gated} {
  ^bb0(%a: i32, %o: i32):
    %r = arith.addi %a, %a : i32
    linalg.yield %r : i32
  } -> tensor<4x8xi32>
  %after = linalg.generic {indexing_maps = [#id, #id], iterator_types = ["parallel", "parallel"]}
      ins(%marked : tensor<4x8xi32>) outs(%e : tensor<4x8xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.maxsi %a, %c0 : i32
    linalg.yield %r : i32
  } -> tensor<4x8xi32>
  return %twice, %use, %relu, %after : tensor<4x8xi32>, tensor<4x8xi32>, tensor<4x8xi32>, tensor<4x8xi32>
}

// After fusion, a plain element-wise generic's trailing loops that every
// operand indexes together become one loop (LLVM leaves a short inner loop
// such as a 7 x 7 plane's 7 pixels scalar): with a per-channel operand
// the plane's two loops, without one all of them.
#nchw = affine_map<(n, c, y, x) -> (n, c, y, x)>
#c4 = affine_map<(n, c, y, x) -> (c)>
// CHECK-LABEL: func.func @collapsed
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0], [1], [2, 3]] : tensor<1x8x7x7xi32> into tensor<1x8x49xi32>
// CHECK: %[[R:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel"]
// CHECK-SAME: ins(%[[X]], %arg1 : tensor<1x8x49xi32>, tensor<8xi32>)
// CHECK: tensor.expand_shape %[[R]] {{\[}}[0], [1], [2, 3]] output_shape [1, 8, 7, 7]
// CHECK: %[[Y:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2, 3]] : tensor<1x8x7x7xi32> into tensor<392xi32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel"]
// CHECK-SAME: ins(%[[Y]] : tensor<392xi32>)
func.func @collapsed(%x: tensor<1x8x7x7xi32>, %m: tensor<8xi32>) -> (tensor<1x8x7x7xi32>, tensor<1x8x7x7xi32>) {
  %e = tensor.empty() : tensor<1x8x7x7xi32>
  %c0 = arith.constant 0 : i32
  %rq = linalg.generic {indexing_maps = [#nchw, #c4, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x, %m : tensor<1x8x7x7xi32>, tensor<8xi32>) outs(%e : tensor<1x8x7x7xi32>) {
  ^bb0(%a: i32, %b: i32, %o: i32):
    %p = arith.muli %a, %b : i32
    linalg.yield %p : i32
  } -> tensor<1x8x7x7xi32>
  %relu = linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%x : tensor<1x8x7x7xi32>) outs(%e : tensor<1x8x7x7xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.maxsi %a, %c0 : i32
    linalg.yield %r : i32
  } -> tensor<1x8x7x7xi32>
  return %rq, %relu : tensor<1x8x7x7xi32>, tensor<1x8x7x7xi32>
}

// Not where an operand is cut from wider rows (a convolution's output
// without its padding columns): collapsing it would copy it.
// CHECK-LABEL: func.func @sliced
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
func.func @sliced(%x: tensor<1x8x7x9xi32>) -> tensor<1x8x7x7xi32> {
  %e = tensor.empty() : tensor<1x8x7x7xi32>
  %c0 = arith.constant 0 : i32
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 8, 7, 7] [1, 1, 1, 1] : tensor<1x8x7x9xi32> to tensor<1x8x7x7xi32>
  %relu = linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%s : tensor<1x8x7x7xi32>) outs(%e : tensor<1x8x7x7xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.maxsi %a, %c0 : i32
    linalg.yield %r : i32
  } -> tensor<1x8x7x7xi32>
  return %relu : tensor<1x8x7x7xi32>
}

// Nor where the operand is such a slice updated in place by a generic
// (a gated convolution's conditional sums added to the base path's
// cropped output): it bufferizes into the slice's rows all the same.
// CHECK-LABEL: func.func @sliced_updated
// CHECK-NOT: tensor.collapse_shape
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
func.func @sliced_updated(%x: tensor<1x8x7x9xi32>, %t: tensor<8xi32>) -> tensor<1x8x7x7xi32> {
  %e = tensor.empty() : tensor<1x8x7x7xi32>
  %c0 = arith.constant 0 : i32
  %s = tensor.extract_slice %x[0, 0, 0, 0] [1, 8, 7, 7] [1, 1, 1, 1] : tensor<1x8x7x9xi32> to tensor<1x8x7x7xi32>
  %u = linalg.generic {indexing_maps = [affine_map<(n, c, y, x) -> (c)>, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%t : tensor<8xi32>) outs(%s : tensor<1x8x7x7xi32>) attrs = {cgnet.compact_gated = {}} {
  ^bb0(%a: i32, %o: i32):
    %c = arith.cmpi sge, %o, %a : i32
    %r = arith.select %c, %a, %o : i32
    linalg.yield %r : i32
  } -> tensor<1x8x7x7xi32>
  %relu = linalg.generic {indexing_maps = [#nchw, #nchw], iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%u : tensor<1x8x7x7xi32>) outs(%e : tensor<1x8x7x7xi32>) {
  ^bb0(%a: i32, %o: i32):
    %r = arith.maxsi %a, %c0 : i32
    linalg.yield %r : i32
  } -> tensor<1x8x7x7xi32>
  return %relu : tensor<1x8x7x7xi32>
}
