// Calibrated thresholds reach the target gate-off rate on the calibration
// input itself (512 outputs per layer; float partial sums have no ties,
// integer ones may, so the integer check allows a few). Layer by layer:
// the second layer is calibrated with the first already gated.
// RUN: cgnet-run %s --random-inputs --seed 1 --save-inputs %t.x.npy > /dev/null
// RUN: cgnet-opt %s --cgnet-channel-gating="target-off-rate=0.75 calibration=%t.x.npy partitions=2" -o %t.cal.mlir
// RUN: cgnet-run %t.cal.mlir --input %t.x.npy --gate-stats | FileCheck %s --check-prefix=F75
// F75: gate {{.*}}: 128/512 on (25.00%)
// F75: gate {{.*}}: 128/512 on (25.00%)
// RUN: cgnet-opt %s --cgnet-channel-gating="target-off-rate=0.0 calibration=%t.x.npy partitions=2" -o %t.none.mlir
// RUN: cgnet-run %t.none.mlir --input %t.x.npy --gate-stats | FileCheck %s --check-prefix=F0
// F0: gate {{.*}}: 512/512 on
// F0: gate {{.*}}: 512/512 on
// RUN: cgnet-opt %s --cgnet-quantize="calibration=%t.x.npy" -o %t.q.mlir
// RUN: cgnet-opt %t.q.mlir --cgnet-channel-gating="target-off-rate=0.5 calibration=%t.x.npy partitions=2" -o %t.qcal.mlir
// RUN: cgnet-run %t.qcal.mlir --input %t.x.npy --gate-stats | FileCheck %s --check-prefix=I50
// I50: gate {{.*}}: {{2[4-6][0-9]}}/512 on
// I50: gate {{.*}}: {{2[4-6][0-9]}}/512 on
func.func @main(%x: tensor<1x2x16x16xf32>) -> tensor<1x2x16x16xf32> {
  %w1 = arith.constant dense<[[[[2.0]], [[-1.0]]], [[[0.5]], [[1.0]]]]> : tensor<2x2x1x1xf32>
  %b1 = arith.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %w2 = arith.constant dense<[[[[1.0]], [[-0.5]]], [[[0.25]], [[0.75]]]]> : tensor<2x2x1x1xf32>
  %c1 = cgnet.conv2d %x, %w1, %b1 : (tensor<1x2x16x16xf32>, tensor<2x2x1x1xf32>, tensor<2xf32>) -> tensor<1x2x16x16xf32>
  %c2 = cgnet.conv2d %c1, %w2 : (tensor<1x2x16x16xf32>, tensor<2x2x1x1xf32>) -> tensor<1x2x16x16xf32>
  return %c2 : tensor<1x2x16x16xf32>
}
