//===- CGNetOps.cpp - cgnet operations: verifiers and folders -------------===//
//
// Verifiers check what the evaluator and the backends rely on: static
// shapes, the output shape each op implies, channel counts, group
// divisibility, a consistent numeric form (float or integer) and bit
// widths. Diagnostics name the operand or attribute at fault.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"

#include "mlir/Dialect/Quant/IR/QuantTypes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"

using namespace mlir;
using namespace cgnet;

#include "cgnet/Dialect/CGNet/IR/CGNetEnums.cpp.inc"
#include "cgnet/Dialect/CGNet/IR/CGNetInterfaces.cpp.inc"

//===----------------------------------------------------------------------===//
// Shared checks
//===----------------------------------------------------------------------===//

/// Checks that `value` is a statically shaped tensor of rank `rank` (any rank
/// when -1) with a supported element type.
static LogicalResult checkTensor(Operation *op, Type type, StringRef what,
                                 int64_t rank = -1) {
  auto tensor = dyn_cast<RankedTensorType>(type);
  if (!tensor)
    return op->emitOpError() << what << " must be a ranked tensor, got " << type;
  if (!tensor.hasStaticShape())
    return op->emitOpError() << what << " must have a static shape, got "
                             << type;
  if (rank >= 0 && tensor.getRank() != rank)
    return op->emitOpError() << what << " must have rank " << rank
                             << ", got " << type;
  if (!getElementInfo(tensor.getElementType()))
    return op->emitOpError()
           << what << " has unsupported element type "
           << tensor.getElementType()
           << " (expected f32, an integer of 2-32 bits or !quant.uniform)";
  return success();
}

/// Checks that an integer-like activation or weight has 2-8 bit storage.
static LogicalResult checkNarrow(Operation *op, Type type, StringRef what) {
  ElementInfo info = *getElementInfo(type);
  if (info.bits < 2 || info.bits > 8)
    return op->emitOpError() << what << " must have 2-8 bit storage, got "
                             << info.bits << " bits ("
                             << cast<ShapedType>(type).getElementType() << ")";
  return success();
}

static LogicalResult checkArray(Operation *op, StringRef name,
                                ArrayRef<int64_t> values, size_t size,
                                int64_t minValue) {
  if (values.size() != size)
    return op->emitOpError() << "'" << name << "' must have " << size
                             << " elements, got " << values.size();
  for (int64_t v : values)
    if (v < minValue)
      return op->emitOpError() << "'" << name << "' elements must be >= "
                               << minValue << ", got " << v;
  return success();
}

/// Output extent of a window of `kernel` taps with dilation `dilation`.
static int64_t windowOutSize(int64_t in, int64_t padBefore, int64_t padAfter,
                             int64_t kernel, int64_t stride,
                             int64_t dilation) {
  int64_t span = dilation * (kernel - 1) + 1;
  int64_t padded = in + padBefore + padAfter;
  if (padded < span)
    return 0;
  return (padded - span) / stride + 1;
}

static LogicalResult checkSpatialResult(Operation *op, ShapedType input,
                                        ShapedType result, int64_t channels,
                                        ArrayRef<int64_t> kernel,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> padding,
                                        ArrayRef<int64_t> dilations) {
  int64_t oh = windowOutSize(input.getDimSize(2), padding[0], padding[2],
                             kernel[0], strides[0], dilations[0]);
  int64_t ow = windowOutSize(input.getDimSize(3), padding[1], padding[3],
                             kernel[1], strides[1], dilations[1]);
  if (oh < 1 || ow < 1)
    return op->emitOpError() << "window of " << kernel[0] << "x" << kernel[1]
                             << " does not fit the padded input "
                             << input;
  SmallVector<int64_t> expected = {input.getDimSize(0), channels, oh, ow};
  if (result.getShape() != ArrayRef<int64_t>(expected)) {
    auto diag = op->emitOpError() << "result shape must be ";
    llvm::interleave(expected, diag, "x");
    diag << ", got " << result;
    return diag;
  }
  return success();
}

