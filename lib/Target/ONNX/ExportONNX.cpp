//===- ExportONNX.cpp - float cgnet functions as ONNX models --------------===//
//
// `cgnet-translate --export-onnx`: the entry function of a float cgnet
// module as an ONNX model (opset 13), so that other runtimes (ONNX Runtime
// in bench/run-ort-resnet18.sh) run exactly the network cgnet compiles:
// conv2d (groups, strides, padding, dilations) -> Conv, fully_connected ->
// Gemm (transB), relu -> Relu, add -> Add, max_pool2d -> MaxPool,
// global_avg_pool -> GlobalAveragePool, reshape -> Reshape; constants
// become initializers. Any other op, an integer type or a non-constant
// weight is an error naming the op.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Dialect/CGNet/IR/CGNetConstants.h"
#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Dialect/CGNet/IR/CGNetOps.h"
#include "cgnet/Target/ONNX/ImportONNX.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Tools/mlir-translate/Translation.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/TypeSwitch.h"
#include <onnx/onnx_pb.h>

using namespace mlir;
using namespace cgnet;

namespace {

class Exporter {
public:
  explicit Exporter(onnx::GraphProto &graph) : graph(graph) {}

  LogicalResult run(func::FuncOp func) {
    for (BlockArgument arg : func.getArguments()) {
      std::string name = "input" + std::to_string(arg.getArgNumber());
      if (failed(valueInfo(func, arg.getType(), name, graph.add_input())))
        return failure();
      names[arg] = name;
    }
    for (Operation &op : func.getBody().front()) {
      if (isa<arith::ConstantOp>(op))
        continue; // initializers, where an op reads them
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (auto [i, v] : llvm::enumerate(ret.getOperands())) {
          std::string name = "output" + std::to_string(i);
          node("Identity", {nameOf(v)}, name);
          if (failed(valueInfo(&op, v.getType(), name, graph.add_output())))
            return failure();
        }
        continue;
      }
      if (failed(exportOp(&op)))
        return failure();
    }
    return success();
  }

private:
  onnx::GraphProto &graph;
  llvm::DenseMap<Value, std::string> names;
  int counter = 0;

  std::string fresh(StringRef prefix) {
    return (prefix + "_" + Twine(counter++)).str();
  }

  std::string nameOf(Value v) { return names.lookup(v); }

