//===- fuzz-ir.cpp - libFuzzer: parse, verify, transform, evaluate --------===//
//
// Input: cgnet IR text. Parsed and verified; a verified module then goes
// through the pass pipelines (fold batch norm, group shuffle, OCS,
// channel gating, quantization, precision split, FLOP report) and the
// reference evaluator on random inputs. Diagnostics are expected; crashes,
// sanitizer reports and hangs are bugs.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/Passes.h"
#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"
#include "cgnet/Reference/Evaluator.h"
#include "cgnet/Sim/Simulator.h"
#include "cgnet/Support/InputLimits.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include <random>

using namespace mlir;

/// Skip inputs whose tensors would make one evaluation slow: the fuzzer
/// looks for crashes, not for big convolutions.
static bool small(ModuleOp module) {
  bool ok = true;
  module.walk([&](Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto s = dyn_cast<ShapedType>(t);
          s && s.hasStaticShape() &&
          cgnet::ref::elementCount(s.getShape()) > 4096)
        ok = false;
  });
  return ok;
}

static void runPipeline(MLIRContext &context, ModuleOp module,
                        StringRef pipeline) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  PassManager pm(&context);
  if (failed(parsePassPipeline(pipeline, pm)))
    return;
  (void)pm.run(*copy);
}

/// Quantizes (when float), compiles for the accelerator and, when that
/// succeeds, runs the program on the simulator with zero inputs.
static void compileAndSimulate(MLIRContext &context, ModuleOp module) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  PassManager pm(&context);
  if (failed(parsePassPipeline(
          "builtin.module(func.func(cgnet-quantize{act-range=1}),"
          "convert-cgnet-to-cgisa)",
          pm)) ||
      failed(pm.run(*copy)))
    return;
  for (auto op : copy->getOps<cgnet::cgisa::ProgramOp>()) {
    FailureOr<cgnet::isa::Program> program = cgnet::cgisa::toProgram(op);
    if (failed(program) || program->dramBytes > (uint64_t(4) << 20))
      continue;
    std::vector<cgnet::ref::Tensor> inputs;
    for (const cgnet::isa::IoDesc &d : program->io)
      if (!d.isOutput)
        inputs.push_back(d.scale > 0 ? cgnet::ref::Tensor::floats(d.shape)
                                     : cgnet::ref::Tensor::ints(d.shape));
    std::vector<cgnet::ref::Tensor> outputs;
    cgnet::sim::Report report;
    cgnet::sim::RunOptions options;
    options.macBudget = 20'000'000;
    if (llvm::Error e =
            cgnet::sim::run(*program, inputs, outputs, report, options))
      llvm::consumeError(std::move(e));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static DialectRegistry *registry = [] {
    auto *r = new DialectRegistry();
    r->insert<cgnet::CGNetDialect, cgnet::cgisa::CGIsaDialect,
              arith::ArithDialect, func::FuncDialect, quant::QuantDialect>();
    cgnet::registerCGNetPasses();
    cgnet::registerCGNetConversionPasses();
    return r;
  }();
  MLIRContext context(*registry);
  context.allowUnregisteredDialects(false);
  ScopedDiagnosticHandler quiet(&context, [](Diagnostic &) {
    return success();
  });
  std::string text(reinterpret_cast<const char *>(data), size);
  // What the tools refuse before parsing (the MLIR parser's recursion).
  if (cgnet::checkNestingDepth(text, "fuzz.mlir"))
    return 0;
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(text, &context);
  if (!module || failed(verify(*module)) || !small(*module))
    return 0;
  for (StringRef pipeline :
       {"builtin.module(func.func(cgnet-fold-batchnorm{allow-unfolded=true}))",
        "builtin.module(func.func(cgnet-group-shuffle{groups=2}))",
        "builtin.module(func.func(cgnet-ocs{expand-ratio=0.5 skip-in-channels=0}))",
        "builtin.module(func.func(cgnet-channel-gating{threshold=0 partitions=2}))",
        "builtin.module(func.func(cgnet-quantize{act-range=1}, "
        "cgnet-precision-split{threshold=0 high-bits=2 skip-in-channels=0}))",
        "builtin.module(func.func(cgnet-quantize{random-calibration=1}))"})
    runPipeline(context, *module, pipeline);
  compileAndSimulate(context, *module);
  std::mt19937 rng(1);
  for (auto func : module->getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    std::vector<cgnet::ref::Tensor> args;
    bool ok = true;
    for (Type t : func.getArgumentTypes()) {
      auto x = cgnet::ref::randomTensor(t, rng);
      if (!x) {
        ok = false;
        break;
      }
      args.push_back(std::move(*x));
    }
    if (ok)
      (void)cgnet::ref::evaluate(func, args);
  }
  return 0;
}
