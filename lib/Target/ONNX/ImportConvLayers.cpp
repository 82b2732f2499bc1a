//===- ImportConvLayers.cpp - ONNX Conv nodes as cgnet functions ----------===//
//
// The per-layer import: every Conv node of a model becomes a function of
// its own, so that passes and executors can be studied layer by layer on
// real weights (OCS and quantization error, gating statistics) before the
// whole graph can be imported.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Target/ONNX/ImportONNX.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/SourceMgr.h"

using namespace mlir;

namespace cgnet {

OwningOpRef<ModuleOp> importConvLayers(const onnx_import::Model &model,
                                       MLIRContext *context, Location loc,
                                       int64_t height, int64_t width) {
  context->loadDialect<CGNetDialect, arith::ArithDialect, func::FuncDialect>();
  auto layers = model.convLayers();
  if (!layers) {
    emitError(loc) << llvm::toString(layers.takeError());
    return {};
  }
  if (layers->empty()) {
    emitError(loc) << "the model has no Conv nodes";
    return {};
  }
  OpBuilder b(context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(loc);
  b.setInsertionPointToEnd(module->getBody());
  Type f32 = b.getF32Type();
  for (const onnx_import::ConvLayer &l : *layers) {
    if (!onnx_import::isKnownAutoPad(l.autoPad)) {
      emitError(loc) << "node '" << l.name << "' (Conv): unknown auto_pad '"
                     << l.autoPad << "'";
      return {};
    }
    const std::vector<int64_t> &ws = l.weight.shape;
    int64_t outC = ws[0], inC = ws[1] * l.groups;
    if (outC % l.groups != 0) {
      emitError(loc) << "node '" << l.name << "' (Conv): " << outC
                     << " output channels are not divisible by group "
                     << l.groups;
      return {};
    }
    int64_t pt = l.pads[0], pl = l.pads[1], pb = l.pads[2], pr = l.pads[3];
    int64_t oh = onnx_import::resolveWindow(l.autoPad, height, ws[2],
                                            l.strides[0], l.dilations[0], pt,
                                            pb);
    int64_t ow = onnx_import::resolveWindow(l.autoPad, width, ws[3],
                                            l.strides[1], l.dilations[1], pl,
                                            pr);
    if (oh < 1 || ow < 1) {
      emitError(loc) << "node '" << l.name << "' (Conv): its " << ws[2] << "x"
                     << ws[3] << " kernel does not fit a " << height << "x"
                     << width << " input; choose a larger --conv-input-size";
      return {};
    }
    Location nodeLoc = NameLoc::get(b.getStringAttr(l.name));
    auto inType = RankedTensorType::get({1, inC, height, width}, f32);
    auto outType = RankedTensorType::get({1, outC, oh, ow}, f32);
    auto func = func::FuncOp::create(b, nodeLoc, l.name,
                                     b.getFunctionType({inType}, {outType}));
    Block *body = func.addEntryBlock();
    OpBuilder fb = OpBuilder::atBlockBegin(body);
    auto wType = RankedTensorType::get(ws, f32);
    Value w = createF32ResourceConstant(fb, nodeLoc, wType, l.weight.data,
                                        l.name + ".weight");
    Value bias;
    if (!l.bias.empty())
      bias = createF32Constant(fb, nodeLoc, RankedTensorType::get({outC}, f32),
                               l.bias);
    Value y = Conv2DOp::create(
        fb, nodeLoc, outType, body->getArgument(0), w, bias,
        fb.getDenseI64ArrayAttr(l.strides),
        fb.getDenseI64ArrayAttr({pt, pl, pb, pr}),
        fb.getDenseI64ArrayAttr(l.dilations), fb.getI64IntegerAttr(l.groups));
    func::ReturnOp::create(fb, nodeLoc, y);
  }
  if (failed(mlir::verify(*module)))
    return {};
  return module;
}

namespace {
/// The ONNX model in a translation's input buffer, and the location that
/// names the file.
struct ParsedInput {
  Location loc;
  std::unique_ptr<onnx_import::Model> model;
};
} // namespace

static std::optional<ParsedInput> parseInput(llvm::SourceMgr &sourceMgr,
                                             MLIRContext *context) {
  const llvm::MemoryBuffer *buf =
      sourceMgr.getMemoryBuffer(sourceMgr.getMainFileID());
  Location loc =
      FileLineColLoc::get(context, buf->getBufferIdentifier(), 0, 0);
  auto model =
      onnx_import::parseModel(buf->getBuffer(), buf->getBufferIdentifier());
  if (!model) {
    emitError(loc) << llvm::toString(model.takeError());
    return std::nullopt;
  }
  return ParsedInput{loc, std::move(*model)};
}

static void registerImportDialects(DialectRegistry &registry) {
  registry.insert<CGNetDialect, arith::ArithDialect, func::FuncDialect,
                  quant::QuantDialect>();
}

static OwningOpRef<Operation *> released(OwningOpRef<ModuleOp> module) {
  if (!module)
    return {};
  return OwningOpRef<Operation *>(module.release());
}

void registerONNXTranslations() {
  registerONNXExport();
  static llvm::cl::opt<std::string> convInputSize(
      "conv-input-size",
      llvm::cl::desc("Spatial size HxW of the input of every function made "
                     "by --import-onnx-conv-layers (default 8x8)"),
      llvm::cl::init("8x8"));
  static TranslateToMLIRRegistration importConvs(
      "import-onnx-conv-layers",
      "ONNX model -> one cgnet function per Conv node (real weights, for "
      "per-layer studies)",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *context)
          -> OwningOpRef<Operation *> {
        auto input = parseInput(sourceMgr, context);
        if (!input)
          return {};
        int64_t h = 0, w = 0;
        StringRef size = convInputSize;
        auto [hs, wsz] = size.split('x');
        if (hs.getAsInteger(10, h) || wsz.getAsInteger(10, w) || h < 1 ||
            w < 1) {
          emitError(input->loc) << "--conv-input-size must be HxW with "
                                   "positive integers, got '"
                                << size << "'";
          return {};
        }
        return released(
            importConvLayers(*input->model, context, input->loc, h, w));
      },
      registerImportDialects);
  (void)importConvs;

  static llvm::cl::list<std::string> inputShapes(
      "onnx-input-shape",
      llvm::cl::desc("Shape of a graph input for --import-onnx, as 1x3x32x32; "
                     "repeat for each input, in order (default: the "
                     "model's, with a dynamic batch of 1)"));
  static llvm::cl::list<std::string> outputs(
      "onnx-outputs",
      llvm::cl::desc("With --import-onnx: return these values (by name, "
                     "comma-separated) instead of the graph's outputs"),
      llvm::cl::CommaSeparated);
  static llvm::cl::opt<bool> opStats(
      "op-stats",
      llvm::cl::desc("With --import-onnx: print the model's op histogram "
                     "(supported / unsupported) to stderr"));
  static TranslateToMLIRRegistration importGraph(
      "import-onnx", "ONNX model -> one float cgnet function",
      [](llvm::SourceMgr &sourceMgr, MLIRContext *context)
          -> OwningOpRef<Operation *> {
        auto input = parseInput(sourceMgr, context);
        if (!input)
          return {};
        ImportOptions options;
        for (StringRef s : inputShapes) {
          std::vector<int64_t> shape;
          SmallVector<StringRef> dims;
          s.split(dims, 'x');
          for (StringRef d : dims) {
            int64_t v = 0;
            if (d.getAsInteger(10, v) || v < 1) {
              emitError(input->loc)
                  << "--onnx-input-shape must be dimensions separated by 'x' "
                     "(e.g. 1x3x32x32), got '"
                  << s << "'";
              return {};
            }
            shape.push_back(v);
          }
          options.inputShapes.push_back(std::move(shape));
        }
        options.outputs.assign(outputs.begin(), outputs.end());
        if (opStats)
          llvm::errs() << opStatistics(*input->model);
        return released(
            importONNX(*input->model, context, input->loc, options));
      },
      registerImportDialects);
  (void)importGraph;
}

} // namespace cgnet