/// Checks the numeric form of a conv-like op: float everywhere, or narrow
/// integer-like input and weight with an i32 accumulator result and bias.
static LogicalResult checkConvNumerics(Operation *op, Type input, Type weight,
                                       Value bias, Type result,
                                       int64_t outChannels) {
  ElementInfo in = *getElementInfo(input);
  ElementInfo w = *getElementInfo(weight);
  if (in.isFloat() != w.isFloat())
    return op->emitOpError()
           << "input and weight must both be float or both be integer, got "
           << cast<ShapedType>(input).getElementType() << " and "
           << cast<ShapedType>(weight).getElementType();
  if (bias) {
    if (failed(checkTensor(op, bias.getType(), "bias", 1)))
      return failure();
    if (cast<ShapedType>(bias.getType()).getDimSize(0) != outChannels)
      return op->emitOpError() << "bias must have " << outChannels
                               << " elements, got " << bias.getType();
  }
  if (in.isFloat()) {
    if (!isFloatType(result))
      return op->emitOpError() << "float convolution must produce f32, got "
                               << cast<ShapedType>(result).getElementType();
    if (bias && !isFloatType(bias.getType()))
      return op->emitOpError() << "float convolution needs an f32 bias";
    return success();
  }
  if (failed(checkNarrow(op, input, "input")) ||
      failed(checkNarrow(op, weight, "weight")))
    return failure();
  if (in.isPerAxis())
    return op->emitOpError() << "input must be quantized per tensor";
  if (w.isPerAxis() && w.quantizedDim != 0)
    return op->emitOpError()
           << "per-axis weight quantization must be along dimension 0 "
              "(output channels), got dimension "
           << w.quantizedDim;
  if (!isAccumulatorType(result))
    return op->emitOpError()
           << "integer convolution must produce the i32 accumulator, got "
           << cast<ShapedType>(result).getElementType();
  if (bias && !isAccumulatorType(bias.getType()))
    return op->emitOpError() << "integer convolution needs an i32 bias, got "
                             << bias.getType();
  return success();
}

/// Verifies everything a 2-D convolution shares; `groups` is 1 for the
/// gated forms.
static LogicalResult verifyConv(Operation *op, Value input, Value weight,
                                Value bias, Value result,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> padding,
                                ArrayRef<int64_t> dilations, int64_t groups) {
  if (failed(checkTensor(op, input.getType(), "input", 4)) ||
      failed(checkTensor(op, weight.getType(), "weight", 4)) ||
      failed(checkTensor(op, result.getType(), "result", 4)) ||
      failed(checkArray(op, "strides", strides, 2, 1)) ||
      failed(checkArray(op, "padding", padding, 4, 0)) ||
      failed(checkArray(op, "dilations", dilations, 2, 1)))
    return failure();
  auto inType = cast<ShapedType>(input.getType());
  auto wType = cast<ShapedType>(weight.getType());
  int64_t c = inType.getDimSize(1), o = wType.getDimSize(0);
  if (groups < 1)
    return op->emitOpError() << "'groups' must be >= 1, got " << groups;
  if (c % groups != 0)
    return op->emitOpError() << "input channels (" << c
                             << ") must be divisible by groups (" << groups
                             << ")";
  if (o % groups != 0)
    return op->emitOpError() << "output channels (" << o
                             << ") must be divisible by groups (" << groups
                             << ")";
  if (wType.getDimSize(1) * groups != c)
    return op->emitOpError() << "weight has " << wType.getDimSize(1)
                             << " input channels per group, expected "
                             << c / groups << " (" << c << " channels / "
                             << groups << " groups)";
  if (failed(checkConvNumerics(op, inType, wType, bias, result.getType(), o)))
    return failure();
  return checkSpatialResult(
      op, inType, cast<ShapedType>(result.getType()), o,
      {wType.getDimSize(2), wType.getDimSize(3)}, strides, padding, dilations);
}

/// The threshold of a gated convolution: one entry per output channel, f32
/// for float models and i32 for integer models.
static LogicalResult verifyThreshold(Operation *op, Value threshold,
                                     Value weight) {
  if (failed(checkTensor(op, threshold.getType(), "threshold", 1)))
    return failure();
  int64_t o = cast<ShapedType>(weight.getType()).getDimSize(0);
  if (cast<ShapedType>(threshold.getType()).getDimSize(0) != o)
    return op->emitOpError() << "threshold must have one entry per output "
                                "channel ("
                             << o << "), got " << threshold.getType();
  bool floatModel = isFloatType(weight.getType());
  if (floatModel && !isFloatType(threshold.getType()))
    return op->emitOpError() << "float gated convolution needs an f32 "
                                "threshold, got "
                             << threshold.getType();
  if (!floatModel && !isAccumulatorType(threshold.getType()))
    return op->emitOpError() << "integer gated convolution needs an i32 "
                                "threshold, got "
                             << threshold.getType();
  return success();
}

