//===- ShapesTest.cpp - unit tests of the optc shape rules ----------------===//
//
// The shape rules are shared by inference, verification and lowering, so
// they are tested directly, including their unknown-size propagation and
// their diagnostics.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcShapes.h"

#include "mlir/IR/BuiltinTypeInterfaces.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <functional>

using namespace mlir;
using namespace mlir::optc;
using shape::Shape;

namespace {
constexpr int64_t kDyn = ShapedType::kDynamic;

/// Runs a rule with a diagnostic sink and keeps the message it reports.
class ShapeRuleTest : public ::testing::Test {
protected:
  MLIRContext context;
  std::string message;
  std::unique_ptr<ScopedDiagnosticHandler> handler;

  void SetUp() override {
    handler = std::make_unique<ScopedDiagnosticHandler>(
        &context, [this](Diagnostic &diag) {
          message = diag.str();
          return success();
        });
  }
  std::function<InFlightDiagnostic()> emit = [this] {
    return emitError(UnknownLoc::get(&context));
  };
  shape::EmitErrorFn sink() { return emit; }
};

/// Owns the arrays a shape::Window refers to.
struct OwnedWindow {
  SmallVector<int64_t> strides, dilations, padding;
  operator shape::Window() const { return {strides, dilations, padding}; }
};
} // namespace

TEST_F(ShapeRuleTest, BroadcastAlignsFromTheRight) {
  EXPECT_EQ(*shape::broadcast({{2, 1, 4}, {3, 1}}, sink()), Shape({2, 3, 4}));
  EXPECT_EQ(*shape::broadcast({{}, {5}}, sink()), Shape({5}));
  EXPECT_EQ(*shape::broadcast({{7}, {1}, {7}}, sink()), Shape({7}));
}

TEST_F(ShapeRuleTest, BroadcastPropagatesUnknownSizes) {
  // An unknown size against 1 stays unknown; against a known size > 1 it
  // must be that size.
  EXPECT_EQ(*shape::broadcast({{kDyn}, {1}}, sink()), Shape({kDyn}));
  EXPECT_EQ(*shape::broadcast({{kDyn}, {4}}, sink()), Shape({4}));
  EXPECT_EQ(*shape::broadcast({{kDyn, 3}, {kDyn, 1}}, sink()),
            Shape({kDyn, 3}));
}

TEST_F(ShapeRuleTest, BroadcastRejectsConflicts) {
  EXPECT_TRUE(failed(shape::broadcast({{2, 3}, {4, 3}}, sink())));
  EXPECT_NE(message.find("not broadcast-compatible"), std::string::npos)
      << message;
  // Without a sink nothing is reported, and the rule still fails.
  message.clear();
  EXPECT_TRUE(failed(shape::broadcast({{2}, {3}}, nullptr)));
  EXPECT_TRUE(message.empty());
}

TEST_F(ShapeRuleTest, MatmulFollowsNumpy) {
  EXPECT_EQ(*shape::matmul({4, 5}, {5, 6}, sink()), Shape({4, 6}));
  EXPECT_EQ(*shape::matmul({5}, {5, 6}, sink()), Shape({6}));
  EXPECT_EQ(*shape::matmul({4, 5}, {5}, sink()), Shape({4}));
  EXPECT_EQ(*shape::matmul({5}, {5}, sink()), Shape({}));
  EXPECT_EQ(*shape::matmul({8, 1, 3, 4}, {7, 4, 2}, sink()),
            Shape({8, 7, 3, 2}));
  EXPECT_EQ(*shape::matmul({kDyn, 3, 4}, {4, kDyn}, sink()),
            Shape({kDyn, 3, kDyn}));
  EXPECT_TRUE(failed(shape::matmul({4, 5}, {6, 7}, sink())));
  EXPECT_NE(message.find("contracting dimensions differ"), std::string::npos);
  EXPECT_TRUE(failed(shape::matmul({2, 4, 5}, {3, 5, 7}, sink())));
}

