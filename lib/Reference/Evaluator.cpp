//===- Evaluator.cpp - the reference evaluator ----------------------------===//
//
// Plain loops, written for clarity, not speed: this file is the definition
// of what every cgnet op computes. Layouts are NCHW activations and OIHW
// weights, row-major.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Reference/Evaluator.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Reference/IntegerArith.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include <cmath>
#include <limits>

using namespace mlir;

namespace cgnet::ref {
namespace {

using Shape = std::vector<int64_t>;

static Shape shapeOf(Value v) {
  auto t = cast<ShapedType>(v.getType());
  return Shape(t.getShape().begin(), t.getShape().end());
}

static ElementInfo infoOf(Value v) { return *getElementInfo(v.getType()); }

/// An operand as numbers to compute with: float values, or integer values
/// with the zero point (per tensor or per channel of `zpDim`) subtracted.
struct Centered {
  bool isFloat;
  std::vector<double> f;
  std::vector<int64_t> i;
};

/// The values of `c` as `T` (double for float operands, int64 otherwise).
template <typename T>
static const std::vector<T> &valuesOf(const Centered &c) {
  if constexpr (std::is_same_v<T, double>)
    return c.f;
  else
    return c.i;
}

static Centered center(const Tensor &t, const ElementInfo &info,
                       const Shape &shape) {
  Centered c;
  c.isFloat = t.isFloat;
  if (t.isFloat) {
    c.f.assign(t.f.begin(), t.f.end());
    return c;
  }
  c.i.resize(t.i.size());
  int64_t inner = 1;
  if (info.isPerAxis())
    for (size_t d = info.quantizedDim + 1; d < shape.size(); ++d)
      inner *= shape[d];
  int64_t axisSize = info.isPerAxis() ? shape[info.quantizedDim] : 1;
  for (size_t e = 0; e < t.i.size(); ++e) {
    int64_t ch = info.isPerAxis() ? (e / inner) % axisSize : 0;
    c.i[e] = static_cast<int64_t>(t.i[e]) - info.zeroPoint(ch);
  }
  return c;
}

/// Geometry of a 2-D convolution.
struct ConvGeom {
  int64_t n, c, h, w, o, cg, kh, kw, oh, ow, groups;
  int64_t sh, sw, pt, pl, dh, dw;
};

template <typename ConvOpT>
static ConvGeom convGeom(ConvOpT op, int64_t groups) {
  Shape in = shapeOf(op.getInput()), wt = shapeOf(op.getWeight()),
        out = shapeOf(op.getOutput());
  ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(),
                    d = op.getDilations();
  return ConvGeom{in[0], in[1], in[2], in[3], wt[0], wt[1], wt[2], wt[3],
                  out[2], out[3], groups, s[0], s[1], p[0], p[1], d[0], d[1]};
}

/// `acc[n,o,y,x] += sum in[n,ci,iy,ix] * w[o,c,ky,kx]` over the channels
/// `c` of output `o`'s group for which `use(o, ci)` holds; out-of-range
/// input positions contribute nothing (zero after centering).
template <typename T, typename UseFn>
static void convAccumulate(const ConvGeom &g, const std::vector<T> &in,
                           const std::vector<T> &w, std::vector<T> &acc,
                           UseFn use) {
  int64_t outPerGroup = g.o / g.groups;
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t o = 0; o < g.o; ++o) {
      int64_t group = o / outPerGroup;
      for (int64_t y = 0; y < g.oh; ++y)
        for (int64_t x = 0; x < g.ow; ++x) {
          T sum = 0;
          for (int64_t c = 0; c < g.cg; ++c) {
            int64_t ci = group * g.cg + c;
            if (!use(o, ci))
              continue;
            for (int64_t ky = 0; ky < g.kh; ++ky) {
              int64_t iy = y * g.sh - g.pt + ky * g.dh;
              if (iy < 0 || iy >= g.h)
                continue;
              for (int64_t kx = 0; kx < g.kw; ++kx) {
                int64_t ix = x * g.sw - g.pl + kx * g.dw;
                if (ix < 0 || ix >= g.w)
                  continue;
                sum += in[((n * g.c + ci) * g.h + iy) * g.w + ix] *
                       w[((o * g.cg + c) * g.kh + ky) * g.kw + kx];
              }
            }
          }
          acc[((n * g.o + o) * g.oh + y) * g.ow + x] += sum;
        }
    }
}

/// Adds bias[o] to every element of output channel o.
template <typename T>
static void addBias(const ConvGeom &g, std::vector<T> &acc,
                    const std::vector<T> &bias) {
  int64_t plane = g.oh * g.ow;
  for (size_t e = 0; e < acc.size(); ++e)
    acc[e] += bias[(e / plane) % g.o];
}

class Interpreter {
public:
  Interpreter(std::vector<GateStats> *stats, const ValueObserver &observer)
      : stats(stats), observer(observer) {}

