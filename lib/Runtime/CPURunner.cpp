//===- CPURunner.cpp - compile and run a cgnet function on the CPU --------===//
//
// The bare-pointer calling convention of the CPU pipeline makes the
// compiled function take one pointer per argument and then one per result
// (the results became out-parameters): row-major f32 data.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Runtime/CPURunner.h"
#include "cgnet/Conversion/Passes.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <sys/mman.h>
#include <unordered_map>

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
  double seconds = std::chrono::duration<double>(now - layerStart).count();
  l.seconds += seconds;
  if (l.calls == 0 || seconds < l.best)
    l.best = seconds;
  ++l.calls;
}

// The generated code allocates its temporaries (padded inputs, channel
// slices, wide outputs) with aligned_alloc (malloc where no alignment is
// asked) and frees them before it returns, the same sizes on every run.
// glibc serves blocks of 128 KiB and more with fresh mmap'ed pages (or
// trims them off the heap top on free), so every run would fault them in
// again: a third of a gated 32x32 layer's time. The JIT resolves the
// code's allocation functions to this cache, which keeps freed blocks by
// size and alignment for the next run (bounded by the largest set of
// temporaries live at once; kept while the process runs).
namespace {
struct ScratchCache {
  std::mutex mutex;
  std::unordered_multimap<uint64_t, void *> idle;
  llvm::DenseMap<void *, uint64_t> keys;
};
ScratchCache &scratch() {
  static ScratchCache *cache = new ScratchCache; // outlives every program
  return *cache;
}
void *scratchAllocate(size_t align, size_t bytes) {
  align = std::max<size_t>(align, alignof(std::max_align_t));
  uint64_t key = (uint64_t(bytes) << 8) | llvm::Log2_64(align);
  ScratchCache &c = scratch();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.idle.find(key);
  if (it != c.idle.end()) {
    void *p = it->second;
    c.idle.erase(it);
    return p;
  }
  void *p = nullptr;
  if (posix_memalign(&p, align, std::max<size_t>(bytes, 1)) != 0)
    return nullptr;
  c.keys[p] = key;
  return p;
}
} // namespace

// Storage for a weight the JIT passes in. The lowering lays weight rows
// out for cache-line-aligned vector loads (a cache line apart for small
// planes, --convert-cgnet-to-cpu; the loads are unaligned ones, so this
// is speed, not correctness); the attribute's own storage is only 8-byte
// aligned. Weights of 2 MiB and more
// are put on transparent huge pages where the kernel allows it
// (MADV_HUGEPAGE; "madvise" mode): the L2 cache is indexed by physical
// address, and on 4 KiB pages a layer whose weights stream from L2 ran
// at one speed or at half of it depending on where its pages landed
// (ResNet-18's 7 x 7 int8 layer: 2.1 or 4.1 ms, process by process).
static char *allocateConstant(size_t bytes) {
  constexpr size_t hugePage = size_t(2) << 20;
  size_t align = bytes >= hugePage ? hugePage : 64;
  size_t size = llvm::alignTo(std::max<size_t>(bytes, 1), align);
  void *p = nullptr;
  if (posix_memalign(&p, align, size) != 0)
    return nullptr;
#ifdef MADV_HUGEPAGE
  if (align == hugePage)
    (void)madvise(p, size, MADV_HUGEPAGE); // only advice
#endif
  return static_cast<char *>(p);
}

extern "C" void *cgnet_scratch_malloc(size_t bytes) {
  return scratchAllocate(0, bytes);
}

extern "C" void *cgnet_scratch_aligned_alloc(size_t align, size_t bytes) {
  return scratchAllocate(align, bytes);
}

extern "C" void cgnet_scratch_free(void *p) {
  if (!p)
    return;
  ScratchCache &c = scratch();
  std::lock_guard<std::mutex> lock(c.mutex);
  auto it = c.keys.find(p);
  if (it == c.keys.end()) {
    std::free(p);
    return;
  }
  c.idle.emplace(it->second, p);
}

CPUProgram::~CPUProgram() = default;

