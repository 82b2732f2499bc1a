//===- cgnet-compile.cpp - a cgnet model to an object file and C header ---===//
//
// The ahead-of-time path of the CPU backend: one function of a cgnet
// module compiled with --cgnet-cpu-pipeline and LLVM for this CPU into a
// relocatable object (weights inside) and a C header declaring it.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Runtime/CPURunner.h"
#include "cgnet/Support/ModuleFile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace llvm;

namespace {
cl::OptionCategory category("cgnet-compile options");
cl::opt<std::string> inputFile(cl::Positional, cl::desc("<model.mlir>"),
                               cl::init("-"), cl::cat(category));
cl::opt<std::string> objectFile("o", cl::desc("Object file to write"),
                                cl::value_desc("model.o"), cl::Required,
                                cl::cat(category));
cl::opt<std::string> headerFile("header",
                                cl::desc("C header to write (default: the "
                                         "object's name with .h)"),
                                cl::value_desc("model.h"), cl::cat(category));
cl::opt<std::string> entry("entry",
                           cl::desc("Function to compile (default: the only "
                                    "function, or @main)"),
                           cl::cat(category));
cl::opt<std::string> symbol("symbol",
                            cl::desc("C name of the compiled function "
                                     "(default: cgnet_<function>)"),
                            cl::cat(category));

cl::opt<bool> vnni(
    "cpu-vnni",
    cl::desc("On a CPU with AVX-512 VNNI (the object is compiled for this "
             "CPU), 8-bit convolutions multiply 4 packed bytes per 32-bit "
             "lane with vpdpbusd (--convert-cgnet-to-cpu=dot4; default on). "
             "Off: 32-bit lanes, for CPUs without VNNI"),
    cl::init(true), cl::cat(category));

cl::opt<bool> dot2(
    "cpu-dot2",
    cl::desc("Where VNNI is not used, 8-bit convolutions as dot products "
             "of pairs of 16-bit values with pmaddwd "
             "(--convert-cgnet-to-cpu=dot2; default on). Off: 32-bit "
             "multiply-adds"),
    cl::init(true), cl::cat(category));

cl::opt<bool> dot4SevenBit(
    "cpu-dot4-7bit",
    cl::desc("Where VNNI is not used, 8-bit convolutions whose input "
             "holds 0..127 (a ReLU's output) as dot products of 4 packed "
             "bytes with pmaddubsw (--convert-cgnet-to-cpu=dot4-7bit; "
             "default on). Off: those take --cpu-dot2's form too"),
    cl::init(true), cl::cat(category));

cl::opt<unsigned> vectorBits(
    "cpu-vector-bits",
    cl::desc("The vector width, in bits, the convolution kernels are "
             "blocked for (512, 256 or 128; 0, the default: this CPU's "
             "widest, 512 with AVX-512, 256 with AVX2; VNNI's vpdpbusd only "
             "with 512)"),
    cl::init(0), cl::cat(category));

int fail(const Twine &msg) {
  errs() << "cgnet-compile: error: " << msg << "\n";
  return 1;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "cgnet-compile: compile a cgnet model for this CPU ahead of time\n\n"
      "  cgnet-compile model.mlir -o model.o [--header model.h]\n\n"
      "Writes a relocatable object defining\n"
      "  void cgnet_main(const float *arg0, ..., float *result0, ...)\n"
      "(row-major data) and a header declaring it\n"
      "with every shape. Link the object with MLIR's C runner utilities\n"
      "(the header says how).\n");

  DialectRegistry registry;
  registry.insert<cgnet::CGNetDialect>();
  cgnet::registerCPUBackend(registry);
  MLIRContext context(registry);
  SourceMgr sourceMgr;
  SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  OwningOpRef<ModuleOp> module =
      cgnet::parseModuleFile(inputFile, context, sourceMgr, "cgnet-compile");
  if (!module)
    return 1;
  std::string why;
  func::FuncOp func = cgnet::pickFunction(*module, entry, why);
  if (!func)
    return fail(why);
  std::string name = func.getSymName().str();
  std::string cName = symbol.empty() ? "cgnet_" + name : symbol.getValue();
  auto validC = [](StringRef s) {
    return !s.empty() && (isAlpha(s[0]) || s[0] == '_') &&
           llvm::all_of(s, [](char c) { return isAlnum(c) || c == '_'; });
  };
  if (!validC(cName))
    return fail("'" + cName + "' is not a C identifier (use --symbol)");

  std::error_code ec;
  ToolOutputFile object(objectFile, ec, sys::fs::OF_None);
  if (ec)
    return fail("cannot write '" + objectFile + "': " + ec.message());
  std::string headerPath = headerFile;
  if (headerPath.empty()) {
    SmallString<128> p(objectFile.getValue());
    sys::path::replace_extension(p, "h");
    headerPath = std::string(p);
  }
  ToolOutputFile header(headerPath, ec, sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + headerPath + "': " + ec.message());
  if (failed(cgnet::compileToObject(*module, name, cName, object.os(),
                                    header.os(), vnni, vectorBits, dot2,
                                    dot4SevenBit)))
    return 1;
  object.keep();
  header.keep();
  return 0;
}
