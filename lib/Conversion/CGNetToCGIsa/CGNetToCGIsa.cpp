//===- CGNetToCGIsa.cpp - cgnet to CGNet accelerator programs -------------===//
//
// Compiles an integer cgnet function into a cgisa program: DRAM layout
// (int8 NHWC activations, one constant segment with weights and per-channel
// parameters), tiling of every layer to the array and the buffers of the
// configuration, double buffering and the dependency tokens between the
// load, compute and store queues. docs/isa.md describes the machine; the
// pass description in Passes.td what is supported.
//
// Token protocol (per layer of T tiles; tile t uses INP/OUT slot t % 2):
//   load t:    first pops a compute->load token when t >= 2 (slot free) or,
//              for t = 0, the barrier of the previous layer; last pushes
//              load->compute.
//   compute t: first pops load->compute, and store->compute when t >= 2;
//              last pushes compute->store, and compute->load when t + 2 < T.
//   store t:   first pops compute->store; last pushes store->compute when
//              t + 2 < T or t = T - 1 (the barrier).
//   after the layer: `sync` pops that barrier and pushes compute->load for
//   the next layer's first load, so a layer reads DRAM only after the
//   previous one has written it.
// Weights and parameters of channel block b go to WGT/PARAM half b % 2 at
// the block's first tile: block b + 2 starts after the slot token of a
// tile of block b + 1, so block b's tiles are done.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Conversion/CGNetToCGIsa/CGNetToCGIsa.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"
#include "cgnet/Reference/IntegerArith.h"
#include "cgnet/Reference/Tensor.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/TypeSwitch.h"
#include <array>
#include <optional>

namespace cgnet {
#define GEN_PASS_DEF_CONVERTCGNETTOCGISA
#include "cgnet/Conversion/Passes.h.inc"
} // namespace cgnet

using namespace mlir;
using namespace cgnet;
namespace I = cgnet::isa;

namespace {

/// An int8 tensor in DRAM: NHWC for rank 4 (dims n, h, w, c), otherwise
/// row-major, seen as n x 1 x 1 x (the rest).
struct DramTensor {
  uint64_t addr = 0;
  SmallVector<int64_t> shape;
  int64_t n = 1, h = 1, w = 1, c = 1;
};

struct Tile {
  SmallVector<I::Instr> loads, compute, stores;
  /// Loads for a later tile, in the load queue after this tile's own: the
  /// next block's weights and parameters. The tile's compute does not wait
  /// for them (the token it pops comes from the last of `loads`); the next
  /// tile's does, its own loads coming after them in the queue.
  SmallVector<I::Instr> ahead;
};

I::Instr make(I::Opcode op) {
  I::Instr in;
  in.op = op;
  return in;
}

/// A DMA store of `bytes` contiguous bytes from OUT `sram` to DRAM `dram`.
I::Instr contiguousStore(int64_t sram, uint64_t dram, int64_t bytes) {
  I::Instr st = make(I::Opcode::DmaStore);
  st[I::DmaStore::sram] = sram;
  st[I::DmaStore::dram] = dram;
  st[I::DmaStore::y_size] = 1;
  st[I::DmaStore::x_size] = bytes;
  st[I::DmaStore::dram_stride] = bytes;
  return st;
}


/// The fused post-processing of a convolution: its requantize and an
/// optional ReLU or clamp.
struct PostSpec {
  SmallVector<int32_t> mult, shift;
  int64_t lo = -128, hi = 127, zp = 0;
  bool roundUp = false;
  /// A fused leaky ReLU: negative values scaled by multiplier, shift.
  std::optional<std::pair<int32_t, int32_t>> leaky;
  Value result;
  SmallVector<Operation *> fused;
};

/// The residual stage a convolution's `post` can take over (docs/isa.md,
/// "post"): its value and `skip`, a tensor already in DRAM, each
/// requantized and clamped, added and clamped; `words` are the 12 PARAM
/// words of the stage.
struct ResidualSpec {
  Value skip, result;
  SmallVector<int32_t, 12> words;
  SmallVector<Operation *> fused;
};

/// One element-wise op of a fused group: add, requantize (int8 to int8),
/// ReLU or clamp.
struct EwiseNode {
  Operation *op = nullptr;
  int64_t kind = 0; ///< Ewise::op: 0 add, 1 requantize, 2 clamp
  SmallVector<Value, 2> operands;
  SmallVector<int32_t> mult, shift;
  int64_t channels = 1, lo = -128, hi = 127;
  bool roundUp = false;
};

static bool isEwise(Operation *op) {
  return llvm::isa<cgnet::AddOp, cgnet::RequantizeOp, cgnet::ReluOp,
             cgnet::ClampOp>(op);
}

/// A pooling op's operands and window (docs/isa.md, "pool").
struct PoolArgs {
  Operation *op = nullptr;
  Value input, output;
  SmallVector<int64_t, 2> k, s;
  SmallVector<int64_t, 4> pad;
  bool avg = false, includePad = false;
};

/// The window of a max, average or global average pool; none for other
/// ops.
static std::optional<PoolArgs> poolArgs(Operation *op) {
  PoolArgs a;
  a.op = op;
  auto window = [&](auto p) {
    a.input = p.getInput(), a.output = p.getOutput();
    a.k.assign(p.getKernel().begin(), p.getKernel().end());
    a.s.assign(p.getStrides().begin(), p.getStrides().end());
    a.pad.assign(p.getPadding().begin(), p.getPadding().end());
  };
  if (auto p = dyn_cast<cgnet::MaxPool2DOp>(op)) {
    window(p);
  } else if (auto p = dyn_cast<cgnet::AvgPool2DOp>(op)) {
    window(p);
    a.avg = true, a.includePad = p.getCountIncludePad();
  } else if (auto p = dyn_cast<cgnet::GlobalAvgPoolOp>(op)) {
    auto shape = cast<ShapedType>(p.getInput().getType()).getShape();
    a.input = p.getInput(), a.output = p.getOutput();
    a.k = {shape[2], shape[3]}, a.s = {1, 1}, a.pad = {0, 0, 0, 0};
    a.avg = true;
  } else {
    return std::nullopt;
  }
  return a;
}

/// The input rows [first, last] that `rows` output rows of a pool from
/// `oy0` read, inside an image of `h` rows.
static std::pair<int64_t, int64_t> poolRowsRead(const PoolArgs &a, int64_t h,
                                                int64_t oy0, int64_t rows) {
  int64_t first = std::max<int64_t>(0, oy0 * a.s[0] - a.pad[0]);
  int64_t last =
      std::min(h - 1, (oy0 + rows - 1) * a.s[0] - a.pad[0] + a.k[0] - 1);
  return {first, last};
}

/// The input bytes and output bytes of a pool tile of `rows` output rows
/// (at most: whole input rows of `w` x `c` bytes, `h` of them at most).
static std::pair<int64_t, int64_t> poolTileBytes(const PoolArgs &a, int64_t h,
                                                 int64_t w, int64_t c,
                                                 int64_t ow, int64_t rows) {
  return {std::min(h, (rows - 1) * a.s[0] + a.k[0]) * w * c, rows * ow * c};
}

/// The most output rows (of `oh`) per pool tile whose input takes at most
/// `inpBytes` and output `outBytes`; 0 if one row does not fit.
static int64_t poolRowsFitting(const PoolArgs &a, int64_t h, int64_t w,
                               int64_t c, int64_t ow, int64_t oh,
                               int64_t inpBytes, int64_t outBytes) {
  for (int64_t r = oh; r >= 1; --r) {
    auto [in, out] = poolTileBytes(a, h, w, c, ow, r);
    if (in <= inpBytes && out <= outBytes)
      return r;
  }
  return 0;
}

class Compiler {
public:
  Compiler(func::FuncOp func, const I::AccelConfig &cfg,
           const CGIsaOptions &options)
      : func(func), cfg(cfg), options(options) {}
  FailureOr<cgisa::ProgramOp> run();

private:
  // DRAM
  uint64_t addConstant(ArrayRef<uint8_t> bytes);
  template <typename T> uint64_t addConstantWords(ArrayRef<T> words) {
    return addConstant(ArrayRef<uint8_t>(
        reinterpret_cast<const uint8_t *>(words.data()), words.size() * 4));
  }
  /// Activations are placed after the constants, whose size is known only
  /// at the end: until then their addresses carry this tag.
  static constexpr uint64_t kActivationTag = uint64_t(1) << 39;
  uint64_t allocate(int64_t bytes) {
    uint64_t a = activationTop;
    activationTop += (bytes + 63) / 64 * 64;
    return a;
  }
  /// DRAM placement of a new int8 tensor `v` produced by `op` (`what`
  /// names it in diagnostics).
  LogicalResult define(Operation *op, Value v, StringRef what = "result");
  FailureOr<DramTensor> lookup(Operation *op, Value v);
  LogicalResult checkInt8(Operation *op, Value v, StringRef what,
                          bool needZeroZp = true);

  // Layers
  /// Emits a layer's tiles with the token protocol (docs/isa.md) and a
  /// barrier after it. `constantLoads`: how many loads that start the
  /// first tile read only constants into the WGT and PARAM halves the
  /// previous convolution layer's last block does not use (convolution
  /// layers: its first block's weights and parameters); after a
  /// convolution layer of two or more tiles they wait only for its
  /// second-to-last tile's compute, not for the barrier, so they overlap
  /// its last tile. `prefetchSource`: whether this layer's second-to-last
  /// tile may release the next layer's constant loads that way (only
  /// convolution layers, whose WGT and PARAM halves alternate by
  /// `blockSeq` across layers).
  /// `with`: a layer whose tiles run inside this one's (a fused pool),
  /// named with it in the report.
  LogicalResult emitLayer(Operation *op, std::vector<Tile> &tiles,
                          size_t constantLoads = 0, bool prefetchSource = false,
                          Operation *with = nullptr);
  LogicalResult convLayer(Operation *op);
  FailureOr<PostSpec> fusedPost(Operation *conv, Value acc, int64_t channels);
  std::optional<ResidualSpec> fusedResidual(Value v);
  LogicalResult poolLayer(const PoolArgs &a);
  /// The vector unit's `cfg` for pool `a` from `in` to `out`.
  I::Instr poolConfig(const PoolArgs &a, const DramTensor &in,
                      const DramTensor &out);
  /// A tile of pool `a`: `rows` output rows from `oy0` of image `n`, its
  /// input rows loaded at INP `inp`, its outputs at OUT `outAddr`.
  Tile poolTile(const PoolArgs &a, const DramTensor &in, const DramTensor &out,
                int64_t n, int64_t oy0, int64_t rows, int64_t inp,
                int64_t outAddr);
  FailureOr<EwiseNode> describeEwise(Operation *op);
  LogicalResult ewiseGroup(Operation *root);
  LogicalResult reshape(cgnet::ReshapeOp op);
  LogicalResult relayout(Operation *op, const DramTensor &in, Value output);
  LogicalResult concat(cgnet::ConcatOp op);
  LogicalResult upsample(cgnet::UpsampleNearestOp op);
  /// A tile that copies `bytes` contiguous bytes of DRAM at `src` into INP
  /// slot `slot` and through the vector unit into OUT (the caller adds the
  /// stores).
  Tile copyTile(int64_t slot, uint64_t src, int64_t bytes);
  /// The vector unit's copy of `bytes` from INP slot `slot` to OUT's.
  I::Instr vectorCopy(int64_t slot, int64_t bytes);
  LogicalResult inputs();
  LogicalResult outputs(Operation *ret);