/// How a tensor of `type` crosses the CPU backend's function boundary, or
/// std::nullopt if it cannot: static f32 tensors as floats, integer and
/// quantized tensors of 8-, 16- or 32-bit storage as their stored integers.
static std::optional<BoundaryType> boundaryOf(Type type) {
  auto r = dyn_cast<RankedTensorType>(type);
  if (!r || !r.hasStaticShape())
    return std::nullopt;
  if (r.getElementType().isF32())
    return BoundaryType{};
  std::optional<ElementInfo> info = getElementInfo(r.getElementType());
  auto storage = storageOf(r.getElementType());
  if (!info || !info->isIntegerLike() || !storage ||
      !isBoundaryStorageWidth(storage->first))
    return std::nullopt;
  return BoundaryType{false, storage->first / 8, info->isSigned,
                      info->storageMin, info->storageMax};
}

/// The function `entry` of `module` if the CPU backend can call it: static
/// f32 or integer tensors in and out.
static FailureOr<func::FuncOp> callableEntry(ModuleOp module,
                                             StringRef entry) {
  auto func = module.lookupSymbol<func::FuncOp>(entry);
  if (!func)
    return module.emitError() << "no function named '" << entry << "'";
  FunctionType type = func.getFunctionType();
  for (Type t : llvm::concat<const Type>(type.getInputs(), type.getResults()))
    if (!boundaryOf(t))
      return func.emitOpError()
             << "cannot run on the CPU backend: arguments and results must "
                "be static tensors of f32 or of integers with 8-, 16- or "
                "32-bit storage, got "
             << t;
  return func;
}

/// The C type of a boundary element.
static const char *cTypeOf(const BoundaryType &b) {
  if (b.isFloat)
    return "float";
  switch (b.bytes) {
  case 1:
    return b.isSigned ? "int8_t" : "uint8_t";
  case 2:
    return b.isSigned ? "int16_t" : "uint16_t";
  default:
    return b.isSigned ? "int32_t" : "uint32_t";
  }
}

/// Whether this machine's CPU has the LLVM feature `name` (the JIT and
/// cgnet-compile compile for the host).
static bool hostHas(StringRef name) {
  llvm::StringMap<bool> features = llvm::sys::getHostCPUFeatures();
  auto it = features.find(name);
  return it != features.end() && it->second;
}

unsigned hostVectorBits() {
  // 512-bit integer kernels (the dot2 form's vpmaddwd) need AVX-512BW.
  if (hostHas("avx512f") && hostHas("avx512bw"))
    return 512;
  if (hostHas("avx2"))
    return 256;
  return 128;
}

/// The kernel forms of `options` for this CPU: the vector width asked for
/// (0: this CPU's widest; one the kernels have and this CPU computes on,
/// since the integer kernels call its instructions, else an error), the
/// dot4 form (vpdpbusd on zmm) where the CPU has AVX-512 VNNI and the
/// vectors are 512 bits, the dot2 form (pmaddwd) otherwise, and there the
/// dot4-7bit form (pmaddubsw) for inputs of 0..127 where the CPU has the
/// instruction at that width. All are only fast as --cgnet-register-block
/// computes them.
static LogicalResult chooseKernels(ModuleOp module, CPUPipelineOptions &options,
                                   unsigned bits, bool vnni, bool dot2,
                                   bool dot4SevenBit) {
  if (bits != 0 && bits != 128 && bits != 256 && bits != 512)
    return emitError(module.getLoc())
           << "vector width " << bits
           << " bits: 128, 256 or 512 (0: this CPU's)";
  if (bits > hostVectorBits())
    return emitError(module.getLoc())
           << "vector width " << bits << " bits: this CPU's vectors are "
           << hostVectorBits() << " bits wide";
  options.vectorBits = bits ? bits : hostVectorBits();
  options.dot4 = vnni && options.registerBlock && hostHas("avx512vnni") &&
                 options.vectorBits == 512;
  options.dot2 = dot2 && options.registerBlock && !options.dot4;
  bool pmaddubsw = options.vectorBits == 512   ? hostHas("avx512bw")
                   : options.vectorBits == 256 ? hostHas("avx2")
                                               : hostHas("ssse3");
  options.dot4SevenBit =
      dot4SevenBit && options.registerBlock && !options.dot4 && pmaddubsw;
  return success();
}

