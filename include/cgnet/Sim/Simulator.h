//===- Simulator.h - cycle-level simulator of cgisa programs ----*- C++ -*-===//
//
// Executes a cgisa program: the functional effect of every instruction on
// DRAM and the on-chip buffers, bit-exact with the reference evaluator, and
// the timing of the three queues (load, compute, store) with their
// dependency tokens and the shared DRAM channel, per the cycle model of
// docs/isa.md. The simulation is event-driven and single-threaded: the
// next instruction to run is always the one that can start earliest (ties:
// load, compute, store), so a run is deterministic.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_SIM_SIMULATOR_H
#define CGNET_SIM_SIMULATOR_H

#include "cgnet/Reference/Tensor.h"
#include "cgnet/Target/CGIsa/ISA.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <string>
#include <vector>

namespace cgnet::sim {

struct ClassStats {
  uint64_t count = 0, busyCycles = 0;
};

struct LayerStats {
  std::string name;
  uint64_t start = 0, end = 0; ///< first start and last end, in cycles
  /// Where the layer's cycles are counted from: its first start, or the
  /// previous layer's end where that is later (a convolution's first
  /// weights load while the layer before it runs), so that the layers'
  /// cycles add up to the run's.
  uint64_t from = 0;
  uint64_t cycles() const { return end - from; }
  uint64_t instructions = 0, convCycles = 0;
  uint64_t macs = 0;       ///< multiply-accumulates performed
  uint64_t gateOutputs = 0, gateOn = 0;
  uint64_t dramBytes = 0;
};

struct Report {
  isa::AccelConfig config;
  uint64_t cycles = 0;
  std::vector<std::pair<std::string, ClassStats>> classes; ///< by mnemonic
  uint64_t stall[isa::kNumQueues] = {}; ///< cycles a queue waited for tokens or DRAM
  uint64_t busy[isa::kNumQueues] = {};
  uint64_t macs = 0, arrayCycles = 0;
  uint64_t sramRead[isa::kNumBuffers] = {}, sramWritten[isa::kNumBuffers] = {};
  uint64_t dramRead = 0, dramWritten = 0;
  uint64_t gateOutputs = 0, gateOn = 0;
  std::vector<LayerStats> layers;

  double seconds() const { return cycles / (config.clockMHz * 1e6); }
  /// MACs over the array's capacity during the whole run.
  double utilization() const;
  /// MACs over the array's capacity while a conv instruction ran.
  double convUtilization() const;
  /// A layer's roofline: its MACs at the array's peak (rows x cols a
  /// cycle) or its DRAM bytes at dram_bytes_per_cycle, whichever takes
  /// longer (rounded up).
  uint64_t rooflineCycles(const LayerStats &layer) const;
  /// The layers' rooflines added up: no schedule of the same work and the
  /// same DRAM traffic per layer takes fewer cycles (one that moved a
  /// layer's traffic into another layer's time could, by what the
  /// buffers hold).
  uint64_t rooflineCycles() const;
  double energyMacPJ() const { return macs * config.macPJ; }
  double energySramPJ() const;
  double energyDramPJ() const {
    return (dramRead + dramWritten) * config.dramPJPerByte;
  }

  /// The width of the tables' layer column: the longest layer name, at
  /// least 28.
  size_t layerColumn() const;

  void writeJSON(llvm::raw_ostream &os) const;
  void writeTable(llvm::raw_ostream &os) const;
};

struct RunOptions {
  /// Chrome trace-event JSON (one event per instruction) when not null.
  llvm::raw_ostream *trace = nullptr;
  /// Stop with an error once the program would perform more MACs, or a
  /// pool instruction read more window elements (0: no limit).
  uint64_t macBudget = 0;
};

/// Runs `program` on `inputs` (one per input of the program, in order: f32
/// tensors quantized on the host when the input has a scale, integer
/// tensors otherwise) and returns the outputs (dequantized to f32 when the
/// output has a scale). Errors name the instruction and what is wrong.
llvm::Error run(const isa::Program &program,
                llvm::ArrayRef<ref::Tensor> inputs,
                std::vector<ref::Tensor> &outputs, Report &report,
                const RunOptions &options = {});

} // namespace cgnet::sim

#endif // CGNET_SIM_SIMULATOR_H
