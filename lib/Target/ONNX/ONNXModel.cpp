//===- ONNXModel.cpp - reading ONNX models --------------------------------===//

#include "cgnet/Target/ONNX/ONNXModel.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FormatVariadic.h"
#include <algorithm>
#include <cstring>
#include <onnx/onnx_pb.h>

using llvm::Expected;
using llvm::StringRef;

namespace cgnet::onnx_import {

struct Model::Impl {
  onnx::ModelProto proto;
  std::string what;
  llvm::StringMap<const onnx::TensorProto *> constants;
};

Model::Model(std::unique_ptr<Impl> impl) : impl(std::move(impl)) {}
Model::~Model() = default;

static llvm::Error error(const llvm::Twine &msg) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), msg);
}

Expected<std::unique_ptr<Model>> parseModel(StringRef bytes, StringRef what) {
  auto impl = std::make_unique<Model::Impl>();
  impl->what = what.str();
  if (bytes.size() > static_cast<size_t>(INT32_MAX) ||
      !impl->proto.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    return error(what + ": not a valid ONNX model (protobuf parse failed, " +
                 llvm::Twine(bytes.size()) + " bytes)");
  const onnx::GraphProto &g = impl->proto.graph();
  for (const onnx::TensorProto &t : g.initializer())
    impl->constants[t.name()] = &t;
  for (const onnx::NodeProto &n : g.node()) {
    if (n.op_type() != "Constant" || n.output_size() != 1)
      continue;
    for (const onnx::AttributeProto &a : n.attribute())
      if (a.name() == "value" && a.has_t())
        impl->constants[n.output(0)] = &a.t();
  }
  return std::unique_ptr<Model>(new Model(std::move(impl)));
}

const onnx::ModelProto &Model::proto() const { return impl->proto; }

int64_t Model::opset() const {
  for (const onnx::OperatorSetIdProto &o : impl->proto.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx")
      return o.version();
  return 0;
}

bool isKnownAutoPad(StringRef autoPad) {
  return autoPad == "NOTSET" || autoPad == "VALID" ||
         autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER";
}

int64_t resolveWindow(StringRef autoPad, int64_t in, int64_t kernel,
                      int64_t stride, int64_t dilation, int64_t &padBefore,
                      int64_t &padAfter) {
  int64_t span = dilation * (kernel - 1) + 1;
  if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    int64_t out = (in + stride - 1) / stride;
    int64_t total = std::max<int64_t>(0, (out - 1) * stride + span - in);
    padBefore = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
    padAfter = total - padBefore;
  } else if (autoPad == "VALID") {
    padBefore = padAfter = 0;
  }
  int64_t padded = in + padBefore + padAfter;
  return padded < span ? 0 : (padded - span) / stride + 1;
}

std::optional<std::vector<double>> tensorValues(const onnx::TensorProto &t) {
  // Element count, refusing negative dimensions and absurd sizes before
  // anything is allocated (a corrupt or non-tensor protobuf can carry any
  // dims).
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > (int64_t(1) << 40) / d))
      return std::nullopt;
    n *= d;
  }
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return std::nullopt;
  const std::string &raw = t.raw_data();
  auto fromRaw = [&](auto zero) -> std::optional<std::vector<double>> {
    using T = decltype(zero);
    if (raw.size() != static_cast<size_t>(n) * sizeof(T))
      return std::nullopt;
    std::vector<double> out(n);
    for (int64_t i = 0; i < n; ++i) {
      T v;
      std::memcpy(&v, raw.data() + i * sizeof(T), sizeof(T));
      out[i] = static_cast<double>(v);
    }
    return out;
  };
  auto fromFields = [&](int size,
                        auto get) -> std::optional<std::vector<double>> {
    if (size != n)
      return std::nullopt;
    std::vector<double> out(n);
    for (int64_t i = 0; i < n; ++i)
      out[i] = get(static_cast<int>(i));
    return out;
  };
  // Narrow integers live in int32_data when not raw.
  auto int32s = [&](int i) { return double(t.int32_data(i)); };
  switch (t.data_type()) {
  case onnx::TensorProto::FLOAT:
    return raw.empty() ? fromFields(t.float_data_size(),
                                    [&](int i) { return double(t.float_data(i)); })
                       : fromRaw(0.0f);
  case onnx::TensorProto::DOUBLE:
    return raw.empty() ? fromFields(t.double_data_size(),
                                    [&](int i) { return t.double_data(i); })
                       : fromRaw(0.0);
  case onnx::TensorProto::INT64:
    return raw.empty() ? fromFields(t.int64_data_size(),
                                    [&](int i) { return double(t.int64_data(i)); })
                       : fromRaw(int64_t(0));
  case onnx::TensorProto::INT32:
    return raw.empty() ? fromFields(t.int32_data_size(), int32s)
                       : fromRaw(int32_t(0));
  case onnx::TensorProto::INT8:
    return raw.empty() ? fromFields(t.int32_data_size(), int32s)
                       : fromRaw(int8_t(0));
  case onnx::TensorProto::UINT8:
    return raw.empty() ? fromFields(t.int32_data_size(), int32s)
                       : fromRaw(uint8_t(0));
  case onnx::TensorProto::INT16:
    return raw.empty() ? fromFields(t.int32_data_size(), int32s)
                       : fromRaw(int16_t(0));
  case onnx::TensorProto::UINT16:
    return raw.empty() ? fromFields(t.int32_data_size(), int32s)
                       : fromRaw(uint16_t(0));
  default:
    return std::nullopt;
  }
}

