//===- cgnet-model-gen.cpp - seeded float cgnet models ---------------------===//
//
// Writes float cgnet models with seeded random weights (He-normal weights,
// small biases) as MLIR text with dense resources, for the accelerator
// and CPU tests and benchmarks:
//   resnet18  ResNet-18 with batch norm folded: --input-size=224 gives the
//             ImageNet network (7x7/2 stem, 3x3/2 max pool), 32 the CIFAR
//             one (3x3 stem, no pool); --classes sets the classifier.
//   zoo       a small network with one of every layer the accelerator runs:
//             strided, padded, dilated, depthwise and grouped convolutions,
//             max and average pooling with padding, clamp, add, global
//             pooling, reshape and a fully connected layer, batch 2.
//   kernels   convolutions that take each of the CPU backend's loop nests
//             (--convert-cgnet-to-cpu): unit-stride on large planes (3x3,
//             dilated, 5x5), strided on large planes (7x7, grouped 3x3),
//             and small planes (strided 1x1, 3x3, 5x5), batch 2.
// The same seed gives the same bytes.
//
//===----------------------------------------------------------------------===//

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace llvm;

namespace {
cl::OptionCategory category("cgnet-model-gen options");
cl::opt<std::string> model(cl::Positional, cl::desc("<resnet18|zoo|kernels>"),
                           cl::Required, cl::cat(category));
cl::opt<int> inputSize("input-size", cl::desc("resnet18: 224 or 32"),
                       cl::init(224), cl::cat(category));
cl::opt<int> classes("classes", cl::desc("resnet18: classifier outputs"),
                     cl::init(1000), cl::cat(category));
cl::opt<int> batch("batch", cl::desc("resnet18: images per inference"),
                   cl::init(1), cl::cat(category));
cl::opt<std::string> onlyLayer(
    "layer",
    cl::desc("resnet18: only this convolution (e.g. layer4.0.conv2), with "
             "the weights it has in the whole network, as a model of its "
             "own whose input is the layer's (through a ReLU, as in the "
             "network, except conv1's; benchmarks time layers alone)"),
    cl::value_desc("name"), cl::cat(category));
cl::opt<unsigned> seed("seed", cl::desc("Weight seed"), cl::init(1),
                       cl::cat(category));
cl::opt<std::string> outputFile("o", cl::desc("Output file"), cl::init("-"),
                                cl::cat(category));

using Shape = std::vector<int64_t>;

std::string typeOf(const Shape &s) {
  std::string t = "tensor<";
  for (int64_t d : s)
    t += std::to_string(d) + "x";
  return t + "f32>";
}

/// Emits the body of one function; resources are collected and printed at
/// the end of the file.
class Gen {
public:
  explicit Gen(unsigned seed, std::string only = "")
      : only(std::move(only)), emitting(this->only.empty()), rng(seed) {}

  /// With a layer to keep (`only`): whether it was found, its input and
  /// output shapes and its value.
  bool found = false;
  Shape onlyIn, onlyOut;
  std::string onlyValue;

  std::string constant(const Shape &shape, double stddev, bool uniform) {
    int64_t n = 1;
    for (int64_t d : shape)
      n *= d;
    std::vector<float> v(n);
    for (float &x : v)
      x = static_cast<float>(uniform ? (unit() * 2 - 1) * stddev
                                     : gaussian() * stddev);
    // Drawn either way, so that the weights after it stay the same.
    if (!emitting)
      return "%unused";
    std::string name = "w" + std::to_string(resources.size());
    std::string hex = "0x04000000";
    const uint8_t *bytes = reinterpret_cast<const uint8_t *>(v.data());
    hex += llvm::toHex(ArrayRef<uint8_t>(bytes, v.size() * 4));
    resources.push_back({name, hex});
    std::string val = fresh();
    body += "  " + val + " = arith.constant dense_resource<" + name + "> : " +
            typeOf(shape) + "\n";
    return val;
  }

