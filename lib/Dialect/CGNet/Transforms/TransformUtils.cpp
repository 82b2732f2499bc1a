//===- TransformUtils.cpp - helpers shared by cgnet passes ----------------===//

#include "cgnet/Dialect/CGNet/Transforms/TransformUtils.h"
#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Reference/Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include <cctype>
#include "llvm/Support/raw_ostream.h"
#include <random>

using namespace mlir;

namespace cgnet {

FailureOr<std::vector<Sample>>
loadCalibrationSamples(func::FuncOp func, ArrayRef<std::string> files) {
  unsigned numArgs = func.getNumArguments();
  if (numArgs == 0)
    return func.emitError("calibration needs a function with inputs");
  if (files.size() % numArgs != 0)
    return func.emitError() << "calibration takes one .npy file per function "
                               "argument per sample: got "
                            << files.size() << " files for " << numArgs
                            << " arguments";
  std::vector<Sample> samples;
  for (size_t first = 0; first < files.size(); first += numArgs) {
    Sample sample;
    for (unsigned a = 0; a < numArgs; ++a) {
      const std::string &path = files[first + a];
      auto tensor = ref::readNpy(path);
      if (!tensor)
        return func.emitError() << "calibration input: "
                                << llvm::toString(tensor.takeError());
      auto argType = cast<RankedTensorType>(func.getArgument(a).getType());
      ArrayRef<int64_t> shape = argType.getShape();
      // A one-argument function may take a batch of samples per file.
      if (numArgs == 1 && !shape.empty() && shape[0] > 0 &&
          tensor->shape.size() == shape.size() &&
          ArrayRef<int64_t>(tensor->shape).drop_front() == shape.drop_front() &&
          tensor->shape[0] % shape[0] == 0 && tensor->shape[0] != shape[0]) {
        int64_t per = argType.getNumElements();
        for (int64_t k = 0; k < tensor->shape[0] / shape[0]; ++k) {
          ref::Tensor part = tensor->isFloat ? ref::Tensor::floats(shape.vec())
                                             : ref::Tensor::ints(shape.vec());
          if (tensor->isFloat)
            part.f.assign(tensor->f.begin() + k * per,
                          tensor->f.begin() + (k + 1) * per);
          else
            part.i.assign(tensor->i.begin() + k * per,
                          tensor->i.begin() + (k + 1) * per);
          std::string why = ref::checkCompatible(part, argType);
          if (!why.empty())
            return func.emitError() << "calibration input '" << path
                                    << "': " << why;
          samples.push_back({std::move(part)});
        }
        continue;
      }
      std::string why = ref::checkCompatible(*tensor, argType);
      if (!why.empty())
        return func.emitError() << "calibration input '" << path
                                << "' for argument #" << a << ": " << why;
      sample.push_back(std::move(*tensor));
    }
    if (!sample.empty())
      samples.push_back(std::move(sample));
  }
  return samples;
}

FailureOr<std::vector<Sample>> makeRandomSamples(func::FuncOp func,
                                                 int64_t count, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Sample> samples;
  for (int64_t k = 0; k < count; ++k) {
    Sample sample;
    for (Type t : func.getArgumentTypes()) {
      std::optional<ref::Tensor> x = ref::randomTensor(t, rng);
      if (!x)
        return func.emitError() << "random inputs need statically shaped "
                                   "tensor arguments, got "
                                << t;
      sample.push_back(std::move(*x));
    }
    samples.push_back(std::move(sample));
  }
  return samples;
}

LogicalResult runCalibration(func::FuncOp func, ArrayRef<Sample> samples,
                             const ref::ValueObserver &observer,
                             Operation *stopAfter) {
  for (const Sample &sample : samples)
    if (failed(ref::evaluate(func, sample, nullptr, observer, stopAfter)))
      return failure();
  return success();
}

bool checkLayerIndices(func::FuncOp func, StringRef passName,
                       ArrayRef<int64_t> layers, size_t count) {
  bool ok = true;
  for (int64_t l : layers)
    if (l < 0 || l >= static_cast<int64_t>(count)) {
      func.emitError() << passName << ": layers index " << l
                       << " is out of range (the function has " << count
                       << " cgnet.conv2d ops)";
      ok = false;
    }
  return ok;
}

void setOperandDroppingDead(Operation *op, unsigned index, Value value) {
  Value old = op->getOperand(index);
  op->setOperand(index, value);
  if (Operation *def = old.getDefiningOp(); def && def->use_empty())
    def->erase();
}

void replaceF32Operand(Operation *op, unsigned index, RankedTensorType type,
                       ArrayRef<float> data) {
  OpBuilder b(op);
  if (!type)
    type = cast<RankedTensorType>(op->getOperand(index).getType());
  setOperandDroppingDead(op, index,
                         createF32Constant(b, op->getLoc(), type, data));
}

bool isPerChannel(Operation *op) {
  return isa<ReluOp, LeakyReluOp, ClampOp, MaxPool2DOp, AvgPool2DOp>(op);
}

bool isPositivelyHomogeneous(Operation *op) {
  if (auto clamp = dyn_cast<ClampOp>(op))
    return clamp.getMinFp() && clamp.getMinFp()->isZero() &&
           clamp.getMaxFp() && clamp.getMaxFp()->isInfinity() &&
           !clamp.getMaxFp()->isNegative();
  return isa<ReluOp, LeakyReluOp, MaxPool2DOp, AvgPool2DOp, GlobalAvgPoolOp>(
      op);
}

ChannelPath traceChannelPath(Value input,
                             llvm::function_ref<bool(Operation *)> accept) {
  ChannelPath p;
  Value v = input;
  while (true) {
    if (!v.hasOneUse()) {
      p.multiUse = true;
      break;
    }
    Operation *def = v.getDefiningOp();
    if (!def || !accept(def)) {
      p.blocker = def;
      break;
    }
    p.chain.push_back(def);
    v = def->getOperand(0);
  }
  p.source = v;
  return p;
}

std::string reportPathFor(func::FuncOp func, StringRef path) {
  if (path == "-")
    return path.str();
  Operation *parent = func->getParentOp();
  int64_t functions = 0;
  if (parent)
    for (Region &r : parent->getRegions())
      for (Block &b : r)
        functions += llvm::count_if(
            b, [](Operation &op) { return isa<func::FuncOp>(op); });
  if (functions <= 1)
    return path.str();
  std::string name;
  for (char c : func.getSymName())
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  StringRef ext = llvm::sys::path::extension(path);
  return (path.drop_back(ext.size()) + "." + name + ext).str();
}

LogicalResult writeTextFile(Operation *op, StringRef path, StringRef text,
                            StringRef what) {
  if (path == "-") {
    llvm::errs() << text;
    return success();
  }
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec)
    return op->emitError() << "cannot write the " << what << " '" << path
                           << "': " << ec.message();
  os << text;
  return success();
}

std::string formatLoc(Location loc) {
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  std::string s;
  llvm::raw_string_ostream os(s);
  loc.print(os);
  return s;
}

/// The first name in a location (itself, or inside a fused location).
static std::optional<std::string> nameIn(Location loc) {
  if (auto name = dyn_cast<NameLoc>(loc))
    return name.getName().str();
  if (auto fused = dyn_cast<FusedLoc>(loc))
    for (Location inner : fused.getLocations())
      if (auto name = nameIn(inner))
        return name;
  return std::nullopt;
}

std::string layerName(Operation *op) {
  if (auto name = nameIn(op->getLoc()))
    return *name;
  if (auto file = dyn_cast<FileLineColLoc>(op->getLoc()))
    return (op->getName().stripDialect() + "@" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  std::string s;
  llvm::raw_string_ostream os(s);
  op->getLoc().print(os);
  return s;
}

} // namespace cgnet
