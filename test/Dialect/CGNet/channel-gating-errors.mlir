// RUN: cgnet-opt %s --cgnet-channel-gating="threshold=0 partitions=2" -split-input-file -verify-diagnostics
//
// Options, thresholds files and selections: an error naming what is wrong,
// non-zero exit.
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating 2>&1 | FileCheck %s --check-prefix=NOSRC
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="threshold=0 target-off-rate=0.5 random-calibration=2" 2>&1 | FileCheck %s --check-prefix=NOSRC
// NOSRC: error: --cgnet-channel-gating needs exactly one of thresholds=<json>, target-off-rate=<r> and threshold=<value>
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="target-off-rate=1.5 random-calibration=2" 2>&1 | FileCheck %s --check-prefix=RATE
// RATE: error: --cgnet-channel-gating: target-off-rate must be in [0, 1], got 1.5
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="target-off-rate=0.5" 2>&1 | FileCheck %s --check-prefix=NOCAL
// NOCAL: error: --cgnet-channel-gating: target-off-rate needs exactly one of calibration=<.npy files> and random-calibration=<n>
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="threshold=abc" 2>&1 | FileCheck %s --check-prefix=THR
// THR: error: --cgnet-channel-gating: threshold must be a number or -inf, got 'abc'
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="threshold=0 partitions=0" 2>&1 | FileCheck %s --check-prefix=PART
// PART: error: --cgnet-channel-gating: partitions must be >= 1, got 0
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="threshold=0 layers=3" 2>&1 | FileCheck %s --check-prefix=LAYERS
// LAYERS: error: --cgnet-channel-gating: layers index 3 is out of range (the function has 1 cgnet.conv2d ops)
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="threshold=0 names=conv9" 2>&1 | FileCheck %s --check-prefix=NAMES
// NAMES: error: --cgnet-channel-gating: no cgnet.conv2d named 'conv9'
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="threshold=0 partitions=4 layers=0" 2>&1 | FileCheck %s --check-prefix=DIV
// DIV: error: loc("main_conv"): cannot gate this convolution: its 2 input channels are not divisible by partitions=4
// RUN: cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="threshold=0 partitions=4" 2>&1 | FileCheck %s --check-prefix=SKIP
// SKIP: warning: loc("main_conv"): not gated: its 2 input channels are not divisible by partitions=4
// SKIP: cgnet.conv2d
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%t.missing.json" 2>&1 | FileCheck %s --check-prefix=FILE
// FILE: error: cannot read the thresholds file '{{.*}}missing.json': No such file or directory
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-truncated.json partitions=2" 2>&1 | FileCheck %s --check-prefix=JSON
// JSON: error: thresholds file '{{.*}}gate-truncated.json' is not valid JSON:
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-array.json partitions=2" 2>&1 | FileCheck %s --check-prefix=OBJ
// OBJ: error: thresholds file '{{.*}}gate-array.json' must hold an object keyed by layer name
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-bad.json partitions=2" 2>&1 | FileCheck %s --check-prefix=SIZE
// SIZE: error: loc("main_conv"): thresholds file, layer 'main_conv': 'delta' must be a number or an array of 2 numbers
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-mean-only.json partitions=2" 2>&1 | FileCheck %s --check-prefix=MEAN
// MEAN: error: loc("main_conv"): thresholds file, layer 'main_conv': give both 'mean' and 'var', or neither
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-extra.json partitions=2" 2>&1 | FileCheck %s --check-prefix=EXTRA
// EXTRA: error: the thresholds file names layer 'other', which is not a selected cgnet.conv2d
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-extra.json partitions=2" 2>&1 | FileCheck %s --check-prefix=ENTRY
// ENTRY: error: the thresholds file has no entry for layer 'conv2d@4:8'

// A grouped convolution selected implicitly is skipped with a warning.
func.func @grouped(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = arith.constant dense<1.0> : tensor<2x1x1x1xf32>
  // expected-warning @+1 {{not gated: it is a grouped convolution}}
  %y = cgnet.conv2d %x, %w {groups = 2 : i64} : (tensor<1x2x2x2xf32>, tensor<2x1x1x1xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-nodelta.json partitions=2" 2>&1 | FileCheck %s --check-prefix=NODELTA
// NODELTA: error: loc("main_conv"): thresholds file, layer 'main_conv': 'delta' is missing
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-negvar.json partitions=2" 2>&1 | FileCheck %s --check-prefix=NEGVAR
// NEGVAR: error: loc("main_conv"): thresholds file, layer 'main_conv': var + eps is negative for channel 1
// RUN: not cgnet-opt %S/Inputs/named-conv.mlir --cgnet-channel-gating="thresholds=%S/Inputs/gate-string.json partitions=2" 2>&1 | FileCheck %s --check-prefix=NONNUM
// NONNUM: error: loc("main_conv"): thresholds file, layer 'main_conv': 'delta' holds a non-number
