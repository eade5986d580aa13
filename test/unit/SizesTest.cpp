//===- SizesTest.cpp - unit tests of the checked size arithmetic ----------===//
//
// optc/Support/Sizes.h: every helper reports an int64 overflow as
// std::nullopt instead of a wrapped value, and checkTensorSize names the
// tensor, its type and the limit it exceeds.
//
//===----------------------------------------------------------------------===//

#include "optc/Support/Sizes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

#include <limits>

using namespace mlir;
using namespace mlir::optc;

namespace {
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
constexpr int64_t kDyn = ShapedType::kDynamic;

TEST(Sizes, LimitsAreDocumentedPowersOfTwo) {
  EXPECT_EQ(kMaxTensorElements, int64_t(1) << 40);
  EXPECT_EQ(kMaxTensorBytes, int64_t(1) << 42);
}

TEST(Sizes, AddAndMulReportOverflow) {
  EXPECT_EQ(sizes::add(2, 3), 5);
  EXPECT_EQ(sizes::add(kMax - 1, 1), kMax);
  EXPECT_EQ(sizes::add(kMax, 1), std::nullopt);
  EXPECT_EQ(sizes::add(kMin, -1), std::nullopt);
  EXPECT_EQ(sizes::mul(int64_t(1) << 31, int64_t(1) << 31), int64_t(1) << 62);
  EXPECT_EQ(sizes::mul(int64_t(1) << 32, int64_t(1) << 31), std::nullopt);
  EXPECT_EQ(sizes::mul(kMin, -1), std::nullopt);
}

TEST(Sizes, ProductOfSizes) {
  EXPECT_EQ(sizes::product({}), 1);
  EXPECT_EQ(sizes::product({2, 3, 4}), 24);
  EXPECT_EQ(sizes::product({0, 5}), 0);
  // 2^32 x 2^32 wraps to 0; 7 x 7905747460161236407 wraps to exactly 1.
  EXPECT_EQ(sizes::product({int64_t(1) << 32, int64_t(1) << 32}), std::nullopt);
  EXPECT_EQ(sizes::product({7, 7905747460161236407}), std::nullopt);
  // Once a 0 is in, later sizes cannot overflow the product.
  EXPECT_EQ(sizes::product({0, kMax, kMax}), 0);
  // An unknown or negative size has no product.
  EXPECT_EQ(sizes::product({2, kDyn}), std::nullopt);
  EXPECT_EQ(sizes::product({2, -3}), std::nullopt);
  EXPECT_EQ(sizes::numElements({4, 5}), 20);
}

TEST(Sizes, ExtentCountsZeroAsOne) {
  EXPECT_EQ(sizes::extent({}), 1);
  EXPECT_EQ(sizes::extent({2, 0, 3}), 6);
  EXPECT_EQ(sizes::extent({0, int64_t(1) << 40}), int64_t(1) << 40);
  // No elements, but sizes whose product overflows.
  EXPECT_EQ(sizes::extent({0, int64_t(1) << 62, 4}), std::nullopt);
  EXPECT_EQ(sizes::extent({kDyn}), std::nullopt);
}

TEST(Sizes, RowMajorStrides) {
  EXPECT_EQ(sizes::strides({}), SmallVector<int64_t>{});
  EXPECT_EQ(sizes::strides({2, 3, 4}), (SmallVector<int64_t>{12, 4, 1}));
  // A size 0 counts as 1, as --optc-cpu-legalize-empty-buffers needs.
  EXPECT_EQ(sizes::strides({5, 0, 7}), (SmallVector<int64_t>{7, 7, 1}));
  // The outermost stride is never formed from the outermost size.
  EXPECT_EQ(sizes::strides({kMax, 2}), (SmallVector<int64_t>{2, 1}));
  EXPECT_EQ(sizes::strides({2, int64_t(1) << 62, 4}), std::nullopt);
  EXPECT_EQ(sizes::strides({0, int64_t(1) << 62, int64_t(1) << 62}),
            std::nullopt);
  EXPECT_EQ(sizes::strides({2, kDyn}), std::nullopt);
}

TEST(Sizes, BytesOfElements) {
  // Whole bytes per element in memory.
  EXPECT_EQ(sizes::storageBytes(10, 32), 40);
  EXPECT_EQ(sizes::storageBytes(10, 1), 10);
  EXPECT_EQ(sizes::storageBytes(10, 4), 10);
  EXPECT_EQ(sizes::storageBytes(int64_t(1) << 61, 64), std::nullopt);
  EXPECT_EQ(sizes::storageBytes(-1, 8), std::nullopt);
  // Packed bit by bit.
  EXPECT_EQ(sizes::packedBytes(3, 4), 2);
  EXPECT_EQ(sizes::packedBytes(9, 1), 2);
  EXPECT_EQ(sizes::packedBytes(16, 32), 64);
  EXPECT_EQ(sizes::packedBytes(0, 4), 0);
  // elements * bits would overflow; the bytes do not.
  EXPECT_EQ(sizes::packedBytes(kMax, 4), kMax / 2 + 1);
  EXPECT_EQ(sizes::packedBytes(kMax, 16), std::nullopt);
}

TEST(Sizes, TripCounts) {
  EXPECT_EQ(sizes::tripCount(0, 10, 1), 10);
  EXPECT_EQ(sizes::tripCount(0, 10, 3), 4);
  EXPECT_EQ(sizes::tripCount(2, 10, 4), 2);
  EXPECT_EQ(sizes::tripCount(10, 10, 1), 0);
  EXPECT_EQ(sizes::tripCount(10, 0, 1), 0);
  // ub - lb overflows; ub - lb + step - 1 would for a large step.
  EXPECT_EQ(sizes::tripCount(kMin, kMax, 1), std::nullopt);
  EXPECT_EQ(sizes::tripCount(kMin, kMax, 2), std::nullopt); // 2^63
  EXPECT_EQ(sizes::tripCount(kMin, kMax, 4), int64_t(1) << 62);
  EXPECT_EQ(sizes::tripCount(0, kMax, kMax), 1);
  EXPECT_EQ(sizes::tripCount(-1, kMax, kMax), 2);
  EXPECT_EQ(sizes::tripCount(0, 10, 0), std::nullopt);
  EXPECT_EQ(sizes::tripCount(0, 10, -1), std::nullopt);
}

/// Keeps the message checkTensorSize reports.
class TensorSizeTest : public ::testing::Test {
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