  /// conv + bias; returns the value and sets `out` to its shape.
  std::string conv(const std::string &x, const Shape &in, int64_t o,
                   int64_t k, int64_t stride, int64_t pad, Shape &out,
                   int64_t groups = 1, int64_t dilation = 1,
                   const std::string &name = "") {
    int64_t ig = in[1] / groups;
    // Only one layer kept: it alone is emitted, reading the argument,
    // through a ReLU where the network's input to it is not the argument
    // (in ResNet-18 a ReLU's output, or the max pooling of one): the
    // layer then sees the range of values it sees in the network (0 and
    // up), which the CPU backend's kernels can depend on (dot4-7bit).
    bool kept = !only.empty() && name == only;
    std::string input = kept ? "%x" : x;
    if (kept) {
      emitting = true;
      if (x != "%x") {
        input = "%relu_x";
        body += "  %relu_x = cgnet.relu %x : " + typeOf(in) + "\n";
      }
    }
    std::string w = constant({o, ig, k, k}, std::sqrt(2.0 / (ig * k * k)),
                             false);
    std::string b = constant({o}, 0.05, true);
    int64_t span = dilation * (k - 1) + 1;
    out = {in[0], o, (in[2] + 2 * pad - span) / stride + 1,
           (in[3] + 2 * pad - span) / stride + 1};
    if (!emitting)
      return "%unused";
    std::string v = fresh();
    body += "  " + v + " = cgnet.conv2d " + input + ", " + w + ", " + b + " {";
    body += "strides = array<i64: " + std::to_string(stride) + ", " +
            std::to_string(stride) + ">, padding = array<i64: " +
            std::to_string(pad) + ", " + std::to_string(pad) + ", " +
            std::to_string(pad) + ", " + std::to_string(pad) + ">";
    if (dilation != 1)
      body += ", dilations = array<i64: " + std::to_string(dilation) + ", " +
              std::to_string(dilation) + ">";
    if (groups != 1)
      body += ", groups = " + std::to_string(groups) + " : i64";
    body += "} : (" + typeOf(in) + ", " + typeOf({o, ig, k, k}) + ", " +
            typeOf({o}) + ") -> " + typeOf(out) + loc(name) + "\n";
    if (kept) {
      found = true;
      onlyIn = in;
      onlyOut = out;
      onlyValue = v;
      emitting = false;
    }
    return v;
  }

  std::string unary(const std::string &op, const std::string &x,
                    const Shape &s, const std::string &attrs = "") {
    if (!emitting)
      return "%unused";
    std::string v = fresh();
    body += "  " + v + " = cgnet." + op + " " + x + attrs + " : " + typeOf(s) +
            "\n";
    return v;
  }

  std::string pool(const std::string &op, const std::string &x,
                   const Shape &in, int64_t k, int64_t s,
                   const std::string &pad, Shape &out, int64_t padT,
                   int64_t padB, const std::string &extra = "") {
    out = {in[0], in[1], (in[2] + padT + padB - k) / s + 1,
           (in[3] + padT + padB - k) / s + 1};
    if (!emitting)
      return "%unused";
    std::string v = fresh();
    body += "  " + v + " = cgnet." + op + " " + x + " {kernel = array<i64: " +
            std::to_string(k) + ", " + std::to_string(k) +
            ">, strides = array<i64: " + std::to_string(s) + ", " +
            std::to_string(s) + ">, padding = array<i64: " + pad + ">" +
            extra + "} : (" + typeOf(in) + ") -> " + typeOf(out) + "\n";
    return v;
  }

  std::string add(const std::string &a, const std::string &b,
                  const Shape &s) {
    if (!emitting)
      return "%unused";
    std::string v = fresh();
    body += "  " + v + " = cgnet.add " + a + ", " + b + " : " + typeOf(s) +
            "\n";
    return v;
  }

  std::string head(const std::string &x, const Shape &in, int64_t n) {
    if (!emitting)
      return "%unused";
    Shape g{in[0], in[1], 1, 1};
    std::string v = fresh();
    body += "  " + v + " = cgnet.global_avg_pool " + x + " : (" + typeOf(in) +
            ") -> " + typeOf(g) + "\n";
    std::string r = fresh();
    body += "  " + r + " = cgnet.reshape " + v + " : (" + typeOf(g) + ") -> " +
            typeOf({in[0], in[1]}) + "\n";
    std::string w = constant({n, in[1]}, std::sqrt(1.0 / in[1]), false);
    std::string b = constant({n}, 0.05, true);
    std::string y = fresh();
    body += "  " + y + " = cgnet.fully_connected " + r + ", " + w + ", " + b +
            " : (" + typeOf({in[0], in[1]}) + ", " + typeOf({n, in[1]}) +
            ", " + typeOf({n}) + ") -> " + typeOf({in[0], n}) + "\n";
    return y;
  }