  FailureOr<std::vector<Tensor>> run(func::FuncOp func,
                                     ArrayRef<Tensor> inputs,
                                     Operation *stopAfter);

private:
  LogicalResult execute(Operation *op);
  const Tensor &get(Value v) { return values.find(v)->second; }
  void set(Value v, Tensor t) { values[v] = std::move(t); }

  LogicalResult constant(arith::ConstantOp op);
  LogicalResult denseConv(const ConvGeom &g, Value input, Value weight,
                          Value bias, Value output);
  LogicalResult conv(Conv2DOp op);
  LogicalResult fullyConnected(FullyConnectedOp op);
  LogicalResult channelGated(ChannelGatedConv2DOp op);
  LogicalResult precisionGated(PrecisionGatedConv2DOp op);
  LogicalResult maxPool(MaxPool2DOp op);
  template <typename PoolOp>
  LogicalResult avgPool(PoolOp op, ArrayRef<int64_t> kernel,
                        ArrayRef<int64_t> strides, ArrayRef<int64_t> padding,
                        bool countIncludePad);
  LogicalResult add(AddOp op);
  LogicalResult clampLike(Operation *op, Value in, Value out,
                          std::optional<double> lo, std::optional<double> hi,
                          std::optional<int64_t> loInt,
                          std::optional<int64_t> hiInt);
  LogicalResult batchNorm(BatchNormOp op);
  LogicalResult leakyRelu(LeakyReluOp op);
  LogicalResult concat(ConcatOp op);
  LogicalResult gatherChannels(Value in, Value out,
                               const std::vector<int64_t> &srcChannel);
  LogicalResult transpose(TransposeOp op);
  LogicalResult quantize(QuantizeOp op);
  LogicalResult dequantize(DequantizeOp op);
  LogicalResult requantize(RequantizeOp op);

  /// Result of a conv-like op from its accumulator: f32, or wrapped i32.
  template <typename T>
  Tensor fromAccumulator(const Shape &shape, const std::vector<T> &acc);
  void record(Operation *op, int64_t outputs, int64_t on);