  func::FuncOp func;
  const I::AccelConfig &cfg;
  CGIsaOptions options;
  std::vector<uint8_t> constants;
  uint64_t activationTop = kActivationTag;
  DenseMap<Value, DramTensor> tensors;
  DenseSet<Operation *> fused;
  std::vector<I::IoDesc> io;
  std::vector<I::Instr> instrs;
  std::vector<Location> instrLocs;
  std::vector<I::LayerMark> marks;
  bool needBarrier = false;
  /// The instruction of the previous layer that may push the token for
  /// the next layer's constant loads (see emitLayer), if any.
  std::optional<size_t> prefetchPush;
  /// Convolution blocks so far: their WGT and PARAM halves alternate.
  int64_t blockSeq = 0;
};

} // namespace

uint64_t Compiler::addConstant(ArrayRef<uint8_t> bytes) {
  uint64_t a = constants.size();
  constants.insert(constants.end(), bytes.begin(), bytes.end());
  constants.resize((constants.size() + 63) / 64 * 64, 0);
  return a;
}

LogicalResult Compiler::checkInt8(Operation *op, Value v, StringRef what,
                                  bool needZeroZp) {
  auto info = getElementInfo(cast<ShapedType>(v.getType()).getElementType());
  if (!info || !info->isIntegerLike() || info->bits > 8 || !info->isSigned ||
      info->storageMin < -128 || info->storageMax > 127)
    return op->emitOpError() << "cannot run on the accelerator: its " << what
                             << " must be a signed integer of at most 8 bits, "
                                "got "
                             << v.getType();
  if (needZeroZp && info->hasZeroPoints())
    return op->emitOpError() << "cannot run on the accelerator: its " << what
                             << " has a non-zero zero point (the accelerator "
                                "runs symmetric quantization)";
  return success();
}

LogicalResult Compiler::define(Operation *op, Value v, StringRef what) {
  if (failed(checkInt8(op, v, what, false)))
    return failure();
  auto type = cast<RankedTensorType>(v.getType());
  if (!type.hasStaticShape() ||
      ref::elementCount(type.getShape()) > (int64_t(1) << 32))
    return op->emitOpError() << "cannot run on the accelerator: its " << what
                             << " " << v.getType()
                             << " is larger than the 4 GiB of DRAM";
  DramTensor t;
  t.shape.assign(type.getShape().begin(), type.getShape().end());
  if (type.getRank() == 4) {
    t.n = t.shape[0];
    t.c = t.shape[1];
    t.h = t.shape[2];
    t.w = t.shape[3];
  } else if (type.getRank() >= 1) {
    t.n = t.shape[0];
    t.c = type.getNumElements() / t.n;
  }
  t.addr = allocate(type.getNumElements());
  tensors[v] = t;
  return success();
}

FailureOr<DramTensor> Compiler::lookup(Operation *op, Value v) {
  auto it = tensors.find(v);
  if (it != tensors.end())
    return it->second;
  InFlightDiagnostic d = op->emitOpError()
                         << "cannot run on the accelerator: its operand is "
                            "not an int8 tensor the accelerator holds in DRAM";
  if (Operation *def = v.getDefiningOp())
    d.attachNote(def->getLoc()) << "produced here by '" << def->getName()
                                << "'";
  return failure();
}

//===----------------------------------------------------------------------===//
// Layer emission and the token protocol
//===----------------------------------------------------------------------===//

