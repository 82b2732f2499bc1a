//===- Assembly.cpp - the cgisa text form (assembler, disassembler) -------===//
//
//   .config rows = 32            one line per configuration key
//   .dram 1048576                DRAM size in bytes
//   .input "x" addr=4096 shape=1x3x16x16 scale=0.0078 zp=0 min=-128 max=127 round=away
//   .output "y" ...              the same fields
//   .segment 0x0 1234            a data segment: address and size, then
//   .bytes 9b01035f...           its bytes in hex, 32 per line
//   .layer "conv1"               the next instruction starts layer conv1
//   conv inp=0 wgt=0 ... push_next=1
//
// Instruction fields are `name=value` in any order; a field left out is 0.
// `;` starts a comment. Every error names the line.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Target/CGIsa/ISA.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>
#include <set>

using namespace llvm;

namespace cgnet::isa {

static const char *roundingName(Rounding r) {
  switch (r) {
  case Rounding::AwayFromZero:
    return "away";
  case Rounding::ToEven:
    return "even";
  case Rounding::Up:
    return "up";
  }
  return "?";
}

void printInstr(const Instr &in, raw_ostream &os) {
  const InstrDesc &d = in.desc();
  os << d.mnemonic;
  for (size_t i = 0; i < d.fields.size(); ++i) {
    if (i < kNumCommonFields && in.v[i] == 0)
      continue;
    os << " " << d.fields[i].name << "=" << in.v[i];
  }
}

static void printName(StringRef s, raw_ostream &os) {
  os << '"';
  printEscapedString(s, os);
  os << '"';
}

void writeAssembly(const Program &p, raw_ostream &os) {
  os << "; cgisa program: " << p.code.size() << " instructions\n";
  std::string cfg;
  raw_string_ostream cs(cfg);
  printConfig(p.config, cs);
  SmallVector<StringRef> lines;
  StringRef(cfg).split(lines, '\n', -1, false);
  for (StringRef l : lines)
    os << ".config " << l << "\n";
  os << ".dram " << p.dramBytes << "\n";
  for (const IoDesc &d : p.io) {
    os << (d.isOutput ? ".output " : ".input ");
    printName(d.name, os);
    os << " addr=" << d.addr << " shape=";
    interleave(d.shape, os, "x");
    os << " scale=" << formatv("{0:e16}", d.scale) << " zp=" << d.zeroPoint
       << " min=" << d.storageMin << " max=" << d.storageMax
       << " round=" << roundingName(d.rounding) << "\n";
  }
  for (const Segment &s : p.data) {
    os << ".segment " << formatv("{0:x}", s.addr) << " " << s.bytes.size()
       << "\n";
    for (size_t i = 0; i < s.bytes.size(); i += 32) {
      os << ".bytes ";
      for (size_t j = i; j < std::min(s.bytes.size(), i + 32); ++j)
        os << hexdigit(s.bytes[j] >> 4, true) << hexdigit(s.bytes[j] & 15, true);
      os << "\n";
    }
  }
  size_t nextLayer = 0;
  for (size_t i = 0; i < p.code.size(); ++i) {
    while (nextLayer < p.layers.size() && p.layers[nextLayer].firstInstr == i) {
      os << ".layer ";
      printName(p.layers[nextLayer++].name, os);
      os << "\n";
    }
    printInstr(p.code[i], os);
    os << "\n";
  }
  for (; nextLayer < p.layers.size(); ++nextLayer) {
    os << ".layer ";
    printName(p.layers[nextLayer].name, os);
    os << "\n";
  }
}

namespace {
class AsmParser {
public:
  explicit AsmParser(StringRef text) { text.split(lines, '\n'); }
  Expected<Program> parse();

private:
  Error fail(const Twine &msg) {
    return createStringError("line " + Twine(lineNo) + ": " + msg);
  }
  Error parseName(StringRef &rest, std::string &name);
  Error parseIo(StringRef rest, bool isOutput);
  Error parseInstr(StringRef mnemonic, StringRef rest);

