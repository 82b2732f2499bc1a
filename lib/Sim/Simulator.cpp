//===- Simulator.cpp - cycle-level simulator of cgisa programs ------------===//

#include "cgnet/Sim/Simulator.h"
#include "cgnet/Reference/IntegerArith.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <cmath>
#include <cstring>
#include <deque>
#include <optional>

using namespace llvm;
using namespace cgnet::isa;

namespace cgnet::sim {

double Report::utilization() const {
  double cap = double(config.rows) * config.cols * cycles;
  return cap > 0 ? macs / cap : 0;
}
double Report::convUtilization() const {
  double cap = double(config.rows) * config.cols * arrayCycles;
  return cap > 0 ? macs / cap : 0;
}
uint64_t Report::rooflineCycles(const LayerStats &layer) const {
  double compute = double(layer.macs) / (double(config.rows) * config.cols);
  double dram = config.dramBytesPerCycle > 0
                    ? layer.dramBytes / config.dramBytesPerCycle
                    : 0;
  return uint64_t(std::ceil(std::max(compute, dram)));
}
uint64_t Report::rooflineCycles() const {
  uint64_t total = 0;
  for (const LayerStats &l : layers)
    total += rooflineCycles(l);
  return total;
}
double Report::energySramPJ() const {
  uint64_t bytes = 0;
  for (unsigned b = 0; b < kNumBuffers; ++b)
    bytes += sramRead[b] + sramWritten[b];
  return bytes * config.sramPJPerByte;
}

namespace {

/// Token channels between neighbouring queues.
enum Channel { LdToCmp, CmpToLd, CmpToSt, StToCmp, kNumChannels };

struct Geometry {
  int64_t inH = 0, inW = 0, inC = 0, outW = 0, kh = 0, kw = 0, sh = 0, sw = 0,
          dh = 0, dw = 0, padT = 0, padL = 0, wC = 0, ocPerGroup = 0;
};

class Machine {
public:
  Machine(const Program &p, Report &r, const RunOptions &o)
      : prog(p), cfg(p.config), report(r), opts(o) {}
  Error run(ArrayRef<ref::Tensor> inputs, std::vector<ref::Tensor> &outputs);

private:
  Error fail(size_t i, const Twine &msg) const {
    return createStringError(formatv("instruction {0} ({1}): ", i,
                                     prog.code[i].desc().mnemonic)
                                 .str() +
                             msg.str());
  }
  /// Checks that [addr, addr + bytes) lies in buffer `b` and, with `count`,
  /// adds the bytes to the buffer's traffic.
  Error checkBuffer(size_t i, Buffer b, int64_t addr, int64_t bytes,
                    bool write, bool count = true);
  Error checkDram(size_t i, int64_t addr, int64_t rows, int64_t rowBytes,
                  int64_t stride);
  /// Executes instruction `i`; sets `cycles` to its duration.
  Error execute(size_t i, uint64_t &cycles);
  Error dmaLoad(size_t i, const Instr &in, uint64_t &cycles);
  Error dmaStore(size_t i, const Instr &in, uint64_t &cycles);
  Error conv(size_t i, const Instr &in, uint64_t &cycles);
  Error gate(size_t i, const Instr &in, uint64_t &cycles);
  Error compact(size_t i, const Instr &in, uint64_t &cycles);
  Error post(size_t i, const Instr &in, uint64_t &cycles);
  Error pool(size_t i, const Instr &in, uint64_t &cycles);
  Error ewise(size_t i, const Instr &in, uint64_t &cycles);

  int32_t param(int64_t addr, int64_t k) const {
    int32_t v;
    std::memcpy(&v, buf[unsigned(Buffer::Param)].data() + addr + 4 * k, 4);
    return v;
  }
  std::vector<uint8_t> &buffer(Buffer b) { return buf[unsigned(b)]; }
  int8_t *i8(Buffer b, int64_t addr) {
    return reinterpret_cast<int8_t *>(buffer(b).data() + addr);
  }
  int32_t *i32(Buffer b, int64_t addr) {
    return reinterpret_cast<int32_t *>(buffer(b).data() + addr);
  }
  uint64_t passes(int64_t pixels, int64_t channels) const {
    return uint64_t((pixels + cfg.rows - 1) / cfg.rows) *
           uint64_t((channels + cfg.cols - 1) / cfg.cols);
  }
  uint64_t vectorCycles(uint64_t elements) const {
    return std::max<uint64_t>(1, (elements + cfg.lanes() - 1) / cfg.lanes());
  }
  uint64_t dmaCycles(uint64_t bytes) const {
    return cfg.dramLatency +
           uint64_t(std::ceil(double(bytes) / cfg.dramBytesPerCycle));
  }
  LayerStats *layerOf(size_t i);

