//===- Clip.h - clipping thresholds and symmetric quantization --*- C++ -*-===//
//
// The clip-value searches of the OCS reference code (dnn-quant-ocs
// `distiller/quantization/clip.py`), reproduced exactly: MSE over a 201-bin
// histogram, ACIQ with its Gaussian/Laplace alpha tables, and the
// TensorRT/MXNet KL-divergence search over 1001 bins. Plus the symmetric
// quantizer they assume and the error measures the reports print. Plain
// C++, no MLIR: the passes, the benchmarks and the unit tests share it.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_QUANT_CLIP_H
#define CGNET_QUANT_CLIP_H

#include "cgnet/Reference/IntegerArith.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cgnet::quant {

enum class ClipMethod { None, MSE, ACIQ, KL };

/// "none", "mse", "aciq" or "kl".
std::optional<ClipMethod> parseClipMethod(const std::string &name);
const char *clipMethodName(ClipMethod method);

/// Largest magnitude of a `bits`-bit symmetric signed code: 2^(bits-1) - 1.
inline int64_t symmetricMax(unsigned bits) {
  return (int64_t(1) << (bits - 1)) - 1;
}

/// The clip value of `values` for `bits`-bit symmetric quantization:
/// `None` gives `ratio * max|x|` (the reference's `clip-threshold > 0`);
/// the others search as the reference does and ignore `ratio`. Returns 0
/// for an empty or all-zero input. `bits` must be in [2, 8] for ACIQ (its
/// tables) and [2, 16] otherwise.
double findClip(const std::vector<float> &values, unsigned bits,
                ClipMethod method, double ratio = 1.0);

/// The individual searches (exposed for the unit tests).
double findClipMSE(const std::vector<float> &values, unsigned bits);
double findClipACIQ(const std::vector<float> &values, unsigned bits);
double findClipKL(const std::vector<float> &values, unsigned bits);

/// Clip values of an `out` x (rest) weight: one for the whole tensor, or
/// one per output channel (row) with `perChannel`.
std::vector<double> weightClips(const std::vector<float> &weight, int64_t out,
                                unsigned bits, bool perChannel,
                                ClipMethod method, double ratio);

/// Quantization step of a symmetric `bits`-bit quantizer with clip value
/// `clip`: `clip / (2^(bits-1) - 1)`. A zero clip gives step 1 (all codes
/// are then 0 anyway).
double symmetricStep(double clip, unsigned bits);

/// `clamp(round_half_away_from_zero(x / step), -2^(bits-1), 2^(bits-1)-1)`.
int64_t quantizeSymmetric(double x, double step, unsigned bits);

/// The integer gate threshold equivalent to the float gate `partial > tau`
/// on an accumulator of scale `accScale` (`s_x s_w`): the smallest
/// accumulator `a` with `a * accScale > tau`, i.e. `floor(tau / accScale) +
/// 1`, saturated to int32 (`-inf`: INT32_MIN, every gate on).
int32_t integerThreshold(double tau, double accScale);

/// Error of approximating `ref` by `approx`.
struct ErrorStats {
  double mse = 0;  ///< mean squared error
  double sqnr = 0; ///< 10 log10(sum ref^2 / sum err^2) in dB; +inf if exact
};
ErrorStats compareSignals(const std::vector<double> &ref,
                          const std::vector<double> &approx);

/// The fixed-point form of requantization ratios (one definition, shared
/// with the executors).
using ref::FixedPoint;
using ref::toFixedPoint;

} // namespace cgnet::quant

#endif // CGNET_QUANT_CLIP_H
