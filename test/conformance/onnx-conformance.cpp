//===- onnx-conformance.cpp - ONNX backend tests through cgnet ------------===//
//
// Runs ONNX's own backend tests (Debian's libonnx-testdata: a model.onnx
// and test_data_set_*/{input,output}_*.pb per test) through
// cgnet-translate's importer and the reference evaluator, and compares
// with the shipped outputs. Each test is PASS (every output within
// tolerance), FAIL (imported but wrong, or it could not run) or
// UNSUPPORTED (the importer refused it, with its reason). Node tests feed
// weights as graph inputs; inputs that the importer needs as constants
// (weights, biases, shapes, bounds) are turned into initializers with the
// test's data first.
//
// With --cpu, every test that passes on the evaluator is also compiled
// for the CPU backend (JIT) and compared with the shipped outputs: CPU
// PASS, FAIL, or CANNOT RUN (a model the CPU backend refuses, e.g. integer
// graph inputs, with its reason).
//
// Usage: cgnet-onnx-conformance --root DIR --list FILE [--min-passed N]
//        [--cpu --min-cpu-passed N] [--atol A] [--rtol R] [-v]
// Prints one line per test and "N passed, N failed, N unsupported" (and
// "cpu: N passed, N failed, N cannot run"); exits non-zero on any failure
// or fewer passes than asked for.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Reference/Evaluator.h"
#include "cgnet/Runtime/CPURunner.h"
#include "cgnet/Target/ONNX/ImportONNX.h"
#include "cgnet/Target/ONNX/ONNXModel.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <map>
#include <onnx/onnx_pb.h>

using namespace mlir;
using namespace llvm;
namespace ref = cgnet::ref;