  llvm::DenseMap<Value, Tensor> values;
  std::vector<GateStats> *stats;
  const ValueObserver &observer;
};

template <typename T>
Tensor Interpreter::fromAccumulator(const Shape &shape,
                                    const std::vector<T> &acc) {
  if constexpr (std::is_same_v<T, double>) {
    Tensor t = Tensor::floats(shape);
    for (size_t e = 0; e < acc.size(); ++e)
      t.f[e] = static_cast<float>(acc[e]);
    return t;
  } else {
    Tensor t = Tensor::ints(shape);
    for (size_t e = 0; e < acc.size(); ++e)
      t.i[e] = wrapInt32(acc[e]);
    return t;
  }
}

void Interpreter::record(Operation *op, int64_t outputs, int64_t on) {
  if (!stats)
    return;
  std::string loc;
  llvm::raw_string_ostream os(loc);
  op->getLoc().print(os);
  stats->push_back(GateStats{loc, outputs, on, op});
}

LogicalResult Interpreter::constant(arith::ConstantOp op) {
  Attribute attr = op.getValue();
  Shape shape = shapeOf(op.getResult());
  if (auto f = readF32Elements(attr)) {
    Tensor t = Tensor::floats(shape);
    t.f = std::move(*f);
    set(op.getResult(), std::move(t));
    return success();
  }
  if (auto i = readIntElements(attr)) {
    Tensor t = Tensor::ints(shape);
    for (size_t e = 0; e < i->size(); ++e) {
      if ((*i)[e] < INT32_MIN || (*i)[e] > INT32_MAX)
        return op.emitOpError() << "element " << e << " does not fit in 32 bits";
      t.i[e] = static_cast<int32_t>((*i)[e]);
    }
    set(op.getResult(), std::move(t));
    return success();
  }
  return op.emitOpError()
         << "constant is not supported by the reference evaluator (expected "
            "a dense or dense_resource tensor of f32 or integers)";
}

/// The dense convolution described by `g`, shared by convolutions and fully
/// connected layers.
LogicalResult Interpreter::denseConv(const ConvGeom &g, Value input,
                                     Value weight, Value bias, Value output) {
  Centered in = center(get(input), infoOf(input), shapeOf(input));
  Centered w = center(get(weight), infoOf(weight), shapeOf(weight));
  auto all = [](int64_t, int64_t) { return true; };
  auto compute = [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> acc(g.n * g.o * g.oh * g.ow, zero);
    if (bias)
      addBias(g, acc, valuesOf<T>(center(get(bias), {}, {})));
    convAccumulate(g, valuesOf<T>(in), valuesOf<T>(w), acc, all);
    set(output, fromAccumulator(shapeOf(output), acc));
  };
  if (in.isFloat)
    compute(0.0);
  else
    compute(int64_t(0));
  return success();
}

LogicalResult Interpreter::conv(Conv2DOp op) {
  return denseConv(convGeom(op, op.getGroups()), op.getInput(), op.getWeight(),
                   op.getBias(), op.getOutput());
}

LogicalResult Interpreter::fullyConnected(FullyConnectedOp op) {
  Shape inShape = shapeOf(op.getInput()), wShape = shapeOf(op.getWeight());
  // A fully connected layer is a 1x1 convolution over N x K x 1 x 1.
  ConvGeom g{inShape[0], inShape[1], 1, 1, wShape[0], wShape[1], 1, 1, 1, 1,
             1,          1,          1, 0, 0,         1,         1};
  return denseConv(g, op.getInput(), op.getWeight(), op.getBias(),
                   op.getOutput());
}

/// The gate and select shared by both gated convolutions: where the gate of
/// an element is on, `partial += conditional`.
template <typename T>
static int64_t gateAndSelect(const ConvGeom &g, std::vector<T> &partial,
                             const std::vector<T> &conditional,
                             const Tensor &threshold) {
  int64_t plane = g.oh * g.ow, on = 0;
  for (size_t e = 0; e < partial.size(); ++e) {
    int64_t o = (e / plane) % g.o;
    bool gate;
    if constexpr (std::is_same_v<T, double>)
      gate = partial[e] > static_cast<double>(threshold.f[o]);
    else
      gate = wrapInt32(partial[e]) >= threshold.i[o];
    if (gate) {
      partial[e] += conditional[e];
      ++on;
    }
  }
  return on;
}

LogicalResult Interpreter::channelGated(ChannelGatedConv2DOp op) {
  ConvGeom g = convGeom(op, 1);
  Centered in = center(get(op.getInput()), infoOf(op.getInput()),
                       shapeOf(op.getInput()));
  Centered w = center(get(op.getWeight()), infoOf(op.getWeight()),
                      shapeOf(op.getWeight()));
  const Tensor &thr = get(op.getThreshold());
  auto base = [&](int64_t o, int64_t c) { return op.isBaseChannel(o, c); };
  auto cond = [&](int64_t o, int64_t c) { return !op.isBaseChannel(o, c); };
  int64_t n = g.n * g.o * g.oh * g.ow, on = 0;
  auto compute = [&](auto zero) {
    using T = decltype(zero);
    std::vector<T> partial(n, zero), rest(n, zero);
    if (op.getBias())
      addBias(g, partial, valuesOf<T>(center(get(op.getBias()), {}, {})));
    convAccumulate(g, valuesOf<T>(in), valuesOf<T>(w), partial, base);
    convAccumulate(g, valuesOf<T>(in), valuesOf<T>(w), rest, cond);
    on = gateAndSelect(g, partial, rest, thr);
    set(op.getOutput(), fromAccumulator(shapeOf(op.getOutput()), partial));
  };
  if (in.isFloat)
    compute(0.0);
  else
    compute(int64_t(0));
  record(op, n, on);
  return success();
}

LogicalResult Interpreter::precisionGated(PrecisionGatedConv2DOp op) {
  ConvGeom g = convGeom(op, 1);
  Centered in = center(get(op.getInput()), infoOf(op.getInput()),
                       shapeOf(op.getInput()));
  Centered w = center(get(op.getWeight()), infoOf(op.getWeight()),
                      shapeOf(op.getWeight()));
  int64_t lowBits = op.getBits() - op.getHighBits();
  std::vector<int64_t> hb(in.i.size()), lb(in.i.size());
  for (size_t e = 0; e < in.i.size(); ++e)
    splitHighLow(in.i[e], lowBits, hb[e], lb[e]);
  int64_t n = g.n * g.o * g.oh * g.ow;
  auto all = [](int64_t, int64_t) { return true; };
  std::vector<int64_t> msb(n, 0), low(n, 0);
  convAccumulate(g, hb, w.i, msb, all);
  for (int64_t &v : msb)
    v *= int64_t(1) << lowBits;
  if (op.getBias())
    addBias(g, msb, center(get(op.getBias()), {}, {}).i);
  convAccumulate(g, lb, w.i, low, all);
  int64_t on = gateAndSelect(g, msb, low, get(op.getThreshold()));
  set(op.getOutput(), fromAccumulator(shapeOf(op.getOutput()), msb));
  record(op, n, on);
  return success();
}

LogicalResult Interpreter::maxPool(MaxPool2DOp op) {
  const Tensor &in = get(op.getInput());
  Shape is = shapeOf(op.getInput()), os = shapeOf(op.getOutput());
  ArrayRef<int64_t> k = op.getKernel(), s = op.getStrides(),
                    p = op.getPadding();
  Tensor out = in.isFloat ? Tensor::floats(os) : Tensor::ints(os);
  for (int64_t n = 0; n < os[0]; ++n)
    for (int64_t c = 0; c < os[1]; ++c)
      for (int64_t y = 0; y < os[2]; ++y)
        for (int64_t x = 0; x < os[3]; ++x) {
          double best = -std::numeric_limits<double>::infinity();
          for (int64_t ky = 0; ky < k[0]; ++ky)
            for (int64_t kx = 0; kx < k[1]; ++kx) {
              int64_t iy = y * s[0] - p[0] + ky, ix = x * s[1] - p[1] + kx;
              if (iy < 0 || iy >= is[2] || ix < 0 || ix >= is[3])
                continue;
              int64_t e = ((n * is[1] + c) * is[2] + iy) * is[3] + ix;
              best = std::max(best, in.isFloat ? double(in.f[e])
                                               : double(in.i[e]));
            }
          int64_t o = ((n * os[1] + c) * os[2] + y) * os[3] + x;
          if (in.isFloat)
            out.f[o] = static_cast<float>(best);
          else
            out.i[o] = static_cast<int32_t>(best);
        }
  set(op.getOutput(), std::move(out));
  return success();
}

template <typename PoolOp>
LogicalResult Interpreter::avgPool(PoolOp op, ArrayRef<int64_t> k,
                                   ArrayRef<int64_t> s, ArrayRef<int64_t> p,
                                   bool countIncludePad) {
  const Tensor &in = get(op.getInput());
  ElementInfo info = infoOf(op.getInput());
  Shape is = shapeOf(op.getInput()), os = shapeOf(op.getOutput());
  Tensor out = in.isFloat ? Tensor::floats(os) : Tensor::ints(os);
  int64_t zp = info.zeroPoint();
  for (int64_t n = 0; n < os[0]; ++n)
    for (int64_t c = 0; c < os[1]; ++c)
      for (int64_t y = 0; y < os[2]; ++y)
        for (int64_t x = 0; x < os[3]; ++x) {
          double fsum = 0;
          int64_t isum = 0, count = 0;
          for (int64_t ky = 0; ky < k[0]; ++ky)
            for (int64_t kx = 0; kx < k[1]; ++kx) {
              int64_t iy = y * s[0] - p[0] + ky, ix = x * s[1] - p[1] + kx;
              bool inside = iy >= 0 && iy < is[2] && ix >= 0 && ix < is[3];
              if (inside || countIncludePad)
                ++count;
              if (!inside)
                continue;
              int64_t e = ((n * is[1] + c) * is[2] + iy) * is[3] + ix;
              if (in.isFloat)
                fsum += in.f[e];
              else
                isum += in.i[e] - zp;
            }
          int64_t o = ((n * os[1] + c) * os[2] + y) * os[3] + x;
          if (in.isFloat)
            out.f[o] = static_cast<float>(fsum / count);
          else
            out.i[o] = static_cast<int32_t>(
                saturate(divRoundHalfAwayFromZero(isum, count) + zp,
                         info.storageMin, info.storageMax));
        }
  set(op.getOutput(), std::move(out));
  return success();
}

LogicalResult Interpreter::add(AddOp op) {
  const Tensor &a = get(op.getLhs()), &b = get(op.getRhs());
  ElementInfo info = infoOf(op.getOutput());
  Tensor out = a;
  if (a.isFloat) {
    for (size_t e = 0; e < out.f.size(); ++e)
      out.f[e] = a.f[e] + b.f[e];
  } else if (info.bits == 32) {
    for (size_t e = 0; e < out.i.size(); ++e)
      out.i[e] = wrapInt32(int64_t(a.i[e]) + b.i[e]);
  } else {
    int64_t zp = info.zeroPoint();
    for (size_t e = 0; e < out.i.size(); ++e)
      out.i[e] = static_cast<int32_t>(
          saturate(zp + (a.i[e] - zp) + (b.i[e] - zp), info.storageMin,
                   info.storageMax));
  }
  set(op.getOutput(), std::move(out));
  return success();
}

LogicalResult Interpreter::clampLike(Operation *, Value inV, Value outV,
                                     std::optional<double> lo,
                                     std::optional<double> hi,
                                     std::optional<int64_t> loInt,
                                     std::optional<int64_t> hiInt) {
  Tensor out = get(inV);
  if (out.isFloat) {
    for (float &v : out.f) {
      if (lo && v < *lo)
        v = static_cast<float>(*lo);
      if (hi && v > *hi)
        v = static_cast<float>(*hi);
    }
  } else {
    for (int32_t &v : out.i) {
      if (loInt && v < *loInt)
        v = static_cast<int32_t>(*loInt);
      if (hiInt && v > *hiInt)
        v = static_cast<int32_t>(*hiInt);
    }
  }
  set(outV, std::move(out));
  return success();
}

LogicalResult Interpreter::leakyRelu(LeakyReluOp op) {
  const Tensor &in = get(op.getInput());
  double alpha = op.getAlpha().convertToDouble();
  Tensor out = in;
  if (in.isFloat) {
    for (float &v : out.f)
      v = v >= 0 ? v : static_cast<float>(double(v) * alpha);
  } else {
    ElementInfo info = infoOf(op.getInput());
    int64_t zp = info.zeroPoint();
    for (int32_t &v : out.i)
      v = static_cast<int32_t>(
          saturate(zp + leakyReluInt(int64_t(v) - zp, alpha), info.storageMin,
                   info.storageMax));
  }
  set(op.getOutput(), std::move(out));
  return success();
}

LogicalResult Interpreter::batchNorm(BatchNormOp op) {
  Tensor out = get(op.getInput());
  Shape s = shapeOf(op.getInput());
  const Tensor &gamma = get(op.getScale()), &beta = get(op.getBias()),
               &mean = get(op.getMean()), &var = get(op.getVariance());
  double eps = op.getEpsilon().convertToDouble();
  int64_t plane = 1; // elements per channel and sample (any rank >= 2)
  for (size_t d = 2; d < s.size(); ++d)
    plane *= s[d];
  for (size_t e = 0; e < out.f.size(); ++e) {
    int64_t c = (e / plane) % s[1];
    double v = (out.f[e] - double(mean.f[c])) /
                   std::sqrt(double(var.f[c]) + eps) * gamma.f[c] +
               beta.f[c];
    out.f[e] = static_cast<float>(v);
  }
  set(op.getOutput(), std::move(out));
  return success();
}

LogicalResult Interpreter::concat(ConcatOp op) {
  Shape os = shapeOf(op.getOutput());
  int64_t axis = op.getAxis();
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= os[d];
  for (size_t d = axis + 1; d < os.size(); ++d)
    inner *= os[d];
  bool isFloat = get(op.getInputs()[0]).isFloat;
  Tensor out = isFloat ? Tensor::floats(os) : Tensor::ints(os);
  int64_t offset = 0;
  for (Value v : op.getInputs()) {
    const Tensor &t = get(v);
    int64_t len = shapeOf(v)[axis];
    for (int64_t a = 0; a < outer; ++a)
      for (int64_t j = 0; j < len * inner; ++j) {
        int64_t src = a * len * inner + j;
        int64_t dst = (a * os[axis] + offset) * inner + j;
        if (isFloat)
          out.f[dst] = t.f[src];
        else
          out.i[dst] = t.i[src];
      }
    offset += len;
  }
  set(op.getOutput(), std::move(out));
  return success();
}

/// out[:, o] = in[:, srcChannel[o]] along dimension 1.
LogicalResult
Interpreter::gatherChannels(Value inV, Value outV,
                            const std::vector<int64_t> &srcChannel) {
  const Tensor &in = get(inV);
  Shape is = shapeOf(inV), os = shapeOf(outV);
  int64_t inner = 1;
  for (size_t d = 2; d < is.size(); ++d)
    inner *= is[d];
  Tensor out = in.isFloat ? Tensor::floats(os) : Tensor::ints(os);
  for (int64_t n = 0; n < os[0]; ++n)
    for (int64_t o = 0; o < os[1]; ++o)
      for (int64_t j = 0; j < inner; ++j) {
        int64_t src = (n * is[1] + srcChannel[o]) * inner + j;
        int64_t dst = (n * os[1] + o) * inner + j;
        if (in.isFloat)
          out.f[dst] = in.f[src];
        else
          out.i[dst] = in.i[src];
      }
  set(outV, std::move(out));
  return success();
}

LogicalResult Interpreter::transpose(TransposeOp op) {
  const Tensor &in = get(op.getInput());
  Shape is = shapeOf(op.getInput()), os = shapeOf(op.getOutput());
  ArrayRef<int64_t> perm = op.getPermutation();
  size_t rank = is.size();
  std::vector<int64_t> inStrides(rank, 1);
  for (int64_t d = int64_t(rank) - 2; d >= 0; --d)
    inStrides[d] = inStrides[d + 1] * is[d + 1];
  Tensor out = in.isFloat ? Tensor::floats(os) : Tensor::ints(os);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t e = 0; e < out.numElements(); ++e) {
    int64_t src = 0;
    for (size_t d = 0; d < rank; ++d)
      src += idx[d] * inStrides[perm[d]];
    if (in.isFloat)
      out.f[e] = in.f[src];
    else
      out.i[e] = in.i[src];
    for (int64_t d = int64_t(rank) - 1; d >= 0; --d) {
      if (++idx[d] < os[d])
        break;
      idx[d] = 0;
    }
  }
  set(op.getOutput(), std::move(out));
  return success();
}

