//===- ChannelSplit.cpp - outlier channel splitting -----------------------===//

#include "cgnet/Quant/ChannelSplit.h"

#include <cassert>
#include <cmath>

namespace cgnet::quant {

int64_t numSplits(double expandRatio, int64_t channels) {
  if (!(expandRatio > 0))
    return 0;
  // The small epsilon keeps ratio * I from rounding up past an integer
  // (0.05 * 20 = 1.0000000000000002 in double).
  return static_cast<int64_t>(std::ceil(expandRatio * double(channels) - 1e-9));
}

SplitWeights splitWeights(const std::vector<float> &weight, WeightShape shape,
                          int64_t splits, double splitThreshold,
                          bool gridAware, const std::vector<double> &steps) {
  assert(static_cast<int64_t>(weight.size()) == shape.size());
  const int64_t out = shape.out, taps = shape.taps;
  // Channel-major working copy: chans[c] holds W[:, c, :, :] (out x taps).
  std::vector<std::vector<float>> chans(shape.in,
                                        std::vector<float>(out * taps));
  for (int64_t o = 0; o < out; ++o)
    for (int64_t c = 0; c < shape.in; ++c)
      for (int64_t t = 0; t < taps; ++t)
        chans[c][o * taps + t] = weight[(o * shape.in + c) * taps + t];
  std::vector<int64_t> origin(shape.in);
  for (int64_t c = 0; c < shape.in; ++c)
    origin[c] = c;

  SplitWeights result;
  for (int64_t s = 0; s < splits; ++s) {
    // argmax over channels of max |w|; the first maximum wins (torch.argmax).
    int64_t best = 0;
    float bestMag = -1;
    for (size_t c = 0; c < chans.size(); ++c)
      for (float v : chans[c])
        if (std::fabs(v) > bestMag) {
          bestMag = std::fabs(v);
          best = static_cast<int64_t>(c);
        }
    std::vector<float> &ch = chans[best];
    float signedMax = ch[0];
    for (float v : ch)
      signedMax = std::max(signedMax, v);
    double splitValue = double(signedMax) * splitThreshold;
    std::vector<float> second(ch.size());
    for (size_t k = 0; k < ch.size(); ++k) {
      double w = ch[k];
      bool split = std::fabs(w) > splitValue;
      if (!gridAware) {
        float half = static_cast<float>(w / 2);
        second[k] = split ? half : 0.0f;
        ch[k] = split ? half : ch[k];
      } else {
        // (half*s -+ 0.25)/s with s = 1/step, as ocs_impl.py writes it.
        double step = steps.size() == 1 ? steps[0] : steps[k / taps];
        double s = 1.0 / step, half = w / 2;
        second[k] = split ? static_cast<float>((half * s + 0.25) / s) : 0.0f;
        ch[k] = split ? static_cast<float>((half * s - 0.25) / s)
                      : static_cast<float>((w * s) / s);
      }
    }
    chans.push_back(std::move(second));
    origin.push_back(origin[best]);
    result.copied.push_back(origin[best]);
  }

  result.shape = {out, static_cast<int64_t>(chans.size()), taps};
  result.weight.resize(result.shape.size());
  for (int64_t o = 0; o < out; ++o)
    for (size_t c = 0; c < chans.size(); ++c)
      for (int64_t t = 0; t < taps; ++t)
        result.weight[(o * result.shape.in + c) * taps + t] =
            chans[c][o * taps + t];
  return result;
}

GridAwareSplit splitForQuantization(const std::vector<float> &weight,
                                    WeightShape shape, int64_t splits,
                                    double splitThreshold, unsigned bits,
                                    bool perChannel, ClipMethod method,
                                    double ratio) {
  GridAwareSplit r;
  if (method == ClipMethod::None) {
    SplitWeights pre =
        splitWeights(weight, shape, splits, splitThreshold, false, {1.0});
    r.clips = weightClips(pre.weight, shape.out, bits, perChannel,
                          ClipMethod::None, ratio);
  } else {
    r.clips = weightClips(weight, shape.out, bits, perChannel, method, ratio);
  }
  for (double c : r.clips)
    r.steps.push_back(symmetricStep(c, bits));
  r.split = splitWeights(weight, shape, splits, splitThreshold, true, r.steps);
  return r;
}

std::vector<double> mergeSplits(const std::vector<double> &weight,
                                WeightShape orig,
                                const std::vector<int64_t> &copied) {
  int64_t in = orig.in + static_cast<int64_t>(copied.size());
  assert(static_cast<int64_t>(weight.size()) == orig.out * in * orig.taps);
  std::vector<double> merged(orig.size(), 0.0);
  for (int64_t o = 0; o < orig.out; ++o)
    for (int64_t c = 0; c < in; ++c) {
      int64_t dst = c < orig.in ? c : copied[c - orig.in];
      for (int64_t t = 0; t < orig.taps; ++t)
        merged[(o * orig.in + dst) * orig.taps + t] +=
            weight[(o * in + c) * orig.taps + t];
    }
  return merged;
}

std::vector<int64_t> chooseActivationSplits(std::vector<double> &mag,
                                            int64_t splits) {
  std::vector<int64_t> from;
  for (int64_t s = 0; s < splits; ++s) {
    size_t best = 0;
    for (size_t c = 1; c < mag.size(); ++c)
      if (mag[c] > mag[best])
        best = c;
    mag[best] /= 2;
    mag.push_back(mag[best]);
    from.push_back(static_cast<int64_t>(best));
  }
  return from;
}

} // namespace cgnet::quant
