//===- EvaluatorTest.cpp - reference evaluator on hand-computed cases -----===//

#include "cgnet/Dialect/CGNet/IR/CGNetDialect.h"
#include "cgnet/Reference/Evaluator.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Quant/IR/Quant.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Parser/Parser.h"
#include <gtest/gtest.h>
#include <cmath>
#include <random>

using namespace mlir;
using namespace cgnet::ref;

namespace {

class EvaluatorTest : public ::testing::Test {
protected:
  EvaluatorTest() {
    context.loadDialect<cgnet::CGNetDialect, arith::ArithDialect,
                        func::FuncDialect, quant::QuantDialect>();
  }

  /// Parses `source` and runs its only function on `inputs`.
  std::vector<Tensor> run(const std::string &source,
                          std::vector<Tensor> inputs,
                          std::vector<GateStats> *stats = nullptr) {
    module = parseSourceString<ModuleOp>(source, &context);
    EXPECT_TRUE(module);
    if (!module)
      return {};
    auto func = *module->getOps<func::FuncOp>().begin();
    auto result = evaluate(func, inputs, stats);
    EXPECT_TRUE(succeeded(result));
    return succeeded(result) ? *result : std::vector<Tensor>{};
  }

  MLIRContext context;
  OwningOpRef<ModuleOp> module;
};

Tensor ints(std::vector<int64_t> shape, std::vector<int32_t> values) {
  Tensor t = Tensor::ints(std::move(shape));
  t.i = std::move(values);
  return t;
}

TEST_F(EvaluatorTest, IntegerConvWithZeroPointsAndPadding) {
  // Input 1x1x2x2 with zero point 1, weight 1x1x2x2 (zero point 0), pad 1
  // on the bottom/right only: out[y][x] = sum over the 2x2 window.
  auto out = run(R"mlir(
    func.func @f(%x: tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:1>>) -> tensor<1x1x2x2xi32> {
      %w0 = arith.constant dense<[[[[1, 2], [3, 4]]]]> : tensor<1x1x2x2xi8>
      %w = quant.scast %w0 : tensor<1x1x2x2xi8> to tensor<1x1x2x2x!quant.uniform<i8:f32, 0.25>>
      %b = arith.constant dense<[10]> : tensor<1xi32>
      %y = cgnet.conv2d %x, %w, %b {padding = array<i64: 0, 0, 1, 1>}
        : (tensor<1x1x2x2x!quant.uniform<i8:f32, 0.5:1>>, tensor<1x1x2x2x!quant.uniform<i8:f32, 0.25>>, tensor<1xi32>) -> tensor<1x1x2x2xi32>
      return %y : tensor<1x1x2x2xi32>
    })mlir",
                 {ints({1, 1, 2, 2}, {3, 5, -1, 1})});
  // Centered input: [[2, 4], [-2, 0]].
  // (0,0): 2*1 + 4*2 + -2*3 + 0*4 = 4 -> 14
  // (0,1): 4*1 + 0*3 = 4 -> 14; (1,0): -2*1 + 0*2 = -2 -> 8; (1,1): 0 -> 10
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].i, (std::vector<int32_t>{14, 14, 8, 10}));
}

TEST_F(EvaluatorTest, RequantizePerChannelSaturates) {
  auto out = run(R"mlir(
    func.func @f(%a: tensor<1x2x1x2xi32>) -> tensor<1x2x1x2x!quant.uniform<i8:f32, 0.1:-3>> {
      %q = cgnet.requantize %a {multiplier = array<i32: 1073741824, 1610612736>, shift = array<i32: 31, 30>}
        : (tensor<1x2x1x2xi32>) -> tensor<1x2x1x2x!quant.uniform<i8:f32, 0.1:-3>>
      return %q : tensor<1x2x1x2x!quant.uniform<i8:f32, 0.1:-3>>
    })mlir",
                 {ints({1, 2, 1, 2}, {5, -5, 100, -7})});
  // Channel 0 scales by 0.5: 2.5 -> 3, -2.5 -> -3; plus zp -3: 0, -6.
  // Channel 1 scales by 1.5: 150 -> 147 - sat at 127; -10.5 -> -11 - 3 = -14.
  EXPECT_EQ(out[0].i, (std::vector<int32_t>{0, -6, 127, -14}));
}

