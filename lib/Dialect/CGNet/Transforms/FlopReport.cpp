//===- FlopReport.cpp - MACs and measured gate rates per layer ------------===//
//
// The FLOP analysis of the seeds, per layer: dense MACs, base-path MACs,
// the measured gate-on rate and the effective MACs, through
// GatedOpInterface so that channel and precision gating are counted alike.
// An analysis: the IR is not changed.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/Transforms/Passes.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"

namespace cgnet {
#define GEN_PASS_DEF_CGNETFLOPREPORT
#include "cgnet/Dialect/CGNet/Transforms/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;

namespace {

struct LayerRow {
  std::string name, kind;
  int64_t dense = 0, comparisons = 0;
  double baseFraction = 1.0; ///< 1 for ungated layers
  bool gated = false;
  bool precision = false;
  int64_t bits = 0, highBits = 0;
  int64_t outputs = 0, on = 0; ///< gate decisions over all inputs
  double onRate() const { return outputs ? double(on) / double(outputs) : 1.0; }
  double effective() const {
    return double(dense) * (baseFraction + onRate() * (1.0 - baseFraction));
  }
};

/// Dense MACs of an ungated convolution or fully connected layer.
static int64_t denseMACs(Operation *op) {
  auto w = cast<ShapedType>(op->getOperand(1).getType());
  auto r = cast<ShapedType>(op->getResult(0).getType());
  int64_t perOutput = 1;
  for (int64_t d = 1; d < w.getRank(); ++d)
    perOutput *= w.getDimSize(d);
  return r.getNumElements() * perOutput;
}

struct CGNetFlopReportPass
    : public cgnet::impl::CGNetFlopReportBase<CGNetFlopReportPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    if (inputs.empty() == (randomInputs <= 0)) {
      func.emitError("--cgnet-flop-report needs exactly one of inputs=<.npy "
                     "files> and random-inputs=<n>");
      return signalPassFailure();
    }
    if (report.empty() && table.empty()) {
      func.emitError("--cgnet-flop-report writes nothing: give report=<file> "
                     "and/or table=<file>");
      return signalPassFailure();
    }
    auto samples = randomInputs > 0 ? makeRandomSamples(func, randomInputs, 1)
                                    : loadCalibrationSamples(func, inputs);
    if (failed(samples))
      return signalPassFailure();

    std::vector<LayerRow> rows;
    llvm::DenseMap<Operation *, size_t> rowOf;
    func.walk([&](Operation *op) {
      LayerRow row;
      row.name = layerName(op);
      row.kind = op->getName().stripDialect().str();
      if (auto gatedOp = dyn_cast<GatedOpInterface>(op)) {
        row.gated = true;
        row.dense = gatedOp.getDenseMACs();
        row.baseFraction = gatedOp.getBaseFraction();
        row.comparisons =
            cast<ShapedType>(op->getResult(0).getType()).getNumElements();
        if (auto pg = dyn_cast<PrecisionGatedConv2DOp>(op)) {
          row.precision = true;
          row.bits = pg.getBits();
          row.highBits = pg.getHighBits();
        }
      } else if (isa<Conv2DOp, FullyConnectedOp>(op)) {
        row.dense = denseMACs(op);
      } else {
        return;
      }
      rowOf[op] = rows.size();
      rows.push_back(std::move(row));
    });

    for (const Sample &sample : *samples) {
      std::vector<ref::GateStats> stats;
      if (failed(ref::evaluate(func, sample, &stats)))
        return signalPassFailure();
      for (const ref::GateStats &s : stats) {
        LayerRow &row = rows[rowOf.lookup(s.op)];
        row.outputs += s.outputs;
        row.on += s.gateOn;
      }
    }

    double dense = 0, effective = 0;
    int64_t allOutputs = 0, allOn = 0;
    for (const LayerRow &r : rows) {
      dense += double(r.dense);
      effective += r.effective();
      allOutputs += r.outputs;
      allOn += r.on;
    }
    double reduction = effective > 0 ? dense / effective : 1.0;

    if (!report.empty()) {
      llvm::json::Array arr;
      for (const LayerRow &r : rows) {
        llvm::json::Object o{{"layer", r.name},
                             {"op", r.kind},
                             {"dense_macs", r.dense},
                             {"gated", r.gated}};
        if (r.gated) {
          o["base_fraction"] = r.baseFraction;
          o["base_macs"] = double(r.dense) * r.baseFraction;
          o["comparisons"] = r.comparisons;
          o["gate_on_rate"] = r.onRate();
        }
        o["effective_macs"] = r.effective();
        o["flop_reduction"] = r.effective() > 0 ? double(r.dense) / r.effective()
                                                : 1.0;
        if (r.precision) {
          o["bits"] = r.bits;
          o["high_bits"] = r.highBits;
          o["b_avg"] = double(r.highBits) + r.onRate() * double(r.bits - r.highBits);
        }
        arr.push_back(std::move(o));
      }
      llvm::json::Object doc{
          {"function", func.getSymName().str()},
          {"inputs", static_cast<int64_t>(samples->size())},
          {"layers", std::move(arr)},
          {"total",
           llvm::json::Object{
               {"dense_macs", dense},
               {"effective_macs", effective},
               {"flop_reduction", reduction},
               {"aggregate_gate_on_rate",
                allOutputs ? double(allOn) / double(allOutputs) : 1.0}}}};
      std::string text =
          llvm::formatv("{0:2}\n", llvm::json::Value(std::move(doc))).str();
      if (failed(writeTextFile(func, reportPathFor(func, report), text,
                               "FLOP report")))
        return signalPassFailure();
    }
    if (!table.empty()) {
      size_t width = 5;
      for (const LayerRow &r : rows)
        width = std::max(width, r.name.size());
      std::string text;
      llvm::raw_string_ostream os(text);
      auto pad = [&](StringRef s) {
        return (s + std::string(width - s.size(), ' ')).str();
      };
      os << pad("layer")
         << llvm::formatv(" {0,12} {1,12} {2,8} {3,12} {4,9} {5,6}\n",
                          "dense MACs", "base MACs", "gate on", "eff. MACs",
                          "reduction", "B_avg");
      for (const LayerRow &r : rows) {
        std::string bavg =
            r.precision ? llvm::formatv("{0:f2}", double(r.highBits) +
                                                      r.onRate() *
                                                          double(r.bits -
                                                                 r.highBits))
                              .str()
                        : "-";
        os << pad(r.name)
           << llvm::formatv(" {0,12} {1,12} {2,8} {3,12:f0} {4,8:f2}x {5,6}\n",
                            r.dense,
                            r.gated ? llvm::formatv("{0:f0}", double(r.dense) *
                                                                  r.baseFraction)
                                          .str()
                                    : std::string("-"),
                            r.gated ? llvm::formatv("{0:f1}%", 100 * r.onRate())
                                          .str()
                                    : std::string("-"),
                            r.effective(),
                            r.effective() > 0 ? double(r.dense) / r.effective()
                                              : 1.0,
                            bavg);
      }
      os << pad("total")
         << llvm::formatv(" {0,12:f0} {1,12} {2,8} {3,12:f0} {4,8:f2}x\n",
                          dense, "", "", effective, reduction);
      if (failed(writeTextFile(func, reportPathFor(func, table), text,
                               "FLOP table")))
        return signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};

} // namespace
