//===- Npy.cpp - reading and writing NumPy .npy files ---------------------===//
//
// Format: magic "\x93NUMPY", major/minor version, header length (2 bytes in
// v1, 4 in v2/v3), a Python dict literal with 'descr', 'fortran_order' and
// 'shape', padded so the data starts on a 16-byte boundary.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Reference/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <cstring>

using namespace llvm;

namespace cgnet::ref {

static Error npyError(StringRef path, const Twine &msg) {
  return createStringError(inconvertibleErrorCode(),
                           path + ": " + msg);
}

/// The value of key `key` in the header dict, up to the next top-level comma
/// or closing brace.
static std::optional<StringRef> headerField(StringRef header, StringRef key) {
  size_t pos = header.find(("'" + key + "'").str());
  if (pos == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(pos + key.size() + 2).ltrim();
  if (!rest.consume_front(":"))
    return std::nullopt;
  rest = rest.ltrim();
  if (rest.starts_with("(")) {
    size_t end = rest.find(')');
    return end == StringRef::npos ? std::nullopt
                                  : std::optional(rest.take_front(end + 1));
  }
  size_t end = rest.find_first_of(",}");
  return rest.take_front(end).trim();
}

Expected<Tensor> readNpy(StringRef path) {
  auto bufOr = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!bufOr)
    return npyError(path, "cannot open: " + bufOr.getError().message());
  return parseNpy((*bufOr)->getBuffer(), path);
}

Expected<Tensor> parseNpy(StringRef data, StringRef path) {
  if (data.size() < 10 || !data.starts_with("\x93NUMPY"))
    return npyError(path, "not a .npy file (bad magic)");
  unsigned major = static_cast<unsigned char>(data[6]);
  size_t headerLen, offset;
  if (major == 1) {
    headerLen = static_cast<unsigned char>(data[8]) |
                (static_cast<unsigned char>(data[9]) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (data.size() < 12)
      return npyError(path, "truncated header");
    headerLen = 0;
    for (int b = 0; b < 4; ++b)
      headerLen |= size_t(static_cast<unsigned char>(data[8 + b])) << (8 * b);
    offset = 12;
  } else {
    return npyError(path, "unsupported .npy version " + Twine(major));
  }
  if (data.size() < offset + headerLen)
    return npyError(path, "truncated header");
  StringRef header = data.substr(offset, headerLen);
  auto descr = headerField(header, "descr");
  auto fortran = headerField(header, "fortran_order");
  auto shapeText = headerField(header, "shape");
  if (!descr || !fortran || !shapeText)
    return npyError(path, "malformed header: " + header.trim());
  if (*fortran != "False")
    return npyError(path, "Fortran-order arrays are not supported");
  StringRef d = descr->trim("'\"");
  Tensor t;
  StringRef dims = shapeText->trim("()");
  SmallVector<StringRef> parts;
  dims.split(parts, ',', -1, /*KeepEmpty=*/false);
  for (StringRef p : parts) {
    p = p.trim();
    if (p.empty())
      continue;
    int64_t v;
    if (p.getAsInteger(10, v) || v < 0)
      return npyError(path, "bad shape " + *shapeText);
    t.shape.push_back(v);
  }
  // The element count, without overflowing on absurd shapes (the data
  // size check below then rejects them).
  size_t n = 1;
  for (int64_t dim : t.shape) {
    if (dim != 0 && n > (size_t(1) << 48) / size_t(dim))
      return npyError(path, "shape " + *shapeText + " is too large");
    n *= size_t(dim);
  }
  struct Kind {
    StringRef name;
    size_t size;
    bool isFloat, isSigned;
  };
  static const Kind kinds[] = {
      {"<f4", 4, true, true},  {"<f8", 8, true, true},  {"|i1", 1, false, true},
      {"|u1", 1, false, false}, {"<i2", 2, false, true}, {"<u2", 2, false, false},
      {"<i4", 4, false, true}, {"<i8", 8, false, true},  {"|b1", 1, false, false}};
  const Kind *kind = nullptr;
  for (const Kind &k : kinds)
    if (d == k.name)
      kind = &k;
  if (!kind)
    return npyError(path, "unsupported dtype '" + d +
                              "' (expected <f4, <f8, |i1, |u1, <i2, <u2, "
                              "<i4 or <i8)");
  const char *raw = data.data() + offset + headerLen;
  size_t avail = data.size() - offset - headerLen;
  if (avail < n * kind->size)
    return npyError(path, "truncated data: expected " +
                              Twine(n * kind->size) + " bytes, found " +
                              Twine(avail));
  t.isFloat = kind->isFloat;
  if (t.isFloat) {
    t.f.resize(n);
    for (size_t e = 0; e < n; ++e) {
      if (kind->size == 4) {
        std::memcpy(&t.f[e], raw + 4 * e, 4);
      } else {
        double v;
        std::memcpy(&v, raw + 8 * e, 8);
        t.f[e] = static_cast<float>(v);
      }
    }
    return t;
  }
  t.i.resize(n);
  for (size_t e = 0; e < n; ++e) {
    uint64_t u = 0;
    std::memcpy(&u, raw + kind->size * e, kind->size);
    int64_t v = static_cast<int64_t>(u);
    unsigned bits = 8 * kind->size;
    if (kind->isSigned && bits < 64 && ((u >> (bits - 1)) & 1))
      v = static_cast<int64_t>(u | (~uint64_t(0) << bits));
    if (v < INT32_MIN || v > INT32_MAX)
      return npyError(path, "element " + Twine(e) + " (" + Twine(v) +
                                ") does not fit in 32 bits");
    t.i[e] = static_cast<int32_t>(v);
  }
  return t;
}

Error writeNpy(StringRef path, const Tensor &t, NpyDType dtype) {
  StringRef descr;
  size_t size;
  int64_t lo = INT32_MIN, hi = INT32_MAX;
  switch (dtype) {
  case NpyDType::F32:
    descr = "<f4";
    size = 4;
    break;
  case NpyDType::I8:
    descr = "|i1", size = 1, lo = -128, hi = 127;
    break;
  case NpyDType::U8:
    descr = "|u1", size = 1, lo = 0, hi = 255;
    break;
  case NpyDType::I32:
    descr = "<i4", size = 4;
    break;
  }
  if ((dtype == NpyDType::F32) != t.isFloat)
    return npyError(path, "element kind does not match the .npy dtype");
  std::string shape = "(";
  for (int64_t d : t.shape)
    shape += std::to_string(d) + ", ";
  if (t.shape.size() > 1)
    shape.resize(shape.size() - 2);
  else if (t.shape.size() == 1)
    shape.resize(shape.size() - 1);
  shape += ")";
  std::string header = "{'descr': '" + descr.str() +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  size_t total = 10 + header.size() + 1;
  header.append((16 - total % 16) % 16, ' ');
  header += '\n';

  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return npyError(path, "cannot write: " + ec.message());
  os << "\x93NUMPY" << char(1) << char(0) << char(header.size() & 0xff)
     << char((header.size() >> 8) & 0xff) << header;
  if (t.isFloat) {
    os.write(reinterpret_cast<const char *>(t.f.data()), 4 * t.f.size());
  } else {
    for (size_t e = 0; e < t.i.size(); ++e) {
      int64_t v = t.i[e];
      if (v < lo || v > hi)
        return npyError(path, "element " + Twine(e) + " (" + Twine(v) +
                                  ") does not fit in " + descr);
      uint32_t u = static_cast<uint32_t>(v);
      os.write(reinterpret_cast<const char *>(&u), size);
    }
  }
  return Error::success();
}

} // namespace cgnet::ref
