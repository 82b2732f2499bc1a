//===- ISA.cpp - encoding table, encoder/decoder, configuration -----------===//

#include "cgnet/Target/CGIsa/ISA.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MemoryBuffer.h"
#include <cmath>

using namespace llvm;

namespace cgnet::isa {

StringRef queueName(Queue q) {
  switch (q) {
  case Queue::Load:
    return "load";
  case Queue::Compute:
    return "compute";
  case Queue::Store:
    return "store";
  }
  return "?";
}

StringRef bufferName(Buffer b) {
  static const char *names[] = {"INP", "WGT", "PARAM", "OUT",
                                "ACC", "BMP", "IDX"};
  return names[static_cast<unsigned>(b)];
}

int64_t FieldDesc::min() const {
  return isSigned ? -(int64_t(1) << (bits - 1)) : 0;
}
int64_t FieldDesc::max() const {
  return isSigned ? (int64_t(1) << (bits - 1)) - 1
                  : (bits == 64 ? INT64_MAX : (int64_t(1) << bits) - 1);
}

static std::vector<InstrDesc> buildTable() {
  std::vector<FieldDesc> common;
#define CGISA_COMMON(name, doc) common.push_back({#name, 1, false, doc, 0});
#include "cgnet/Target/CGIsa/Instructions.def"
  std::vector<InstrDesc> table;
#define CGISA_INSTR(Name, mnemonic, opcode, queue, summary)                    \
  table.push_back({Opcode::Name, mnemonic, Queue::queue, summary, common});
#define CGISA_FIELD(Instr, name, bits, isSigned, doc)                          \
  table.back().fields.push_back({#name, bits, isSigned != 0, doc, 0});
#include "cgnet/Target/CGIsa/Instructions.def"
  for (InstrDesc &d : table) {
    unsigned lsb = 8;
    for (FieldDesc &f : d.fields) {
      f.lsb = lsb;
      lsb += f.bits;
    }
    if (lsb > kInstrBytes * 8 || d.fields.size() > kMaxFields)
      report_fatal_error(Twine("cgisa: instruction ") + d.mnemonic +
                         " does not fit 256 bits");
  }
  return table;
}

ArrayRef<InstrDesc> instructionTable() {
  static const std::vector<InstrDesc> table = buildTable();
  return table;
}

const InstrDesc *lookup(uint8_t opcode) {
  for (const InstrDesc &d : instructionTable())
    if (static_cast<uint8_t>(d.opcode) == opcode)
      return &d;
  return nullptr;
}
const InstrDesc *lookup(Opcode op) { return lookup(static_cast<uint8_t>(op)); }
const InstrDesc *lookup(StringRef mnemonic) {
  for (const InstrDesc &d : instructionTable())
    if (mnemonic == d.mnemonic)
      return &d;
  return nullptr;
}

int fieldSlot(const InstrDesc &desc, StringRef name) {
  for (size_t i = 0; i < desc.fields.size(); ++i)
    if (name == desc.fields[i].name)
      return static_cast<int>(i);
  return -1;
}

Error checkFields(const Instr &in) {
  const InstrDesc &d = in.desc();
  for (size_t i = 0; i < d.fields.size(); ++i) {
    const FieldDesc &f = d.fields[i];
    if (in.v[i] < f.min() || in.v[i] > f.max())
      return createStringError(
          formatv("{0}: field '{1}' = {2} does not fit its {3} {4}bits [{5}, "
                  "{6}]",
                  d.mnemonic, f.name, in.v[i], f.bits,
                  f.isSigned ? "signed " : "", f.min(), f.max())
              .str());
  }
  for (size_t i = d.fields.size(); i < kMaxFields; ++i)
    if (in.v[i] != 0)
      return createStringError(Twine(d.mnemonic) + ": value in unused slot " +
                               Twine(i));
  return Error::success();
}

static void putBits(uint8_t *out, unsigned lsb, unsigned bits, uint64_t v) {
  for (unsigned b = 0; b < bits; ++b)
    if ((v >> b) & 1)
      out[(lsb + b) / 8] |= uint8_t(1u << ((lsb + b) % 8));
}
static uint64_t getBits(const uint8_t *in, unsigned lsb, unsigned bits) {
  uint64_t v = 0;
  for (unsigned b = 0; b < bits; ++b)
    if ((in[(lsb + b) / 8] >> ((lsb + b) % 8)) & 1)
      v |= uint64_t(1) << b;
  return v;
}

Error encode(const Instr &in, uint8_t out[kInstrBytes]) {
  if (!lookup(in.op))
    return createStringError("unknown opcode " +
                             Twine(static_cast<unsigned>(in.op)));
  if (Error e = checkFields(in))
    return e;
  std::fill(out, out + kInstrBytes, 0);
  out[0] = static_cast<uint8_t>(in.op);
  const InstrDesc &d = in.desc();
  for (size_t i = 0; i < d.fields.size(); ++i)
    putBits(out, d.fields[i].lsb, d.fields[i].bits,
            static_cast<uint64_t>(in.v[i]));
  return Error::success();
}

Expected<Instr> decode(const uint8_t in[kInstrBytes], uint64_t offset) {
  const InstrDesc *d = lookup(in[0]);
  if (!d)
    return createStringError(
        formatv("offset {0}: unknown opcode 0x{1:x-2}", offset, in[0]).str());
  Instr out;
  out.op = d->opcode;
  unsigned end = 8;
  for (size_t i = 0; i < d->fields.size(); ++i) {
    const FieldDesc &f = d->fields[i];
    uint64_t raw = getBits(in, f.lsb, f.bits);
    int64_t v = static_cast<int64_t>(raw);
    if (f.isSigned && f.bits < 64 && (raw >> (f.bits - 1)) & 1)
      v = static_cast<int64_t>(raw | (~uint64_t(0) << f.bits));
    out.v[i] = v;
    end = f.lsb + f.bits;
  }
  for (unsigned b = end; b < kInstrBytes * 8; ++b)
    if ((in[b / 8] >> (b % 8)) & 1)
      return createStringError(
          formatv("offset {0}: {1}: unused bit {2} is set", offset,
                  d->mnemonic, b)
              .str());
  return out;
}

//===----------------------------------------------------------------------===//
// Configuration
//===----------------------------------------------------------------------===//

AccelConfig::GatedPass AccelConfig::gatedPass(double chunks,
                                              int64_t k) const {
  GatedPass best;
  int64_t g = groups();
  double slots = double(cols * g);
  // row_group_split = 1: S divides the row groups (the parts run side by
  // side in the chunk's column); 2: that too, or any S whose parts take at
  // least `rows` cycles (free slots anywhere take them).
  int64_t anyUpTo = rowGroupSplit == 2 ? k / rows : 0;
  int64_t most = rowGroupSplit ? std::max(g, anyUpTo) : 1;
  for (int64_t s = 1; s <= most; ++s) {
    if (g % s && s > anyUpTo)
      continue;
    GatedPass p;
    p.split = s;
    p.passes = std::ceil(chunks * s / slots);
    p.cyclesPerPass = double((k + s - 1) / s);
    if (s == 1 || p.cycles() < best.cycles())
      best = p;
  }
  return best;
}

int64_t AccelConfig::bufferBytes(Buffer b) const {
  switch (b) {
  case Buffer::Inp:
    return inpBytes;
  case Buffer::Wgt:
    return wgtBytes;
  case Buffer::Param:
    return paramBytes;
  case Buffer::Out:
    return outBytes;
  case Buffer::Acc:
    return accBytes;
  case Buffer::Bmp:
    return bmpBytes;
  case Buffer::Idx:
    return idxBytes;
  }
  return 0;
}

namespace {
struct IntKey {
  const char *key;
  int64_t AccelConfig::*field;
  int64_t min, max;
};
struct FloatKey {
  const char *key;
  double AccelConfig::*field;
};
} // namespace

static const IntKey intKeys[] = {
    {"rows", &AccelConfig::rows, 1, 4096},
    {"cols", &AccelConfig::cols, 1, 4096},
    {"inp_bytes", &AccelConfig::inpBytes, 64, int64_t(1) << 24},
    {"wgt_bytes", &AccelConfig::wgtBytes, 64, int64_t(1) << 24},
    {"acc_bytes", &AccelConfig::accBytes, 64, int64_t(1) << 24},
    {"out_bytes", &AccelConfig::outBytes, 64, int64_t(1) << 24},
    {"param_bytes", &AccelConfig::paramBytes, 64, int64_t(1) << 24},
    {"bmp_bytes", &AccelConfig::bmpBytes, 64, int64_t(1) << 24},
    {"idx_bytes", &AccelConfig::idxBytes, 64, int64_t(1) << 24},
    {"fill_drain", &AccelConfig::fillDrain, -1, 1 << 20},
    {"fill_per_pass", &AccelConfig::fillPerPass, 0, 1},
    {"vector_lanes", &AccelConfig::vectorLanes, -1, 1 << 16},
    {"slice_bits", &AccelConfig::sliceBits, 1, 8},
    {"per_channel_compact", &AccelConfig::perChannelCompact, 0, 1},
    {"row_groups", &AccelConfig::rowGroups, -1, 4096},
    {"row_group_split", &AccelConfig::rowGroupSplit, 0, 2},
    {"vector_overlap", &AccelConfig::vectorOverlap, 0, 1},
    {"dram_latency", &AccelConfig::dramLatency, 0, 1 << 20},
};
static const FloatKey floatKeys[] = {
    {"clock_mhz", &AccelConfig::clockMHz},
    {"dram_bytes_per_cycle", &AccelConfig::dramBytesPerCycle},
    {"mac_pj", &AccelConfig::macPJ},
    {"sram_pj_per_byte", &AccelConfig::sramPJPerByte},
    {"dram_pj_per_byte", &AccelConfig::dramPJPerByte},
};

Expected<AccelConfig> parseConfig(StringRef text, StringRef name) {
  AccelConfig c;
  SmallVector<StringRef> lines;
  text.split(lines, '\n');
  for (size_t n = 0; n < lines.size(); ++n) {
    StringRef line = lines[n].split('#').first.trim();
    if (line.empty())
      continue;
    auto fail = [&](const Twine &msg) {
      return createStringError(name + ":" + Twine(n + 1) + ": " + msg);
    };
    auto [key, value] = line.split('=');
    key = key.trim();
    value = value.trim();
    if (!line.contains('='))
      return fail("expected 'key = value'");
    bool found = false;
    for (const IntKey &k : intKeys) {
      if (key != k.key)
        continue;
      found = true;
      int64_t v;
      if (value.getAsInteger(0, v))
        return fail("'" + key + "' needs an integer, got '" + value + "'");
      if (v < k.min || v > k.max)
        return fail(formatv("'{0}' = {1} is out of range [{2}, {3}]", key, v,
                            k.min, k.max));
      c.*k.field = v;
    }
    for (const FloatKey &k : floatKeys) {
      if (key != k.key)
        continue;
      found = true;
      double v;
      if (value.getAsDouble(v) || !(v > 0) || !std::isfinite(v))
        return fail("'" + key + "' needs a positive number, got '" + value +
                    "'");
      c.*k.field = v;
    }
    if (!found)
      return fail("unknown key '" + key + "'");
    if (c.vectorLanes == 0)
      return fail("'vector_lanes' must be -1 (the array width) or at least 1");
    if (c.rowGroups == 0)
      return fail("'row_groups' must be -1 (4, 2 or 1, whichever divides "
                  "'rows') or at least 1");
  }
  if (c.rows % c.groups())
    return createStringError(
        name + formatv(": 'row_groups' = {0} does not divide 'rows' = {1}",
                       c.rowGroups, c.rows));
  return c;
}

Expected<AccelConfig> loadConfigFile(StringRef path) {
  auto buf = MemoryBuffer::getFile(path, /*IsText=*/true);
  if (!buf)
    return createStringError(Twine("cannot open configuration '") + path +
                             "': " + buf.getError().message());
  return parseConfig((*buf)->getBuffer(), path);
}

void printConfig(const AccelConfig &c, raw_ostream &os) {
  for (const IntKey &k : intKeys)
    os << k.key << " = " << c.*k.field << "\n";
  for (const FloatKey &k : floatKeys)
    os << k.key << " = " << format("%.17g", c.*k.field) << "\n";
}

int64_t IoDesc::numElements() const {
  int64_t n = 1;
  for (int64_t d : shape) {
    if (d > 0 && n > INT64_MAX / d)
      return INT64_MAX; // saturates: callers compare against limits
    n *= d;
  }
  return n;
}

int64_t dramIndex(ArrayRef<int64_t> shape, int64_t e) {
  if (shape.size() != 4)
    return e;
  int64_t w = e % shape[3], h = (e / shape[3]) % shape[2],
          c = (e / (shape[3] * shape[2])) % shape[1],
          n = e / (shape[3] * shape[2] * shape[1]);
  return ((n * shape[2] + h) * shape[3] + w) * shape[1] + c;
}

void printEncodingTable(raw_ostream &os) {
  for (const InstrDesc &d : instructionTable()) {
    os << "### `" << d.mnemonic << "` (opcode "
       << formatv("0x{0:x-2}", static_cast<unsigned>(d.opcode)) << ", "
       << queueName(d.queue) << " queue)\n\n"
       << d.summary << ".\n\n"
       << "| bits | field | meaning |\n|---|---|---|\n"
       << "| 0-7 | opcode | " << formatv("0x{0:x-2}", unsigned(d.opcode))
       << " |\n";
    for (const FieldDesc &f : d.fields) {
      os << "| " << f.lsb;
      if (f.bits > 1)
        os << "-" << f.lsb + f.bits - 1;
      os << " | `" << f.name << "`" << (f.isSigned ? " (signed)" : "")
         << " | " << f.doc << " |\n";
    }
    os << "\n";
  }
}

} // namespace cgnet::isa

namespace cgnet::isa {

Error verifyProgram(const Program &p) {
  auto inDram = [&](uint64_t addr, uint64_t size) {
    return addr <= p.dramBytes && size <= p.dramBytes - addr;
  };
  for (const Segment &s : p.data)
    if (!inDram(s.addr, s.bytes.size()))
      return createStringError(
          formatv("data segment [{0}, {1}) lies outside the {2}-byte DRAM",
                  s.addr, s.addr + s.bytes.size(), p.dramBytes)
              .str());
  for (const IoDesc &d : p.io)
    if (d.zeroPoint < d.storageMin || d.zeroPoint > d.storageMax ||
        d.storageMin < -128 || d.storageMax > 127)
      return createStringError(
          formatv("{0} '{1}': zero point {2} is not in its storage range [{3}, "
                  "{4}] within int8",
                  d.isOutput ? "output" : "input", d.name, d.zeroPoint,
                  d.storageMin, d.storageMax)
              .str());
  for (const IoDesc &d : p.io)
    if (!inDram(d.addr, static_cast<uint64_t>(d.numElements())))
      return createStringError(
          formatv("{0} '{1}' at {2} ({3} bytes) lies outside the {4}-byte DRAM",
                  d.isOutput ? "output" : "input", d.name, d.addr,
                  d.numElements(), p.dramBytes)
              .str());
  uint32_t prev = 0;
  for (const LayerMark &l : p.layers) {
    if (l.firstInstr < prev || l.firstInstr > p.code.size())
      return createStringError(
          formatv("layer '{0}' starts at instruction {1}, out of order or past "
                  "the {2} instructions",
                  l.name, l.firstInstr, p.code.size())
              .str());
    prev = l.firstInstr;
  }
  if (p.code.empty() || p.code.back().op != Opcode::Finish)
    return createStringError("the code does not end with 'finish'");
  for (size_t i = 0; i + 1 < p.code.size(); ++i)
    if (p.code[i].op == Opcode::Finish)
      return createStringError("instruction " + Twine(i) +
                               ": 'finish' before the end of the code");
  return Error::success();
}

} // namespace cgnet::isa
