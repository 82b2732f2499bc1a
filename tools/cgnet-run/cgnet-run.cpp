//===- cgnet-run.cpp - run a cgnet model on .npy inputs -------------------===//
//
// Runs one function of a cgnet module on inputs from .npy files (or
// deterministic random inputs), writes or prints the outputs, compares them
// with expected .npy files, and reports the gate-on rate of every gated
// convolution.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Reference/Evaluator.h"
#include "cgnet/Reference/Npy.h"
#include "cgnet/Runtime/CPURunner.h"
#include "cgnet/Support/ModuleFile.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include <chrono>
#include <cmath>
#include <random>

using namespace mlir;
using namespace llvm;
namespace ref = cgnet::ref;

namespace {
enum class Backend { Reference, CPU };

cl::OptionCategory category("cgnet-run options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::init("-"), cl::cat(category));
cl::opt<Backend> backend(
    "backend", cl::desc("Executor to run the model with"),
    cl::values(clEnumValN(Backend::Reference, "reference",
                          "the reference evaluator (plain C++ loops; the "
                          "definition of every op)"),
               clEnumValN(Backend::CPU, "cpu",
                          "compiled with --cgnet-cpu-pipeline and run by the "
                          "LLVM JIT (f32 arguments and results; float and "
                          "quantized layers; see --convert-cgnet-to-cpu)")),
    cl::init(Backend::Reference), cl::cat(category));
// A flag, not a cl::alias: an alias of --backend would take the next
// argument as its value.
cl::opt<bool> referenceFlag("reference",
                            cl::desc("Same as --backend=reference"),
                            cl::cat(category));
cl::opt<std::string> entry("entry",
                           cl::desc("Function to run (default: the only "
                                    "function, or @main)"),
                           cl::cat(category));
cl::list<std::string> inputs("input",
                             cl::desc("Input .npy file, one per argument, in "
                                      "order"),
                             cl::cat(category));
cl::opt<bool> randomInputs("random-inputs",
                           cl::desc("Use deterministic random inputs: floats "
                                    "uniform in [-1, 1], integers uniform in "
                                    "their storage range"),
                           cl::cat(category));
cl::opt<unsigned> seed("seed", cl::desc("Seed for --random-inputs"),
                       cl::init(1), cl::cat(category));
cl::list<std::string> outputs("output",
                              cl::desc("Write result #i to the i-th .npy file"),
                              cl::cat(category));
cl::list<std::string> expects("expect",
                              cl::desc("Compare result #i with the i-th .npy "
                                       "file (integers exactly, floats within "
                                       "--atol + --rtol * |expected|)"),
                              cl::cat(category));
cl::opt<double> atol("atol", cl::desc("Absolute tolerance for float "
                                      "comparisons"),
                     cl::init(1e-5), cl::cat(category));
cl::opt<double> rtol("rtol", cl::desc("Relative tolerance for float "
                                      "comparisons"),
                     cl::init(1e-4), cl::cat(category));
cl::opt<double> minSqnr(
    "min-sqnr",
    cl::desc("Compare float results by signal-to-quantization-noise ratio "
             "instead of --atol/--rtol: 10 log10(sum expected^2 / sum "
             "(result - expected)^2) must be at least this many dB "
             "(quantized models against their float original)"),
    cl::value_desc("dB"), cl::cat(category));
cl::list<std::string> saveInputs("save-inputs",
                                 cl::desc("Write input #i (e.g. the random "
                                          "inputs) to the i-th .npy file"),
                                 cl::cat(category));
cl::opt<std::string> baseline(
    "baseline",
    cl::desc("Run the same-named function(s) of this module on the same "
             "inputs and compare the model's results against them (the "
             "baseline gives the expected values; tolerances as --expect)"),
    cl::value_desc("module.mlir"), cl::cat(category));
cl::opt<bool> allFunctions(
    "all-functions",
    cl::desc("With --baseline and --random-inputs: compare every function "
             "of the model, each on its own random inputs"),
    cl::cat(category));
cl::opt<bool> printValues("print-values",
                          cl::desc("Print result values (up to "
                                   "--print-limit per result)"),
                          cl::cat(category));
cl::opt<unsigned> printLimit("print-limit", cl::init(64),
                             cl::desc("Values printed per result"),
                             cl::cat(category));
cl::opt<bool> gateStats("gate-stats",
                        cl::desc("Print the gate-on rate of every gated "
                                 "convolution"),
                        cl::cat(category));

cl::opt<bool> timeFlag(
    "time",
    cl::desc("Print the wall time of compiling (CPU backend) and of running "
             "the model (the best of --repeat runs)"),
    cl::cat(category));
cl::opt<unsigned> repeat("repeat",
                         cl::desc("Run the model this many times (with "
                                  "--time or --profile; results from the "
                                  "last run)"),
                         cl::init(1), cl::cat(category));
cl::opt<bool> profileFlag(
    "profile",
    cl::desc("CPU backend: print the wall time of every layer (the mean "
             "and the best of --repeat runs) and its share of the total"),
    cl::cat(category));
cl::opt<std::string> profileReport(
    "profile-report",
    cl::desc("With --profile: also write the layer times as JSON (one entry "
             "per layer, keyed like the other reports; cgnet-report joins "
             "them)"),
    cl::value_desc("file"), cl::cat(category));
cl::opt<bool> upstreamConv(
    "cpu-upstream-conv",
    cl::desc("CPU backend, benchmark baseline: float convolutions through "
             "upstream's linalg.conv_2d_nchw_fchw and plain loops"),
    cl::cat(category));
cl::opt<bool> registerBlock(
    "cpu-register-block",
    cl::desc("CPU backend: convolution loops as register-blocked vector "
             "code (--cgnet-register-block; default on). Off: LLVM's loop "
             "vectorizer alone, a benchmark baseline"),
    cl::init(true), cl::cat(category));
cl::opt<bool> compactGated(
    "cpu-compact-gated",
    cl::desc("CPU backend: gated convolutions' conditional outputs listed "
             "per channel and computed in blocks (--cgnet-compact-gated; "
             "default on). Off: a branch and a dot product per output, a "
             "benchmark baseline"),
    cl::init(true), cl::cat(category));
cl::opt<bool> fuseElementwise(
    "cpu-fuse-elementwise",
    cl::desc("CPU backend: chains of element-wise layers (requantize, "
             "ReLU, add, ...) as one loop each (--cgnet-fuse-elementwise; "
             "default on, never with --profile). Off: one loop per layer"),
    cl::init(true), cl::cat(category));
cl::opt<bool> vnni(
    "cpu-vnni",
    cl::desc("CPU backend: 8-bit convolutions as dot products of packed "
             "bytes with AVX-512 VNNI when this CPU has it "
             "(--convert-cgnet-to-cpu=dot4; default on). Off: 32-bit "
             "multiply-adds"),
    cl::init(true), cl::cat(category));
cl::opt<bool> dot2(
    "cpu-dot2",
    cl::desc("CPU backend: where VNNI is not used, 8-bit convolutions as "
             "dot products of pairs of 16-bit values with pmaddwd "
             "(--convert-cgnet-to-cpu=dot2; default on). Off: 32-bit "
             "multiply-adds"),
    cl::init(true), cl::cat(category));
cl::opt<bool> dot4SevenBit(
    "cpu-dot4-7bit",
    cl::desc(
        "CPU backend: where VNNI is not used, 8-bit convolutions whose input "
        "holds 0..127 (a ReLU's output) as dot products of 4 packed "
        "bytes with pmaddubsw (--convert-cgnet-to-cpu=dot4-7bit; "
        "default on). Off: those take --cpu-dot2's form too"),
    cl::init(true), cl::cat(category));
cl::opt<unsigned> vectorBits(
    "cpu-vector-bits",
    cl::desc("CPU backend: the vector width, in bits, the convolution "
             "kernels are blocked for (--cgnet-register-block's "
             "vector-bits: 512, 256 or 128; 0, the default: this CPU's "
             "widest, 512 with AVX-512, 256 with AVX2; VNNI's vpdpbusd only "
             "with 512)"),
    cl::init(0), cl::cat(category));
/// --threads, registered in main (LLVM has an undocumented option of that
/// name, which cgnet-run's replaces).
cl::opt<unsigned> *threadCount;
cl::opt<bool> compareReference(
    "compare-reference",
    cl::desc("Also run the reference evaluator on the same inputs and "
             "compare: bit for bit when the model computes on quantized "
             "integers, within --atol + --rtol * |expected| for float models"),
    cl::cat(category));

/// Float comparisons from now on demand equal values.
void requireExactFloats() {
  atol = 0;
  rtol = 0;
}

int fail(const Twine &msg) {
  errs() << "cgnet-run: error: " << msg << "\n";
  return 1;
}

/// --profile-report: the mean seconds per run of every layer and its
/// fastest run, as JSON.
LogicalResult writeProfileReport(StringRef path,
                                 ArrayRef<cgnet::LayerTime> layers) {
  json::Array rows;
  double total = 0;
  for (const cgnet::LayerTime &l : layers) {
    rows.push_back(json::Object{{"layer", l.layer},
                                {"op", l.name.substr(0, l.name.find(' '))},
                                {"seconds", l.seconds / repeat},
                                {"best_seconds", l.best}});
    total += l.seconds / repeat;
  }
  json::Object report{{"backend", "cpu"},
                      {"runs", static_cast<int64_t>(repeat)},
                      {"seconds", total},
                      {"layers", std::move(rows)}};
  std::error_code ec;
  ToolOutputFile file(path, ec, sys::fs::OF_Text);
  if (ec) {
    fail(path + ": " + ec.message());
    return failure();
  }
  file.os() << formatv("{0:2}", json::Value(std::move(report))) << "\n";
  file.keep();
  return success();
}

ref::NpyDType npyTypeFor(Type type) {
  auto info = *cgnet::getElementInfo(type);
  if (info.isFloat())
    return ref::NpyDType::F32;
  if (info.storageMin >= -128 && info.storageMax <= 127)
    return ref::NpyDType::I8;
  if (info.storageMin >= 0 && info.storageMax <= 255)
    return ref::NpyDType::U8;
  return ref::NpyDType::I32;
}

/// Returns an empty string when `got` matches `want`, or the first mismatch.
std::string compare(const ref::Tensor &got, const ref::Tensor &want) {
  if (got.shape != want.shape)
    return "shape " + got.describe() + " differs from expected " +
           want.describe();
  int64_t n = got.numElements();
  if (minSqnr.getNumOccurrences()) {
    if (!got.isFloat || !want.isFloat)
      return "--min-sqnr compares float results only";
    double signal = 0, noise = 0;
    for (int64_t e = 0; e < n; ++e) {
      double d = double(got.f[e]) - want.f[e];
      signal += double(want.f[e]) * want.f[e];
      noise += d * d;
    }
    double sqnr = noise == 0 ? INFINITY : 10 * std::log10(signal / noise);
    std::string s;
    raw_string_ostream os(s);
    if (std::isnan(sqnr) || sqnr < minSqnr) {
      os << "SQNR " << format("%.2f", sqnr) << " dB is below --min-sqnr "
         << format("%g", minSqnr.getValue()) << " dB";
      return s;
    }
    outs() << "SQNR " << format("%.2f", sqnr) << " dB\n";
    return "";
  }
  if (!got.isFloat) {
    for (int64_t e = 0; e < n; ++e) {
      int64_t w = want.isFloat ? static_cast<int64_t>(want.f[e]) : want.i[e];
      if (got.i[e] != w)
        return "element " + std::to_string(e) + ": got " +
               std::to_string(got.i[e]) + ", expected " + std::to_string(w);
    }
    return "";
  }
  if (!want.isFloat)
    return "expected integer data for a float result";
  for (int64_t e = 0; e < n; ++e) {
    double g = got.f[e], w = want.f[e], err = std::fabs(g - w);
    if (std::isnan(g) != std::isnan(w) || err > atol + rtol * std::fabs(w)) {
      std::string s;
      raw_string_ostream os(s);
      os << "element " << e << ": got " << g << ", expected " << w
         << " (|diff| " << err << " > " << atol << " + " << rtol
         << " * |expected|)";
      return s;
    }
  }
  return "";
}

/// Deterministic random inputs for `func` (seeded with --seed), or an
/// error message.
std::optional<std::vector<ref::Tensor>> randomArgs(func::FuncOp func,
                                                   std::string &why) {
  std::mt19937 rng(seed);
  std::vector<ref::Tensor> args;
  for (auto [i, t] : llvm::enumerate(func.getFunctionType().getInputs())) {
    std::optional<ref::Tensor> value = ref::randomTensor(t, rng);
    if (!value) {
      raw_string_ostream os(why);
      os << "cannot make a random value for argument #" << i << " of type "
         << t << " (it must be a statically shaped tensor of f32 or "
         << "integers, of at most " << ref::kMaxTensorElements
         << " elements); pass --input";
      return std::nullopt;
    }
    args.push_back(std::move(*value));
  }
  return args;
}

OwningOpRef<ModuleOp> parseModule(StringRef path, MLIRContext &context,
                                  SourceMgr &sourceMgr) {
  return cgnet::parseModuleFile(path, context, sourceMgr, "cgnet-run");
}

/// Compares every result with its expected value (same count), printing
/// "<label>result #i matches <against><suffix>" or the first difference;
/// true when all match.
bool compareAll(ArrayRef<ref::Tensor> got, ArrayRef<ref::Tensor> want,
                StringRef label, StringRef against, StringRef suffix = "") {
  bool all = true;
  for (size_t i = 0; i < got.size(); ++i) {
    std::string why = compare(got[i], want[i]);
    if (!why.empty()) {
      errs() << "cgnet-run: " << label << "result #" << i << " differs from "
             << against << ": " << why << "\n";
      all = false;
    } else {
      outs() << label << "result #" << i << " matches " << against << suffix
             << "\n";
    }
  }
  return all;
}

/// --baseline: runs `funcs` of the model and their namesakes in `base` on
/// the same inputs and compares. Returns the exit status.
int compareWithBaseline(ArrayRef<func::FuncOp> funcs, ModuleOp base,
                        ArrayRef<ref::Tensor> givenArgs) {
  bool mismatch = false;
  for (func::FuncOp func : funcs) {
    auto other = base.lookupSymbol<func::FuncOp>(func.getSymName());
    if (!other)
      return fail("the baseline has no function @" + func.getSymName());
    std::vector<ref::Tensor> args(givenArgs.begin(), givenArgs.end());
    if (randomInputs) {
      std::string why;
      auto made = randomArgs(func, why);
      if (!made)
        return fail(why);
      args = std::move(*made);
    }
    auto got = ref::evaluate(func, args);
    auto want = ref::evaluate(other, args);
    if (failed(got) || failed(want))
      return 1;
    if (got->size() != want->size())
      return fail("@" + func.getSymName() + " has " + Twine(got->size()) +
                  " results, the baseline " + Twine(want->size()));
    if (!compareAll(*got, *want, ("@" + func.getSymName() + " ").str(),
                    "the baseline"))
      mismatch = true;
  }
  return mismatch ? 2 : 0;
}

void printTensor(raw_ostream &os, const ref::Tensor &t) {
  os << "[";
  int64_t n = std::min<int64_t>(t.numElements(), printLimit);
  for (int64_t e = 0; e < n; ++e) {
    if (e)
      os << ", ";
    if (t.isFloat)
      os << t.f[e];
    else
      os << t.i[e];
  }
  if (n < t.numElements())
    os << ", ...";
  os << "]\n";
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  if (cl::Option *llvmThreads = cl::getRegisteredOptions().lookup("threads"))
    llvmThreads->removeArgument();
  static cl::opt<unsigned> threads(
      "threads",
      cl::desc("CPU backend: threads to run each layer's outermost parallel "
               "loop on (MLIR's async runtime; 1, the default: the calling "
               "thread only)"),
      cl::init(1), cl::cat(category));
  threadCount = &threads;
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "cgnet-run: run a cgnet model on .npy inputs\n\n"
      "  cgnet-run model.mlir --input x.npy --output y.npy\n"
      "  cgnet-run model.mlir --random-inputs --seed 3 --expect y.npy\n\n"
      "Exit status is non-zero on any error or mismatch.\n");

  if (referenceFlag)
    backend = Backend::Reference;
  if (threads == 0)
    return fail("--threads must be at least 1");
  if (threads > 1 && backend != Backend::CPU)
    return fail("--threads needs --backend=cpu (the reference evaluator "
                "runs on one thread)");

  DialectRegistry registry;
  registry.insert<cgnet::CGNetDialect, arith::ArithDialect,
                  func::FuncDialect, quant::QuantDialect>();
  if (backend == Backend::CPU)
    cgnet::registerCPUBackend(registry);
  MLIRContext context(registry);
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module = parseModule(inputFile, context, sourceMgr);
  if (!module)
    return 1;
  if (allFunctions && (baseline.empty() || !randomInputs))
    return fail("--all-functions needs --baseline and --random-inputs");

  SmallVector<func::FuncOp> funcs(module->getOps<func::FuncOp>());
  std::string why;
  func::FuncOp func = allFunctions && entry.empty() && !funcs.empty()
                          ? funcs.front()
                          : cgnet::pickFunction(*module, entry, why);
  if (!func)
    return fail(why);

  std::vector<ref::Tensor> args;
  ArrayRef<Type> argTypes = func.getFunctionType().getInputs();
  if (randomInputs) {
    if (!inputs.empty())
      return fail("--input and --random-inputs are mutually exclusive");
    std::string why;
    auto made = randomArgs(func, why);
    if (!made)
      return fail(why);
    args = std::move(*made);
  } else {
    if (inputs.size() != argTypes.size())
      return fail("@" + func.getName() + " takes " + Twine(argTypes.size()) +
                  " inputs, " + Twine(inputs.size()) +
                  " given (use --input once per argument, or "
                  "--random-inputs)");
    for (const std::string &path : inputs) {
      auto t = ref::readNpy(path);
      if (!t)
        return fail(toString(t.takeError()));
      args.push_back(std::move(*t));
    }
  }

  if (saveInputs.size() > args.size())
    return fail(Twine(saveInputs.size()) + " --save-inputs files for " +
                Twine(args.size()) + " inputs");
  for (auto [i, path] : llvm::enumerate(saveInputs))
    if (Error err = ref::writeNpy(path, args[i], npyTypeFor(argTypes[i])))
      return fail(toString(std::move(err)));

  if (!baseline.empty()) {
    SourceMgr baseMgr;
    SourceMgrDiagnosticHandler baseHandler(baseMgr, &context);
    OwningOpRef<ModuleOp> base = parseModule(baseline, context, baseMgr);
    if (!base)
      return 1;
    SmallVector<func::FuncOp> which = {func};
    if (allFunctions)
      which = funcs;
    return compareWithBaseline(which, *base, args);
  }

  if (repeat == 0)
    return fail("--repeat must be at least 1");
  if (!profileReport.empty() && !profileFlag)
    return fail("--profile-report writes the layer times of --profile; add "
                "--profile");
  if (profileFlag && backend != Backend::CPU)
    return fail("--profile times the CPU backend's layers; add "
                "--backend=cpu");
  std::vector<ref::GateStats> stats;
  FailureOr<std::vector<ref::Tensor>> results = failure();
  double bestRun = INFINITY;
  std::unique_ptr<cgnet::CPUProgram> program;
  if (backend == Backend::CPU) {
    cgnet::CPUOptions options;
    options.profile = profileFlag;
    options.upstreamConv = upstreamConv;
    options.threads = *threadCount;
    options.registerBlock = registerBlock;
    options.compactGated = compactGated;
    options.fuseElementwise = fuseElementwise;
    options.vnni = vnni;
    options.vectorBits = vectorBits;
    options.dot2 = dot2;
    options.dot4SevenBit = dot4SevenBit;
    auto compiled =
        cgnet::CPUProgram::compile(*module, func.getSymName(), options);
    if (failed(compiled))
      return 1;
    program = std::move(*compiled);
  }
  for (unsigned r = 0; r < repeat; ++r) {
    stats.clear();
    auto start = std::chrono::steady_clock::now();
    results = program ? program->run(args) : ref::evaluate(func, args, &stats);
    bestRun = std::min(bestRun, std::chrono::duration<double>(
                                    std::chrono::steady_clock::now() - start)
                                    .count());
    if (failed(results))
      return 1;
  }
  if (timeFlag) {
    if (program) {
      outs() << "compile: " << format("%.3f", program->compileSeconds())
             << " s";
      if (*threadCount > 1)
        outs() << " (" << *threadCount << " threads; "
               << program->parallelLoops() << " loops split among them)";
      outs() << "\n";
    }
    outs() << "run: " << format("%.6f", bestRun) << " s (best of " << repeat
           << ")\n";
  }
  if (program && profileFlag) {
    double total = 0;
    for (const cgnet::LayerTime &l : program->layerTimes())
      total += l.seconds;
    // The mean is what a run costs; the best is what the code can do on
    // a machine whose other load comes and goes (and compares with
    // libraries timed as the best of their runs).
    double bestTotal = 0;
    for (const cgnet::LayerTime &l : program->layerTimes())
      bestTotal += l.best;
    outs() << "layer times (mean and best of " << repeat << " runs):\n";
    for (const cgnet::LayerTime &l : program->layerTimes())
      outs() << format("%10.3f ms %10.3f ms best %5.1f%%  ",
                       1e3 * l.seconds / repeat, 1e3 * l.best,
                       total > 0 ? 100 * l.seconds / total : 0.0)
             << l.name << "\n";
    outs() << format("%10.3f ms %10.3f ms best total\n", 1e3 * total / repeat,
                     1e3 * bestTotal);
    if (!profileReport.empty())
      if (failed(writeProfileReport(profileReport, program->layerTimes())))
        return 1;
  }
  ArrayRef<Type> resultTypes = func.getFunctionType().getResults();

  if (outputs.size() > results->size())
    return fail(Twine(outputs.size()) + " --output files for " +
                Twine(results->size()) + " results");
  for (auto [i, path] : llvm::enumerate(outputs))
    if (Error err = ref::writeNpy(path, (*results)[i],
                                  npyTypeFor(resultTypes[i])))
      return fail(toString(std::move(err)));

  for (auto [i, t] : llvm::enumerate(*results)) {
    outs() << "result #" << i << ": " << resultTypes[i];
    if (printValues) {
      outs() << " = ";
      printTensor(outs(), t);
    } else {
      outs() << "\n";
    }
  }

  if (gateStats)
    for (const ref::GateStats &s : stats)
      outs() << "gate " << s.layer << ": " << s.gateOn << "/" << s.outputs
             << " on ("
             << format("%.2f", s.outputs ? 100.0 * s.gateOn / s.outputs : 0.0)
             << "%)\n";

  bool mismatch = false;
  if (compareReference) {
    auto want = ref::evaluate(func, args);
    if (failed(want))
      return 1;
    // Quantized models compute on integers: every result must be exact.
    bool exact = false;
    func.walk([&](Operation *op) {
      for (Type t : op->getResultTypes())
        exact |= isa<quant::QuantizedType>(getElementTypeOrSelf(t));
    });
    if (exact)
      requireExactFloats();
    if (!compareAll(*results, *want, "", "the reference evaluator",
                    exact ? " bit for bit" : ""))
      mismatch = true;
  }

  if (expects.size() > results->size())
    return fail(Twine(expects.size()) + " --expect files for " +
                Twine(results->size()) + " results");
  for (auto [i, path] : llvm::enumerate(expects)) {
    auto want = ref::readNpy(path);
    if (!want)
      return fail(toString(want.takeError()));
    std::string why = compare((*results)[i], *want);
    if (!why.empty()) {
      errs() << "cgnet-run: result #" << i << " does not match " << path
             << ": " << why << "\n";
      mismatch = true;
    } else {
      outs() << "result #" << i << " matches " << path << "\n";
    }
  }
  return mismatch ? 2 : 0;
}
