//===- ISA.h - the CGNet accelerator's instructions and programs -*- C++ -*-===//
//
// The cgisa instruction set as data: opcodes, queues and fields from
// Instructions.def, the decoded instruction, the accelerator configuration
// and a whole program (code, DRAM image, inputs and outputs, layer names).
// No MLIR here: the simulator, the binary and assembly readers and writers
// and the `cgisa` dialect all build on this.
//
// docs/isa.md describes the machine; the field tables in it are printed
// from Instructions.def by `cgnet-translate --print-cgisa-encoding`.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_TARGET_CGISA_ISA_H
#define CGNET_TARGET_CGISA_ISA_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace cgnet::isa {

enum class Opcode : uint8_t {
#define CGISA_INSTR(Name, mnemonic, opcode, queue, summary) Name = opcode,
#include "cgnet/Target/CGIsa/Instructions.def"
};

/// The three instruction queues, in the order tokens flow: load -> compute
/// -> store. "prev" and "next" in the token flags are relative to this order.
enum class Queue : uint8_t { Load, Compute, Store };
constexpr unsigned kNumQueues = 3;
llvm::StringRef queueName(Queue q);

/// On-chip buffers. DMA loads address INP, WGT and PARAM (buf field 0-2).
enum class Buffer : uint8_t { Inp, Wgt, Param, Out, Acc, Bmp, Idx };
constexpr unsigned kNumBuffers = 7;
llvm::StringRef bufferName(Buffer b);

namespace detail {
enum FieldId : unsigned {
#define CGISA_INSTR(Name, mnemonic, opcode, queue, summary) Name##_begin_,
#define CGISA_FIELD(Instr, name, bits, isSigned, doc) Instr##_##name,
#include "cgnet/Target/CGIsa/Instructions.def"
};
} // namespace detail

/// Slot numbers of the fields in Instr::v: Common::pop_prev, Conv::inp, ...
namespace Common {
enum : unsigned { pop_prev, pop_next, push_prev, push_next };
} // namespace Common
constexpr unsigned kNumCommonFields = 4;
#define CGISA_FIELD(Instr, name, bits, isSigned, doc)                         \
  namespace Instr {                                                            \
  constexpr unsigned name = kNumCommonFields + detail::Instr##_##name -        \
                            detail::Instr##_begin_ - 1;                        \
  }
#include "cgnet/Target/CGIsa/Instructions.def"

constexpr unsigned kMaxFields = 24;
constexpr unsigned kInstrBytes = 32;

struct FieldDesc {
  const char *name;
  unsigned bits;
  bool isSigned;
  const char *doc;
  unsigned lsb; ///< first bit in the 256-bit instruction
  int64_t min() const;
  int64_t max() const;
};

struct InstrDesc {
  Opcode opcode;
  const char *mnemonic;
  Queue queue;
  const char *summary;
  std::vector<FieldDesc> fields; ///< the common flags first
};

/// Every instruction, in opcode order.
llvm::ArrayRef<InstrDesc> instructionTable();
const InstrDesc *lookup(Opcode op);
const InstrDesc *lookup(uint8_t opcode);
const InstrDesc *lookup(llvm::StringRef mnemonic);
/// Slot of field `name` in `desc`, or -1.
int fieldSlot(const InstrDesc &desc, llvm::StringRef name);

/// A decoded instruction: its opcode and one value per field slot.
struct Instr {
  Opcode op = Opcode::Finish;
  std::array<int64_t, kMaxFields> v{};
  int64_t operator[](unsigned slot) const { return v[slot]; }
  int64_t &operator[](unsigned slot) { return v[slot]; }
  const InstrDesc &desc() const { return *lookup(op); }
};

/// Encodes `in` into 32 bytes. Fails naming the field when a value does
/// not fit its width.
llvm::Error encode(const Instr &in, uint8_t out[kInstrBytes]);
/// Decodes 32 bytes; `offset` (the instruction's place in its file) is only
/// used in the error message of an unknown opcode or non-zero unused bits.
llvm::Expected<Instr> decode(const uint8_t in[kInstrBytes], uint64_t offset);
/// Checks that every field of `in` fits its width.
llvm::Error checkFields(const Instr &in);

/// The accelerator's parameters, shared by the compiler and the simulator
/// (config/cgnet-prototype.cfg holds the defaults, documented there).
struct AccelConfig {
  int64_t rows = 32, cols = 32; ///< systolic array: pixels x output channels
  int64_t inpBytes = 256 * 1024, wgtBytes = 512 * 1024, accBytes = 256 * 1024,
          outBytes = 64 * 1024, paramBytes = 16 * 1024, bmpBytes = 32 * 1024,
          idxBytes = 128 * 1024;
  int64_t fillDrain = -1;   ///< array fill + drain cycles; -1: rows + cols
  /// 1: every pass of a conv pays fill + drain (passes do not overlap);
  /// 0: once per conv instruction (the passes stream back to back).
  int64_t fillPerPass = 0;
  int64_t vectorLanes = -1; ///< post/pool/ewise elements per cycle; -1: cols
  int64_t sliceBits = 8;    ///< activation bits per array pass
  /// 1: gated layers build one active list per output channel (the array's
  /// columns gather their own pixels); 0: one list per tile, of the pixels
  /// with any gate on.
  int64_t perChannelCompact = 1;
  /// Per-channel lists: the array's rows split into this many groups, each
  /// with its own weight feed per column, so that a conditional pass takes
  /// chunks of rows / row_groups pixels (short lists waste fewer rows); 1:
  /// the whole column streams one channel's weights; -1: the largest of
  /// 4, 2 and 1 that divides rows (groups()).
  int64_t rowGroups = -1;
  /// How a gated pass's chunks split their reductions where they leave
  /// slots idle (the parts' sums add into ACC, as every pass's do): 0: no
  /// split, one slot per chunk; 1: over a divisor of row_groups, the parts
  /// side by side in the chunk's column; 2: as 1, or into any number of
  /// equal parts of at least `rows` cycles each, which free slots anywhere
  /// take (so the parts reach ACC no faster than a dense pass drains).
  int64_t rowGroupSplit = 2;
  /// 1: the vector unit (post, pool, ewise) runs beside the array: the
  /// compute queue issues in order, but an instruction waits only for its
  /// own unit and for the accumulators it shares with one still running,
  /// and the compiler double buffers ACC so that a tile's post overlaps
  /// the next tile's convolution; 0: one compute instruction at a time.
  int64_t vectorOverlap = 1;
  double clockMHz = 800;
  double dramBytesPerCycle = 32;
  int64_t dramLatency = 64; ///< cycles before a DMA's first byte
  double macPJ = 0.2, sramPJPerByte = 1.2, dramPJPerByte = 80;

