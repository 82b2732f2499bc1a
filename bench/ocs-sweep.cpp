//===- ocs-sweep.cpp - OCS x clipping x bits on real models ---------------===//
//
// The OCS paper's sweep (Table 1's axes) on real convolution weights:
// weight bits {4,5,6,8} x clip {none,mse,aciq,kl} x expand ratio
// {0,0.01,0.02,0.05}, per-tensor symmetric weights as the reference code
// does them (lib/Quant: the same functions --cgnet-ocs and --cgnet-quantize
// use). For every ungrouped convolution with more than 3 input channels:
//  - weight MSE of the quantized (split, then merged back) weight against
//    the float weight, averaged over layers;
//  - output SQNR of the layer with 8-bit activations (clip at max|x|, as
//    the reference's act-clip-threshold 1.0) against the float layer, on a
//    deterministic random post-ReLU input, evaluated as a stride-1 "same"
//    convolution on 8x8 (OCS does not interact with the geometry); the
//    mean over layers in dB.
// The ratio-0 column is the baseline without OCS, run side by side.
//
// Usage: cgnet-bench-ocs model.onnx [model.onnx ...] [--json out.json]
//
//===----------------------------------------------------------------------===//

#include "cgnet/Quant/ChannelSplit.h"
#include "cgnet/Quant/Clip.h"
#include "cgnet/Target/ONNX/ONNXModel.h"

#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <cmath>
#include <random>

using namespace cgnet;
using namespace cgnet::quant;

namespace {

constexpr int kSize = 8; // spatial size of the probe input

/// y[o, p] = sum_c,t w[o, c, t] * x[c, p + t] for a stride-1 "same"
/// convolution on kSize x kSize.
std::vector<double> conv(const std::vector<double> &w, WeightShape s,
                         int64_t kh, int64_t kw, const std::vector<double> &x) {
  std::vector<double> y(s.out * kSize * kSize, 0.0);
  int64_t ph = kh / 2, pw = kw / 2;
  for (int64_t o = 0; o < s.out; ++o)
    for (int64_t c = 0; c < s.in; ++c)
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          double wv = w[((o * s.in + c) * kh + ky) * kw + kx];
          if (wv == 0)
            continue;
          for (int64_t y0 = 0; y0 < kSize; ++y0) {
            int64_t iy = y0 + ky - ph;
            if (iy < 0 || iy >= kSize)
              continue;
            for (int64_t x0 = 0; x0 < kSize; ++x0) {
              int64_t ix = x0 + kx - pw;
              if (ix < 0 || ix >= kSize)
                continue;
              y[(o * kSize + y0) * kSize + x0] +=
                  wv * x[(c * kSize + iy) * kSize + ix];
            }
          }
        }
  return y;
}

struct Cell {
  double mse = 0, sqnrDb = 0, overhead = 0;
  int layers = 0;
};

/// One configuration on one layer: the quantized weight merged back onto
/// the original channels.
std::vector<double> quantizeLayer(const onnx_import::ConvLayer &l,
                                  unsigned bits, ClipMethod method,
                                  double ratio, int64_t &splits) {
  const auto &sh = l.weight.shape;
  WeightShape s{sh[0], sh[1], sh[2] * sh[3]};
  splits = numSplits(ratio, s.in);
  GridAwareSplit g = splitForQuantization(l.weight.data, s, splits, 0.0, bits,
                                          /*perChannel=*/false, method, 1.0);
  const SplitWeights &split = g.split;
  double step = g.steps[0];
  std::vector<double> deq(split.weight.size());
  for (size_t e = 0; e < deq.size(); ++e)
    deq[e] = quantizeSymmetric(split.weight[e], step, bits) * step;
  return mergeSplits(deq, s, split.copied);
}

} // namespace

