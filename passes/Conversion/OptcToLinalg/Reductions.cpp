//===- Reductions.cpp - reductions, softmax, arg-reductions, scans --------===//
//
// Reductions over any axes (16-bit floats accumulate in f32), softmax and
// log-softmax in three passes, arg-max/arg-min and cumulative sums and
// products.
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

namespace mlir::optc::lowering {

/// The identity of a reduction as a constant of `type`. Integer extremes
/// are taken from the width: the most negative signed value for max, the
/// largest for min (-1 is all ones, the largest unsigned value).
Value identityOf(OpBuilder &b, Location loc, Type type, double identity,
                 Kind kind, bool isMax, bool isMin) {
  if (auto integer = dyn_cast<IntegerType>(type)) {
    unsigned width = integer.getWidth();
    APInt value(width, static_cast<int64_t>(identity), /*isSigned=*/true);
    if (kind == Kind::Signed && isMax)
      value = APInt::getSignedMinValue(width);
    if (kind == Kind::Signed && isMin)
      value = APInt::getSignedMaxValue(width);
    if (kind == Kind::Bool)
      value = APInt(width, isMin ? 1 : 0);
    return arith::ConstantOp::create(b, loc, IntegerAttr::get(type, value));
  }
  return constantOf(b, loc, type, identity);
}

/// linalg.reduce of `input` over `axes` (sorted), giving the reduced shape.
Value reduce(OpBuilder &b, Location loc, Value input, ArrayRef<int64_t> axes,
             const Reduction &reduction, Value identity) {
  RankedTensorType type = tensorOf(input);
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (!llvm::is_contained(axes, d))
      shape.push_back(type.getDimSize(d));
  Value init = filledTensor(b, loc, type.clone(shape), identity);
  auto op = linalg::ReduceOp::create(
      b, loc, ValueRange{input}, ValueRange{init}, axes,
      [&](OpBuilder &nested, Location l, ValueRange args) {
        linalg::YieldOp::create(nested, l,
                                reduction.combine(nested, l, args[0], args[1]));
      });
  return op.getResult(0);
}

} // namespace mlir::optc::lowering

