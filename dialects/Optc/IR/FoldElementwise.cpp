//===- FoldElementwise.cpp - folders of constants, elementwise ops, casts
//---===//
//
// Constant folding and algebraic identities of the constants, the unary
// and binary elementwise ops and the casts.
//
// Replacing a result by an operand needs the same type and the same sizes at
// run time. Equal types guarantee that only for ops whose result sizes are
// their operand's (elementwise unary ops, transposes by the identity, ...).
// Where an unknown size could be stretched, sliced or reshaped at run time
// (broadcasting binary ops, reshape, broadcast, slice), the type must also
// be fully static.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/FoldUtils.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "dialects/Optc/IR/OptcShapes.h"

#include "mlir/Dialect/CommonFolders.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/IR/TypeUtilities.h"
#include "llvm/ADT/APFloat.h"
#include "llvm/ADT/APSInt.h"
#include "llvm/ADT/BitVector.h"
#include "llvm/ADT/DenseSet.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::folding;

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

/// Rounds a float constant to an integral value in `mode` (exact).
static OpFoldResult foldRounding(Attribute input, Type type,
                                 llvm::RoundingMode mode) {
  return foldUnary(
      input, type,
      [&](const APFloat &a) -> std::optional<APFloat> {
        APFloat r = a;
        r.roundToIntegral(mode);
        return r;
      },
      nullptr);
}

OpFoldResult FloorOp::fold(FoldAdaptor adaptor) {
  return foldRounding(adaptor.getInput(), getType(),
                      llvm::RoundingMode::TowardNegative);
}

OpFoldResult CeilOp::fold(FoldAdaptor adaptor) {
  return foldRounding(adaptor.getInput(), getType(),
                      llvm::RoundingMode::TowardPositive);
}

OpFoldResult RoundOp::fold(FoldAdaptor adaptor) {
  return foldRounding(adaptor.getInput(), getType(),
                      llvm::RoundingMode::NearestTiesToEven);
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

OpFoldResult RemOp::fold(FoldAdaptor adaptor) {
  bool isUnsignedRem = isUnsigned(getType());
  bool cStyle = getFmod();
  return foldBinary(
      adaptor.getOperands(), getType(),
      [&](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        APFloat r = a;
        r.mod(b); // the sign of the dividend, as C's fmod
        // Without fmod the remainder takes the divisor's sign.
        if (!cStyle && !r.isZero() && !r.isNaN() &&
            r.isNegative() != b.isNegative())
          r.add(b, APFloat::rmNearestTiesToEven);
        return r;
      },
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        if (b.isZero())
          return std::nullopt;
        if (isUnsignedRem)
          return a.urem(b);
        APInt r = a.srem(b);
        // Without fmod the remainder takes the divisor's sign (Python's %).
        if (!cStyle && !r.isZero() && r.isNegative() != b.isNegative())
          r += b;
        return r;
      });
}

/// The double value of `a`, whatever its float format.
static double asDouble(const APFloat &a) {
  APFloat d = a;
  bool lost;
  d.convert(APFloat::IEEEdouble(), APFloat::rmNearestTiesToEven, &lost);
  return d.convertToDouble();
}

