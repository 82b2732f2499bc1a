// RUN: cgnet-opt %s --cgnet-channel-gating="thresholds=%S/Inputs/gate-thresholds.json partitions=2" | FileCheck %s
// RUN: cgnet-opt %s --cgnet-channel-gating="threshold=-inf partitions=2 grouped=true names=gate2" | FileCheck %s --check-prefix=GROUPED
// A list of names (comma-separated, as bench/resnet18.sh passes ResNet-18's
// block convolutions) selects each of them.
// RUN: cgnet-opt %s --cgnet-channel-gating="threshold=-inf partitions=2 names=gate2,gate1" | FileCheck %s --check-prefix=BOTH
//
// Integer model: quantized first (act-range=127: s_x = 1; per-channel
// weight steps 2/127 and 1/127 for gate1), thresholds from the same file
// become floor(tau / (s_x s_w)) + 1: floor(2 * 127/2) + 1 = 128 and
// floor(1 * 127) + 1 = 128.
// RUN: cgnet-opt %s --cgnet-quantize=act-range=127 --cgnet-channel-gating="thresholds=%S/Inputs/gate-thresholds.json partitions=2" | FileCheck %s --check-prefix=INT
//
// Numbers: threshold -inf reproduces the ungated network exactly (float
// and integer, bit for bit); calibration reaches the target off rate.
// RUN: cgnet-run %s --random-inputs --seed 4 --output %t.dense.npy
// RUN: cgnet-opt %s --cgnet-channel-gating="threshold=-inf partitions=2 grouped=true" -o %t.inf.mlir
// RUN: cgnet-run %t.inf.mlir --random-inputs --seed 4 --expect %t.dense.npy --atol 0 --rtol 0 --gate-stats | FileCheck %s --check-prefix=ALLON
// RUN: cgnet-opt %s --cgnet-quantize=act-range=4 -o %t.q.mlir
// RUN: cgnet-run %t.q.mlir --random-inputs --seed 4 --output %t.qdense.npy
// RUN: cgnet-opt %t.q.mlir --cgnet-channel-gating="threshold=-inf partitions=2" -o %t.qinf.mlir
// RUN: cgnet-run %t.qinf.mlir --random-inputs --seed 4 --expect %t.qdense.npy --atol 0 --rtol 0 --gate-stats | FileCheck %s --check-prefix=ALLON
// ALLON: gate {{.*}}: 32/32 on (100.00%)
// ALLON: gate {{.*}}: 32/32 on (100.00%)
// ALLON: result #0 matches

// CHECK-LABEL: func @main
// CHECK:         [[T1:%.+]] = arith.constant dense<[2.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK:         [[G1:%.+]] = cgnet.channel_gated_conv2d %arg0, %{{.+}}, [[T1]], %{{.+}} {partitions = 2 : i64} : {{.*}} -> tensor<1x2x4x4xf32>
// CHECK:         [[R:%.+]] = cgnet.relu [[G1]]
// CHECK:         [[T2:%.+]] = arith.constant dense<2.500000e-01> : tensor<2xf32>
// CHECK:         cgnet.channel_gated_conv2d [[R]], %{{.+}}, [[T2]] {partitions = 2 : i64}
// GROUPED-LABEL: func @main
// GROUPED:         cgnet.conv2d
// GROUPED:         cgnet.channel_gated_conv2d {{.*}} {grouped = true, partitions = 2 : i64}
// BOTH-LABEL: func @main
// BOTH-NOT:      cgnet.conv2d
// BOTH:          cgnet.channel_gated_conv2d
// BOTH-NOT:      cgnet.conv2d
// BOTH:          cgnet.channel_gated_conv2d
// BOTH-NOT:      cgnet.conv2d
// BOTH:          return
// INT-LABEL: func @main
// INT:         [[T1:%.+]] = arith.constant dense<128> : tensor<2xi32>
// INT:         cgnet.channel_gated_conv2d {{.*}}, [[T1]], {{.*}} -> tensor<1x2x4x4xi32>
func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32> {
  %w1 = arith.constant dense<[[[[2.0]], [[-1.0]]], [[[0.5]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[0.75]]]]> : tensor<2x2x1x1xf32>
  %c1 = cgnet.conv2d %x, %w1, %b1 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32> loc("gate1")
  %r = cgnet.relu %c1 : tensor<1x2x4x4xf32>
  %c2 = cgnet.conv2d %r, %w2 : (tensor<1x2x4x4xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x4x4xf32> loc("gate2")
  return %c2 : tensor<1x2x4x4xf32>
}