namespace {
cl::OptionCategory category("cgnet-onnx-conformance options");
cl::opt<std::string> root("root", cl::desc("libonnx-testdata's data folder"),
                          cl::init("/usr/share/libonnx-testdata/data"),
                          cl::cat(category));
cl::opt<std::string> list("list", cl::desc("File of test folders (relative "
                                           "to --root), one per line"),
                          cl::Required, cl::cat(category));
cl::opt<unsigned> minPassed("min-passed",
                            cl::desc("Fail unless at least this many pass"),
                            cl::init(0), cl::cat(category));
cl::opt<double> atol("atol",
                      cl::desc("Float outputs: absolute tolerance (plus "
                               "--rtol * |expected|)"),
                      cl::init(1e-4), cl::cat(category));
cl::opt<double> rtol("rtol", cl::desc("Float outputs: relative tolerance"),
                     cl::init(1e-3), cl::cat(category));
cl::opt<bool> verbose("v",
                      cl::desc("Print the reason for every unsupported test"),
                      cl::cat(category));
cl::opt<bool> cpu("cpu",
                  cl::desc("Also run every test that passes on the "
                           "evaluator on the CPU backend (JIT)"),
                  cl::cat(category));
cl::opt<unsigned> minCpuPassed("min-cpu-passed",
                               cl::desc("With --cpu: fail unless at least "
                                        "this many pass on the CPU"),
                               cl::init(0), cl::cat(category));

/// Operand positions the importer takes as constants, per op.
const std::map<std::string, std::vector<int>> &constantOperands() {
  static const std::map<std::string, std::vector<int>> m = {
      {"Conv", {1, 2}},         {"Gemm", {1, 2}},
      {"MatMul", {1}},          {"BatchNormalization", {1, 2, 3, 4}},
      {"Reshape", {1}},         {"Clip", {1, 2}},
      {"Max", {1}},             {"Min", {1}},
      {"QuantizeLinear", {1, 2}}, {"DequantizeLinear", {1, 2}},
      {"ConvInteger", {1, 2, 3}}, {"QLinearConv", {1, 2, 3, 4, 5, 6, 7, 8}},
      {"ConvTranspose", {1, 2}},  {"Resize", {1, 2, 3}},
      {"Softmax", {}}};
  return m;
}

std::optional<onnx::TensorProto> readTensor(StringRef path) {
  auto buf = MemoryBuffer::getFile(path);
  if (!buf)
    return std::nullopt;
  onnx::TensorProto t;
  if (!t.ParseFromArray((*buf)->getBufferStart(),
                        static_cast<int>((*buf)->getBufferSize())))
    return std::nullopt;
  return t;
}

std::optional<ref::Tensor> toTensor(const onnx::TensorProto &t) {
  auto values = cgnet::onnx_import::tensorValues(t);
  if (!values)
    return std::nullopt;
  std::vector<int64_t> shape(t.dims().begin(), t.dims().end());
  if (t.data_type() == onnx::TensorProto::FLOAT ||
      t.data_type() == onnx::TensorProto::DOUBLE) {
    ref::Tensor r = ref::Tensor::floats(shape);
    r.f.assign(values->begin(), values->end());
    return r;
  }
  ref::Tensor r = ref::Tensor::ints(shape);
  r.i.assign(values->begin(), values->end());
  return r;
}

enum class Outcome { Pass, Fail, Unsupported };

enum class CPUOutcome { NotRun, Pass, Fail, CannotRun };

struct Result {
  Outcome outcome;
  std::string why;
  CPUOutcome cpu = CPUOutcome::NotRun;
  std::string cpuWhy = {};
};

/// "" when `got` matches the shipped `want` within --atol/--rtol.
std::string mismatch(ArrayRef<ref::Tensor> got,
                     ArrayRef<onnx::TensorProto> outputs) {
  if (got.size() != outputs.size())
    return "wrong number of outputs";
  for (size_t i = 0; i < outputs.size(); ++i) {
    auto want = toTensor(outputs[i]);
    const ref::Tensor &g = got[i];
    if (!want || want->numElements() != g.numElements())
      return "output #" + std::to_string(i) + " has the wrong size";
    for (int64_t e = 0; e < g.numElements(); ++e) {
      double gv = g.isFloat ? g.f[e] : g.i[e];
      double wv = want->isFloat ? want->f[e] : want->i[e];
      if (std::fabs(gv - wv) > atol + rtol * std::fabs(wv))
        return "output #" + std::to_string(i) + " element " +
               std::to_string(e) + ": got " + std::to_string(gv) +
               ", expected " + std::to_string(wv);
    }
  }
  return "";
}

Result runTest(MLIRContext &context, StringRef dir) {
  std::string modelPath = (dir + "/model.onnx").str();
  auto buf = MemoryBuffer::getFile(modelPath);
  if (!buf)
    return {Outcome::Fail, "cannot read " + modelPath};
  onnx::ModelProto proto;
  if (!proto.ParseFromArray((*buf)->getBufferStart(),
                            static_cast<int>((*buf)->getBufferSize())))
    return {Outcome::Fail, "cannot parse " + modelPath};

  // The first test data set.
  std::string data = (dir + "/test_data_set_0").str();
  std::vector<onnx::TensorProto> inputs, outputs;
  for (int i = 0;; ++i) {
    auto t = readTensor(data + "/input_" + std::to_string(i) + ".pb");
    if (!t)
      break;
    inputs.push_back(std::move(*t));
  }
  for (int i = 0;; ++i) {
    auto t = readTensor(data + "/output_" + std::to_string(i) + ".pb");
    if (!t)
      break;
    outputs.push_back(std::move(*t));
  }

  // Graph inputs that are not initializers, in order, with their data.
  onnx::GraphProto *g = proto.mutable_graph();
  std::set<std::string> inits;
  for (const auto &t : g->initializer())
    inits.insert(t.name());
  std::vector<std::string> graphInputs;
  for (const auto &in : g->input())
    if (!inits.count(in.name()))
      graphInputs.push_back(in.name());
  if (graphInputs.size() != inputs.size())
    return {Outcome::Fail, "the test has " + std::to_string(inputs.size()) +
                               " inputs for " +
                               std::to_string(graphInputs.size()) +
                               " graph inputs"};
  std::set<std::string> makeConstant;
  for (const auto &n : g->node()) {
    auto it = constantOperands().find(n.op_type());
    if (it == constantOperands().end())
      continue;
    for (int i : it->second)
      if (i < n.input_size())
        makeConstant.insert(n.input(i));
  }
  std::vector<ref::Tensor> args;
  for (size_t i = 0; i < graphInputs.size(); ++i) {
    if (makeConstant.count(graphInputs[i])) {
      onnx::TensorProto *init = g->add_initializer();
      *init = inputs[i];
      init->set_name(graphInputs[i]);
      continue;
    }
    auto t = toTensor(inputs[i]);
    if (!t)
      return {Outcome::Unsupported, "input data type " +
                                        std::to_string(inputs[i].data_type())};
    args.push_back(std::move(*t));
  }
  std::string bytes;
  proto.SerializeToString(&bytes);
  auto model = cgnet::onnx_import::parseModel(bytes, modelPath);
  if (!model)
    return {Outcome::Fail, toString(model.takeError())};

  // Import; a refusal is "unsupported", with the first diagnostic.
  std::string diag;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    if (diag.empty())
      diag = d.str();
    return success();
  });
  cgnet::ImportOptions options;
  OwningOpRef<ModuleOp> module = cgnet::importONNX(
      **model, &context, FileLineColLoc::get(&context, modelPath, 0, 0),
      options);
  if (!module)
    return {Outcome::Unsupported, diag};
  auto func = *module->getOps<func::FuncOp>().begin();
  auto results = ref::evaluate(func, args);
  if (failed(results))
    return {Outcome::Fail, "the evaluator refused: " + diag};
  std::string why = mismatch(*results, outputs);
  if (!why.empty())
    return {Outcome::Fail, why};
  Result pass{Outcome::Pass, ""};
  if (!cpu)
    return pass;
  diag.clear();
  auto program = cgnet::CPUProgram::compile(*module, func.getSymName());
  if (failed(program)) {
    pass.cpu = CPUOutcome::CannotRun;
    pass.cpuWhy = diag;
    return pass;
  }
  auto got = (*program)->run(args);
  std::string cpuWhy = failed(got) ? "the compiled code refused: " + diag
                                   : mismatch(*got, outputs);
  pass.cpu = cpuWhy.empty() ? CPUOutcome::Pass : CPUOutcome::Fail;
  pass.cpuWhy = cpuWhy;
  return pass;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "ONNX backend tests through cgnet's importer "
                              "and reference evaluator\n");
  auto listBuf = MemoryBuffer::getFile(list);
  if (!listBuf) {
    errs() << "onnx-conformance: cannot read " << list << "\n";
    return 1;
  }
  DialectRegistry registry;
  registry.insert<cgnet::CGNetDialect, arith::ArithDialect,
                  func::FuncDialect, quant::QuantDialect>();
  if (cpu)
    cgnet::registerCPUBackend(registry);
  MLIRContext context(registry);
  unsigned passed = 0, failedCount = 0, unsupported = 0, cpuPassed = 0,
           cpuFailed = 0, cpuCannot = 0;
  SmallVector<StringRef> lines;
  (*listBuf)->getBuffer().split(lines, '\n');
  for (StringRef line : lines) {
    line = line.trim();
    if (line.empty() || line.starts_with("#"))
      continue;
    std::string dir = (root + "/" + line).str();
    if (!sys::fs::is_directory(dir)) {
      outs() << "FAIL        " << line << ": no such test folder " << dir
             << "\n";
      ++failedCount;
      continue;
    }
    Result r = runTest(context, dir);
    switch (r.outcome) {
    case Outcome::Pass:
      ++passed;
      outs() << "PASS        " << line;
      switch (r.cpu) {
      case CPUOutcome::NotRun:
        break;
      case CPUOutcome::Pass:
        ++cpuPassed;
        outs() << " (cpu: PASS)";
        break;
      case CPUOutcome::Fail:
        ++cpuFailed;
        outs() << " (cpu: FAIL: " << r.cpuWhy << ")";
        break;
      case CPUOutcome::CannotRun:
        ++cpuCannot;
        outs() << " (cpu: CANNOT RUN";
        if (verbose)
          outs() << ": " << r.cpuWhy;
        outs() << ")";
        break;
      }
      outs() << "\n";
      break;
    case Outcome::Fail:
      ++failedCount;
      outs() << "FAIL        " << line << ": " << r.why << "\n";
      break;
    case Outcome::Unsupported:
      ++unsupported;
      outs() << "UNSUPPORTED " << line;
      if (verbose)
        outs() << ": " << r.why;
      outs() << "\n";
      break;
    }
  }
  outs() << "onnx-conformance: " << passed << " passed, " << failedCount
         << " failed, " << unsupported << " unsupported\n";
  if (cpu)
    outs() << "onnx-conformance: cpu: " << cpuPassed << " passed, "
           << cpuFailed << " failed, " << cpuCannot << " cannot run\n";
  if (passed < minPassed) {
    errs() << "onnx-conformance: expected at least " << minPassed
           << " passes\n";
    return 1;
  }
  if (cpu && cpuPassed < minCpuPassed) {
    errs() << "onnx-conformance: expected at least " << minCpuPassed
           << " passes on the CPU\n";
    return 1;
  }
  return failedCount || cpuFailed ? 1 : 0;
}