  const Program &prog;
  const AccelConfig &cfg;
  Report &report;
  const RunOptions &opts;
  std::vector<uint8_t> dram;
  std::vector<uint8_t> buf[kNumBuffers];
  /// The geometry registers of the array (conv) and of the vector unit
  /// (pool), set by `cfg`.
  std::optional<Geometry> geo[2];
  /// The active-list registers set by COMPACT: per-channel lists or one
  /// list, and their lengths.
  bool haveLists = false, perChannel = false;
  std::vector<int64_t> listLength;
  std::vector<size_t> layerIndex; ///< instruction -> report.layers index
  uint64_t curMacs = 0, curGateOut = 0, curGateOn = 0, curDram = 0;
};

} // namespace

Error Machine::checkBuffer(size_t i, Buffer b, int64_t addr, int64_t bytes,
                           bool write, bool count) {
  int64_t size = cfg.bufferBytes(b);
  if (addr < 0 || bytes < 0 || addr > size || bytes > size - addr)
    return fail(i, formatv("{0} {1} bytes [{2}, {3}), beyond the buffer's {4} "
                           "bytes",
                           write ? "writes" : "reads", bufferName(b), addr,
                           addr + bytes, size));
  if ((b == Buffer::Acc || b == Buffer::Idx) && addr % 4)
    return fail(i, formatv("{0} address {1} is not 4-byte aligned",
                           bufferName(b), addr));
  if (count)
    (write ? report.sramWritten : report.sramRead)[unsigned(b)] += bytes;
  return Error::success();
}

Error Machine::checkDram(size_t i, int64_t addr, int64_t rows,
                         int64_t rowBytes, int64_t stride) {
  if (rows == 0 || rowBytes == 0)
    return Error::success();
  uint64_t last = uint64_t(addr) + uint64_t(rows - 1) * uint64_t(stride) +
                  uint64_t(rowBytes);
  if (last > dram.size())
    return fail(i, formatv("DRAM bytes up to {0} are beyond the {1}-byte DRAM",
                           last, dram.size()));
  if (rows > 1 && stride < rowBytes)
    return fail(i, formatv("DRAM stride {0} is less than the row size {1}",
                           stride, rowBytes));
  return Error::success();
}

Error Machine::dmaLoad(size_t i, const Instr &in, uint64_t &cycles) {
  int64_t b = in[DmaLoad::buf];
  if (b > 2)
    return fail(i, "buf " + Twine(b) + " is not INP (0), WGT (1) or PARAM (2)");
  Buffer dst = static_cast<Buffer>(b);
  int64_t y = in[DmaLoad::y_size], x = in[DmaLoad::x_size],
          stride = in[DmaLoad::dram_stride], elem = in[DmaLoad::elem];
  int64_t padL = in[DmaLoad::pad_left] * elem,
          padR = in[DmaLoad::pad_right] * elem;
  int64_t pitch = padL + x + padR;
  int64_t rowsOut = in[DmaLoad::pad_top] + y + in[DmaLoad::pad_bottom];
  if (Error e = checkDram(i, in[DmaLoad::dram], y, x, stride))
    return e;
  if (Error e = checkBuffer(i, dst, in[DmaLoad::sram], rowsOut * pitch, true))
    return e;
  uint8_t *out = buffer(dst).data() + in[DmaLoad::sram];
  std::memset(out, 0, in[DmaLoad::pad_top] * pitch);
  out += in[DmaLoad::pad_top] * pitch;
  for (int64_t r = 0; r < y; ++r, out += pitch) {
    std::memset(out, 0, padL);
    std::memcpy(out + padL, dram.data() + in[DmaLoad::dram] + r * stride, x);
    std::memset(out + padL + x, 0, padR);
  }
  std::memset(out, 0, in[DmaLoad::pad_bottom] * pitch);
  uint64_t bytes = uint64_t(y) * x;
  report.dramRead += bytes;
  curDram += bytes;
  cycles = dmaCycles(bytes);
  return Error::success();
}

Error Machine::dmaStore(size_t i, const Instr &in, uint64_t &cycles) {
  int64_t y = in[DmaStore::y_size], x = in[DmaStore::x_size],
          stride = in[DmaStore::dram_stride];
  if (Error e = checkDram(i, in[DmaStore::dram], y, x, stride))
    return e;
  if (Error e = checkBuffer(i, Buffer::Out, in[DmaStore::sram], y * x, false))
    return e;
  const uint8_t *src = buffer(Buffer::Out).data() + in[DmaStore::sram];
  for (int64_t r = 0; r < y; ++r)
    std::memcpy(dram.data() + in[DmaStore::dram] + r * stride, src + r * x, x);
  uint64_t bytes = uint64_t(y) * x;
  report.dramWritten += bytes;
  curDram += bytes;
  cycles = dmaCycles(bytes);
  return Error::success();
}

/// The activation operand of a conv pass (Conv::mode): as stored, its high
/// part `sign(q) * ((|q| >> lb) << lb)` or its low part `q - high`.
static inline int32_t operand(int32_t q, int64_t mode, int64_t lowBits) {
  if (mode == 0)
    return q;
  int64_t hb, lb;
  ref::splitHighLow(q, lowBits, hb, lb);
  return mode == 1 ? static_cast<int32_t>(hb * (int64_t(1) << lowBits))
                   : static_cast<int32_t>(lb);
}

static inline int32_t dot(const int8_t *x, const int8_t *w, int64_t n) {
  int32_t s = 0;
  for (int64_t c = 0; c < n; ++c)
    s += int32_t(x[c]) * int32_t(w[c]);
  return s;
}

Error Machine::conv(size_t i, const Instr &in, uint64_t &cycles) {
  if (!geo[0])
    return fail(i, "no 'cfg' instruction has set the array's layer geometry");
  const Geometry &g = *geo[0];
  if (g.kh == 0 || g.kw == 0 || g.sh == 0 || g.sw == 0 || g.dh == 0 ||
      g.dw == 0 || g.outW == 0 || g.wC == 0)
    return fail(i, "the layer geometry has a zero kernel, stride, dilation, "
                   "output width or weight channel count");
  int64_t rows = in[Conv::rows], oc = in[Conv::oc_count],
          lo = in[Conv::ch_lo], hi = in[Conv::ch_hi], mode = in[Conv::mode],
          lowBits = in[Conv::low_bits];
  bool gated = in[Conv::gated], exclude = in[Conv::exclude];
  if (lo > hi || hi > g.wC)
    return fail(i, formatv("channel range [{0}, {1}) is not within the {2} "
                           "weight channels",
                           lo, hi, g.wC));
  if (mode > 2)
    return fail(i, "mode " + Twine(mode) + " is not 0, 1 or 2");
  if (mode != 0 && (lowBits == 0 || lowBits > 7))
    return fail(i, "low_bits must be in [1, 7] for modes 1 and 2");
  int64_t groups = g.ocPerGroup ? 1 : 0;
  int64_t ocEnd = in[Conv::oc_base] + oc;
  int64_t maxGroup = groups ? (ocEnd - 1) / g.ocPerGroup : 0;
  if (oc > 0 && (maxGroup + 1) * g.wC > g.inC)
    return fail(i, formatv("output channels up to {0} read input channels up "
                           "to {1}, beyond the tile's {2}",
                           ocEnd, (maxGroup + 1) * g.wC, g.inC));
  if ((g.outW - 1) * g.sw + (g.kw - 1) * g.dw + 1 > g.inW)
    return fail(i, "the output width needs a wider input tile than in_w");
  int64_t pixels = rows * g.outW;
  int64_t inRows = rows ? (rows - 1) * g.sh + (g.kh - 1) * g.dh + 1 : 0;
  int64_t kSize = g.kh * g.kw * g.wC;
  if (Error e = checkBuffer(i, Buffer::Inp, in[Conv::inp],
                            inRows * g.inW * g.inC, false, false))
    return e;
  if (Error e = checkBuffer(i, Buffer::Wgt, in[Conv::wgt], oc * kSize, false,
                            false))
    return e;
  if (Error e = checkBuffer(i, Buffer::Acc, in[Conv::acc], pixels * oc * 4,
                            true))
    return e;
  if (in[Conv::bias])
    if (Error e = checkBuffer(i, Buffer::Param, in[Conv::param], oc * 4, false))
      return e;
  int64_t nch = exclude ? g.wC - (hi - lo) : hi - lo;
  const int8_t *inp = i8(Buffer::Inp, in[Conv::inp]);
  const int8_t *wgt = i8(Buffer::Wgt, in[Conv::wgt]);
  int32_t *acc = i32(Buffer::Acc, in[Conv::acc]);
  // [lo, hi), or [0, lo) and [hi, wC).
  int64_t r0 = exclude ? 0 : lo, r0e = exclude ? lo : hi;
  int64_t r1 = exclude ? hi : 0, r1e = exclude ? g.wC : 0;
  uint64_t macs = 0;
  auto compute = [&](int64_t p, int64_t j) {
    int64_t oy = p / g.outW, ox = p % g.outW;
    int64_t o = in[Conv::oc_base] + j;
    int64_t cbase = groups ? (o / g.ocPerGroup) * g.wC : 0;
    uint32_t sum = 0;
    for (int64_t ky = 0; ky < g.kh; ++ky)
      for (int64_t kx = 0; kx < g.kw; ++kx) {
        const int8_t *x =
            inp +
            ((oy * g.sh + ky * g.dh) * g.inW + ox * g.sw + kx * g.dw) * g.inC +
            cbase;
        const int8_t *w = wgt + ((j * g.kh + ky) * g.kw + kx) * g.wC;
        if (mode == 0) {
          sum += uint32_t(dot(x + r0, w + r0, r0e - r0));
          sum += uint32_t(dot(x + r1, w + r1, r1e - r1));
        } else {
          for (int64_t c = 0; c < g.wC; ++c)
            if ((c >= r0 && c < r0e) || (c >= r1 && c < r1e))
              sum += uint32_t(operand(x[c], mode, lowBits) * int32_t(w[c]));
        }
      }
    macs += nch * g.kh * g.kw;
    int32_t &dst = acc[p * oc + j];
    if (gated || !in[Conv::init])
      dst = static_cast<int32_t>(uint32_t(dst) + sum);
    else
      dst = static_cast<int32_t>(
          (in[Conv::bias] ? uint32_t(param(in[Conv::param], j)) : 0u) + sum);
  };
  if (opts.macBudget) {
    uint64_t most = uint64_t(pixels) * uint64_t(oc) * uint64_t(nch) *
                    uint64_t(g.kh * g.kw);
    if (report.macs + most > opts.macBudget)
      return fail(i, formatv("would exceed the budget of {0} MACs",
                             opts.macBudget));
  }
  // Array passes: rows of the array take `rowsNeeded` pixels per column;
  // `rowPasses` counts the passes (row blocks x column blocks).
  int64_t rowsNeeded = pixels, chunks = 0;
  uint64_t rowPasses = passes(pixels, oc);
  uint64_t inputReads = 0;
  uint64_t k = uint64_t(nch) * g.kh * g.kw;
  // Cycles of one pass's reduction (a gated pass may split it).
  uint64_t passK = k;
  if (!gated) {
    for (int64_t p = 0; p < pixels; ++p)
      for (int64_t j = 0; j < oc; ++j)
        compute(p, j);
    inputReads = uint64_t(pixels) * k * ((oc + cfg.cols - 1) / cfg.cols);
  } else {
    if (!haveLists)
      return fail(i, "gated, but no 'compact' has built active lists");
    if (int64_t(listLength.size()) != (perChannel ? oc : 1))
      return fail(i, formatv("gated over {0} channels, but the last 'compact' "
                             "built lists for {1}",
                             oc, perChannel ? listLength.size() : 0));
    if (Error e = checkBuffer(i, Buffer::Bmp, in[Conv::bmp], pixels * oc, false))
      return e;
    const uint8_t *bmp = buffer(Buffer::Bmp).data() + in[Conv::bmp];
    int64_t stride = perChannel ? pixels : 0;
    if (Error e = checkBuffer(i, Buffer::Idx, in[Conv::idx],
                              4 * (perChannel ? oc * pixels : listLength[0]),
                              false))
      return e;
    const uint32_t *lists = reinterpret_cast<const uint32_t *>(
        buffer(Buffer::Idx).data() + in[Conv::idx]);
    rowsNeeded = 0;
    rowPasses = 0;
    for (int64_t j = 0; j < oc; ++j) {
      int64_t n = listLength[perChannel ? j : 0];
      const uint32_t *list = lists + j * stride;
      for (int64_t a = 0; a < n; ++a) {
        int64_t p = list[a];
        if (p >= pixels)
          return fail(i, formatv("active list entry {0} is pixel {1}, outside "
                                 "the tile's {2}",
                                 a, p, pixels));
        if (bmp[p * oc + j])
          compute(p, j);
      }
      rowsNeeded = std::max(rowsNeeded, n);
      // Per-channel lists: every column (every row group of a column)
      // gathers its own inputs and takes the next chunk of rows /
      // row_groups pixels of any channel's list.
      if (perChannel) {
        int64_t chunkRows = cfg.rows / cfg.groups();
        inputReads += uint64_t(n) * k;
        chunks += (n + chunkRows - 1) / chunkRows;
      }
    }
    if (perChannel) {
      // Slots the chunks leave idle split each chunk's reduction.
      AccelConfig::GatedPass gp = cfg.gatedPass(double(chunks), int64_t(k));
      rowPasses = uint64_t(gp.passes);
      passK = uint64_t(gp.cyclesPerPass);
    } else {
      inputReads = uint64_t(rowsNeeded) * k * ((oc + cfg.cols - 1) / cfg.cols);
      rowPasses = passes(rowsNeeded, oc);
    }
  }
  int64_t opBits = in[Conv::op_bits] ? in[Conv::op_bits] : 8;
  int64_t slices = (opBits + cfg.sliceBits - 1) / cfg.sliceBits;
  cycles = rowPasses ? rowPasses * passK * slices +
                          (cfg.fillPerPass ? rowPasses : 1) * cfg.fill()
                    : 1;
  report.macs += macs;
  curMacs += macs;
  report.arrayCycles += cycles;
  // Systolic reuse: each weight is read once per row pass, each input once
  // per column pass.
  report.sramRead[unsigned(Buffer::Wgt)] +=
      uint64_t(oc) * k * ((rowsNeeded + cfg.rows - 1) / cfg.rows);
  report.sramRead[unsigned(Buffer::Inp)] += inputReads;
  return Error::success();
}

Error Machine::gate(size_t i, const Instr &in, uint64_t &cycles) {
  int64_t pixels = in[Gate::pixels], oc = in[Gate::oc_count];
  if (Error e = checkBuffer(i, Buffer::Acc, in[Gate::acc], pixels * oc * 4,
                            false))
    return e;
  if (Error e = checkBuffer(i, Buffer::Param, in[Gate::param], oc * 4, false))
    return e;
  if (Error e = checkBuffer(i, Buffer::Bmp, in[Gate::bmp], pixels * oc, true))
    return e;
  const int32_t *acc = i32(Buffer::Acc, in[Gate::acc]);
  uint8_t *bmp = buffer(Buffer::Bmp).data() + in[Gate::bmp];
  uint64_t on = 0;
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t j = 0; j < oc; ++j) {
      bool d = acc[p * oc + j] >= param(in[Gate::param], j);
      bmp[p * oc + j] = d;
      on += d;
    }
  report.gateOutputs += pixels * oc;
  report.gateOn += on;
  curGateOut += pixels * oc;
  curGateOn += on;
  cycles = std::max<uint64_t>(1, passes(pixels, oc));
  return Error::success();
}