/// Index along `axis` of row-major element `e` of `shape`.
static int64_t indexAlong(const Shape &shape, int64_t axis, int64_t e) {
  int64_t inner = 1;
  for (size_t d = axis + 1; d < shape.size(); ++d)
    inner *= shape[d];
  return (e / inner) % shape[axis];
}

LogicalResult Interpreter::quantize(QuantizeOp op) {
  const Tensor &in = get(op.getInput());
  ElementInfo info = infoOf(op.getOutput());
  Shape s = shapeOf(op.getOutput());
  Tensor out = Tensor::ints(s);
  TieRounding ties = op.getRounding() == RoundingMode::HalfToEven
                         ? TieRounding::ToEven
                     : op.getRounding() == RoundingMode::HalfUp
                         ? TieRounding::Up
                         : TieRounding::AwayFromZero;
  for (int64_t e = 0; e < out.numElements(); ++e) {
    int64_t c = info.isPerAxis() ? indexAlong(s, info.quantizedDim, e) : 0;
    out.i[e] = static_cast<int32_t>(
        quantizeValue(in.f[e], info.scale(c), info.zeroPoint(c),
                      info.storageMin, info.storageMax, ties));
  }
  set(op.getOutput(), std::move(out));
  return success();
}

LogicalResult Interpreter::dequantize(DequantizeOp op) {
  const Tensor &in = get(op.getInput());
  ElementInfo info = infoOf(op.getInput());
  Shape s = shapeOf(op.getInput());
  Tensor out = Tensor::floats(s);
  for (int64_t e = 0; e < out.numElements(); ++e) {
    int64_t c = info.isPerAxis() ? indexAlong(s, info.quantizedDim, e) : 0;
    out.f[e] = static_cast<float>(double(in.i[e] - info.zeroPoint(c)) *
                                  info.scale(c));
  }
  set(op.getOutput(), std::move(out));
  return success();
}