LogicalResult Compiler::emitLayer(Operation *op, std::vector<Tile> &tiles,
                                  size_t constantLoads, bool prefetchSource,
                                  Operation *with) {
  size_t T = tiles.size();
  // The first constant load waits for the token the previous layer's
  // second-to-last tile pushes, the first other load for the barrier; in
  // that order in the compute -> load channel.
  bool prefetch = needBarrier && prefetchPush && constantLoads > 0 &&
                  constantLoads < tiles.front().loads.size();
  if (prefetch) {
    instrs[*prefetchPush][I::Common::push_prev] = 1;
    tiles.front().loads.front()[I::Common::pop_next] = 1;
    tiles.front().loads[constantLoads][I::Common::pop_next] = 1;
  }
  for (size_t t = 0; t < T; ++t) {
    Tile &tile = tiles[t];
    assert(!tile.loads.empty() && !tile.compute.empty() &&
           !tile.stores.empty() && "every tile loads, computes and stores");
    if (t >= 2 || (t == 0 && needBarrier && !prefetch))
      tile.loads.front()[I::Common::pop_next] = 1;
    tile.loads.back()[I::Common::push_next] = 1;
    tile.compute.front()[I::Common::pop_prev] = 1;
    if (t >= 2)
      tile.compute.front()[I::Common::pop_next] = 1;
    tile.compute.back()[I::Common::push_next] = 1;
    if (t + 2 < T)
      tile.compute.back()[I::Common::push_prev] = 1;
    tile.stores.front()[I::Common::pop_prev] = 1;
    if (t + 2 < T || t + 1 == T)
      tile.stores.back()[I::Common::push_prev] = 1;
  }
  std::string name = layerName(op);
  Location loc = op->getLoc();
  if (with) {
    name += " + " + layerName(with);
    loc = FusedLoc::get(op->getContext(), {loc, with->getLoc()});
  }
  marks.push_back({static_cast<uint32_t>(instrs.size()), name});
  prefetchPush.reset();
  for (size_t t = 0; t < T; ++t) {
    Tile &tile = tiles[t];
    for (auto *list : {&tile.loads, &tile.ahead, &tile.compute, &tile.stores}) {
      for (I::Instr &in : *list) {
        if (llvm::Error e = I::checkFields(in))
          return op->emitOpError()
                 << "cannot be encoded for the accelerator: "
                 << llvm::toString(std::move(e));
        instrs.push_back(in);
        instrLocs.push_back(loc);
      }
      // Tile T - 2's last compute instruction: it pushes no token of this
      // layer's (those go to tiles up to T - 3).
      if (prefetchSource && t + 2 == T && list == &tile.compute)
        prefetchPush = instrs.size() - 1;
    }
  }
  I::Instr sync = make(I::Opcode::Sync);
  sync[I::Common::pop_next] = 1;
  sync[I::Common::push_prev] = 1;
  instrs.push_back(sync);
  instrLocs.push_back(loc);
  needBarrier = true;
  return success();
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

FailureOr<PostSpec> Compiler::fusedPost(Operation *conv, Value acc,
                                        int64_t channels) {
  PostSpec post;
  if (!acc.hasOneUse())
    return conv->emitOpError()
           << "cannot run on the accelerator: its int32 result must feed "
              "exactly one cgnet.requantize";
  auto rq = dyn_cast<cgnet::RequantizeOp>(*acc.getUsers().begin());
  if (!rq)
    return conv->emitOpError()
           << "cannot run on the accelerator: its int32 result must feed a "
              "cgnet.requantize, not '"
           << acc.getUsers().begin()->getName() << "'";
  ArrayRef<int32_t> m = rq.getMultiplier(), s = rq.getShift();
  if (m.size() > 1 && rq.getAxis() != 1)
    return rq.emitOpError("cannot run on the accelerator: per-channel "
                          "parameters must be along the channel axis (1)");
  for (int64_t j = 0; j < channels; ++j) {
    post.mult.push_back(m.size() == 1 ? m[0] : m[j]);
    post.shift.push_back(s.size() == 1 ? s[0] : s[j]);
  }
  post.roundUp = rq.getRounding() == RoundingMode::HalfUp;
  auto info = *getElementInfo(getElementTypeOrSelf(rq.getOutput().getType()));
  if (failed(checkInt8(rq, rq.getOutput(), "result", false)))
    return failure();
  post.lo = info.storageMin;
  post.hi = info.storageMax;
  post.zp = info.zeroPoint();
  post.result = rq.getOutput();
  post.fused.push_back(rq);
  // A leaky ReLU (zero point 0, the full int8 range) that is the
  // requantized value's only user: the evaluator's fixed-point alpha.
  if (post.result.hasOneUse() && post.zp == 0 && post.lo == -128 &&
      post.hi == 127)
    if (auto lr = dyn_cast<cgnet::LeakyReluOp>(*post.result.getUsers().begin())) {
      auto linfo = getElementInfo(getElementTypeOrSelf(lr.getType()));
      if (linfo && !linfo->hasZeroPoints() && linfo->storageMin == -128 &&
          linfo->storageMax == 127) {
        auto fp = ref::toFixedPoint(lr.getAlpha().convertToDouble());
        post.leaky = fp ? std::pair{fp->multiplier, fp->shift}
                        : std::pair{int32_t(0), int32_t(0)};
        post.result = lr.getOutput();
        post.fused.push_back(lr);
      }
    }
  // A ReLU or clamp that is the value's only user.
  if (post.result.hasOneUse()) {
    Operation *user = *post.result.getUsers().begin();
    if (auto relu = dyn_cast<cgnet::ReluOp>(user)) {
      post.lo = std::max(post.lo, post.zp);
      post.result = relu.getOutput();
      post.fused.push_back(relu);
    } else if (auto clamp = dyn_cast<cgnet::ClampOp>(user)) {
      if (auto lo = clamp.getMinInt())
        post.lo = std::max<int64_t>(post.lo, static_cast<int64_t>(*lo));
      if (auto hi = clamp.getMaxInt())
        post.hi = std::min<int64_t>(post.hi, static_cast<int64_t>(*hi));
      if (post.lo > post.hi)
        return clamp.emitOpError("cannot run on the accelerator: empty range");
      post.result = clamp.getOutput();
      post.fused.push_back(clamp);
    }
  }
  return post;
}

/// Whether `v` is an int8 tensor with a zero zero point (no diagnostic).
static bool isPlainInt8(Value v) {
  auto info = getElementInfo(getElementTypeOrSelf(v.getType()));
  return info && info->isIntegerLike() && info->bits <= 8 && info->isSigned &&
         info->storageMin >= -128 && info->storageMax <= 127 &&
         !info->hasZeroPoints();
}

/// Matches `v` (a convolution's post-processed result) -> [requantize] ->
/// add with a tensor in DRAM (or a requantize of one) -> ReLU/clamps, every
/// link the only user of the one before, requantizations per tensor. A
/// chain that does not match stays with the element-wise layers.
std::optional<ResidualSpec> Compiler::fusedResidual(Value v) {
  // A stage's words: multiplier, shift, ties up, clamp; identity by default.
  using Stage = std::array<int32_t, 5>;
  ResidualSpec r;
  // Takes a per-tensor int8 requantize as stage `st`.
  auto takeRequant = [&](cgnet::RequantizeOp rq, Stage &st) {
    if (rq.getMultiplier().size() != 1 || !isPlainInt8(rq.getInput()) ||
        !isPlainInt8(rq.getOutput()))
      return false;
    auto info = *getElementInfo(getElementTypeOrSelf(rq.getType()));
    st = Stage{rq.getMultiplier()[0], rq.getShift()[0],
               rq.getRounding() == RoundingMode::HalfUp,
               int32_t(info.storageMin), int32_t(info.storageMax)};
    r.fused.push_back(rq);
    return true;
  };
  auto onlyUser = [](Value x) -> Operation * {
    return x.hasOneUse() ? *x.getUsers().begin() : nullptr;
  };
  if (!isPlainInt8(v))
    return std::nullopt;
  Stage a{1, 0, 0, -128, 127}, b = a;
  Value chain = v;
  Operation *user = onlyUser(chain);
  if (auto rq = dyn_cast_or_null<cgnet::RequantizeOp>(user)) {
    if (!takeRequant(rq, a))
      return std::nullopt;
    chain = rq.getOutput();
    user = onlyUser(chain);
  }
  auto add = dyn_cast_or_null<cgnet::AddOp>(user);
  if (!add || !isPlainInt8(add.getResult()) || fused.contains(add))
    return std::nullopt;
  Value other = add.getOperand(0) == chain ? add.getOperand(1)
                                           : add.getOperand(0);
  if (other == chain || other.getType() != chain.getType())
    return std::nullopt;
  if (!tensors.count(other)) {
    auto rq = other.getDefiningOp<cgnet::RequantizeOp>();
    if (!rq || !other.hasOneUse() || fused.contains(rq) ||
        !tensors.count(rq.getInput()) || !takeRequant(rq, b))
      return std::nullopt;
    other = rq.getInput();
  }
  if (cast<ShapedType>(other.getType()).getShape() !=
          cast<ShapedType>(v.getType()).getShape() ||
      !isPlainInt8(other))
    return std::nullopt;
  r.skip = other;
  r.fused.push_back(add);
  r.result = add.getResult();
  auto info = *getElementInfo(getElementTypeOrSelf(r.result.getType()));
  int64_t lo = info.storageMin, hi = info.storageMax;
  // ReLUs and clamps that follow, while the range stays non-empty.
  for (Operation *u = onlyUser(r.result); u; u = onlyUser(r.result)) {
    int64_t nlo = lo, nhi = hi;
    if (llvm::isa<cgnet::ReluOp>(u)) {
      nlo = std::max<int64_t>(lo, 0);
    } else if (auto c = dyn_cast<cgnet::ClampOp>(u)) {
      if (auto m = c.getMinInt())
        nlo = std::max<int64_t>(lo, static_cast<int64_t>(*m));
      if (auto m = c.getMaxInt())
        nhi = std::min<int64_t>(hi, static_cast<int64_t>(*m));
    } else {
      break;
    }
    if (nlo > nhi || !isPlainInt8(u->getResult(0)))
      break;
    lo = nlo, hi = nhi;
    r.fused.push_back(u);
    r.result = u->getResult(0);
  }
  r.words.append(a.begin(), a.end());
  r.words.append(b.begin(), b.end());
  r.words.push_back(int32_t(lo));
  r.words.push_back(int32_t(hi));
  return r;
}

/// Integer values of a constant operand (through quant.scast).
static FailureOr<std::vector<int64_t>> constantInts(Operation *op, Value v,
                                                    StringRef what) {
  auto values = getConstantInts(v);
  if (!values)
    return op->emitOpError() << "cannot run on the accelerator: its " << what
                             << " must be an integer constant";
  return std::move(*values);
}

LogicalResult Compiler::convLayer(Operation *op) {
  enum Kind { Dense, ChannelGated, PrecisionGated } kind = Dense;
  Value input, weight, bias, threshold, acc = op->getResult(0);
  SmallVector<int64_t> strides{1, 1}, pad{0, 0, 0, 0}, dil{1, 1};
  int64_t groups = 1, partitions = 1, bits = 8, highBits = 8;
  bool grouped = false;
  bool isFC = false;
  // Operands and window attributes shared by the convolutions.
  auto convOperands = [&](auto c) {
    input = c.getInput(), weight = c.getWeight(), bias = c.getBias();
    strides.assign(c.getStrides().begin(), c.getStrides().end());
    pad.assign(c.getPadding().begin(), c.getPadding().end());
    dil.assign(c.getDilations().begin(), c.getDilations().end());
  };
  if (auto c = dyn_cast<cgnet::Conv2DOp>(op)) {
    convOperands(c);
    groups = c.getGroups();
  } else if (auto c = dyn_cast<cgnet::FullyConnectedOp>(op)) {
    input = c.getInput(), weight = c.getWeight(), bias = c.getBias();
    isFC = true;
  } else if (auto c = dyn_cast<cgnet::ChannelGatedConv2DOp>(op)) {
    kind = ChannelGated;
    convOperands(c);
    threshold = c.getThreshold();
    partitions = c.getPartitions();
    grouped = c.getGrouped();
  } else if (auto c = dyn_cast<cgnet::PrecisionGatedConv2DOp>(op)) {
    kind = PrecisionGated;
    convOperands(c);
    threshold = c.getThreshold();
    bits = c.getBits();
    highBits = c.getHighBits();
  }
  if (isFloatType(getElementTypeOrSelf(input.getType())))
    return op->emitOpError("cannot run on the accelerator: float layers must "
                           "be quantized first (--cgnet-quantize)");
  if (failed(checkInt8(op, input, "input")) ||
      failed(checkInt8(op, weight, "weight")))
    return failure();
  FailureOr<DramTensor> in = lookup(op, input);
  if (failed(in))
    return failure();
  auto wType = cast<RankedTensorType>(weight.getType());
  int64_t O = wType.getDimSize(0), Ig = wType.getDimSize(1);
  int64_t kh = isFC ? 1 : wType.getDimSize(2), kw = isFC ? 1 : wType.getDimSize(3);
  auto w = constantInts(op, weight, "weight");
  if (failed(w))
    return failure();
  std::vector<int64_t> biasV(O, 0), thrV(O, INT32_MIN);
  if (bias) {
    auto b = constantInts(op, bias, "bias");
    if (failed(b))
      return failure();
    biasV = *b;
  }
  if (threshold) {
    auto t = constantInts(op, threshold, "threshold");
    if (failed(t))
      return failure();
    thrV = *t;
  }
  FailureOr<PostSpec> post = fusedPost(op, acc, O);
  if (failed(post))
    return failure();
  // A residual add after the layer runs in its post-processing, reading
  // the other operand's tile into INP next to the input tile.
  std::optional<ResidualSpec> residual;
  std::optional<DramTensor> skip;
  if (options.fuseResidual && post->zp == 0 &&
      (residual = fusedResidual(post->result))) {
    skip = tensors[residual->skip];
    post->result = residual->result;
    post->fused.append(residual->fused);
  }
  if (failed(define(op, post->result)))
    return failure();
  DramTensor out = tensors[post->result];
  for (Operation *f : post->fused)
    fused.insert(f);

  // Geometry.
  int64_t N = in->n, H = isFC ? 1 : in->h, W = isFC ? 1 : in->w, C = in->c;
  int64_t OH = isFC ? 1 : out.h, OW = isFC ? 1 : out.w;
  int64_t sh = strides[0], sw = strides[1], dh = dil[0], dw = dil[1];
  int64_t pt = pad[0], pl = pad[1], pr = pad[3];
  int64_t Wp = W + pl + pr, kSize = kh * kw * Ig;
  // A kernel one row high without vertical padding reads every sh-th
  // input row only (a strided 1x1 downsampling layer): the DMA loads those
  // (a DRAM stride of sh rows) and the tiles see an input of Hs rows with a
  // vertical stride of 1.
  int64_t rowSkip = kh == 1 && pt == 0 && pad[2] == 0 ? sh : 1;
  sh /= rowSkip;
  int64_t Hs = (H + rowSkip - 1) / rowSkip;
  bool gatedKind = kind != Dense;

  // Weights OIHW -> O x kh x kw x I, and per-block parameters.
  std::vector<uint8_t> wBytes(O * kSize);
  for (int64_t o = 0; o < O; ++o)
    for (int64_t c = 0; c < Ig; ++c)
      for (int64_t y = 0; y < kh; ++y)
        for (int64_t x = 0; x < kw; ++x)
          wBytes[((o * kh + y) * kw + x) * Ig + c] = static_cast<uint8_t>(
              (*w)[((o * Ig + c) * kh + y) * kw + x]);
  uint64_t wAddr = addConstant(wBytes);

  // Output channel blocks: at most half of WGT and PARAM, a multiple of the
  // array width where possible, inside one gating group.
  int64_t inpHalf = cfg.inpBytes / 2, outHalf = cfg.outBytes / 2,
          wgtHalf = cfg.wgtBytes / 2, paramHalf = cfg.paramBytes / 2;
  // With the vector unit beside the array, tiles alternate between the
  // halves of ACC too, so that a tile's post runs while the next tile
  // convolves; otherwise every tile takes all of ACC.
  int64_t accTile = cfg.vectorOverlap ? cfg.accBytes / 2 : cfg.accBytes;
  int64_t groupSize = (kind == ChannelGated && grouped) ? O / partitions : O;
  // Words of the post's extra stages after the block's parameters.
  int64_t stageWords = (post->leaky ? 2 : 0) +
                     (residual ? int64_t(residual->words.size()) : 0);
  int64_t tcMax =
      std::min({groupSize, wgtHalf / kSize, (paramHalf - 4 * stageWords) / 16});
  if (tcMax < 1)
    return op->emitOpError() << "does not fit the accelerator: the weights of "
                                "one output channel ("
                             << kSize << " bytes) exceed half of WGT ("
                             << wgtHalf << " bytes)";
  // The input rows of `rows` output rows.
  auto inRows = [&](int64_t rows) { return (rows - 1) * sh + (kh - 1) * dh + 1; };
  // The bytes of each half of INP and OUT the tiles may use (a fused
  // pool's tiles take the rest).
  int64_t inpBudget = inpHalf, outBudget = outHalf;
  // Output rows per tile for a block of `tc` channels.
  auto rowsFor = [&](int64_t tc) {
    // Input rows and (residual) the skip tile share half of INP.
    int64_t rowBytes = Wp * C, resRow = skip ? OW * tc : 0;
    int64_t first = inRows(1) * rowBytes + resRow;
    int64_t rows = first > inpBudget
                       ? 0
                       : (inpBudget - first) / (sh * rowBytes + resRow) + 1;
    rows = std::min(rows, accTile / (4 * tc * OW));
    rows = std::min(rows, outBudget / (tc * OW));
    rows = std::min(rows, int64_t(65535) / OW);
    if (gatedKind) {
      rows = std::min(rows, cfg.bmpBytes / (tc * OW));
      int64_t lists = cfg.perChannelCompact ? tc : 1;
      rows = std::min(rows, cfg.idxBytes / (4 * lists * OW));
    }
    return std::min(rows, OH);
  };
  int64_t lowBits = bits - highBits;
  int64_t inBits = getElementInfo(getElementTypeOrSelf(input.getType()))->bits;
  // The layer's cycles with blocks of `tc` channels and tiles of `th` rows
  // by the cycle model of docs/isa.md, a gated layer's conditional pass
  // taken with half of its gates on: the array, DRAM and (vector_overlap)
  // the vector unit overlap, so the slowest of them.
  auto dma = [&](double bytes) {
    return cfg.dramLatency + bytes / cfg.dramBytesPerCycle;
  };
  // Tiles per block with tiles of `th` rows or stacks of `imgs` images.
  auto tilesPerBlock = [&](int64_t th, int64_t imgs) {
    return imgs > 1 ? (N + imgs - 1) / imgs : N * ((OH + th - 1) / th);
  };
  // Stacked tiles (see the tile loop): each image with its padding rows,
  // `HpS` rows (rounded up to a multiple of the stride), gives `vr` output
  // rows of which the last `vr - OH` straddle two images and are dropped.
  int64_t HpS = (H + pt + pad[2] + sh - 1) / sh * sh, vr = HpS / sh;
  auto stackRows = [&](int64_t m) { return m * vr - (vr - OH); };
  // `extraVector`, `extraDram`: a fused pool's cycles on either. `imgs`:
  // images per stacked tile (1: tiles of `th` rows of one image). `ends`:
  // with the pipeline's ends (which the choice of tile heights weighs;
  // whether to stack images is decided on the steady state alone, where
  // small images' fixed costs per tile, which this model does not count,
  // favour stacking).
  auto estimate = [&](int64_t tc, int64_t th, double extraVector = 0,
                      double extraDram = 0, int64_t imgs = 1,
                      bool ends = true) {
    auto ceilDiv = [](int64_t a, int64_t b) { return (a + b - 1) / b; };
    auto slices = [&](int64_t b) { return ceilDiv(b, cfg.sliceBits); };
    int64_t R = cfg.rows, F = cfg.fill(), L = cfg.lanes(), plane = kh * kw;
    int64_t baseCh = kind == ChannelGated ? C / partitions : Ig;
    int64_t kBase =
        plane * baseCh * slices(kind == PrecisionGated ? highBits : inBits);
    int64_t kCond = kind == ChannelGated ? plane * (Ig - baseCh) * slices(inBits)
                                         : plane * Ig * slices(lowBits);
    double compute = 0, vector = extraVector, dram = extraDram;
    // The ends of the pipeline, which overlap nothing of the layer (once
    // per batch): the first tile's input load and the last tile's post and
    // store.
    double head = -1, tail = 0;
    // The post on the vector unit: beside the array, or in its turn.
    double &postCycles = cfg.vectorOverlap ? vector : compute;
    // With one tile per block the input stays in INP (see the tile loop):
    // the blocks after the first two load none.
    int64_t inputBlocks = tilesPerBlock(th, imgs) == 1 ? 2 : INT64_MAX,
            blockIndex = 0;
    for (int64_t g0 = 0; g0 < O; g0 += groupSize)
      for (int64_t o0 = g0; o0 < g0 + groupSize; o0 += tc, ++blockIndex) {
        int64_t n = std::min(tc, g0 + groupSize - o0),
                colPasses = ceilDiv(n, cfg.cols);
        bool reused = blockIndex >= inputBlocks;
        // Per image: the block's weights load once for the batch.
        dram += (dma(n * kSize) + dma(16 * n)) / N;
        // A tile of P output pixels, its loads' and its stores' cycles,
        // and the share of one image it computes.
        auto tile = [&](int64_t P, double load, double store, double share) {
          int64_t rowPasses = ceilDiv(P, R);
          double c = rowPasses * colPasses * kBase + F;
          if (gatedKind) {
            // Gate and compact; the conditional pass: per-channel lists
            // of P / 2 pixels, half a chunk (R / row_groups) lost per list.
            c += 2 * rowPasses * colPasses + F;
            double chunk = double(R) / cfg.groups();
            c += cfg.perChannelCompact
                     ? cfg.gatedPass(n * (0.5 * P / chunk + 0.5), kCond)
                           .cycles()
                     : double(kCond * rowPasses * colPasses);
          }
          double post = double(ceilDiv(P * n, L));
          compute += c * share;
          postCycles += post * share;
          dram += (load + store) * share;
          if (head < 0)
            head = load;
          tail = post + store;
        };
        if (imgs > 1) {
          tile(stackRows(imgs) * OW,
               imgs * dma((reused ? 0 : H * W * C) + (skip ? OH * OW * n : 0)),
               imgs * dma(OH * OW * n), 1.0 / imgs);
          continue;
        }
        for (int64_t oy0 = 0; oy0 < OH; oy0 += th) {
          int64_t rows = std::min(th, OH - oy0), P = rows * OW;
          tile(P, dma((reused ? 0 : inRows(rows) * W * C) + (skip ? P * n : 0)),
               dma(P * n), 1);
        }
      }
    return std::max({compute, vector, dram}) + (ends ? (head + tail) / N : 0);
  };
  // Candidate blocks: the multiples of the array width up to the largest
  // (fewer channels, more rows per tile; a block that is no multiple wastes
  // columns in every pass), or, narrower than the array, the largest and
  // its halves; the cheapest estimate wins, ties the wider.
  SmallVector<int64_t> candidates;
  for (int64_t t = tcMax / cfg.cols * cfg.cols; t >= cfg.cols; t -= cfg.cols)
    candidates.push_back(t);
  if (tcMax < cfg.cols)
    for (int64_t t = tcMax; t >= 1; t /= 2)
      candidates.push_back(t);
  int64_t tc = 0, th = 0;
  double best = 0;
  for (int64_t t : candidates) {
    int64_t rows = rowsFor(t);
    if (rows < 1)
      continue;
    // As many tiles, of even heights: a short last tile would drain the
    // pipeline (its compute cannot cover the next tile's loads).
    int64_t count = (OH + rows - 1) / rows;
    rows = (OH + count - 1) / count;
    double e = estimate(t, rows);
    if (!tc || e < best)
      tc = t, th = rows, best = e;
  }
  if (!tc) {
    int64_t inRow = ((kh - 1) * dh + 1) * Wp * C;
    return op->emitOpError()
           << "does not fit the accelerator: one output row needs " << inRow
           << " bytes of input (half of INP is " << inpHalf << ") and "
           << OW * 4 << " bytes of accumulators per output channel ("
           << (cfg.vectorOverlap ? "half of ACC is " : "ACC is ") << accTile
           << ")";
  }
  // A max or average pool of the result alone (fuse-pool) runs in this
  // layer's tiles: blocks of a whole gating group (all the channels unless
  // grouped), tiles of `th` rows using the bottom of each half of INP and
  // OUT, and pool tiles of `poolRows` output rows in the top `poolInp` and
  // `poolOut` bytes; `poolAt[j]` is the tile pool tile `j` joins. It does
  // so only with the vector unit beside the array (otherwise nothing
  // overlaps) and where the cycle model estimates the fused layer faster
  // than the two apart.
  std::optional<PoolArgs> pool;
  int64_t poolRows = 0, poolInp = 0, poolOut = 0;
  std::vector<int64_t> poolAt;
  if (options.fusePool && cfg.vectorOverlap && !isFC &&
      post->result.hasOneUse())
    pool = poolArgs(*post->result.getUsers().begin());
  if (pool && tcMax >= groupSize) {
    if (failed(checkInt8(pool->op, pool->input, "input")))
      return failure();
    auto pType = cast<ShapedType>(pool->output.getType());
    int64_t PH = pType.getDimSize(2), PW = pType.getDimSize(3);
    // The pool's vector-unit and DRAM cycles in tiles of `rows` output
    // rows (per image, as `estimate`).
    auto poolEstimate = [&](int64_t rows) {
      double vector = 0, dram = 0;
      for (int64_t oy0 = 0; oy0 < PH; oy0 += rows) {
        int64_t r = std::min(rows, PH - oy0);
        auto [bIn, bOut] = poolTileBytes(*pool, OH, OW, O, PW, r);
        vector += std::ceil(double(r * PW * O * pool->k[0] * pool->k[1]) /
                            cfg.lanes());
        dram += dma(bIn) + dma(bOut);
      }
      return std::make_pair(vector, dram);
    };
    int64_t alone = poolRowsFitting(*pool, OH, OW, O, PW, PH, inpHalf, outHalf);
    double apart = best;
    if (alone) {
      auto [v, d] = poolEstimate(alone);
      apart += std::max(v, d);
    }
    for (int64_t rb = PH; rb >= 1 && !poolRows; --rb) {
      auto [bIn, bOut] = poolTileBytes(*pool, OH, OW, O, PW, rb);
      if (bIn >= inpHalf || bOut >= outHalf)
        continue;
      inpBudget = inpHalf - bIn, outBudget = outHalf - bOut;
      int64_t ra = std::min(rowsFor(groupSize), rb * pool->s[0]);
      if (ra < 1)
        continue;
      auto [v, d] = poolEstimate(rb);
      if (estimate(groupSize, ra, v, d) >= apart)
        continue;
      // A pool tile reads what the convolution stored: its loads wait for
      // the compute of the tile two before theirs, which waited for the
      // stores of the tile two before that (emitLayer's tokens), so it
      // joins the fourth tile after the last one it reads from or later.
      // The pool tiles after the convolution's must follow each other. A
      // row is complete in the last block's tile (blocks outermost).
      int64_t perBlock = (OH + ra - 1) / ra, blocksPer = O / groupSize,
              convTiles = N * blocksPer * perBlock;
      std::vector<int64_t> at;
      for (int64_t n = 0; n < N; ++n)
        for (int64_t oy0 = 0; oy0 < PH; oy0 += rb) {
          int64_t last =
              poolRowsRead(*pool, OH, oy0, std::min(rb, PH - oy0)).second;
          int64_t k = ((blocksPer - 1) * N + n) * perBlock + last / ra + 4;
          if (!at.empty())
            k = std::max(k, at.back() + 1);
          if (k > std::max(convTiles, at.empty() ? 0 : at.back() + 1))
            break;
          at.push_back(k);
        }
      if (int64_t(at.size()) < N * ((PH + rb - 1) / rb))
        continue;
      poolRows = rb, poolInp = bIn, poolOut = bOut, poolAt = std::move(at);
      tc = groupSize, th = ra;
    }
    if (!poolRows)
      inpBudget = inpHalf, outBudget = outHalf;
  }

  // Small maps in a batch: a tile of `imgs` whole images stacked in INP,
  // each with its padding rows (HpS), so that a pass of `rows` pixels and
  // a conditional pass's chunks are not left mostly empty by one small
  // image. The output rows that straddle two images are computed (and
  // gated) but not stored. Where the cycle model says so; with one block,
  // at most half the batch, so that the layer has two tiles to overlap.
  int64_t imgs = 1;
  if (N > 1 && rowSkip == 1 && !poolRows && th >= OH) {
    auto fits = [&](int64_t m) {
      int64_t P = stackRows(m) * OW;
      if (m * HpS * Wp * C + (skip ? P * tc : 0) > inpHalf ||
          4 * P * tc > accTile || P * tc > outHalf || stackRows(m) > 65535 / OW)
        return false;
      return !gatedKind ||
             (P * tc <= cfg.bmpBytes &&
              4 * (cfg.perChannelCompact ? tc : 1) * P <= cfg.idxBytes);
    };
    double alone = estimate(tc, th, 0, 0, 1, false);
    int64_t blockCount = O / groupSize * ((groupSize + tc - 1) / tc);
    for (int64_t m = blockCount > 1 ? N : (N + 1) / 2; m >= 2 && imgs == 1; --m)
      if (fits(m) && estimate(tc, th, 0, 0, m, false) < alone)
        imgs = m;
  }

  // Blocks [o0, o0 + tcb) and their parameters in DRAM.
  struct Block {
    int64_t o0, tc;
    uint64_t params;
  };
  std::vector<Block> blocks;
  for (int64_t g0 = 0; g0 < O; g0 += groupSize)
    for (int64_t o0 = g0; o0 < g0 + groupSize; o0 += tc) {
      int64_t n = std::min(tc, g0 + groupSize - o0);
      std::vector<int32_t> words;
      for (auto *src : {&biasV, &thrV})
        for (int64_t j = 0; j < n; ++j)
          words.push_back(static_cast<int32_t>((*src)[o0 + j]));
      for (int64_t j = 0; j < n; ++j)
        words.push_back(post->mult[o0 + j]);
      for (int64_t j = 0; j < n; ++j)
        words.push_back(post->shift[o0 + j]);
      if (post->leaky) {
        words.push_back(post->leaky->first);
        words.push_back(post->leaky->second);
      }
      if (residual)
        words.insert(words.end(), residual->words.begin(), residual->words.end());
      blocks.push_back({o0, n, addConstantWords(ArrayRef<int32_t>(words))});
    }

  // With one tile per block, tile t + 2 reads the input rows tile t
  // loaded into the same half of INP (the array never writes INP; the
  // skip tile goes after the input rows), so after the first two tiles a
  // tile loads only its block's weights and parameters. ResNet-18's 7 x 7
  // layers at batch 1 loaded their input once per block of 32 channels,
  // 16 times.
  int64_t perBlock = tilesPerBlock(th, imgs);
  bool reuseInput = !poolRows && perBlock == 1;
  // With two or more, a block's weights and parameters load after the
  // input of the tile before its first (`ahead`), while that tile
  // computes: their half of WGT and PARAM was last read by the block two
  // before, done when that tile's loads may start (they wait for the
  // compute of the tile two before it). Loaded with the block's first
  // tile instead, they waited for the compute of the tile two before
  // that one and the array for them (CIFAR ResNet-18 at batch 8, layer 4:
  // a stack of 7 images and one of 1 per block of 32 channels, 3k cycles
  // of each block's 10k).
  bool loadAhead = !poolRows && perBlock >= 2;
  std::vector<Tile> tiles;
  I::Instr cfgI = make(I::Opcode::Config);
  cfgI[I::Config::in_w] = Wp;
  cfgI[I::Config::in_c] = C;
  cfgI[I::Config::out_w] = OW;
  cfgI[I::Config::kh] = kh;
  cfgI[I::Config::kw] = kw;
  cfgI[I::Config::sh] = sh;
  cfgI[I::Config::sw] = sw;
  cfgI[I::Config::dh] = dh;
  cfgI[I::Config::dw] = dw;
  cfgI[I::Config::w_c] = Ig;
  cfgI[I::Config::oc_per_group] = groups > 1 ? O / groups : 0;
  cfgI[I::Config::unit] = 1;
  // A block's weights and parameters load once for the whole batch: its
  // tiles run for every image before the next block's. Blocks alternate
  // between the halves of WGT and PARAM, counted across the layers, so
  // that the next layer's first block loads into the other half while
  // this layer's last block runs (emitLayer).
  for (size_t b = 0; b < blocks.size(); ++b, ++blockSeq) {
    const Block &blk = blocks[b];
    int64_t wHalf = (blockSeq % 2) * wgtHalf,
            pHalf = (blockSeq % 2) * paramHalf;
    for (int64_t n = 0; n < N; n += imgs)
      for (int64_t oy0 = 0; oy0 < OH; oy0 += th) {
        // Images n .. n + m - 1, stacked when imgs > 1 (then th >= OH).
        int64_t m = std::min(imgs, N - n);
        int64_t rows = imgs > 1 ? stackRows(m) : std::min(th, OH - oy0);
        int64_t slot = tiles.size() % 2, P = rows * OW;
        int64_t accAddr = cfg.vectorOverlap ? slot * accTile : 0;
        Tile tile;
        if (n == 0 && oy0 == 0) {
          SmallVector<I::Instr> &constants =
              loadAhead && b > 0 ? tiles.back().ahead : tile.loads;
          I::Instr ld = make(I::Opcode::DmaLoad);
          ld[I::DmaLoad::buf] = 1;
          ld[I::DmaLoad::sram] = wHalf;
          ld[I::DmaLoad::dram] = wAddr + blk.o0 * kSize;
          ld[I::DmaLoad::y_size] = 1;
          ld[I::DmaLoad::x_size] = blk.tc * kSize;
          ld[I::DmaLoad::dram_stride] = blk.tc * kSize;
          constants.push_back(ld);
          ld[I::DmaLoad::buf] = 2;
          ld[I::DmaLoad::sram] = pHalf;
          ld[I::DmaLoad::dram] = blk.params;
          ld[I::DmaLoad::x_size] = 16 * blk.tc + 4 * stageWords;
          ld[I::DmaLoad::dram_stride] = 16 * blk.tc + 4 * stageWords;
          constants.push_back(ld);
        }
        // Each image's input rows (stacked: all of them and the padding,
        // HpS rows per image).
        for (int64_t i = 0; i < m && !(reuseInput && tiles.size() >= 2);
             ++i) {
          int64_t iy0 = oy0 * sh - pt,
                  iy1 = iy0 + (imgs > 1 ? HpS : inRows(rows));
          int64_t v0 = std::max<int64_t>(0, iy0), v1 = std::min(Hs, iy1);
          I::Instr ld = make(I::Opcode::DmaLoad);
          ld[I::DmaLoad::buf] = 0;
          ld[I::DmaLoad::sram] = slot * inpHalf + i * HpS * Wp * C;
          ld[I::DmaLoad::dram] =
              in->addr + (((n + i) * H + v0 * rowSkip) * W) * C;
          ld[I::DmaLoad::y_size] = std::max<int64_t>(0, v1 - v0);
          ld[I::DmaLoad::x_size] = W * C;
          ld[I::DmaLoad::dram_stride] = rowSkip * W * C;
          ld[I::DmaLoad::pad_top] = v0 - iy0;
          ld[I::DmaLoad::pad_bottom] = iy1 - std::max(v0, v1);
          ld[I::DmaLoad::pad_left] = pl;
          ld[I::DmaLoad::pad_right] = pr;
          ld[I::DmaLoad::elem] = C;
          tile.loads.push_back(ld);
        }
        // The skip tile after the largest input tile, each image's at the
        // first output pixel of its rows.
        int64_t resSram =
            slot * inpHalf + (imgs > 1 ? imgs * HpS : inRows(th)) * Wp * C;
        for (int64_t i = 0; skip && i < m; ++i) {
          I::Instr rl = make(I::Opcode::DmaLoad);
          rl[I::DmaLoad::buf] = 0;
          rl[I::DmaLoad::sram] = resSram + i * vr * OW * blk.tc;
          rl[I::DmaLoad::dram] =
              skip->addr + (((n + i) * OH + oy0) * OW) * O + blk.o0;
          rl[I::DmaLoad::y_size] = imgs > 1 ? OH * OW : P;
          rl[I::DmaLoad::x_size] = blk.tc;
          rl[I::DmaLoad::dram_stride] = O;
          tile.loads.push_back(rl);
        }

        if (tiles.empty())
          tile.compute.push_back(cfgI);
        I::Instr conv = make(I::Opcode::Conv);
        conv[I::Conv::inp] = slot * inpHalf;
        conv[I::Conv::wgt] = wHalf;
        conv[I::Conv::acc] = accAddr;
        conv[I::Conv::param] = pHalf;
        conv[I::Conv::rows] = rows;
        conv[I::Conv::oc_base] = blk.o0;
        conv[I::Conv::oc_count] = blk.tc;
        conv[I::Conv::ch_lo] = 0;
        conv[I::Conv::ch_hi] = Ig;
        conv[I::Conv::init] = 1;
        conv[I::Conv::bias] = 1;
        conv[I::Conv::op_bits] = inBits;
        if (kind == ChannelGated) {
          int64_t k = grouped ? blk.o0 / groupSize : 0, bw = C / partitions;
          conv[I::Conv::ch_lo] = k * bw;
          conv[I::Conv::ch_hi] = (k + 1) * bw;
        } else if (kind == PrecisionGated) {
          conv[I::Conv::mode] = 1;
          conv[I::Conv::low_bits] = lowBits;
          conv[I::Conv::op_bits] = highBits;
        }
        tile.compute.push_back(conv);
        if (gatedKind) {
          I::Instr gate = make(I::Opcode::Gate);
          gate[I::Gate::acc] = accAddr;
          gate[I::Gate::param] = pHalf + 4 * blk.tc;
          gate[I::Gate::bmp] = 0;
          gate[I::Gate::pixels] = P;
          gate[I::Gate::oc_count] = blk.tc;
          tile.compute.push_back(gate);
          I::Instr compact = make(I::Opcode::Compact);
          compact[I::Compact::bmp] = 0;
          compact[I::Compact::idx] = 0;
          compact[I::Compact::pixels] = P;
          compact[I::Compact::oc_count] = blk.tc;
          compact[I::Compact::per_channel] = cfg.perChannelCompact;
          tile.compute.push_back(compact);
          I::Instr cond = conv;
          cond[I::Conv::init] = 0;
          cond[I::Conv::bias] = 0;
          cond[I::Conv::gated] = 1;
          if (kind == ChannelGated) {
            cond[I::Conv::exclude] = 1;
          } else {
            cond[I::Conv::mode] = 2;
            cond[I::Conv::op_bits] = lowBits;
          }
          tile.compute.push_back(cond);
        }
        I::Instr postI = make(I::Opcode::Post);
        postI[I::Post::acc] = accAddr;
        postI[I::Post::out] = slot * outHalf;
        postI[I::Post::param] = pHalf + 8 * blk.tc;
        postI[I::Post::pixels] = P;
        postI[I::Post::oc_count] = blk.tc;
        postI[I::Post::clamp_lo] = post->lo;
        postI[I::Post::clamp_hi] = post->hi;
        postI[I::Post::out_zp] = post->zp;
        postI[I::Post::round] = post->roundUp;
        postI[I::Post::stage_param] = pHalf + 16 * blk.tc;
        if (post->leaky)
          postI[I::Post::leaky] = 1;
        if (skip) {
          postI[I::Post::residual] = 1;
          postI[I::Post::res] = resSram;
        }
        tile.compute.push_back(postI);

        // Each image's output rows (stacked: not the rows between images).
        for (int64_t i = 0; i < m; ++i) {
          I::Instr st = make(I::Opcode::DmaStore);
          st[I::DmaStore::sram] = slot * outHalf + i * vr * OW * blk.tc;
          st[I::DmaStore::dram] =
              out.addr + (((n + i) * OH + oy0) * OW) * O + blk.o0;
          st[I::DmaStore::y_size] = imgs > 1 ? OH * OW : P;
          st[I::DmaStore::x_size] = blk.tc;
          st[I::DmaStore::dram_stride] = O;
          tile.stores.push_back(st);
        }
        tiles.push_back(std::move(tile));
      }
  }
  // The first tile starts with the first block's weights and parameters.
  if (!poolRows)
    return emitLayer(op, tiles, /*constantLoads=*/2, /*prefetchSource=*/true);

  // The fused pool's tiles: loads after the convolution's, the pool
  // before the post (so that it runs on the vector unit while the array
  // convolves), stores after the convolution's.
  if (failed(define(pool->op, pool->output)))
    return failure();
  DramTensor pooled = tensors[pool->output];
  fused.insert(pool->op);
  size_t j = 0;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oy0 = 0; oy0 < pooled.h; oy0 += poolRows) {
      size_t k = poolAt[j++];
      int64_t slot = k % 2;
      Tile b = poolTile(*pool, out, pooled, n, oy0,
                        std::min(poolRows, pooled.h - oy0),
                        slot * inpHalf + inpHalf - poolInp,
                        slot * outHalf + outHalf - poolOut);
      if (j == 1)
        b.compute.insert(b.compute.begin(), poolConfig(*pool, out, pooled));
      if (k == tiles.size())
        tiles.emplace_back();
      Tile &m = tiles[k];
      m.loads.append(b.loads);
      m.compute.insert(m.compute.empty() ? m.compute.end()
                                         : std::prev(m.compute.end()),
                       b.compute.begin(), b.compute.end());
      m.stores.append(b.stores);
    }
  return emitLayer(op, tiles, /*constantLoads=*/2, /*prefetchSource=*/true,
                   pool->op);
}