TEST_F(ShapeRuleTest, ConvOutputSizes) {
  OwnedWindow w{{2, 2}, {1, 1}, {3, 3, 3, 3}};
  // ResNet stem: 224 -> 112 with a 7x7 kernel, stride 2, pad 3.
  EXPECT_EQ(*shape::conv({1, 3, 224, 224}, {64, 3, 7, 7}, w, 1, sink()),
            Shape({1, 64, 112, 112}));
  // Depthwise with dilation 2 and no padding: 10 - 2*(3-1) = 6.
  OwnedWindow d{{1}, {2}, {0, 0}};
  EXPECT_EQ(*shape::conv({2, 8, 10}, {8, 1, 3}, d, 8, sink()),
            Shape({2, 8, 6}));
  EXPECT_TRUE(failed(shape::conv({1, 6, 5, 5}, {4, 4, 3, 3}, w, 2, sink())));
  EXPECT_NE(message.find("input channels per group"), std::string::npos)
      << message;
}

TEST_F(ShapeRuleTest, ConvTransposeOutputSizes) {
  OwnedWindow w{{2, 2}, {1, 1}, {1, 1, 1, 1}};
  EXPECT_EQ(
      *shape::convTranspose({1, 8, 16, 16}, {8, 4, 3, 3}, w, {1, 1}, 1, sink()),
      Shape({1, 4, 32, 32}));
  EXPECT_EQ(
      *shape::convTranspose({1, 8, 16, 16}, {8, 2, 3, 3}, w, {0, 0}, 2, sink()),
      Shape({1, 4, 31, 31}));
  EXPECT_TRUE(failed(shape::convTranspose({1, 8, 16, 16}, {8, 4, 3, 3}, w,
                                          {2, 2}, 1, sink())));
}

TEST_F(ShapeRuleTest, PoolCeilModeDropsWindowsStartingInPadding) {
  OwnedWindow w{{2}, {1}, {0, 0}};
  EXPECT_EQ(*shape::pool({1, 1, 5}, {2}, w, false, sink()), Shape({1, 1, 2}));
  EXPECT_EQ(*shape::pool({1, 1, 5}, {2}, w, true, sink()), Shape({1, 1, 3}));
  // With a high pad of 1, rounding up gives a third window; it starts at 4,
  // inside the input, so it stays.
  OwnedWindow p{{2}, {1}, {0, 1}};
  EXPECT_EQ(*shape::pool({1, 1, 5}, {2}, p, true, sink()), Shape({1, 1, 3}));
  // Size 4 with a high pad of 1: rounding up gives a third window starting
  // at 4, entirely in the padding, so it is dropped.
  EXPECT_EQ(*shape::pool({1, 1, 4}, {2}, p, true, sink()), Shape({1, 1, 2}));
  EXPECT_TRUE(failed(shape::pool({1, 1, 4}, {2}, OwnedWindow{{1}, {1}, {2, 0}},
                                 false, sink())));
}

TEST_F(ShapeRuleTest, ReduceAndArgReduce) {
  EXPECT_EQ(*shape::reduce({2, 3, 4}, {0, 2}, false, sink()), Shape({3}));
  EXPECT_EQ(*shape::reduce({2, 3, 4}, {0, 2}, true, sink()), Shape({1, 3, 1}));
  EXPECT_EQ(*shape::reduce({2, 3}, {}, false, sink()), Shape({2, 3}));
  EXPECT_TRUE(failed(shape::reduce({2, 3}, {1, 0}, false, sink())));
  EXPECT_TRUE(failed(shape::reduce({2, 3}, {2}, false, sink())));
  EXPECT_EQ(*shape::argReduce({4, 10}, 1, false, sink()), Shape({4}));
  EXPECT_TRUE(failed(shape::argReduce({4, 0}, 1, false, sink())));
}

TEST_F(ShapeRuleTest, ReshapeComputesOneDimension) {
  EXPECT_EQ(*shape::reshape({2, 3, 4}, {-1, 4}, sink()), Shape({6, 4}));
  EXPECT_EQ(*shape::reshape({kDyn, 4}, {-1, 2}, sink()), Shape({kDyn, 2}));
  EXPECT_EQ(*shape::reshape({0, 4}, {0, 8}, sink()), Shape({0, 8}));
  EXPECT_TRUE(failed(shape::reshape({2, 3}, {-1, -1}, sink())));
  EXPECT_TRUE(failed(shape::reshape({2, 3}, {4, -1}, sink())));
  EXPECT_TRUE(failed(shape::reshape({2, 3}, {5}, sink())));
}

