//===- FoldConstants.cpp - ONNX shape computations evaluated at import ----===//

#include "FoldConstants.h"
#include "cgnet/Target/ONNX/ONNXModel.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FormatVariadic.h"
#include <cmath>
#include <cstdio>

using namespace llvm;

namespace cgnet::onnx_import {
namespace {

/// A constant being folded: row-major values with their shape and type.
struct Value {
  std::vector<int64_t> dims;
  std::vector<double> data;
  int32_t type = onnx::TensorProto::INT64;
};

int64_t count(const std::vector<int64_t> &dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  return n;
}

/// A number as %g prints it (9, 1.5, 7e+31).
std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", v);
  return buf;
}

Error fail(const Twine &msg) {
  return createStringError(inconvertibleErrorCode(), msg.str());
}

const onnx::AttributeProto *findAttr(const onnx::NodeProto &n,
                                     StringRef name) {
  for (const onnx::AttributeProto &a : n.attribute())
    if (a.name() == name)
      return &a;
  return nullptr;
}

std::optional<std::vector<int64_t>> intsAttr(const onnx::NodeProto &n,
                                             StringRef name) {
  const onnx::AttributeProto *a = findAttr(n, name);
  if (!a)
    return std::nullopt;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

bool isIntegerType(int32_t t) {
  switch (t) {
  case onnx::TensorProto::INT8:
  case onnx::TensorProto::UINT8:
  case onnx::TensorProto::INT16:
  case onnx::TensorProto::UINT16:
  case onnx::TensorProto::INT32:
  case onnx::TensorProto::UINT32:
  case onnx::TensorProto::INT64:
  case onnx::TensorProto::UINT64:
  case onnx::TensorProto::BOOL:
    return true;
  default:
    return false;
  }
}

/// The values of `value` converted to ONNX type `to` (Cast).
std::optional<double> castTo(double v, int32_t to) {
  switch (to) {
  case onnx::TensorProto::FLOAT:
    return double(static_cast<float>(v));
  case onnx::TensorProto::DOUBLE:
    return v;
  case onnx::TensorProto::BOOL:
    return v != 0 ? 1.0 : 0.0;
  default:
    if (!isIntegerType(to))
      return std::nullopt;
    return std::trunc(v);
  }
}

class Folder {
public:
  Folder(const onnx::NodeProto &n, const FoldContext &ctx) : n(n), ctx(ctx) {}

  Expected<Value> run();

private:
  /// Input `i` as a constant.
  Expected<Value> operand(int i) {
    if (i >= n.input_size() || n.input(i).empty())
      return fail(formatv("missing input #{0}", i));
    const onnx::TensorProto *t = ctx.constant(n.input(i));
    if (!t)
      return fail(formatv("input #{0} ('{1}') is computed at run time; "
                             "{2} is imported only where it computes a "
                             "constant (a shape)",
                             i, n.input(i), n.op_type()));
    auto values = tensorValues(*t);
    if (!values)
      return fail(formatv("constant '{0}' cannot be read (ONNX type {1})",
                             t->name(), t->data_type()));
    return Value{std::vector<int64_t>(t->dims().begin(), t->dims().end()),
                 std::move(*values), t->data_type()};
  }
  /// Integers from input `i` (when `i` >= 0 and present), else from
  /// attribute `name` (when not empty).
  Expected<std::optional<std::vector<int64_t>>> ints(int i, StringRef name) {
    if (i >= 0 && i < n.input_size() && !n.input(i).empty()) {
      auto v = operand(i);
      if (!v)
        return v.takeError();
      std::vector<int64_t> out;
      for (double x : v->data) {
        std::optional<int64_t> iv = toInt64(x);
        if (!iv)
          return fail(formatv("input #{0} holds {1}, not an integer in "
                                 "int64's range",
                                 i, num(x)));
        out.push_back(*iv);
      }
      return std::optional<std::vector<int64_t>>(std::move(out));
    }
    if (name.empty())
      return std::optional<std::vector<int64_t>>();
    return intsAttr(n, name);
  }
  Expected<int64_t> axisIn(int64_t axis, int64_t rank) {
    if (axis < 0)
      axis += rank;
    if (axis < 0 || axis >= std::max<int64_t>(rank, 1))
      return fail(formatv("axis {0} is out of range for rank {1}", axis,
                             rank));
    return axis;
  }

  Expected<Value> shape();
  Expected<Value> cast();
  Expected<Value> slice();
  Expected<Value> concat();
  Expected<Value> gather();
  Expected<Value> unsqueeze(bool squeeze);

  const onnx::NodeProto &n;
  const FoldContext &ctx;
};

Expected<Value> Folder::shape() {
  if (n.input_size() < 1)
    return fail("missing input #0");
  auto dims = ctx.shape(n.input(0));
  if (!dims)
    return fail(formatv("the shape of '{0}' is not known", n.input(0)));
  int64_t rank = dims->size();
  int64_t start = findAttr(n, "start") ? findAttr(n, "start")->i() : 0;
  int64_t end = findAttr(n, "end") ? findAttr(n, "end")->i() : rank;
  if (start < 0)
    start += rank;
  if (end < 0)
    end += rank;
  start = std::clamp<int64_t>(start, 0, rank);
  end = std::clamp<int64_t>(end, start, rank);
  Value v;
  v.data.assign(dims->begin() + start, dims->begin() + end);
  v.dims = {end - start};
  return v;
}

Expected<Value> Folder::cast() {
  auto v = operand(0);
  if (!v)
    return v.takeError();
  const onnx::AttributeProto *to = findAttr(n, "to");
  if (!to)
    return fail("the 'to' attribute is missing");
  for (double &x : v->data) {
    auto c = castTo(x, static_cast<int32_t>(to->i()));
    if (!c)
      return fail(formatv("casts to ONNX type {0} are not folded", to->i()));
    x = *c;
  }
  v->type = static_cast<int32_t>(to->i());
  return v;
}

Expected<Value> Folder::slice() {
  auto v = operand(0);
  if (!v)
    return v.takeError();
  // Opset 10 moved starts/ends/axes (and added steps) to inputs.
  bool fromInputs = ctx.opset >= 10;
  auto starts = fromInputs ? ints(1, "") : ints(-1, "starts");
  auto ends = fromInputs ? ints(2, "") : ints(-1, "ends");
  auto axesOr = fromInputs ? ints(3, "") : ints(-1, "axes");
  auto stepsOr = fromInputs ? ints(4, "") : ints(-1, "steps");
  if (!starts)
    return starts.takeError();
  if (!ends)
    return ends.takeError();
  if (!axesOr)
    return axesOr.takeError();
  if (!stepsOr)
    return stepsOr.takeError();
  if (!*starts || !*ends || (*starts)->size() != (*ends)->size())
    return fail("starts and ends must be given, one of each per axis");
  int64_t rank = v->dims.size();
  std::vector<int64_t> axes, steps((*starts)->size(), 1);
  if (*axesOr)
    axes = **axesOr;
  else
    for (size_t i = 0; i < (*starts)->size(); ++i)
      axes.push_back(i);
  if (*stepsOr)
    steps = **stepsOr;
  if (axes.size() != (*starts)->size() || steps.size() != axes.size())
    return fail("axes and steps must have one value per start");
  std::vector<int64_t> lo(rank, 0), step(rank, 1), outDims = v->dims;
  for (size_t i = 0; i < axes.size(); ++i) {
    auto axis = axisIn(axes[i], rank);
    if (!axis)
      return axis.takeError();
    int64_t dim = v->dims[*axis], s = steps[i];
    if (s == 0)
      return fail("a step of 0");
    // A step longer than the dimension takes one element: bound it so the
    // arithmetic below cannot overflow.
    s = std::clamp<int64_t>(s, -(dim + 1), dim + 1);
    int64_t b = (**starts)[i], e = (**ends)[i];
    if (b < 0)
      b += dim;
    if (e < 0)
      e += dim;
    if (s > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      outDims[*axis] = e > b ? (e - b - 1) / s + 1 : 0;
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      outDims[*axis] = b > e ? (b - e - 1) / -s + 1 : 0;
    }
    lo[*axis] = b;
    step[*axis] = s;
  }
  Value out;
  out.dims = outDims;
  out.type = v->type;
  int64_t total = count(outDims);
  std::vector<int64_t> idx(rank, 0);
  for (int64_t e = 0; e < total; ++e) {
    int64_t rem = e, src = 0, stride = 1;
    for (int64_t d = rank - 1; d >= 0; --d) {
      idx[d] = rem % outDims[d];
      rem /= outDims[d];
    }
    for (int64_t d = rank - 1; d >= 0; --d) {
      src += (lo[d] + idx[d] * step[d]) * stride;
      stride *= v->dims[d];
    }
    out.data.push_back(v->data[src]);
  }
  return out;
}

Expected<Value> Folder::concat() {
  std::vector<Value> ins;
  for (int i = 0; i < n.input_size(); ++i) {
    auto v = operand(i);
    if (!v)
      return v.takeError();
    ins.push_back(std::move(*v));
  }
  if (ins.empty())
    return fail("needs at least one input");
  const onnx::AttributeProto *a = findAttr(n, "axis");
  if (!a)
    return fail("the 'axis' attribute is missing");
  int64_t rank = ins[0].dims.size();
  auto axis = axisIn(a->i(), rank);
  if (!axis)
    return axis.takeError();
  Value out = ins[0];
  out.dims[*axis] = 0;
  for (const Value &v : ins) {
    if (static_cast<int64_t>(v.dims.size()) != rank)
      return fail("inputs differ in rank");
    out.dims[*axis] += v.dims[*axis];
  }
  int64_t outer = 1;
  for (int64_t d = 0; d < *axis; ++d)
    outer *= out.dims[d];
  out.data.clear();
  for (int64_t o = 0; o < outer; ++o)
    for (const Value &v : ins) {
      int64_t chunk = count(v.dims) / std::max<int64_t>(outer, 1);
      out.data.insert(out.data.end(), v.data.begin() + o * chunk,
                      v.data.begin() + (o + 1) * chunk);
    }
  return out;
}

Expected<Value> Folder::gather() {
  auto data = operand(0);
  if (!data)
    return data.takeError();
  auto indices = operand(1);
  if (!indices)
    return indices.takeError();
  int64_t rank = data->dims.size();
  const onnx::AttributeProto *a = findAttr(n, "axis");
  auto axis = axisIn(a ? a->i() : 0, rank);
  if (!axis)
    return axis.takeError();
  int64_t outer = 1, inner = 1, dim = data->dims[*axis];
  for (int64_t d = 0; d < *axis; ++d)
    outer *= data->dims[d];
  for (int64_t d = *axis + 1; d < rank; ++d)
    inner *= data->dims[d];
  Value out;
  out.type = data->type;
  out.dims.assign(data->dims.begin(), data->dims.begin() + *axis);
  out.dims.insert(out.dims.end(), indices->dims.begin(), indices->dims.end());
  out.dims.insert(out.dims.end(), data->dims.begin() + *axis + 1,
                  data->dims.end());
  for (int64_t o = 0; o < outer; ++o)
    for (double id : indices->data) {
      int64_t i = toInt64(id).value_or(INT64_MIN);
      if (i < 0 && i != INT64_MIN)
        i += dim;
      if (i < 0 || i >= dim)
        return fail(formatv("index {0} is out of range for dimension {1}",
                               num(id), dim));
      for (int64_t k = 0; k < inner; ++k)
        out.data.push_back(data->data[(o * dim + i) * inner + k]);
    }
  return out;
}

Expected<Value> Folder::unsqueeze(bool squeeze) {
  auto v = operand(0);
  if (!v)
    return v.takeError();
  // Opset 13 moved axes to an input.
  auto axesOr = ctx.opset >= 13 ? ints(1, "") : ints(-1, "axes");
  if (!axesOr)
    return axesOr.takeError();
  std::vector<int64_t> axes = axesOr->value_or(std::vector<int64_t>{});
  int64_t rank = v->dims.size();
  if (squeeze) {
    std::vector<bool> drop(rank, axes.empty());
    for (int64_t a : axes) {
      auto axis = axisIn(a, rank);
      if (!axis)
        return axis.takeError();
      if (v->dims[*axis] != 1)
        return fail(formatv("dimension {0} has size {1}, not 1", *axis,
                               v->dims[*axis]));
      drop[*axis] = true;
    }
    std::vector<int64_t> dims;
    for (int64_t d = 0; d < rank; ++d)
      if (!drop[d] || v->dims[d] != 1)
        dims.push_back(v->dims[d]);
    v->dims = dims;
    return v;
  }
  if (axes.empty())
    return fail("axes must be given");
  int64_t outRank = rank + static_cast<int64_t>(axes.size());
  std::vector<bool> isNew(outRank, false);
  for (int64_t a : axes) {
    auto axis = axisIn(a, outRank);
    if (!axis)
      return axis.takeError();
    isNew[*axis] = true;
  }
  std::vector<int64_t> dims;
  size_t next = 0;
  for (int64_t d = 0; d < outRank; ++d)
    dims.push_back(isNew[d] ? 1 : v->dims[next++]);
  v->dims = dims;
  return v;
}

Expected<Value> Folder::run() {
  StringRef op = n.op_type();
  if (op == "Shape")
    return shape();
  if (op == "Cast")
    return cast();
  if (op == "Slice")
    return slice();
  if (op == "Concat")
    return concat();
  if (op == "Gather")
    return gather();
  if (op == "Unsqueeze" || op == "Squeeze")
    return unsqueeze(op == "Squeeze");
  return fail("not a shape computation");
}

} // namespace

bool isShapeOp(StringRef opType) {
  static const StringSet<> ops = {"Shape",  "Cast",      "Slice",  "Concat",
                                  "Gather", "Unsqueeze", "Squeeze"};
  return ops.contains(opType);
}

Expected<onnx::TensorProto> foldConstantNode(const onnx::NodeProto &n,
                                             const FoldContext &ctx) {
  auto v = Folder(n, ctx).run();
  if (!v)
    return v.takeError();
  onnx::TensorProto t;
  t.set_name(n.output(0));
  t.set_data_type(v->type);
  for (int64_t d : v->dims)
    t.add_dims(d);
  for (double x : v->data) {
    switch (v->type) {
    case onnx::TensorProto::FLOAT:
      t.add_float_data(static_cast<float>(x));
      break;
    case onnx::TensorProto::DOUBLE:
      t.add_double_data(x);
      break;
    case onnx::TensorProto::INT64: {
      std::optional<int64_t> iv = toInt64(x);
      if (!iv)
        return createStringError(inconvertibleErrorCode(),
                                 formatv("{0} does not fit in int64", num(x))
                                     .str());
      t.add_int64_data(*iv);
      break;
    }
    default:
      if (!isIntegerType(v->type) || v->type == onnx::TensorProto::UINT32 ||
          v->type == onnx::TensorProto::UINT64)
        return createStringError(inconvertibleErrorCode(),
                                 formatv("constants of ONNX type {0} are not "
                                         "folded",
                                         v->type)
                                     .str());
      if (!(x >= INT32_MIN && x <= INT32_MAX))
        return createStringError(inconvertibleErrorCode(),
                                 formatv("{0} does not fit in ONNX type {1}",
                                         num(x), v->type)
                                     .str());
      t.add_int32_data(static_cast<int32_t>(x));
    }
  }
  return t;
}

} // namespace cgnet::onnx_import