//===----------------------------------------------------------------------===//
// Vector-unit layers
//===----------------------------------------------------------------------===//

I::Instr Compiler::poolConfig(const PoolArgs &a, const DramTensor &in,
                              const DramTensor &out) {
  I::Instr cfgI = make(I::Opcode::Config);
  cfgI[I::Config::in_h] = in.h;
  cfgI[I::Config::in_w] = in.w;
  cfgI[I::Config::in_c] = in.c;
  cfgI[I::Config::out_w] = out.w;
  cfgI[I::Config::kh] = a.k[0];
  cfgI[I::Config::kw] = a.k[1];
  cfgI[I::Config::sh] = a.s[0];
  cfgI[I::Config::sw] = a.s[1];
  cfgI[I::Config::dh] = 1;
  cfgI[I::Config::dw] = 1;
  cfgI[I::Config::pad_t] = a.pad[0];
  cfgI[I::Config::pad_l] = a.pad[1];
  cfgI[I::Config::unit] = 2;
  return cfgI;
}

Tile Compiler::poolTile(const PoolArgs &a, const DramTensor &in,
                        const DramTensor &out, int64_t n, int64_t oy0,
                        int64_t rows, int64_t inp, int64_t outAddr) {
  int64_t H = in.h, W = in.w, C = in.c, OH = out.h, OW = out.w;
  auto [first, last] = poolRowsRead(a, H, oy0, rows);
  auto info = *getElementInfo(getElementTypeOrSelf(a.output.getType()));
  Tile tile;
  I::Instr ld = make(I::Opcode::DmaLoad);
  ld[I::DmaLoad::sram] = inp;
  ld[I::DmaLoad::dram] = in.addr + ((n * H + first) * W) * C;
  ld[I::DmaLoad::y_size] = std::max<int64_t>(0, last - first + 1);
  ld[I::DmaLoad::x_size] = W * C;
  ld[I::DmaLoad::dram_stride] = W * C;
  ld[I::DmaLoad::elem] = C;
  tile.loads.push_back(ld);
  I::Instr p = make(I::Opcode::Pool);
  p[I::Pool::inp] = inp;
  p[I::Pool::out] = outAddr;
  p[I::Pool::row0] = first;
  p[I::Pool::oy0] = oy0;
  p[I::Pool::rows] = rows;
  p[I::Pool::mode] = a.avg;
  p[I::Pool::include_pad] = a.includePad;
  p[I::Pool::clamp_lo] = info.storageMin;
  p[I::Pool::clamp_hi] = info.storageMax;
  tile.compute.push_back(p);
  I::Instr st = make(I::Opcode::DmaStore);
  st[I::DmaStore::sram] = outAddr;
  st[I::DmaStore::dram] = out.addr + ((n * OH + oy0) * OW) * C;
  st[I::DmaStore::y_size] = 1;
  st[I::DmaStore::x_size] = rows * OW * C;
  st[I::DmaStore::dram_stride] = rows * OW * C;
  tile.stores.push_back(st);
  return tile;
}