TEST_F(EvaluatorTest, QuantizeDequantizePerAxis) {
  Tensor x = Tensor::floats({2, 2});
  x.f = {0.26f, -1.0f, 0.5f, 100.0f};
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2x2xf32>) -> (tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.5:2}>>, tensor<2x2xf32>) {
      %q = cgnet.quantize %x : (tensor<2x2xf32>) -> tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.5:2}>>
      %d = cgnet.dequantize %q : (tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.5:2}>>) -> tensor<2x2xf32>
      return %q, %d : tensor<2x2x!quant.uniform<i8:f32:0, {0.1, 0.5:2}>>, tensor<2x2xf32>
    })mlir",
                 {x});
  // Row 0 scale 0.1: 2.6 -> 3, -10. Row 1 scale 0.5 zp 2: 1 + 2 = 3,
  // 200 + 2 -> 127.
  EXPECT_EQ(out[0].i, (std::vector<int32_t>{3, -10, 3, 127}));
  EXPECT_FLOAT_EQ(out[1].f[0], 0.3f);
  EXPECT_FLOAT_EQ(out[1].f[3], 62.5f);
}

TEST_F(EvaluatorTest, ChannelGatedKeepsPartialSumWhereGateIsOff) {
  // 2 input channels, p = 2: the base path is channel 0. Weights are 1.
  // Output = x0 where x0 <= thr, x0 + x1 where x0 > thr.
  Tensor x = Tensor::floats({1, 2, 1, 3});
  x.f = {1.0f, 2.0f, 3.0f, 10.0f, 20.0f, 30.0f};
  std::vector<GateStats> stats;
  auto out = run(R"mlir(
    func.func @f(%x: tensor<1x2x1x3xf32>) -> tensor<1x1x1x3xf32> {
      %w = arith.constant dense<1.0> : tensor<1x2x1x1xf32>
      %t = arith.constant dense<[1.5]> : tensor<1xf32>
      %y = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 2 : i64}
        : (tensor<1x2x1x3xf32>, tensor<1x2x1x1xf32>, tensor<1xf32>) -> tensor<1x1x1x3xf32>
      return %y : tensor<1x1x1x3xf32>
    })mlir",
                 {x}, &stats);
  EXPECT_EQ(out[0].f, (std::vector<float>{1.0f, 22.0f, 33.0f}));
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].outputs, 3);
  EXPECT_EQ(stats[0].gateOn, 2);
}

/// With the lowest threshold both gated convolutions equal the dense one,
/// bit for bit, on random integer data.
TEST_F(EvaluatorTest, GatedConvolutionsWithLowestThresholdAreDense) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> act(0, 255), wt(-128, 127);
  Tensor x = Tensor::ints({1, 8, 5, 5});
  for (int32_t &v : x.i)
    v = act(rng);
  std::string w = "dense<[";
  for (int i = 0; i < 8 * 8 * 9; ++i)
    w += (i ? ", " : "") + std::to_string(wt(rng));
  w += "]>";
  std::string source = R"mlir(
    func.func @f(%x: tensor<1x8x5x5xui8>) -> (tensor<1x8x5x5xi32>, tensor<1x8x5x5xi32>, tensor<1x8x5x5xi32>) {
      %w0 = arith.constant )mlir" + w + R"mlir( : tensor<576xi8>
      %t = arith.constant dense<-2147483648> : tensor<8xi32>
      %w = cgnet.reshape %w0 : (tensor<576xi8>) -> tensor<8x8x3x3xi8>
      %dense = cgnet.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x8x5x5xui8>, tensor<8x8x3x3xi8>) -> tensor<1x8x5x5xi32>
      %cg = cgnet.channel_gated_conv2d %x, %w, %t {partitions = 4 : i64, grouped = true, padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x8x5x5xui8>, tensor<8x8x3x3xi8>, tensor<8xi32>) -> tensor<1x8x5x5xi32>
      %pg = cgnet.precision_gated_conv2d %x, %w, %t {bits = 8 : i64, high_bits = 3 : i64, padding = array<i64: 1, 1, 1, 1>}
        : (tensor<1x8x5x5xui8>, tensor<8x8x3x3xi8>, tensor<8xi32>) -> tensor<1x8x5x5xi32>
      return %dense, %cg, %pg : tensor<1x8x5x5xi32>, tensor<1x8x5x5xi32>, tensor<1x8x5x5xi32>
    })mlir";
  auto out = run(source, {x});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[1].i, out[0].i);
  EXPECT_EQ(out[2].i, out[0].i);
}

TEST_F(EvaluatorTest, PrecisionGatedOffKeepsShiftedHighBits) {
  // bits 5, high 3, low 2. Input 13 = 3 * 4 + 1, weight 1: msb = 3 << 2 =
  // 12, below the threshold 13, so the gate is off and the result is 12.
  // The input type holds 5-bit signed values.
  auto out = run(R"mlir(
    func.func @f(%x: tensor<1x1x1x2x!quant.uniform<i8<-16:15>:f32, 1.0>>) -> tensor<1x1x1x2xi32> {
      %w = arith.constant dense<1> : tensor<1x1x1x1xi8>
      %t = arith.constant dense<[13]> : tensor<1xi32>
      %y = cgnet.precision_gated_conv2d %x, %w, %t {bits = 5 : i64, high_bits = 3 : i64}
        : (tensor<1x1x1x2x!quant.uniform<i8<-16:15>:f32, 1.0>>, tensor<1x1x1x1xi8>, tensor<1xi32>) -> tensor<1x1x1x2xi32>
      return %y : tensor<1x1x1x2xi32>
    })mlir",
                 {ints({1, 1, 1, 2}, {13, 15})});
  // 15 = 3 * 4 + 3 also has msb 12: off, 12. Lowering the threshold to 12
  // would give 13 and 15.
  EXPECT_EQ(out[0].i, (std::vector<int32_t>{12, 12}));
}

