//===- TopK.cpp - top-k ---------------------------------------------------===//
//
// TopK by rank counting: sorted, ties in index order, as the reference.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::lowering;

namespace {

/// top_k: the rank of every element along the axis (how many elements come
/// before it: larger ones, or for largest = false smaller ones, and equal
/// ones at lower indices), then each element whose rank is below k is
/// placed at its rank. Always sorted, ties in index order, as the
/// reference; O(n^2) per row, which suits the small axes TopK runs on.
struct TopKLowering : public OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!isStatic(input) || !isStatic(op.getValues()))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    RankedTensorType type = tensorOf(input);
    int64_t rank = type.getRank(), axis = static_cast<int64_t>(op.getAxis());
    int64_t k = static_cast<int64_t>(op.getK());
    bool largest = op.getLargest();
    Kind kind = kindOf(elementOf(op.getInput()));
    auto valuesType =
        cast<RankedTensorType>(signless(op.getValues().getType()));
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    Value values =
        filledTensor(rewriter, loc, valuesType,
                     constantOf(rewriter, loc, type.getElementType(), 0));
    Value indices =
        filledTensor(rewriter, loc, indicesType,
                     constantOf(rewriter, loc, rewriter.getI64Type(), 0));
    if (k == 0 || type.getNumElements() == 0) {
      rewriter.replaceOp(op, {values, indices});
      return success();
    }
    // Ranks: loops (dims..., j), j reducing over the axis.
    MLIRContext *ctx = getContext();
    SmallVector<AffineExpr> mine, other;
    for (int64_t d = 0; d < rank; ++d) {
      mine.push_back(getAffineDimExpr(d, ctx));
      other.push_back(getAffineDimExpr(d == axis ? rank : d, ctx));
    }
    auto ranksType = type.clone(rewriter.getI64Type());
    Value ranks =
        filledTensor(rewriter, loc, ranksType,
                     constantOf(rewriter, loc, rewriter.getI64Type(), 0));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    auto counted = linalg::GenericOp::create(
        rewriter, loc, TypeRange{ranksType}, ValueRange{input, input},
        ValueRange{ranks},
        ArrayRef<AffineMap>{AffineMap::get(rank + 1, 0, mine, ctx),
                            AffineMap::get(rank + 1, 0, other, ctx),
                            AffineMap::get(rank + 1, 0, mine, ctx)},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], y = args[1];
          Value i = linalg::IndexOp::create(b, l, axis);
          Value j = linalg::IndexOp::create(b, l, rank);
          Value before = compare(
              b, l, largest ? ComparePredicate::gt : ComparePredicate::lt, y, x,
              kind);
          Value equal = compare(b, l, ComparePredicate::eq, y, x, kind);
          Value earlier = arith::AndIOp::create(
              b, l, equal,
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::ult, j, i));
          Value counts = arith::OrIOp::create(b, l, before, earlier);
          Value one = arith::ExtUIOp::create(b, l, b.getI64Type(), counts);
          linalg::YieldOp::create(
              b, l, Value(arith::AddIOp::create(b, l, args[2], one)));
        });
    Value rankOf = counted.getResult(0);
    // Placement: a loop nest over the input.
    SmallVector<Value> lbs, ubs, steps;
    for (int64_t size : type.getShape()) {
      lbs.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
      ubs.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
      steps.push_back(arith::ConstantIndexOp::create(rewriter, loc, 1));
    }
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{values, indices},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange iter) {
          Value r = tensor::ExtractOp::create(b, l, rankOf, iv);
          Value inTop =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::slt, r,
                                    constantOf(b, l, b.getI64Type(), k));
          auto branch = scf::IfOp::create(
              b, l, TypeRange{iter[0].getType(), iter[1].getType()}, inTop,
              /*withElseRegion=*/true);
          {
            OpBuilder::InsertionGuard guard(b);
            b.setInsertionPointToStart(branch.thenBlock());
            SmallVector<Value> at(iv);
            at[axis] = arith::IndexCastOp::create(b, l, b.getIndexType(), r);
            Value x = tensor::ExtractOp::create(b, l, input, iv);
            Value index =
                arith::IndexCastOp::create(b, l, b.getI64Type(), iv[axis]);
            Value v = tensor::InsertOp::create(b, l, x, iter[0], at);
            Value n = tensor::InsertOp::create(b, l, index, iter[1], at);
            scf::YieldOp::create(b, l, ValueRange{v, n});
            b.setInsertionPointToStart(branch.elseBlock());
            scf::YieldOp::create(b, l, ValueRange{iter[0], iter[1]});
          }
          return scf::ValueVector{branch.getResult(0), branch.getResult(1)};
        });
    rewriter.replaceOp(op, nest.results);
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateTopKLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<TopKLowering>(converter, patterns.getContext());
}