Error Machine::compact(size_t i, const Instr &in, uint64_t &cycles) {
  int64_t pixels = in[Compact::pixels], oc = in[Compact::oc_count];
  bool byChannel = in[Compact::per_channel];
  if (Error e = checkBuffer(i, Buffer::Bmp, in[Compact::bmp], pixels * oc,
                            false))
    return e;
  const uint8_t *bmp = buffer(Buffer::Bmp).data() + in[Compact::bmp];
  std::vector<uint32_t> entries;
  listLength.assign(byChannel ? oc : 1, 0);
  if (byChannel) {
    // Column j's list at idx + 4 * j * pixels.
    entries.assign(oc * pixels, 0);
    for (int64_t j = 0; j < oc; ++j)
      for (int64_t p = 0; p < pixels; ++p)
        if (bmp[p * oc + j])
          entries[j * pixels + listLength[j]++] = static_cast<uint32_t>(p);
  } else {
    for (int64_t p = 0; p < pixels; ++p)
      if (std::any_of(bmp + p * oc, bmp + (p + 1) * oc,
                      [](uint8_t b) { return b != 0; }))
        entries.push_back(static_cast<uint32_t>(p));
    listLength[0] = static_cast<int64_t>(entries.size());
  }
  if (Error e = checkBuffer(i, Buffer::Idx, in[Compact::idx],
                            int64_t(entries.size()) * 4, true))
    return e;
  if (!entries.empty())
    std::memcpy(buffer(Buffer::Idx).data() + in[Compact::idx], entries.data(),
                entries.size() * 4);
  haveLists = true;
  perChannel = byChannel;
  // The bitmap is scanned R pixels (one array row each) per cycle.
  cycles = std::max<int64_t>(1, (pixels + cfg.rows - 1) / cfg.rows) *
           std::max<int64_t>(1, (oc + cfg.cols - 1) / cfg.cols);
  return Error::success();
}