static int64_t convMACs(Value weight, Value result) {
  auto w = cast<ShapedType>(weight.getType());
  auto r = cast<ShapedType>(result.getType());
  return r.getNumElements() * w.getDimSize(1) * w.getDimSize(2) *
         w.getDimSize(3);
}

//===----------------------------------------------------------------------===//
// Conv2DOp / FullyConnectedOp
//===----------------------------------------------------------------------===//

LogicalResult Conv2DOp::verify() {
  return verifyConv(*this, getInput(), getWeight(), getBias(), getOutput(),
                    getStrides(), getPadding(), getDilations(), getGroups());
}

LogicalResult FullyConnectedOp::verify() {
  Operation *op = *this;
  if (failed(checkTensor(op, getInput().getType(), "input", 2)) ||
      failed(checkTensor(op, getWeight().getType(), "weight", 2)) ||
      failed(checkTensor(op, getOutput().getType(), "result", 2)))
    return failure();
  auto in = cast<ShapedType>(getInput().getType());
  auto w = cast<ShapedType>(getWeight().getType());
  auto r = cast<ShapedType>(getOutput().getType());
  if (in.getDimSize(1) != w.getDimSize(1))
    return emitOpError() << "input has " << in.getDimSize(1)
                         << " features but weight expects "
                         << w.getDimSize(1);
  if (r.getDimSize(0) != in.getDimSize(0) ||
      r.getDimSize(1) != w.getDimSize(0))
    return emitOpError() << "result shape must be " << in.getDimSize(0) << "x"
                         << w.getDimSize(0) << ", got " << r;
  return checkConvNumerics(op, in, w, getBias(), r, w.getDimSize(0));
}

//===----------------------------------------------------------------------===//
// Gated convolutions
//===----------------------------------------------------------------------===//

LogicalResult ChannelGatedConv2DOp::verify() {
  if (failed(verifyConv(*this, getInput(), getWeight(), getBias(),
                        getOutput(), getStrides(), getPadding(),
                        getDilations(), /*groups=*/1)) ||
      failed(verifyThreshold(*this, getThreshold(), getWeight())))
    return failure();
  int64_t p = getPartitions();
  int64_t c = cast<ShapedType>(getInput().getType()).getDimSize(1);
  int64_t o = cast<ShapedType>(getWeight().getType()).getDimSize(0);
  if (p < 1)
    return emitOpError() << "'partitions' must be >= 1, got " << p;
  if (c % p != 0)
    return emitOpError() << "input channels (" << c
                         << ") must be divisible by partitions (" << p << ")";
  if (getGrouped() && o % p != 0)
    return emitOpError() << "grouped gating needs output channels (" << o
                         << ") divisible by partitions (" << p << ")";
  return success();
}

bool ChannelGatedConv2DOp::isBaseChannel(int64_t o, int64_t c) {
  int64_t p = getPartitions();
  int64_t inChunk =
      cast<ShapedType>(getInput().getType()).getDimSize(1) / p;
  if (!getGrouped())
    return c < inChunk;
  int64_t outChunk =
      cast<ShapedType>(getWeight().getType()).getDimSize(0) / p;
  return c / inChunk == o / outChunk;
}

double ChannelGatedConv2DOp::getBaseFraction() {
  return 1.0 / static_cast<double>(getPartitions());
}

int64_t ChannelGatedConv2DOp::getDenseMACs() {
  return convMACs(getWeight(), getOutput());
}