LogicalResult Compiler::poolLayer(const PoolArgs &a) {
  Operation *op = a.op;
  if (failed(checkInt8(op, a.input, "input")))
    return failure();
  FailureOr<DramTensor> in = lookup(op, a.input);
  if (failed(in) || failed(define(op, a.output)))
    return failure();
  DramTensor out = tensors[a.output];
  int64_t N = in->n, H = in->h, W = in->w, C = in->c, OH = out.h, OW = out.w;
  int64_t inpHalf = cfg.inpBytes / 2, outHalf = cfg.outBytes / 2;
  // Output rows per tile: whole input rows in half of INP, outputs in half
  // of OUT.
  int64_t th = poolRowsFitting(a, H, W, C, OW, OH, inpHalf, outHalf);
  if (th < 1)
    return op->emitOpError()
           << "does not fit the accelerator: one output row needs "
           << poolTileBytes(a, H, W, C, OW, 1).first
           << " bytes of input rows (half of INP is " << inpHalf << ") and "
           << OW * C << " bytes of output (half of OUT is " << outHalf << ")";
  std::vector<Tile> tiles;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t oy0 = 0; oy0 < OH; oy0 += th) {
      int64_t slot = tiles.size() % 2;
      tiles.push_back(poolTile(a, *in, out, n, oy0, std::min(th, OH - oy0),
                               slot * inpHalf, slot * outHalf));
      if (tiles.size() == 1)
        tiles.back().compute.insert(tiles.back().compute.begin(),
                                    poolConfig(a, *in, out));
    }
  return emitLayer(op, tiles);
}

