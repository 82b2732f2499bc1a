//===- Binary.cpp - the cgisa binary container ----------------------------===//
//
// Layout (all integers little-endian):
//   0   "CGISABIN"          magic
//   8   u32 version (1)     12  u32 section count
//   16  section table: per section u32 kind, u32 0, u64 offset, u64 size
// Sections: 1 configuration (text, `key = value`), 2 code (32-byte
// instructions), 3 data (per segment u64 address, u64 size, bytes),
// 4 inputs/outputs, 5 layer names, 6 DRAM size (u64). docs/isa.md has the
// record layouts. The writer puts the code first (at offset 160); the
// reader takes the sections in any order.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Target/CGIsa/ISA.h"

#include "llvm/Support/FormatVariadic.h"
#include <cmath>
#include <cstring>

using namespace llvm;

namespace cgnet::isa {

namespace {
constexpr char kMagic[8] = {'C', 'G', 'I', 'S', 'A', 'B', 'I', 'N'};
constexpr uint32_t kVersion = 1;
enum SectionKind : uint32_t {
  SecConfig = 1,
  SecCode,
  SecData,
  SecIo,
  SecLayers,
  SecDram
};
constexpr uint64_t kMaxStringLength = 4096;
constexpr uint64_t kMaxRank = 8;

class Writer {
public:
  std::string buf;
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void i32(int32_t v) { raw(&v, 4); }
  void f64(double v) { raw(&v, 8); }
  void str(StringRef s) {
    u32(static_cast<uint32_t>(s.size()));
    buf.append(s.data(), s.size());
  }
  void raw(const void *p, size_t n) {
    buf.append(static_cast<const char *>(p), n);
  }
};

/// Reads with bounds checks; every error names the absolute file offset.
class Reader {
public:
  Reader(ArrayRef<uint8_t> file, uint64_t begin, uint64_t end)
      : file(file), pos(begin), end(end) {}
  Error fail(const Twine &msg) const {
    return createStringError(formatv("offset {0}: ", pos).str() + msg.str());
  }
  Error need(uint64_t n, StringRef what) {
    if (n > end - pos)
      return fail("truncated " + what + " (needs " + Twine(n) +
                  " bytes, the section has " + Twine(end - pos) + " left)");
    return Error::success();
  }
  template <typename T> Error get(T &v, StringRef what) {
    if (Error e = need(sizeof(T), what))
      return e;
    std::memcpy(&v, file.data() + pos, sizeof(T));
    pos += sizeof(T);
    return Error::success();
  }
  Error str(std::string &s, StringRef what) {
    uint32_t n;
    if (Error e = get(n, what))
      return e;
    if (n > kMaxStringLength)
      return fail(what + " length " + Twine(n) + " is over " +
                  Twine(kMaxStringLength));
    if (Error e = need(n, what))
      return e;
    s.assign(reinterpret_cast<const char *>(file.data() + pos), n);
    pos += n;
    return Error::success();
  }
  bool atEnd() const { return pos == end; }
  ArrayRef<uint8_t> file;
  uint64_t pos, end;
};
} // namespace

Error writeBinary(const Program &p, raw_ostream &os) {
  // The code first: its offset (160) does not depend on the rest.
  std::vector<std::pair<uint32_t, std::string>> sections;
  {
    std::string code(p.code.size() * kInstrBytes, '\0');
    for (size_t i = 0; i < p.code.size(); ++i)
      if (Error e = encode(p.code[i], reinterpret_cast<uint8_t *>(
                                          code.data() + i * kInstrBytes)))
        return createStringError("instruction " + Twine(i) + ": " +
                                 toString(std::move(e)));
    sections.emplace_back(SecCode, std::move(code));
  }
  {
    std::string text;
    raw_string_ostream s(text);
    printConfig(p.config, s);
    sections.emplace_back(SecConfig, text);
  }
  {
    Writer w;
    for (const Segment &s : p.data) {
      w.u64(s.addr);
      w.u64(s.bytes.size());
      w.raw(s.bytes.data(), s.bytes.size());
    }
    sections.emplace_back(SecData, std::move(w.buf));
  }
  {
    Writer w;
    for (const IoDesc &d : p.io) {
      w.u32(d.isOutput);
      w.str(d.name);
      w.u32(static_cast<uint32_t>(d.shape.size()));
      for (int64_t s : d.shape)
        w.u64(static_cast<uint64_t>(s));
      w.u64(d.addr);
      w.f64(d.scale);
      w.i32(d.zeroPoint);
      w.i32(d.storageMin);
      w.i32(d.storageMax);
      w.u32(static_cast<uint32_t>(d.rounding));
    }
    sections.emplace_back(SecIo, std::move(w.buf));
  }
  {
    Writer w;
    for (const LayerMark &l : p.layers) {
      w.u32(l.firstInstr);
      w.str(l.name);
    }
    sections.emplace_back(SecLayers, std::move(w.buf));
  }
  {
    Writer w;
    w.u64(p.dramBytes);
    sections.emplace_back(SecDram, std::move(w.buf));
  }
  Writer head;
  head.raw(kMagic, 8);
  head.u32(kVersion);
  head.u32(static_cast<uint32_t>(sections.size()));
  uint64_t offset = 16 + 24 * sections.size();
  for (auto &[kind, bytes] : sections) {
    head.u32(kind);
    head.u32(0);
    head.u64(offset);
    head.u64(bytes.size());
    offset += bytes.size();
  }
  os << head.buf;
  for (auto &sec : sections)
    os << sec.second;
  return Error::success();
}

Expected<Program> readBinary(ArrayRef<uint8_t> bytes) {
  Reader head(bytes, 0, bytes.size());
  if (bytes.size() < 16 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    return createStringError("offset 0: not a cgisa binary (no CGISABIN "
                             "magic)");
  head.pos = 8;
  uint32_t version, count;
  if (Error e = head.get(version, "header"))
    return std::move(e);
  if (version != kVersion)
    return createStringError("offset 8: unsupported version " +
                             Twine(version) + " (this build reads " +
                             Twine(kVersion) + ")");
  if (Error e = head.get(count, "header"))
    return std::move(e);
  if (count > 64)
    return createStringError("offset 12: " + Twine(count) +
                             " sections is implausible (at most 64)");
  Program p;
  bool seen[7] = {};
  for (uint32_t s = 0; s < count; ++s) {
    uint64_t entry = head.pos;
    uint32_t kind, zero;
    uint64_t off, size;
    if (Error e = head.get(kind, "section table"))
      return std::move(e);
    if (Error e = head.get(zero, "section table"))
      return std::move(e);
    if (Error e = head.get(off, "section table"))
      return std::move(e);
    if (Error e = head.get(size, "section table"))
      return std::move(e);
    if (kind < SecConfig || kind > SecDram)
      return createStringError(
          formatv("offset {0}: unknown section kind {1}", entry, kind).str());
    if (seen[kind])
      return createStringError(
          formatv("offset {0}: section kind {1} appears twice", entry, kind)
              .str());
    seen[kind] = true;
    if (off > bytes.size() || size > bytes.size() - off)
      return createStringError(
          formatv("offset {0}: section {1} [{2}, {3}) runs past the end of "
                  "the file ({4} bytes)",
                  entry, kind, off, off + size, bytes.size())
              .str());
    Reader r(bytes, off, off + size);
    switch (kind) {
    case SecConfig: {
      auto c = parseConfig(
          StringRef(reinterpret_cast<const char *>(bytes.data() + off), size),
          formatv("configuration section at offset {0}, line", off).str());
      if (!c)
        return c.takeError();
      p.config = *c;
      break;
    }
    case SecCode: {
      if (size % kInstrBytes)
        return createStringError(
            formatv("offset {0}: code section of {1} bytes is not a whole "
                    "number of {2}-byte instructions",
                    off, size, kInstrBytes)
                .str());
      for (uint64_t i = 0; i < size / kInstrBytes; ++i) {
        auto in = decode(bytes.data() + off + i * kInstrBytes,
                         off + i * kInstrBytes);
        if (!in)
          return in.takeError();
        p.code.push_back(*in);
      }
      break;
    }
    case SecData:
      while (!r.atEnd()) {
        Segment seg;
        uint64_t n;
        if (Error e = r.get(seg.addr, "data segment header"))
          return std::move(e);
        if (Error e = r.get(n, "data segment header"))
          return std::move(e);
        if (Error e = r.need(n, "data segment"))
          return std::move(e);
        seg.bytes.assign(bytes.data() + r.pos, bytes.data() + r.pos + n);
        r.pos += n;
        p.data.push_back(std::move(seg));
      }
      break;
    case SecIo:
      while (!r.atEnd()) {
        IoDesc d;
        uint32_t isOut, rank, rounding;
        if (Error e = r.get(isOut, "input/output record"))
          return std::move(e);
        if (isOut > 1)
          return r.fail("input/output kind " + Twine(isOut) +
                        " is neither 0 nor 1");
        d.isOutput = isOut;
        if (Error e = r.str(d.name, "input/output name"))
          return std::move(e);
        if (Error e = r.get(rank, "input/output record"))
          return std::move(e);
        if (rank == 0 || rank > kMaxRank)
          return r.fail("input/output rank " + Twine(rank) +
                        " is not in [1, 8]");
        for (uint32_t i = 0; i < rank; ++i) {
          uint64_t dim;
          if (Error e = r.get(dim, "input/output shape"))
            return std::move(e);
          if (dim == 0 || dim > (uint64_t(1) << 28))
            return r.fail("input/output dimension " + Twine(dim) +
                          " is out of range");
          d.shape.push_back(static_cast<int64_t>(dim));
        }
        if (d.numElements() > (int64_t(1) << 28))
          return r.fail("input/output '" + d.name + "' is too large");
        if (Error e = r.get(d.addr, "input/output record"))
          return std::move(e);
        if (Error e = r.get(d.scale, "input/output record"))
          return std::move(e);
        if (!(d.scale >= 0) || !std::isfinite(d.scale))
          return r.fail("input/output scale is not a finite number >= 0");
        if (Error e = r.get(d.zeroPoint, "input/output record"))
          return std::move(e);
        if (Error e = r.get(d.storageMin, "input/output record"))
          return std::move(e);
        if (Error e = r.get(d.storageMax, "input/output record"))
          return std::move(e);
        if (d.storageMin > d.storageMax || d.storageMin < -128 ||
            d.storageMax > 127)
          return r.fail("input/output storage range [" +
                        Twine(d.storageMin) + ", " + Twine(d.storageMax) +
                        "] is not within int8");
        if (Error e = r.get(rounding, "input/output record"))
          return std::move(e);
        if (rounding > 2)
          return r.fail("input/output rounding " + Twine(rounding) +
                        " is not 0, 1 or 2");
        d.rounding = static_cast<Rounding>(rounding);
        p.io.push_back(std::move(d));
      }
      break;
    case SecLayers:
      while (!r.atEnd()) {
        LayerMark l;
        if (Error e = r.get(l.firstInstr, "layer record"))
          return std::move(e);
        if (Error e = r.str(l.name, "layer name"))
          return std::move(e);
        p.layers.push_back(std::move(l));
      }
      break;
    case SecDram:
      if (Error e = r.get(p.dramBytes, "DRAM size"))
        return std::move(e);
      if (p.dramBytes > (uint64_t(1) << 32))
        return createStringError(
            formatv("offset {0}: DRAM size {1} is over 4 GiB", off,
                    p.dramBytes)
                .str());
      if (!r.atEnd())
        return r.fail("extra bytes after the DRAM size");
      break;
    }
  }
  if (!seen[SecCode] || !seen[SecDram])
    return createStringError("offset 12: the section table has no " +
                             Twine(!seen[SecCode] ? "code" : "DRAM size") +
                             " section");
  return p;
}

} // namespace cgnet::isa