namespace {

template <typename Op> struct ReduceLowering : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;
  LogicalResult
  matchAndRewrite(Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorOf(input);
    auto resultType = cast<RankedTensorType>(op.getType());
    if (!inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    ArrayRef<int64_t> axes = op.getAxes();
    if (axes.empty()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    Kind kind = kindOf(elementOf(op.getInput()));
    Type stored = inputType.getElementType();
    // Sums and products of 16-bit floats accumulate in f32.
    constexpr bool arithmetic =
        !std::is_same_v<Op, ReduceMaxOp> && !std::is_same_v<Op, ReduceMinOp>;
    if (arithmetic)
      input = widenFloats(rewriter, loc, input);
    Type element = tensorOf(input).getElementType();
    Reduction reduction = reductionOf<Op>(kind);
    Value identity = identityOf(rewriter, loc, element, reduction.identity,
                                kind, std::is_same_v<Op, ReduceMaxOp>,
                                std::is_same_v<Op, ReduceMinOp>);
    Value result = reduce(rewriter, loc, input, axes, reduction, identity);
    if constexpr (std::is_same_v<Op, ReduceMeanOp>) {
      SmallVector<int64_t> reduced;
      for (int64_t axis : axes)
        reduced.push_back(inputType.getDimSize(axis));
      // Sizes of the verified input, within the limits per tensor.
      std::optional<int64_t> reducedCount = sizes::product(reduced);
      assert(reducedCount && "a tensor within the limits per tensor");
      int64_t count = *reducedCount;
      RankedTensorType reducedType = tensorOf(result);
      Value divisor = constantOf(rewriter, loc, element, double(count));
      bool isFloat = kind == Kind::Float, isSigned = kind == Kind::Signed;
      result = elementwise(
          rewriter, loc, reducedType, ValueRange{result},
          [&](OpBuilder &b, Location l, ValueRange args) {
            if (isFloat)
              return Value(arith::DivFOp::create(b, l, args[0], divisor));
            return safeIntegerDivision(b, l, args[0], divisor, isSigned, false);
          });
    }
    result = narrowFloats(rewriter, loc, result, stored);
    if (op.getKeepDims()) {
      SmallVector<bool> keep;
      for (int64_t d = 0; d < inputType.getRank(); ++d)
        keep.push_back(!llvm::is_contained(axes, d));
      result = addUnitDims(rewriter, loc, result, resultType, keep);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// softmax(x) = exp(x - max) * (1 / sum(exp(x - max))); log-softmax is
/// (x - max) - log(sum(exp(x - max))). All along one axis.
template <typename Op> struct SoftmaxLowering : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;
  LogicalResult
  matchAndRewrite(Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    // 16-bit floats are normalised in f32.
    Type stored = tensorOf(adaptor.getInput()).getElementType();
    Value input = widenFloats(rewriter, op.getLoc(), adaptor.getInput());
    RankedTensorType type = tensorOf(input);
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    int64_t axis = static_cast<int64_t>(op.getAxis());
    Type element = type.getElementType();
    // The shift only keeps exp in range: a NaN anywhere in a row makes the
    // row's sum and every output NaN whichever maximum is taken, so the
    // maximum may ignore NaNs (maxnum), which vectorises without the NaN
    // checks of a propagating maximum.
    Reduction max{-INFINITY, [](OpBuilder &b, Location l, Value x, Value y) {
                    return Value(arith::MaxNumFOp::create(b, l, x, y));
                  }};
    Reduction sum = reductionOf<ReduceSumOp>(Kind::Float);
    Value maxima = reduce(rewriter, loc, input, {axis}, max,
                          constantOf(rewriter, loc, element, -INFINITY));
    // The reduced operand is broadcast back along `axis` through its map.
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> reducedExprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis)
        reducedExprs.push_back(rewriter.getAffineDimExpr(d));
    AffineMap identityMap = rewriter.getMultiDimIdentityMap(rank);
    AffineMap reducedMap =
        AffineMap::get(rank, 0, reducedExprs, rewriter.getContext());
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    auto combine =
        [&](Value full, Value reduced,
            function_ref<Value(OpBuilder &, Location, Value, Value)> body) {
          return linalg::GenericOp::create(
                     rewriter, loc, TypeRange{type}, ValueRange{full, reduced},
                     ValueRange{emptyTensor(rewriter, loc, type)},
                     ArrayRef<AffineMap>{identityMap, reducedMap, identityMap},
                     parallel,
                     [&](OpBuilder &b, Location l, ValueRange args) {
                       linalg::YieldOp::create(b, l,
                                               body(b, l, args[0], args[1]));
                     })
              .getResult(0);
        };
    Value shifted =
        combine(input, maxima, [](OpBuilder &b, Location l, Value x, Value m) {
          return Value(arith::SubFOp::create(b, l, x, m));
        });
    Value exps = elementwise(rewriter, loc, type, ValueRange{shifted},
                             [](OpBuilder &b, Location l, ValueRange args) {
                               return Value(math::ExpOp::create(b, l, args[0]));
                             });
    Value sums = reduce(rewriter, loc, exps, {axis}, sum,
                        constantOf(rewriter, loc, element, 0));
    // One logarithm or reciprocal per row, then a subtraction or a
    // multiplication per element (a vector division costs ten times a
    // multiplication).
    auto sumsType = cast<RankedTensorType>(sums.getType());
    Value result;
    if constexpr (std::is_same_v<Op, LogSoftmaxOp>) {
      Value logs =
          elementwise(rewriter, loc, sumsType, ValueRange{sums},
                      [](OpBuilder &b, Location l, ValueRange args) {
                        return Value(math::LogOp::create(b, l, args[0]));
                      });
      result = combine(shifted, logs,
                       [](OpBuilder &b, Location l, Value x, Value s) {
                         return Value(arith::SubFOp::create(b, l, x, s));
                       });
    } else {
      Value one = constantOf(rewriter, loc, element, 1);
      Value inverses =
          elementwise(rewriter, loc, sumsType, ValueRange{sums},
                      [&](OpBuilder &b, Location l, ValueRange args) {
                        return Value(arith::DivFOp::create(b, l, one, args[0]));
                      });
      result = combine(exps, inverses,
                       [](OpBuilder &b, Location l, Value e, Value s) {
                         return Value(arith::MulFOp::create(b, l, e, s));
                       });
    }
    rewriter.replaceOp(op, narrowFloats(rewriter, loc, result, stored));
    return success();
  }
};

/// arg_max / arg_min: one generic reducing the axis into a value and its
/// index; ties keep the first index, or the last with select_last_index.
template <typename Op>
struct ArgReduceLowering : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;
  LogicalResult
  matchAndRewrite(Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!isStatic(input))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    RankedTensorType inputType = tensorOf(input);
    int64_t axis = static_cast<int64_t>(op.getAxis()),
            rank = inputType.getRank();
    Kind kind = kindOf(elementOf(op.getInput()));
    constexpr bool isMax = std::is_same_v<Op, ArgMaxOp>;
    Type element = inputType.getElementType();
    SmallVector<int64_t> reduced;
    SmallVector<AffineExpr> exprs;
    for (int64_t d = 0; d < rank; ++d)
      if (d != axis) {
        reduced.push_back(inputType.getDimSize(d));
        exprs.push_back(rewriter.getAffineDimExpr(d));
      }
    Value start =
        identityOf(rewriter, loc, element,
                   kind == Kind::Float ? (isMax ? -INFINITY : INFINITY) : 0,
                   kind, isMax, !isMax);
    auto valueType = RankedTensorType::get(reduced, element);
    auto indexType = RankedTensorType::get(reduced, rewriter.getI64Type());
    Value values = filledTensor(rewriter, loc, valueType, start);
    Value indices =
        filledTensor(rewriter, loc, indexType,
                     constantOf(rewriter, loc, rewriter.getI64Type(), 0));
    AffineMap outMap = AffineMap::get(rank, 0, exprs, this->getContext());
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators[axis] = utils::IteratorType::reduction;
    bool last = op.getSelectLastIndex();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{valueType, indexType}, ValueRange{input},
        ValueRange{values, indices},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank), outMap,
                            outMap},
        iterators, [&](OpBuilder &b, Location l, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value index = arith::IndexCastOp::create(
              b, l, b.getI64Type(), linalg::IndexOp::create(b, l, axis));
          ComparePredicate predicate =
              isMax ? (last ? ComparePredicate::ge : ComparePredicate::gt)
                    : (last ? ComparePredicate::le : ComparePredicate::lt);
          // The first element always counts, even when it is the identity
          // (an all -inf row gives index 0).
          Value first =
              arith::CmpIOp::create(b, l, arith::CmpIPredicate::eq, index,
                                    constantOf(b, l, b.getI64Type(), 0));
          Value better = arith::OrIOp::create(
              b, l, compare(b, l, predicate, x, best, kind), first);
          linalg::YieldOp::create(
              b, l,
              ValueRange{
                  arith::SelectOp::create(b, l, better, x, best),
                  arith::SelectOp::create(b, l, better, index, bestIndex)});
        });
    Value result = generic.getResult(1);
    if (op.getKeepDims()) {
      SmallVector<bool> keep(rank, true);
      keep[axis] = false;
      result = addUnitDims(rewriter, loc, result,
                           cast<RankedTensorType>(op.getType()), keep);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// out[i] = combine(in[j] for j up to i along the axis): a reduction over
/// a second copy of the axis, masked to the prefix (or suffix).
template <typename Op> struct ScanLowering : public OpConversionPattern<Op> {
  using OpConversionPattern<Op>::OpConversionPattern;
  using OpAdaptor = typename Op::Adaptor;
  LogicalResult
  matchAndRewrite(Op op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value input = adaptor.getInput();
    if (!isStatic(input))
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    RankedTensorType type = tensorOf(input);
    int64_t axis = static_cast<int64_t>(op.getAxis()), rank = type.getRank();
    Kind kind = kindOf(elementOf(op.getInput()));
    constexpr bool isSum = std::is_same_v<Op, CumSumOp>;
    Reduction reduction = isSum ? reductionOf<ReduceSumOp>(kind)
                                : reductionOf<ReduceProdOp>(kind);
    Value identity =
        constantOf(rewriter, loc, type.getElementType(), reduction.identity);
    Value init = filledTensor(rewriter, loc,
                              cast<RankedTensorType>(op.getType()), identity);
    // Loops: the result dims, then j along the axis.
    SmallVector<AffineExpr> inExprs;
    for (int64_t d = 0; d < rank; ++d)
      inExprs.push_back(rewriter.getAffineDimExpr(d == axis ? rank : d));
    AffineMap inMap = AffineMap::get(rank + 1, 0, inExprs, this->getContext());
    AffineMap outMap =
        AffineMap::getMultiDimIdentityMap(rank + 1, this->getContext())
            .getMajorSubMap(rank);
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{init.getType()}, ValueRange{input},
        ValueRange{init}, ArrayRef<AffineMap>{inMap, outMap}, iterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          Value i = linalg::IndexOp::create(b, l, axis);
          Value j = linalg::IndexOp::create(b, l, rank);
          arith::CmpIPredicate p =
              reverse ? (exclusive ? arith::CmpIPredicate::ugt
                                   : arith::CmpIPredicate::uge)
                      : (exclusive ? arith::CmpIPredicate::ult
                                   : arith::CmpIPredicate::ule);
          Value counts = arith::CmpIOp::create(b, l, p, j, i);
          Value term = arith::SelectOp::create(b, l, counts, args[0], identity);
          linalg::YieldOp::create(b, l, reduction.combine(b, l, args[1], term));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

} // namespace

void mlir::optc::lowering::populateReductionLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReduceLowering<ReduceSumOp>, ReduceLowering<ReduceMeanOp>,
               ReduceLowering<ReduceProdOp>, ReduceLowering<ReduceMaxOp>,
               ReduceLowering<ReduceMinOp>, SoftmaxLowering<SoftmaxOp>,
               SoftmaxLowering<LogSoftmaxOp>, ArgReduceLowering<ArgMaxOp>,
               ArgReduceLowering<ArgMinOp>, ScanLowering<CumSumOp>,
               ScanLowering<CumProdOp>>(converter, patterns.getContext());
}