TEST_F(EvaluatorTest, RejectsWrongInputShape) {
  module = parseSourceString<ModuleOp>(R"mlir(
    func.func @f(%x: tensor<1x2xf32>) -> tensor<1x2xf32> {
      return %x : tensor<1x2xf32>
    })mlir",
                                       &context);
  ASSERT_TRUE(module);
  std::string diag;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &d) {
    diag = d.str();
    return success();
  });
  auto func = *module->getOps<func::FuncOp>().begin();
  auto result = evaluate(func, {Tensor::floats({2, 2})});
  EXPECT_TRUE(failed(result));
  EXPECT_NE(diag.find("does not match the expected 1x2x"), std::string::npos)
      << diag;
}

TEST_F(EvaluatorTest, LeakyReluFloatAndInteger) {
  Tensor xf = Tensor::floats({1, 4});
  xf.f = {-2.0f, -0.5f, 0.0f, 3.0f};
  auto f = run(R"mlir(
    func.func @f(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
      %y = cgnet.leaky_relu %x {alpha = 0.25 : f32} : tensor<1x4xf32>
      return %y : tensor<1x4xf32>
    })mlir",
               {xf});
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].f, (std::vector<float>{-0.5f, -0.125f, 0.0f, 3.0f}));
  // Integer with zero point 2, alpha 0.2: v = q - 2; v < 0 -> round(0.2 v)
  // half away from zero: -7 -> -1.4 -> -1, -13 -> -2.6 -> -3, -10 -> -2;
  // saturating nothing here.
  auto i = run(R"mlir(
    func.func @f(%x: tensor<1x5x!quant.uniform<i8:f32, 0.5:2>>) -> tensor<1x5x!quant.uniform<i8:f32, 0.5:2>> {
      %y = cgnet.leaky_relu %x {alpha = 0.2 : f32} : tensor<1x5x!quant.uniform<i8:f32, 0.5:2>>
      return %y : tensor<1x5x!quant.uniform<i8:f32, 0.5:2>>
    })mlir",
               {ints({1, 5}, {-5, -11, -8, 2, 100})});
  ASSERT_EQ(i.size(), 1u);
  EXPECT_EQ(i[0].i, (std::vector<int32_t>{1, -1, 0, 2, 100}));
}

TEST_F(EvaluatorTest, SigmoidHardSigmoidAndChannelMul) {
  Tensor x = Tensor::floats({1, 2, 1, 2});
  x.f = {0.0f, 2.0f, -10.0f, 1.0f};
  Tensor sc = Tensor::floats({1, 2, 1, 1});
  sc.f = {3.0f, -1.0f};
  auto out = run(R"mlir(
    func.func @f(%x: tensor<1x2x1x2xf32>, %s: tensor<1x2x1x1xf32>)
        -> (tensor<1x2x1x2xf32>, tensor<1x2x1x2xf32>, tensor<1x2x1x2xf32>) {
      %a = cgnet.sigmoid %x : tensor<1x2x1x2xf32>
      %b = cgnet.hard_sigmoid %x {alpha = 0.2 : f32, beta = 0.5 : f32} : tensor<1x2x1x2xf32>
      %c = cgnet.mul %x, %s : (tensor<1x2x1x2xf32>, tensor<1x2x1x1xf32>) -> tensor<1x2x1x2xf32>
      return %a, %b, %c : tensor<1x2x1x2xf32>, tensor<1x2x1x2xf32>, tensor<1x2x1x2xf32>
    })mlir",
                 {x, sc});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_FLOAT_EQ(out[0].f[0], 0.5f);
  EXPECT_NEAR(out[0].f[1], 1.0 / (1.0 + std::exp(-2.0)), 1e-7);
  // 0.2 x + 0.5 clipped to [0, 1]: 0.5, 0.9, 0 (-1.5), 0.7.
  EXPECT_EQ(out[1].f, (std::vector<float>{0.5f, 0.9f, 0.0f, 0.7f}));
  // Channel 0 times 3, channel 1 times -1.
  EXPECT_EQ(out[2].f, (std::vector<float>{0.0f, 6.0f, 10.0f, -1.0f}));
}

} // namespace
