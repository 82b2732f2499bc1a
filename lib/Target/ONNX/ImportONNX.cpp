//===- ImportONNX.cpp - ONNX graph to cgnet -------------------------------===//
//
// Imports an ONNX graph (opsets 1-17) into one float cgnet function. Every
// node is checked before anything is built: an unsupported op, attribute or
// opset is an error naming the node, the op and the opset, and nothing is
// imported. Shapes are static: dynamic input dimensions are 1 (the batch)
// unless --onnx-input-shape gives them. Weights become dense resources.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Dialect/CGNet/IR/CGNetTypes.h"
#include "cgnet/Reference/IntegerArith.h"
#include "cgnet/Target/ONNX/ImportONNX.h"
#include "FoldConstants.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>
#include <deque>
#include <map>
#include <onnx/onnx_pb.h>

using namespace mlir;

namespace cgnet {
namespace {

using Shape = SmallVector<int64_t, 4>;
using onnx_import::resolveWindow;

/// The ops the importer maps, with what it maps them to.
const llvm::StringSet<> &supportedOps() {
  static const llvm::StringSet<> ops = {
      "Conv",     "Relu",          "LeakyRelu",          "Clip",
      "Max",      "Min",           "MaxPool",            "AveragePool",
      "GlobalAveragePool",         "BatchNormalization", "Add",
      "Gemm",     "MatMul",        "Flatten",            "Reshape",
      "Concat",   "Transpose",     "Identity",           "Dropout",
      "QuantizeLinear",            "DequantizeLinear",   "Sigmoid",
      "HardSigmoid",               "HardSwish",          "Mul",
      "ConvInteger",               "QLinearConv",        "Softmax",
      "Resize",   "ConvTranspose",
      // Imported where they compute constants (shapes; FoldConstants.h).
      "Shape",    "Cast",          "Slice",              "Gather",
      "Unsqueeze", "Squeeze",
      // By a constant: a scale (folded into the layer before it, or a
      // per-channel batch_norm).
      "Div"};
  return ops;
}

/// The spatial attributes convolution and pooling share, with ONNX's
/// defaults for one (1-D) or two (2-D) spatial dimensions.
struct WindowAttrs {
  Shape strides, dil, pads;
  std::string autoPad;
};

class Importer {
public:
  Importer(const onnx::ModelProto &model, MLIRContext *ctx, Location fileLoc,
           const ImportOptions &options)
      : model(model), graph(model.graph()), b(ctx),
        fileLoc(fileLoc), options(options) {}

  OwningOpRef<ModuleOp> run();

private:
  InFlightDiagnostic nodeError(const onnx::NodeProto &n) {
    return emitError(fileLoc) << "node '" << nodeName(n) << "' (" << n.op_type()
                              << ", opset " << opset << "): ";
  }
  std::string nodeName(const onnx::NodeProto &n) {
    return n.name().empty() ? n.op_type() + "_" + std::to_string(nodeIndex)
                            : n.name();
  }
  Location nodeLoc(const onnx::NodeProto &n) {
    return NameLoc::get(b.getStringAttr(nodeName(n)), fileLoc);
  }