Error Machine::post(size_t i, const Instr &in, uint64_t &cycles) {
  int64_t pixels = in[Post::pixels], oc = in[Post::oc_count];
  if (Error e = checkBuffer(i, Buffer::Acc, in[Post::acc], pixels * oc * 4,
                            false))
    return e;
  if (Error e = checkBuffer(i, Buffer::Param, in[Post::param], oc * 8, false))
    return e;
  if (Error e = checkBuffer(i, Buffer::Out, in[Post::out], pixels * oc, true))
    return e;
  int64_t lo = in[Post::clamp_lo], hi = in[Post::clamp_hi];
  if (lo > hi || lo < -128 || hi > 127)
    return fail(i, formatv("clamp [{0}, {1}] is not an int8 range", lo, hi));
  std::vector<int32_t> mult(oc), shift(oc);
  for (int64_t j = 0; j < oc; ++j) {
    mult[j] = param(in[Post::param], j);
    shift[j] = param(in[Post::param], oc + j);
    if (shift[j] < 0 || shift[j] > 62)
      return fail(i, formatv("channel {0}: shift {1} is not in [0, 62]", j,
                             shift[j]));
  }
  // The residual stage's words (docs/isa.md): for each operand a
  // multiplier, a shift, a rounding flag and its clamp, then the clamp of
  // the sum.
  struct Stage {
    int32_t mult, shift;
    bool up;
    int64_t lo, hi;
    int64_t apply(int64_t v) const {
      int64_t r = up ? ref::scaleHalfUp(v, mult, shift)
                     : ref::scaleHalfAwayFromZero(v, mult, shift);
      return ref::saturate(r, lo, hi);
    }
  } sa{}, sb{};
  int64_t sumLo = -128, sumHi = 127;
  bool leaky = in[Post::leaky], residual = in[Post::residual];
  int64_t rp = in[Post::stage_param];
  int32_t leakyMult = 0, leakyShift = 0;
  if (leaky) {
    if (Error e = checkBuffer(i, Buffer::Param, rp, 2 * 4, false))
      return e;
    leakyMult = param(rp, 0);
    leakyShift = param(rp, 1);
    if (leakyShift < 0 || leakyShift > 62)
      return fail(i, formatv("leaky stage: shift {0} is not in [0, 62]",
                             leakyShift));
    rp += 2 * 4;
  }
  const int8_t *res = nullptr;
  if (residual) {
    if (Error e = checkBuffer(i, Buffer::Inp, in[Post::res], pixels * oc,
                              false))
      return e;
    if (Error e = checkBuffer(i, Buffer::Param, rp, 12 * 4, false))
      return e;
    for (auto [k, st] : {std::pair{0, &sa}, std::pair{5, &sb}}) {
      st->mult = param(rp, k);
      st->shift = param(rp, k + 1);
      st->up = param(rp, k + 2) != 0;
      st->lo = param(rp, k + 3);
      st->hi = param(rp, k + 4);
      if (st->shift < 0 || st->shift > 62)
        return fail(i, formatv("residual stage: shift {0} is not in [0, 62]",
                               st->shift));
      if (st->lo > st->hi || st->lo < -128 || st->hi > 127)
        return fail(i, formatv("residual stage: clamp [{0}, {1}] is not an "
                               "int8 range",
                               st->lo, st->hi));
    }
    sumLo = param(rp, 10);
    sumHi = param(rp, 11);
    if (sumLo > sumHi || sumLo < -128 || sumHi > 127)
      return fail(i, formatv("residual stage: clamp [{0}, {1}] is not an int8 "
                             "range",
                             sumLo, sumHi));
    res = i8(Buffer::Inp, in[Post::res]);
  }
  const int32_t *acc = i32(Buffer::Acc, in[Post::acc]);
  int8_t *out = i8(Buffer::Out, in[Post::out]);
  bool up = in[Post::round];
  for (int64_t p = 0; p < pixels; ++p)
    for (int64_t j = 0; j < oc; ++j) {
      int64_t v = acc[p * oc + j];
      int64_t r = up ? ref::scaleHalfUp(v, mult[j], shift[j])
                     : ref::scaleHalfAwayFromZero(v, mult[j], shift[j]);
      r += in[Post::out_zp];
      if (leaky) {
        r = ref::saturate(r, -128, 127);
        if (r < 0)
          r = ref::saturate(
              ref::scaleHalfAwayFromZero(r, leakyMult, leakyShift), -128, 127);
      }
      r = ref::saturate(r, lo, hi);
      if (residual)
        r = ref::saturate(sa.apply(r) + sb.apply(res[p * oc + j]), sumLo,
                          sumHi);
      out[p * oc + j] = static_cast<int8_t>(r);
    }
  // One pipelined pass: the residual stage adds latency, not cycles.
  cycles = vectorCycles(pixels * oc);
  return Error::success();
}

