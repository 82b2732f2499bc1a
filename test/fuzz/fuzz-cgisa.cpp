//===- fuzz-cgisa.cpp - libFuzzer: accelerator binaries -------------------===//
//
// Reads the bytes as a cgisa binary and, when they decode, runs the
// program on the simulator with zero inputs. Programs too large to run
// quickly (DRAM or buffers over a few MiB, long code) are only decoded;
// the simulator's MAC budget stops runaway convolutions with an error.

#include "cgnet/Sim/Simulator.h"
#include "cgnet/Target/CGIsa/ISA.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  using namespace cgnet;
  auto program = isa::readBinary(llvm::ArrayRef<uint8_t>(data, size));
  if (!program) {
    llvm::consumeError(program.takeError());
    return 0;
  }
  const int64_t limit = int64_t(4) << 20;
  if (program->dramBytes > uint64_t(limit) || program->code.size() > 4096)
    return 0;
  for (unsigned b = 0; b < isa::kNumBuffers; ++b)
    if (program->config.bufferBytes(static_cast<isa::Buffer>(b)) > limit)
      return 0;
  std::vector<ref::Tensor> inputs;
  for (const isa::IoDesc &d : program->io) {
    if (d.isOutput)
      continue;
    if (d.numElements() > limit)
      return 0;
    inputs.push_back(d.scale > 0 ? ref::Tensor::floats(d.shape)
                                 : ref::Tensor::ints(d.shape));
  }
  std::vector<ref::Tensor> outputs;
  sim::Report report;
  sim::RunOptions options;
  options.macBudget = 20'000'000;
  if (llvm::Error e = sim::run(*program, inputs, outputs, report, options))
    llvm::consumeError(std::move(e));
  return 0;
}