TEST_F(ShapeRuleTest, SliceWithNegativeStrides) {
  // Elements 7, 6, ..., 0 of 8.
  EXPECT_EQ(*shape::slice({8}, {7}, {-1}, {-1}, sink()), Shape({8}));
  // Elements 7, 5, 3.
  EXPECT_EQ(*shape::slice({8}, {7}, {2}, {-2}, sink()), Shape({3}));
  EXPECT_EQ(*shape::slice({8}, {1}, {8}, {3}, sink()), Shape({3}));
  EXPECT_EQ(*shape::slice({0}, {-1}, {-1}, {-1}, sink()), Shape({0}));
  // Bounds past the end are clamped.
  EXPECT_EQ(*shape::slice({8}, {0}, {9}, {1}, sink()), Shape({8}));
  EXPECT_TRUE(failed(shape::slice({8}, {0}, {4}, {0}, sink())));
}

TEST_F(ShapeRuleTest, PadLimitsAndCropping) {
  EXPECT_EQ(*shape::pad({3, 4}, {1, -1}, {0, 2}, shape::PadLimit::None, sink()),
            Shape({4, 5}));
  EXPECT_EQ(*shape::pad({3}, {2}, {2}, shape::PadLimit::Reflect, sink()),
            Shape({7}));
  EXPECT_TRUE(
      failed(shape::pad({3}, {3}, {0}, shape::PadLimit::Reflect, sink())));
  EXPECT_EQ(*shape::pad({3}, {3}, {0}, shape::PadLimit::Wrap, sink()),
            Shape({6}));
  EXPECT_TRUE(
      failed(shape::pad({3}, {-4}, {0}, shape::PadLimit::None, sink())));
}

TEST_F(ShapeRuleTest, ConcatSplitTile) {
  EXPECT_EQ(*shape::concat({{2, 3}, {2, 5}}, 1, sink()), Shape({2, 8}));
  EXPECT_EQ(*shape::concat({{kDyn, 3}, {2, 3}}, 0, sink()), Shape({kDyn, 3}));
  EXPECT_EQ(*shape::concat({{kDyn, 3}, {2, 3}}, 1, sink()), Shape({2, 6}));
  EXPECT_TRUE(failed(shape::concat({{2, 3}, {3, 3}}, 1, sink())));
  auto pieces = shape::split({4, 8}, 1, {2, 6}, sink());
  ASSERT_TRUE(succeeded(pieces));
  EXPECT_EQ((*pieces)[1], Shape({4, 6}));
  EXPECT_TRUE(failed(shape::split({4, 8}, 1, {2, 5}, sink())));
  EXPECT_EQ(*shape::tile({2, kDyn}, {3, 0}, sink()), Shape({6, 0}));
}

TEST_F(ShapeRuleTest, GatherFamilies) {
  EXPECT_EQ(*shape::gather({50, 8}, {2, 3}, 0, sink()), Shape({2, 3, 8}));
  EXPECT_EQ(*shape::gather({4, 5, 6}, {}, 1, sink()), Shape({4, 6}));
  EXPECT_EQ(*shape::gatherElements({3, 4}, {3, 2}, 1, sink()), Shape({3, 2}));
  EXPECT_EQ(*shape::gatherNd({4, 5, 6}, {3, 2}, 0, sink()), Shape({3, 6}));
  EXPECT_EQ(*shape::gatherNd({2, 5, 6}, {2, 3, 1}, 1, sink()),
            Shape({2, 3, 6}));
  EXPECT_TRUE(failed(shape::gatherNd({4, 5}, {3, 3}, 0, sink())));
  EXPECT_TRUE(succeeded(shape::scatterNd({8}, {4, 1}, {4}, sink())));
  EXPECT_TRUE(failed(shape::scatterNd({8}, {4, 1}, {5}, sink())));
  EXPECT_TRUE(
      succeeded(shape::scatterElements({3, 3}, {2, 3}, {2, 3}, 0, sink())));
  EXPECT_TRUE(
      failed(shape::scatterElements({3, 3}, {2, 3}, {3, 3}, 0, sink())));
}

TEST(ShapeStrings, PrintsUnknownSizes) {
  EXPECT_EQ(shape::str({2, kDyn, 3}), "2x?x3");
  EXPECT_EQ(shape::str({}), "[]");
  EXPECT_EQ(shape::numElements({2, 3}), 6);
  EXPECT_EQ(shape::numElements({2, kDyn}), std::nullopt);
}

