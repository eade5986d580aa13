//===- Gathers.cpp - gathers and scatters ---------------------------------===//
//
// Gather, GatherElements, GatherND and the scatters read or write at
// positions given by index tensors, clamped into range (the importer checks
// the indices and reports those out of range at run time).
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

struct GatherLowering : public OpConversionPattern<GatherOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isStatic(op) || !isStatic(adaptor.getData()) ||
        !isStatic(adaptor.getIndices()))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    RankedTensorType type = op.getType();
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    int64_t indexRank = tensorOf(indices).getRank();
    int64_t size = tensorOf(data).getDimSize(axis);
    bool isUnsigned = elementOf(op.getIndices()).isUnsignedInteger();
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < indexRank; ++d)
      exprs.push_back(rewriter.getAffineDimExpr(axis + d));
    AffineMap map = AffineMap::get(type.getRank(), 0, exprs, getContext());
    Value result = indexedGeneric(
        rewriter, op.getLoc(), type, {indices}, {map},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange args) {
          SmallVector<Value> at(iv.begin(), iv.begin() + axis);
          at.push_back(normalizeIndex(b, l, args[0], size, isUnsigned));
          at.append(iv.begin() + axis + indexRank, iv.end());
          return tensor::ExtractOp::create(b, l, data, at).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherElementsLowering : public OpConversionPattern<GatherElementsOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherElementsOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isStatic(op) || !isStatic(adaptor.getData()))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    RankedTensorType type = op.getType();
    Value data = adaptor.getData();
    int64_t axis = static_cast<int64_t>(op.getAxis());
    int64_t size = tensorOf(data).getDimSize(axis);
    bool isUnsigned = elementOf(op.getIndices()).isUnsignedInteger();
    Value result = indexedGeneric(
        rewriter, op.getLoc(), type, {adaptor.getIndices()},
        {rewriter.getMultiDimIdentityMap(type.getRank())},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange args) {
          SmallVector<Value> at(iv);
          at[axis] = normalizeIndex(b, l, args[0], size, isUnsigned);
          return tensor::ExtractOp::create(b, l, data, at).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct GatherNdLowering : public OpConversionPattern<GatherNdOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(GatherNdOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices();
    if (!isStatic(op) || !isStatic(data) || !isStatic(indices))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    RankedTensorType type = op.getType(), dataType = tensorOf(data),
                     indexType = tensorOf(indices);
    int64_t batch = static_cast<int64_t>(op.getBatchDims());
    int64_t indexRank = indexType.getRank();
    int64_t q = indexType.getDimSize(indexRank - 1);
    bool isUnsigned = elementOf(op.getIndices()).isUnsignedInteger();
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, op.getLoc(), type));
      return success();
    }
    Value result = indexedGeneric(
        rewriter, op.getLoc(), type, {}, {},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange) {
          // iv: indices.shape[:-1] then data.shape[batch + q:].
          SmallVector<Value> at(iv.begin(), iv.begin() + batch);
          SmallVector<Value> tuple(iv.begin(), iv.begin() + (indexRank - 1));
          tuple.push_back(Value());
          for (int64_t j = 0; j < q; ++j) {
            tuple.back() = arith::ConstantIndexOp::create(b, l, j);
            Value raw = tensor::ExtractOp::create(b, l, indices, tuple);
            at.push_back(normalizeIndex(
                b, l, raw, dataType.getDimSize(batch + j), isUnsigned));
          }
          at.append(iv.begin() + (indexRank - 1), iv.end());
          return tensor::ExtractOp::create(b, l, data, at).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Combines the existing element with an update as a scatter reduction.
static Value scatterCombine(OpBuilder &b, Location loc, ScatterReduction mode,
                            Kind kind, Value old, Value update) {
  bool isFloat = kind == Kind::Float, isSigned = kind == Kind::Signed;
  switch (mode) {
  case ScatterReduction::none:
    return update;
  case ScatterReduction::add:
    return isFloat ? Value(arith::AddFOp::create(b, loc, old, update))
                   : Value(arith::AddIOp::create(b, loc, old, update));
  case ScatterReduction::mul:
    return isFloat ? Value(arith::MulFOp::create(b, loc, old, update))
                   : Value(arith::MulIOp::create(b, loc, old, update));
  case ScatterReduction::max:
    return isFloat    ? Value(arith::MaximumFOp::create(b, loc, old, update))
           : isSigned ? Value(arith::MaxSIOp::create(b, loc, old, update))
                      : Value(arith::MaxUIOp::create(b, loc, old, update));
  case ScatterReduction::min:
    return isFloat    ? Value(arith::MinimumFOp::create(b, loc, old, update))
           : isSigned ? Value(arith::MinSIOp::create(b, loc, old, update))
                      : Value(arith::MinUIOp::create(b, loc, old, update));
  }
  return update;
}

/// Scatters run in order over the update positions: a loop nest carrying
/// the result tensor (later updates win, as in the reference).
template <typename Op> struct ScatterLowering : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;
  LogicalResult
  matchAndRewrite(Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value data = adaptor.getData(), indices = adaptor.getIndices(),
          updates = adaptor.getUpdates();
    if (!isStatic(data) || !isStatic(indices) || !isStatic(updates))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    RankedTensorType dataType = tensorOf(data), updateType = tensorOf(updates);
    RankedTensorType indexType = tensorOf(indices);
    bool isUnsigned = elementOf(op.getIndices()).isUnsignedInteger();
    Kind kind = kindOf(elementOf(op.getData()));
    ScatterReduction mode = op.getReduction();
    constexpr bool elements = std::is_same_v<Op, ScatterElementsOp>;
    SmallVector<Value> lbs, ubs, steps;
    for (int64_t size : updateType.getShape()) {
      lbs.push_back(arith::ConstantIndexOp::create(rewriter, loc, 0));
      ubs.push_back(arith::ConstantIndexOp::create(rewriter, loc, size));
      steps.push_back(arith::ConstantIndexOp::create(rewriter, loc, 1));
    }
    if (updateType.getNumElements() == 0) {
      rewriter.replaceOp(op, data);
      return success();
    }
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, ValueRange{data},
        [&](OpBuilder &b, Location l, ValueRange iv, ValueRange iter) {
          SmallVector<Value> at;
          if constexpr (elements) {
            int64_t axis = static_cast<int64_t>(op.getAxis());
            at.assign(iv.begin(), iv.end());
            Value raw = tensor::ExtractOp::create(b, l, indices, iv);
            at[axis] = normalizeIndex(b, l, raw, dataType.getDimSize(axis),
                                      isUnsigned);
          } else {
            int64_t indexRank = indexType.getRank();
            int64_t q = indexType.getDimSize(indexRank - 1);
            SmallVector<Value> tuple(iv.begin(), iv.begin() + (indexRank - 1));
            tuple.push_back(Value());
            for (int64_t j = 0; j < q; ++j) {
              tuple.back() = arith::ConstantIndexOp::create(b, l, j);
              Value raw = tensor::ExtractOp::create(b, l, indices, tuple);
              at.push_back(normalizeIndex(b, l, raw, dataType.getDimSize(j),
                                          isUnsigned));
            }
            at.append(iv.begin() + (indexRank - 1), iv.end());
          }
          Value update = tensor::ExtractOp::create(b, l, updates, iv);
          Value value = update;
          if (mode != ScatterReduction::none) {
            Value old = tensor::ExtractOp::create(b, l, iter[0], at);
            value = scatterCombine(b, l, mode, kind, old, update);
          }
          return scf::ValueVector{
              tensor::InsertOp::create(b, l, value, iter[0], at).getResult()};
        });
    rewriter.replaceOp(op, nest.results.front());
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateGatherLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns
      .add<GatherLowering, GatherElementsLowering, GatherNdLowering,
           ScatterLowering<ScatterElementsOp>, ScatterLowering<ScatterNdOp>>(
          converter, patterns.getContext());
}
