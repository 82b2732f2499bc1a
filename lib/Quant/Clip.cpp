//===- Clip.cpp - clipping thresholds and symmetric quantization ----------===//
//
// Each search follows dnn-quant-ocs `clip.py` step by step, including its
// numpy details: histograms over [min, max] unless a range is given, bin
// centres as the sample points, torch's round-half-to-even inside the
// histogram error, and the KL search's `q[start:-1]` slice for the last
// merged bin. See ../shared/specs/seed-algorithms.md section 3.3.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Quant/Clip.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>

namespace cgnet::quant {

std::optional<ClipMethod> parseClipMethod(const std::string &name) {
  if (name == "none")
    return ClipMethod::None;
  if (name == "mse")
    return ClipMethod::MSE;
  if (name == "aciq")
    return ClipMethod::ACIQ;
  if (name == "kl")
    return ClipMethod::KL;
  return std::nullopt;
}

const char *clipMethodName(ClipMethod method) {
  switch (method) {
  case ClipMethod::None:
    return "none";
  case ClipMethod::MSE:
    return "mse";
  case ClipMethod::ACIQ:
    return "aciq";
  case ClipMethod::KL:
    return "kl";
  }
  return "?";
}

namespace {

/// numpy.histogram: `bins` equal bins over [lo, hi], the last one closed;
/// values outside are dropped. Returns the counts.
std::vector<int64_t> histogram(const std::vector<float> &values, int bins,
                               double lo, double hi) {
  if (lo == hi) { // numpy widens an empty range by 0.5 on each side
    lo -= 0.5;
    hi += 0.5;
  }
  std::vector<int64_t> counts(bins, 0);
  std::vector<double> edges(bins + 1);
  for (int b = 0; b <= bins; ++b)
    edges[b] = lo + (hi - lo) * b / bins;
  double norm = bins / (hi - lo);
  for (float fv : values) {
    double v = fv;
    if (v < lo || v > hi)
      continue;
    int64_t idx = static_cast<int64_t>((v - lo) * norm);
    idx = std::clamp<int64_t>(idx, 0, bins - 1);
    // numpy corrects the computed index against the edges themselves.
    if (v < edges[idx])
      --idx;
    else if (v >= edges[idx + 1] && idx != bins - 1)
      ++idx;
    ++counts[idx];
  }
  return counts;
}

double minOf(const std::vector<float> &v) {
  return *std::min_element(v.begin(), v.end());
}
double maxOf(const std::vector<float> &v) {
  return *std::max_element(v.begin(), v.end());
}
double maxAbsOf(const std::vector<float> &v) {
  double m = 0;
  for (float x : v)
    m = std::max(m, std::fabs(double(x)));
  return m;
}

/// `distiller_quantize`: symmetric quantize-dequantize with clip `alpha`,
/// rounding half to even as torch.round does.
double distillerQuantize(double x, unsigned bits, double alpha) {
  double scale = double(symmetricMax(bits)) / alpha;
  double q = std::nearbyint(x * scale);
  q = std::clamp(q, -double(symmetricMax(bits) + 1), double(symmetricMax(bits)));
  return q / scale;
}

/// `mse_histogram_clip`: clipping error outside `alpha` plus quantization
/// error inside, weighted by the bin masses `mass` at the centres `centre`.
double histogramError(const std::vector<double> &centre,
                      const std::vector<double> &mass, unsigned bits,
                      double alpha) {
  double mse = 0;
  for (size_t b = 0; b < centre.size(); ++b) {
    double x = centre[b];
    if (std::fabs(x) > alpha) {
      double d = std::fabs(x) - alpha;
      mse += d * d * mass[b];
    } else {
      double d = x - distillerQuantize(x, bits, alpha);
      mse += d * d * mass[b];
    }
  }
  return mse;
}

/// Bin centres and normalized masses of a histogram over [lo, hi].
void centresAndMasses(const std::vector<float> &values, int bins, double lo,
                      double hi, std::vector<double> &centre,
                      std::vector<double> &mass) {
  std::vector<int64_t> counts = histogram(values, bins, lo, hi);
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  int64_t total = 0;
  for (int64_t c : counts)
    total += c;
  centre.resize(bins);
  mass.resize(bins);
  for (int b = 0; b < bins; ++b) {
    double e0 = lo + (hi - lo) * b / bins, e1 = lo + (hi - lo) * (b + 1) / bins;
    centre[b] = 0.5 * (e0 + e1);
    mass[b] = total ? double(counts[b]) / double(total) : 0.0;
  }
}

// The ACIQ alpha tables of clip.py, indexed by bits - 2.
constexpr double kAlphaGauss[] = {1.47818312, 1.80489289, 2.19227856,
                                  2.57733584, 2.94451183, 3.29076248,
                                  3.61691335};
constexpr double kAlphaLaplace[] = {2.33152939, 3.04528770, 4.00378631,
                                    5.08252088, 6.23211675, 7.42700429,
                                    8.65265030};

/// `_smooth_distribution` (eps = 1e-4, in float32 as the reference);
/// std::nullopt where every entry is zero.
std::optional<std::vector<float>> smooth(const std::vector<double> &p) {
  const double eps = 0.0001;
  int64_t zeros = 0;
  for (double v : p)
    zeros += v == 0;
  int64_t nonzeros = static_cast<int64_t>(p.size()) - zeros;
  if (nonzeros == 0)
    return std::nullopt;
  double eps1 = eps * double(zeros) / double(nonzeros);
  std::vector<float> out(p.size());
  for (size_t k = 0; k < p.size(); ++k)
    out[k] = static_cast<float>(
        static_cast<float>(p[k]) +
        static_cast<float>(p[k] == 0 ? eps : -eps1));
  return out;
}

/// scipy.stats.entropy(p, q): KL divergence of the normalized vectors.
double entropy(const std::vector<float> &p, const std::vector<float> &q) {
  double sp = 0, sq = 0;
  for (size_t k = 0; k < p.size(); ++k) {
    sp += p[k];
    sq += q[k];
  }
  double kl = 0;
  for (size_t k = 0; k < p.size(); ++k) {
    double pk = p[k] / sp, qk = q[k] / sq;
    if (pk > 0)
      kl += pk * std::log(pk / qk);
  }
  return kl;
}

} // namespace

double findClipMSE(const std::vector<float> &values, unsigned bits) {
  if (values.empty())
    return 0;
  double maxAbs = maxAbsOf(values);
  if (maxAbs == 0)
    return 0;
  std::vector<double> centre, mass;
  centresAndMasses(values, 201, minOf(values), maxOf(values), centre, mass);
  double best = 0, bestErr = std::numeric_limits<double>::infinity();
  for (int k = 0; k < 99; ++k) { // np.arange(0.01, 1, 0.01)
    double alpha = (0.01 + k * 0.01) * maxAbs;
    double err = histogramError(centre, mass, bits, alpha);
    if (err < bestErr) {
      bestErr = err;
      best = alpha;
    }
  }
  return best;
}

double findClipACIQ(const std::vector<float> &values, unsigned bits) {
  assert(bits >= 2 && bits <= 8 && "ACIQ tables cover 2-8 bits");
  if (values.empty())
    return 0;
  double maxAbs = maxAbsOf(values);
  if (maxAbs == 0)
    return 0;
  const double pi = 3.14159265358979323846;
  double gaussianConst = (0.5 * 0.35) * (1 + std::sqrt(pi * std::log(4.0)));
  double n = static_cast<double>(values.size());
  double sigma = (maxOf(values) - minOf(values)) * gaussianConst /
                 std::sqrt(2 * std::log(n));
  double alphaG = kAlphaGauss[bits - 2] * sigma;
  double mean = 0;
  for (float v : values)
    mean += v;
  mean /= n;
  double b = 0;
  for (float v : values)
    b += std::fabs(v - mean);
  b /= n;
  double alphaL = kAlphaLaplace[bits - 2] * b;
  std::vector<double> centre, mass;
  centresAndMasses(values, 101, -maxAbs, maxAbs, centre, mass);
  double errG = histogramError(centre, mass, bits, alphaG);
  double errL = histogramError(centre, mass, bits, alphaL);
  return errG < errL ? alphaG : alphaL;
}

double findClipKL(const std::vector<float> &values, unsigned bits) {
  if (values.empty())
    return 0;
  double th = maxAbsOf(values);
  if (th == 0)
    return 0;
  const int numBins = 1001;
  const int numQuantized = static_cast<int>((int64_t(1) << bits) - 1);
  std::vector<int64_t> hist = histogram(values, numBins, -th, th);
  std::vector<int64_t> prefix(numBins + 1, 0);
  for (int b = 0; b < numBins; ++b)
    prefix[b + 1] = prefix[b] + hist[b];
  const int zeroBin = numBins / 2, halfQuantized = numQuantized / 2;
  double bestDiv = std::numeric_limits<double>::infinity(), bestTh = th;
  bool haveBest = false;
  for (int i = halfQuantized; i <= numBins / 2; ++i) {
    int start = zeroBin - i, stop = zeroBin + i + 1;
    double threshold = -th + 2 * th * stop / numBins;
    int size = stop - start;
    std::vector<double> p(size);
    for (int k = 0; k < size; ++k)
      p[k] = double(hist[start + k]);
    p[0] += double(prefix[start]);
    p[size - 1] += double(prefix[numBins] - prefix[stop]);
    int merged = size / numQuantized;
    std::vector<int64_t> quantized(numQuantized, 0);
    for (int j = 0; j < numQuantized; ++j)
      for (int k = j * merged; k < (j + 1) * merged; ++k)
        quantized[j] += hist[start + k];
    for (int k = numQuantized * merged; k < size; ++k)
      quantized[numQuantized - 1] += hist[start + k];
    std::vector<double> q(size, 0.0);
    for (int j = 0; j < numQuantized; ++j) {
      int qStart = j * merged;
      // The reference slices [start:-1] for the last merged bin, which
      // leaves out the final element.
      int qStop = j == numQuantized - 1 ? size - 1 : qStart + merged;
      int64_t norm = 0;
      for (int k = qStart; k < qStop; ++k)
        norm += hist[start + k] != 0;
      if (norm != 0)
        for (int k = qStart; k < qStop; ++k)
          q[k] = static_cast<float>(double(quantized[j]) / double(norm));
    }
    for (int k = 0; k < size; ++k)
      if (hist[start + k] == 0)
        q[k] = 0;
    auto ps = smooth(p);
    auto qs = smooth(q);
    double div = (ps && qs) ? entropy(*ps, *qs)
                            : std::numeric_limits<double>::infinity();
    if (!haveBest || div < bestDiv) {
      bestDiv = div;
      bestTh = threshold;
      haveBest = true;
    }
  }
  return bestTh;
}

double findClip(const std::vector<float> &values, unsigned bits,
                ClipMethod method, double ratio) {
  switch (method) {
  case ClipMethod::None:
    return values.empty() ? 0.0 : ratio * maxAbsOf(values);
  case ClipMethod::MSE:
    return findClipMSE(values, bits);
  case ClipMethod::ACIQ:
    return findClipACIQ(values, bits);
  case ClipMethod::KL:
    return findClipKL(values, bits);
  }
  return 0;
}

std::vector<double> weightClips(const std::vector<float> &weight, int64_t out,
                                unsigned bits, bool perChannel,
                                ClipMethod method, double ratio) {
  if (!perChannel)
    return {findClip(weight, bits, method, ratio)};
  std::vector<double> clips;
  size_t row = weight.size() / static_cast<size_t>(out);
  for (int64_t o = 0; o < out; ++o) {
    std::vector<float> values(weight.begin() + o * row,
                              weight.begin() + (o + 1) * row);
    clips.push_back(findClip(values, bits, method, ratio));
  }
  return clips;
}

double symmetricStep(double clip, unsigned bits) {
  if (!(clip > 0))
    return 1.0;
  return clip / double(symmetricMax(bits));
}

int64_t quantizeSymmetric(double x, double step, unsigned bits) {
  double q = std::round(x / step); // half away from zero
  double hi = double(symmetricMax(bits)), lo = -hi - 1;
  if (std::isnan(q))
    return 0;
  return static_cast<int64_t>(std::clamp(q, lo, hi));
}

int32_t integerThreshold(double tau, double accScale) {
  if (std::isnan(tau))
    return INT32_MAX;
  if (std::isinf(tau))
    return tau < 0 ? INT32_MIN : INT32_MAX;
  double t = std::floor(tau / accScale) + 1;
  if (t <= double(INT32_MIN))
    return INT32_MIN;
  if (t >= double(INT32_MAX))
    return INT32_MAX;
  return static_cast<int32_t>(t);
}

ErrorStats compareSignals(const std::vector<double> &ref,
                          const std::vector<double> &approx) {
  assert(ref.size() == approx.size());
  double signal = 0, noise = 0;
  for (size_t k = 0; k < ref.size(); ++k) {
    double d = ref[k] - approx[k];
    signal += ref[k] * ref[k];
    noise += d * d;
  }
  ErrorStats s;
  s.mse = ref.empty() ? 0 : noise / double(ref.size());
  s.sqnr = noise == 0 ? std::numeric_limits<double>::infinity()
                      : 10 * std::log10(signal / noise);
  return s;
}

} // namespace cgnet::quant