  SmallVector<StringRef> lines;
  size_t lineNo = 0;
  Program p;
  std::string config;
  uint64_t pendingBytes = 0; ///< bytes the open .segment still expects
};
} // namespace

Error AsmParser::parseName(StringRef &rest, std::string &name) {
  rest = rest.ltrim();
  if (!rest.consume_front("\""))
    return fail("expected a quoted name");
  name.clear();
  while (!rest.empty() && rest.front() != '"') {
    char c = rest.front();
    rest = rest.drop_front();
    if (c != '\\') {
      name.push_back(c);
      continue;
    }
    if (rest.size() >= 2 && isHexDigit(rest[0]) && isHexDigit(rest[1])) {
      name.push_back(static_cast<char>(hexDigitValue(rest[0]) * 16 +
                                       hexDigitValue(rest[1])));
      rest = rest.drop_front(2);
    } else if (!rest.empty() && (rest[0] == '\\' || rest[0] == '"')) {
      name.push_back(rest[0]);
      rest = rest.drop_front();
    } else {
      return fail("bad escape in name");
    }
  }
  if (!rest.consume_front("\""))
    return fail("unterminated name");
  return Error::success();
}

Error AsmParser::parseIo(StringRef rest, bool isOutput) {
  IoDesc d;
  d.isOutput = isOutput;
  if (Error e = parseName(rest, d.name))
    return e;
  SmallVector<StringRef> toks;
  rest.split(toks, ' ', -1, false);
  std::set<std::string> seen;
  for (StringRef t : toks) {
    StringRef key = t.split('=').first, value = t.split('=').second;
    if (!seen.insert(key.str()).second)
      return fail("'" + key + "' given twice");
    auto asInt = [&](auto &out, int64_t lo, int64_t hi) -> Error {
      int64_t v;
      if (value.getAsInteger(0, v) || v < lo || v > hi)
        return fail("'" + key + "' needs an integer in [" + Twine(lo) + ", " +
                    Twine(hi) + "], got '" + value + "'");
      out = static_cast<std::decay_t<decltype(out)>>(v);
      return Error::success();
    };
    Error e = Error::success();
    if (key == "addr")
      e = asInt(d.addr, 0, int64_t(1) << 40);
    else if (key == "zp")
      e = asInt(d.zeroPoint, -128, 127);
    else if (key == "min")
      e = asInt(d.storageMin, -128, 127);
    else if (key == "max")
      e = asInt(d.storageMax, -128, 127);
    else if (key == "scale") {
      if (value.getAsDouble(d.scale) || !(d.scale >= 0) ||
          !std::isfinite(d.scale))
        e = fail("'scale' needs a finite number >= 0, got '" + value + "'");
    } else if (key == "round") {
      if (value == "away")
        d.rounding = Rounding::AwayFromZero;
      else if (value == "even")
        d.rounding = Rounding::ToEven;
      else if (value == "up")
        d.rounding = Rounding::Up;
      else
        e = fail("'round' is away, even or up, got '" + value + "'");
    } else if (key == "shape") {
      SmallVector<StringRef> dims;
      value.split(dims, 'x');
      for (StringRef dim : dims) {
        int64_t v;
        if (dim.getAsInteger(10, v) || v <= 0 || v > (int64_t(1) << 28))
          return fail("bad dimension '" + dim + "' in shape");
        d.shape.push_back(v);
      }
    } else {
      e = fail("unknown input/output field '" + key + "'");
    }
    if (e)
      return e;
  }
  if (d.shape.empty())
    return fail("input/output needs a shape");
  p.io.push_back(std::move(d));
  return Error::success();
}

Error AsmParser::parseInstr(StringRef mnemonic, StringRef rest) {
  const InstrDesc *d = lookup(mnemonic);
  if (!d)
    return fail("unknown instruction '" + mnemonic + "'");
  Instr in;
  in.op = d->opcode;
  SmallVector<StringRef> toks;
  rest.split(toks, ' ', -1, false);
  std::vector<bool> seen(d->fields.size());
  for (StringRef t : toks) {
    auto [key, value] = t.split('=');
    int slot = fieldSlot(*d, key);
    if (slot < 0)
      return fail(Twine(mnemonic) + " has no field '" + key + "'");
    if (seen[slot])
      return fail("field '" + key + "' given twice");
    seen[slot] = true;
    int64_t v;
    if (value.getAsInteger(0, v))
      return fail("field '" + key + "' needs an integer, got '" + value + "'");
    in.v[slot] = v;
  }
  if (Error e = checkFields(in))
    return fail(toString(std::move(e)));
  p.code.push_back(in);
  return Error::success();
}

Expected<Program> AsmParser::parse() {
  for (StringRef raw : lines) {
    ++lineNo;
    StringRef line = raw.split(';').first.trim();
    if (line.empty())
      continue;
    auto [word, rest] = line.split(' ');
    rest = rest.trim();
    if (pendingBytes && word != ".bytes")
      return fail(Twine(pendingBytes) + " bytes of the segment are missing");
    if (word == ".config") {
      config += rest.str() + "\n";
    } else if (word == ".dram") {
      if (rest.getAsInteger(0, p.dramBytes) ||
          p.dramBytes > (uint64_t(1) << 32))
        return fail("'.dram' needs a size up to 4 GiB");
    } else if (word == ".input" || word == ".output") {
      if (Error e = parseIo(rest, word == ".output"))
        return std::move(e);
    } else if (word == ".segment") {
      auto [a, n] = rest.split(' ');
      Segment s;
      if (a.trim().getAsInteger(0, s.addr) ||
          n.trim().getAsInteger(0, pendingBytes) ||
          pendingBytes > (uint64_t(1) << 32))
        return fail("'.segment' needs a hex address and a size");
      p.data.push_back(std::move(s));
    } else if (word == ".bytes") {
      if (rest.size() % 2 || rest.size() / 2 > pendingBytes)
        return fail("'.bytes' has " + Twine(rest.size() / 2) +
                    " bytes where the segment expects at most " +
                    Twine(pendingBytes));
      for (size_t i = 0; i < rest.size(); i += 2) {
        if (!isHexDigit(rest[i]) || !isHexDigit(rest[i + 1]))
          return fail("'.bytes' holds a non-hex digit");
        p.data.back().bytes.push_back(static_cast<uint8_t>(
            hexDigitValue(rest[i]) * 16 + hexDigitValue(rest[i + 1])));
      }
      pendingBytes -= rest.size() / 2;
    } else if (word == ".layer") {
      LayerMark l;
      l.firstInstr = static_cast<uint32_t>(p.code.size());
      if (Error e = parseName(rest, l.name))
        return std::move(e);
      p.layers.push_back(std::move(l));
    } else if (word.starts_with(".")) {
      return fail("unknown directive '" + word + "'");
    } else if (Error e = parseInstr(word, rest)) {
      return std::move(e);
    }
  }
  if (pendingBytes)
    return fail(Twine(pendingBytes) + " bytes of the last segment are missing");
  auto c = parseConfig(config, ".config lines");
  if (!c)
    return c.takeError();
  p.config = *c;
  return std::move(p);
}

Expected<Program> readAssembly(StringRef text) {
  return AsmParser(text).parse();
}

} // namespace cgnet::isa