TEST_F(ShapeRuleTest, OverflowIsAnErrorNotAWrongShape) {
  constexpr int64_t big = int64_t(1) << 62;
  EXPECT_TRUE(failed(shape::tile({big}, {4}, sink())));
  EXPECT_NE(message.find("overflows int64"), std::string::npos) << message;
  EXPECT_TRUE(failed(shape::reshape({4}, {big, 8}, sink())));
  EXPECT_TRUE(
      failed(shape::pad({big}, {big}, {big}, shape::PadLimit::None, sink())));
  OwnedWindow huge{{1}, {big}, {0, 0}};
  EXPECT_TRUE(failed(shape::pool({1, 1, 8}, {8}, huge, false, sink())));
  OwnedWindow stride{{big}, {1}, {0, 0}};
  EXPECT_TRUE(failed(
      shape::convTranspose({1, 1, 8}, {1, 1, 1}, stride, {0}, 1, sink())));
  EXPECT_TRUE(failed(shape::slice(
      {8}, {7}, {-1}, {std::numeric_limits<int64_t>::min()}, sink())));
  EXPECT_EQ(shape::numElements({big, 4}), std::nullopt);
  constexpr int64_t max = std::numeric_limits<int64_t>::max();
  constexpr int64_t min = std::numeric_limits<int64_t>::min();
  OwnedWindow hugePads{{1}, {1}, {max, max}};
  EXPECT_TRUE(failed(
      shape::convTranspose({1, 1, 4}, {1, 1, 2}, hugePads, {0}, 1, sink())));
  OwnedWindow plain{{1}, {1}, {0, 0}};
  EXPECT_TRUE(failed(
      shape::convTranspose({1, kDyn, 4}, {2, big, 1}, plain, {0}, 4, sink())));
  EXPECT_TRUE(failed(shape::split({0}, 0, {max, max, 2}, sink())));
  EXPECT_TRUE(failed(shape::split({kDyn}, 0, {max, max, 2}, sink())));
  EXPECT_TRUE(
      failed(shape::pad({5}, {min}, {max}, shape::PadLimit::None, sink())));
}

TEST_F(ShapeRuleTest, SliceClampsLikeNumpy) {
  constexpr int64_t max = std::numeric_limits<int64_t>::max();
  constexpr int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_EQ(*shape::slice({8}, {2}, {max}, {1}, sink()), Shape({6}));
  EXPECT_EQ(*shape::slice({8}, {5}, {2}, {1}, sink()), Shape({0}));
  EXPECT_EQ(*shape::slice({8}, {100}, {min}, {-3}, sink()), Shape({3}));
  EXPECT_EQ(*shape::slice({kDyn}, {1}, {max}, {1}, sink()), Shape({kDyn}));
}

TEST_F(ShapeRuleTest, NormalisationWithUnknownSizes) {
  SmallVector<int64_t> unknown{kDyn}, one{1};
  // Nobody knows the normalised size: accepted, checked at run time.
  EXPECT_TRUE(succeeded(shape::normalizedParams(
      {2, kDyn}, 1, {{"scale", unknown}, {"bias", one}}, sink())))
      << message;
  EXPECT_TRUE(succeeded(shape::broadcastTo({kDyn, 3}, {4, kDyn}, sink())));
}

TEST_F(ShapeRuleTest, NormalisationParametersAgreeWithEachOther) {
  SmallVector<int64_t> s768{768}, s512{512}, s1x768{1, 768}, s64{64};
  // The input does not know the normalised size; the parameters fix it.
  EXPECT_TRUE(succeeded(shape::normalizedParams(
      {2, kDyn}, 0, {{"scale", s768}, {"bias", s1x768}}, sink())));
  // A parameter of higher rank than the normalised shape is refused.
  EXPECT_TRUE(failed(shape::normalizedParams(
      {2, kDyn}, 1, {{"scale", s768}, {"bias", s1x768}}, sink())));
  EXPECT_TRUE(failed(shape::normalizedParams(
      {2, kDyn}, 1, {{"scale", s768}, {"bias", s512}}, sink())));
  EXPECT_NE(message.find("bias of shape 512"), std::string::npos) << message;
  // Per-channel parameters give the channel count the input leaves unknown.
  EXPECT_EQ(*shape::channelParams({1, kDyn, 4}, {{"scale", s64}}, sink()), 64);
  EXPECT_TRUE(failed(shape::channelParams(
      {1, kDyn, 4}, {{"scale", s64}, {"bias", s512}}, sink())));
  EXPECT_TRUE(
      failed(shape::channelParams({1, 32, 4}, {{"scale", s64}}, sink())));
}