  LogicalResult checkModel();
  LogicalResult importNode(const onnx::NodeProto &n);
  FailureOr<Value> input(const onnx::NodeProto &n, int i);
  const onnx::TensorProto *constant(const onnx::NodeProto &n, int i);
  FailureOr<std::vector<double>> constantValues(const onnx::NodeProto &n,
                                                const onnx::TensorProto &t);
  FailureOr<Value> convBias(const onnx::NodeProto &n, int i, int64_t channels,
                            bool isInt);
  FailureOr<std::vector<float>> floatConstant(const onnx::NodeProto &n, int i,
                                              Shape *shape = nullptr);
  FailureOr<std::vector<int64_t>> intConstant(const onnx::NodeProto &n, int i);
  Value weightConstant(Location loc, const Shape &shape,
                       ArrayRef<float> data, StringRef name);
  Value vectorConstant(Location loc, ArrayRef<float> data);
  static Shape shapeOf(Value v) {
    return Shape(cast<ShapedType>(v.getType()).getShape());
  }
  RankedTensorType f32Tensor(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  void define(const onnx::NodeProto &n, Value v, int output = 0) {
    values[n.output(output)] = v;
  }

  /// ONNX's three convolutions: float Conv, ConvInteger (8-bit operands
  /// with zero points, i32 result) and QLinearConv (quantized operands and
  /// result, requantized from the i32 accumulator).
  enum class ConvKind { Float, Integer, QLinear };
  LogicalResult conv(const onnx::NodeProto &n, ConvKind kind);
  FailureOr<Value> integerWeight(const onnx::NodeProto &n, ConvKind kind,
                                 const Shape &shape);
  FailureOr<Value> asQuantized(const onnx::NodeProto &n, Location loc, Value x,
                               Type want);
  FailureOr<WindowAttrs> windowAttrs(const onnx::NodeProto &n, bool lifted);
  Value toHeightOne(Location loc, Value x);
  void defineFromHeightOne(const onnx::NodeProto &n, Location loc, Value y,
                           bool lifted);
  LogicalResult pool(const onnx::NodeProto &n, bool isMax);
  LogicalResult clip(const onnx::NodeProto &n);
  LogicalResult minMax(const onnx::NodeProto &n, bool isMax);
  LogicalResult batchNorm(const onnx::NodeProto &n);
  LogicalResult gemm(const onnx::NodeProto &n, bool isMatMul);
  LogicalResult reshape(const onnx::NodeProto &n, bool isFlatten);
  LogicalResult concat(const onnx::NodeProto &n);
  LogicalResult transpose(const onnx::NodeProto &n);
  LogicalResult quantizeLinear(const onnx::NodeProto &n, bool dequantize);
  FailureOr<Type> quantizedType(const onnx::NodeProto &n, int scaleInput,
                                int zeroPointInput, ArrayRef<int64_t> xs,
                                bool signedDefault, int64_t axis);
  FailureOr<Type> integerInputType(const onnx::NodeProto &consumer,
                                   ArrayRef<int64_t> shape, bool isSigned);

  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  OpBuilder b;
  Location fileLoc;
  const ImportOptions &options;
  int64_t opset = 0;
  int64_t nodeIndex = 0;
  llvm::StringMap<const onnx::TensorProto *> constants;
  llvm::StringMap<Value> values;
  /// Constants computed at import (FoldConstants.h).
  std::deque<onnx::TensorProto> folded;
  /// HardSwish written out, x * clip(x + 3, 0, 6) / 6: the Div's output ->
  /// x, and the Add, Clip and Mul nodes it replaces.
  llvm::StringMap<std::string> hardSwishAt;
  llvm::DenseSet<const onnx::NodeProto *> replaced;
  /// How many nodes (and graph outputs) read each value.
  llvm::StringMap<int> readers;

  void findHardSwish();
  LogicalResult foldShapeNode(const onnx::NodeProto &n);
  LogicalResult affineConstant(const onnx::NodeProto &n, bool isMul,
                               int constantInput, bool reciprocal = false);
  LogicalResult softmax(const onnx::NodeProto &n);
  LogicalResult resize(const onnx::NodeProto &n);
  LogicalResult convTranspose(const onnx::NodeProto &n);
};

// Attribute helpers.
const onnx::AttributeProto *attr(const onnx::NodeProto &n, StringRef name) {
  for (const onnx::AttributeProto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}
int64_t intAttr(const onnx::NodeProto &n, StringRef name, int64_t def) {
  const onnx::AttributeProto *a = attr(n, name);
  return a ? a->i() : def;
}
float floatAttr(const onnx::NodeProto &n, StringRef name, float def) {
  const onnx::AttributeProto *a = attr(n, name);
  return a ? a->f() : def;
}
std::string stringAttr(const onnx::NodeProto &n, StringRef name,
                       StringRef def) {
  const onnx::AttributeProto *a = attr(n, name);
  return a ? a->s() : def.str();
}
Shape intsAttr(const onnx::NodeProto &n, StringRef name, Shape def) {
  const onnx::AttributeProto *a = attr(n, name);
  if (!a)
    return def;
  return Shape(a->ints().begin(), a->ints().end());
}

LogicalResult Importer::checkModel() {
  for (const onnx::OperatorSetIdProto &o : model.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      opset = o.version();
  if (opset < 1 || opset > 17)
    return emitError(fileLoc) << "ONNX opset " << opset
                              << " is not supported (opsets 1-17 are)";
  bool ok = true;
  nodeIndex = 0;
  for (const onnx::NodeProto &n : graph.node()) {
    bool known = n.domain().empty() || n.domain() == "ai.onnx";
    if (n.op_type() == "Constant" && known) {
      ++nodeIndex;
      continue;
    }
    if (!known || !supportedOps().contains(n.op_type())) {
      nodeError(n) << "unsupported op"
                   << (known ? "" : " in domain '" + n.domain() + "'");
      ok = false;
    } else if (n.output_size() < 1 || n.output(0).empty()) {
      nodeError(n) << "the node has no output";
      ok = false;
    }
    ++nodeIndex;
  }
  return success(ok);
}

const onnx::TensorProto *Importer::constant(const onnx::NodeProto &n, int i) {
  if (i >= n.input_size() || n.input(i).empty())
    return nullptr;
  auto it = constants.find(n.input(i));
  return it == constants.end() ? nullptr : it->second;
}

FailureOr<Value> Importer::input(const onnx::NodeProto &n, int i) {
  if (i >= n.input_size() || n.input(i).empty()) {
    nodeError(n) << "missing input #" << i;
    return failure();
  }
  auto it = values.find(n.input(i));
  if (it != values.end())
    return it->second;
  if (constants.count(n.input(i)))
    nodeError(n) << "input #" << i << " ('" << n.input(i)
                 << "') is a constant where an activation is expected";
  else
    nodeError(n) << "input #" << i << " ('" << n.input(i)
                 << "') is not produced by any earlier node";
  return failure();
}

FailureOr<std::vector<double>>
Importer::constantValues(const onnx::NodeProto &n,
                         const onnx::TensorProto &t) {
  auto nums = onnx_import::tensorValues(t);
  if (!nums) {
    nodeError(n) << "constant '" << t.name()
                 << "' cannot be read (ONNX data type " << t.data_type()
                 << "): an unsupported type, external data, or a data size "
                    "that does not match its shape";
    return failure();
  }
  return std::move(*nums);
}

FailureOr<std::vector<float>>
Importer::floatConstant(const onnx::NodeProto &n, int i, Shape *shape) {
  const onnx::TensorProto *t = constant(n, i);
  if (!t) {
    nodeError(n) << "input #" << i << " must be a constant (initializer or "
                 << "Constant node)";
    return failure();
  }
  auto nums = constantValues(n, *t);
  if (failed(nums))
    return failure();
  if (shape)
    *shape = Shape(t->dims().begin(), t->dims().end());
  return std::vector<float>(nums->begin(), nums->end());
}

FailureOr<std::vector<int64_t>> Importer::intConstant(const onnx::NodeProto &n,
                                                      int i) {
  auto f = floatConstant(n, i);
  if (failed(f))
    return failure();
  // Re-read exactly: int64 shapes must not pass through float.
  const onnx::TensorProto *t = constant(n, i);
  auto nums = onnx_import::tensorValues(*t);
  std::vector<int64_t> out;
  for (double v : *nums) {
    std::optional<int64_t> iv = onnx_import::toInt64(v);
    if (!iv) {
      nodeError(n) << "input #" << i << " holds " << v
                   << ", not an integer in int64's range";
      return failure();
    }
    out.push_back(*iv);
  }
  return out;
}

Value Importer::weightConstant(Location loc, const Shape &shape,
                               ArrayRef<float> data, StringRef name) {
  return createF32ResourceConstant(b, loc, f32Tensor(shape), data, name);
}

Value Importer::vectorConstant(Location loc, ArrayRef<float> data) {
  return createF32Constant(
      b, loc, f32Tensor({static_cast<int64_t>(data.size())}), data);
}

/// 1-D convolutions and pooling run as 2-D ones of height 1: the spatial
/// attributes of one dimension become those of the width.
static void liftAttrs(WindowAttrs &w) {
  if (w.strides.size() == 1)
    w.strides = {1, w.strides[0]};
  if (w.dil.size() == 1)
    w.dil = {1, w.dil[0]};
  if (w.pads.size() == 2)
    w.pads = {0, w.pads[0], 0, w.pads[1]};
}

FailureOr<WindowAttrs> Importer::windowAttrs(const onnx::NodeProto &n,
                                             bool lifted) {
  WindowAttrs w;
  w.strides = intsAttr(n, "strides", lifted ? Shape{1} : Shape{1, 1});
  w.dil = intsAttr(n, "dilations", lifted ? Shape{1} : Shape{1, 1});
  w.pads = intsAttr(n, "pads", lifted ? Shape{0, 0} : Shape{0, 0, 0, 0});
  w.autoPad = stringAttr(n, "auto_pad", "NOTSET");
  if (!onnx_import::isKnownAutoPad(w.autoPad))
    return nodeError(n) << "unknown auto_pad '" << w.autoPad << "'";
  return w;
}

Value Importer::toHeightOne(Location loc, Value x) {
  auto t = cast<RankedTensorType>(x.getType());
  Shape s(t.getShape());
  return ReshapeOp::create(b, loc, t.clone({s[0], s[1], 1, s[2]}), x);
}

void Importer::defineFromHeightOne(const onnx::NodeProto &n, Location loc,
                                   Value y, bool lifted) {
  if (!lifted) {
    define(n, y);
    return;
  }
  auto t = cast<RankedTensorType>(y.getType());
  Shape s(t.getShape());
  define(n, ReshapeOp::create(b, loc, t.clone({s[0], s[1], s[3]}), y));
}

/// A convolution's bias from input `i`: null where the node has none, one
/// value per output channel, f32 or (`isInt`, QLinearConv) int32.
FailureOr<Value> Importer::convBias(const onnx::NodeProto &n, int i,
                                    int64_t channels, bool isInt) {
  const onnx::TensorProto *t = constant(n, i);
  if (!t) {
    if (n.input_size() > i && !n.input(i).empty())
      return nodeError(n) << "the bias must be a constant";
    return Value();
  }
  if (isInt && t->data_type() != onnx::TensorProto::INT32)
    return nodeError(n) << "the bias must be int32, got ONNX type "
                        << t->data_type();
  auto bv = constantValues(n, *t);
  if (failed(bv))
    return failure();
  if (static_cast<int64_t>(bv->size()) != channels)
    return nodeError(n) << "bias has " << bv->size() << " values for "
                        << channels << " output channels";
  Location loc = nodeLoc(n);
  if (!isInt)
    return vectorConstant(loc, std::vector<float>(bv->begin(), bv->end()));
  std::vector<int32_t> iv(bv->begin(), bv->end());
  return arith::ConstantOp::create(
             b, loc,
             DenseElementsAttr::get(
                 RankedTensorType::get({channels}, b.getI32Type()),
                 ArrayRef<int32_t>(iv)))
      .getResult();
}

/// The weight of an integer convolution: an 8-bit constant with its zero
/// points (and, for QLinearConv, its scales; per tensor or per output
/// channel), as stored integers cast to their quantized type.
FailureOr<Value> Importer::integerWeight(const onnx::NodeProto &n,
                                         ConvKind kind, const Shape &shape) {
  bool qlinear = kind == ConvKind::QLinear;
  int wInput = qlinear ? 3 : 1;
  const onnx::TensorProto *t = constant(n, wInput);
  if (!t || (t->data_type() != onnx::TensorProto::INT8 &&
             t->data_type() != onnx::TensorProto::UINT8))
    return nodeError(n) << "the weight (input #" << wInput
                        << ") must be an int8 or uint8 constant";
  bool isSigned = t->data_type() == onnx::TensorProto::INT8;
  auto values = constantValues(n, *t);
  if (failed(values))
    return failure();
  auto type = quantizedType(n, qlinear ? 4 : -1, qlinear ? 5 : 3, shape,
                            isSigned, /*axis=*/0);
  if (failed(type))
    return failure();
  SmallVector<int8_t> bits;
  for (double v : *values)
    bits.push_back(static_cast<int8_t>(static_cast<int64_t>(v)));
  Location loc = nodeLoc(n);
  auto storage = RankedTensorType::get(shape, b.getIntegerType(8));
  Value raw = createI8ResourceConstant(b, loc, storage, bits, t->name());
  return quant::StorageCastOp::create(b, loc,
                                      RankedTensorType::get(shape, *type), raw)
      .getResult();
}

/// `x` (8-bit integers) with the quantized type `want`: as it is, or its
/// stored integers reinterpreted with `want`'s parameters.
FailureOr<Value> Importer::asQuantized(const onnx::NodeProto &n, Location loc,
                                       Value x, Type want) {
  auto xq = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(x));
  if (!xq)
    return nodeError(n) << "the input must be 8-bit integers (a graph input "
                           "or a QuantizeLinear result), got "
                        << x.getType();
  if (xq == want)
    return x;
  auto wq = cast<quant::QuantizedType>(want);
  if (xq.isSigned() != wq.isSigned())
    return nodeError(n) << "the input's integers are "
                        << (xq.isSigned() ? "signed" : "unsigned")
                        << " but its zero point is "
                        << (wq.isSigned() ? "int8" : "uint8");
  Shape xs = shapeOf(x);
  Value v = quant::StorageCastOp::create(
      b, loc, RankedTensorType::get(xs, xq.getStorageType()), x);
  return quant::StorageCastOp::create(b, loc, RankedTensorType::get(xs, want),
                                      v)
      .getResult();
}

LogicalResult Importer::conv(const onnx::NodeProto &n, ConvKind kind) {
  bool isFloat = kind == ConvKind::Float, qlinear = kind == ConvKind::QLinear;
  int wInput = qlinear ? 3 : 1;
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Shape wShape;
  std::vector<float> wFloat;
  if (isFloat) {
    auto w = floatConstant(n, 1, &wShape);
    if (failed(w))
      return failure();
    wFloat = std::move(*w);
  } else if (const onnx::TensorProto *t = constant(n, wInput)) {
    wShape.assign(t->dims().begin(), t->dims().end());
  } else {
    return nodeError(n) << "input #" << wInput
                        << " (the weight) must be a constant";
  }
  Shape xs = shapeOf(*x);
  bool lifted = xs.size() == 3 && wShape.size() == 3;
  if (xs.size() != 4 - lifted || wShape.size() != 4 - lifted)
    return nodeError(n) << "only 1-D and 2-D convolutions (3-D or 4-D input "
                           "and weight) are supported";
  int64_t groups = intAttr(n, "group", 1);
  auto win = windowAttrs(n, lifted);
  if (failed(win))
    return failure();
  auto &[strides, dil, pads, autoPad] = *win;
  if (strides.size() != 2 - lifted || dil.size() != 2 - lifted ||
      pads.size() != 4 - 2 * lifted)
    return nodeError(n) << "strides, dilations and pads must match the "
                           "spatial dimensions";
  if (groups < 1 || xs[1] != wShape[1] * groups || wShape[0] % groups != 0)
    return nodeError(n) << "input channels " << xs[1] << ", weight "
                        << wShape[0] << "x" << wShape[1] << " and group "
                        << groups << " do not agree";
  Location loc = nodeLoc(n);
  if (!isFloat) {
    // The input's type: its zero point (and, for QLinearConv, scale).
    auto xElem = dyn_cast<quant::QuantizedType>(getElementTypeOrSelf(*x));
    auto want = quantizedType(n, qlinear ? 1 : -1, 2, xs,
                              xElem ? xElem.isSigned() : true, /*axis=*/1);
    if (failed(want))
      return failure();
    auto typed = asQuantized(n, loc, *x, *want);
    if (failed(typed))
      return failure();
    *x = *typed;
  }
  if (lifted) {
    liftAttrs(*win);
    *x = toHeightOne(loc, *x);
    xs = shapeOf(*x);
    wShape = {wShape[0], wShape[1], 1, wShape[2]};
  }
  int64_t pt = pads[0], pl = pads[1], pb = pads[2], pr = pads[3];
  int64_t oh =
      resolveWindow(autoPad, xs[2], wShape[2], strides[0], dil[0], pt, pb);
  int64_t ow =
      resolveWindow(autoPad, xs[3], wShape[3], strides[1], dil[1], pl, pr);
  if (oh < 1 || ow < 1)
    return nodeError(n) << "the kernel does not fit the " << xs[2] << "x"
                        << xs[3] << " input";
  Value weight;
  if (isFloat) {
    weight = weightConstant(loc, wShape, wFloat, n.input(1));
  } else {
    auto w = integerWeight(n, kind, wShape);
    if (failed(w))
      return failure();
    weight = *w;
  }
  // ConvInteger has no bias.
  Value bias;
  if (kind != ConvKind::Integer) {
    auto bv = convBias(n, qlinear ? 8 : 2, wShape[0], qlinear);
    if (failed(bv))
      return failure();
    bias = *bv;
  }
  Shape outShape = {xs[0], wShape[0], oh, ow};
  Type accElem = isFloat ? Type(b.getF32Type()) : Type(b.getI32Type());
  Value y = Conv2DOp::create(b, loc, RankedTensorType::get(outShape, accElem),
                             *x, weight, bias, b.getDenseI64ArrayAttr(strides),
                             b.getDenseI64ArrayAttr({pt, pl, pb, pr}),
                             b.getDenseI64ArrayAttr(dil),
                             b.getI64IntegerAttr(groups));
  if (qlinear) {
    // y = saturate(y_zp + round(acc * x_scale * w_scale[o] / y_scale)), the
    // ratio as a fixed-point multiplier and shift per output channel.
    const onnx::TensorProto *yzp = constant(n, 7);
    auto yType = quantizedType(
        n, 6, 7, outShape,
        !yzp || yzp->data_type() == onnx::TensorProto::INT8, /*axis=*/1);
    if (failed(yType))
      return failure();
    ElementInfo xi = *getElementInfo(getElementTypeOrSelf(*x));
    ElementInfo wi = *getElementInfo(getElementTypeOrSelf(weight));
    double ys = getElementInfo(*yType)->scale();
    if (getElementInfo(*yType)->isPerAxis())
      return nodeError(n) << "y_scale and y_zero_point must be scalars";
    SmallVector<int32_t> mult, shift;
    for (int64_t o = 0; o < (wi.isPerAxis() ? wShape[0] : 1); ++o) {
      double ratio = xi.scale() * wi.scale(o) / ys;
      auto fp = ref::toFixedPoint(ratio);
      if (!fp)
        return nodeError(n) << "the requantization ratio x_scale * w_scale / "
                               "y_scale = "
                            << ratio << " is not a positive number below 2^31";
      mult.push_back(fp->multiplier);
      shift.push_back(fp->shift);
    }
    y = RequantizeOp::create(b, loc, RankedTensorType::get(outShape, *yType),
                             y, mult, shift, /*axis=*/1);
  }
  defineFromHeightOne(n, loc, y, lifted);
  return success();
}

LogicalResult Importer::pool(const onnx::NodeProto &n, bool isMax) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  Shape k = intsAttr(n, "kernel_shape", {});
  bool lifted = xs.size() == 3 && k.size() == 1;
  auto win = windowAttrs(n, lifted);
  if (failed(win))
    return failure();
  auto &[strides, dil, pads, autoPad] = *win;
  if (xs.size() != 4 - lifted || k.size() != 2 - lifted ||
      strides.size() != 2 - lifted || pads.size() != 4 - 2 * lifted)
    return nodeError(n) << "only 1-D and 2-D pooling is supported";
  bool ceilMode = intAttr(n, "ceil_mode", 0) != 0;
  bool countPad = !isMax && intAttr(n, "count_include_pad", 0) != 0;
  if (ceilMode && countPad)
    return nodeError(n) << "ceil_mode=1 with count_include_pad=1 is not "
                           "supported";
  if (llvm::any_of(dil, [](int64_t d) { return d != 1; }))
    return nodeError(n) << "dilated pooling is not supported";
  if (isMax && (n.output_size() > 1 || intAttr(n, "storage_order", 0) != 0))
    return nodeError(n) << "the Indices output and storage_order are not "
                           "supported";
  Location loc = nodeLoc(n);
  if (lifted) {
    liftAttrs(*win);
    k = {1, k[0]};
    *x = toHeightOne(loc, *x);
    xs = shapeOf(*x);
  }
  int64_t pt = pads[0], pl = pads[1], pb = pads[2], pr = pads[3];
  int64_t oh = resolveWindow(autoPad, xs[2], k[0], strides[0], 1, pt, pb);
  int64_t ow = resolveWindow(autoPad, xs[3], k[1], strides[1], 1, pl, pr);
  if (oh < 1 || ow < 1)
    return nodeError(n) << "the window does not fit the input";
  if (ceilMode) {
    // One more output where the last window would start inside the
    // (left-padded) input; it reads padding at the end, which pooling
    // ignores.
    auto extend = [](int64_t in, int64_t kernel, int64_t stride,
                     int64_t before, int64_t &after, int64_t &out) {
      int64_t span = in + before + after - kernel;
      int64_t ceilOut = (span + stride - 1) / stride + 1;
      if ((ceilOut - 1) * stride >= in + before)
        --ceilOut;
      if (ceilOut > out) {
        after += (ceilOut - 1) * stride + kernel - (in + before + after);
        out = ceilOut;
      }
    };
    extend(xs[2], k[0], strides[0], pt, pb, oh);
    extend(xs[3], k[1], strides[1], pl, pr, ow);
  }
  auto type = f32Tensor({xs[0], xs[1], oh, ow});
  auto kAttr = b.getDenseI64ArrayAttr(k);
  auto sAttr = b.getDenseI64ArrayAttr(strides);
  auto pAttr = b.getDenseI64ArrayAttr({pt, pl, pb, pr});
  Value y;
  if (isMax)
    y = MaxPool2DOp::create(b, loc, type, *x, kAttr, sAttr, pAttr);
  else
    y = AvgPool2DOp::create(b, loc, type, *x, kAttr, sAttr, pAttr,
                            b.getBoolAttr(countPad));
  defineFromHeightOne(n, loc, y, lifted);
  return success();
}

LogicalResult Importer::clip(const onnx::NodeProto &n) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  float lo = -INFINITY, hi = INFINITY;
  if (opset < 11) {
    lo = floatAttr(n, "min", -INFINITY);
    hi = floatAttr(n, "max", INFINITY);
  } else {
    for (int i : {1, 2}) {
      if (i >= n.input_size() || n.input(i).empty())
        continue;
      auto v = floatConstant(n, i);
      if (failed(v))
        return failure();
      if (v->size() != 1)
        return nodeError(n) << "min and max must be scalars";
      (i == 1 ? lo : hi) = (*v)[0];
    }
  }
  if (lo > hi)
    return nodeError(n) << "min " << lo << " exceeds max " << hi;
  define(n, ClampOp::create(b, nodeLoc(n), x->getType(), *x,
                            b.getF32FloatAttr(lo), b.getF32FloatAttr(hi),
                            nullptr, nullptr));
  return success();
}

LogicalResult Importer::minMax(const onnx::NodeProto &n, bool isMax) {
  // Max(x, c) / Min(x, c) with a constant single value c is a clamp.
  if (n.input_size() != 2)
    return nodeError(n) << "only two inputs, one of them a constant scalar, "
                           "are supported";
  int constIndex = constant(n, 1) ? 1 : (constant(n, 0) ? 0 : -1);
  if (constIndex < 0)
    return nodeError(n) << "an elementwise " << n.op_type()
                        << " of two activations is not supported (one input "
                           "must be a constant)";
  auto x = input(n, 1 - constIndex);
  auto c = floatConstant(n, constIndex);
  if (failed(x) || failed(c))
    return failure();
  for (float v : *c)
    if (v != (*c)[0])
      return nodeError(n) << "the constant must hold one value (a per-element "
                             "bound is not supported)";
  float lo = isMax ? (*c)[0] : -INFINITY, hi = isMax ? INFINITY : (*c)[0];
  define(n, ClampOp::create(b, nodeLoc(n), x->getType(), *x,
                            b.getF32FloatAttr(lo), b.getF32FloatAttr(hi),
                            nullptr, nullptr));
  return success();
}

LogicalResult Importer::batchNorm(const onnx::NodeProto &n) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  if (n.output_size() > 1 || intAttr(n, "training_mode", 0) != 0)
    return nodeError(n) << "only inference batch normalization (one output) "
                           "is supported";
  if (intAttr(n, "spatial", 1) != 1)
    return nodeError(n) << "spatial=0 (per-element statistics) is not "
                           "supported";
  Location loc = nodeLoc(n);
  SmallVector<Value> params;
  if (shapeOf(*x).size() < 2)
    return nodeError(n) << "the input must have rank >= 2 (N x C x ...)";
  int64_t c = shapeOf(*x)[1];
  for (int i = 1; i <= 4; ++i) {
    auto v = floatConstant(n, i);
    if (failed(v))
      return failure();
    if (static_cast<int64_t>(v->size()) != c)
      return nodeError(n) << "input #" << i << " has " << v->size()
                          << " values for " << c << " channels";
    params.push_back(vectorConstant(loc, *v));
  }
  define(n, BatchNormOp::create(b, loc, x->getType(), *x, params[0], params[1],
                                params[2], params[3],
                                b.getF32FloatAttr(floatAttr(n, "epsilon",
                                                            1e-5f))));
  return success();
}

LogicalResult Importer::gemm(const onnx::NodeProto &n, bool isMatMul) {
  auto a = input(n, 0);
  Shape bShape;
  auto w = floatConstant(n, 1, &bShape);
  if (failed(a) || failed(w))
    return failure();
  Shape as = shapeOf(*a);
  if (as.size() != 2 || bShape.size() != 2)
    return nodeError(n) << "only 2-D operands are supported (got a rank-"
                        << as.size() << " input)";
  bool transA = !isMatMul && intAttr(n, "transA", 0);
  bool transB = !isMatMul && intAttr(n, "transB", 0);
  if (transA) {
    // A is K x M: transpose it to M x K.
    a = TransposeOp::create(b, nodeLoc(n), f32Tensor({as[1], as[0]}), *a,
                            b.getDenseI64ArrayAttr({1, 0}))
            .getResult();
    as = {as[1], as[0]};
  }
  float alpha = isMatMul ? 1.0f : floatAttr(n, "alpha", 1.0f);
  float beta = isMatMul ? 1.0f : floatAttr(n, "beta", 1.0f);
  int64_t k = transB ? bShape[1] : bShape[0];
  int64_t o = transB ? bShape[0] : bShape[1];
  if (k != as[1])
    return nodeError(n) << "input has " << as[1] << " features, weight "
                        << k;
  // cgnet weights are O x K: transpose B unless transB; fold alpha in.
  std::vector<float> wt(o * k);
  for (int64_t i = 0; i < o; ++i)
    for (int64_t j = 0; j < k; ++j)
      wt[i * k + j] = alpha * (transB ? (*w)[i * k + j] : (*w)[j * o + i]);
  Location loc = nodeLoc(n);
  Value weight = weightConstant(loc, {o, k}, wt, n.input(1));
  Value bias;
  if (!isMatMul && n.input_size() > 2 && !n.input(2).empty()) {
    auto c = floatConstant(n, 2);
    if (failed(c))
      return failure();
    std::vector<float> bv(o);
    if (c->size() == 1)
      std::fill(bv.begin(), bv.end(), beta * (*c)[0]);
    else if (static_cast<int64_t>(c->size()) == o)
      for (int64_t i = 0; i < o; ++i)
        bv[i] = beta * (*c)[i];
    else
      return nodeError(n) << "C must be a scalar or one value per output "
                             "(got "
                          << c->size() << " values)";
    bias = vectorConstant(loc, bv);
  }
  define(n, FullyConnectedOp::create(b, loc, f32Tensor({as[0], o}), *a, weight,
                                     bias));
  return success();
}

LogicalResult Importer::reshape(const onnx::NodeProto &n, bool isFlatten) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  int64_t count = 1;
  for (int64_t d : xs)
    count *= d;
  Shape out;
  if (isFlatten) {
    int64_t axis = intAttr(n, "axis", 1);
    if (axis < 0)
      axis += static_cast<int64_t>(xs.size());
    if (axis < 0 || axis > static_cast<int64_t>(xs.size()))
      return nodeError(n) << "axis " << axis << " is out of range";
    int64_t outer = 1;
    for (int64_t d = 0; d < axis; ++d)
      outer *= xs[d];
    out = {outer, count / outer};
  } else {
    if (opset < 5)
      return nodeError(n) << "Reshape with a 'shape' attribute (before opset "
                             "5) is not supported";
    auto target = intConstant(n, 1);
    if (failed(target))
      return failure();
    if (intAttr(n, "allowzero", 0) != 0)
      return nodeError(n) << "allowzero=1 is not supported";
    int64_t known = 1, inferred = -1;
    for (auto [i, d] : llvm::enumerate(*target)) {
      if (d == 0) {
        if (i >= xs.size())
          return nodeError(n) << "dimension " << i << " copies a missing "
                                 "input dimension";
        d = xs[i];
      }
      if (d == -1) {
        if (inferred >= 0)
          return nodeError(n) << "more than one -1 in the target shape";
        inferred = static_cast<int64_t>(i);
        out.push_back(1);
        continue;
      }
      if (d < 1)
        return nodeError(n) << "invalid target dimension " << d;
      known *= d;
      out.push_back(d);
    }
    if (inferred >= 0) {
      if (count % known != 0)
        return nodeError(n) << "cannot infer -1 for " << count
                            << " elements";
      out[inferred] = count / known;
    }
    int64_t total = 1;
    for (int64_t d : out)
      total *= d;
    if (total != count)
      return nodeError(n) << "target shape has " << total
                          << " elements, the input " << count;
  }
  define(n, ReshapeOp::create(b, nodeLoc(n), f32Tensor(out), *x));
  return success();
}