LogicalResult Interpreter::requantize(RequantizeOp op) {
  const Tensor &in = get(op.getInput());
  ElementInfo inInfo = infoOf(op.getInput()), outInfo = infoOf(op.getOutput());
  Shape s = shapeOf(op.getInput());
  ArrayRef<int32_t> mult = op.getMultiplier(), shift = op.getShift();
  bool perChannel = mult.size() > 1;
  Tensor out = Tensor::ints(s);
  int64_t zpIn = inInfo.zeroPoint(), zpOut = outInfo.zeroPoint();
  bool halfUp = op.getRounding() == RoundingMode::HalfUp;
  for (int64_t e = 0; e < out.numElements(); ++e) {
    int64_t c = perChannel ? indexAlong(s, op.getAxis(), e) : 0;
    int64_t v = in.i[e] - zpIn;
    int64_t r = halfUp ? scaleHalfUp(v, mult[c], shift[c])
                       : scaleHalfAwayFromZero(v, mult[c], shift[c]);
    out.i[e] = static_cast<int32_t>(
        saturate(r + zpOut, outInfo.storageMin, outInfo.storageMax));
  }
  set(op.getOutput(), std::move(out));
  return success();
}

LogicalResult Interpreter::execute(Operation *op) {
  return llvm::TypeSwitch<Operation *, LogicalResult>(op)
      .Case<arith::ConstantOp>([&](auto c) { return constant(c); })
      .Case<quant::StorageCastOp>([&](quant::StorageCastOp c) {
        // Reinterprets the stored bits as the result type holds them
        // (i8 bits 0xC8 are 200 as !quant.uniform<u8:...>).
        Tensor t = get(c.getInput());
        if (auto storage = storageOf(c.getResult().getType()))
          for (int32_t &v : t.i)
            v = static_cast<int32_t>(
                wrapStored(v, storage->first, storage->second));
        set(c.getResult(), std::move(t));
        return success();
      })
      .Case<Conv2DOp>([&](auto c) { return conv(c); })
      .Case<FullyConnectedOp>([&](auto c) { return fullyConnected(c); })
      .Case<ChannelGatedConv2DOp>([&](auto c) { return channelGated(c); })
      .Case<PrecisionGatedConv2DOp>([&](auto c) { return precisionGated(c); })
      .Case<MaxPool2DOp>([&](auto c) { return maxPool(c); })
      .Case<AvgPool2DOp>([&](AvgPool2DOp c) {
        return avgPool(c, c.getKernel(), c.getStrides(), c.getPadding(),
                       c.getCountIncludePad());
      })
      .Case<GlobalAvgPoolOp>([&](GlobalAvgPoolOp c) {
        Shape s = shapeOf(c.getInput());
        return avgPool(c, {s[2], s[3]}, {1, 1}, {0, 0, 0, 0}, false);
      })
      .Case<AddOp>([&](auto c) { return add(c); })
      .Case<ReluOp>([&](ReluOp c) {
        ElementInfo info = infoOf(c.getInput());
        if (info.isFloat())
          return clampLike(c, c.getInput(), c.getOutput(), 0.0, std::nullopt,
                           std::nullopt, std::nullopt);
        return clampLike(c, c.getInput(), c.getOutput(), std::nullopt,
                         std::nullopt, info.zeroPoint(), std::nullopt);
      })
      .Case<LeakyReluOp>([&](LeakyReluOp c) { return leakyRelu(c); })
      .Case<SigmoidOp>([&](SigmoidOp c) {
        Tensor out = get(c.getInput());
        for (float &v : out.f)
          v = static_cast<float>(1.0 / (1.0 + std::exp(-double(v))));
        set(c.getOutput(), std::move(out));
        return success();
      })
      .Case<SoftmaxOp>([&](SoftmaxOp c) {
        // Along the axis: max, then exp(x - max) and its sum in double.
        Tensor out = get(c.getInput());
        Shape s = shapeOf(c.getInput());
        int64_t axis = c.getAxis(), inner = 1, outer = 1, n = s[axis];
        for (size_t d = axis + 1; d < s.size(); ++d)
          inner *= s[d];
        for (int64_t d = 0; d < axis; ++d)
          outer *= s[d];
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            float *base = out.f.data() + o * n * inner + i;
            float mx = base[0];
            for (int64_t k = 1; k < n; ++k)
              mx = std::max(mx, base[k * inner]);
            double sum = 0;
            for (int64_t k = 0; k < n; ++k)
              sum += std::exp(double(base[k * inner]) - double(mx));
            for (int64_t k = 0; k < n; ++k)
              base[k * inner] = static_cast<float>(
                  std::exp(double(base[k * inner]) - double(mx)) / sum);
          }
        set(c.getOutput(), std::move(out));
        return success();
      })
      .Case<HardSigmoidOp>([&](HardSigmoidOp c) {
        Tensor out = get(c.getInput());
        float a = c.getAlpha().convertToFloat(),
              b = c.getBeta().convertToFloat();
        for (float &v : out.f)
          v = std::max(0.0f, std::min(1.0f, a * v + b));
        set(c.getOutput(), std::move(out));
        return success();
      })
      .Case<MulOp>([&](MulOp c) {
        Tensor out = get(c.getLhs());
        const Tensor &rhs = get(c.getRhs());
        // Same shape, or one factor per (sample, channel) of an NCHW lhs.
        int64_t plane = rhs.numElements() == out.numElements()
                            ? 1
                            : out.shape[2] * out.shape[3];
        for (size_t e = 0; e < out.f.size(); ++e)
          out.f[e] *= rhs.f[e / plane];
        set(c.getOutput(), std::move(out));
        return success();
      })
      .Case<ClampOp>([&](ClampOp c) {
        auto asDouble = [](std::optional<APFloat> v) -> std::optional<double> {
          if (!v)
            return std::nullopt;
          return v->convertToDouble();
        };
        auto asInt = [](std::optional<uint64_t> v) -> std::optional<int64_t> {
          if (!v)
            return std::nullopt;
          return static_cast<int64_t>(*v);
        };
        return clampLike(c, c.getInput(), c.getOutput(), asDouble(c.getMinFp()),
                         asDouble(c.getMaxFp()), asInt(c.getMinInt()),
                         asInt(c.getMaxInt()));
      })
      .Case<BatchNormOp>([&](auto c) { return batchNorm(c); })
      .Case<ConcatOp>([&](auto c) { return concat(c); })
      .Case<ChannelShuffleOp>([&](ChannelShuffleOp c) {
        int64_t ch = shapeOf(c.getInput())[1], g = c.getGroups();
        std::vector<int64_t> src(ch);
        for (int64_t o = 0; o < ch; ++o)
          src[o] = (o % g) * (ch / g) + o / g;
        return gatherChannels(c.getInput(), c.getOutput(), src);
      })
      .Case<ChannelDuplicateOp>([&](ChannelDuplicateOp c) {
        std::vector<int64_t> src;
        for (int64_t o = 0; o < shapeOf(c.getInput())[1]; ++o)
          src.push_back(o);
        for (int64_t i : c.getIndices())
          src.push_back(i);
        return gatherChannels(c.getInput(), c.getOutput(), src);
      })
      .Case<ChannelPermuteOp>([&](ChannelPermuteOp c) {
        ArrayRef<int64_t> p = c.getPermutation();
        return gatherChannels(c.getInput(), c.getOutput(),
                              std::vector<int64_t>(p.begin(), p.end()));
      })
      .Case<UpsampleNearestOp, InsertZerosOp>([&](Operation *o) {
        // Each output pixel from the input pixel it maps to, or zero (the
        // zero point) between the pixels insert_zeros spreads apart.
        const Tensor &in = get(o->getOperand(0));
        Shape is = shapeOf(o->getOperand(0)), os = shapeOf(o->getResult(0));
        auto up = dyn_cast<UpsampleNearestOp>(o);
        ArrayRef<int64_t> f =
            up ? up.getFactors() : cast<InsertZerosOp>(o).getStrides();
        Tensor out = in.isFloat ? Tensor::floats(os) : Tensor::ints(os);
        int32_t zero =
            in.isFloat ? 0 : static_cast<int32_t>(infoOf(o->getOperand(0)).zeroPoint());
        for (int64_t p = 0; p < os[0] * os[1]; ++p)
          for (int64_t y = 0; y < os[2]; ++y)
            for (int64_t x = 0; x < os[3]; ++x) {
              int64_t e = (p * os[2] + y) * os[3] + x;
              bool on = up || (y % f[0] == 0 && x % f[1] == 0);
              int64_t src = (p * is[2] + y / f[0]) * is[3] + x / f[1];
              if (in.isFloat)
                out.f[e] = on ? in.f[src] : 0.0f;
              else
                out.i[e] = on ? in.i[src] : zero;
            }
        set(o->getResult(0), std::move(out));
        return success();
      })
      .Case<TransposeOp>([&](auto c) { return transpose(c); })
      .Case<ReshapeOp>([&](ReshapeOp c) {
        Tensor t = get(c.getInput());
        t.shape = shapeOf(c.getOutput());
        set(c.getOutput(), std::move(t));
        return success();
      })
      .Case<QuantizeOp>([&](auto c) { return quantize(c); })
      .Case<DequantizeOp>([&](auto c) { return dequantize(c); })
      .Case<RequantizeOp>([&](auto c) { return requantize(c); })
      .Default([](Operation *o) {
        return o->emitOpError("is not supported by the reference evaluator");
      });
}

