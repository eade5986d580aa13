//===- Contraction.cpp - matrix products to linalg.contract ---------------===//
//
// optc.matmul of any batch broadcasting becomes a linalg.contract, which
// the CPU target tiles and vectorises into register-blocked FMAs.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "optc/Support/Sizes.h"

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

struct MatmulLowering : public OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType resultType = op.getType();
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    RankedTensorType lhsType = tensorOf(lhs), rhsType = tensorOf(rhs);
    if (!resultType.hasStaticShape() || !lhsType.hasStaticShape() ||
        !rhsType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    // 1-D operands become a row (lhs) or a column (rhs).
    bool lhsVector = lhsType.getRank() == 1, rhsVector = rhsType.getRank() == 1;
    if (lhsVector)
      lhs =
          addUnitDims(rewriter, loc, lhs,
                      lhsType.clone({1, lhsType.getDimSize(0)}), {false, true});
    if (rhsVector)
      rhs =
          addUnitDims(rewriter, loc, rhs,
                      rhsType.clone({rhsType.getDimSize(0), 1}), {true, false});
    lhsType = tensorOf(lhs);
    rhsType = tensorOf(rhs);
    // The full result shape, with the dimensions 1-D operands removed.
    SmallVector<int64_t> full(resultType.getShape());
    if (lhsVector)
      full.insert(full.end() - (rhsVector ? 0 : 1), 1);
    if (rhsVector)
      full.push_back(1);
    int64_t rank = full.size(), batch = rank - 2;
    // 16-bit floats multiply into an f32 accumulator, rounded once at
    // the end (linalg.matmul and linalg.contract extend their inputs).
    Type resultElement = signless(resultType.getElementType());
    Type element =
        accumulatesWide(resultElement) ? rewriter.getF32Type() : resultElement;
    auto fullType = RankedTensorType::get(full, element);
    auto zeros = [&](RankedTensorType type) {
      return filledTensor(rewriter, loc, type,
                          constantOf(rewriter, loc, element, 0));
    };
    Value product;
    if (rhsType.getRank() == 2) {
      // One matrix for every batch (plain products, and x @ W of linear
      // layers): the batch dimensions fold into M, one linalg.matmul.
      ReassociationIndices leading;
      for (int64_t d = 0; d + 1 < rank; ++d)
        leading.push_back(d);
      // The result's sizes but the last: within the limits per tensor.
      std::optional<int64_t> rowCount =
          sizes::product(ArrayRef<int64_t>(full).drop_back());
      assert(rowCount && "a tensor within the limits per tensor");
      int64_t rows = *rowCount;
      SmallVector<ReassociationIndices> groups{leading, {rank - 1}};
      int64_t k = lhsType.getDimSize(lhsType.getRank() - 1);
      Value flatLhs =
          batch == 0
              ? lhs
              : Value(tensor::CollapseShapeOp::create(
                    rewriter, loc,
                    RankedTensorType::get({rows, k}, lhsType.getElementType()),
                    lhs, groups));
      auto flatType = RankedTensorType::get({rows, full[rank - 1]}, element);
      product = linalg::MatmulOp::create(rewriter, loc, TypeRange{flatType},
                                         ValueRange{flatLhs, rhs},
                                         ValueRange{zeros(flatType)})
                    .getResult(0);
      if (batch != 0)
        product = tensor::ExpandShapeOp::create(rewriter, loc, fullType,
                                                product, groups);
    } else {
      // Batch dimensions broadcast: each operand reads the result's batch
      // positions through its own projected map.
      Value init = zeros(fullType);
      MLIRContext *ctx = rewriter.getContext();
      auto operandMap = [&](Value &value, int64_t rowDim, int64_t colDim) {
        RankedTensorType type = tensorOf(value);
        int64_t operandBatch = type.getRank() - 2;
        SmallVector<bool> keep;
        SmallVector<AffineExpr> exprs;
        for (int64_t d = 0; d < operandBatch; ++d) {
          int64_t resultDim = batch - operandBatch + d;
          bool stretched = type.getDimSize(d) == 1 && full[resultDim] != 1;
          keep.push_back(!stretched);
          if (!stretched)
            exprs.push_back(getAffineDimExpr(resultDim, ctx));
        }
        keep.append({true, true});
        exprs.push_back(getAffineDimExpr(rowDim, ctx));
        exprs.push_back(getAffineDimExpr(colDim, ctx));
        value = dropUnitDims(rewriter, loc, value, keep);
        return AffineMap::get(rank + 1, 0, exprs, ctx);
      };
      // Loop dimensions: batch..., m, n, k (the last, a reduction).
      AffineMap lhsMap = operandMap(lhs, batch, rank);
      AffineMap rhsMap = operandMap(rhs, rank, batch + 1);
      AffineMap outMap =
          AffineMap::getMultiDimIdentityMap(rank + 1, ctx).getMajorSubMap(rank);
      SmallVector<utils::IteratorType> iterators(rank,
                                                 utils::IteratorType::parallel);
      iterators.push_back(utils::IteratorType::reduction);
      product =
          contraction(rewriter, loc, lhs, rhs, init, {lhsMap, rhsMap, outMap});
    }
    if (lhsVector || rhsVector) {
      SmallVector<bool> keep(rank, true);
      if (rhsVector)
        keep[rank - 1] = false;
      if (lhsVector)
        keep[rank - 2] = false;
      product = dropUnitDims(rewriter, loc, product, keep);
    }
    product = narrowFloats(rewriter, loc, product, resultElement);
    rewriter.replaceOp(op, product);
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateContractionLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<MatmulLowering>(converter, patterns.getContext());
}