Error Machine::pool(size_t i, const Instr &in, uint64_t &cycles) {
  if (!geo[1])
    return fail(i, "no 'cfg' instruction has set the vector unit's layer "
                   "geometry");
  const Geometry &g = *geo[1];
  if (g.kh == 0 || g.kw == 0 || g.sh == 0 || g.sw == 0 || g.outW == 0)
    return fail(i, "the layer geometry has a zero kernel, stride or output "
                   "width");
  int64_t rows = in[Pool::rows], oy0 = in[Pool::oy0], row0 = in[Pool::row0];
  // Image rows the tile must hold.
  int64_t first = std::max<int64_t>(0, oy0 * g.sh - g.padT);
  int64_t last = std::min<int64_t>(g.inH - 1, (oy0 + rows - 1) * g.sh -
                                                  g.padT + g.kh - 1);
  if (rows && (first < row0))
    return fail(i, formatv("needs image row {0} but the tile starts at row {1}",
                           first, row0));
  int64_t tileRows = rows ? last - row0 + 1 : 0;
  if (Error e = checkBuffer(i, Buffer::Inp, in[Pool::inp],
                            std::max<int64_t>(0, tileRows) * g.inW * g.inC,
                            false))
    return e;
  int64_t outElems = rows * g.outW * g.inC;
  if (Error e = checkBuffer(i, Buffer::Out, in[Pool::out], outElems, true))
    return e;
  if (opts.macBudget &&
      uint64_t(outElems) * uint64_t(g.kh * g.kw) > opts.macBudget)
    return fail(i, formatv("would exceed the budget of {0} operations",
                           opts.macBudget));
  int64_t lo = in[Pool::clamp_lo], hi = in[Pool::clamp_hi];
  const int8_t *inp = i8(Buffer::Inp, in[Pool::inp]);
  int8_t *out = i8(Buffer::Out, in[Pool::out]);
  bool avg = in[Pool::mode];
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t x = 0; x < g.outW; ++x)
      for (int64_t c = 0; c < g.inC; ++c) {
        int64_t best = INT64_MIN, sum = 0, count = 0;
        for (int64_t ky = 0; ky < g.kh; ++ky)
          for (int64_t kx = 0; kx < g.kw; ++kx) {
            int64_t iy = (oy0 + r) * g.sh - g.padT + ky,
                    ix = x * g.sw - g.padL + kx;
            bool inside = iy >= 0 && iy < g.inH && ix >= 0 && ix < g.inW;
            if (inside || in[Pool::include_pad])
              ++count;
            if (!inside)
              continue;
            int64_t v = inp[((iy - row0) * g.inW + ix) * g.inC + c];
            best = std::max(best, v);
            sum += v;
          }
        int8_t res;
        if (avg)
          res = static_cast<int8_t>(ref::saturate(
              count ? ref::divRoundHalfAwayFromZero(sum, count) : 0, lo, hi));
        else
          res = static_cast<int8_t>(best == INT64_MIN ? 0 : best);
        out[(r * g.outW + x) * g.inC + c] = res;
      }
  cycles = vectorCycles(uint64_t(outElems) * g.kh * g.kw);
  return Error::success();
}

Error Machine::ewise(size_t i, const Instr &in, uint64_t &cycles) {
  int64_t op = in[Ewise::op], n = in[Ewise::count];
  if (op > 2)
    return fail(i, "op " + Twine(op) + " is not 0 (add), 1 (requantize) or 2 "
                   "(clamp)");
  int64_t lo = in[Ewise::clamp_lo], hi = in[Ewise::clamp_hi];
  if (lo > hi || lo < -128 || hi > 127)
    return fail(i, formatv("clamp [{0}, {1}] is not an int8 range", lo, hi));
  Buffer bufA = in[Ewise::a_buf] ? Buffer::Out : Buffer::Inp,
         bufB = in[Ewise::b_buf] ? Buffer::Out : Buffer::Inp;
  if (Error e = checkBuffer(i, bufA, in[Ewise::a], n, false))
    return e;
  if (op == 0)
    if (Error e = checkBuffer(i, bufB, in[Ewise::b], n, false))
      return e;
  if (Error e = checkBuffer(i, Buffer::Out, in[Ewise::out], n, true))
    return e;
  int64_t ch = in[Ewise::channels];
  std::vector<int32_t> mult, shift;
  if (op == 1) {
    if (ch == 0)
      return fail(i, "requantize needs channels >= 1");
    if (Error e = checkBuffer(i, Buffer::Param, in[Ewise::param], ch * 8,
                              false))
      return e;
    for (int64_t c = 0; c < ch; ++c) {
      mult.push_back(param(in[Ewise::param], c));
      shift.push_back(param(in[Ewise::param], ch + c));
      if (shift.back() < 0 || shift.back() > 62)
        return fail(i, formatv("channel {0}: shift {1} is not in [0, 62]", c,
                               shift.back()));
    }
  }
  // Operands may be the output itself (in place) or overlap it: read each
  // element before writing it.
  const int8_t *a = i8(bufA, in[Ewise::a]);
  const int8_t *b = i8(bufB, in[Ewise::b]);
  int8_t *out = i8(Buffer::Out, in[Ewise::out]);
  bool up = in[Ewise::round];
  for (int64_t e = 0; e < n; ++e) {
    int64_t v = a[e];
    if (op == 0) {
      v += b[e];
    } else if (op == 1) {
      int64_t c = e % ch;
      v = up ? ref::scaleHalfUp(v, mult[c], shift[c])
             : ref::scaleHalfAwayFromZero(v, mult[c], shift[c]);
    }
    out[e] = static_cast<int8_t>(ref::saturate(v, lo, hi));
  }
  cycles = vectorCycles(n);
  return Error::success();
}

