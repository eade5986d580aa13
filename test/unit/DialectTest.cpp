//===- DialectTest.cpp - unit tests of the optc dialect's C++ API ---------===//
//
// Builds optc ops through the C++ API the importer uses: result types come
// from inference, folders run through createOrFold, and declared types are
// accepted when they differ from inferred ones only in unknown sizes.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::optc;

namespace {
class DialectTest : public ::testing::Test {
protected:
  DialectTest() : builder(&context) {
    context.loadDialect<OptcDialect, func::FuncDialect>();
    module = ModuleOp::create(builder.getUnknownLoc());
    builder.setInsertionPointToEnd(module->getBody());
  }

  /// A block argument of the given type, to use as an operand.
  Value arg(ArrayRef<int64_t> shape, Type element) {
    if (!block)
      block = std::make_unique<Block>();
    return block->addArgument(RankedTensorType::get(shape, element),
                              builder.getUnknownLoc());
  }

  MLIRContext context;
  OpBuilder builder;
  // Declared before the module so that the ops using its arguments are
  // destroyed first.
  std::unique_ptr<Block> block;
  OwningOpRef<ModuleOp> module;
};
} // namespace

TEST_F(DialectTest, BuildersInferBroadcastResults) {
  Value x = arg({2, 1, 4}, builder.getF32Type());
  Value y = arg({3, 1}, builder.getF32Type());
  auto add = AddOp::create(builder, builder.getUnknownLoc(), x, y);
  EXPECT_EQ(add.getType(),
            RankedTensorType::get({2, 3, 4}, builder.getF32Type()));
  auto cmp = CompareOp::create(builder, builder.getUnknownLoc(),
                               ComparePredicate::lt, x, y);
  EXPECT_EQ(cmp.getType().getElementType(), builder.getI1Type());
  EXPECT_TRUE(succeeded(verify(add)));
  EXPECT_TRUE(succeeded(verify(cmp)));
}

TEST_F(DialectTest, InferenceReportsBrokenRules) {
  Value x = arg({2, 3}, builder.getF32Type());
  Value y = arg({4, 3}, builder.getF32Type());
  SmallVector<Type> types;
  std::string message;
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    message = diag.str();
    return success();
  });
  EXPECT_TRUE(failed(AddOp::inferReturnTypes(
      &context, builder.getUnknownLoc(), {x, y}, nullptr, nullptr, {}, types)));
  EXPECT_NE(message.find("'optc.add' op shapes 2x3 and 4x3 are not "
                         "broadcast-compatible"),
            std::string::npos)
      << message;
}

TEST_F(DialectTest, CompatibleShapesDifferOnlyInUnknownSizes) {
  Type f32 = builder.getF32Type();
  auto dyn = RankedTensorType::get({ShapedType::kDynamic, 3}, f32);
  auto stat = RankedTensorType::get({5, 3}, f32);
  auto other = RankedTensorType::get({5, 4}, f32);
  EXPECT_TRUE(areCompatibleShapes(TypeRange{stat}, TypeRange{dyn}));
  EXPECT_TRUE(areCompatibleShapes(TypeRange{dyn}, TypeRange{stat}));
  EXPECT_FALSE(areCompatibleShapes(TypeRange{other}, TypeRange{dyn}));
  EXPECT_FALSE(areCompatibleShapes(TypeRange{other}, TypeRange{stat}));
  EXPECT_FALSE(areCompatibleShapes(
      TypeRange{RankedTensorType::get({5, 3}, builder.getF16Type())},
      TypeRange{dyn}));
  EXPECT_FALSE(areCompatibleShapes(
      TypeRange{RankedTensorType::get({5, 3, 1}, f32)}, TypeRange{stat}));
}

TEST_F(DialectTest, IntegerElementTypes) {
  EXPECT_TRUE(isIntegerElementType(builder.getIntegerType(8)));
  EXPECT_TRUE(isIntegerElementType(builder.getIntegerType(4, false)));
  EXPECT_FALSE(isIntegerElementType(builder.getI1Type()));
  EXPECT_FALSE(isIntegerElementType(builder.getIntegerType(8, true)));
  EXPECT_FALSE(isIntegerElementType(builder.getF32Type()));
}

TEST_F(DialectTest, FoldersRunThroughCreateOrFold) {
  auto type = RankedTensorType::get({4}, builder.getI32Type());
  Location loc = builder.getUnknownLoc();
  Value a = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(type, ArrayRef<int32_t>{1, 2, 3, 4}));
  Value b = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(type, ArrayRef<int32_t>{10, 20, 30, 40}));
  Value sum = builder.createOrFold<AddOp>(loc, a, b);
  auto folded = sum.getDefiningOp<ConstantOp>();
  ASSERT_TRUE(folded);
  auto values = cast<DenseElementsAttr>(folded.getValue()).getValues<int32_t>();
  EXPECT_EQ(std::vector<int32_t>(values.begin(), values.end()),
            (std::vector<int32_t>{11, 22, 33, 44}));
  // Unsigned division folds as unsigned: 0xFFFFFFFF / 2.
  auto utype = RankedTensorType::get({1}, builder.getIntegerType(32, false));
  Value u = ConstantOp::create(
      builder, loc,
      DenseElementsAttr::get(utype, ArrayRef<uint32_t>{0xFFFFFFFFu}));
  Value two = ConstantOp::create(
      builder, loc, DenseElementsAttr::get(utype, ArrayRef<uint32_t>{2u}));
  Value q = builder.createOrFold<DivOp>(loc, u, two);
  auto qc = q.getDefiningOp<ConstantOp>();
  ASSERT_TRUE(qc);
  EXPECT_EQ(
      *cast<DenseElementsAttr>(qc.getValue()).getValues<uint32_t>().begin(),
      0x7FFFFFFFu);
}

TEST_F(DialectTest, ParsedFusionVerifies) {
  const char *text = R"mlir(
    func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
      %r = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
        %e = optc.exp %a : tensor<4xf32>
        optc.yield %e : tensor<4xf32>
      }
      return %r : tensor<4xf32>
    })mlir";
  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(text, &context);
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(succeeded(verify(*parsed)));
}