FailureOr<std::vector<Tensor>> Interpreter::run(func::FuncOp func,
                                                ArrayRef<Tensor> inputs,
                                                Operation *stopAfter) {
  if (func.isExternal())
    return func.emitOpError("has no body to evaluate");
  if (!func.getBody().hasOneBlock())
    return func.emitOpError("must have a single block to be evaluated");
  Block &body = func.getBody().front();
  if (inputs.size() != body.getNumArguments())
    return func.emitOpError() << "expects " << body.getNumArguments()
                              << " inputs, got " << inputs.size();
  for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
    std::string why = checkCompatible(inputs[i], arg.getType());
    if (!why.empty())
      return func.emitOpError() << "input #" << i << ": " << why;
    set(arg, inputs[i]);
    if (observer)
      observer(arg, inputs[i]);
  }
  for (Operation &op : body) {
    if (auto ret = dyn_cast<func::ReturnOp>(op)) {
      std::vector<Tensor> results;
      for (Value v : ret.getOperands())
        results.push_back(get(v));
      return results;
    }
    for (Type t : op.getResultTypes())
      if (auto shaped = dyn_cast<ShapedType>(t);
          shaped && shaped.hasStaticShape() &&
          elementCount(shaped.getShape()) > kMaxTensorElements)
        return op.emitOpError()
               << "result of " << elementCount(shaped.getShape())
               << " elements is too large for the reference evaluator (limit "
               << kMaxTensorElements << ")";
    if (failed(execute(&op)))
      return failure();
    if (observer)
      for (Value r : op.getResults())
        observer(r, get(r));
    if (&op == stopAfter)
      return std::vector<Tensor>();
  }
  return func.emitOpError("has no func.return");
}

} // namespace