/// The per-layer functions of --convert-cgnet-to-cpu's `outline-layers`
/// stay functions in LLVM (noinline, internal): LLVM's loop passes then work on one
/// layer at a time instead of one huge function, which keeps compile time
/// linear in the network's size.
static void keepLayersOutOfLine(ModuleOp module) {
  module.walk([](LLVM::LLVMFuncOp f) {
    if (f->hasAttr("cgnet.layer")) {
      f.setNoInline(true);
      f.setLinkage(LLVM::Linkage::Internal); // not exported from objects
    }
  });
}

/// A copy of `module` with only its function `entry`.
static OwningOpRef<ModuleOp> entryOnly(ModuleOp module, StringRef entry) {
  OwningOpRef<ModuleOp> copy(cast<ModuleOp>(module->clone()));
  for (auto f : llvm::make_early_inc_range(copy->getOps<func::FuncOp>()))
    if (f.getSymName() != entry)
      f.erase();
  return copy;
}

/// LLVM's target machine for this CPU (its vector width guides the loop
/// vectorizer; without one it sees no vector registers). Objects for
/// linking are position-independent with the small code model.
static FailureOr<std::unique_ptr<llvm::TargetMachine>>
hostMachine(ModuleOp module, bool forObject = false) {
  static bool targets = [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)targets;
  auto builder = llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!builder)
    return module.emitError() << "cannot describe this CPU to LLVM: "
                              << llvm::toString(builder.takeError());
  builder->setCodeGenOptLevel(llvm::CodeGenOptLevel::Default);
  if (forObject) {
    builder->setRelocationModel(llvm::Reloc::PIC_);
    builder->setCodeModel(llvm::CodeModel::Small);
  }
  auto machine = builder->createTargetMachine();
  if (!machine)
    return module.emitError() << "cannot create LLVM's target machine: "
                              << llvm::toString(machine.takeError());
  return std::move(*machine);
}