FailureOr<EwiseNode> Compiler::describeEwise(Operation *op) {
  EwiseNode n;
  n.op = op;
  Value out = op->getResult(0);
  for (Value v : op->getOperands())
    if (failed(checkInt8(op, v, "operand")))
      return failure();
  if (failed(checkInt8(op, out, "result")))
    return failure();
  auto info = *getElementInfo(getElementTypeOrSelf(out.getType()));
  n.lo = info.storageMin;
  n.hi = info.storageMax;
  n.operands.assign(op->getOperands().begin(), op->getOperands().end());
  if (auto rq = dyn_cast<cgnet::RequantizeOp>(op)) {
    n.kind = 1;
    auto shape = cast<ShapedType>(rq.getType()).getShape();
    if (rq.getMultiplier().size() > 1) {
      if (rq.getAxis() != 1 || (shape.size() != 4 && shape.size() != 2))
        return rq.emitOpError("cannot run on the accelerator: per-channel "
                              "parameters must be along the channel axis (1) "
                              "of a rank-2 or rank-4 tensor");
      n.channels = shape[1];
    }
    n.mult.assign(rq.getMultiplier().begin(), rq.getMultiplier().end());
    n.shift.assign(rq.getShift().begin(), rq.getShift().end());
    n.roundUp = rq.getRounding() == RoundingMode::HalfUp;
  } else if (llvm::isa<cgnet::ReluOp>(op)) {
    n.kind = 2;
    n.lo = std::max<int64_t>(0, n.lo);
  } else if (auto c = dyn_cast<cgnet::ClampOp>(op)) {
    n.kind = 2;
    if (auto v = c.getMinInt())
      n.lo = std::max<int64_t>(n.lo, static_cast<int64_t>(*v));
    if (auto v = c.getMaxInt())
      n.hi = std::min<int64_t>(n.hi, static_cast<int64_t>(*v));
    if (n.lo > n.hi)
      return c.emitOpError("cannot run on the accelerator: empty range");
  }
  return n;
}

/// Runs `root` and the element-wise ops that feed only it, transitively, as
/// one layer: the inputs from outside the group are loaded into INP, every
/// op writes its own region of OUT, later ops read earlier results there,
/// and only the root's result goes back to DRAM.
LogicalResult Compiler::ewiseGroup(Operation *root) {
  SmallVector<Operation *> members;
  SmallVector<Value> leaves;
  std::function<void(Operation *)> collect = [&](Operation *op) {
    members.push_back(op);
    for (Value v : op->getOperands()) {
      Operation *def = v.getDefiningOp();
      if (def && isEwise(def) && v.hasOneUse() && !fused.contains(def) &&
          !tensors.count(v))
        collect(def);
      else if (!llvm::is_contained(leaves, v))
        leaves.push_back(v);
    }
  };
  collect(root);
  llvm::sort(members, [](Operation *a, Operation *b) {
    return a->isBeforeInBlock(b);
  });
  std::vector<EwiseNode> nodes;
  int64_t channels = 1;
  for (Operation *op : members) {
    FailureOr<EwiseNode> n = describeEwise(op);
    if (failed(n))
      return failure();
    channels = std::max(channels, n->channels);
    nodes.push_back(*n);
  }
  SmallVector<DramTensor> leafTensors;
  for (Value v : leaves) {
    FailureOr<DramTensor> t = lookup(root, v);
    if (failed(t))
      return failure();
    leafTensors.push_back(*t);
  }
  Value output = root->getResult(0);
  if (failed(define(root, output)))
    return failure();
  DramTensor out = tensors[output];
  int64_t total = cast<ShapedType>(output.getType()).getNumElements();
  int64_t inpHalf = cfg.inpBytes / 2, outHalf = cfg.outBytes / 2,
          paramHalf = cfg.paramBytes / 2;
  int64_t chunk = std::min<int64_t>(
      {inpHalf / int64_t(leaves.size()), outHalf / int64_t(nodes.size()),
       (int64_t(1) << 24) - 1});
  chunk = chunk / channels * channels;
  // Requantization parameters: multipliers then shifts, per node.
  SmallVector<uint64_t> paramDram(nodes.size(), 0), paramSram(nodes.size(), 0);
  int64_t paramTop = 0;
  for (size_t k = 0; k < nodes.size(); ++k) {
    EwiseNode &n = nodes[k];
    if (n.kind != 1)
      continue;
    std::vector<int32_t> words;
    for (int64_t c = 0; c < n.channels; ++c)
      words.push_back(n.mult.size() == 1 ? n.mult[0] : n.mult[c]);
    for (int64_t c = 0; c < n.channels; ++c)
      words.push_back(n.shift.size() == 1 ? n.shift[0] : n.shift[c]);
    paramDram[k] = addConstantWords(ArrayRef<int32_t>(words));
    paramSram[k] = paramTop;
    paramTop += 8 * n.channels;
  }
  if (chunk < 1 || paramTop > paramHalf)
    return root->emitOpError()
           << "does not fit the accelerator: " << nodes.size()
           << " fused element-wise ops over " << channels
           << " channels need more than half of INP, OUT or PARAM";
  auto regionOf = [&](Value v, int64_t slot, int64_t &addr, int64_t &buf) {
    for (size_t k = 0; k < nodes.size(); ++k)
      if (nodes[k].op->getResult(0) == v) {
        addr = slot * outHalf + int64_t(k) * chunk;
        buf = 1;
        return;
      }
    int64_t l = llvm::find(leaves, v) - leaves.begin();
    addr = slot * inpHalf + l * chunk;
    buf = 0;
  };
  std::vector<Tile> tiles;
  for (int64_t e0 = 0; e0 < total; e0 += chunk) {
    int64_t n = std::min(chunk, total - e0), slot = tiles.size() % 2;
    Tile tile;
    if (tiles.empty())
      for (size_t k = 0; k < nodes.size(); ++k) {
        if (nodes[k].kind != 1)
          continue;
        I::Instr ld = make(I::Opcode::DmaLoad);
        ld[I::DmaLoad::buf] = 2;
        ld[I::DmaLoad::sram] = paramSram[k];
        ld[I::DmaLoad::dram] = paramDram[k];
        ld[I::DmaLoad::y_size] = 1;
        ld[I::DmaLoad::x_size] = 8 * nodes[k].channels;
        ld[I::DmaLoad::dram_stride] = 8 * nodes[k].channels;
        tile.loads.push_back(ld);
      }
    for (size_t l = 0; l < leaves.size(); ++l) {
      I::Instr ld = make(I::Opcode::DmaLoad);
      ld[I::DmaLoad::sram] = slot * inpHalf + int64_t(l) * chunk;
      ld[I::DmaLoad::dram] = leafTensors[l].addr + e0;
      ld[I::DmaLoad::y_size] = 1;
      ld[I::DmaLoad::x_size] = n;
      ld[I::DmaLoad::dram_stride] = n;
      tile.loads.push_back(ld);
    }
    for (size_t k = 0; k < nodes.size(); ++k) {
      const EwiseNode &node = nodes[k];
      I::Instr ew = make(I::Opcode::Ewise);
      ew[I::Ewise::op] = node.kind;
      regionOf(node.operands[0], slot, ew[I::Ewise::a], ew[I::Ewise::a_buf]);
      if (node.operands.size() > 1)
        regionOf(node.operands[1], slot, ew[I::Ewise::b],
                 ew[I::Ewise::b_buf]);
      ew[I::Ewise::out] = slot * outHalf + int64_t(k) * chunk;
      ew[I::Ewise::count] = n;
      ew[I::Ewise::channels] = node.channels;
      ew[I::Ewise::param] = paramSram[k];
      ew[I::Ewise::clamp_lo] = node.lo;
      ew[I::Ewise::clamp_hi] = node.hi;
      ew[I::Ewise::round] = node.roundUp;
      tile.compute.push_back(ew);
    }
    tile.stores.push_back(contiguousStore(
        slot * outHalf + int64_t(nodes.size() - 1) * chunk, out.addr + e0, n));
    tiles.push_back(std::move(tile));
  }
  for (Operation *op : members)
    fused.insert(op);
  return emitLayer(root, tiles);
}

