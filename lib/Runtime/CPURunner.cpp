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
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include <chrono>
#include <cstring>

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

// The profiling hooks the lowering calls around every layer (`profile`
// option of --convert-cgnet-to-cpu); they time into the program that runs.
static thread_local std::vector<LayerTime> *activeLayers;
static thread_local std::chrono::steady_clock::time_point layerStart;

extern "C" void cgnet_profile_enter(int64_t) {
  layerStart = std::chrono::steady_clock::now();
}
extern "C" void cgnet_profile_exit(int64_t id) {
  auto now = std::chrono::steady_clock::now();
  if (!activeLayers || id < 0 || size_t(id) >= activeLayers->size())
    return;
  LayerTime &l = (*activeLayers)[id];
  l.seconds += std::chrono::duration<double>(now - layerStart).count();
  ++l.calls;
}

CPUProgram::~CPUProgram() = default;

FailureOr<std::unique_ptr<CPUProgram>>
CPUProgram::compile(ModuleOp module, StringRef entry,
                    const CPUOptions &options) {
  auto start = std::chrono::steady_clock::now();
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

  std::unique_ptr<CPUProgram> program(new CPUProgram);
  program->func = func;
  program->entry = entry.str();
  for (Type t : type.getResults()) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(t).getShape();
    program->resultShapes.emplace_back(shape.begin(), shape.end());
  }
  if (options.profile)
    for (Operation *op : profiledLayers(func)) {
      std::string name;
      llvm::raw_string_ostream os(name);
      os << op->getName() << " " << op->getLoc();
      program->layers.push_back({name, 0, 0});
    }

  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  // Only the entry function is compiled.
  for (auto f : llvm::make_early_inc_range(copy->getOps<func::FuncOp>()))
    if (f.getSymName() != entry)
      f.erase();
  CPUPipelineOptions pipelineOptions;
  pipelineOptions.profile = options.profile;
  pipelineOptions.upstreamConv = options.upstreamConv;
  pipelineOptions.outlineConstants = true;
  PassManager front(module.getContext()), back(module.getContext());
  if (failed(buildCPUPipelineFront(front, pipelineOptions)) ||
      failed(buildCPUPipelineBack(back)))
    return module.emitError("the CPU pipeline's passes are not registered");
  if (failed(front.run(*copy)))
    return failure();
  // The weights the JIT passes in (--cgnet-outline-constants).
  auto lowered = copy->lookupSymbol<func::FuncOp>(entry);
  if (auto values = lowered->getAttrOfType<ArrayAttr>(kConstantArgumentsAttr)) {
    for (Attribute a : values) {
      auto dense = dyn_cast<DenseElementsAttr>(a);
      if (dense && !dense.isSplat()) {
        program->constants.push_back(dense.getRawData().data());
        continue;
      }
      // Splats and resources: a copy of the values, row-major.
      auto elements = cast<ElementsAttr>(a);
      unsigned bytes = elements.getElementType().getIntOrFloatBitWidth() / 8;
      auto &data = program->ownedConstants.emplace_back(
          size_t(elements.getNumElements()) * bytes);
      auto resource = dyn_cast<DenseResourceElementsAttr>(a);
      AsmResourceBlob *blob =
          resource ? resource.getRawHandle().getBlob() : nullptr;
      if (blob && blob->getData().size() == data.size()) {
        llvm::copy(blob->getData(), data.begin());
      } else if (dense) {
        ArrayRef<char> one = dense.getRawData();
        for (size_t at = 0; at < data.size(); at += bytes)
          std::memcpy(data.data() + at, one.data(), bytes);
      } else {
        return lowered.emitOpError()
               << "cannot pass a constant of this kind to the JIT: " << a;
      }
      program->constants.push_back(data.data());
    }
    lowered->removeAttr(kConstantArgumentsAttr);
  }
  if (failed(back.run(*copy)))
    return failure();

  static bool targets = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)targets;
  ExecutionEngineOptions engineOptions;
  // The optimizer needs this CPU's target machine: without it the loop
  // vectorizer sees no vector registers.
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return module.emitError() << "cannot describe this CPU to LLVM: "
                              << llvm::toString(builder.takeError());
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  auto machine = builder->createTargetMachine();
  if (!machine)
    return module.emitError() << "cannot create LLVM's target machine: "
                              << llvm::toString(machine.takeError());
  program->machine = std::move(*machine);
  auto transformer = makeOptimizingTransformer(
      /*optLevel=*/2, /*sizeLevel=*/0, program->machine.get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Default;
  // memref.copy into strided views (padding) calls the C runner utilities.
  SmallVector<StringRef, 1> libs = {CGNET_C_RUNNER_UTILS};
  engineOptions.sharedLibPaths = libs;
  auto engine = ExecutionEngine::create(*copy, engineOptions);
  if (!engine)
    return module.emitError() << "cannot create the JIT: "
                              << llvm::toString(engine.takeError());
  program->engine = std::move(*engine);
  if (options.profile)
    program->engine->registerSymbols([](llvm::orc::MangleAndInterner mangle) {
      llvm::orc::SymbolMap map;
      map[mangle("cgnet_profile_enter")] = {
          llvm::orc::ExecutorAddr::fromPtr(&cgnet_profile_enter),
          llvm::JITSymbolFlags::Exported};
      map[mangle("cgnet_profile_exit")] = {
          llvm::orc::ExecutorAddr::fromPtr(&cgnet_profile_exit),
          llvm::JITSymbolFlags::Exported};
      return map;
    });
  // Code generation is lazy: look the entry up now so that it is timed here.
  if (auto sym = program->engine->lookupPacked(entry); !sym)
    return module.emitError() << "the JIT cannot compile @" << entry << ": "
                              << llvm::toString(sym.takeError());
  program->compileTime =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  return program;
}

FailureOr<std::vector<ref::Tensor>>
CPUProgram::run(ArrayRef<ref::Tensor> inputs) {
  auto f = cast<func::FuncOp>(func);
  if (inputs.size() != f.getNumArguments())
    return f.emitOpError() << "takes " << f.getNumArguments() << " inputs, "
                           << inputs.size() << " given";
  for (auto [i, t] : llvm::enumerate(inputs)) {
    auto want = cast<RankedTensorType>(f.getArgumentTypes()[i]);
    if (!t.isFloat)
      return f.emitOpError() << "input #" << i << " must be f32";
    if (ArrayRef<int64_t>(t.shape) != want.getShape())
      return f.emitOpError() << "input #" << i << " has the wrong shape for "
                             << want;
  }
  std::vector<ref::Tensor> results;
  for (const std::vector<int64_t> &shape : resultShapes)
    results.push_back(ref::Tensor::floats(shape));
  std::vector<void *> pointers;
  for (const ref::Tensor &t : inputs)
    pointers.push_back(const_cast<float *>(t.f.data()));
  for (const void *c : constants)
    pointers.push_back(const_cast<void *>(c));
  for (ref::Tensor &t : results)
    pointers.push_back(t.f.data());
  SmallVector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  activeLayers = layers.empty() ? nullptr : &layers;
  llvm::Error e = engine->invokePacked(entry, packed);
  activeLayers = nullptr;
  if (e)
    return f.emitOpError() << "the JIT cannot run it: "
                           << llvm::toString(std::move(e));
  return results;
}

FailureOr<std::vector<ref::Tensor>> runOnCPU(ModuleOp module, StringRef entry,
                                             ArrayRef<ref::Tensor> inputs) {
  auto program = CPUProgram::compile(module, entry);
  if (failed(program))
    return failure();
  return (*program)->run(inputs);
}

} // namespace cgnet
