//===- QuantTest.cpp - clip searches, OCS splitting, fixed point ----------===//
//
// The clip searches are checked against values computed by running the OCS
// reference code's numpy/scipy functions (clip.py) on the same
// deterministic data; the splits against the identities the spec states.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Quant/ChannelSplit.h"
#include "cgnet/Quant/Clip.h"

#include <gtest/gtest.h>
#include <cmath>
#include <random>

using namespace cgnet::quant;

namespace {

/// Heavy-tailed data: tan((u - 0.5) * 2.8) for an LCG's u, as float32.
std::vector<float> tanData(int n, uint32_t seed) {
  uint32_t s = seed;
  std::vector<float> v;
  for (int k = 0; k < n; ++k) {
    s = s * 1664525u + 1013904223u;
    v.push_back(static_cast<float>(std::tan((s / 4294967296.0 - 0.5) * 2.8)));
  }
  return v;
}

/// Bell-shaped data (sum of four uniforms - 2), every 97th value x8.
std::vector<float> bellData(int n, uint32_t seed) {
  uint32_t s = seed;
  std::vector<float> v;
  for (int k = 0; k < n; ++k) {
    double acc = 0;
    for (int j = 0; j < 4; ++j) {
      s = s * 1664525u + 1013904223u;
      acc += s / 4294967296.0;
    }
    double x = acc - 2.0;
    if (k % 97 == 0)
      x *= 8;
    v.push_back(static_cast<float>(x));
  }
  return v;
}

struct Golden {
  int bits;
  double mse, aciq, kl;
};

void expectClips(const std::vector<float> &v, const std::vector<Golden> &g) {
  for (const Golden &e : g) {
    SCOPED_TRACE("bits " + std::to_string(e.bits));
    EXPECT_NEAR(findClipMSE(v, e.bits), e.mse, 1e-6 * e.mse);
    EXPECT_NEAR(findClipACIQ(v, e.bits), e.aciq, 1e-6 * e.aciq);
    EXPECT_NEAR(findClipKL(v, e.bits), e.kl, 1e-6 * e.kl);
  }
}

TEST(Clip, MatchesReferenceOnHeavyTails) {
  expectClips(tanData(2000, 1),
              {{2, 2.9561560106277467, 3.039995574117329, 5.796384334564209},
               {4, 4.98489052772522, 5.220389978490278, 5.796384334564209},
               {8, 5.738420491218567, 5.798802231865361, 5.796384334564209}});
  expectClips(tanData(513, 7),
              {{2, 2.6906271409988407, 2.582391949366437, 5.724738597869873},
               {4, 5.152264738082886, 5.167310244722601, 5.724738597869873},
               {8, 5.667491211891174, 6.318762398393502, 5.724738597869873}});
}

TEST(Clip, MatchesReferenceOnBellWithOutliers) {
  expectClips(bellData(5000, 3),
              {{2, 0.8084462070465087, 1.1613912402106001, 2.526754856109619},
               {4, 4.504200296401978, 5.63863414782048, 2.1344733238220215},
               {6, 9.701354484558106, 7.573410266485192, 8.480204582214355},
               {8, 11.202754583358765, 9.302855712377065, 11.480005264282227}});
}

TEST(Clip, NoneIsRatioTimesMaxAndEmptyIsZero) {
  std::vector<float> v = {0.5f, -2.0f, 1.0f};
  EXPECT_DOUBLE_EQ(findClip(v, 8, ClipMethod::None), 2.0);
  EXPECT_DOUBLE_EQ(findClip(v, 8, ClipMethod::None, 0.5), 1.0);
  EXPECT_EQ(findClip({}, 8, ClipMethod::MSE), 0.0);
  EXPECT_EQ(findClip({0.0f, 0.0f}, 4, ClipMethod::KL), 0.0);
  EXPECT_EQ(symmetricStep(0.0, 8), 1.0);
  EXPECT_EQ(parseClipMethod("aciq"), ClipMethod::ACIQ);
  EXPECT_FALSE(parseClipMethod("max").has_value());
}

TEST(Clip, PerChannelClipsAreRowMaxima) {
  std::vector<float> w = {1, -3, 2, 0.5f, -0.25f, 0.125f};
  std::vector<double> c = weightClips(w, 2, 8, true, ClipMethod::None, 1.0);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0], 3.0);
  EXPECT_EQ(c[1], 0.5);
  EXPECT_EQ(weightClips(w, 2, 8, false, ClipMethod::None, 1.0),
            std::vector<double>{3.0});
}

