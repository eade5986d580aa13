//===- OptcFolders.cpp - folders and canonicalisations of optc ------------===//
//
// Constant folding, algebraic identities and the canonicalisation patterns
// of the optc operations.
//
// Replacing a result by an operand needs the same type and the same sizes at
// run time. Equal types guarantee that only for ops whose result sizes are
// their operand's (elementwise unary ops, transposes by the identity, ...).
// Where an unknown size could be stretched, sliced or reshaped at run time
// (broadcasting binary ops, reshape, broadcast, slice), the type must also
// be fully static.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/BitVector.h"

using namespace mlir;
using namespace mlir::optc;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

static bool isStatic(Type type) {
  auto shaped = dyn_cast<ShapedType>(type);
  return shaped && shaped.hasStaticShape();
}

/// `value` when its type is `type`, for ops whose result has the operand's
/// sizes at run time whenever the types agree; else null.
static OpFoldResult ifSameType(Value value, Type type) {
  return value.getType() == type ? OpFoldResult(value) : OpFoldResult();
}

/// `value` when its type is `type` and fully static, for ops where an unknown
/// size may change at run time (broadcasting, reshaping, slicing).
static OpFoldResult ifSameStaticType(Value value, Type type) {
  return isStatic(type) ? ifSameType(value, type) : OpFoldResult();
}

/// True for float formats whose arithmetic APFloat folds meaningfully: with
/// a sign and a zero (not the exponent-only f8E8M0FNU scale format).
static bool isFoldableFloat(Type type) {
  auto floatType = dyn_cast<FloatType>(type);
  if (!floatType)
    return false;
  const llvm::fltSemantics &sem = floatType.getFloatSemantics();
  return llvm::APFloatBase::semanticsHasSignedRepr(sem) &&
         llvm::APFloatBase::semanticsHasZero(sem);
}

/// True when `attr` is a splat whose value satisfies the predicate for its
/// kind of element.
static bool isSplatFloat(Attribute attr,
                         llvm::function_ref<bool(const APFloat &)> pred) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  return splat && isa<FloatType>(splat.getElementType()) &&
         pred(splat.getSplatValue<APFloat>());
}
static bool isSplatInt(Attribute attr,
                       llvm::function_ref<bool(const APInt &)> pred) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  return splat && isa<IntegerType>(splat.getElementType()) &&
         pred(splat.getSplatValue<APInt>());
}

static bool isSplatOne(Attribute attr) {
  return isSplatFloat(attr,
                      [](const APFloat &v) { return v.isExactlyValue(1.0); }) ||
         isSplatInt(attr, [](const APInt &v) { return v.isOne(); });
}

static bool isUnsigned(Type type) {
  return getElementTypeOrSelf(type).isUnsignedInteger();
}

/// Folds a unary elementwise op on constants, with one calculation per
/// kind of element. Only static result types are folded.
static Attribute
foldUnary(Attribute operand, Type resultType,
          llvm::function_ref<std::optional<APFloat>(const APFloat &)> onFloat,
          llvm::function_ref<std::optional<APInt>(const APInt &)> onInt) {
  if (!operand || !isStatic(resultType))
    return {};
  Type element = getElementTypeOrSelf(resultType);
  if (isFoldableFloat(element) && onFloat)
    return constFoldUnaryOpConditional<FloatAttr, APFloat, void>(
        operand, resultType, onFloat);
  if (isa<IntegerType>(element) && onInt)
    return constFoldUnaryOpConditional<IntegerAttr, APInt, void>(
        operand, resultType, onInt);
  return {};
}

/// Folds a binary elementwise op whose constant operands have the result's
/// type (no broadcasting).
static Attribute foldBinary(
    ArrayRef<Attribute> operands, Type resultType,
    llvm::function_ref<std::optional<APFloat>(const APFloat &, const APFloat &)>
        onFloat,
    llvm::function_ref<std::optional<APInt>(const APInt &, const APInt &)>
        onInt) {
  if (!operands[0] || !operands[1] || !isStatic(resultType))
    return {};
  auto lhs = dyn_cast<TypedAttr>(operands[0]);
  auto rhs = dyn_cast<TypedAttr>(operands[1]);
  if (!lhs || !rhs || lhs.getType() != resultType ||
      rhs.getType() != resultType)
    return {};
  Type element = getElementTypeOrSelf(resultType);
  if (isFoldableFloat(element) && onFloat)
    return constFoldBinaryOpConditional<FloatAttr, APFloat, void>(
        operands, resultType, onFloat);
  if (isa<IntegerType>(element) && onInt)
    return constFoldBinaryOpConditional<IntegerAttr, APInt, void>(
        operands, resultType, onInt);
  return {};
}