Error Machine::execute(size_t i, uint64_t &cycles) {
  const Instr &in = prog.code[i];
  cycles = 1;
  switch (in.op) {
  case Opcode::DmaLoad:
    return dmaLoad(i, in, cycles);
  case Opcode::DmaStore:
    return dmaStore(i, in, cycles);
  case Opcode::Config: {
    int64_t unit = in[Config::unit];
    if (unit > 2)
      return fail(i, "unit " + Twine(unit) +
                         " is not both (0), the array (1) or the vector "
                         "unit (2)");
    Geometry g{in[Config::in_h],  in[Config::in_w],        in[Config::in_c],
               in[Config::out_w], in[Config::kh],          in[Config::kw],
               in[Config::sh],    in[Config::sw],          in[Config::dh],
               in[Config::dw],    in[Config::pad_t],       in[Config::pad_l],
               in[Config::w_c],   in[Config::oc_per_group]};
    if (unit != 2)
      geo[0] = g;
    if (unit != 1)
      geo[1] = g;
    return Error::success();
  }
  case Opcode::Conv:
    return conv(i, in, cycles);
  case Opcode::Gate:
    return gate(i, in, cycles);
  case Opcode::Compact:
    return compact(i, in, cycles);
  case Opcode::Post:
    return post(i, in, cycles);
  case Opcode::Pool:
    return pool(i, in, cycles);
  case Opcode::Ewise:
    return ewise(i, in, cycles);
  case Opcode::Sync:
  case Opcode::Finish:
    return Error::success();
  }
  return fail(i, "unknown opcode");
}

static std::string shapeString(ArrayRef<int64_t> shape) {
  std::string s;
  for (int64_t d : shape)
    s += (s.empty() ? "" : "x") + std::to_string(d);
  return s;
}