TEST(Clip, SymmetricQuantizerRoundsAwayAndSaturates) {
  EXPECT_EQ(quantizeSymmetric(2.5, 1.0, 8), 3);
  EXPECT_EQ(quantizeSymmetric(-2.5, 1.0, 8), -3);
  EXPECT_EQ(quantizeSymmetric(1000, 1.0, 8), 127);
  EXPECT_EQ(quantizeSymmetric(-1000, 1.0, 4), -8);
}

TEST(FixedPoint, RepresentsRatios) {
  for (double r : {1.0, 0.5, 0.75, 3.1e-5, 1.7, 123.456, 1e-12}) {
    auto fp = toFixedPoint(r);
    ASSERT_TRUE(fp.has_value()) << r;
    EXPECT_GE(fp->shift, 0);
    EXPECT_LE(fp->shift, 62);
    double back = std::ldexp(double(fp->multiplier), -fp->shift);
    EXPECT_NEAR(back, r, r * 1e-9 + std::ldexp(1.0, -62)) << r;
  }
  EXPECT_FALSE(toFixedPoint(0.0).has_value());
  EXPECT_FALSE(toFixedPoint(-1.0).has_value());
  EXPECT_FALSE(toFixedPoint(std::ldexp(1.0, 32)).has_value());
  EXPECT_FALSE(toFixedPoint(NAN).has_value());
}

TEST(ChannelSplit, NumSplitsIsCeil) {
  EXPECT_EQ(numSplits(0.0, 64), 0);
  EXPECT_EQ(numSplits(0.01, 64), 1);
  EXPECT_EQ(numSplits(0.05, 20), 1);
  EXPECT_EQ(numSplits(0.05, 64), 4);
  EXPECT_EQ(numSplits(0.5, 3), 2);
}

std::vector<float> randomWeights(WeightShape s, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.0f, 0.1f);
  std::vector<float> w(s.size());
  for (float &v : w)
    v = dist(rng);
  w[rng() % w.size()] = 0.9f; // an outlier
  return w;
}

TEST(ChannelSplit, PlainSplitHalvesTheLargestChannelAndMergesBack) {
  WeightShape s{2, 3, 1};
  std::vector<float> w = {0.1f, -0.8f, 0.2f, 0.3f, 0.4f, -0.5f};
  SplitWeights r = splitWeights(w, s, 1, 0.0, false, {1.0});
  ASSERT_EQ(r.shape.in, 4);
  EXPECT_EQ(r.copied, std::vector<int64_t>{1});
  // Channel 1 (max |w| 0.8) halved in place and appended.
  EXPECT_EQ(r.weight, (std::vector<float>{0.1f, -0.4f, 0.2f, -0.4f, 0.3f,
                                          0.2f, -0.5f, 0.2f}));
  std::vector<double> wd(r.weight.begin(), r.weight.end());
  std::vector<double> merged = mergeSplits(wd, s, r.copied);
  for (size_t e = 0; e < w.size(); ++e)
    EXPECT_EQ(merged[e], double(w[e]));
}