  void print(raw_ostream &os, const std::string &comment, const Shape &in,
             const Shape &out, const std::string &result) {
    os << comment << "func.func @main(%x: " << typeOf(in) << ") -> "
       << typeOf(out) << " {\n"
       << body << "  return " << result << " : " << typeOf(out) << "\n}\n";
    os << "{-#\n  dialect_resources: {\n    builtin: {\n";
    for (size_t i = 0; i < resources.size(); ++i)
      os << "      " << resources[i].first << ": \"" << resources[i].second
         << "\"" << (i + 1 < resources.size() ? "," : "") << "\n";
    os << "    }\n  }\n#-}\n";
  }

private:
  std::string only;
  bool emitting;
  std::string fresh() { return "%v" + std::to_string(next++); }
  static std::string loc(const std::string &name) {
    return name.empty() ? "" : " loc(\"" + name + "\")";
  }
  double unit() { return (rng() + 0.5) / 4294967296.0; }
  double gaussian() { // Box-Muller: the same numbers with any C++ library
    double u = unit(), v = unit();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * M_PI * v);
  }
  std::mt19937 rng;
  int next = 0;
  std::string body;
  std::vector<std::pair<std::string, std::string>> resources;
};

bool resnet18(raw_ostream &os) {
  Gen g(seed, onlyLayer);
  bool imagenet = inputSize >= 64;
  Shape s{batch, 3, inputSize, inputSize}, t;
  std::string x = imagenet ? g.conv("%x", s, 64, 7, 2, 3, t, 1, 1, "conv1")
                           : g.conv("%x", s, 64, 3, 1, 1, t, 1, 1, "conv1");
  x = g.unary("relu", x, t);
  s = t;
  if (imagenet) {
    x = g.pool("max_pool2d", x, s, 3, 2, "1, 1, 1, 1", t, 1, 1);
    s = t;
  }
  int64_t widths[] = {64, 128, 256, 512};
  for (int stage = 0; stage < 4; ++stage)
    for (int block = 0; block < 2; ++block) {
      int64_t stride = stage > 0 && block == 0 ? 2 : 1, w = widths[stage];
      std::string name = "layer" + std::to_string(stage + 1) + "." +
                         std::to_string(block);
      Shape a, b, sc = s;
      std::string y = g.conv(x, s, w, 3, stride, 1, a, 1, 1, name + ".conv1");
      y = g.unary("relu", y, a);
      y = g.conv(y, a, w, 3, 1, 1, b, 1, 1, name + ".conv2");
      std::string shortcut = x;
      if (stride != 1 || s[1] != w)
        shortcut = g.conv(x, s, w, 1, stride, 0, sc, 1, 1,
                          name + ".downsample");
      x = g.unary("relu", g.add(y, shortcut, b), b);
      s = b;
    }
  std::string y = g.head(x, s, classes);
  std::string shapes = imagenet ? "ImageNet" : "CIFAR";
  if (!onlyLayer.empty()) {
    if (!g.found)
      return false;
    g.print(os,
            "// " + onlyLayer + " of ResNet-18 (" + shapes +
                " shapes), alone: cgnet-model-gen resnet18 --input-size=" +
                std::to_string(inputSize) + " --classes=" +
                std::to_string(classes) + " --seed=" + std::to_string(seed) +
                " --layer=" + onlyLayer + "\n",
            g.onlyIn, g.onlyOut, g.onlyValue);
    return true;
  }
  g.print(os,
          "// ResNet-18 (" + shapes +
              " shapes), batch norm folded, seeded random weights: "
              "cgnet-model-gen resnet18 --input-size=" +
              std::to_string(inputSize) + " --classes=" +
              std::to_string(classes) + " --batch=" + std::to_string(batch) +
              " --seed=" + std::to_string(seed) + "\n",
          {batch, 3, inputSize, inputSize}, {batch, classes}, y);
  return true;
}