LogicalResult PrecisionGatedConv2DOp::verify() {
  if (failed(verifyConv(*this, getInput(), getWeight(), getBias(),
                        getOutput(), getStrides(), getPadding(),
                        getDilations(), /*groups=*/1)) ||
      failed(verifyThreshold(*this, getThreshold(), getWeight())))
    return failure();
  if (isFloatType(getInput().getType()))
    return emitOpError() << "precision gating needs an integer or quantized "
                            "input, got "
                         << getInput().getType();
  int64_t bits = getBits(), high = getHighBits();
  ElementInfo in = *getElementInfo(getInput().getType());
  if (bits < 2 || bits > 8)
    return emitOpError() << "'bits' must be in [2, 8], got " << bits;
  if (high < 1 || high >= bits)
    return emitOpError() << "'high_bits' must be in [1, bits), got " << high
                         << " with bits = " << bits;
  int64_t magnitudeBits = in.isSigned ? bits - 1 : bits;
  int64_t maxMagnitude = (int64_t(1) << magnitudeBits) - 1;
  int64_t lo = in.storageMin - in.zeroPoint(), hi = in.storageMax - in.zeroPoint();
  if (hi > maxMagnitude || lo < (in.isSigned ? -maxMagnitude - 1 : 0))
    return emitOpError() << "input values [" << lo << ", " << hi
                         << "] (zero point subtracted) do not fit in "
                         << bits << " bits";
  return success();
}

double PrecisionGatedConv2DOp::getBaseFraction() {
  return static_cast<double>(getHighBits()) / static_cast<double>(getBits());
}