  LogicalResult check(ArrayRef<int64_t> shape, Type element) {
    message.clear();
    return checkTensorSize(
        RankedTensorType::get(shape, element),
        [&] { return emitError(UnknownLoc::get(&context)); },
        "graph input 'x'");
  }
};

TEST_F(TensorSizeTest, WithinTheLimits) {
  Builder b(&context);
  EXPECT_TRUE(succeeded(check({}, b.getF32Type())));
  EXPECT_TRUE(succeeded(check({int64_t(1) << 40}, b.getI8Type())));
  EXPECT_TRUE(succeeded(check({int64_t(1) << 40}, b.getF32Type())));
  EXPECT_TRUE(succeeded(check({0, int64_t(1) << 40}, b.getI1Type())));
  EXPECT_TRUE(succeeded(check({kDyn, int64_t(1) << 20}, b.getF32Type())));
  EXPECT_TRUE(message.empty()) << message;
  EXPECT_TRUE(sizes::isWithinLimits(UnrankedTensorType::get(b.getF32Type())));
}

TEST_F(TensorSizeTest, ElementLimitNamesTheTensor) {
  Builder b(&context);
  EXPECT_TRUE(failed(check({(int64_t(1) << 40) + 1}, b.getI8Type())));
  EXPECT_EQ(message, "graph input 'x' has type 'tensor<1099511627777xi8>', "
                     "which exceeds optc's limit of 2^40 elements per tensor "
                     "(a dimension of size 0 counts as 1)");
  EXPECT_TRUE(
      failed(check({int64_t(1) << 32, int64_t(1) << 32}, b.getF32Type())));
  EXPECT_NE(message.find("tensor<4294967296x4294967296xf32>"),
            std::string::npos);
  // An empty tensor whose other sizes are huge.
  EXPECT_TRUE(failed(check({0, int64_t(1) << 62}, b.getF32Type())));
  // Unknown sizes count as 1.
  EXPECT_TRUE(failed(check({kDyn, int64_t(1) << 41}, b.getF32Type())));
  EXPECT_FALSE(sizes::isWithinLimits(
      RankedTensorType::get({int64_t(1) << 41}, b.getF32Type())));
}

TEST_F(TensorSizeTest, ByteLimitNamesTheTensor) {
  Builder b(&context);
  EXPECT_TRUE(failed(check({int64_t(1) << 40}, b.getF64Type())));
  EXPECT_EQ(message, "graph input 'x' has type 'tensor<1099511627776xf64>', "
                     "which exceeds optc's limit of 2^42 bytes per tensor");
  EXPECT_TRUE(
      failed(check({int64_t(1) << 39}, ComplexType::get(b.getF64Type()))));
  EXPECT_TRUE(succeeded(check({int64_t(1) << 39}, b.getF64Type())));
  EXPECT_EQ(sizes::elementBits(b.getIndexType()), 64u);
  EXPECT_EQ(sizes::elementBits(ComplexType::get(b.getF32Type())), 64u);
}

TEST_F(TensorSizeTest, NoDiagnosticWithoutACallback) {
  Builder b(&context);
  EXPECT_TRUE(failed(
      checkTensorSize(RankedTensorType::get({int64_t(1) << 41}, b.getF32Type()),
                      nullptr, "x")));
  EXPECT_TRUE(message.empty());
}
} // namespace
