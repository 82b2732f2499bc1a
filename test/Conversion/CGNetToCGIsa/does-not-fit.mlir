// RUN: cgnet-opt %s --convert-cgnet-to-cgisa | FileCheck %s --check-prefix=FITS
// RUN: not cgnet-opt %s --convert-cgnet-to-cgisa=config=%S/Inputs/tiny.cfg 2>&1 | FileCheck %s --check-prefix=TINY
// Without the vector unit beside the array a tile may take all of ACC.
// RUN: cp %S/Inputs/tiny.cfg %t.serial.cfg && echo 'vector_overlap = 0' >> %t.serial.cfg
// RUN: not cgnet-opt %s --convert-cgnet-to-cgisa=config=%t.serial.cfg 2>&1 | FileCheck %s --check-prefix=SERIAL
// FITS: cgisa.program @too_big
// With the default buffers this layer fits; with Inputs/tiny.cfg one input
// row (3 rows of 34 pixels x 2 channels) does not fit half of INP.
func.func @too_big(%x: tensor<1x2x32x32xi8>) -> tensor<1x2x32x32xi8> {
  %w = arith.constant dense<1> : tensor<2x2x3x3xi8>
  // SERIAL: error: 'cgnet.conv2d' op does not fit the accelerator: {{.*}} per output channel (ACC is 262144)
  // TINY: does-not-fit.mlir:[[@LINE+1]]:8: error: 'cgnet.conv2d' op does not fit the accelerator: one output row needs 204 bytes of input (half of INP is 32) and 128 bytes of accumulators per output channel (half of ACC is 131072)
  %c = cgnet.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x32x32xi8>, tensor<2x2x3x3xi8>) -> tensor<1x2x32x32xi32>
  %r = cgnet.requantize %c {multiplier = array<i32: 1073741824>, shift = array<i32: 31>} : (tensor<1x2x32x32xi32>) -> tensor<1x2x32x32xi8>
  return %r : tensor<1x2x32x32xi8>
}