TEST(ChannelSplit, ResplitsFollowTheOriginalChannel) {
  // One dominant channel is split again and again; every copy reads it.
  WeightShape s{1, 4, 1};
  std::vector<float> w = {0.1f, 8.0f, 0.2f, 0.3f};
  SplitWeights r = splitWeights(w, s, 3, 0.0, false, {1.0});
  EXPECT_EQ(r.copied, (std::vector<int64_t>{1, 1, 1}));
  std::vector<double> wd(r.weight.begin(), r.weight.end());
  EXPECT_EQ(mergeSplits(wd, s, r.copied)[1], 8.0);
  float mx = 0;
  for (float v : r.weight)
    mx = std::max(mx, std::fabs(v));
  EXPECT_EQ(mx, 2.0f);
}

TEST(ChannelSplit, SplitThresholdSplitsOnlyLargeWeights) {
  WeightShape s{3, 1, 1};
  std::vector<float> w = {1.0f, 0.2f, -0.6f};
  // split_value = max(ch) * 0.5 = 0.5: 1.0 and -0.6 are split, 0.2 is not.
  SplitWeights r = splitWeights(w, s, 1, 0.5, false, {1.0});
  EXPECT_EQ(r.weight, (std::vector<float>{0.5f, 0.5f, 0.2f, 0.0f, -0.3f,
                                          -0.3f}));
}

/// The spec's exactness claim at the layer level: with the grid-aware
/// split, the integer convolution of the quantized split weight with the
/// duplicated input equals the convolution with round(W/step), unclamped
/// (the values OCS lets through the narrower range), for every input.
TEST(ChannelSplit, GridAwareSplitIsExactAfterQuantization) {
  for (bool perChannel : {false, true})
    for (unsigned bits : {4u, 6u, 8u}) {
      WeightShape s{6, 16, 9};
      std::vector<float> w = randomWeights(s, 11 + bits);
      int64_t n = numSplits(0.25, s.in);
      GridAwareSplit g = splitForQuantization(w, s, n, 0.0, bits, perChannel,
                                              ClipMethod::None, 1.0);
      const std::vector<double> &steps = g.steps;
      const SplitWeights &r = g.split;
      auto stepOf = [&](int64_t o) { return steps[perChannel ? o : 0]; };
      std::mt19937 rng(bits);
      std::uniform_int_distribution<int> act(-128, 127);
      std::vector<int64_t> x(s.in);
      for (int trial = 0; trial < 20; ++trial) {
        for (int64_t &v : x)
          v = act(rng);
        for (int64_t o = 0; o < s.out; ++o)
          for (int64_t t = 0; t < s.taps; ++t) {
            int64_t split = 0, direct = 0;
            for (int64_t c = 0; c < r.shape.in; ++c) {
              int64_t src = c < s.in ? c : r.copied[c - s.in];
              int64_t q = quantizeSymmetric(
                  r.weight[(o * r.shape.in + c) * s.taps + t], stepOf(o), bits);
              split += q * x[src];
            }
            for (int64_t c = 0; c < s.in; ++c)
              direct += static_cast<int64_t>(std::round(
                            w[(o * s.in + c) * s.taps + t] / stepOf(o))) *
                        x[c];
            ASSERT_EQ(split, direct)
                << "bits " << bits << " out " << o << " tap " << t;
          }
      }
      // And the split weights fit the range the clip allows.
      for (size_t e = 0; e < r.weight.size(); ++e) {
        int64_t o = static_cast<int64_t>(e) / (r.shape.in * s.taps);
        EXPECT_LE(std::fabs(r.weight[e] / stepOf(o)),
                  symmetricMax(bits) + 0.5);
      }
    }
}

TEST(ChannelSplit, ActivationSplitsHalveTheLargestChannel) {
  std::vector<double> mag = {1.0, 6.0, 2.0};
  std::vector<int64_t> from = chooseActivationSplits(mag, 3);
  // 6 -> 3+3 (channel 3 from 1); then 3 (channel 1) -> 1.5+1.5 (4 from 1);
  // then channel 3 (3.0) -> 1.5+1.5 (5 from 3).
  EXPECT_EQ(from, (std::vector<int64_t>{1, 1, 3}));
  EXPECT_EQ(mag, (std::vector<double>{1.0, 1.5, 2.0, 1.5, 1.5, 1.5}));
}

} // namespace