void zoo(raw_ostream &os) {
  Gen g(seed);
  Shape s{2, 3, 12, 12}, a, b, c, d, e, f;
  std::string x = g.unary("relu", g.conv("%x", s, 8, 3, 1, 1, a, 1, 1, "c1"), a);
  x = g.pool("max_pool2d", x, a, 3, 2, "1, 1, 1, 1", b, 1, 1);
  x = g.unary("relu", g.conv(x, b, 8, 3, 1, 2, c, 8, 2, "depthwise"), c);
  std::string c3 = g.conv(x, c, 16, 3, 2, 1, d, 2, 1, "grouped");
  c3 = g.unary("clamp", c3, d, " {min_fp = 0.0 : f32, max_fp = 6.0 : f32}");
  std::string c4 = g.conv(c3, d, 16, 1, 1, 0, e, 1, 1, "pointwise");
  x = g.unary("relu", g.add(c4, c3, e), e);
  x = g.pool("avg_pool2d", x, e, 2, 1, "1, 1, 0, 0", f, 1, 0,
             ", count_include_pad = true");
  x = g.pool("avg_pool2d", x, f, 2, 1, "0, 0, 1, 1", e, 0, 1);
  std::string y = g.head(x, e, 5);
  g.print(os,
          "// One of every layer the accelerator runs, batch 2, seeded random "
          "weights: cgnet-model-gen zoo --seed=" +
              std::to_string(seed) + "\n",
          {2, 3, 12, 12}, {2, 5}, y);
}
void kernels(raw_ostream &os) {
  Gen g(seed);
  Shape s{2, 4, 64, 64}, a, b, c, d, e, f, h, i;
  auto relu = [&](const std::string &v, const Shape &sh) {
    return g.unary("relu", v, sh);
  };
  std::string x = relu(g.conv("%x", s, 8, 3, 1, 1, a, 1, 1, "wide"), a);
  x = relu(g.conv(x, a, 8, 7, 2, 3, b, 1, 1, "large-strided"), b);
  x = relu(g.conv(x, b, 8, 5, 1, 2, c, 1, 1, "large-wide"), c);
  x = relu(g.conv(x, c, 16, 3, 2, 1, d, 2, 1, "strided"), d);
  x = relu(g.conv(x, d, 16, 3, 1, 2, e, 1, 2, "dilated"), e);
  x = relu(g.conv(x, e, 24, 1, 2, 0, f, 1, 1, "small-strided"), f);
  x = relu(g.conv(x, f, 32, 3, 1, 1, h, 1, 1, "small"), h);
  x = relu(g.conv(x, h, 32, 5, 1, 2, i, 1, 1, "large-small"), i);
  std::string y = g.head(x, i, 5);
  g.print(os,
          "// Every loop nest of the CPU backend's convolutions, batch 2, "
          "seeded random weights: cgnet-model-gen kernels --seed=" +
              std::to_string(seed) + "\n",
          {2, 4, 64, 64}, {2, 5}, y);
}
} // namespace

int main(int argc, char **argv) {
  InitLLVM y(argc, argv);
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "cgnet-model-gen: float cgnet models with "
                              "seeded random weights\n");
  std::error_code ec;
  ToolOutputFile out(outputFile, ec, sys::fs::OF_Text);
  if (ec) {
    errs() << "cgnet-model-gen: error: cannot write '" << outputFile
           << "': " << ec.message() << "\n";
    return 1;
  }
  if (!onlyLayer.empty() && model != "resnet18") {
    errs() << "cgnet-model-gen: error: --layer needs resnet18\n";
    return 1;
  }
  if (model == "resnet18") {
    if (inputSize != 224 && inputSize != 32) {
      errs() << "cgnet-model-gen: error: --input-size must be 224 or 32\n";
      return 1;
    }
    if (batch < 1) {
      errs() << "cgnet-model-gen: error: --batch must be at least 1\n";
      return 1;
    }
    if (!resnet18(out.os())) {
      errs() << "cgnet-model-gen: error: ResNet-18 has no convolution named '"
             << onlyLayer << "' (conv1, layer1.0.conv1 ... layer4.1.conv2, "
             << "layerN.0.downsample)\n";
      return 1;
    }
  } else if (model == "zoo") {
    zoo(out.os());
  } else if (model == "kernels") {
    kernels(out.os());
  } else {
    errs() << "cgnet-model-gen: error: unknown model '" << model
           << "' (resnet18, zoo or kernels)\n";
    return 1;
  }
  out.keep();
  return 0;
}
