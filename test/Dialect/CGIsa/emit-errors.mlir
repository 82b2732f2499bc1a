// Programs that verify but cannot be written out.
// RUN: not cgnet-translate --emit-cgisa-bin %s -split-input-file 2>&1 | FileCheck %s

// CHECK: error: 'cgisa.program' op the code does not end with 'finish'
cgisa.program @p attributes {config = {}, dram_bytes = 64 : i64} {
  cgisa.sync
}

// -----

// CHECK: error: 'cgisa.program' op data segment [32, 48) lies outside the 40-byte DRAM
cgisa.program @p attributes {config = {}, dram_bytes = 40 : i64} {
  cgisa.segment {address = 32 : i64, data = dense<1> : tensor<16xi8>}
  cgisa.finish
}

// -----

// CHECK: error: expected exactly one cgisa.program (from --convert-cgnet-to-cgisa), found 0
func.func @f() {
  return
}