/// A float math function through double precision, rounded to the element
/// type (like LLVM's constant folding of libm calls).
static std::optional<APFloat> mathOf(const APFloat &a, double (*fn)(double)) {
  bool lost;
  APFloat r(fn(asDouble(a)));
  r.convert(a.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
  return r;
}

#define OPTC_MATH_FOLDER(OP, FN)                                               \
  OpFoldResult OP::fold(FoldAdaptor adaptor) {                                 \
    return foldUnary(                                                          \
        adaptor.getInput(), getType(),                                         \
        [](const APFloat &a) { return mathOf(a, FN); }, nullptr);              \
  }
OPTC_MATH_FOLDER(ExpOp, [](double x) { return std::exp(x); })
OPTC_MATH_FOLDER(Expm1Op, [](double x) { return std::expm1(x); })
OPTC_MATH_FOLDER(LogOp, [](double x) { return std::log(x); })
OPTC_MATH_FOLDER(SqrtOp, [](double x) { return std::sqrt(x); })
OPTC_MATH_FOLDER(RsqrtOp, [](double x) { return 1 / std::sqrt(x); })
OPTC_MATH_FOLDER(ReciprocalOp, [](double x) { return 1 / x; })
OPTC_MATH_FOLDER(SinOp, [](double x) { return std::sin(x); })
OPTC_MATH_FOLDER(CosOp, [](double x) { return std::cos(x); })
OPTC_MATH_FOLDER(TanhOp, [](double x) { return std::tanh(x); })
OPTC_MATH_FOLDER(SigmoidOp, [](double x) { return 1 / (1 + std::exp(-x)); })
OPTC_MATH_FOLDER(ErfOp, [](double x) { return std::erf(x); })
#undef OPTC_MATH_FOLDER

OpFoldResult PowOp::fold(FoldAdaptor adaptor) {
  if (isSplatOne(adaptor.getRhs()))
    if (OpFoldResult r = ifSameStaticType(getLhs(), getType()))
      return r;
  return foldBinary(
      adaptor.getOperands(), getType(),
      [](const APFloat &a, const APFloat &b) -> std::optional<APFloat> {
        bool lost;
        APFloat r(std::pow(asDouble(a), asDouble(b)));
        r.convert(a.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
        return r;
      },
      nullptr);
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

OpFoldResult CompareOp::fold(FoldAdaptor adaptor) {
  Type element = getLhs().getType().getElementType();
  bool isUnsignedCompare = element.isUnsignedInteger() || element.isInteger(1);
  ComparePredicate predicate = getPredicate();
  Type i1 = IntegerType::get(getContext(), 1);
  return foldBroadcasting(
      {adaptor.getLhs(), adaptor.getRhs()}, getType(),
      [&](ArrayRef<Attribute> args) -> Attribute {
        // -1, 0, 1 for less, equal, greater; 2 for unordered (NaN).
        int c;
        if (auto lf = dyn_cast<FloatAttr>(args[0])) {
          APFloat::cmpResult r =
              lf.getValue().compare(cast<FloatAttr>(args[1]).getValue());
          c = r == APFloat::cmpLessThan      ? -1
              : r == APFloat::cmpEqual       ? 0
              : r == APFloat::cmpGreaterThan ? 1
                                             : 2;
        } else {
          const APInt &l = cast<IntegerAttr>(args[0]).getValue();
          const APInt &r = cast<IntegerAttr>(args[1]).getValue();
          c = l == r ? 0 : (isUnsignedCompare ? l.ult(r) : l.slt(r)) ? -1 : 1;
        }
        bool result = false;
        switch (predicate) {
        case ComparePredicate::eq:
          result = c == 0;
          break;
        case ComparePredicate::ne:
          result = c != 0;
          break;
        case ComparePredicate::lt:
          result = c == -1;
          break;
        case ComparePredicate::le:
          result = c == -1 || c == 0;
          break;
        case ComparePredicate::gt:
          result = c == 1;
          break;
        case ComparePredicate::ge:
          result = c == 1 || c == 0;
          break;
        }
        return IntegerAttr::get(i1, result);
      });
}

OpFoldResult SelectOp::fold(FoldAdaptor adaptor) {
  if (getOnTrue() == getOnFalse())
    return ifSameStaticType(getOnTrue(), getType());
  if (auto cond = dyn_cast_or_null<SplatElementsAttr>(adaptor.getCondition()))
    if (OpFoldResult r = ifSameStaticType(
            cond.getSplatValue<bool>() ? getOnTrue() : getOnFalse(), getType()))
      return r;
  return foldBroadcasting(
      {adaptor.getCondition(), adaptor.getOnTrue(), adaptor.getOnFalse()},
      getType(), [](ArrayRef<Attribute> args) {
        return cast<IntegerAttr>(args[0]).getValue().isOne() ? args[1]
                                                             : args[2];
      });
}

//===----------------------------------------------------------------------===//
// Casts
//===----------------------------------------------------------------------===//

/// Converts one constant element to `to`; null when the value does not
/// convert well enough to fold (NaN or out of range to an integer, a finite
/// value overflowing a float format without saturation, NaN to a format
/// without NaN). With `saturate`, infinities and values beyond the range of
/// a float format of 8 bits or fewer become its largest finite value.
static Attribute castElement(Attribute value, Type from, Type to,
                             bool saturate) {
  bool fromUnsigned = from.isUnsignedInteger() || from.isInteger(1);
  if (to.isInteger(1)) {
    if (auto f = dyn_cast<FloatAttr>(value))
      return IntegerAttr::get(to, !f.getValue().isZero());
    return IntegerAttr::get(to, !cast<IntegerAttr>(value).getValue().isZero());
  }
  if (auto toInt = dyn_cast<IntegerType>(to)) {
    if (auto i = dyn_cast<IntegerAttr>(value)) {
      APInt v = fromUnsigned ? i.getValue().zextOrTrunc(toInt.getWidth())
                             : i.getValue().sextOrTrunc(toInt.getWidth());
      return IntegerAttr::get(to, v);
    }
    APFloat f = cast<FloatAttr>(value).getValue();
    llvm::APSInt result(toInt.getWidth(), toInt.isUnsigned());
    bool exact;
    if (f.convertToInteger(result, APFloat::rmTowardZero, &exact) &
        APFloat::opInvalidOp)
      return {};
    return IntegerAttr::get(to, result);
  }
  auto toFloat = cast<FloatType>(to);
  if (!isFoldableFloat(toFloat))
    return {};
  APFloat result(toFloat.getFloatSemantics());
  if (auto i = dyn_cast<IntegerAttr>(value)) {
    result.convertFromAPInt(i.getValue(), !fromUnsigned,
                            APFloat::rmNearestTiesToEven);
  } else {
    APFloat f = cast<FloatAttr>(value).getValue();
    const llvm::fltSemantics &sem = toFloat.getFloatSemantics();
    if (f.isNaN() && !llvm::APFloatBase::semanticsHasNaN(sem))
      return {};
    bool lost;
    result = f;
    result.convert(sem, APFloat::rmNearestTiesToEven, &lost);
    bool overflowed = (f.isFinite() && !result.isFinite()) ||
                      (f.isInfinity() && !result.isInfinity());
    if (saturate && toFloat.getWidth() <= 8 && !f.isNaN() &&
        (overflowed || f.isInfinity()))
      result = APFloat::getLargest(sem, f.isNegative());
    else if (overflowed && !f.isInfinity())
      return {};
  }
  return FloatAttr::get(to, result);
}

OpFoldResult CastOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = ifSameType(getInput(), getType()))
    return r;
  Type from = getInput().getType().getElementType();
  Type to = getType().getElementType();
  if (isa<FloatType>(from) && !isFoldableFloat(from))
    return {};
  return foldBroadcasting(
      {adaptor.getInput()}, getType(), [&](ArrayRef<Attribute> args) {
        return castElement(args[0], from, to, getSaturate());
      });
}

/// The special values a float format has, to check that a cast keeps them.
static bool hasNegativeZero(const llvm::fltSemantics &sem) {
  return llvm::APFloat::getZero(sem, /*Negative=*/true).isNegative();
}

OpFoldResult BitcastOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = ifSameType(getInput(), getType()))
    return r;
  if (auto inner = getInput().getDefiningOp<BitcastOp>()) {
    getInputMutable().assign(inner.getInput());
    return ifSameType(getInput(), getType()) ? OpFoldResult(getInput())
                                             : OpFoldResult(getResult());
  }
  auto dense = dyn_cast_or_null<DenseElementsAttr>(adaptor.getInput());
  if (!dense || !isStatic(getType()) ||
      getType().getElementType().getIntOrFloatBitWidth() % 8 != 0)
    return {};
  return dense.bitcast(getType().getElementType());
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