/// A splat constant of `type` built from the splat `attr`, or null.
static Attribute resplat(Attribute attr, Type type) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat || !isStatic(type))
    return {};
  return SplatElementsAttr::get(cast<ShapedType>(type),
                                splat.getSplatValue<Attribute>());
}

//===----------------------------------------------------------------------===//
// Constants and unary ops
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

OpFoldResult NegOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NegOp>())
    return inner.getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &a) -> std::optional<APFloat> { return -a; },
      [](const APInt &a) -> std::optional<APInt> { return -a; });
}

OpFoldResult AbsOp::fold(FoldAdaptor adaptor) {
  if (isUnsigned(getType()) || getInput().getDefiningOp<AbsOp>())
    return getInput();
  if (auto neg = getInput().getDefiningOp<NegOp>()) {
    getInputMutable().assign(neg.getInput());
    return getResult();
  }
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &a) -> std::optional<APFloat> { return abs(a); },
      [](const APInt &a) -> std::optional<APInt> { return a.abs(); });
}

OpFoldResult ReluOp::fold(FoldAdaptor adaptor) {
  if (isUnsigned(getType()) || getInput().getDefiningOp<ReluOp>())
    return getInput();
  return foldUnary(
      adaptor.getInput(), getType(),
      [](const APFloat &a) -> std::optional<APFloat> {
        return a.isNegative() && !a.isNaN() ? APFloat::getZero(a.getSemantics())
                                            : a;
      },
      [](const APInt &a) -> std::optional<APInt> {
        return a.isNegative() ? APInt::getZero(a.getBitWidth()) : a;
      });
}

OpFoldResult NotOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<NotOp>())
    return inner.getInput();
  return foldUnary(adaptor.getInput(), getType(), nullptr,
                   [](const APInt &a) -> std::optional<APInt> { return ~a; });
}

OpFoldResult BitwiseNotOp::fold(FoldAdaptor adaptor) {
  if (auto inner = getInput().getDefiningOp<BitwiseNotOp>())
    return inner.getInput();
  return foldUnary(adaptor.getInput(), getType(), nullptr,
                   [](const APInt &a) -> std::optional<APInt> { return ~a; });
}

//===----------------------------------------------------------------------===//
// Binary ops
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  // x + 0 is x for integers; for floats only x + (-0.0) is (x = -0.0 would
  // turn +0.0 otherwise).
  if (isSplatInt(adaptor.getRhs(), [](const APInt &v) { return v.isZero(); }) ||
      isSplatFloat(adaptor.getRhs(), [](const APFloat &v) {
        return v.isZero() && v.isNegative();
      }))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a + b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a + b;
      });
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  if (isSplatInt(adaptor.getRhs(), [](const APInt &v) { return v.isZero(); }) ||
      isSplatFloat(adaptor.getRhs(), [](const APFloat &v) {
        return v.isZero() && !v.isNegative();
      }))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a - b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a - b;
      });
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (isSplatOne(adaptor.getRhs()))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a * b;
      },
      [](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return a * b;
      });
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  if (isSplatOne(adaptor.getRhs()))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  bool isUnsignedDiv = isUnsigned(getType());
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return a / b;
      },
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        // Division by zero and the one signed overflow are left to run time.
        if (b.isZero() ||
            (!isUnsignedDiv && a.isMinSignedValue() && b.isAllOnes()))
          return std::nullopt;
        return isUnsignedDiv ? a.udiv(b) : a.sdiv(b);
      });
}

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isSplatOne(adaptor.getRhs()))
    return ifSameStaticType(getLhs(), getType());
  return {};
}

OpFoldResult MaxOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return ifSameStaticType(getLhs(), getType());
  bool isUnsignedMax = isUnsigned(getType());
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return maximum(a, b);
      },
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return isUnsignedMax ? llvm::APIntOps::umax(a, b)
                             : llvm::APIntOps::smax(a, b);
      });
}

OpFoldResult MinOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs())
    return ifSameStaticType(getLhs(), getType());
  bool isUnsignedMin = isUnsigned(getType());
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        return minimum(a, b);
      },
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        return isUnsignedMin ? llvm::APIntOps::umin(a, b)
                             : llvm::APIntOps::smin(a, b);
      });
}

OpFoldResult AndOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() ||
      isSplatInt(adaptor.getRhs(), [](const APInt &v) { return v.isOne(); }))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  return foldBinary(adaptor.getOperands(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      return a & b;
                    });
}

