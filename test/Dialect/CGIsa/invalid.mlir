// RUN: cgnet-opt %s -split-input-file -verify-diagnostics

cgisa.program @p attributes {config = {}, dram_bytes = 64 : i64} {
  // expected-error @+1 {{'cgisa.conv' op has no field 'wibble'}}
  cgisa.conv {wibble = 1 : i64}
}

// -----

cgisa.program @p attributes {config = {}, dram_bytes = 64 : i64} {
  // expected-error @+1 {{'cgisa.dma_ld' op dma_ld: field 'y_size' = 65536 does not fit its 16 bits [0, 65535]}}
  cgisa.dma_ld {y_size = 65536 : i64}
}

// -----

cgisa.program @p attributes {config = {}, dram_bytes = 64 : i64} {
  // expected-error @+1 {{'cgisa.post' op field 'clamp_lo' must be an integer}}
  cgisa.post {clamp_lo = "low"}
}

// -----

// expected-error @+1 {{'cgisa.program' op config:1: unknown key 'colums'}}
cgisa.program @p attributes {config = {colums = 4 : i64}, dram_bytes = 64 : i64} {
  cgisa.finish
}

// -----

cgisa.program @p attributes {config = {}, dram_bytes = 64 : i64} {
  // expected-error @+1 {{'cgisa.segment' op data must be a 1-D tensor of i8}}
  cgisa.segment {address = 0 : i64, data = dense<1> : tensor<4xi32>}
}

// -----

cgisa.program @p attributes {config = {}, dram_bytes = 64 : i64} {
  // expected-error @+1 {{'cgisa.input' op rounding must be away, even or up}}
  cgisa.input "x" {address = 0 : i64, shape = array<i64: 4>, scale = 0.0 : f64, zero_point = 0 : i64, storage_min = -128 : i64, storage_max = 127 : i64, rounding = "down"}
}

// -----

// expected-error @+1 {{'cgisa.finish' op expects parent op 'cgisa.program'}}
cgisa.finish
