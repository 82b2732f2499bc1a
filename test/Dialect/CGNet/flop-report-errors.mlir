// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-flop-report=table=- 2>&1 | FileCheck %s --check-prefix=NOIN
// NOIN: error: --cgnet-flop-report needs exactly one of inputs=<.npy files> and random-inputs=<n>
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-flop-report=random-inputs=1 2>&1 | FileCheck %s --check-prefix=NOOUT
// NOOUT: error: --cgnet-flop-report writes nothing: give report=<file> and/or table=<file>
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-flop-report="inputs=%S/Inputs/quant-x.npy table=-" 2>&1 | FileCheck %s --check-prefix=SHAPE
// SHAPE: error: calibration input '{{.*}}quant-x.npy' for argument #0: shape 1x1x2x2xfloat does not match the expected 1x2x4x4xfloat
// RUN: not cgnet-opt %S/Inputs/one-conv.mlir --cgnet-flop-report="random-inputs=1 report=%t.nodir/r.json" 2>&1 | FileCheck %s --check-prefix=WRITE
// WRITE: error: cannot write the FLOP report '{{.*}}r.json'