LogicalResult Importer::concat(const onnx::NodeProto &n) {
  if (n.input_size() < 1)
    return nodeError(n) << "needs at least one input";
  SmallVector<Value> ins;
  for (int i = 0; i < n.input_size(); ++i) {
    auto v = input(n, i);
    if (failed(v))
      return failure();
    ins.push_back(*v);
  }
  Shape out = shapeOf(ins[0]);
  int64_t axis = intAttr(n, "axis", 1);
  if (axis < 0)
    axis += static_cast<int64_t>(out.size());
  if (axis < 0 || axis >= static_cast<int64_t>(out.size()))
    return nodeError(n) << "axis is out of range";
  out[axis] = 0;
  for (Value v : ins) {
    Shape s = shapeOf(v);
    if (s.size() != out.size())
      return nodeError(n) << "inputs differ in rank";
    out[axis] += s[axis];
  }
  define(n, ConcatOp::create(b, nodeLoc(n), f32Tensor(out), ins,
                             b.getI64IntegerAttr(axis)));
  return success();
}

LogicalResult Importer::transpose(const onnx::NodeProto &n) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  Shape perm = intsAttr(n, "perm", {});
  if (perm.empty())
    for (int64_t d = static_cast<int64_t>(xs.size()) - 1; d >= 0; --d)
      perm.push_back(d);
  if (perm.size() != xs.size())
    return nodeError(n) << "perm has " << perm.size() << " entries for rank "
                        << xs.size();
  Shape out;
  for (int64_t p : perm) {
    if (p < 0 || p >= static_cast<int64_t>(xs.size()))
      return nodeError(n) << "perm entry " << p << " is out of range";
    out.push_back(xs[p]);
  }
  define(n, TransposeOp::create(b, nodeLoc(n), f32Tensor(out), *x,
                                b.getDenseI64ArrayAttr(perm)));
  return success();
}

