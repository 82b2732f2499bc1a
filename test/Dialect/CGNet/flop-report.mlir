// Hand-computed: a dense 1x1 conv (4x4 outputs x 8 channels x 4 inputs =
// 512 MACs), a channel-gated conv with p = 4 whose thresholds keep every
// gate off (+inf: effective = base = 1/4 of 1024 MACs) and one whose
// gates are all on (-inf: 1024 MACs), a precision-gated conv (8 bits, 4
// high; INT32_MAX: every gate off, B_avg = 4, effective = 1/2 of 512).
// Float total: (512 + 1024 + 1024) / (512 + 256 + 1024) = 2560 / 1792.
// RUN: split-file %s %t
// RUN: cgnet-opt %t/float.mlir --cgnet-flop-report="random-inputs=2 report=%t/f.json table=%t/f.txt" | FileCheck %s --check-prefix=IR
// RUN: FileCheck %s --check-prefix=TABLE < %t/f.txt
// RUN: FileCheck %s --check-prefix=JSON < %t/f.json
// RUN: cgnet-opt %t/int.mlir --cgnet-flop-report="random-inputs=1 table=-" -o /dev/null 2>&1 | FileCheck %s --check-prefix=PG
// The IR is unchanged.
// IR: cgnet.channel_gated_conv2d
// IR: cgnet.channel_gated_conv2d
// TABLE: layer dense MACs base MACs gate on eff. MACs reduction B_avg
// TABLE: dense 512 - - 512 1.00x -
// TABLE: alloff 1024 256 0.0% 256 4.00x -
// TABLE: allon 1024 256 100.0% 1024 1.00x -
// TABLE: total 2560 1792 1.43x
// JSON: "layer": "alloff"
// JSON: "total": {
// JSON-NEXT: "aggregate_gate_on_rate": 0.5,
// JSON-NEXT: "dense_macs": 2560,
// JSON-NEXT: "effective_macs": 1792,
// PG: pg 512 256 0.0% 256 2.00x 4.00

//--- float.mlir
func.func @main(%x: tensor<1x4x4x4xf32>) -> tensor<1x8x4x4xf32> {
  %w = arith.constant dense<0.5> : tensor<8x4x1x1xf32>
  %w2 = arith.constant dense<0.25> : tensor<8x8x1x1xf32>
  %off = arith.constant dense<0x7F800000> : tensor<8xf32>
  %on = arith.constant dense<0xFF800000> : tensor<8xf32>
  %c = cgnet.conv2d %x, %w : (tensor<1x4x4x4xf32>, tensor<8x4x1x1xf32>) -> tensor<1x8x4x4xf32> loc("dense")
  %g = cgnet.channel_gated_conv2d %c, %w2, %off {partitions = 4 : i64} : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32> loc("alloff")
  %h = cgnet.channel_gated_conv2d %g, %w2, %on {partitions = 4 : i64} : (tensor<1x8x4x4xf32>, tensor<8x8x1x1xf32>, tensor<8xf32>) -> tensor<1x8x4x4xf32> loc("allon")
  return %h : tensor<1x8x4x4xf32>
}

//--- int.mlir
func.func @main(%x: tensor<1x4x4x4xi8>) -> tensor<1x8x4x4xi32> {
  %w = arith.constant dense<3> : tensor<8x4x1x1xi8>
  %t = arith.constant dense<2147483647> : tensor<8xi32>
  %y = cgnet.precision_gated_conv2d %x, %w, %t {bits = 8 : i64, high_bits = 4 : i64} : (tensor<1x4x4x4xi8>, tensor<8x4x1x1xi8>, tensor<8xi32>) -> tensor<1x8x4x4xi32> loc("pg")
  return %y : tensor<1x8x4x4xi32>
}
