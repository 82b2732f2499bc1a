//===- ChannelSplit.h - outlier channel splitting ---------------*- C++ -*-===//
//
// `ocs_wts` of dnn-quant-ocs (`distiller/quantization/ocs_impl.py`) on an
// O x I x kh x kw weight, splitting input channels, and the matching
// bookkeeping for activation splitting. Plain C++ shared by the
// --cgnet-ocs pass, the quantization report, the benchmark and the tests.
// See ../shared/specs/seed-algorithms.md section 3.1.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_QUANT_CHANNELSPLIT_H
#define CGNET_QUANT_CHANNELSPLIT_H

#include "cgnet/Quant/Clip.h"
#include <cstdint>
#include <vector>

namespace cgnet::quant {

/// An OIHW weight (O output channels, I input channels, `taps` = kh*kw).
struct WeightShape {
  int64_t out, in, taps;
  int64_t size() const { return out * in * taps; }
};

/// The result of splitting: the weight with `in + copied.size()` input
/// channels, and for each appended channel the original input channel
/// whose activation it reads (re-splits followed back to the original).
struct SplitWeights {
  std::vector<float> weight;
  WeightShape shape;
  std::vector<int64_t> copied;
};

/// Number of splits for `expandRatio`: ceil(ratio * channels).
int64_t numSplits(double expandRatio, int64_t channels);

/// Splits `numSplits` times, each time the input channel with the largest
/// |w| in the current tensor (appended channels included):
/// - plain: where |w| > split_value, both halves are w/2, else (w, 0);
/// - grid-aware (`steps` = the weight quantization step, clip/(2^(b-1)-1),
///   one for the tensor or one per output channel): the halves are
///   w/2 -+ step/4, so that round(h1/step) + round(h2/step) = round(w/step)
///   away from ties.
/// split_value = max(ch) * splitThreshold (signed max, as the reference).
SplitWeights splitWeights(const std::vector<float> &weight, WeightShape shape,
                          int64_t numSplits, double splitThreshold,
                          bool gridAware, const std::vector<double> &steps);

/// The reference's quantization-aware split (OCSParamLayerWrapper): clip
/// values from a plain split (`None`: `ratio * max|W_ocs|`, per tensor or
/// per output channel) or from a `method` search on the original weight,
/// then the grid-aware split of the original weight on that grid.
struct GridAwareSplit {
  SplitWeights split;
  std::vector<double> clips, steps; ///< one, or one per output channel
};
GridAwareSplit splitForQuantization(const std::vector<float> &weight,
                                    WeightShape shape, int64_t numSplits,
                                    double splitThreshold, unsigned bits,
                                    bool perChannel, ClipMethod method,
                                    double ratio);

/// Sums the appended channels back into their originals:
/// W0[:, c] = W[:, c] + sum of W[:, j] for appended j copied from c.
/// `weight` has `origIn + copied.size()` input channels.
std::vector<double> mergeSplits(const std::vector<double> &weight,
                                WeightShape origShape,
                                const std::vector<int64_t> &copied);

/// Activation splitting's choice of channels: `numSplits` times, the
/// channel with the largest current magnitude `mag` is halved and a copy
/// appended. Returns, for each appended channel, the channel (original or
/// appended) it was split from, in order; `mag` grows to the final
/// channel count.
std::vector<int64_t> chooseActivationSplits(std::vector<double> &mag,
                                            int64_t numSplits);

} // namespace cgnet::quant

#endif // CGNET_QUANT_CHANNELSPLIT_H