/// The float contents of a constant tensor, or an error naming it.
static Expected<FloatTensor> readFloat(const onnx::TensorProto &t,
                                       StringRef node) {
  FloatTensor out;
  for (int64_t d : t.dims())
    out.shape.push_back(d);
  if (t.data_location() == onnx::TensorProto::EXTERNAL)
    return error("node '" + node + "': tensor '" + t.name() +
                 "' is stored outside the model file (external data is "
                 "not supported)");
  if (t.data_type() != onnx::TensorProto::FLOAT &&
      t.data_type() != onnx::TensorProto::DOUBLE)
    return error(llvm::formatv("node '{0}': tensor '{1}' has ONNX data type "
                               "{2}; only float and double weights are read",
                               node, t.name(), t.data_type()));
  auto values = tensorValues(t);
  if (!values)
    return error("node '" + node + "': tensor '" + t.name() +
                 "' has a data size that does not match its shape");
  out.data.assign(values->begin(), values->end());
  return out;
}

Expected<FloatTensor> Model::constantInput(const std::string &input,
                                           const std::string &node,
                                           StringRef what) const {
  auto it = impl->constants.find(input);
  if (it == impl->constants.end())
    return error("node '" + node + "' (Conv): " + what + " '" + input +
                 "' is not a constant");
  return readFloat(*it->second, node);
}

static std::vector<int64_t> ints(const onnx::AttributeProto &a) {
  return std::vector<int64_t>(a.ints().begin(), a.ints().end());
}

Expected<std::vector<ConvLayer>> Model::convLayers() const {
  std::vector<ConvLayer> layers;
  int64_t index = 0;
  for (const onnx::NodeProto &n : impl->proto.graph().node()) {
    if (n.op_type() != "Conv")
      continue;
    ConvLayer l;
    l.index = index++;
    l.name = n.name().empty() ? "Conv_" + std::to_string(l.index) : n.name();
    if (n.input_size() < 2)
      return error("node '" + l.name + "' (Conv): needs a weight input");
    auto weight = constantInput(n.input(1), l.name, "weight");
    if (!weight)
      return weight.takeError();
    l.weight = std::move(*weight);
    if (l.weight.shape.size() != 4)
      return error(llvm::formatv("node '{0}' (Conv): a {1}-D weight; only "
                                 "2-D convolutions (4-D weights) are supported",
                                 l.name, l.weight.shape.size()));
    if (n.input_size() >= 3 && !n.input(2).empty()) {
      auto bias = constantInput(n.input(2), l.name, "bias");
      if (!bias)
        return bias.takeError();
      if (static_cast<int64_t>(bias->data.size()) != l.weight.shape[0])
        return error("node '" + l.name + "' (Conv): bias size does not "
                     "match the output channels");
      l.bias = std::move(bias->data);
    }
    for (const onnx::AttributeProto &a : n.attribute()) {
      if (a.name() == "group")
        l.groups = a.i();
      else if (a.name() == "strides")
        l.strides = ints(a);
      else if (a.name() == "dilations")
        l.dilations = ints(a);
      else if (a.name() == "pads")
        l.pads = ints(a);
      else if (a.name() == "auto_pad")
        l.autoPad = a.s();
    }
    if (l.strides.size() != 2 || l.dilations.size() != 2 || l.pads.size() != 4)
      return error("node '" + l.name + "' (Conv): strides, dilations and "
                   "pads must describe two spatial dimensions");
    if (l.groups < 1)
      return error("node '" + l.name + "' (Conv): group must be >= 1");
    layers.push_back(std::move(l));
  }
  return layers;
}

} // namespace cgnet::onnx_import