LogicalResult Compiler::reshape(cgnet::ReshapeOp op) {
  FailureOr<DramTensor> in = lookup(op, op.getInput());
  if (failed(in))
    return failure();
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  int64_t total = outType.getNumElements();
  bool samePlace = true;
  for (int64_t e = 0; e < total && samePlace; ++e)
    samePlace = I::dramIndex(in->shape, e) ==
                I::dramIndex(outType.getShape(), e);
  if (samePlace) {
    DramTensor t = *in;
    t.shape.assign(outType.getShape().begin(), outType.getShape().end());
    if (outType.getRank() == 4) {
      t.n = t.shape[0], t.c = t.shape[1], t.h = t.shape[2], t.w = t.shape[3];
    } else {
      t.n = t.shape[0], t.h = 1, t.w = 1, t.c = total / t.n;
    }
    tensors[op.getOutput()] = t;
    return success();
  }
  return relayout(op, *in, op.getOutput());
}

/// A reshape that moves elements in DRAM (int8 NHWC): the result's bytes
/// in order, each tile's worth gathered into INP by DMA loads of runs
/// whose source bytes are evenly spaced (a run of one channel across
/// pixels, or of contiguous bytes), copied to OUT by the vector unit and
/// stored contiguously.
LogicalResult Compiler::relayout(Operation *op, const DramTensor &in,
                                 Value output) {
  auto outType = cast<RankedTensorType>(output.getType());
  int64_t total = outType.getNumElements();
  // source[d]: the input's DRAM offset of the result's DRAM byte d.
  std::vector<int64_t> source(total);
  for (int64_t e = 0; e < total; ++e)
    source[I::dramIndex(outType.getShape(), e)] = I::dramIndex(in.shape, e);
  int64_t inpHalf = cfg.inpBytes / 2, outHalf = cfg.outBytes / 2;
  int64_t chunk = std::min<int64_t>({inpHalf, outHalf, (int64_t(1) << 24) - 1});
  // Runs of result bytes [d, d + len) inside one tile whose sources are
  // evenly spaced by `stride` (y_size is 16 bits); backwards or repeated
  // sources go byte by byte.
  struct Run {
    int64_t d, len, stride;
  };
  std::vector<Run> runs;
  constexpr size_t kMaxTransfers = 65536;
  for (int64_t d0 = 0; d0 < total; d0 += chunk)
    for (int64_t d = d0, end = std::min(total, d0 + chunk); d < end;) {
      int64_t len = 1, stride = 1;
      if (d + 1 < end) {
        stride = source[d + 1] - source[d];
        while (d + len < end && len < 65535 &&
               source[d + len] - source[d + len - 1] == stride)
          ++len;
      }
      if (stride < 0 || (len > 1 && stride == 0))
        len = 1, stride = 1;
      if (runs.size() == kMaxTransfers)
        return op->emitOpError()
               << "cannot run on the accelerator: the reshape moves its "
                  "elements too irregularly (more than "
               << kMaxTransfers << " DMA transfers)";
      runs.push_back({d, len, stride});
      d += len;
    }
  if (failed(define(op, output)))
    return failure();
  DramTensor out = tensors[output];
  std::vector<Tile> tiles;
  size_t r = 0;
  for (int64_t d0 = 0; d0 < total; d0 += chunk) {
    int64_t n = std::min(chunk, total - d0), slot = tiles.size() % 2;
    Tile tile;
    for (; r < runs.size() && runs[r].d < d0 + n; ++r) {
      const Run &run = runs[r];
      I::Instr ld = make(I::Opcode::DmaLoad);
      ld[I::DmaLoad::buf] = 0;
      ld[I::DmaLoad::sram] = slot * inpHalf + (run.d - d0);
      ld[I::DmaLoad::dram] = in.addr + source[run.d];
      bool contiguous = run.stride == 1;
      ld[I::DmaLoad::y_size] = contiguous ? 1 : run.len;
      ld[I::DmaLoad::x_size] = contiguous ? run.len : 1;
      ld[I::DmaLoad::dram_stride] = contiguous ? run.len : run.stride;
      tile.loads.push_back(ld);
    }
    tile.compute.push_back(vectorCopy(slot, n));
    tile.stores.push_back(contiguousStore(slot * outHalf, out.addr + d0, n));
    tiles.push_back(std::move(tile));
  }
  return emitLayer(op, tiles);
}

Tile Compiler::copyTile(int64_t slot, uint64_t src, int64_t bytes) {
  Tile tile;
  I::Instr ld = make(I::Opcode::DmaLoad);
  ld[I::DmaLoad::buf] = 0;
  ld[I::DmaLoad::sram] = slot * (cfg.inpBytes / 2);
  ld[I::DmaLoad::dram] = src;
  ld[I::DmaLoad::y_size] = 1;
  ld[I::DmaLoad::x_size] = bytes;
  ld[I::DmaLoad::dram_stride] = bytes;
  tile.loads.push_back(ld);
  tile.compute.push_back(vectorCopy(slot, bytes));
  return tile;
}

I::Instr Compiler::vectorCopy(int64_t slot, int64_t bytes) {
  I::Instr copy = make(I::Opcode::Ewise);
  copy[I::Ewise::op] = 2; // clamp to the int8 range: a copy
  copy[I::Ewise::a] = slot * (cfg.inpBytes / 2);
  copy[I::Ewise::out] = slot * (cfg.outBytes / 2);
  copy[I::Ewise::count] = bytes;
  copy[I::Ewise::clamp_lo] = -128;
  copy[I::Ewise::clamp_hi] = 127;
  return copy;
}

/// Concatenation along the channels (NHWC: each input's pixels are rows of
/// its channels): per input, tiles of whole pixels copied through the
/// vector unit and stored with the result's channel count as the stride,
/// at the input's channel offset.
LogicalResult Compiler::concat(cgnet::ConcatOp op) {
  auto outType = cast<RankedTensorType>(op.getOutput().getType());
  if (op.getAxis() != 1 || (outType.getRank() != 4 && outType.getRank() != 2))
    return op.emitOpError()
           << "cannot run on the accelerator: only concatenation along the "
              "channels (axis 1 of a rank-4 or rank-2 tensor) is supported, "
              "got axis "
           << op.getAxis() << " of rank " << outType.getRank();
  SmallVector<DramTensor> ins;
  for (Value v : op.getInputs()) {
    if (failed(checkInt8(op, v, "operand", false)))
      return failure();
    FailureOr<DramTensor> t = lookup(op, v);
    if (failed(t))
      return failure();
    ins.push_back(*t);
  }
  if (failed(define(op, op.getOutput())))
    return failure();
  DramTensor out = tensors[op.getOutput()];
  int64_t C = outType.getDimSize(1), pixels = outType.getNumElements() / C;
  int64_t half = std::min(cfg.inpBytes, cfg.outBytes) / 2;
  std::vector<Tile> tiles;
  int64_t offset = 0;
  for (auto [v, in] : llvm::zip(op.getInputs(), ins)) {
    int64_t Ci = cast<ShapedType>(v.getType()).getDimSize(1);
    int64_t per = std::min<int64_t>(half / Ci, 65535);
    if (per < 1)
      return op.emitOpError()
             << "does not fit the accelerator: one pixel of an operand ("
             << Ci << " channels) exceeds half of INP or OUT";
    for (int64_t p0 = 0; p0 < pixels; p0 += per) {
      int64_t n = std::min(per, pixels - p0);
      Tile tile = copyTile(tiles.size() % 2, in.addr + p0 * Ci, n * Ci);
      I::Instr st = make(I::Opcode::DmaStore);
      st[I::DmaStore::sram] = (tiles.size() % 2) * (cfg.outBytes / 2);
      st[I::DmaStore::dram] = out.addr + p0 * C + offset;
      st[I::DmaStore::y_size] = n;
      st[I::DmaStore::x_size] = Ci;
      st[I::DmaStore::dram_stride] = C;
      tile.stores.push_back(st);
      tiles.push_back(std::move(tile));
    }
    offset += Ci;
  }
  return emitLayer(op, tiles);
}

/// Nearest upsampling by fh x fw: per tile of input rows, the rows copied
/// through the vector unit and stored fh x fw times, each store writing
/// every fw-th pixel of one output row (stride fw pixels).
LogicalResult Compiler::upsample(cgnet::UpsampleNearestOp op) {
  if (failed(checkInt8(op, op.getInput(), "input", false)))
    return failure();
  FailureOr<DramTensor> in = lookup(op, op.getInput());
  if (failed(in))
    return failure();
  if (failed(define(op, op.getOutput())))
    return failure();
  DramTensor out = tensors[op.getOutput()];
  int64_t fh = op.getFactors()[0], fw = op.getFactors()[1];
  int64_t N = in->n, H = in->h, W = in->w, C = in->c, OW = W * fw;
  int64_t half = std::min(cfg.inpBytes, cfg.outBytes) / 2;
  int64_t rowBytes = W * C, rows = half / rowBytes;
  if (rows < 1 || W > 65535)
    return op.emitOpError()
           << "does not fit the accelerator: one input row (" << rowBytes
           << " bytes) exceeds half of INP or OUT";
  std::vector<Tile> tiles;
  for (int64_t n = 0; n < N; ++n)
    for (int64_t y0 = 0; y0 < H; y0 += rows) {
      int64_t r = std::min(rows, H - y0), slot = tiles.size() % 2;
      Tile tile =
          copyTile(slot, in->addr + (n * H + y0) * rowBytes, r * rowBytes);
      for (int64_t y = 0; y < r; ++y)
        for (int64_t ry = 0; ry < fh; ++ry)
          for (int64_t rx = 0; rx < fw; ++rx) {
            I::Instr st = make(I::Opcode::DmaStore);
            st[I::DmaStore::sram] = slot * (cfg.outBytes / 2) + y * rowBytes;
            st[I::DmaStore::dram] =
                out.addr + ((n * H * fh + (y0 + y) * fh + ry) * OW + rx) * C;
            st[I::DmaStore::y_size] = W;
            st[I::DmaStore::x_size] = C;
            st[I::DmaStore::dram_stride] = fw * C;
            tile.stores.push_back(st);
          }
      tiles.push_back(std::move(tile));
    }
  return emitLayer(op, tiles);
}