Error Machine::run(ArrayRef<ref::Tensor> inputs,
                   std::vector<ref::Tensor> &outputs) {
  if (Error e = verifyProgram(prog))
    return e;
  report.config = cfg;
  dram.assign(prog.dramBytes, 0);
  for (unsigned b = 0; b < kNumBuffers; ++b)
    buf[b].assign(cfg.bufferBytes(static_cast<Buffer>(b)), 0);
  for (const Segment &s : prog.data)
    if (!s.bytes.empty())
      std::memcpy(dram.data() + s.addr, s.bytes.data(), s.bytes.size());
  // Host side: quantize and lay out the inputs.
  size_t k = 0;
  for (const IoDesc &d : prog.io) {
    if (d.isOutput)
      continue;
    if (k >= inputs.size())
      return createStringError(formatv("the program has more inputs than the "
                                       "{0} given",
                                       inputs.size())
                                   .str());
    const ref::Tensor &t = inputs[k++];
    if (t.shape != d.shape)
      return createStringError(
          formatv("input '{0}' must have shape {1}, got {2}", d.name,
                  shapeString(d.shape), t.describe())
              .str());
    if (d.scale > 0 && !t.isFloat)
      return createStringError("input '" + d.name +
                               "' is quantized on the host: give f32 values");
    ref::TieRounding ties = d.rounding == Rounding::ToEven
                                ? ref::TieRounding::ToEven
                            : d.rounding == Rounding::Up
                                ? ref::TieRounding::Up
                                : ref::TieRounding::AwayFromZero;
    for (int64_t e = 0; e < t.numElements(); ++e) {
      int64_t q = d.scale > 0 ? ref::quantizeValue(t.f[e], d.scale, d.zeroPoint,
                                                   d.storageMin, d.storageMax,
                                                   ties)
                  : t.isFloat ? 0
                              : t.i[e];
      if (d.scale == 0 && (t.isFloat || q < d.storageMin || q > d.storageMax))
        return createStringError(
            formatv("input '{0}' element {1} is not an integer in [{2}, {3}]",
                    d.name, e, d.storageMin, d.storageMax)
                .str());
      dram[d.addr + dramIndex(d.shape, e)] = static_cast<uint8_t>(q);
    }
  }
  if (k != inputs.size())
    return createStringError(formatv("the program has {0} inputs, {1} given",
                                     k, inputs.size())
                                 .str());

  // Layers.
  layerIndex.assign(prog.code.size(), size_t(-1));
  for (size_t l = 0; l < prog.layers.size(); ++l) {
    LayerStats s;
    s.name = prog.layers[l].name;
    s.start = UINT64_MAX;
    report.layers.push_back(s);
    size_t end = l + 1 < prog.layers.size() ? prog.layers[l + 1].firstInstr
                                            : prog.code.size();
    for (size_t i = prog.layers[l].firstInstr; i < end; ++i)
      layerIndex[i] = l;
  }
  for (const InstrDesc &d : instructionTable())
    report.classes.push_back({d.mnemonic, {}});

  // The event loop.
  std::vector<size_t> queue[kNumQueues];
  for (size_t i = 0; i < prog.code.size(); ++i)
    queue[unsigned(prog.code[i].desc().queue)].push_back(i);
  size_t next[kNumQueues] = {};
  uint64_t freeAt[kNumQueues] = {};
  uint64_t dramFree = 0;
  std::deque<uint64_t> tokens[kNumChannels];
  // pop_prev / pop_next / push_prev / push_next channel per queue (-1: none).
  const int popPrev[] = {-1, LdToCmp, CmpToSt};
  const int popNext[] = {CmpToLd, StToCmp, -1};
  const int pushPrev[] = {-1, CmpToLd, StToCmp};
  const int pushNext[] = {LdToCmp, CmpToSt, -1};
  json::OStream *trace = nullptr;
  std::optional<json::OStream> traceStream;
  if (opts.trace) {
    traceStream.emplace(*opts.trace);
    trace = &*traceStream;
    trace->objectBegin();
    trace->attributeBegin("traceEvents");
    trace->arrayBegin();
  }
  double usPerCycle = 1.0 / cfg.clockMHz;
  // With vector_overlap, the compute queue drives two units: the array
  // (conv, gate, compact) and the vector unit (post, pool, ewise); a cfg
  // waits for the unit whose registers it sets, sync and finish for both.
  // Instructions issue in order (none starts before the one ahead of it), each
  // waits for its unit, and a conv or post also for the accumulators an earlier
  // one of the other kind still writes (conv) or reads (post), the only buffer
  // the two units share with a writer. Without it, one instruction at a time.
  bool overlap = cfg.vectorOverlap;
  enum Unit : unsigned { ArrayUnit, VectorUnit, BothUnits };
  auto unitOf = [](const Instr &in) {
    switch (in.op) {
    case Opcode::Conv:
    case Opcode::Gate:
    case Opcode::Compact:
      return ArrayUnit;
    case Opcode::Post:
    case Opcode::Pool:
    case Opcode::Ewise:
      return VectorUnit;
    case Opcode::Config:
      return in[Config::unit] == 1   ? ArrayUnit
             : in[Config::unit] == 2 ? VectorUnit
                                     : BothUnits;
    default:
      return BothUnits;
    }
  };
  uint64_t unitFree[2] = {};
  struct AccUse {
    uint64_t lo, hi, end;
  };
  std::vector<AccUse> accWrites, accReads; // of convs, of posts
  // ACC bytes a conv writes or a post reads, [lo, hi) (empty for others;
  // the sizes saturate: the instruction's own bounds check reports them).
  auto accRange = [&](const Instr &in) -> std::pair<uint64_t, uint64_t> {
    auto span = [](uint64_t lo, std::initializer_list<uint64_t> factors) {
      uint64_t n = 4;
      for (uint64_t f : factors)
        n = SaturatingMultiply(n, f);
      return std::make_pair(lo, SaturatingAdd(lo, n));
    };
    if (in.op == Opcode::Conv)
      return span(in[Conv::acc], {uint64_t(in[Conv::rows]),
                                  uint64_t(geo[0] ? geo[0]->outW : 0),
                                  uint64_t(in[Conv::oc_count])});
    if (in.op == Opcode::Post)
      return span(in[Post::acc],
                  {uint64_t(in[Post::pixels]), uint64_t(in[Post::oc_count])});
    return {0, 0};
  };
  // When the head of queue q could start, tokens aside.
  auto queueFree = [&](unsigned q, const Instr &in) {
    uint64_t t = freeAt[q];
    if (!overlap || Queue(q) != Queue::Compute)
      return t;
    Unit u = unitOf(in);
    if (u != VectorUnit)
      t = std::max(t, unitFree[ArrayUnit]);
    if (u != ArrayUnit)
      t = std::max(t, unitFree[VectorUnit]);
    auto [lo, hi] = accRange(in);
    for (const AccUse &a : in.op == Opcode::Conv ? accReads : accWrites)
      if (lo < a.hi && a.lo < hi)
        t = std::max(t, a.end);
    return t;
  };
  while (true) {
    int best = -1;
    uint64_t bestStart = 0, bestReady = 0, bestFree = 0;
    bool pending = false;
    for (unsigned q = 0; q < kNumQueues; ++q) {
      if (next[q] >= queue[q].size())
        continue;
      pending = true;
      const Instr &in = prog.code[queue[q][next[q]]];
      uint64_t free = queueFree(q, in), t = free;
      bool ready = true;
      auto need = [&](unsigned slot, int ch) {
        if (!in[slot])
          return;
        if (ch < 0 || tokens[ch].empty()) {
          ready = false;
          return;
        }
        t = std::max(t, tokens[ch].front());
      };
      need(Common::pop_prev, popPrev[q]);
      need(Common::pop_next, popNext[q]);
      if (!ready)
        continue;
      // The DRAM channel serves the request that has waited longest (a
      // store that became ready during a run of loads goes before the
      // next load); then queue order.
      uint64_t readyAt = t;
      if (in.op == Opcode::DmaLoad || in.op == Opcode::DmaStore)
        t = std::max(t, dramFree);
      if (best < 0 || t < bestStart || (t == bestStart && readyAt < bestReady)) {
        best = static_cast<int>(q);
        bestStart = t;
        bestReady = readyAt;
        bestFree = free;
      }
    }
    if (!pending)
      break;
    if (best < 0) {
      std::string msg = "deadlock: every queue waits for a token that never "
                        "comes:";
      for (unsigned q = 0; q < kNumQueues; ++q)
        if (next[q] < queue[q].size())
          msg += formatv(" {0} queue at instruction {1} ({2});",
                         queueName(Queue(q)), queue[q][next[q]],
                         prog.code[queue[q][next[q]]].desc().mnemonic)
                     .str();
      msg.pop_back();
      return createStringError(msg);
    }
    unsigned q = best;
    size_t i = queue[q][next[q]++];
    const Instr &in = prog.code[i];
    for (unsigned slot : {Common::pop_prev, Common::pop_next})
      if (in[slot]) {
        int ch = slot == Common::pop_prev ? popPrev[q] : popNext[q];
        tokens[ch].pop_front();
      }
    if ((in[Common::push_prev] && pushPrev[q] < 0) ||
        (in[Common::push_next] && pushNext[q] < 0))
      return fail(i, "pushes a token past the end of the queue chain");
    curMacs = curGateOut = curGateOn = curDram = 0;
    uint64_t cycles = 0;
    if (Error e = execute(i, cycles))
      return e;
    uint64_t end = bestStart + cycles;
    report.stall[q] += bestStart - bestFree;
    report.busy[q] += cycles;
    freeAt[q] = end;
    bool onVector = false;
    if (overlap && Queue(q) == Queue::Compute) {
      freeAt[q] = bestStart;
      Unit u = unitOf(in);
      if (u != VectorUnit)
        unitFree[ArrayUnit] = end;
      if (u != ArrayUnit)
        unitFree[VectorUnit] = end;
      onVector = u == VectorUnit;
      // Later instructions start at bestStart or after: uses that ended
      // by then constrain none of them.
      for (auto *uses : {&accWrites, &accReads})
        llvm::erase_if(*uses,
                       [&](const AccUse &a) { return a.end <= bestStart; });
      auto [lo, hi] = accRange(in);
      if (lo < hi)
        (in.op == Opcode::Conv ? accWrites : accReads).push_back({lo, hi, end});
    }
    if (in.op == Opcode::DmaLoad || in.op == Opcode::DmaStore)
      dramFree = end;
    if (in[Common::push_prev])
      tokens[pushPrev[q]].push_back(end);
    if (in[Common::push_next])
      tokens[pushNext[q]].push_back(end);
    report.cycles = std::max(report.cycles, end);
    ClassStats &cs = report.classes[&in.desc() - instructionTable().data()].second;
    ++cs.count;
    cs.busyCycles += cycles;
    size_t l = layerIndex[i];
    if (l != size_t(-1)) {
      LayerStats &ls = report.layers[l];
      ls.start = std::min(ls.start, bestStart);
      ls.end = std::max(ls.end, end);
      ++ls.instructions;
      if (in.op == Opcode::Conv)
        ls.convCycles += cycles;
      ls.macs += curMacs;
      ls.gateOutputs += curGateOut;
      ls.gateOn += curGateOn;
      ls.dramBytes += curDram;
    }
    if (trace) {
      trace->object([&] {
        trace->attribute("name", in.desc().mnemonic);
        trace->attribute("cat", l != size_t(-1) ? report.layers[l].name : "");
        trace->attribute("ph", "X");
        trace->attribute("ts", bestStart * usPerCycle);
        trace->attribute("dur", cycles * usPerCycle);
        trace->attribute("pid", 0);
        trace->attribute("tid",
                         onVector ? StringRef("vector") : queueName(Queue(q)));
        trace->attributeObject("args", [&] {
          trace->attribute("instruction", int64_t(i));
          trace->attribute("start_cycle", int64_t(bestStart));
          trace->attribute("cycles", int64_t(cycles));
        });
      });
    }
  }
  uint64_t prevEnd = 0;
  for (LayerStats &ls : report.layers) {
    if (ls.start == UINT64_MAX)
      ls.start = ls.end = prevEnd;
    ls.from = std::min(std::max(ls.start, prevEnd), ls.end);
    prevEnd = std::max(prevEnd, ls.end);
  }
  if (trace) {
    trace->arrayEnd();
    trace->attributeEnd();
    trace->attribute("displayTimeUnit", "ns");
    trace->objectEnd();
  }

  // Host side: read back and dequantize the outputs.
  for (const IoDesc &d : prog.io) {
    if (!d.isOutput)
      continue;
    ref::Tensor t = d.scale > 0 ? ref::Tensor::floats(d.shape)
                                : ref::Tensor::ints(d.shape);
    for (int64_t e = 0; e < t.numElements(); ++e) {
      int32_t v = static_cast<int8_t>(dram[d.addr + dramIndex(d.shape, e)]);
      if (d.scale > 0)
        t.f[e] = static_cast<float>(double(int64_t(v) - d.zeroPoint) * d.scale);
      else
        t.i[e] = v;
    }
    outputs.push_back(std::move(t));
  }
  return Error::success();
}

