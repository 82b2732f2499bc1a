//===- CPURunner.cpp - compile and run a cgnet function on the CPU --------===//
//
// The bare-pointer calling convention of the CPU pipeline makes the
// compiled function take one pointer per argument and then one per result
// (the results became out-parameters): row-major f32 data.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Runtime/CPURunner.h"
#include "cgnet/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/ExecutionEngine/ExecutionEngine.h"
#include "mlir/ExecutionEngine/OptUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/Support/TargetSelect.h"

using namespace mlir;

namespace cgnet {

void registerCPUBackend(DialectRegistry &registry) {
  static bool passes = [] {
    registerAllPasses();
    registerCGNetConversionPasses();
    registerCGNetCPUPipeline();
    return true;
  }();
  (void)passes;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
}

FailureOr<std::vector<ref::Tensor>> runOnCPU(ModuleOp module, StringRef entry,
                                             ArrayRef<ref::Tensor> inputs) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    return module.emitError() << "no function named '" << entry << "'";
  FunctionType type = func.getFunctionType();
  auto isF32Tensor = [](Type t) {
    auto r = dyn_cast<RankedTensorType>(t);
    return r && r.hasStaticShape() && r.getElementType().isF32();
  };
  for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults()))
    if (!isF32Tensor(t))
      return func.emitOpError()
             << "cannot run on the CPU backend yet: arguments and results "
                "must be static f32 tensors, got "
             << t;
  for (auto [i, t] : llvm::enumerate(inputs))
    if (!t.isFloat)
      return func.emitOpError() << "input #" << i << " must be f32";

  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  // Only the entry function is compiled.
  for (auto f : llvm::make_early_inc_range(copy->getOps<func::FuncOp>()))
    if (f.getSymName() != entry)
      f.erase();
  PassManager pm(module.getContext());
  if (failed(buildCPUPipeline(pm)))
    return module.emitError("the CPU pipeline's passes are not registered");
  if (failed(pm.run(*copy)))
    return failure();

  static bool targets = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)targets;
  ExecutionEngineOptions options;
  auto transformer = makeOptimizingTransformer(/*optLevel=*/3,
                                               /*sizeLevel=*/0, nullptr);
  options.transformer = transformer;
  // memref.copy into strided views (padding) calls the C runner utilities.
  SmallVector<StringRef, 1> libs = {CGNET_C_RUNNER_UTILS};
  options.sharedLibPaths = libs;
  auto engine = ExecutionEngine::create(*copy, options);
  if (!engine)
    return module.emitError() << "cannot create the JIT: "
                              << llvm::toString(engine.takeError());

  std::vector<ref::Tensor> results;
  for (Type t : type.getResults())
  {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(t).getShape();
    results.push_back(
        ref::Tensor::floats(std::vector<int64_t>(shape.begin(), shape.end())));
  }
  std::vector<void *> pointers;
  for (const ref::Tensor &t : inputs)
    pointers.push_back(const_cast<float *>(t.f.data()));
  for (ref::Tensor &t : results)
    pointers.push_back(t.f.data());
  SmallVector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  if (llvm::Error e = (*engine)->invokePacked(entry, packed))
    return module.emitError() << "the JIT cannot run @" << entry << ": "
                              << llvm::toString(std::move(e));
  return results;
}

} // namespace cgnet
