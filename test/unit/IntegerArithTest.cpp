//===- IntegerArithTest.cpp - the evaluator's integer arithmetic ----------===//
//
// Hand-computed expectations for rounding, saturation, requantization and
// precision gating's bit split.
//
//===----------------------------------------------------------------------===//

#include "cgnet/Reference/IntegerArith.h"

#include <gtest/gtest.h>

using namespace cgnet::ref;

TEST(IntegerArith, DivRoundHalfAwayFromZero) {
  EXPECT_EQ(divRoundHalfAwayFromZero(7, 2), 4);   // 3.5 -> 4
  EXPECT_EQ(divRoundHalfAwayFromZero(-7, 2), -4); // -3.5 -> -4
  EXPECT_EQ(divRoundHalfAwayFromZero(5, 4), 1);   // 1.25 -> 1
  EXPECT_EQ(divRoundHalfAwayFromZero(-5, 4), -1); // -1.25 -> -1
  EXPECT_EQ(divRoundHalfAwayFromZero(7, 4), 2);   // 1.75 -> 2
  EXPECT_EQ(divRoundHalfAwayFromZero(-7, 4), -2);
  EXPECT_EQ(divRoundHalfAwayFromZero(0, 9), 0);
  EXPECT_EQ(divRoundHalfAwayFromZero(9, 9), 1);
  EXPECT_EQ(divRoundHalfAwayFromZero(-13, 9), -1); // -1.44 -> -1
}

TEST(IntegerArith, ScaleHalfAwayFromZero) {
  // 2^30 / 2^31 = 0.5: 3 * 0.5 = 1.5 -> 2, -3 * 0.5 = -1.5 -> -2.
  EXPECT_EQ(scaleHalfAwayFromZero(3, 1 << 30, 31), 2);
  EXPECT_EQ(scaleHalfAwayFromZero(-3, 1 << 30, 31), -2);
  // 0.75: 5 * 0.75 = 3.75 -> 4; -5 -> -4; 2 * 0.75 = 1.5 -> 2.
  EXPECT_EQ(scaleHalfAwayFromZero(5, 3 << 29, 31), 4);
  EXPECT_EQ(scaleHalfAwayFromZero(-5, 3 << 29, 31), -4);
  EXPECT_EQ(scaleHalfAwayFromZero(2, 3 << 29, 31), 2);
  // Shift 0 is a plain product.
  EXPECT_EQ(scaleHalfAwayFromZero(-7, 3, 0), -21);
  // The largest accumulator times the largest multiplier does not overflow:
  // (2^31 - 1) * (2^31 - 1) / 2^62 = 0.99999... -> 1.
  EXPECT_EQ(scaleHalfAwayFromZero(INT32_MAX, INT32_MAX, 62), 1);
  EXPECT_EQ(scaleHalfAwayFromZero(INT32_MIN, INT32_MAX, 62), -1);
}

TEST(IntegerArith, ScaleHalfUpMatchesTosaSingleRound) {
  // Ties go toward +infinity: -3 * 0.5 = -1.5 -> -1, 3 * 0.5 -> 2.
  EXPECT_EQ(scaleHalfUp(3, 1 << 30, 31), 2);
  EXPECT_EQ(scaleHalfUp(-3, 1 << 30, 31), -1);
  EXPECT_EQ(scaleHalfUp(-5, 3 << 29, 31), -4); // -3.75 -> -4
  // 1000 * 1518500250 / 2^38 = 5.524 -> 6; -5.524 -> -6.
  EXPECT_EQ(scaleHalfUp(1000, 1518500250, 38), 6);
  EXPECT_EQ(scaleHalfUp(-1000, 1518500250, 38), -6);
}

TEST(IntegerArith, Saturate) {
  EXPECT_EQ(saturate(200, -128, 127), 127);
  EXPECT_EQ(saturate(-200, -128, 127), -128);
  EXPECT_EQ(saturate(5, -128, 127), 5);
  EXPECT_EQ(saturate(-9, -8, 7), -8); // 4-bit
  EXPECT_EQ(saturate(300, 0, 255), 255);
}

TEST(IntegerArith, WrapInt32) {
  EXPECT_EQ(wrapInt32(int64_t(INT32_MAX) + 1), INT32_MIN);
  EXPECT_EQ(wrapInt32(int64_t(INT32_MIN) - 1), INT32_MAX);
  EXPECT_EQ(wrapInt32(-5), -5);
  EXPECT_EQ(wrapInt32(int64_t(1) << 32), 0);
}

TEST(IntegerArith, QuantizeValue) {
  // x / 0.5 = 2.5 -> 3 (half away), + zp 1 = 4.
  EXPECT_EQ(quantizeValue(1.25f, 0.5, 1, -128, 127), 4);
  EXPECT_EQ(quantizeValue(-1.25f, 0.5, 1, -128, 127), -2);
  EXPECT_EQ(quantizeValue(100.0f, 0.1, 0, -128, 127), 127);
  EXPECT_EQ(quantizeValue(-100.0f, 0.1, 0, -8, 7), -8);
  EXPECT_EQ(quantizeValue(0.7f, 0.25, 0, 0, 255), 3); // 2.8 -> 3
}

TEST(IntegerArith, SplitHighLowIsExact) {
  int64_t hb, lb;
  splitHighLow(0b10110111, 4, hb, lb); // 183 = 11 * 16 + 7
  EXPECT_EQ(hb, 11);
  EXPECT_EQ(lb, 7);
  splitHighLow(-183, 4, hb, lb); // sign-magnitude: -11, -7
  EXPECT_EQ(hb, -11);
  EXPECT_EQ(lb, -7);
  for (int64_t q = -128; q <= 255; ++q)
    for (int64_t low = 1; low < 8; ++low) {
      splitHighLow(q, low, hb, lb);
      EXPECT_EQ(hb * (int64_t(1) << low) + lb, q);
      EXPECT_LT(lb < 0 ? -lb : lb, int64_t(1) << low);
    }
}

TEST(IntegerArith, QuantizeTieRounding) {
  // 2.5 and -2.5 are ties; 2.4 is not.
  EXPECT_EQ(quantizeValue(2.5f, 1.0, 0, -128, 127), 3);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0, 0, -128, 127), -3);
  EXPECT_EQ(quantizeValue(2.5f, 1.0, 0, -128, 127, TieRounding::ToEven), 2);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0, 0, -128, 127, TieRounding::ToEven), -2);
  EXPECT_EQ(quantizeValue(3.5f, 1.0, 0, -128, 127, TieRounding::ToEven), 4);
  EXPECT_EQ(quantizeValue(2.5f, 1.0, 0, -128, 127, TieRounding::Up), 3);
  EXPECT_EQ(quantizeValue(-2.5f, 1.0, 0, -128, 127, TieRounding::Up), -2);
  EXPECT_EQ(quantizeValue(2.4f, 1.0, 0, -128, 127, TieRounding::ToEven), 2);
}