OpFoldResult BitwiseAndOp::fold(FoldAdaptor adaptor) {
  return foldBinary(adaptor.getOperands(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      return a & b;
                    });
}

OpFoldResult BitwiseOrOp::fold(FoldAdaptor adaptor) {
  return foldBinary(adaptor.getOperands(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      return a | b;
                    });
}

OpFoldResult BitwiseXorOp::fold(FoldAdaptor adaptor) {
  return foldBinary(adaptor.getOperands(), getType(), nullptr,
                    [](const APInt &a, const APInt &b) -> std::optional<APInt> {
                      return a ^ b;
                    });
}

/// The shift amount `b` for a shift of the element type of `type`, or
/// nullopt when it is negative (undefined for signed types).
static std::optional<uint64_t> shiftAmount(Type type, const APInt &b) {
  if (!isUnsigned(type) && b.isNegative())
    return std::nullopt;
  return b.getLimitedValue();
}

OpFoldResult ShiftLeftOp::fold(FoldAdaptor adaptor) {
  Type type = getType();
  return foldBinary(
      adaptor.getOperands(), type, nullptr,
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        std::optional<uint64_t> n = shiftAmount(type, b);
        if (!n)
          return std::nullopt;
        return *n >= a.getBitWidth() ? APInt::getZero(a.getBitWidth())
                                     : a.shl(*n);
      });
}

OpFoldResult ShiftRightOp::fold(FoldAdaptor adaptor) {
  Type type = getType();
  bool logical = isUnsigned(type);
  return foldBinary(
      adaptor.getOperands(), type, nullptr,
      [&](const APInt &a, const APInt &b) -> std::optional<APInt> {
        std::optional<uint64_t> n = shiftAmount(type, b);
        if (!n)
          return std::nullopt;
        uint64_t width = a.getBitWidth();
        if (logical)
          return *n >= width ? APInt::getZero(width) : a.lshr(*n);
        return a.ashr(std::min<uint64_t>(*n, width - 1));
      });
}