  int64_t fill() const { return fillDrain < 0 ? rows + cols : fillDrain; }
  int64_t lanes() const { return vectorLanes < 0 ? cols : vectorLanes; }
  int64_t groups() const {
    if (rowGroups > 0)
      return rowGroups;
    return rows % 4 == 0 ? 4 : rows % 2 == 0 ? 2 : 1;
  }
  int64_t bufferBytes(Buffer b) const;

  /// A gated pass over per-channel lists (docs/isa.md, cycle model):
  /// `chunks` chunks of rows / row_groups pixels, each reducing over `k`
  /// values, on cols x row_groups slots. Where the chunks leave slots idle,
  /// each chunk's reduction splits into `split` parts (row_group_split:
  /// a divisor of row_groups, with 2 also any count whose parts take at
  /// least `rows` cycles), the split giving the fewest cycles (ties: the
  /// smallest). chunks may be fractional (the
  /// compiler's estimate); passes and cyclesPerPass are then fractional too.
  struct GatedPass {
    double passes = 0, cyclesPerPass = 0;
    int64_t split = 1;
    double cycles() const { return passes * cyclesPerPass; }
  };
  GatedPass gatedPass(double chunks, int64_t k) const;
};

/// `key = value` lines, `#` comments. Unknown keys, bad numbers and values
/// out of range are errors naming the line.
llvm::Expected<AccelConfig> parseConfig(llvm::StringRef text,
                                        llvm::StringRef name = "config");
llvm::Expected<AccelConfig> loadConfigFile(llvm::StringRef path);
void printConfig(const AccelConfig &config, llvm::raw_ostream &os);

/// Ties of host-side quantization of an input (as cgnet.quantize).
enum class Rounding : uint32_t { AwayFromZero, ToEven, Up };

/// A program input or output: a tensor in DRAM, NHWC (rank 4) or row-major
/// (other ranks; a rank-2 N x K tensor is N x 1 x 1 x K). `scale == 0`
/// means raw integers; otherwise the host quantizes inputs from f32 and
/// dequantizes outputs to f32 with scale and zero point, per tensor.
struct IoDesc {
  bool isOutput = false;
  std::string name;
  std::vector<int64_t> shape; ///< as the model states it (NCHW)
  uint64_t addr = 0;
  double scale = 0;
  int32_t zeroPoint = 0, storageMin = -128, storageMax = 127;
  Rounding rounding = Rounding::AwayFromZero;
  /// The product of the dimensions, INT64_MAX when it overflows.
  int64_t numElements() const;
};

/// The DRAM index of row-major (NCHW) element `e` of a tensor of `shape`:
/// rank-4 tensors are NHWC in DRAM, others row-major.
int64_t dramIndex(llvm::ArrayRef<int64_t> shape, int64_t e);

struct Segment {
  uint64_t addr = 0;
  std::vector<uint8_t> bytes;
};

struct LayerMark {
  uint32_t firstInstr = 0; ///< the layer runs until the next mark
  std::string name;
};

struct Program {
  AccelConfig config;
  uint64_t dramBytes = 0;
  std::vector<Segment> data;
  std::vector<IoDesc> io;
  std::vector<LayerMark> layers;
  std::vector<Instr> code;
};

/// Checks what the binary and text readers cannot check record by record:
/// data segments and inputs/outputs lie inside DRAM, layer marks are in
/// order and inside the code, the code ends with `finish` and has no other.
llvm::Error verifyProgram(const Program &p);

/// The binary form (docs/isa.md, "Binary"). Reading checks every length and
/// offset; errors say at which byte offset the file is wrong.
llvm::Error writeBinary(const Program &p, llvm::raw_ostream &os);
llvm::Expected<Program> readBinary(llvm::ArrayRef<uint8_t> bytes);

/// The text form: one instruction per line, `mnemonic field=value ...`,
/// with `.config`, `.dram`, `.input`/`.output`, `.data` and `.layer`
/// directives. readAssembly(writeAssembly(p)) == p.
void writeAssembly(const Program &p, llvm::raw_ostream &os);
llvm::Expected<Program> readAssembly(llvm::StringRef text);

/// One instruction in the text form (no newline).
void printInstr(const Instr &in, llvm::raw_ostream &os);

/// The encoding table as Markdown, for docs/isa.md.
void printEncodingTable(llvm::raw_ostream &os);

} // namespace cgnet::isa

#endif // CGNET_TARGET_CGISA_ISA_H
