//===- IntegerArith.h - integer arithmetic of the reference -----*- C++ -*-===//
//
// The integer conventions of every cgnet executor, in one place: rounding,
// saturation, requantization by multiplier and shift, quantization of a
// float, and precision gating's bit split. The CPU backend and the
// simulator must reproduce these bit for bit.
//
//===----------------------------------------------------------------------===//

#ifndef CGNET_REFERENCE_INTEGERARITH_H
#define CGNET_REFERENCE_INTEGERARITH_H

#include <cmath>
#include <cstdint>
#include <optional>

namespace cgnet::ref {

/// `round(num / den)` with ties away from zero; `den` must be positive.
inline int64_t divRoundHalfAwayFromZero(int64_t num, int64_t den) {
  int64_t q = num / den, r = num % den; // truncation toward zero
  int64_t twice = 2 * (r < 0 ? -r : r);
  if (twice >= den)
    q += num < 0 ? -1 : 1;
  return q;
}

/// `v * multiplier / 2^shift` rounded half away from zero, in 64-bit (the
/// product of an int32 and a 31-bit multiplier cannot overflow).
inline int64_t scaleHalfAwayFromZero(int64_t v, int32_t multiplier,
                                     int32_t shift) {
  int64_t prod = v * static_cast<int64_t>(multiplier);
  if (shift == 0)
    return prod;
  int64_t round = int64_t(1) << (shift - 1);
  int64_t mag = prod < 0 ? -prod : prod;
  int64_t res = (mag + round) >> shift;
  return prod < 0 ? -res : res;
}

/// TOSA `apply_scale_32` with single rounding: `(v * m + 2^(shift-1)) >> shift`
/// (ties toward +infinity), arithmetic shift.
inline int64_t scaleHalfUp(int64_t v, int32_t multiplier, int32_t shift) {
  int64_t prod = v * static_cast<int64_t>(multiplier);
  if (shift == 0)
    return prod;
  return (prod + (int64_t(1) << (shift - 1))) >> shift;
}

inline int64_t saturate(int64_t v, int64_t lo, int64_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/// Two's complement wrap to 32 bits (i32 accumulation).
inline int32_t wrapInt32(int64_t v) {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}

/// How `quantizeValue` rounds a tie.
enum class TieRounding { AwayFromZero, ToEven, Up };

/// `sat(round(x / scale) + zp)`, ties away from zero by default.
inline int64_t quantizeValue(float x, double scale, int64_t zp, int64_t lo,
                             int64_t hi,
                             TieRounding ties = TieRounding::AwayFromZero) {
  double v = static_cast<double>(x) / scale;
  double q = ties == TieRounding::AwayFromZero ? std::round(v)
             : ties == TieRounding::ToEven     ? std::nearbyint(v)
                                               : std::floor(v + 0.5);
  if (std::isnan(q))
    return saturate(zp, lo, hi);
  if (q > 4.0e18)
    q = 4.0e18;
  if (q < -4.0e18)
    q = -4.0e18;
  return saturate(static_cast<int64_t>(q) + zp, lo, hi);
}

/// A real ratio as `multiplier * 2^-shift`.
struct FixedPoint {
  int32_t multiplier;
  int32_t shift;
};

/// `r = multiplier * 2^-shift` with `multiplier` in [2^30, 2^31) where
/// possible and `shift` in [0, 62]: how requantization ratios and
/// `cgnet.leaky_relu`'s alpha become integers. std::nullopt for a ratio
/// that is not positive and finite or too large (>= 2^31).
inline std::optional<FixedPoint> toFixedPoint(double ratio) {
  if (!(ratio > 0) || !std::isfinite(ratio))
    return std::nullopt;
  int exp = 0;
  double frac = std::frexp(ratio, &exp); // ratio = frac * 2^exp, frac in [0.5, 1)
  int64_t m = static_cast<int64_t>(std::llround(std::ldexp(frac, 31)));
  int64_t shift = 31 - exp;
  if (m == (int64_t(1) << 31)) {
    m >>= 1;
    --shift;
  }
  if (shift < 0)
    return std::nullopt;
  if (shift > 62) {
    // Too small for a 31-bit multiplier at shift 62: give up precision.
    m = static_cast<int64_t>(
        std::llround(std::ldexp(frac, 31 - static_cast<int>(shift - 62))));
    shift = 62;
  }
  return FixedPoint{static_cast<int32_t>(m), static_cast<int32_t>(shift)};
}

/// `cgnet.leaky_relu` on a centered integer `v`: `v` when non-negative,
/// else `round(v * alpha)` with alpha in fixed point (0 for alpha = 0).
inline int64_t leakyReluInt(int64_t v, double alpha) {
  if (v >= 0)
    return v;
  auto fp = toFixedPoint(alpha);
  if (!fp)
    return 0;
  return scaleHalfAwayFromZero(v, fp->multiplier, fp->shift);
}

/// Precision gating's sign-magnitude split of `q` with `lowBits` low bits:
/// `hb = sign(q) * (|q| >> lowBits)`, `lb = q - (hb << lowBits)`.
inline void splitHighLow(int64_t q, int64_t lowBits, int64_t &hb,
                         int64_t &lb) {
  int64_t mag = q < 0 ? -q : q;
  hb = (mag >> lowBits) * (q < 0 ? -1 : 1);
  lb = q - hb * (int64_t(1) << lowBits);
}

} // namespace cgnet::ref

#endif // CGNET_REFERENCE_INTEGERARITH_H
