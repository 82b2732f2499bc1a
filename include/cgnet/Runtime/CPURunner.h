//===- CPURunner.h - compile and run cgnet functions on the CPU -*- C++ -*-===//
//
// The JIT path of the CPU backend: --cgnet-cpu-pipeline, then LLVM at O3
// in memory. A CPUProgram is compiled once and can run many times (timing,
// repeated inputs).
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_RUNTIME_CPURUNNER_H
#define CGNET_RUNTIME_CPURUNNER_H

#include "cgnet/Reference/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace llvm {
class TargetMachine;
} // namespace llvm
namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace cgnet {

/// Wall time of one layer (one cgnet op) summed over the runs so far.
struct LayerTime {
  std::string name;  ///< The op's name and location.
  std::string layer; ///< The layer's key in every report (`layerName`).
  double seconds = 0;   ///< Summed over every call.
  double best = 0;      ///< The fastest call (0 before the first).
  int64_t calls = 0;
};

struct CPUOptions {
  /// Time every cgnet op of the entry function (see
  /// --convert-cgnet-to-cpu's `profile` option).
  bool profile = false;
  /// Float convolutions through upstream's named op (a baseline; see
  /// --convert-cgnet-to-cpu's `upstream-conv`).
  bool upstreamConv = false;
  /// Threads (CPUPipelineOptions::threads); above 1 the JIT loads MLIR's
  /// async runtime.
  unsigned threads = 1;
  /// CPUPipelineOptions::registerBlock.
  bool registerBlock = true;
  /// CPUPipelineOptions::compactGated.
  bool compactGated = true;
  /// CPUPipelineOptions::fuseElementwise.
  bool fuseElementwise = true;
  /// 8-bit convolutions with AVX-512 VNNI (CPUPipelineOptions::dot4) when
  /// the host has it.
  bool vnni = true;
  /// 8-bit convolutions as pairs of 16-bit values (CPUPipelineOptions::dot2)
  /// where VNNI is not used.
  bool dot2 = true;
  /// Where VNNI is not used, 8-bit convolutions whose inputs hold 0..127
  /// (ReLU outputs) as dot products of 4 packed bytes with pmaddubsw
  /// (CPUPipelineOptions::dot4SevenBit).
  bool dot4SevenBit = true;
  /// CPUPipelineOptions::vectorBits; 0: this CPU's (hostVectorBits).
  unsigned vectorBits = 0;
};

/// The widest vectors this CPU computes on: 512 bits with AVX-512, 256
/// with AVX2, else 128. The JIT and cgnet-compile size the register
/// blocks of the convolution kernels by it.
unsigned hostVectorBits();

/// How an argument or result crosses the compiled function's boundary.
struct BoundaryType {
  bool isFloat = true;   ///< f32; otherwise stored integers:
  unsigned bytes = 4;    ///< 1, 2 or 4 bytes each,
  bool isSigned = true;  ///< sign- or zero-extended,
  int64_t min = 0, max = 0; ///< within the type's storage range.
};

/// One function of a module compiled for this CPU by the JIT.
class CPUProgram {
public:
  /// Compiles `entry` (and only it) of a copy of `module`. Errors are
  /// reported through the module's diagnostics.
  static mlir::FailureOr<std::unique_ptr<CPUProgram>>
  compile(mlir::ModuleOp module, llvm::StringRef entry,
          const CPUOptions &options = {});
  ~CPUProgram();

  /// Runs on `inputs` (in argument order: f32 tensors for float arguments,
  /// the stored integers for integer and quantized ones) and returns the
  /// results (likewise).
  mlir::FailureOr<std::vector<ref::Tensor>> run(llvm::ArrayRef<ref::Tensor> inputs);

  /// Seconds spent in the pipeline and in LLVM code generation.
  double compileSeconds() const { return compileTime; }
  /// Loops split among threads (CPUOptions::threads > 1; 0 otherwise).
  unsigned parallelLoops() const { return parallelLoopCount; }
  /// Per-layer wall times (empty unless compiled with `profile`).
  llvm::ArrayRef<LayerTime> layerTimes() const { return layers; }

private:
  CPUProgram() = default;
  mlir::Operation *func = nullptr;
  std::string entry;
  std::vector<std::vector<int64_t>> resultShapes;
  std::vector<BoundaryType> argTypes, resultTypes;
  /// The weights passed to the arguments --cgnet-outline-constants added:
  /// copies of the attributes' data in `constantStorage` (see
  /// `copyConstants` in CPURunner.cpp for their alignment).
  std::vector<const void *> constants;
  struct FreeDeleter {
    void operator()(char *p) const { std::free(p); }
  };
  std::vector<std::unique_ptr<char[], FreeDeleter>> constantStorage;
  std::unique_ptr<llvm::TargetMachine> machine;
  std::unique_ptr<mlir::ExecutionEngine> engine;
  double compileTime = 0;
  unsigned parallelLoopCount = 0;
  std::vector<LayerTime> layers;
};

/// Ahead of time: compiles `entry` (weights inside) to a relocatable object
/// for this CPU defining the C function
///   void <symbol>(const float *arg0, ..., float *result0, ...)
/// (row-major data, results written in place; integer and quantized
/// tensors as their stored integers, int8_t, uint8_t, ... by type) and writes a
/// C header that declares it, with every argument's and result's shape. `vnni`:
/// 8-bit convolutions in the dot4 form (vpdpbusd) where this CPU has AVX-512
/// VNNI, as cgnet-run's JIT does; `vectorBits`, `dot2` and `dot4SevenBit`
/// as CPUOptions's.
mlir::LogicalResult compileToObject(mlir::ModuleOp module,
                                    llvm::StringRef entry,
                                    llvm::StringRef symbol,
                                    llvm::raw_pwrite_stream &object,
                                    llvm::raw_ostream &header, bool vnni = true,
                                    unsigned vectorBits = 0, bool dot2 = true,
                                    bool dot4SevenBit = true);

void registerCPUBackend(mlir::DialectRegistry &registry);

} // namespace cgnet

#endif // CGNET_RUNTIME_CPURUNNER_H