Error run(const Program &program, ArrayRef<ref::Tensor> inputs,
          std::vector<ref::Tensor> &outputs, Report &report,
          const RunOptions &options) {
  Machine m(program, report, options);
  return m.run(inputs, outputs);
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

void Report::writeJSON(raw_ostream &os) const {
  json::OStream j(os, 2);
  j.object([&] {
    j.attributeObject("config", [&] {
      j.attribute("rows", config.rows);
      j.attribute("cols", config.cols);
      j.attribute("clock_mhz", config.clockMHz);
    });
    j.attribute("cycles", int64_t(cycles));
    j.attribute("seconds", seconds());
    j.attribute("macs", int64_t(macs));
    j.attribute("array_cycles", int64_t(arrayCycles));
    j.attribute("utilization", utilization());
    j.attribute("conv_utilization", convUtilization());
    j.attribute("roofline_cycles", int64_t(rooflineCycles()));
    j.attribute("gate_outputs", int64_t(gateOutputs));
    j.attribute("gate_on", int64_t(gateOn));
    j.attributeObject("queues", [&] {
      for (unsigned q = 0; q < kNumQueues; ++q)
        j.attributeObject(queueName(Queue(q)), [&] {
          j.attribute("busy_cycles", int64_t(busy[q]));
          j.attribute("stall_cycles", int64_t(stall[q]));
        });
    });
    j.attributeObject("instructions", [&] {
      for (const auto &entry : classes)
        j.attributeObject(entry.first, [&] {
          j.attribute("count", int64_t(entry.second.count));
          j.attribute("busy_cycles", int64_t(entry.second.busyCycles));
        });
    });
    j.attributeObject("bytes", [&] {
      j.attribute("dram_read", int64_t(dramRead));
      j.attribute("dram_written", int64_t(dramWritten));
      for (unsigned b = 0; b < kNumBuffers; ++b)
        j.attributeObject(bufferName(Buffer(b)), [&] {
          j.attribute("read", int64_t(sramRead[b]));
          j.attribute("written", int64_t(sramWritten[b]));
        });
    });
    j.attributeObject("energy_pj", [&] {
      j.attribute("mac", energyMacPJ());
      j.attribute("sram", energySramPJ());
      j.attribute("dram", energyDramPJ());
      j.attribute("total", energyMacPJ() + energySramPJ() + energyDramPJ());
    });
    j.attributeArray("layers", [&] {
      for (const LayerStats &l : layers)
        j.object([&] {
          j.attribute("name", l.name);
          j.attribute("start_cycle", int64_t(l.start));
          j.attribute("end_cycle", int64_t(l.end));
          j.attribute("cycles", int64_t(l.cycles()));
          j.attribute("roofline_cycles", int64_t(rooflineCycles(l)));
          j.attribute("conv_cycles", int64_t(l.convCycles));
          j.attribute("instructions", int64_t(l.instructions));
          j.attribute("macs", int64_t(l.macs));
          j.attribute("gate_outputs", int64_t(l.gateOutputs));
          j.attribute("gate_on", int64_t(l.gateOn));
          j.attribute("dram_bytes", int64_t(l.dramBytes));
        });
    });
  });
  os << "\n";
}

size_t Report::layerColumn() const {
  size_t width = 28;
  for (const LayerStats &l : layers)
    width = std::max(width, l.name.size());
  return width;
}

void Report::writeTable(raw_ostream &os) const {
  // The columns after the layer's name, for the header and every row.
  constexpr const char *kColumns =
      " {0,12} {1,12} {2,12} {3,14} {4,9} {5,12}\n";
  size_t width = layerColumn();
  os << left_justify("layer", width)
     << formatv(kColumns, "cycles", "roofline", "conv cycles", "MACs",
                "gate on", "DRAM bytes");
  for (const LayerStats &l : layers) {
    std::string on = l.gateOutputs
                         ? formatv("{0:P1}", double(l.gateOn) / l.gateOutputs)
                               .str()
                         : "-";
    os << left_justify(l.name, width)
       << formatv(kColumns, l.cycles(), rooflineCycles(l), l.convCycles, l.macs,
                  on, l.dramBytes);
  }
  os << formatv("total: {0} cycles = {1:f3} ms at {2} MHz; {3} MACs; array "
                "utilization {4:P1} (during conv {5:P1})\n",
                cycles, seconds() * 1e3, config.clockMHz, macs, utilization(),
                convUtilization());
  uint64_t roofline = rooflineCycles();
  os << formatv("roofline: {0} cycles ({1:P1} of the run): per layer its "
                "MACs at {2} a cycle or its DRAM bytes at {3} a cycle, "
                "whichever takes longer\n",
                roofline, cycles ? double(roofline) / cycles : 0.0,
                config.rows * config.cols, config.dramBytesPerCycle);
  os << "instructions:";
  for (auto &[name, c] : classes)
    if (c.count)
      os << formatv(" {0} {1} ({2} cycles)", name, c.count, c.busyCycles);
  os << "\n";
  for (unsigned q = 0; q < kNumQueues; ++q)
    os << formatv("{0} queue: busy {1}, stalled {2} cycles\n",
                  queueName(Queue(q)), busy[q], stall[q]);
  os << formatv("DRAM: {0} bytes read, {1} written\n", dramRead, dramWritten);
  os << "SRAM bytes read/written:";
  for (unsigned b = 0; b < kNumBuffers; ++b)
    os << formatv(" {0} {1}/{2}", bufferName(Buffer(b)), sramRead[b],
                  sramWritten[b]);
  os << "\n";
  os << formatv("energy: {0:f1} uJ (MAC {1:f1}, SRAM {2:f1}, DRAM {3:f1})\n",
                (energyMacPJ() + energySramPJ() + energyDramPJ()) * 1e-6,
                energyMacPJ() * 1e-6, energySramPJ() * 1e-6,
                energyDramPJ() * 1e-6);
}

} // namespace cgnet::sim