/// The !quant.uniform element type a QuantizeLinear / DequantizeLinear node
/// describes for an input of shape `xs`: per tensor, or per axis for a 1-D
/// scale; signed when the zero point is int8 (or, without one, when
/// `signedDefault`).
/// The quantized type of input `scaleInput`'s scales (all 1 when
/// `scaleInput` is negative: ConvInteger has none) and input
/// `zeroPointInput`'s zero points (0 when absent, signed as
/// `signedDefault`); several of them are per axis `axis` of `xs`.
FailureOr<Type> Importer::quantizedType(const onnx::NodeProto &n,
                                        int scaleInput, int zeroPointInput,
                                        ArrayRef<int64_t> xs,
                                        bool signedDefault, int64_t axis) {
  std::vector<float> scales = {1.0f};
  if (scaleInput >= 0) {
    auto read = floatConstant(n, scaleInput);
    if (failed(read))
      return failure();
    scales = std::move(*read);
  }
  bool isSigned = signedDefault;
  std::vector<int64_t> zps;
  if (const onnx::TensorProto *zp = constant(n, zeroPointInput)) {
    if (zp->data_type() != onnx::TensorProto::INT8 &&
        zp->data_type() != onnx::TensorProto::UINT8)
      return nodeError(n) << "zero points of ONNX type " << zp->data_type()
                          << " are not supported (int8 and uint8 are)";
    isSigned = zp->data_type() == onnx::TensorProto::INT8;
    auto values = constantValues(n, *zp);
    if (failed(values))
      return failure();
    zps.assign(values->begin(), values->end());
    if (scaleInput < 0)
      scales.assign(zps.size(), 1.0f);
    if (zps.size() != scales.size())
      return nodeError(n) << "the zero point must have one value per scale";
  } else if (n.input_size() > zeroPointInput &&
             !n.input(zeroPointInput).empty()) {
    return nodeError(n) << "the zero point must be a constant";
  }
  if (zps.empty())
    zps.assign(scales.size(), 0);
  for (float sc : scales)
    if (!(sc > 0) || !std::isfinite(sc))
      return nodeError(n) << "scales must be positive and finite, got " << sc;
  unsigned flags = isSigned ? quant::QuantizationFlags::Signed : 0;
  Type storage = b.getIntegerType(8);
  int64_t lo = isSigned ? -128 : 0, hi = isSigned ? 127 : 255;
  if (scales.size() == 1)
    return Type(quant::UniformQuantizedType::get(
        flags, storage, b.getF32Type(), scales[0], zps[0], lo, hi));
  if (axis < 0)
    axis += static_cast<int64_t>(xs.size());
  if (axis < 0 || axis >= static_cast<int64_t>(xs.size()) ||
      xs[axis] != static_cast<int64_t>(scales.size()))
    return nodeError(n) << scales.size() << " scales do not match axis "
                        << axis << " of the input";
  SmallVector<double> sc(scales.begin(), scales.end());
  return Type(quant::UniformQuantizedPerAxisType::get(
      flags, storage, b.getF32Type(), sc, zps, static_cast<int32_t>(axis), lo,
      hi));
}

