//===- CGIsaDialect.cpp - the cgisa dialect -------------------------------===//

#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/Support/FormatVariadic.h"

using namespace mlir;
using namespace cgnet;
using namespace cgnet::cgisa;

#include "cgnet/Dialect/CGIsa/IR/CGIsaDialect.cpp.inc"

void CGIsaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "cgnet/Dialect/CGIsa/IR/CGIsaOps.cpp.inc"
      >();
}

#define GET_OP_CLASSES
#include "cgnet/Dialect/CGIsa/IR/CGIsaOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Configuration
//===----------------------------------------------------------------------===//

DictionaryAttr cgisa::configToAttr(MLIRContext *ctx,
                                   const isa::AccelConfig &config) {
  std::string text;
  llvm::raw_string_ostream os(text);
  isa::printConfig(config, os);
  Builder b(ctx);
  SmallVector<NamedAttribute> attrs;
  SmallVector<StringRef> lines;
  StringRef(text).split(lines, '\n', -1, false);
  for (StringRef line : lines) {
    auto [key, value] = line.split('=');
    key = key.trim();
    value = value.trim();
    int64_t i;
    double d;
    if (!value.getAsInteger(10, i))
      attrs.push_back(b.getNamedAttr(key, b.getI64IntegerAttr(i)));
    else if (!value.getAsDouble(d))
      attrs.push_back(b.getNamedAttr(key, b.getF64FloatAttr(d)));
  }
  return b.getDictionaryAttr(attrs);
}

llvm::Expected<isa::AccelConfig> cgisa::configFromAttr(DictionaryAttr attr) {
  std::string text;
  for (NamedAttribute a : attr) {
    text += a.getName().str() + " = ";
    if (auto i = dyn_cast<IntegerAttr>(a.getValue()))
      text += std::to_string(i.getInt());
    else if (auto f = dyn_cast<FloatAttr>(a.getValue()))
      text += llvm::formatv("{0:e16}", f.getValueAsDouble()).str();
    else
      return llvm::createStringError("config key '" + a.getName().str() +
                                     "' is neither an integer nor a float");
    text += "\n";
  }
  return isa::parseConfig(text, "config");
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

FailureOr<isa::Instr> cgisa::toInstr(Operation *op) {
  StringRef mnemonic = op->getName().stripDialect();
  const isa::InstrDesc *desc = isa::lookup(mnemonic);
  if (!desc)
    return op->emitOpError("is not an instruction");
  isa::Instr in;
  in.op = desc->opcode;
  for (NamedAttribute a : op->getAttrs()) {
    int slot = isa::fieldSlot(*desc, a.getName());
    if (slot < 0)
      return op->emitOpError() << "has no field '" << a.getName().getValue()
                               << "'";
    auto value = dyn_cast<IntegerAttr>(a.getValue());
    if (!value)
      return op->emitOpError() << "field '" << a.getName().getValue()
                               << "' must be an integer";
    in.v[slot] = value.getValue().getSExtValue();
  }
  if (llvm::Error e = isa::checkFields(in))
    return op->emitOpError() << llvm::toString(std::move(e));
  return in;
}

Operation *cgisa::buildInstr(OpBuilder &b, Location loc,
                             const isa::Instr &instr) {
  const isa::InstrDesc &desc = instr.desc();
  OperationState state(loc, (Twine("cgisa.") + desc.mnemonic).str());
  for (size_t i = 0; i < desc.fields.size(); ++i)
    if (instr.v[i] != 0)
      state.addAttribute(desc.fields[i].name,
                         b.getI64IntegerAttr(instr.v[i]));
  return b.create(state);
}

#define CGISA_INSTR(Name, mnemonic, opcode, queue, summary)                    \
  LogicalResult Name##Op::verify() {                                          \
    return success(succeeded(toInstr(getOperation())));                        \
  }
#include "cgnet/Target/CGIsa/Instructions.def"

//===----------------------------------------------------------------------===//
// Program, segments, inputs and outputs
//===----------------------------------------------------------------------===//

LogicalResult ProgramOp::verify() {
  if (getDramBytesAttr().getInt() < 0 || getDramBytesAttr().getInt() > (int64_t(1) << 32))
    return emitOpError("dram_bytes must be in [0, 4 GiB]");
  if (auto c = configFromAttr(getConfig()); !c)
    return emitOpError() << llvm::toString(c.takeError());
  return success();
}