std::optional<Tensor> randomTensor(Type type, std::mt19937 &rng) {
  auto shaped = dyn_cast<RankedTensorType>(type);
  if (!shaped || !shaped.hasStaticShape() ||
      elementCount(shaped.getShape()) > kMaxTensorElements)
    return std::nullopt;
  auto info = getElementInfo(type);
  if (!info)
    return std::nullopt;
  std::vector<int64_t> shape(shaped.getShape().begin(),
                             shaped.getShape().end());
  if (info->isFloat()) {
    Tensor t = Tensor::floats(shape);
    std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
    for (float &v : t.f)
      v = dist(rng);
    return t;
  }
  Tensor t = Tensor::ints(shape);
  std::uniform_int_distribution<int64_t> dist(info->storageMin,
                                              info->storageMax);
  for (int32_t &v : t.i)
    v = static_cast<int32_t>(dist(rng));
  return t;
}

std::string checkCompatible(const Tensor &t, Type type) {
  auto tensorType = dyn_cast<RankedTensorType>(type);
  if (!tensorType || !tensorType.hasStaticShape())
    return "the argument type must be a statically shaped tensor";
  auto info = getElementInfo(tensorType.getElementType());
  if (!info)
    return "unsupported argument element type";
  std::string expected;
  for (int64_t d : tensorType.getShape())
    expected += std::to_string(d) + "x";
  if (ArrayRef<int64_t>(t.shape) != tensorType.getShape())
    return "shape " + t.describe() + " does not match the expected " +
           expected + (info->isFloat() ? "float" : "integer");
  if (t.isFloat != info->isFloat())
    return std::string("expected ") +
           (info->isFloat() ? "float" : "integer") + " data, got " +
           (t.isFloat ? "float" : "integer");
  if (!t.isFloat)
    for (size_t e = 0; e < t.i.size(); ++e)
      if (t.i[e] < info->storageMin || t.i[e] > info->storageMax)
        return "element " + std::to_string(e) + " (" + std::to_string(t.i[e]) +
               ") is outside the storage range [" +
               std::to_string(info->storageMin) + ", " +
               std::to_string(info->storageMax) + "]";
  return "";
}

FailureOr<std::vector<Tensor>> evaluate(func::FuncOp func,
                                        ArrayRef<Tensor> inputs,
                                        std::vector<GateStats> *gateStats,
                                        const ValueObserver &observer,
                                        Operation *stopAfter) {
  Interpreter interp(gateStats, observer);
  return interp.run(func, inputs, stopAfter);
}

} // namespace cgnet::ref