/// The quantized type of an 8-bit graph input from the one node that reads
/// it: DequantizeLinear, ConvInteger or QLinearConv (as input #0).
FailureOr<Type> Importer::integerInputType(const onnx::NodeProto &consumer,
                                           ArrayRef<int64_t> shape,
                                           bool isSigned) {
  const std::string &op = consumer.op_type();
  if (op == "DequantizeLinear")
    return quantizedType(consumer, 1, 2, shape, isSigned,
                         intAttr(consumer, "axis", 1));
  return quantizedType(consumer, op == "QLinearConv" ? 1 : -1, 2, shape,
                       isSigned, /*axis=*/1);
}

LogicalResult Importer::quantizeLinear(const onnx::NodeProto &n,
                                       bool dequantize) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  Type xElem = cast<ShapedType>(x->getType()).getElementType();
  auto xQuant = dyn_cast<quant::QuantizedType>(xElem);
  if (dequantize && !xQuant)
    return nodeError(n) << "the input must be quantized 8-bit integers (a "
                           "QuantizeLinear result or an int8/uint8 input)";
  if (!dequantize && !isa<FloatType>(xElem))
    return nodeError(n) << "the input must be float";
  auto qElem = quantizedType(n, 1, 2, xs, dequantize && xQuant.isSigned(),
                             intAttr(n, "axis", 1));
  if (failed(qElem))
    return failure();
  Location loc = nodeLoc(n);
  auto qType = RankedTensorType::get(xs, *qElem);
  if (!dequantize) {
    // ONNX QuantizeLinear rounds ties to even.
    define(n, QuantizeOp::create(
                  b, loc, qType, *x,
                  RoundingModeAttr::get(b.getContext(),
                                        RoundingMode::HalfToEven)));
    return success();
  }
  // Reinterpret the stored integers with this node's parameters.
  Value v = *x;
  if (xElem != *qElem) {
    v = quant::StorageCastOp::create(
        b, loc, RankedTensorType::get(xs, xQuant.getStorageType()), v);
    v = quant::StorageCastOp::create(b, loc, qType, v);
  }
  define(n, DequantizeOp::create(b, loc, f32Tensor(xs), v));
  return success();
}

LogicalResult Importer::foldShapeNode(const onnx::NodeProto &n) {
  onnx_import::FoldContext ctx;
  ctx.opset = opset;
  ctx.constant = [&](const std::string &name) { return constants.lookup(name); };
  ctx.shape = [&](const std::string &name)
      -> std::optional<std::vector<int64_t>> {
    if (Value v = values.lookup(name)) {
      Shape s = shapeOf(v);
      return std::vector<int64_t>(s.begin(), s.end());
    }
    if (const onnx::TensorProto *t = constants.lookup(name))
      return std::vector<int64_t>(t->dims().begin(), t->dims().end());
    return std::nullopt;
  };
  auto t = onnx_import::foldConstantNode(n, ctx);
  if (!t)
    return nodeError(n) << llvm::toString(t.takeError());
  folded.push_back(std::move(*t));
  constants[n.output(0)] = &folded.back();
  return success();
}

