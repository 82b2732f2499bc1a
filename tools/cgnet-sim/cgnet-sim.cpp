//===- cgnet-sim.cpp - run a CGNet accelerator binary ---------------------===//
//
// Loads a binary written by `cgnet-translate --emit-cgisa-bin` (or
// `--assemble-cgisa`), runs it on .npy inputs with the cycle-level
// simulator, writes the outputs as .npy, checks them against expected
// files, and reports cycles per layer and per instruction class, array
// utilization, bytes moved, stalls and an energy estimate (table and
// JSON), and optionally a Chrome trace of every instruction.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Reference/Npy.h"
#include "cgnet/Sim/Simulator.h"
#include "cgnet/Target/CGIsa/ISA.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>

using namespace llvm;
namespace ref = cgnet::ref;
namespace isa = cgnet::isa;

namespace {
cl::OptionCategory category("cgnet-sim options");
cl::opt<std::string> binaryFile(cl::Positional, cl::desc("<program.cgbin>"),
                                cl::cat(category));
cl::list<std::string> inputs("input",
                             cl::desc("Input .npy file, one per program "
                                      "input, in order (f32 for inputs the "
                                      "host quantizes)"),
                             cl::cat(category));
cl::list<std::string> outputs("output",
                              cl::desc("Write output #i to the i-th .npy file"),
                              cl::cat(category));
cl::list<std::string> expects(
    "expect",
    cl::desc("Compare output #i with the i-th .npy file: exactly, unless "
             "--atol/--rtol say otherwise"),
    cl::cat(category));
cl::opt<double> atol("atol", cl::desc("Absolute tolerance of --expect"),
                     cl::init(0), cl::cat(category));
cl::opt<double> rtol("rtol", cl::desc("Relative tolerance of --expect"),
                     cl::init(0), cl::cat(category));
cl::opt<std::string> reportFile("report",
                                cl::desc("Write the JSON report to <file>"),
                                cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> tableFile("table",
                               cl::desc("Write the per-layer table to <file> "
                                        "('-': stdout)"),
                               cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> traceFile("trace",
                               cl::desc("Write a Chrome trace (one event per "
                                        "instruction) to <file>"),
                               cl::value_desc("file"), cl::cat(category));
cl::opt<std::string> baselineFile(
    "baseline",
    cl::desc("Also run this binary (the same network ungated, say) on the "
             "same inputs and add a per-layer comparison to --table: cycles, "
             "speedup, MACs and MAC reduction"),
    cl::value_desc("program.cgbin"), cl::cat(category));
cl::opt<bool> printEncoding("print-encoding",
                            cl::desc("Print the instruction encoding table "
                                     "(Markdown) and exit"),
                            cl::cat(category));

int fail(const Twine &msg) {
  errs() << "cgnet-sim: error: " << msg << "\n";
  return 1;
}

std::string compare(const ref::Tensor &got, const ref::Tensor &want) {
  if (got.shape != want.shape || got.isFloat != want.isFloat)
    return "got " + got.describe() + ", expected " + want.describe();
  for (int64_t e = 0; e < got.numElements(); ++e) {
    double g = got.isFloat ? got.f[e] : got.i[e];
    double w = want.isFloat ? want.f[e] : want.i[e];
    if (std::isnan(g) != std::isnan(w) ||
        std::fabs(g - w) > atol + rtol * std::fabs(w)) {
      std::string s;
      raw_string_ostream os(s);
      os << "element " << e << ": got " << g << ", expected " << w;
      return s;
    }
  }
  return "";
}

llvm::Expected<isa::Program> loadProgram(StringRef path) {
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!buf)
    return createStringError("cannot open '" + path +
                             "': " + buf.getError().message());
  StringRef bytes = (*buf)->getBuffer();
  auto program = isa::readBinary(ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(bytes.data()), bytes.size()));
  if (!program)
    return createStringError(path + ": " + toString(program.takeError()));
  return program;
}

/// Per layer: cycles and MACs here and in the baseline. Layers match by
/// position when both programs have as many (the baseline is the same
/// network, e.g. after --cgnet-ungate, whose layer names may differ in the
/// op they name), else by name.
void writeComparison(const cgnet::sim::Report &r,
                     const cgnet::sim::Report &base, raw_ostream &os) {
  size_t width = r.layerColumn();
  os << "\n"
     << left_justify("layer (vs --baseline)", width)
     << formatv(" {0,12} {1,12} {2,8} {3,14} {4,14} {5,9} {6,8}\n", "cycles",
                "baseline", "speedup", "MACs", "baseline MACs", "MAC red.",
                "gate on");
  bool byPosition = r.layers.size() == base.layers.size();
  for (size_t i = 0; i < r.layers.size(); ++i) {
    const cgnet::sim::LayerStats &l = r.layers[i];
    const cgnet::sim::LayerStats *b = byPosition ? &base.layers[i] : nullptr;
    for (const cgnet::sim::LayerStats &c : base.layers)
      if (!byPosition && c.name == l.name)
        b = &c;
    std::string on = l.gateOutputs
                         ? formatv("{0:P1}", double(l.gateOn) / l.gateOutputs)
                               .str()
                         : "-";
    uint64_t cycles = l.cycles();
    if (!b) {
      os << left_justify(l.name, width)
         << formatv(" {0,12} {1,12} {2,8} {3,14} {4,14} {5,9} {6,8}\n", cycles,
                    "-", "-", l.macs, "-", "-", on);
      continue;
    }
    uint64_t bc = b->cycles();
    os << left_justify(l.name, width)
       << formatv(" {0,12} {1,12} {2,8:f2} {3,14} {4,14} {5,9} {6,8}\n", cycles,
                  bc, cycles ? double(bc) / cycles : 0.0, l.macs, b->macs,
                  l.macs ? formatv("{0:f2}", double(b->macs) / l.macs).str()
                         : std::string("-"),
                  on);
  }
  double speedup = double(base.cycles) / r.cycles,
         reduction = r.macs ? double(base.macs) / r.macs : 0;
  os << formatv("total: {0} cycles vs {1}: speedup {2:f2}, MAC reduction "
                "{3:f2}, speedup / MAC reduction {4:f2}\n",
                r.cycles, base.cycles, speedup, reduction,
                reduction ? speedup / reduction : 0.0);
}

/// Opens `path` for writing ('-': stdout) and runs `write` on it.
int writeTo(StringRef path, function_ref<void(raw_ostream &)> write) {
  std::error_code ec;
  ToolOutputFile out(path, ec, sys::fs::OF_Text);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  write(out.os());
  out.keep();
  return 0;
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "cgnet-sim: runs a CGNet accelerator binary on .npy inputs and reports "
      "cycles, utilization, bytes moved and energy (docs/isa.md)\n");
  if (printEncoding) {
    isa::printEncodingTable(outs());
    return 0;
  }
  if (binaryFile.empty())
    return fail("no binary given (cgnet-sim <program.cgbin> --input x.npy)");
  auto program = loadProgram(binaryFile);
  if (!program)
    return fail(toString(program.takeError()));