/// The bytes of a segment's `data`: dense i8 elements or an i8 resource.
static FailureOr<ArrayRef<char>> segmentBytes(SegmentOp op,
                                              std::vector<char> &storage) {
  auto type = dyn_cast<RankedTensorType>(op.getData().getType());
  if (!type || type.getRank() != 1 || !type.getElementType().isInteger(8))
    return op.emitOpError("data must be a 1-D tensor of i8");
  if (auto res = dyn_cast<DenseResourceElementsAttr>(op.getData())) {
    AsmResourceBlob *blob = res.getRawHandle().getBlob();
    if (!blob)
      return op.emitOpError("data resource has no blob");
    ArrayRef<char> bytes = blob->getData();
    if (static_cast<int64_t>(bytes.size()) != type.getNumElements())
      return op.emitOpError("data resource holds ")
             << bytes.size() << " bytes for " << type.getNumElements()
             << " elements";
    return bytes;
  }
  if (auto dense = dyn_cast<DenseIntElementsAttr>(op.getData())) {
    storage.clear();
    for (const APInt &v : dense.getValues<APInt>())
      storage.push_back(static_cast<char>(v.getSExtValue()));
    return ArrayRef<char>(storage);
  }
  return op.emitOpError("data must be dense or a dense resource");
}

LogicalResult SegmentOp::verify() {
  if (getAddressAttr().getInt() < 0)
    return emitOpError("address must be non-negative");
  std::vector<char> storage;
  return success(succeeded(segmentBytes(*this, storage)));
}

template <typename IoOp> static LogicalResult verifyIo(IoOp op) {
  if (op.getAddressAttr().getInt() < 0)
    return op.emitOpError("address must be non-negative");
  if (op.getShape().empty() ||
      llvm::any_of(op.getShape(), [](int64_t d) { return d <= 0; }))
    return op.emitOpError("shape must have positive dimensions");
  if (!(op.getScale().convertToDouble() >= 0))
    return op.emitOpError("scale must be >= 0");
  if (op.getStorageMinAttr().getInt() < -128 || op.getStorageMaxAttr().getInt() > 127 ||
      op.getStorageMinAttr().getInt() > op.getStorageMaxAttr().getInt())
    return op.emitOpError("storage range must be within int8");
  if (op.getZeroPointAttr().getInt() < op.getStorageMinAttr().getInt() ||
      op.getZeroPointAttr().getInt() > op.getStorageMaxAttr().getInt())
    return op.emitOpError("zero point must be in the storage range");
  if (op.getRounding() != "away" && op.getRounding() != "even" &&
      op.getRounding() != "up")
    return op.emitOpError("rounding must be away, even or up");
  return success();
}
LogicalResult InputOp::verify() { return verifyIo(*this); }
LogicalResult OutputOp::verify() { return verifyIo(*this); }

template <typename IoOp> static isa::IoDesc toIo(IoOp op, bool isOutput) {
  isa::IoDesc d;
  d.isOutput = isOutput;
  d.name = op.getName().str();
  d.addr = op.getAddressAttr().getInt();
  d.shape.assign(op.getShape().begin(), op.getShape().end());
  d.scale = op.getScale().convertToDouble();
  d.zeroPoint = op.getZeroPointAttr().getInt();
  d.storageMin = op.getStorageMinAttr().getInt();
  d.storageMax = op.getStorageMaxAttr().getInt();
  d.rounding = op.getRounding() == "even" ? isa::Rounding::ToEven
               : op.getRounding() == "up" ? isa::Rounding::Up
                                          : isa::Rounding::AwayFromZero;
  return d;
}

FailureOr<isa::Program> cgisa::toProgram(ProgramOp op) {
  isa::Program p;
  auto config = configFromAttr(op.getConfig());
  if (!config)
    return op.emitOpError() << llvm::toString(config.takeError());
  p.config = *config;
  p.dramBytes = op.getDramBytes();
  std::vector<char> storage;
  for (Operation &o : op.getBody().front()) {
    if (auto seg = dyn_cast<SegmentOp>(o)) {
      auto bytes = segmentBytes(seg, storage);
      if (failed(bytes))
        return failure();
      isa::Segment s;
      s.addr = seg.getAddressAttr().getInt();
      s.bytes.assign(bytes->begin(), bytes->end());
      p.data.push_back(std::move(s));
    } else if (auto in = dyn_cast<InputOp>(o)) {
      p.io.push_back(toIo(in, false));
    } else if (auto out = dyn_cast<OutputOp>(o)) {
      p.io.push_back(toIo(out, true));
    } else if (auto layer = dyn_cast<LayerOp>(o)) {
      p.layers.push_back(
          {static_cast<uint32_t>(p.code.size()), layer.getName().str()});
    } else {
      auto instr = toInstr(&o);
      if (failed(instr))
        return failure();
      p.code.push_back(*instr);
    }
  }
  if (llvm::Error e = isa::verifyProgram(p))
    return op.emitOpError() << llvm::toString(std::move(e));
  return p;
}