OpFoldResult OrOp::fold(FoldAdaptor adaptor) {
  if (getLhs() == getRhs() ||
      isSplatInt(adaptor.getRhs(), [](const APInt &v) { return v.isZero(); }))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  return foldBinary(adaptor.getOperands(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      return a | b;
                    });
}

OpFoldResult XorOp::fold(FoldAdaptor adaptor) {
  if (isSplatInt(adaptor.getRhs(), [](const APInt &v) { return v.isZero(); }))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  return foldBinary(adaptor.getOperands(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      return a ^ b;
                    });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return ifSameStaticType(getOnTrue(), getType());
  if (auto cond = dyn_cast_or_null<SplatElementsAttr>(adaptor.getCondition()))
    return ifSameStaticType(
        cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse(), getType());
  return {};
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

OpFoldResult CastOp::fold(FoldAdaptor) {
  return ifSameType(getInput(), getType());
}

/// The special values a float format has, to check that a cast keeps them.
static bool hasNegativeZero(const llvm::fltSemantics &sem) {
  return llvm::APFloat::getZero(sem, /*Negative=*/true).isNegative();
}

/// True when every value of element type `from`, special values included,
/// is exactly a value of `to`, so a cast through `to` changes nothing.
static bool isExactWidening(Type from, Type to) {
  using llvm::APFloatBase;
  if (from.isInteger(1))
    return isIntegerElementType(to) ||
           (isa<FloatType>(to) && APFloatBase::semanticsHasZero(
                                      cast<FloatType>(to).getFloatSemantics()));
  auto fromFloat = dyn_cast<FloatType>(from);
  auto toFloat = dyn_cast<FloatType>(to);
  if (fromFloat && toFloat) {
    const llvm::fltSemantics &a = fromFloat.getFloatSemantics();
    const llvm::fltSemantics &b = toFloat.getFloatSemantics();
    auto keeps = [&](bool (*has)(const llvm::fltSemantics &)) {
      return !has(a) || has(b);
    };
    return APFloatBase::isRepresentableBy(a, b) &&
           keeps(APFloatBase::semanticsHasInf) &&
           keeps(APFloatBase::semanticsHasNaN) &&
           keeps(APFloatBase::semanticsHasZero) &&
           keeps(APFloatBase::semanticsHasSignedRepr) && keeps(hasNegativeZero);
  }
  auto fromInt = dyn_cast<IntegerType>(from);
  auto toInt = dyn_cast<IntegerType>(to);
  if (!fromInt || !toInt || !isIntegerElementType(to))
    return false;
  if (fromInt.isUnsigned() == toInt.isUnsigned())
    return toInt.getWidth() >= fromInt.getWidth();
  return fromInt.isUnsigned() && toInt.getWidth() > fromInt.getWidth();
}

namespace {
/// cast(cast(x : A -> B) : B -> C) is cast(x : A -> C) when B holds every
/// value of A exactly.
struct FoldWideningCastChain : OpRewritePattern<CastOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(CastOp op,
                                PatternRewriter &rewriter) const override {
    auto inner = op.getInput().getDefiningOp<CastOp>();
    if (!inner ||
        !isExactWidening(getElementTypeOrSelf(inner.getInput().getType()),
                         getElementTypeOrSelf(inner.getType())))
      return failure();
    rewriter.modifyOpInPlace(
        op, [&] { op.getInputMutable().assign(inner.getInput()); });
    return success();
  }
};
} // namespace

void CastOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                         MLIRContext *context) {
  patterns.add<FoldWideningCastChain>(context);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

#define OPTC_REDUCE_FOLDER(OP)                                                 \
  OpFoldResult OP::fold(FoldAdaptor) {                                         \
    return getAxes().empty() ? ifSameType(getInput(), getType())               \
                             : OpFoldResult();                                 \
  }
OPTC_REDUCE_FOLDER(ReduceSumOp)
OPTC_REDUCE_FOLDER(ReduceMeanOp)
OPTC_REDUCE_FOLDER(ReduceProdOp)
OPTC_REDUCE_FOLDER(ReduceMaxOp)
OPTC_REDUCE_FOLDER(ReduceMinOp)
#undef OPTC_REDUCE_FOLDER

//===----------------------------------------------------------------------===//
// Shape ops
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = ifSameStaticType(getInput(), getType()))
    return r;
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  // Only inline constants are reshaped: a resource blob would be copied.
  if (auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput()))
    if (isStatic(getType()))
      return dense.reshape(getType());
  return {};
}