int64_t PrecisionGatedConv2DOp::getDenseMACs() {
  return convMACs(getWeight(), getOutput());
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

static LogicalResult verifyPool(Operation *op, Value input, Value result,
                                ArrayRef<int64_t> kernel,
                                ArrayRef<int64_t> strides,
                                ArrayRef<int64_t> padding) {
  if (failed(checkTensor(op, input.getType(), "input", 4)) ||
      failed(checkTensor(op, result.getType(), "result", 4)) ||
      failed(checkArray(op, "kernel", kernel, 2, 1)) ||
      failed(checkArray(op, "strides", strides, 2, 1)) ||
      failed(checkArray(op, "padding", padding, 4, 0)))
    return failure();
  if (input.getType() != result.getType() &&
      cast<ShapedType>(input.getType()).getElementType() !=
          cast<ShapedType>(result.getType()).getElementType())
    return op->emitOpError() << "input and result element types must match";
  if (padding[0] >= kernel[0] || padding[2] >= kernel[0] ||
      padding[1] >= kernel[1] || padding[3] >= kernel[1])
    return op->emitOpError() << "padding must be smaller than the kernel";
  auto in = cast<ShapedType>(input.getType());
  return checkSpatialResult(op, in, cast<ShapedType>(result.getType()),
                            in.getDimSize(1), kernel, strides, padding,
                            {1, 1});
}

LogicalResult MaxPool2DOp::verify() {
  return verifyPool(*this, getInput(), getOutput(), getKernel(), getStrides(),
                    getPadding());
}

LogicalResult AvgPool2DOp::verify() {
  return verifyPool(*this, getInput(), getOutput(), getKernel(), getStrides(),
                    getPadding());
}

LogicalResult GlobalAvgPoolOp::verify() {
  if (failed(checkTensor(*this, getInput().getType(), "input", 4)) ||
      failed(checkTensor(*this, getOutput().getType(), "result", 4)))
    return failure();
  auto in = cast<ShapedType>(getInput().getType());
  auto r = cast<ShapedType>(getOutput().getType());
  if (in.getElementType() != r.getElementType())
    return emitOpError() << "input and result element types must match";
  if (r.getDimSize(0) != in.getDimSize(0) ||
      r.getDimSize(1) != in.getDimSize(1) || r.getDimSize(2) != 1 ||
      r.getDimSize(3) != 1)
    return emitOpError() << "result shape must be " << in.getDimSize(0) << "x"
                         << in.getDimSize(1) << "x1x1, got " << r;
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise
//===----------------------------------------------------------------------===//

LogicalResult AddOp::verify() {
  if (failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  ElementInfo info = *getElementInfo(getOutput().getType());
  if (info.isPerAxis())
    return emitOpError() << "per-axis quantized add is not supported; "
                            "requantize to a per-tensor type first";
  return success();
}

LogicalResult ReluOp::verify() {
  if (failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  if (getElementInfo(getOutput().getType())->isPerAxis())
    return emitOpError() << "per-axis quantized relu is not supported";
  return success();
}

LogicalResult LeakyReluOp::verify() {
  if (failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  if (getElementInfo(getOutput().getType())->isPerAxis())
    return emitOpError() << "per-axis quantized leaky_relu is not supported";
  double alpha = getAlpha().convertToDouble();
  if (!(alpha >= 0.0 && alpha <= 1.0))
    return emitOpError() << "'alpha' must be in [0, 1], got " << alpha;
  return success();
}

/// The float-only elementwise ops: an f32 tensor.
static LogicalResult verifyFloatOnly(Operation *op, Type type) {
  if (failed(checkTensor(op, type, "result")))
    return failure();
  if (!isFloatType(type))
    return op->emitOpError() << "is float only (no integer form yet), got "
                             << type;
  return success();
}

LogicalResult SigmoidOp::verify() {
  return verifyFloatOnly(*this, getOutput().getType());
}

LogicalResult SoftmaxOp::verify() {
  if (failed(verifyFloatOnly(*this, getOutput().getType())))
    return failure();
  int64_t rank = cast<ShapedType>(getOutput().getType()).getRank();
  auto axis = static_cast<int64_t>(getAxis());
  if (axis < 0 || axis >= rank)
    return emitOpError() << "axis " << axis << " is out of range for a "
                         << "rank-" << rank << " tensor";
  return success();
}

LogicalResult HardSigmoidOp::verify() {
  return verifyFloatOnly(*this, getOutput().getType());
}

LogicalResult MulOp::verify() {
  if (failed(verifyFloatOnly(*this, getOutput().getType())) ||
      failed(verifyFloatOnly(*this, getRhs().getType())))
    return failure();
  auto lhs = cast<ShapedType>(getLhs().getType());
  auto rhs = cast<ShapedType>(getRhs().getType());
  if (getLhs().getType() != getOutput().getType())
    return emitOpError() << "result type must equal the lhs type";
  if (lhs.getShape() == rhs.getShape())
    return success();
  if (lhs.getRank() == 4 && rhs.getRank() == 4 &&
      rhs.getDimSize(0) == lhs.getDimSize(0) &&
      rhs.getDimSize(1) == lhs.getDimSize(1) && rhs.getDimSize(2) == 1 &&
      rhs.getDimSize(3) == 1)
    return success();
  return emitOpError() << "rhs must have the lhs shape or N x C x 1 x 1, got "
                       << rhs << " for " << lhs;
}

LogicalResult ClampOp::verify() {
  if (failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  ElementInfo info = *getElementInfo(getOutput().getType());
  if (info.isFloat()) {
    if (!getMinFp() || !getMaxFp() || getMinInt() || getMaxInt())
      return emitOpError()
             << "float clamp takes 'min_fp' and 'max_fp' (and no integer "
                "bounds)";
    if (getMinFp()->convertToFloat() > getMaxFp()->convertToFloat())
      return emitOpError() << "'min_fp' must not exceed 'max_fp'";
    return success();
  }
  if (!getMinInt() || !getMaxInt() || getMinFp() || getMaxFp())
    return emitOpError() << "integer clamp takes 'min_int' and 'max_int' (and "
                            "no float bounds)";
  int64_t lo = *getMinInt(), hi = *getMaxInt();
  if (lo > hi)
    return emitOpError() << "'min_int' must not exceed 'max_int'";
  if (lo < info.storageMin || hi > info.storageMax)
    return emitOpError() << "bounds [" << lo << ", " << hi
                         << "] exceed the storage range [" << info.storageMin
                         << ", " << info.storageMax << "]";
  return success();
}

LogicalResult BatchNormOp::verify() {
  if (failed(checkTensor(*this, getInput().getType(), "input")) ||
      failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  if (cast<ShapedType>(getInput().getType()).getRank() < 2)
    return emitOpError() << "input must have rank >= 2 (N x C x ...), got "
                         << getInput().getType();
  if (getInput().getType() != getOutput().getType())
    return emitOpError() << "input and result types must match";
  if (!isFloatType(getInput().getType()))
    return emitOpError() << "batch norm is float only; fold it "
                            "(--cgnet-fold-batchnorm) before quantizing";
  int64_t c = cast<ShapedType>(getInput().getType()).getDimSize(1);
  // Named arrays: ArrayRefs of braced lists inside the range expression
  // would outlive their storage (AddressSanitizer: stack-use-after-scope).
  const StringRef names[] = {"scale", "bias", "mean", "variance"};
  const Value params[] = {getScale(), getBias(), getMean(), getVariance()};
  for (auto [name, v] : llvm::zip(names, params)) {
    if (failed(checkTensor(*this, v.getType(), name, 1)))
      return failure();
    auto t = cast<ShapedType>(v.getType());
    if (t.getDimSize(0) != c || !t.getElementType().isF32())
      return emitOpError() << name << " must be tensor<" << c
                           << "xf32>, got " << t;
  }
  if (getEpsilon().convertToFloat() < 0.0f)
    return emitOpError() << "'epsilon' must be non-negative";
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::verify() {
  if (getInputs().empty())
    return emitOpError() << "needs at least one input";
  if (failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  auto r = cast<ShapedType>(getOutput().getType());
  int64_t axis = getAxis();
  if (axis < 0 || axis >= r.getRank())
    return emitOpError() << "'axis' " << axis << " is out of range for rank "
                         << r.getRank();
  int64_t total = 0;
  for (auto [i, v] : llvm::enumerate(getInputs())) {
    if (failed(checkTensor(*this, v.getType(), "input")))
      return failure();
    auto t = cast<ShapedType>(v.getType());
    if (t.getElementType() != r.getElementType())
      return emitOpError() << "input #" << i << " has element type "
                           << t.getElementType() << ", expected "
                           << r.getElementType();
    if (t.getRank() != r.getRank())
      return emitOpError() << "input #" << i << " has rank " << t.getRank()
                           << ", expected " << r.getRank();
    for (int64_t d = 0; d < r.getRank(); ++d)
      if (d != axis && t.getDimSize(d) != r.getDimSize(d))
        return emitOpError() << "input #" << i << " differs from the result "
                             << "in dimension " << d;
    total += t.getDimSize(axis);
  }
  if (total != r.getDimSize(axis))
    return emitOpError() << "result dimension " << axis << " must be "
                         << total << ", got " << r.getDimSize(axis);
  return success();
}

static LogicalResult checkChannelTensor(Operation *op, Type type) {
  if (failed(checkTensor(op, type, "input")))
    return failure();
  if (cast<ShapedType>(type).getRank() < 2)
    return op->emitOpError() << "input must have a channel dimension (rank >= "
                                "2), got "
                             << type;
  if (getElementInfo(type)->isPerAxis())
    return op->emitOpError()
           << "channel reordering of per-axis quantized tensors is not "
              "supported";
  return success();
}

LogicalResult ChannelShuffleOp::verify() {
  if (failed(checkChannelTensor(*this, getInput().getType())))
    return failure();
  int64_t c = cast<ShapedType>(getInput().getType()).getDimSize(1);
  int64_t g = getGroups();
  if (g < 1 || c % g != 0)
    return emitOpError() << "channels (" << c
                         << ") must be divisible by groups (" << g << ")";
  return success();
}

/// The spatial resampling ops: a 4-D result of the input's element type
/// and of the height and width `expect` gives per input size and factor.
static LogicalResult
verifyResample(Operation *op, Value input, Value output,
               ArrayRef<int64_t> factors, StringRef name,
               function_ref<int64_t(int64_t, int64_t)> expect) {
  if (failed(checkTensor(op, input.getType(), "input")) ||
      failed(checkTensor(op, output.getType(), "result")))
    return failure();
  if (factors.size() != 2 || factors[0] < 1 || factors[1] < 1)
    return op->emitOpError() << "'" << name
                             << "' must be two positive integers";
  auto in = cast<ShapedType>(input.getType());
  auto r = cast<ShapedType>(output.getType());
  if (in.getRank() != 4)
    return op->emitOpError() << "expects a 4-D input, got " << in;
  SmallVector<int64_t> want(in.getShape());
  want[2] = expect(want[2], factors[0]);
  want[3] = expect(want[3], factors[1]);
  if (r.getShape() != ArrayRef<int64_t>(want) ||
      r.getElementType() != in.getElementType())
    return op->emitOpError() << "result must be " << want[0] << "x" << want[1]
                             << "x" << want[2] << "x" << want[3]
                             << " of the input's element type, got " << r;
  return success();
}

LogicalResult UpsampleNearestOp::verify() {
  return verifyResample(*this, getInput(), getOutput(), getFactors(),
                        "factors",
                        [](int64_t size, int64_t f) { return size * f; });
}

LogicalResult InsertZerosOp::verify() {
  return verifyResample(*this, getInput(), getOutput(), getStrides(),
                        "strides", [](int64_t size, int64_t s) {
                          return (size - 1) * s + 1;
                        });
}

LogicalResult ChannelDuplicateOp::verify() {
  if (failed(checkChannelTensor(*this, getInput().getType())) ||
      failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  auto in = cast<ShapedType>(getInput().getType());
  auto r = cast<ShapedType>(getOutput().getType());
  int64_t c = in.getDimSize(1);
  for (int64_t idx : getIndices())
    if (idx < 0 || idx >= c)
      return emitOpError() << "index " << idx << " is out of range for " << c
                           << " channels";
  SmallVector<int64_t> expected(in.getShape());
  expected[1] += getIndices().size();
  if (r.getShape() != ArrayRef<int64_t>(expected) ||
      r.getElementType() != in.getElementType())
    return emitOpError() << "result must have " << expected[1]
                         << " channels and the input's element type, got "
                         << r;
  return success();
}

static LogicalResult checkPermutation(Operation *op, ArrayRef<int64_t> perm,
                                      int64_t size, StringRef what) {
  if (static_cast<int64_t>(perm.size()) != size)
    return op->emitOpError() << "'permutation' must have " << size
                             << " entries (one per " << what << "), got "
                             << perm.size();
  llvm::SmallSet<int64_t, 16> seen;
  for (int64_t p : perm)
    if (p < 0 || p >= size || !seen.insert(p).second)
      return op->emitOpError() << "'permutation' is not a permutation of [0, "
                               << size << ")";
  return success();
}

LogicalResult ChannelPermuteOp::verify() {
  if (failed(checkChannelTensor(*this, getInput().getType())))
    return failure();
  return checkPermutation(*this, getPermutation(),
                          cast<ShapedType>(getInput().getType()).getDimSize(1),
                          "channel");
}

LogicalResult TransposeOp::verify() {
  if (failed(checkTensor(*this, getInput().getType(), "input")) ||
      failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  auto in = cast<ShapedType>(getInput().getType());
  auto r = cast<ShapedType>(getOutput().getType());
  if (failed(checkPermutation(*this, getPermutation(), in.getRank(),
                              "dimension")))
    return failure();
  if (getElementInfo(in)->isPerAxis())
    return emitOpError() << "transposing per-axis quantized tensors is not "
                            "supported";
  SmallVector<int64_t> expected;
  for (int64_t p : getPermutation())
    expected.push_back(in.getDimSize(p));
  if (r.getShape() != ArrayRef<int64_t>(expected) ||
      r.getElementType() != in.getElementType())
    return emitOpError() << "result type does not match the permuted input";
  return success();
}

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= static_cast<int64_t>(i) == p;
  if (identity)
    return getInput();
  // transpose(transpose(x, p1), p2) is x where the two cancel.
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPermutation();
    bool cancels = true;
    for (auto [i, p] : llvm::enumerate(perm))
      cancels &= innerPerm[p] == static_cast<int64_t>(i);
    if (cancels && inner.getInput().getType() == getType())
      return inner.getInput();
  }
  return {};
}

LogicalResult ReshapeOp::verify() {
  if (failed(checkTensor(*this, getInput().getType(), "input")) ||
      failed(checkTensor(*this, getOutput().getType(), "result")))
    return failure();
  auto in = cast<ShapedType>(getInput().getType());
  auto r = cast<ShapedType>(getOutput().getType());
  if (in.getNumElements() != r.getNumElements())
    return emitOpError() << "cannot reshape " << in.getNumElements()
                         << " elements into " << r;
  if (in.getElementType() != r.getElementType())
    return emitOpError() << "input and result element types must match";
  if (getElementInfo(in)->isPerAxis())
    return emitOpError() << "reshaping per-axis quantized tensors is not "
                            "supported";
  return success();
}

OpFoldResult ReshapeOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto inner = getInput().getDefiningOp<ReshapeOp>())
    if (inner.getInput().getType() == getType())
      return inner.getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

static LogicalResult checkSameShape(Operation *op, Type a, Type b) {
  if (cast<ShapedType>(a).getShape() != cast<ShapedType>(b).getShape())
    return op->emitOpError() << "input and result shapes differ: " << a
                             << " vs " << b;
  return success();
}

/// Per-axis parameters must name a dimension of the tensor and match its
/// size.
static LogicalResult checkPerAxis(Operation *op, Type type, StringRef what) {
  ElementInfo info = *getElementInfo(type);
  if (!info.isPerAxis())
    return success();
  auto shaped = cast<ShapedType>(type);
  if (info.quantizedDim >= shaped.getRank())
    return op->emitOpError() << what << " is quantized along dimension "
                             << info.quantizedDim << " but has rank "
                             << shaped.getRank();
  if (static_cast<int64_t>(info.scales.size()) !=
      shaped.getDimSize(info.quantizedDim))
    return op->emitOpError()
           << what << " has " << info.scales.size()
           << " per-axis scales for dimension " << info.quantizedDim
           << " of size " << shaped.getDimSize(info.quantizedDim);
  return success();
}

LogicalResult QuantizeOp::verify() {
  if (failed(checkTensor(*this, getInput().getType(), "input")) ||
      failed(checkTensor(*this, getOutput().getType(), "result")) ||
      failed(checkSameShape(*this, getInput().getType(),
                            getOutput().getType())))
    return failure();
  if (!isFloatType(getInput().getType()))
    return emitOpError() << "input must be f32, got " << getInput().getType();
  ElementInfo r = *getElementInfo(getOutput().getType());
  if (r.kind != NumericKind::Quantized)
    return emitOpError() << "result must be !quant.uniform, got "
                         << getOutput().getType();
  if (r.bits < 2 || r.bits > 8)
    return emitOpError() << "result must have 2-8 bit storage, got " << r.bits
                         << " bits";
  return checkPerAxis(*this, getOutput().getType(), "result");
}

LogicalResult DequantizeOp::verify() {
  if (failed(checkTensor(*this, getInput().getType(), "input")) ||
      failed(checkTensor(*this, getOutput().getType(), "result")) ||
      failed(checkSameShape(*this, getInput().getType(),
                            getOutput().getType())))
    return failure();
  if (getElementInfo(getInput().getType())->kind != NumericKind::Quantized)
    return emitOpError() << "input must be !quant.uniform, got "
                         << getInput().getType();
  if (!isFloatType(getOutput().getType()))
    return emitOpError() << "result must be f32, got "
                         << getOutput().getType();
  return checkPerAxis(*this, getInput().getType(), "input");
}

LogicalResult RequantizeOp::verify() {
  if (getRounding() == RoundingMode::HalfToEven)
    return emitOpError() << "rounding half_to_even is not supported by "
                            "requantize (half_away_from_zero or half_up)";
  if (failed(checkTensor(*this, getInput().getType(), "input")) ||
      failed(checkTensor(*this, getOutput().getType(), "result")) ||
      failed(checkSameShape(*this, getInput().getType(),
                            getOutput().getType())))
    return failure();
  ElementInfo in = *getElementInfo(getInput().getType());
  ElementInfo r = *getElementInfo(getOutput().getType());
  if (!in.isIntegerLike() || !r.isIntegerLike())
    return emitOpError() << "input and result must be integer or quantized "
                            "(no float in the integer path)";
  if (in.isPerAxis() || r.isPerAxis())
    return emitOpError() << "per-axis quantized operands are not supported; "
                            "use a per-channel multiplier";
  auto shape = cast<ShapedType>(getInput().getType());
  ArrayRef<int32_t> mult = getMultiplier(), shift = getShift();
  if (mult.size() != shift.size())
    return emitOpError() << "'multiplier' and 'shift' must have the same "
                            "length, got "
                         << mult.size() << " and " << shift.size();
  if (mult.size() != 1) {
    int64_t axis = getAxis();
    if (axis < 0 || axis >= shape.getRank())
      return emitOpError() << "'axis' " << axis
                           << " is out of range for rank " << shape.getRank();
    if (static_cast<int64_t>(mult.size()) != shape.getDimSize(axis))
      return emitOpError() << "per-channel 'multiplier' has " << mult.size()
                           << " entries for dimension " << axis << " of size "
                           << shape.getDimSize(axis);
  }
  for (int32_t m : mult)
    if (m < 0)
      return emitOpError() << "'multiplier' must be non-negative, got " << m;
  for (int32_t s : shift)
    if (s < 0 || s > 62)
      return emitOpError() << "'shift' must be in [0, 62], got " << s;
  return success();
}

#define GET_OP_CLASSES
#include "cgnet/Dialect/CGNet/IR/CGNetOps.cpp.inc"