/// Add, Mul or Div (`reciprocal`) by a constant (one value, or one per
/// channel): folded into
/// the bias (Add) or the weights and bias (Mul) of the Conv or MatMul right
/// before it when it is that layer's only reader, else a per-channel
/// batch_norm (mean 0, variance 1, epsilon 0).
LogicalResult Importer::affineConstant(const onnx::NodeProto &n, bool isMul,
                                       int constantInput, bool reciprocal) {
  auto x = input(n, 1 - constantInput);
  if (failed(x))
    return failure();
  Shape cShape;
  auto c = floatConstant(n, constantInput, &cShape);
  if (failed(c))
    return failure();
  if (reciprocal)
    for (float &v : *c) {
      if (v == 0.0f)
        return nodeError(n) << "division by zero";
      v = 1.0f / v;
    }
  Shape xs = shapeOf(*x);
  int64_t channels = xs.size() >= 2 ? xs[1] : 0;
  // One value, or one per channel laid out along dimension 1 (C, C x 1 x
  // 1 or 1 x C x 1 x 1).
  int64_t count = static_cast<int64_t>(c->size());
  int64_t channelDim =
      static_cast<int64_t>(cShape.size()) - static_cast<int64_t>(xs.size()) + 1;
  bool perChannel = count == channels && channels > 1 &&
                    llvm::count_if(cShape, [](int64_t d) { return d != 1; }) ==
                        1 &&
                    (cShape.size() == 1 ||
                     (channelDim >= 0 && cShape[channelDim] == channels));
  if (!isFloatType(x->getType()) || channels == 0 ||
      (count != 1 && !perChannel))
    return nodeError(n) << n.op_type()
                        << " of a constant is imported for one value or one "
                           "per channel (dimension 1) of a float N x C x ... "
                           "tensor";
  auto at = [&](int64_t o) { return (*c)[count == 1 ? 0 : o]; };
  Operation *layer = x->getDefiningOp();
  if (!layer || !isa<Conv2DOp, FullyConnectedOp>(layer) ||
      readers.lookup(n.input(1 - constantInput)) != 1) {
    // Elsewhere: a per-channel scale or shift, as batch_norm with mean 0
    // and variance 1 (epsilon 0).
    std::vector<float> scale(channels, 1.0f), shift(channels, 0.0f),
        zeros(channels, 0.0f), ones(channels, 1.0f);
    for (int64_t o = 0; o < channels; ++o)
      (isMul ? scale : shift)[o] = at(o);
    Location loc = nodeLoc(n);
    define(n, BatchNormOp::create(
                  b, loc, x->getType(), *x, vectorConstant(loc, scale),
                  vectorConstant(loc, shift), vectorConstant(loc, zeros),
                  vectorConstant(loc, ones), b.getF32FloatAttr(0.0f)));
    return success();
  }
  Value weight = layer->getOperand(1);
  Value oldBias = layer->getNumOperands() > 2 ? layer->getOperand(2) : Value();
  std::vector<float> bias(channels, 0.0f);
  if (oldBias)
    bias = *getConstantF32(oldBias);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(layer);
  Location loc = layer->getLoc();
  if (isMul) {
    Shape wShape = shapeOf(weight);
    std::vector<float> w = *getConstantF32(weight);
    int64_t per = static_cast<int64_t>(w.size()) / channels;
    for (int64_t o = 0; o < channels; ++o) {
      for (int64_t k = 0; k < per; ++k)
        w[o * per + k] *= at(o);
      bias[o] *= at(o);
    }
    weight = weightConstant(loc, wShape, w, nodeName(n) + ".weight");
  } else {
    for (int64_t o = 0; o < channels; ++o)
      bias[o] += at(o);
  }
  Value newBias = (oldBias || !isMul) ? vectorConstant(loc, bias) : Value();
  Operation *folded;
  if (auto conv = dyn_cast<Conv2DOp>(layer))
    folded = Conv2DOp::create(b, loc, conv.getType(), conv.getInput(), weight,
                              newBias, conv.getStridesAttr(),
                              conv.getPaddingAttr(), conv.getDilationsAttr(),
                              conv.getGroupsAttr());
  else
    folded = FullyConnectedOp::create(b, loc, x->getType(),
                                      layer->getOperand(0), weight, newBias);
  layer->getResult(0).replaceAllUsesWith(folded->getResult(0));
  layer->erase();
  define(n, folded->getResult(0));
  return success();
}

LogicalResult Importer::softmax(const onnx::NodeProto &n) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  int64_t rank = xs.size();
  int64_t axis = intAttr(n, "axis", opset < 13 ? 1 : -1);
  if (axis < 0)
    axis += rank;
  if (axis < 0 || axis >= rank)
    return nodeError(n) << "axis is out of range for a rank-" << rank
                        << " input";
  // Before opset 13 Softmax runs over all dimensions from `axis` on: one
  // axis where the later ones have size 1.
  if (opset < 13)
    for (int64_t d = axis + 1; d < rank; ++d)
      if (xs[d] != 1)
        return nodeError(n) << "softmax over dimensions " << axis << ".."
                            << rank - 1
                            << " together (opset < 13) is not supported";
  define(n, SoftmaxOp::create(b, nodeLoc(n), *x, b.getI64IntegerAttr(axis)));
  return success();
}

/// The largest Resize factor imported (a bound on the shapes a model can
/// ask for).
constexpr int64_t kMaxUpsampling = 1024;

/// Resize, mode nearest, by integer factors on height and width: the
/// coordinate modes under which that is `in[y floordiv f]`.
LogicalResult Importer::resize(const onnx::NodeProto &n) {
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Shape xs = shapeOf(*x);
  if (opset < 11)
    return nodeError(n) << "Resize before opset 11 is not supported";
  std::string mode = stringAttr(n, "mode", "nearest");
  if (mode != "nearest")
    return nodeError(n) << "mode '" << mode
                        << "' is not supported (nearest is)";
  std::string coord =
      stringAttr(n, "coordinate_transformation_mode", "half_pixel");
  std::string rounding = stringAttr(n, "nearest_mode", "round_prefer_floor");
  bool halfPixel = coord == "half_pixel" || coord == "pytorch_half_pixel";
  bool floorLike =
      (coord == "asymmetric" && rounding == "floor") ||
      (halfPixel &&
       (rounding == "round_prefer_floor" || rounding == "round_prefer_ceil"));
  if (!floorLike)
    return nodeError(n) << "coordinate_transformation_mode '" << coord
                        << "' with nearest_mode '" << rounding
                        << "' is not supported (asymmetric with floor, or "
                           "half_pixel with round_prefer_floor/ceil are)";
  if (xs.size() != 4)
    return nodeError(n) << "only 4-D inputs are supported";
  // The factors: from 'scales', or 'sizes' over the input's.
  Shape factors;
  if (const onnx::TensorProto *t = constant(n, 2); t && t->dims_size() &&
                                                   t->dims(0) > 0) {
    auto sc = floatConstant(n, 2);
    if (failed(sc))
      return failure();
    if (sc->size() != 4)
      return nodeError(n) << "scales must have 4 values";
    for (float f : *sc) {
      if (!(f >= 1 && f <= kMaxUpsampling) || f != std::floor(f))
        return nodeError(n) << "scale " << f
                            << " is not supported (integer upsampling "
                               "factors up to "
                            << kMaxUpsampling << " are)";
      factors.push_back(static_cast<int64_t>(f));
    }
  } else if (constant(n, 3)) {
    auto sizes = intConstant(n, 3);
    if (failed(sizes))
      return failure();
    if (sizes->size() != 4)
      return nodeError(n) << "sizes must have 4 values";
    for (size_t d = 0; d < 4; ++d) {
      if ((*sizes)[d] < xs[d] || (*sizes)[d] % xs[d] != 0 ||
          (*sizes)[d] / xs[d] > kMaxUpsampling)
        return nodeError(n) << "size " << (*sizes)[d] << " of dimension " << d
                            << " is not a multiple of the input's "
                            << xs[d] << " (integer upsampling factors up to "
                            << kMaxUpsampling << " are supported)";
      factors.push_back((*sizes)[d] / xs[d]);
    }
  } else {
    return nodeError(n) << "scales or sizes must be a constant";
  }
  if (factors[0] != 1 || factors[1] != 1)
    return nodeError(n) << "only height and width can be resized";
  Location loc = nodeLoc(n);
  auto type = cast<RankedTensorType>(x->getType())
                  .clone({xs[0], xs[1], xs[2] * factors[2], xs[3] * factors[3]});
  define(n, UpsampleNearestOp::create(b, loc, type, *x,
                                      b.getDenseI64ArrayAttr(
                                          {factors[2], factors[3]})));
  return success();
}