int main(int argc, char **argv) {
  std::vector<std::string> models;
  std::string jsonPath;
  for (int a = 1; a < argc; ++a) {
    std::string arg = argv[a];
    if (arg == "--json" && a + 1 < argc)
      jsonPath = argv[++a];
    else
      models.push_back(arg);
  }
  if (models.empty()) {
    llvm::errs() << "usage: cgnet-bench-ocs model.onnx [...] [--json out.json]\n";
    return 1;
  }
  const unsigned bitsList[] = {4, 5, 6, 8};
  const ClipMethod clips[] = {ClipMethod::None, ClipMethod::MSE,
                              ClipMethod::ACIQ, ClipMethod::KL};
  const double ratios[] = {0.0, 0.01, 0.02, 0.05};
  llvm::json::Array results;

  for (const std::string &path : models) {
    auto buf = llvm::MemoryBuffer::getFile(path);
    if (!buf) {
      llvm::errs() << "cgnet-bench-ocs: cannot read " << path << "\n";
      return 1;
    }
    auto model = onnx_import::parseModel((*buf)->getBuffer(), path);
    if (!model) {
      llvm::errs() << "cgnet-bench-ocs: " << llvm::toString(model.takeError())
                   << "\n";
      return 1;
    }
    auto layersOr = (*model)->convLayers();
    if (!layersOr) {
      llvm::errs() << "cgnet-bench-ocs: "
                   << llvm::toString(layersOr.takeError()) << "\n";
      return 1;
    }
    std::vector<onnx_import::ConvLayer> layers;
    for (auto &l : *layersOr)
      if (l.groups == 1 && l.weight.shape[1] > 3)
        layers.push_back(std::move(l));
    llvm::outs() << "\n## " << path.substr(path.find_last_of('/') + 1) << " ("
                 << layers.size() << " convolutions)\n";

    // Per layer: the probe input (8-bit quantized as the reference does),
    // and the float output.
    std::mt19937 rng(7);
    std::normal_distribution<double> gauss(0.0, 1.0);
    std::vector<std::vector<double>> xs, xqs, refs;
    for (const auto &l : layers) {
      const auto &sh = l.weight.shape;
      std::vector<double> x(sh[1] * kSize * kSize);
      for (double &v : x)
        v = std::max(0.0, gauss(rng));
      double amax = 0;
      for (double v : x)
        amax = std::max(amax, v);
      double step = symmetricStep(amax, 8);
      std::vector<double> xq(x.size());
      for (size_t e = 0; e < x.size(); ++e)
        xq[e] = quantizeSymmetric(x[e], step, 8) * step;
      std::vector<double> w(l.weight.data.begin(), l.weight.data.end());
      refs.push_back(conv(w, {sh[0], sh[1], sh[2] * sh[3]}, sh[2], sh[3], x));
      xs.push_back(std::move(x));
      xqs.push_back(std::move(xq));
    }

    for (unsigned bits : bitsList) {
      llvm::outs() << llvm::formatv(
          "\n{0}-bit weights, 8-bit activations: weight MSE (x1e-6) / mean "
          "layer output SQNR (dB)\n\n| clip | ",
          bits);
      for (double r : ratios)
        llvm::outs() << llvm::formatv("OCS {0:P0} | ", r);
      llvm::outs() << "\n|---|";
      for (size_t k = 0; k < std::size(ratios); ++k)
        llvm::outs() << "---|";
      llvm::outs() << "\n";
      for (ClipMethod method : clips) {
        llvm::outs() << "| " << clipMethodName(method) << " | ";
        for (double ratio : ratios) {
          Cell cell;
          for (size_t li = 0; li < layers.size(); ++li) {
            const auto &l = layers[li];
            const auto &sh = l.weight.shape;
            int64_t splits = 0;
            std::vector<double> wq =
                quantizeLayer(l, bits, method, ratio, splits);
            std::vector<double> w(l.weight.data.begin(), l.weight.data.end());
            cell.mse += compareSignals(w, wq).mse;
            std::vector<double> y = conv(wq, {sh[0], sh[1], sh[2] * sh[3]},
                                         sh[2], sh[3], xqs[li]);
            cell.sqnrDb += compareSignals(refs[li], y).sqnr;
            cell.overhead += double(splits) / double(sh[1]);
            ++cell.layers;
          }
          cell.mse /= cell.layers;
          cell.sqnrDb /= cell.layers;
          cell.overhead /= cell.layers;
          llvm::outs() << llvm::formatv("{0:f2} / {1:f2} | ", cell.mse * 1e6,
                                        cell.sqnrDb);
          results.push_back(llvm::json::Object{
              {"model", path.substr(path.find_last_of('/') + 1)},
              {"weight_bits", static_cast<int64_t>(bits)},
              {"clip", clipMethodName(method)},
              {"expand_ratio", ratio},
              {"weight_mse", cell.mse},
              {"output_sqnr_db", cell.sqnrDb},
              {"size_overhead", cell.overhead},
              {"layers", cell.layers}});
        }
        llvm::outs() << "\n";
      }
    }
  }
  if (!jsonPath.empty()) {
    std::error_code ec;
    llvm::raw_fd_ostream os(jsonPath, ec);
    if (ec) {
      llvm::errs() << "cgnet-bench-ocs: cannot write " << jsonPath << ": "
                   << ec.message() << "\n";
      return 1;
    }
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(results)))
       << "\n";
  }
  return 0;
}