  std::vector<ref::Tensor> args;
  for (const std::string &path : inputs) {
    auto t = ref::readNpy(path);
    if (!t)
      return fail(toString(t.takeError()));
    args.push_back(std::move(*t));
  }
  std::vector<ref::Tensor> results;
  cgnet::sim::Report report;
  cgnet::sim::RunOptions opts;
  std::unique_ptr<ToolOutputFile> trace;
  if (!traceFile.empty()) {
    std::error_code ec;
    trace = std::make_unique<ToolOutputFile>(traceFile, ec, sys::fs::OF_Text);
    if (ec)
      return fail("cannot write '" + traceFile + "': " + ec.message());
    opts.trace = &trace->os();
  }
  if (Error e = cgnet::sim::run(*program, args, results, report, opts))
    return fail(binaryFile + ": " + toString(std::move(e)));
  if (trace)
    trace->keep();

  if (outputs.size() > results.size() || expects.size() > results.size())
    return fail("the program has " + Twine(results.size()) + " outputs");
  for (size_t i = 0; i < outputs.size(); ++i)
    if (Error e = ref::writeNpy(outputs[i], results[i],
                                results[i].isFloat ? ref::NpyDType::F32
                                                   : ref::NpyDType::I8))
      return fail(toString(std::move(e)));
  int status = 0;
  for (size_t i = 0; i < expects.size(); ++i) {
    auto want = ref::readNpy(expects[i]);
    if (!want)
      return fail(toString(want.takeError()));
    std::string why = compare(results[i], *want);
    if (!why.empty()) {
      errs() << "cgnet-sim: output " << i << " differs from '" << expects[i]
             << "': " << why << "\n";
      status = 1;
    } else {
      outs() << "output " << i << " matches " << expects[i] << "\n";
    }
  }
  if (!reportFile.empty())
    if (int rc = writeTo(reportFile, [&](raw_ostream &os) {
          report.writeJSON(os);
        }))
      return rc;
  cgnet::sim::Report baseReport;
  if (!baselineFile.empty()) {
    auto base = loadProgram(baselineFile);
    if (!base)
      return fail(toString(base.takeError()));
    std::vector<ref::Tensor> baseResults;
    if (Error e = cgnet::sim::run(*base, args, baseResults, baseReport))
      return fail(baselineFile + ": " + toString(std::move(e)));
  }
  if (!tableFile.empty())
    if (int rc = writeTo(tableFile, [&](raw_ostream &os) {
          report.writeTable(os);
          if (!baselineFile.empty())
            writeComparison(report, baseReport, os);
        }))
      return rc;
  return status;
}