/// ConvTranspose as a convolution: the input's pixels spread `strides`
/// apart (cgnet.insert_zeros), padded by `dilation * (kernel - 1)` less the
/// node's pads, convolved at stride 1 with the kernel flipped and its
/// in/out channels swapped per group.
LogicalResult Importer::convTranspose(const onnx::NodeProto &n) {
  auto x = input(n, 0);
  Shape wShape;
  auto w = floatConstant(n, 1, &wShape);
  if (failed(x) || failed(w))
    return failure();
  Shape xs = shapeOf(*x);
  bool lifted = xs.size() == 3 && wShape.size() == 3;
  if (xs.size() != 4 - lifted || wShape.size() != 4 - lifted)
    return nodeError(n) << "only 1-D and 2-D transposed convolutions are "
                           "supported";
  auto win = windowAttrs(n, lifted);
  if (failed(win))
    return failure();
  Shape outPad = intsAttr(n, "output_padding", lifted ? Shape{0} : Shape{0, 0});
  Shape outShape = intsAttr(n, "output_shape", {});
  int64_t groups = intAttr(n, "group", 1);
  auto &[strides, dil, pads, autoPad] = *win;
  size_t spatial = 2 - lifted;
  if (strides.size() != spatial || dil.size() != spatial ||
      pads.size() != 2 * spatial || outPad.size() != spatial ||
      (!outShape.empty() && outShape.size() != spatial))
    return nodeError(n) << "strides, dilations, pads, output_padding and "
                           "output_shape must match the spatial dimensions";
  if (groups < 1 || wShape[0] != xs[1] || wShape[0] % groups != 0)
    return nodeError(n) << "input channels " << xs[1] << ", weight "
                        << wShape[0] << "x" << wShape[1] << " and group "
                        << groups << " do not agree";
  Location loc = nodeLoc(n);
  if (lifted) {
    *x = toHeightOne(loc, *x);
    xs = shapeOf(*x);
    wShape = {wShape[0], wShape[1], 1, wShape[2]};
    strides = {1, strides[0]};
    dil = {1, dil[0]};
    pads = {0, pads[0], 0, pads[1]};
    outPad = {0, outPad[0]};
    if (!outShape.empty())
      outShape = {1, outShape[0]};
  }
  // Padding per spatial dimension (ONNX's rules for output_shape and
  // auto_pad), then the equivalent convolution's.
  int64_t kh = wShape[2], kw = wShape[3];
  Shape convPad(4), out(2);
  for (int d = 0; d < 2; ++d) {
    int64_t in = xs[2 + d], k = d ? kw : kh, s = strides[d], dl = dil[d];
    int64_t full = s * (in - 1) + outPad[d] + dl * (k - 1) + 1;
    int64_t before = pads[d], after = pads[2 + d];
    if (!outShape.empty() || autoPad == "SAME_UPPER" ||
        autoPad == "SAME_LOWER") {
      int64_t target = outShape.empty() ? in * s : outShape[d];
      int64_t total = full - target;
      if (total < 0)
        return nodeError(n) << "output_shape " << target
                            << " is larger than the transposed convolution "
                               "gives ("
                            << full << ")";
      bool upper = autoPad == "SAME_UPPER";
      before = upper ? total / 2 : total - total / 2;
      after = total - before;
    } else if (autoPad == "VALID") {
      before = after = 0;
    }
    out[d] = full - before - after;
    convPad[d] = dl * (k - 1) - before;
    convPad[2 + d] = dl * (k - 1) - after + outPad[d];
    if (convPad[d] < 0 || convPad[2 + d] < 0)
      return nodeError(n) << "pads larger than dilation * (kernel - 1) are "
                             "not supported";
    if (outPad[d] < 0 || outPad[d] >= std::max(s, dl))
      return nodeError(n) << "output_padding must be below the stride or "
                             "the dilation";
  }
  // The kernel flipped, in/out channels swapped per group.
  int64_t cin = wShape[0], cog = wShape[1], cig = cin / groups;
  Shape convW = {groups * cog, cig, kh, kw};
  std::vector<float> wt(w->size());
  for (int64_t g = 0; g < groups; ++g)
    for (int64_t oc = 0; oc < cog; ++oc)
      for (int64_t ic = 0; ic < cig; ++ic)
        for (int64_t ky = 0; ky < kh; ++ky)
          for (int64_t kx = 0; kx < kw; ++kx)
            wt[(((g * cog + oc) * cig + ic) * kh + ky) * kw + kx] =
                (*w)[(((g * cig + ic) * cog + oc) * kh + (kh - 1 - ky)) * kw +
                     (kw - 1 - kx)];
  Value spread = *x;
  if (strides[0] != 1 || strides[1] != 1)
    spread = InsertZerosOp::create(
        b, loc,
        f32Tensor({xs[0], xs[1], (xs[2] - 1) * strides[0] + 1,
                   (xs[3] - 1) * strides[1] + 1}),
        *x, b.getDenseI64ArrayAttr(strides));
  auto bias = convBias(n, 2, convW[0], /*isInt=*/false);
  if (failed(bias))
    return failure();
  Value y = Conv2DOp::create(
      b, loc, f32Tensor({xs[0], convW[0], out[0], out[1]}), spread,
      weightConstant(loc, convW, wt, n.input(1)), *bias,
      b.getDenseI64ArrayAttr({1, 1}), b.getDenseI64ArrayAttr(convPad),
      b.getDenseI64ArrayAttr(dil), b.getI64IntegerAttr(groups));
  defineFromHeightOne(n, loc, y, lifted);
  return success();
}

/// Finds HardSwish written out, x * clip(x + 3, 0, 6) / 6, where the
/// intermediate values have no other readers.
void Importer::findHardSwish() {
  llvm::StringMap<const onnx::NodeProto *> producer;
  for (const onnx::NodeProto &n : graph.node())
    for (const std::string &o : n.output())
      producer[o] = &n;
  auto scalarIs = [&](const std::string &name, double want) {
    const onnx::TensorProto *t = constants.lookup(name);
    if (!t)
      return false;
    auto v = onnx_import::tensorValues(*t);
    return v && v->size() == 1 && std::abs((*v)[0] - want) < 1e-6;
  };
  auto only = [&](const std::string &name, StringRef op)
      -> const onnx::NodeProto * {
    const onnx::NodeProto *p = producer.lookup(name);
    return p && p->op_type() == op && readers.lookup(name) == 1 ? p : nullptr;
  };
  for (const onnx::NodeProto &div : graph.node()) {
    if (div.op_type() != "Div" || div.input_size() != 2 ||
        !scalarIs(div.input(1), 6.0))
      continue;
    const onnx::NodeProto *mul = only(div.input(0), "Mul");
    if (!mul || mul->input_size() != 2)
      continue;
    for (int k = 0; k < 2; ++k) {
      const std::string &x = mul->input(k);
      const onnx::NodeProto *clip = only(mul->input(1 - k), "Clip");
      if (!clip)
        continue;
      bool range =
          clip->input_size() >= 3
              ? scalarIs(clip->input(1), 0.0) && scalarIs(clip->input(2), 6.0)
              : floatAttr(*clip, "min", -1) == 0.0f &&
                    floatAttr(*clip, "max", 0) == 6.0f;
      const onnx::NodeProto *add = only(clip->input(0), "Add");
      if (!range || !add || add->input_size() != 2)
        continue;
      bool plus3 = (add->input(0) == x && scalarIs(add->input(1), 3.0)) ||
                   (add->input(1) == x && scalarIs(add->input(0), 3.0));
      if (!plus3)
        continue;
      hardSwishAt[div.output(0)] = x;
      replaced.insert(add);
      replaced.insert(clip);
      replaced.insert(mul);
      break;
    }
  }
}

LogicalResult Importer::importNode(const onnx::NodeProto &n) {
  const std::string &op = n.op_type();
  if (op == "Constant" || replaced.contains(&n))
    return success(); // read where used; part of a HardSwish
  if (auto it = hardSwishAt.find(n.output(0)); it != hardSwishAt.end()) {
    Value x = values.lookup(it->second);
    if (!x || !isFloatType(x.getType()))
      return nodeError(n) << "HardSwish written out reads '" << it->second
                          << "', which is not a float value computed by an "
                             "earlier node";
    Location loc = nodeLoc(n);
    Value hs = HardSigmoidOp::create(b, loc, x, b.getF32FloatAttr(1.0f / 6.0f),
                                     b.getF32FloatAttr(0.5f));
    define(n, MulOp::create(b, loc, x.getType(), x, hs));
    return success();
  }
  if (op == "Div" && !constant(n, 1))
    return nodeError(n) << "Div is imported where the divisor is a constant "
                           "(as a scale)";
  if (onnx_import::isShapeOp(op) &&
      (op != "Concat" || llvm::all_of(n.input(), [&](const std::string &i) {
         return constants.contains(i);
       })))
    return foldShapeNode(n);
  if (op == "Softmax")
    return softmax(n);
  if (op == "Resize")
    return resize(n);
  if (op == "ConvTranspose")
    return convTranspose(n);
  if (op == "Conv")
    return conv(n, ConvKind::Float);
  if (op == "ConvInteger")
    return conv(n, ConvKind::Integer);
  if (op == "QLinearConv")
    return conv(n, ConvKind::QLinear);
  if (op == "MaxPool" || op == "AveragePool")
    return pool(n, op == "MaxPool");
  if (op == "Clip")
    return clip(n);
  if (op == "Max" || op == "Min")
    return minMax(n, op == "Max");
  if (op == "BatchNormalization")
    return batchNorm(n);
  if (op == "Gemm" || op == "MatMul")
    return gemm(n, op == "MatMul");
  if (op == "Reshape" || op == "Flatten")
    return reshape(n, op == "Flatten");
  if (op == "Concat")
    return concat(n);
  if (op == "Transpose")
    return transpose(n);
  if (op == "QuantizeLinear" || op == "DequantizeLinear")
    return quantizeLinear(n, op == "DequantizeLinear");
  if ((op == "Add" || op == "Mul") && (constant(n, 0) || constant(n, 1)))
    return affineConstant(n, op == "Mul", constant(n, 1) ? 1 : 0);
  if (op == "Div")
    return affineConstant(n, /*isMul=*/true, 1, /*reciprocal=*/true);
  auto x = input(n, 0);
  if (failed(x))
    return failure();
  Location loc = nodeLoc(n);
  if (op == "Identity" || op == "Dropout") {
    if (n.output_size() > 1)
      return nodeError(n) << "the mask output is not supported";
    define(n, *x);
  } else if (op == "Relu") {
    define(n, ReluOp::create(b, loc, *x));
  } else if (op == "LeakyRelu") {
    float alpha = floatAttr(n, "alpha", 0.01f);
    if (!(alpha >= 0.0f && alpha <= 1.0f))
      return nodeError(n) << "alpha " << alpha << " is outside [0, 1]";
    define(n, LeakyReluOp::create(b, loc, *x, b.getF32FloatAttr(alpha)));
  } else if (op == "GlobalAveragePool") {
    Shape s = shapeOf(*x);
    if (s.size() != 4)
      return nodeError(n) << "only 4-D inputs are supported";
    define(n, GlobalAvgPoolOp::create(b, loc, f32Tensor({s[0], s[1], 1, 1}),
                                      *x));
  } else if (op == "Sigmoid") {
    define(n, SigmoidOp::create(b, loc, *x));
  } else if (op == "HardSigmoid" || op == "HardSwish") {
    // HardSwish(x) = x * HardSigmoid(x) with alpha 1/6, beta 1/2.
    bool swish = op == "HardSwish";
    float alpha = swish ? 1.0f / 6.0f : floatAttr(n, "alpha", 0.2f);
    float beta = swish ? 0.5f : floatAttr(n, "beta", 0.5f);
    Value hs = HardSigmoidOp::create(b, loc, *x, b.getF32FloatAttr(alpha),
                                     b.getF32FloatAttr(beta));
    define(n, swish ? MulOp::create(b, loc, x->getType(), *x, hs).getResult()
                    : hs);
  } else if (op == "Mul") {
    auto y = input(n, 1);
    if (failed(y))
      return failure();
    Shape xs = shapeOf(*x), ys = shapeOf(*y);
    // One operand may be a per-channel factor (N x C x 1 x 1).
    if (xs.size() == 4 && ys.size() == 4 && xs[2] * xs[3] == 1 &&
        ys[2] * ys[3] != 1)
      std::swap(*x, *y), std::swap(xs, ys);
    bool perChannel = xs.size() == 4 && ys.size() == 4 && ys[0] == xs[0] &&
                      ys[1] == xs[1] && ys[2] == 1 && ys[3] == 1;
    if (xs != ys && !perChannel)
      return nodeError(n) << "only Mul of equal shapes or by a per-channel "
                             "N x C x 1 x 1 factor is supported";
    define(n, MulOp::create(b, loc, x->getType(), *x, *y));
  } else if (op == "Add") {
    auto y = input(n, 1);
    if (failed(y))
      return failure();
    if (shapeOf(*x) != shapeOf(*y))
      return nodeError(n) << "broadcasting Add is not supported (both "
                             "inputs must have the same shape)";
    define(n, AddOp::create(b, loc, *x, *y));
  } else {
    return nodeError(n) << "unsupported op";
  }
  return success();
}