//===----------------------------------------------------------------------===//
// Inputs, outputs, the whole function
//===----------------------------------------------------------------------===//

static I::IoDesc ioFor(StringRef name, Type type, bool isOutput,
                       bool hostConverts, RoundingMode rounding) {
  auto shaped = cast<ShapedType>(type);
  ElementInfo info = *getElementInfo(shaped.getElementType());
  I::IoDesc d;
  d.isOutput = isOutput;
  d.name = name.str();
  d.shape.assign(shaped.getShape().begin(), shaped.getShape().end());
  d.scale = hostConverts ? info.scale() : 0.0;
  d.zeroPoint = static_cast<int32_t>(info.zeroPoint());
  d.storageMin = static_cast<int32_t>(info.storageMin);
  d.storageMax = static_cast<int32_t>(info.storageMax);
  d.rounding = rounding == RoundingMode::HalfToEven ? I::Rounding::ToEven
               : rounding == RoundingMode::HalfUp   ? I::Rounding::Up
                                                    : I::Rounding::AwayFromZero;
  return d;
}

LogicalResult Compiler::inputs() {
  for (BlockArgument arg : func.getArguments()) {
    std::string name = "arg" + std::to_string(arg.getArgNumber());
    Type t = arg.getType();
    if (isFloatType(getElementTypeOrSelf(t))) {
      cgnet::QuantizeOp q;
      if (arg.hasOneUse())
        q = dyn_cast<cgnet::QuantizeOp>(*arg.getUsers().begin());
      if (!q)
        return func.emitOpError()
               << "cannot run on the accelerator: float argument #"
               << arg.getArgNumber()
               << " must have exactly one user, a cgnet.quantize";
      auto info = getElementInfo(getElementTypeOrSelf(q.getOutput().getType()));
      if (info && info->isPerAxis())
        return q.emitOpError("cannot run on the accelerator: the host "
                             "quantizes inputs per tensor only");
      if (failed(define(q, q.getOutput())))
        return failure();
      I::IoDesc d = ioFor(name, q.getOutput().getType(), false, true,
                          q.getRounding());
      d.addr = tensors[q.getOutput()].addr;
      io.push_back(d);
      fused.insert(q);
      continue;
    }
    if (failed(define(func, arg, "argument #" + std::to_string(arg.getArgNumber()))))
      return failure();
    I::IoDesc d = ioFor(name, t, false, false, RoundingMode::HalfAwayFromZero);
    d.addr = tensors[arg].addr;
    io.push_back(d);
  }
  return success();
}

LogicalResult Compiler::outputs(Operation *ret) {
  for (OpOperand &operand : ret->getOpOperands()) {
    Value v = operand.get();
    std::string name = "result" + std::to_string(operand.getOperandNumber());
    if (auto dq = v.getDefiningOp<cgnet::DequantizeOp>()) {
      auto info = getElementInfo(getElementTypeOrSelf(dq.getInput().getType()));
      if (info && info->isPerAxis())
        return dq.emitOpError("cannot run on the accelerator: the host "
                              "dequantizes outputs per tensor only");
      FailureOr<DramTensor> t = lookup(dq, dq.getInput());
      if (failed(t))
        return failure();
      I::IoDesc d = ioFor(name, dq.getInput().getType(), true, true,
                          RoundingMode::HalfAwayFromZero);
      d.addr = t->addr;
      io.push_back(d);
      continue;
    }
    FailureOr<DramTensor> t = lookup(ret, v);
    if (failed(t))
      return failure();
    I::IoDesc d =
        ioFor(name, v.getType(), true, false, RoundingMode::HalfAwayFromZero);
    d.addr = t->addr;
    io.push_back(d);
  }
  return success();
}

FailureOr<cgisa::ProgramOp> Compiler::run() {
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("must have a single block to be compiled for the "
                            "accelerator");
  if (failed(inputs()))
    return failure();
  for (Operation &op : func.getBody().front()) {
    if (fused.contains(&op))
      continue;
    LogicalResult r =
        TypeSwitch<Operation *, LogicalResult>(&op)
            .Case<arith::ConstantOp, quant::StorageCastOp>(
                [](Operation *) { return success(); })
            .Case<cgnet::DequantizeOp>([](Operation *) { return success(); })
            .Case<cgnet::Conv2DOp, cgnet::FullyConnectedOp,
                  cgnet::ChannelGatedConv2DOp, cgnet::PrecisionGatedConv2DOp>(
                [&](Operation *o) { return convLayer(o); })
            .Case<cgnet::MaxPool2DOp, cgnet::AvgPool2DOp,
                  cgnet::GlobalAvgPoolOp>(
                [&](Operation *o) { return poolLayer(*poolArgs(o)); })
            .Case<cgnet::AddOp, cgnet::RequantizeOp, cgnet::ReluOp,
                  cgnet::ClampOp>([&](Operation *o) -> LogicalResult {
              // An op whose only user is another element-wise op runs in
              // that op's group.
              Value v = o->getResult(0);
              if (v.hasOneUse() && isEwise(*v.getUsers().begin()))
                return success();
              return ewiseGroup(o);
            })
            .Case<cgnet::ReshapeOp>(
                [&](cgnet::ReshapeOp r) { return reshape(r); })
            .Case<cgnet::ConcatOp>([&](cgnet::ConcatOp c) { return concat(c); })
            .Case<cgnet::UpsampleNearestOp>(
                [&](cgnet::UpsampleNearestOp u) { return upsample(u); })
            .Case<func::ReturnOp>([&](Operation *r) { return outputs(r); })
            .Default([](Operation *o) {
              return o->emitOpError()
                     << "cannot run on the accelerator: no lowering to cgisa "
                        "for this op";
            });
    if (failed(r))
      return failure();
  }
  instrs.push_back(make(I::Opcode::Finish));
  instrLocs.push_back(func.getLoc());

  // Constants first, activations after them: relocate the activation
  // addresses, tagged with kActivationTag until now.
  uint64_t base = (constants.size() + 63) / 64 * 64;
  auto relocate = [&](auto &addr) {
    if (static_cast<uint64_t>(addr) >= kActivationTag)
      addr = static_cast<std::decay_t<decltype(addr)>>(addr - kActivationTag +
                                                       base);
  };
  for (I::Instr &in : instrs) {
    if (in.op == I::Opcode::DmaLoad)
      relocate(in[I::DmaLoad::dram]);
    if (in.op == I::Opcode::DmaStore)
      relocate(in[I::DmaStore::dram]);
  }
  for (I::IoDesc &d : io)
    relocate(d.addr);
  uint64_t dramBytes = base + (activationTop - kActivationTag);
  if (dramBytes > (uint64_t(1) << 32))
    return func.emitOpError() << "needs " << dramBytes
                              << " bytes of DRAM, more than the 4 GiB the "
                                 "accelerator addresses";

  OpBuilder b(func);
  MLIRContext *ctx = func.getContext();
  auto program = cgisa::ProgramOp::create(
      b, func.getLoc(), b.getStringAttr(func.getSymName()),
      cgisa::configToAttr(ctx, cfg), b.getI64IntegerAttr(dramBytes));
  Block *body = new Block();
  program.getBody().push_back(body);
  b.setInsertionPointToEnd(body);
  if (!constants.empty()) {
    auto type = RankedTensorType::get({static_cast<int64_t>(constants.size())},
                                      b.getIntegerType(8));
    auto blob = HeapAsmResourceBlob::allocateAndCopyInferAlign(
        ArrayRef<int8_t>(reinterpret_cast<const int8_t *>(constants.data()),
                         constants.size()));
    cgisa::SegmentOp::create(
        b, func.getLoc(), b.getI64IntegerAttr(0),
        DenseResourceElementsAttr::get(type, "cgisa_" + func.getSymName().str(),
                                       std::move(blob)));
  }
  for (const I::IoDesc &d : io) {
    StringRef rounding = d.rounding == I::Rounding::ToEven ? "even"
                         : d.rounding == I::Rounding::Up   ? "up"
                                                           : "away";
    auto attrs = std::make_tuple(
        b.getStringAttr(d.name), b.getI64IntegerAttr(d.addr),
        b.getDenseI64ArrayAttr(d.shape), b.getF64FloatAttr(d.scale),
        b.getI64IntegerAttr(d.zeroPoint), b.getI64IntegerAttr(d.storageMin),
        b.getI64IntegerAttr(d.storageMax), b.getStringAttr(rounding));
    auto build = [&](auto tag) {
      using Op = decltype(tag);
      std::apply([&](auto... a) { Op::create(b, func.getLoc(), a...); },
                 attrs);
    };
    if (d.isOutput)
      build(cgisa::OutputOp());
    else
      build(cgisa::InputOp());
  }
  size_t mark = 0;
  for (size_t i = 0; i < instrs.size(); ++i) {
    while (mark < marks.size() && marks[mark].firstInstr == i)
      cgisa::LayerOp::create(b, instrLocs[i],
                             b.getStringAttr(marks[mark++].name));
    cgisa::buildInstr(b, instrLocs[i], instrs[i]);
  }
  return program;
}

FailureOr<cgisa::ProgramOp>
cgnet::compileToCGIsa(func::FuncOp func, const I::AccelConfig &config,
                      const CGIsaOptions &options) {
  return Compiler(func, config, options).run();
}

namespace {
struct ConvertCGNetToCGIsaPass
    : public cgnet::impl::ConvertCGNetToCGIsaBase<ConvertCGNetToCGIsaPass> {
  using Base::Base;
  void runOnOperation() override {
    I::AccelConfig config;
    if (!configPath.empty()) {
      auto loaded = I::loadConfigFile(configPath);
      if (!loaded) {
        getOperation().emitError() << llvm::toString(loaded.takeError());
        return signalPassFailure();
      }
      config = *loaded;
    }
    SmallVector<func::FuncOp> funcs;
    for (auto f : getOperation().getOps<func::FuncOp>())
      if (!f.isExternal())
        funcs.push_back(f);
    bool failedAny = false;
    for (func::FuncOp f : funcs) {
      CGIsaOptions options;
      options.fuseResidual = fuseResidual;
      options.fusePool = fusePool;
      if (failed(compileToCGIsa(f, config, options))) {
        failedAny = true;
        continue;
      }
      f.erase();
    }
    if (failedAny)
      signalPassFailure();
  }
};
} // namespace