FailureOr<std::unique_ptr<CPUProgram>>
CPUProgram::compile(ModuleOp module, StringRef entry,
                    const CPUOptions &options) {
  auto start = std::chrono::steady_clock::now();
  FailureOr<func::FuncOp> found = callableEntry(module, entry);
  if (failed(found))
    return failure();
  func::FuncOp func = *found;
  FunctionType type = func.getFunctionType();

  std::unique_ptr<CPUProgram> program(new CPUProgram);
  program->func = func;
  program->entry = entry.str();
  for (Type t : type.getInputs())
    program->argTypes.push_back(*boundaryOf(t));
  for (Type t : type.getResults()) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(t).getShape();
    program->resultShapes.emplace_back(shape.begin(), shape.end());
    program->resultTypes.push_back(*boundaryOf(t));
  }
  if (options.profile) {
    // Keys as the other reports name layers; an op that shares its
    // location name with an earlier one (a layer's requantize and ReLU
    // after ONNX import) gets "<name>/<op>".
    llvm::StringSet<> used;
    for (Operation *op : profiledLayers(func)) {
      std::string name;
      llvm::raw_string_ostream os(name);
      os << op->getName() << " " << op->getLoc();
      std::string key = layerName(op);
      if (used.contains(key))
        key += "/" + op->getName().stripDialect().str();
      for (int k = 2; used.contains(key); ++k)
        key = layerName(op) + "/" + op->getName().stripDialect().str() + "#" +
              std::to_string(k);
      used.insert(key);
      program->layers.push_back({name, key, 0, 0});
    }
  }

  OwningOpRef<ModuleOp> copy = entryOnly(module, entry);
  CPUPipelineOptions pipelineOptions;
  pipelineOptions.profile = options.profile;
  pipelineOptions.upstreamConv = options.upstreamConv;
  pipelineOptions.outlineConstants = true;
  pipelineOptions.outlineLayers = true;
  pipelineOptions.threads = options.threads;
  pipelineOptions.registerBlock = options.registerBlock;
  pipelineOptions.compactGated = options.compactGated;
  pipelineOptions.fuseElementwise = options.fuseElementwise;
  if (failed(chooseKernels(module, pipelineOptions, options.vectorBits,
                           options.vnni, options.dot2, options.dot4SevenBit)))
    return failure();
  PassManager front(module.getContext()), back(module.getContext());
  if (failed(buildCPUPipelineFront(front, pipelineOptions)) ||
      failed(buildCPUPipelineBack(back, pipelineOptions)))
    return module.emitError("the CPU pipeline's passes are not registered");
  if (failed(front.run(*copy)))
    return failure();
  // The weights the JIT passes in (--cgnet-outline-constants).
  auto lowered = copy->lookupSymbol<func::FuncOp>(entry);
  if (auto values = lowered->getAttrOfType<ArrayAttr>(kConstantArgumentsAttr)) {
    for (Attribute a : values) {
      auto elements = cast<ElementsAttr>(a);
      size_t bytes = elements.getElementType().getIntOrFloatBitWidth() / 8;
      size_t size = size_t(elements.getNumElements()) * bytes;
      char *data = allocateConstant(size);
      if (!data)
        return lowered.emitOpError()
               << "cannot allocate " << size << " bytes for a constant";
      program->constantStorage.emplace_back(data);
      auto dense = dyn_cast<DenseElementsAttr>(a);
      auto resource = dyn_cast<DenseResourceElementsAttr>(a);
      AsmResourceBlob *blob =
          resource ? resource.getRawHandle().getBlob() : nullptr;
      if (dense && !dense.isSplat()) {
        std::memcpy(data, dense.getRawData().data(), size);
      } else if (blob && blob->getData().size() == size) {
        llvm::copy(blob->getData(), data);
      } else if (dense) {
        // A splat: its one value, repeated.
        ArrayRef<char> one = dense.getRawData();
        for (size_t at = 0; at < size; at += bytes)
          std::memcpy(data + at, one.data(), bytes);
      } else {
        return lowered.emitOpError()
               << "cannot pass a constant of this kind to the JIT: " << a;
      }
      program->constants.push_back(data);
    }
    lowered->removeAttr(kConstantArgumentsAttr);
  }
  if (failed(back.run(*copy)))
    return failure();
  keepLayersOutOfLine(*copy);
  // --async-parallel-for outlines one compute function per parallel loop.
  copy->walk([&](LLVM::LLVMFuncOp f) {
    if (f.getSymName().starts_with("parallel_compute_fn"))
      ++program->parallelLoopCount;
  });

  ExecutionEngineOptions engineOptions;
  auto machine = hostMachine(module);
  if (failed(machine))
    return failure();
  program->machine = std::move(*machine);
  auto transformer = makeOptimizingTransformer(
      /*optLevel=*/2, /*sizeLevel=*/0, program->machine.get());
  engineOptions.transformer = transformer;
  engineOptions.jitCodeGenOptLevel = llvm::CodeGenOptLevel::Default;
  // Contiguous memref.copy calls the C runner utilities; threads run on
  // MLIR's async runtime.
  SmallVector<StringRef, 2> libs = {CGNET_C_RUNNER_UTILS};
  if (options.threads > 1)
    libs.push_back(CGNET_ASYNC_RUNTIME);
  engineOptions.sharedLibPaths = libs;
  auto engine = ExecutionEngine::create(*copy, engineOptions);
  if (!engine)
    return module.emitError() << "cannot create the JIT: "
                              << llvm::toString(engine.takeError());
  program->engine = std::move(*engine);
  bool profile = options.profile;
  program->engine->registerSymbols(
      [profile](llvm::orc::MangleAndInterner mangle) {
        llvm::orc::SymbolMap map;
        auto define = [&](StringRef name, auto *fn) {
          map[mangle(name)] = {llvm::orc::ExecutorAddr::fromPtr(fn),
                               llvm::JITSymbolFlags::Exported};
        };
        define("malloc", &cgnet_scratch_malloc);
        define("aligned_alloc", &cgnet_scratch_aligned_alloc);
        define("free", &cgnet_scratch_free);
        if (profile) {
          define("cgnet_profile_enter", &cgnet_profile_enter);
          define("cgnet_profile_exit", &cgnet_profile_exit);
        }
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
  // Integer data travels as the stored integers, in buffers of their width.
  std::vector<std::vector<char>> argData;
  auto store = [](const BoundaryType &b, int64_t v, char *at) {
    if (b.bytes == 1)
      *at = static_cast<char>(v);
    else if (b.bytes == 2) {
      int16_t x = static_cast<int16_t>(v);
      std::memcpy(at, &x, 2);
    } else {
      int32_t x = static_cast<int32_t>(v);
      std::memcpy(at, &x, 4);
    }
  };
  std::vector<void *> pointers;
  for (auto [i, t] : llvm::enumerate(inputs)) {
    auto want = cast<RankedTensorType>(f.getArgumentTypes()[i]);
    const BoundaryType &b = argTypes[i];
    if (ArrayRef<int64_t>(t.shape) != want.getShape())
      return f.emitOpError() << "input #" << i << " has the wrong shape for "
                             << want << ": " << t.describe();
    if (t.isFloat != b.isFloat)
      return f.emitOpError() << "input #" << i << " must be "
                             << (b.isFloat ? "f32" : "integers") << " for "
                             << want << ", got " << t.describe();
    if (b.isFloat) {
      pointers.push_back(const_cast<float *>(t.f.data()));
      continue;
    }
    std::vector<char> &buf = argData.emplace_back(t.i.size() * b.bytes);
    for (size_t e = 0; e < t.i.size(); ++e) {
      if (t.i[e] < b.min || t.i[e] > b.max)
        return f.emitOpError()
               << "input #" << i << " element " << e << " is " << t.i[e]
               << ", outside [" << b.min << ", " << b.max << "] of " << want;
      store(b, t.i[e], buf.data() + e * b.bytes);
    }
    pointers.push_back(buf.data());
  }
  std::vector<ref::Tensor> results;
  std::vector<std::vector<char>> resultData(resultShapes.size());
  for (auto [shape, b, data] : llvm::zip(resultShapes, resultTypes,
                                         resultData)) {
    results.push_back(b.isFloat ? ref::Tensor::floats(shape)
                                : ref::Tensor::ints(shape));
    if (!b.isFloat)
      data.resize(results.back().i.size() * b.bytes);
  }
  for (const void *c : constants)
    pointers.push_back(const_cast<void *>(c));
  for (auto [t, b, data] : llvm::zip(results, resultTypes, resultData))
    pointers.push_back(b.isFloat ? static_cast<void *>(t.f.data())
                                 : data.data());
  SmallVector<void *> packed;
  for (void *&p : pointers)
    packed.push_back(&p);
  activeLayers = layers.empty() ? nullptr : &layers;
  llvm::Error err = engine->invokePacked(entry, packed);
  activeLayers = nullptr;
  if (err)
    return f.emitOpError() << "the JIT cannot run it: "
                           << llvm::toString(std::move(err));
  for (auto [t, b, data] : llvm::zip(results, resultTypes, resultData)) {
    if (b.isFloat)
      continue;
    for (size_t e = 0; e < t.i.size(); ++e) {
      const char *at = data.data() + e * b.bytes;
      if (b.bytes == 1)
        t.i[e] = b.isSigned ? int32_t(int8_t(*at)) : int32_t(uint8_t(*at));
      else if (b.bytes == 2) {
        uint16_t x;
        std::memcpy(&x, at, 2);
        t.i[e] = b.isSigned ? int32_t(int16_t(x)) : int32_t(x);
      } else {
        std::memcpy(&t.i[e], at, 4);
      }
    }
  }
  return results;
}

LogicalResult compileToObject(ModuleOp module, StringRef entry,
                              StringRef symbol, llvm::raw_pwrite_stream &object,
                              llvm::raw_ostream &header, bool vnni,
                              unsigned vectorBits, bool dot2,
                              bool dot4SevenBit) {
  FailureOr<func::FuncOp> found = callableEntry(module, entry);
  if (failed(found))
    return failure();
  FunctionType type = found->getFunctionType();
  OwningOpRef<ModuleOp> copy = entryOnly(module, entry);
  auto func = copy->lookupSymbol<func::FuncOp>(entry);
  if (failed(SymbolTable::replaceAllSymbolUses(func, StringAttr::get(
                                                          module.getContext(),
                                                          symbol),
                                               *copy)))
    return failure();
  func.setSymName(symbol);
  // Weights stay inside: the object is self-contained.
  PassManager pm(module.getContext());
  CPUPipelineOptions pipelineOptions;
  pipelineOptions.outlineLayers = true;
  // The object is compiled for this CPU, as the JIT's code is.
  if (failed(chooseKernels(module, pipelineOptions, vectorBits, vnni, dot2,
                           dot4SevenBit)))
    return failure();
  if (failed(buildCPUPipeline(pm, pipelineOptions)))
    return module.emitError("the CPU pipeline's passes are not registered");
  if (failed(pm.run(*copy)))
    return failure();
  keepLayersOutOfLine(*copy);
  auto machine = hostMachine(module, /*forObject=*/true);
  if (failed(machine))
    return failure();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*copy, llvmContext, symbol);
  if (!llvmModule)
    return module.emitError("cannot translate the lowered module to LLVM IR");
  llvmModule->setDataLayout((*machine)->createDataLayout());
  llvmModule->setTargetTriple((*machine)->getTargetTriple());
  auto optimize = makeOptimizingTransformer(/*optLevel=*/2, /*sizeLevel=*/0,
                                            machine->get());
  if (llvm::Error e = optimize(llvmModule.get()))
    return module.emitError() << "LLVM's optimizer failed: "
                              << llvm::toString(std::move(e));
  llvm::legacy::PassManager codegen;
  if ((*machine)->addPassesToEmitFile(codegen, object, nullptr,
                                      llvm::CodeGenFileType::ObjectFile))
    return module.emitError("this CPU's target cannot emit object files");
  codegen.run(*llvmModule);

  // The C declaration, with the shapes as comments and element counts as
  // macros.
  std::string guard = (symbol + "_h").str(), upper = symbol.upper();
  for (char &c : guard)
    c = llvm::isAlnum(c) ? llvm::toUpper(c) : '_';
  header << "/* Generated by cgnet-compile: @" << entry
         << " compiled for this CPU (row-major data; integer tensors as\n"
         << "   their stored integers).\n"
         << "   Link with the object and MLIR's C runner utilities, e.g.\n"
         << "   cc app.c model.o -L" << CGNET_LLVM_LIBRARY_DIR
         << " -lmlir_c_runner_utils -Wl,-rpath," << CGNET_LLVM_LIBRARY_DIR
         << "\n"
         << "   Each call allocates its temporaries (aligned_alloc) and\n"
         << "   frees them before it returns. glibc gives blocks of 128 KiB\n"
         << "   and more back to the system, so a process that calls\n"
         << "   repeatedly pays their page faults on every call;\n"
         << "   mallopt(M_MMAP_THRESHOLD, ...) and mallopt(M_TRIM_THRESHOLD,\n"
         << "   ...) above the largest layer keep them (cgnet-run's JIT\n"
         << "   reuses them through its own cache). */\n"
         << "#ifndef " << guard << "\n#define " << guard << "\n\n"
         << "#include <stdint.h>\n\n"
         << "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  auto describe = [&](StringRef kind, unsigned i, Type t) {
    auto r = cast<RankedTensorType>(t);
    header << "/* " << kind << i << ": " << cTypeOf(*boundaryOf(t)) << "[";
    llvm::interleave(r.getShape(), header, "][");
    header << "] */\n#define " << upper << "_" << kind.upper() << i
           << "_ELEMENTS " << r.getNumElements() << "\n#define " << upper
           << "_" << kind.upper() << i << "_SHAPE \"";
    llvm::interleave(r.getShape(), header, ", ");
    header << "\"\n";
  };
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    describe("arg", i, t);
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    describe("result", i, t);
  header << "\nvoid " << symbol << "(";
  SmallVector<std::string> params;
  for (auto [i, t] : llvm::enumerate(type.getInputs()))
    params.push_back("const " + std::string(cTypeOf(*boundaryOf(t))) + " *arg" +
                     std::to_string(i));
  for (auto [i, t] : llvm::enumerate(type.getResults()))
    params.push_back(std::string(cTypeOf(*boundaryOf(t))) + " *result" +
                     std::to_string(i));
  llvm::interleaveComma(params, header);
  header << ");\n\n#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard
         << " */\n";
  return success();
}

} // namespace cgnet