OwningOpRef<ModuleOp> Importer::run() {
  if (failed(checkModel()))
    return {};
  for (const onnx::TensorProto &t : graph.initializer())
    constants[t.name()] = &t;
  for (const onnx::NodeProto &n : graph.node())
    if (n.op_type() == "Constant" && n.output_size() == 1)
      for (const onnx::AttributeProto &a : n.attribute())
        if (a.name() == "value" && a.has_t())
          constants[n.output(0)] = &a.t();

  for (const onnx::NodeProto &n : graph.node())
    for (const std::string &i : n.input())
      ++readers[i];
  for (const onnx::ValueInfoProto &out : graph.output())
    ++readers[out.name()];
  findHardSwish();

  // Function inputs: graph inputs that are not initializers.
  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  size_t shapeIndex = 0;
  for (const onnx::ValueInfoProto &in : graph.input()) {
    if (constants.count(in.name()))
      continue;
    const auto &tt = in.type().tensor_type();
    // Float inputs, and 8-bit integer inputs, typed as the quantized type
    // of the DequantizeLinear that reads them (a quantized model's input).
    bool isInt8 = tt.elem_type() == onnx::TensorProto::INT8 ||
                  tt.elem_type() == onnx::TensorProto::UINT8;
    if (tt.elem_type() != onnx::TensorProto::FLOAT && !isInt8)
      return emitError(fileLoc) << "input '" << in.name()
                                << "' has ONNX element type " << tt.elem_type()
                                << " (float, int8 and uint8 are supported)",
             OwningOpRef<ModuleOp>();
    Shape shape;
    if (shapeIndex < options.inputShapes.size()) {
      shape.assign(options.inputShapes[shapeIndex].begin(),
                   options.inputShapes[shapeIndex].end());
    } else {
      for (const auto &d : tt.shape().dim()) {
        if (d.has_dim_value()) {
          shape.push_back(d.dim_value());
        } else if (shape.empty()) {
          shape.push_back(1); // a dynamic batch
        } else {
          emitError(fileLoc)
              << "input '" << in.name() << "' has dynamic dimension #"
              << shape.size() << " ('" << d.dim_param()
              << "'); give the shape with --onnx-input-shape";
          return {};
        }
      }
    }
    ++shapeIndex;
    Type elem = b.getF32Type();
    if (isInt8) {
      const onnx::NodeProto *reader = nullptr;
      int consumers = 0;
      for (const onnx::NodeProto &n : graph.node())
        for (auto [i, name] : llvm::enumerate(n.input()))
          if (name == in.name()) {
            ++consumers;
            if (i == 0 && (n.op_type() == "DequantizeLinear" ||
                           n.op_type() == "ConvInteger" ||
                           n.op_type() == "QLinearConv"))
              reader = &n;
          }
      if (!reader || consumers != 1)
        return emitError(fileLoc)
                   << "integer input '" << in.name()
                   << "' must feed one DequantizeLinear, ConvInteger or "
                      "QLinearConv (as its input #0)",
               OwningOpRef<ModuleOp>();
      auto q = integerInputType(*reader, shape,
                                tt.elem_type() == onnx::TensorProto::INT8);
      if (failed(q))
        return {};
      elem = *q;
    }
    argTypes.push_back(RankedTensorType::get(shape, elem));
    argNames.push_back(in.name());
  }
  if (argTypes.empty())
    return emitError(fileLoc) << "the graph has no inputs",
           OwningOpRef<ModuleOp>();

  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());
  auto func = func::FuncOp::create(b, fileLoc, options.functionName,
                                   b.getFunctionType(argTypes, {}));
  Block *body = func.addEntryBlock();
  b.setInsertionPointToStart(body);
  for (auto [i, name] : llvm::enumerate(argNames))
    values[name] = body->getArgument(i);
  nodeIndex = 0;
  for (const onnx::NodeProto &n : graph.node()) {
    if (failed(importNode(n)))
      return {};
    ++nodeIndex;
  }
  SmallVector<Value> results;
  std::vector<std::string> outputNames = options.outputs;
  if (outputNames.empty())
    for (const onnx::ValueInfoProto &out : graph.output())
      outputNames.push_back(out.name());
  for (const std::string &name : outputNames) {
    auto it = values.find(name);
    if (it == values.end())
      return emitError(fileLoc)
                 << (options.outputs.empty() ? "graph output '"
                                             : "--onnx-outputs: '")
                 << name << "' is not a value the graph computes",
             OwningOpRef<ModuleOp>();
    results.push_back(it->second);
  }
  func::ReturnOp::create(b, fileLoc, results);
  func.setFunctionType(b.getFunctionType(argTypes, TypeRange(results)));
  if (failed(mlir::verify(*module)))
    return {};
  return module;
}

} // namespace

OwningOpRef<ModuleOp> importONNX(const onnx_import::Model &model,
                                 MLIRContext *context, Location loc,
                                 const ImportOptions &options) {
  context->loadDialect<CGNetDialect, arith::ArithDialect, func::FuncDialect,
                       quant::QuantDialect>();
  Importer importer(model.proto(), context, loc, options);
  return importer.run();
}

std::string opStatistics(const onnx_import::Model &model) {
  std::map<std::string, int64_t> counts;
  for (const onnx::NodeProto &n : model.proto().graph().node())
    counts[n.domain().empty() ? n.op_type() : n.domain() + "." + n.op_type()]++;
  std::string s;
  llvm::raw_string_ostream os(s);
  os << llvm::formatv("{0,-28} {1,6}  {2}\n", "op", "count", "import");
  int64_t unsupported = 0;
  for (const auto &[op, count] : counts) {
    bool ok = op == "Constant" || supportedOps().contains(op);
    unsupported += ok ? 0 : count;
    os << llvm::formatv("{0,-28} {1,6}  {2}\n", op, count,
                        ok ? "supported" : "UNSUPPORTED");
  }
  os << llvm::formatv("opset {0}; {1} node(s) unsupported\n", model.opset(),
                      unsupported);
  return s;
}

} // namespace cgnet