OpFoldResult TransposeOp::fold(FoldAdaptor adaptor) {
  ArrayRef<int64_t> perm = getPermutation();
  if (llvm::equal(perm, llvm::seq<int64_t>(0, perm.size())))
    return ifSameType(getInput(), getType());
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    // Result dim i is inner-result dim perm[i], which is input dim
    // innerPerm[perm[i]].
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(inner.getPermutation()[p]);
    getInputMutable().assign(inner.getInput());
    setPermutation(composed);
    return getResult();
  }
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = ifSameStaticType(getInput(), getType()))
    return r;
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1)
    return ifSameType(getInputs().front(), getType());
  return {};
}

LogicalResult SplitOp::fold(FoldAdaptor adaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  if (getNumResults() == 1 && getInput().getType() == getType(0)) {
    results.push_back(getInput());
    return success();
  }
  if (!isa_and_nonnull<SplatElementsAttr>(adaptor.getInput()))
    return failure();
  for (Type type : getResultTypes()) {
    Attribute splat = resplat(adaptor.getInput(), type);
    if (!splat)
      return failure();
    results.push_back(splat);
  }
  return success();
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && isStatic(getType()) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult PadOp::fold(FoldAdaptor) {
  auto isZero = [](int64_t v) { return v == 0; };
  if (llvm::all_of(getLow(), isZero) && llvm::all_of(getHigh(), isZero))
    return ifSameType(getInput(), getType());
  return {};
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  if (llvm::all_of(getMultiples(), [](int64_t m) { return m == 1; }))
    return ifSameType(getInput(), getType());
  return resplat(adaptor.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

namespace {
/// Shrinks an optc.fusion to what it needs: results that merely forward an
/// operand are replaced by that operand, duplicate operands are merged, and
/// unused operands and results are dropped. A fusion left without results
/// is then dead and erased by the canonicaliser.
struct SimplifyFusion : OpRewritePattern<FusionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(FusionOp op,
                                PatternRewriter &rewriter) const override {
    Block &body = op.getBodyBlock();
    YieldOp yield = op.getYield();
    bool changed = false;

    // Results that yield a block argument are the matching operand.
    for (auto [result, value] : llvm::zip(op.getResults(), yield.getValues())) {
      auto arg = dyn_cast<BlockArgument>(value);
      if (!arg || arg.getOwner() != &body || result.use_empty())
        continue;
      rewriter.replaceAllUsesWith(result, op.getInputs()[arg.getArgNumber()]);
      changed = true;
    }

    // One block argument per distinct operand.
    for (unsigned j = 0; j < body.getNumArguments(); ++j) {
      for (unsigned i = 0; i < j; ++i) {
        if (op.getInputs()[i] != op.getInputs()[j] ||
            body.getArgument(j).use_empty())
          continue;
        rewriter.replaceAllUsesWith(body.getArgument(j), body.getArgument(i));
        changed = true;
        break;
      }
    }

    llvm::BitVector deadArgs(body.getNumArguments());
    SmallVector<Value> keptInputs;
    for (auto [i, arg] : llvm::enumerate(body.getArguments())) {
      if (arg.use_empty())
        deadArgs.set(i);
      else
        keptInputs.push_back(op.getInputs()[i]);
    }
    SmallVector<unsigned> keptResults;
    for (OpResult result : op.getResults())
      if (!result.use_empty())
        keptResults.push_back(result.getResultNumber());
    if (deadArgs.none() && keptResults.size() == op.getNumResults())
      return success(changed);

    SmallVector<Type> resultTypes;
    SmallVector<Value> yielded;
    for (unsigned r : keptResults) {
      resultTypes.push_back(op.getResult(r).getType());
      yielded.push_back(yield.getValues()[r]);
    }
    auto fused =
        FusionOp::create(rewriter, op.getLoc(), resultTypes, keptInputs,
                         op->getDiscardableAttrDictionary().getValue());
    rewriter.inlineRegionBefore(op.getBody(), fused.getBody(),
                                fused.getBody().end());
    Block &newBody = fused.getBodyBlock();
    rewriter.modifyOpInPlace(fused, [&] { newBody.eraseArguments(deadArgs); });
    rewriter.modifyOpInPlace(yield,
                             [&] { yield.getValuesMutable().assign(yielded); });
    for (auto [newIndex, oldIndex] : llvm::enumerate(keptResults))
      rewriter.replaceAllUsesWith(op.getResult(oldIndex),
                                  fused.getResult(newIndex));
    rewriter.eraseOp(op);
    return success();
  }
};
} // namespace

void FusionOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                           MLIRContext *context) {
  patterns.add<SimplifyFusion>(context);
}