  LogicalResult valueInfo(Operation *op, Type type, const std::string &name,
                          onnx::ValueInfoProto *info) {
    auto t = dyn_cast<RankedTensorType>(type);
    if (!t || !t.getElementType().isF32() || !t.hasStaticShape())
      return op->emitError() << "cannot be exported to ONNX: " << type
                             << " is not a static f32 tensor";
    info->set_name(name);
    auto *tensor = info->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : t.getShape())
      tensor->mutable_shape()->add_dim()->set_dim_value(d);
    return success();
  }

  onnx::NodeProto *node(StringRef type, ArrayRef<std::string> inputs,
                        const std::string &output) {
    onnx::NodeProto *n = graph.add_node();
    n->set_op_type(type.str());
    n->set_name(output);
    for (const std::string &in : inputs)
      n->add_input(in);
    n->add_output(output);
    return n;
  }

  static void ints(onnx::NodeProto *n, StringRef name, ArrayRef<int64_t> v) {
    onnx::AttributeProto *a = n->add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v)
      a->add_ints(x);
  }
  static void integer(onnx::NodeProto *n, StringRef name, int64_t v) {
    onnx::AttributeProto *a = n->add_attribute();
    a->set_name(name.str());
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }

  /// The float constant `v` (read by `op`) as an initializer.
  FailureOr<std::string> initializer(Operation *op, Value v, StringRef what) {
    auto it = names.find(v);
    if (it != names.end())
      return it->second;
    std::optional<std::vector<float>> data = getConstantF32(v);
    if (!data)
      return op->emitError() << "cannot be exported to ONNX: its " << what
                             << " is not a float constant";
    std::string name = fresh(what);
    onnx::TensorProto *t = graph.add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : cast<ShapedType>(v.getType()).getShape())
      t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char *>(data->data()),
                                data->size() * sizeof(float)));
    names[v] = name;
    return name;
  }

  LogicalResult exportOp(Operation *op) {
    for (Type t : op->getResultTypes())
      if (auto rt = dyn_cast<RankedTensorType>(t);
          !rt || !rt.getElementType().isF32())
        return op->emitError() << "cannot be exported to ONNX: result type "
                               << t << " is not an f32 tensor";
    std::string out = fresh(op->getName().stripDialect());
    auto input = [&](Value v) -> FailureOr<std::string> {
      std::string n = nameOf(v);
      if (n.empty())
        return op->emitError("cannot be exported to ONNX: an operand is "
                             "neither an argument nor a result of an "
                             "exported op");
      return n;
    };
    // A layer's inputs: its activation, weight and optional bias (both
    // constants, as initializers).
    auto weighted = [&](Value x, Value w,
                        Value bias) -> FailureOr<SmallVector<std::string>> {
      FailureOr<std::string> xn = input(x);
      FailureOr<std::string> wn = initializer(op, w, "weight");
      if (failed(xn) || failed(wn))
        return failure();
      SmallVector<std::string> ins = {*xn, *wn};
      if (bias) {
        FailureOr<std::string> b = initializer(op, bias, "bias");
        if (failed(b))
          return failure();
        ins.push_back(*b);
      }
      return ins;
    };
    LogicalResult r =
        TypeSwitch<Operation *, LogicalResult>(op)
            .Case<Conv2DOp>([&](Conv2DOp c) -> LogicalResult {
              auto ins = weighted(c.getInput(), c.getWeight(), c.getBias());
              if (failed(ins))
                return failure();
              onnx::NodeProto *n = node("Conv", *ins, out);
              ArrayRef<int64_t> ws =
                  cast<ShapedType>(c.getWeight().getType()).getShape();
              ints(n, "kernel_shape", {ws[2], ws[3]});
              ints(n, "strides", c.getStrides());
              ints(n, "pads", c.getPadding()); // top, left, bottom, right
              ints(n, "dilations", c.getDilations());
              integer(n, "group", c.getGroups());
              return success();
            })
            .Case<FullyConnectedOp>([&](FullyConnectedOp f) -> LogicalResult {
              auto ins = weighted(f.getInput(), f.getWeight(), f.getBias());
              if (failed(ins))
                return failure();
              integer(node("Gemm", *ins, out), "transB", 1);
              return success();
            })
            .Case<ReluOp>([&](ReluOp o) -> LogicalResult {
              FailureOr<std::string> x = input(o.getInput());
              if (failed(x))
                return failure();
              node("Relu", {*x}, out);
              return success();
            })
            .Case<AddOp>([&](AddOp o) -> LogicalResult {
              FailureOr<std::string> a = input(o.getLhs()),
                                     b = input(o.getRhs());
              if (failed(a) || failed(b))
                return failure();
              node("Add", {*a, *b}, out);
              return success();
            })
            .Case<MaxPool2DOp>([&](MaxPool2DOp p) -> LogicalResult {
              FailureOr<std::string> x = input(p.getInput());
              if (failed(x))
                return failure();
              onnx::NodeProto *n = node("MaxPool", {*x}, out);
              ints(n, "kernel_shape", p.getKernel());
              ints(n, "strides", p.getStrides());
              ints(n, "pads", p.getPadding());
              return success();
            })
            .Case<GlobalAvgPoolOp>([&](GlobalAvgPoolOp p) -> LogicalResult {
              FailureOr<std::string> x = input(p.getInput());
              if (failed(x))
                return failure();
              node("GlobalAveragePool", {*x}, out);
              return success();
            })
            .Case<ReshapeOp>([&](ReshapeOp r) -> LogicalResult {
              FailureOr<std::string> x = input(r.getInput());
              if (failed(x))
                return failure();
              std::string shape = fresh("shape");
              onnx::TensorProto *t = graph.add_initializer();
              t->set_name(shape);
              t->set_data_type(onnx::TensorProto::INT64);
              ArrayRef<int64_t> s =
                  cast<ShapedType>(r.getOutput().getType()).getShape();
              t->add_dims(int64_t(s.size()));
              for (int64_t d : s)
                t->add_int64_data(d);
              node("Reshape", {*x, shape}, out);
              return success();
            })
            .Default([&](Operation *) {
              return op->emitError()
                     << "cannot be exported to ONNX yet (conv2d, "
                        "fully_connected, relu, add, max_pool2d, "
                        "global_avg_pool and reshape can)";
            });
    if (failed(r))
      return failure();
    names[op->getResult(0)] = out;
    return success();
  }
};

LogicalResult exportONNX(Operation *op, raw_ostream &os) {
  auto module = dyn_cast<ModuleOp>(op);
  if (!module)
    return op->emitError("expected a module");
  func::FuncOp func = module.lookupSymbol<func::FuncOp>("main");
  if (!func) {
    auto funcs = module.getOps<func::FuncOp>();
    if (std::distance(funcs.begin(), funcs.end()) != 1)
      return module.emitError("--export-onnx needs a function @main or a "
                              "single function");
    func = *funcs.begin();
  }
  if (func.isExternal() || !func.getBody().hasOneBlock())
    return func.emitError("--export-onnx needs a function with one block");
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.set_producer_name("cgnet");
  onnx::OperatorSetIdProto *opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  onnx::GraphProto *graph = model.mutable_graph();
  graph->set_name(func.getSymName().str());
  if (failed(Exporter(*graph).run(func)))
    return failure();
  std::string bytes;
  if (!model.SerializeToString(&bytes))
    return func.emitError("--export-onnx: the model does not serialize "
                          "(over 2 GB?)");
  os << bytes;
  return success();
}

} // namespace

void cgnet::registerONNXExport() {
  static TranslateFromMLIRRegistration reg(
      "export-onnx",
      "Float cgnet function (@main) -> ONNX model (opset 13): conv2d, "
      "fully_connected, relu, add, max_pool2d, global_avg_pool, reshape",
      exportONNX, [](DialectRegistry &r) {
        r.insert<CGNetDialect, arith::ArithDialect, func::FuncDialect>();
      });
  (void)reg;
}
