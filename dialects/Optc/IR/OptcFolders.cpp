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

//===----------------------------------------------------------------------===//
// Evaluation on constants
//===----------------------------------------------------------------------===//

/// Folding makes a new constant; above this many elements it would cost
/// more compile time and memory than it saves, so larger results are left
/// to run time.
static constexpr int64_t kMaxFoldedElements = 1 << 16;

/// The elements of a constant operand that may be folded, or nullopt.
static std::optional<SmallVector<Attribute>> elementsOf(Attribute attr) {
  auto dense = dyn_cast_or_null<DenseElementsAttr>(attr);
  if (!dense || dense.getNumElements() > kMaxFoldedElements)
    return std::nullopt;
  auto values = dense.getValues<Attribute>();
  return SmallVector<Attribute>(values.begin(), values.end());
}

/// The static result type a fold may build, or null.
static RankedTensorType foldableResult(Type type) {
  auto ranked = dyn_cast<RankedTensorType>(type);
  if (!ranked || !ranked.hasStaticShape() ||
      ranked.getNumElements() > kMaxFoldedElements)
    return nullptr;
  return ranked;
}

/// The element counts of `shape` before and after dimension `axis`.
static std::pair<int64_t, int64_t> aroundAxis(ArrayRef<int64_t> shape,
                                              int64_t axis) {
  int64_t outer = 1, inner = 1;
  for (int64_t d : shape.take_front(axis))
    outer *= d;
  for (int64_t d : shape.drop_front(axis + 1))
    inner *= d;
  return {outer, inner};
}

/// Row-major strides of `shape`.
static SmallVector<int64_t> stridesOf(ArrayRef<int64_t> shape) {
  SmallVector<int64_t> strides(shape.size(), 1);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 2; i >= 0; --i)
    strides[i] = strides[i + 1] * shape[i + 1];
  return strides;
}

/// Steps a row-major multi-index through `shape`; false once it wraps
/// around past the last element.
static bool nextIndex(MutableArrayRef<int64_t> index, ArrayRef<int64_t> shape) {
  for (int64_t r = static_cast<int64_t>(shape.size()) - 1; r >= 0; --r) {
    if (++index[r] < shape[r])
      return true;
    index[r] = 0;
  }
  return false;
}

/// Evaluates an elementwise function of constant operands that broadcast
/// (numpy rules) to `resultType`. `fn` returns null to give up.
static Attribute
foldBroadcasting(ArrayRef<Attribute> operands, Type resultType,
                 llvm::function_ref<Attribute(ArrayRef<Attribute>)> fn) {
  RankedTensorType result = foldableResult(resultType);
  if (!result)
    return {};
  int64_t rank = result.getRank();
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<SmallVector<int64_t>> strides;
  for (Attribute operand : operands) {
    std::optional<SmallVector<Attribute>> elements = elementsOf(operand);
    if (!elements)
      return {};
    ArrayRef<int64_t> shape =
        cast<ShapedType>(cast<TypedAttr>(operand).getType()).getShape();
    // Strides over the result's dimensions: 0 where the operand stretches.
    SmallVector<int64_t> own = stridesOf(shape), aligned(rank, 0);
    int64_t offset = rank - static_cast<int64_t>(shape.size());
    for (auto [i, d] : llvm::enumerate(shape))
      if (d != 1)
        aligned[offset + i] = own[i];
    values.push_back(std::move(*elements));
    strides.push_back(std::move(aligned));
  }
  ArrayRef<int64_t> shape = result.getShape();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out, args(operands.size());
  out.reserve(result.getNumElements());
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    for (size_t k = 0; k < operands.size(); ++k) {
      int64_t at = 0;
      for (int64_t r = 0; r < rank; ++r)
        at += index[r] * strides[k][r];
      args[k] = values[k][at];
    }
    Attribute v = fn(args);
    if (!v)
      return {};
    out.push_back(v);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
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
  if (!lhs || !rhs)
    return {};
  Type element = getElementTypeOrSelf(resultType);
  bool isFloat = isFoldableFloat(element) && onFloat;
  bool isInt = isa<IntegerType>(element) && onInt;
  if (!isFloat && !isInt)
    return {};
  if (lhs.getType() == resultType && rhs.getType() == resultType) {
    if (isFloat)
      return constFoldBinaryOpConditional<FloatAttr, APFloat, void>(
          operands, resultType, onFloat);
    return constFoldBinaryOpConditional<IntegerAttr, APInt, void>(
        operands, resultType, onInt);
  }
  // Operands of other shapes broadcast to the result.
  return foldBroadcasting(
      operands, resultType, [&](ArrayRef<Attribute> args) -> Attribute {
        if (isFloat) {
          std::optional<APFloat> v =
              onFloat(cast<FloatAttr>(args[0]).getValue(),
                      cast<FloatAttr>(args[1]).getValue());
          return v ? FloatAttr::get(element, *v) : Attribute();
        }
        std::optional<APInt> v = onInt(cast<IntegerAttr>(args[0]).getValue(),
                                       cast<IntegerAttr>(args[1]).getValue());
        return v ? IntegerAttr::get(element, *v) : Attribute();
      });
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

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

/// Folding multiplies at most this many pairs of elements.
static constexpr int64_t kMaxFoldedProducts = 1 << 18;

OpFoldResult MatmulOp::fold(FoldAdaptor adaptor) {
  auto lhs = dyn_cast_or_null<DenseElementsAttr>(adaptor.getLhs());
  auto rhs = dyn_cast_or_null<DenseElementsAttr>(adaptor.getRhs());
  RankedTensorType result = foldableResult(getType());
  if (!lhs || !rhs || !result)
    return {};
  ArrayRef<int64_t> ls = lhs.getType().getShape(),
                    rs = rhs.getType().getShape();
  // Matrices, stacks of matrices with the same batch sizes, and a stack
  // times one matrix (or the reverse); vectors and other broadcasts are
  // left to run time.
  if (ls.size() < 2 || rs.size() < 2 ||
      (ls.size() != 2 && rs.size() != 2 && ls.drop_back(2) != rs.drop_back(2)))
    return {};
  bool lhsBatched = ls.size() > 2, rhsBatched = rs.size() > 2;
  Type element = result.getElementType();
  bool isFloat = isFoldableFloat(element);
  if (!isFloat && !isa<IntegerType>(element))
    return {};
  int64_t m = ls[ls.size() - 2], k = ls.back(), n = rs.back();
  int64_t batch = result.getNumElements() / std::max<int64_t>(m * n, 1);
  if (m * n == 0 || batch * m * n * k > kMaxFoldedProducts)
    return {};
  SmallVector<Attribute> a(lhs.getValues<Attribute>()),
      b(rhs.getValues<Attribute>()), out;
  out.reserve(result.getNumElements());
  for (int64_t p = 0; p < batch; ++p) {
    int64_t pa = lhsBatched ? p : 0, pb = rhsBatched ? p : 0;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        if (isFloat) {
          APFloat acc =
              APFloat::getZero(cast<FloatType>(element).getFloatSemantics());
          for (int64_t q = 0; q < k; ++q) {
            APFloat x = cast<FloatAttr>(a[(pa * m + i) * k + q]).getValue();
            x.multiply(cast<FloatAttr>(b[(pb * k + q) * n + j]).getValue(),
                       APFloat::rmNearestTiesToEven);
            acc.add(x, APFloat::rmNearestTiesToEven);
          }
          out.push_back(FloatAttr::get(element, acc));
        } else {
          APInt acc(element.getIntOrFloatBitWidth(), 0);
          for (int64_t q = 0; q < k; ++q)
            acc += cast<IntegerAttr>(a[(pa * m + i) * k + q]).getValue() *
                   cast<IntegerAttr>(b[(pb * k + q) * n + j]).getValue();
          out.push_back(IntegerAttr::get(element, acc));
        }
      }
  }
  return DenseElementsAttr::get(result, out);
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

/// Evaluates a reduction of a constant with elements of type T (APInt for
/// integers, APFloat for floats): `combine` folds each element into the
/// accumulator of its output position, which starts at the first element
/// reduced there, in row-major order.
template <typename T, typename AttrT>
static Attribute
foldReduction(Attribute input, ArrayRef<int64_t> axes, Type resultType,
              llvm::function_ref<T(const T &, const T &)> combine) {
  RankedTensorType result = foldableResult(resultType);
  auto dense = dyn_cast_or_null<AttrT>(input);
  if (!result || !dense || dense.getNumElements() > kMaxFoldedElements ||
      dense.getNumElements() == 0)
    return {};
  if constexpr (std::is_same_v<T, APFloat>) {
    if (!isFoldableFloat(dense.getElementType()))
      return {};
  } else if (!isa<IntegerType>(dense.getElementType())) {
    return {};
  }
  ArrayRef<int64_t> shape = dense.getType().getShape();
  // Output strides over the input's dimensions: 0 along reduced axes.
  SmallVector<int64_t> kept;
  for (auto [i, d] : llvm::enumerate(shape))
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      kept.push_back(d);
  SmallVector<int64_t> keptStrides = stridesOf(kept), strides(shape.size(), 0);
  for (size_t i = 0, k = 0; i < shape.size(); ++i)
    if (!llvm::is_contained(axes, static_cast<int64_t>(i)))
      strides[i] = keptStrides[k++];
  int64_t outCount = 1;
  for (int64_t d : kept)
    outCount *= d;
  if (outCount != result.getNumElements())
    return {};
  SmallVector<std::optional<T>> acc(outCount);
  SmallVector<int64_t> index(shape.size(), 0);
  for (const T &v : dense.template getValues<T>()) {
    int64_t at = 0;
    for (size_t r = 0; r < shape.size(); ++r)
      at += index[r] * strides[r];
    acc[at] = acc[at] ? combine(*acc[at], v) : v;
    nextIndex(index, shape);
  }
  SmallVector<T> out;
  for (std::optional<T> &v : acc)
    out.push_back(*v);
  return DenseElementsAttr::get(result, out);
}

static Attribute foldIntReduction(
    Attribute input, ArrayRef<int64_t> axes, Type resultType,
    llvm::function_ref<APInt(const APInt &, const APInt &)> combine) {
  return foldReduction<APInt, DenseIntElementsAttr>(input, axes, resultType,
                                                    combine);
}

static Attribute foldFloatReduction(
    Attribute input, ArrayRef<int64_t> axes, Type resultType,
    llvm::function_ref<APFloat(const APFloat &, const APFloat &)> combine) {
  return foldReduction<APFloat, DenseFPElementsAttr>(input, axes, resultType,
                                                     combine);
}

static APFloat floatAdd(const APFloat &a, const APFloat &b) {
  APFloat r = a;
  r.add(b, APFloat::rmNearestTiesToEven);
  return r;
}
static APFloat floatMul(const APFloat &a, const APFloat &b) {
  APFloat r = a;
  r.multiply(b, APFloat::rmNearestTiesToEven);
  return r;
}
// Max and min propagate NaN, like the ops.
static APFloat floatMax(const APFloat &a, const APFloat &b) {
  return llvm::maximum(a, b);
}
static APFloat floatMin(const APFloat &a, const APFloat &b) {
  return llvm::minimum(a, b);
}

OpFoldResult ReduceSumOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return ifSameType(getInput(), getType());
  if (Attribute f = foldFloatReduction(adaptor.getInput(), getAxes(), getType(),
                                       floatAdd))
    return f;
  return foldIntReduction(adaptor.getInput(), getAxes(), getType(),
                          [](const APInt &a, const APInt &b) { return a + b; });
}

OpFoldResult ReduceMeanOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return ifSameType(getInput(), getType());
  auto sum = dyn_cast_or_null<DenseFPElementsAttr>(
      foldFloatReduction(adaptor.getInput(), getAxes(), getType(), floatAdd));
  if (!sum)
    return {};
  int64_t count = 1;
  for (int64_t axis : getAxes())
    count *= cast<ShapedType>(getInput().getType()).getDimSize(axis);
  const llvm::fltSemantics &sem =
      cast<FloatType>(sum.getElementType()).getFloatSemantics();
  APFloat n(sem);
  n.convertFromAPInt(APInt(64, count), false, APFloat::rmNearestTiesToEven);
  SmallVector<APFloat> out;
  for (APFloat v : sum.getValues<APFloat>()) {
    v.divide(n, APFloat::rmNearestTiesToEven);
    out.push_back(v);
  }
  return DenseElementsAttr::get(sum.getType(), out);
}

OpFoldResult ReduceProdOp::fold(FoldAdaptor adaptor) {
  if (getAxes().empty())
    return ifSameType(getInput(), getType());
  if (Attribute f = foldFloatReduction(adaptor.getInput(), getAxes(), getType(),
                                       floatMul))
    return f;
  return foldIntReduction(adaptor.getInput(), getAxes(), getType(),
                          [](const APInt &a, const APInt &b) { return a * b; });
}

/// Max or min of a constant: floats propagate NaN, i1 and unsigned
/// integers compare unsigned.
template <typename OpTy>
static OpFoldResult foldExtremum(OpTy op, Attribute input, bool isMax) {
  if (op.getAxes().empty())
    return ifSameType(op.getInput(), op.getType());
  if (Attribute f = foldFloatReduction(input, op.getAxes(), op.getType(),
                                       isMax ? floatMax : floatMin))
    return f;
  Type type = op.getType();
  bool isUns = isUnsigned(type) || getElementTypeOrSelf(type).isInteger(1);
  return foldIntReduction(
      input, op.getAxes(), type, [&](const APInt &a, const APInt &b) {
        if (isMax)
          return isUns ? llvm::APIntOps::umax(a, b)
                       : llvm::APIntOps::smax(a, b);
        return isUns ? llvm::APIntOps::umin(a, b) : llvm::APIntOps::smin(a, b);
      });
}

OpFoldResult ReduceMaxOp::fold(FoldAdaptor adaptor) {
  return foldExtremum(*this, adaptor.getInput(), /*isMax=*/true);
}

OpFoldResult ReduceMinOp::fold(FoldAdaptor adaptor) {
  return foldExtremum(*this, adaptor.getInput(), /*isMax=*/false);
}

//===----------------------------------------------------------------------===//
// Moving the elements of constants
//===----------------------------------------------------------------------===//
//
// Transposes, slices and splits of constants only move elements, so they
// fold on raw bytes at any size, dense_resource blobs (how the importer
// stores weights) included. Left to run time, Gemm's transB or an LSTM's
// weight transpose reads the whole weight with a stride on every call. The
// copy is row copies or a blocked transpose over bytes, never an attribute
// per element. A reshape of a blob is not folded: at run time it is a free
// view, and a second constant of the same blob in another shape would be
// stored twice in the library; the folds here read through such reshapes
// instead.

namespace {
/// The row-major bytes of a constant.
struct RawElements {
  ArrayRef<char> data;
  int64_t elementBytes;
  /// The blob the bytes live in; null for dense<...>.
  DenseResourceElementsAttr resource;
  size_t alignment = 1;
};
} // namespace

/// The bytes of `attr`, a dense_resource blob (narrow elements one per
/// byte, not packed) or a non-splat dense<...> of whole-byte elements;
/// nullopt for anything else or no elements.
static std::optional<RawElements> rawElementsOf(Attribute attr) {
  auto elements = dyn_cast_or_null<ElementsAttr>(attr);
  if (!elements || !elements.getElementType().isIntOrFloat())
    return std::nullopt;
  int64_t count = elements.getNumElements();
  unsigned bits = elements.getElementType().getIntOrFloatBitWidth();
  if (count == 0)
    return std::nullopt;
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    AsmResourceBlob *blob = resource.getRawHandle().getBlob();
    int64_t bytes = bits % 8 == 0 ? bits / 8 : 1;
    if (!blob || blob->getData().size() != static_cast<size_t>(count * bytes))
      return std::nullopt;
    return RawElements{blob->getData(), bytes, resource,
                       std::max<size_t>(blob->getDataAlignment(), 1)};
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense || dense.isSplat() || bits % 8 != 0 ||
      dense.getRawData().size() != static_cast<size_t>(count * (bits / 8)))
    return std::nullopt;
  return RawElements{dense.getRawData(), bits / 8, {}, 1};
}

/// The constant that `value`, the operand whose folded attribute is
/// `operand`, holds: `operand`, or a constant seen through reshapes, which
/// keep the row-major bytes. Null when not constant.
static Attribute constantThroughReshapes(Value value, Attribute operand) {
  if (operand)
    return operand;
  Value source = value;
  while (auto reshape = source.getDefiningOp<ReshapeOp>())
    source = reshape.getInput();
  Attribute attr;
  if (source == value || !matchPattern(source, m_Constant(&attr)))
    return {};
  return attr;
}

/// Calls `fn(from, to)` for every index of the dimensions `dims` of
/// `shape`: `from` is `base` plus the index times `steps`, `to` the index
/// times `strides`.
static void forEachIndex(ArrayRef<int64_t> shape, ArrayRef<int64_t> steps,
                         ArrayRef<int64_t> strides, ArrayRef<int64_t> dims,
                         int64_t base,
                         llvm::function_ref<void(int64_t, int64_t)> fn) {
  SmallVector<int64_t> index(dims.size(), 0);
  int64_t from = base, to = 0;
  while (true) {
    fn(from, to);
    int64_t k = static_cast<int64_t>(dims.size()) - 1;
    for (; k >= 0; --k) {
      int64_t d = dims[k];
      if (++index[k] < shape[d]) {
        from += steps[d];
        to += strides[d];
        break;
      }
      from -= steps[d] * (shape[d] - 1);
      to -= strides[d] * (shape[d] - 1);
      index[k] = 0;
    }
    if (k < 0)
      return;
  }
}

/// Fills `dst`, row-major of `shape`, from `src`: element `i` of `dst` is
/// element `base + sum(i[d] * steps[d])` of `src`. Elements are `N` bytes.
template <size_t N>
static void moveElements(const char *src, char *dst, ArrayRef<int64_t> shape,
                         int64_t base, ArrayRef<int64_t> steps) {
  // Dimensions of size 1 do not move anything; neighbours the source holds
  // contiguously are one dimension (the destination is row-major).
  SmallVector<int64_t> sizes, strides;
  for (auto [size, step] : llvm::zip(shape, steps)) {
    if (size == 1)
      continue;
    if (!sizes.empty() && strides.back() == step * size) {
      sizes.back() *= size;
      strides.back() = step;
      continue;
    }
    sizes.push_back(size);
    strides.push_back(step);
  }
  if (sizes.empty()) {
    std::memcpy(dst, src + base * N, N);
    return;
  }
  int64_t rank = sizes.size(), last = rank - 1;
  SmallVector<int64_t> dstStrides = stridesOf(sizes);
  auto dimsBut = [&](int64_t a, int64_t b) {
    SmallVector<int64_t> dims;
    for (int64_t d = 0; d < rank; ++d)
      if (d != a && d != b)
        dims.push_back(d);
    return dims;
  };
  int64_t n = sizes[last], step = strides[last];
  if (step == 1) {
    // Rows the source holds contiguously.
    forEachIndex(sizes, strides, dstStrides, dimsBut(last, last), base,
                 [&](int64_t from, int64_t to) {
                   std::memcpy(dst + to * N, src + from * N, n * N);
                 });
    return;
  }
  const int64_t *unit = llvm::find(strides, 1);
  if (unit != strides.end()) {
    // A transposition: dimension j is contiguous in the source, the last
    // one in the destination. Tiles of 32x32 elements keep both sides of
    // the copy in cache.
    constexpr int64_t kTile = 32;
    int64_t j = unit - strides.begin(), m = sizes[j], dstJ = dstStrides[j];
    forEachIndex(sizes, strides, dstStrides, dimsBut(j, last), base,
                 [&](int64_t from, int64_t to) {
                   for (int64_t j0 = 0; j0 < m; j0 += kTile)
                     for (int64_t l0 = 0; l0 < n; l0 += kTile)
                       for (int64_t a = j0, ae = std::min(j0 + kTile, m);
                            a < ae; ++a)
                         for (int64_t l = l0, le = std::min(l0 + kTile, n);
                              l < le; ++l)
                           std::memcpy(dst + (to + a * dstJ + l) * N,
                                       src + (from + a + l * step) * N, N);
                 });
    return;
  }
  forEachIndex(sizes, strides, dstStrides, dimsBut(last, last), base,
               [&](int64_t from, int64_t to) {
                 for (int64_t l = 0; l < n; ++l)
                   std::memcpy(dst + (to + l) * N, src + (from + l * step) * N,
                               N);
               });
}

/// Results of a fold of a blob up to this size are inline dense<...> (as
/// the importer keeps them), so that the folds of small constants go on.
static constexpr int64_t kInlineBytes = 64;

/// The constant of `type` whose element `i` is element
/// `base + sum(i[d] * steps[d])` of `from`: a new blob when `from` is one
/// (unless small), else dense<...>. Null when it cannot be built.
static ElementsAttr moveConstant(RankedTensorType type, const RawElements &from,
                                 int64_t base, ArrayRef<int64_t> steps) {
  if (!type.hasStaticShape() || type.getNumElements() == 0)
    return {};
  int64_t bytes = from.elementBytes;
  if (bytes != 1 && bytes != 2 && bytes != 4 && bytes != 8)
    return {};
  size_t size = static_cast<size_t>(type.getNumElements() * bytes);
  auto fill = [&](char *dst) {
    const char *src = from.data.data();
    ArrayRef<int64_t> shape = type.getShape();
    switch (bytes) {
    case 1:
      return moveElements<1>(src, dst, shape, base, steps);
    case 2:
      return moveElements<2>(src, dst, shape, base, steps);
    case 4:
      return moveElements<4>(src, dst, shape, base, steps);
    default:
      return moveElements<8>(src, dst, shape, base, steps);
    }
  };
  bool wholeBytes = type.getElementType().getIntOrFloatBitWidth() % 8 == 0;
  if (!from.resource ||
      (wholeBytes && size <= static_cast<size_t>(kInlineBytes))) {
    if (!wholeBytes)
      return {};
    std::vector<char> buffer(size);
    fill(buffer.data());
    return DenseElementsAttr::getFromRawBuffer(type, buffer);
  }
  AsmResourceBlob blob = HeapAsmResourceBlob::allocate(size, from.alignment);
  fill(blob.getMutableData().data());
  return DenseResourceElementsAttr::get(
      type, from.resource.getRawHandle().getKey(), std::move(blob));
}

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
  // Only inline constants are reshaped. A blob stays as it is: its reshape
  // is a free view at run time, a constant of the blob in a second shape
  // would be stored twice, and the folds that move elements read through
  // the reshape.
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
  if (Attribute splat = resplat(adaptor.getInput(), getType()))
    return splat;
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (std::optional<RawElements> raw = rawElementsOf(
          constantThroughReshapes(getInput(), adaptor.getInput()));
      raw && inputType.hasStaticShape()) {
    // Result dimension r steps through input dimension perm[r].
    SmallVector<int64_t> inStrides = stridesOf(inputType.getShape()), steps;
    for (int64_t p : perm)
      steps.push_back(inStrides[p]);
    if (ElementsAttr moved =
            moveConstant(cast<RankedTensorType>(getType()), *raw, 0, steps))
      return moved;
  }
  // Permute the elements of other small constants (bools, packed narrow
  // types).
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> values = elementsOf(adaptor.getInput());
  if (!result || !values)
    return {};
  ArrayRef<int64_t> inShape = cast<ShapedType>(getInput().getType()).getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += index[r] * inStrides[perm[r]];
    out.push_back((*values)[at]);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r = ifSameStaticType(getInput(), getType()))
    return r;
  return resplat(adaptor.getInput(), getType());
}

OpFoldResult ConcatOp::fold(FoldAdaptor adaptor) {
  if (getInputs().size() == 1)
    return ifSameType(getInputs().front(), getType());
  RankedTensorType result = foldableResult(getType());
  if (!result)
    return {};
  // Row-major: for every index before the axis, each input contributes its
  // slab of the trailing dimensions in turn.
  int64_t axis = getAxis();
  SmallVector<SmallVector<Attribute>> values;
  SmallVector<int64_t> slabs;
  for (auto [operand, input] : llvm::zip(adaptor.getInputs(), getInputs())) {
    std::optional<SmallVector<Attribute>> elements = elementsOf(operand);
    if (!elements)
      return {};
    ArrayRef<int64_t> shape =
        cast<RankedTensorType>(input.getType()).getShape();
    int64_t slab = 1;
    for (int64_t d : shape.drop_front(axis))
      slab *= d;
    values.push_back(std::move(*elements));
    slabs.push_back(slab);
  }
  int64_t outer = 1;
  for (int64_t d : result.getShape().take_front(axis))
    outer *= d;
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t o = 0; o < outer; ++o)
    for (auto [v, slab] : llvm::zip(values, slabs))
      out.append(v.begin() + o * slab, v.begin() + (o + 1) * slab);
  return DenseElementsAttr::get(result, out);
}

LogicalResult SplitOp::fold(FoldAdaptor adaptor,
                            SmallVectorImpl<OpFoldResult> &results) {
  if (getNumResults() == 1 && getInput().getType() == getType(0)) {
    results.push_back(getInput());
    return success();
  }
  if (isa_and_nonnull<SplatElementsAttr>(adaptor.getInput())) {
    for (Type type : getResultTypes()) {
      Attribute splat = resplat(adaptor.getInput(), type);
      if (!splat)
        return failure();
      results.push_back(splat);
    }
    return success();
  }
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (std::optional<RawElements> raw = rawElementsOf(
          constantThroughReshapes(getInput(), adaptor.getInput()));
      raw && inputType.hasStaticShape()) {
    // Each piece is a slice along the axis.
    SmallVector<int64_t> steps = stridesOf(inputType.getShape());
    SmallVector<OpFoldResult> pieces;
    int64_t offset = 0;
    for (auto [type, piece] : llvm::zip(getResultTypes(), getSizes())) {
      auto pieceType = dyn_cast<RankedTensorType>(type);
      ElementsAttr moved =
          pieceType ? moveConstant(pieceType, *raw,
                                   offset * steps[getAxis()], steps)
                    : ElementsAttr();
      if (!moved)
        break;
      pieces.push_back(moved);
      offset += piece;
    }
    if (pieces.size() == getNumResults()) {
      results.append(pieces);
      return success();
    }
  }
  // Small constants (shape computations) split into constant pieces.
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getInput());
  if (!data || !inputType.hasStaticShape() ||
      !llvm::all_of(getResultTypes(),
                    [](Type type) { return foldableResult(type); }))
    return failure();
  int64_t axis = getAxis(), size = inputType.getDimSize(axis);
  auto [outer, inner] = aroundAxis(inputType.getShape(), axis);
  int64_t offset = 0;
  for (auto [type, piece] : llvm::zip(getResultTypes(), getSizes())) {
    SmallVector<Attribute> out;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t a = offset; a < offset + piece; ++a)
        for (int64_t i = 0; i < inner; ++i)
          out.push_back((*data)[(o * size + a) * inner + i]);
    results.push_back(
        DenseElementsAttr::get(cast<RankedTensorType>(type), out));
    offset += piece;
  }
  return success();
}

OpFoldResult GatherOp::fold(FoldAdaptor adaptor) {
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getData());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  auto dataType = cast<RankedTensorType>(getData().getType());
  if (!result || !data || !indices || !dataType.hasStaticShape())
    return {};
  int64_t axis = getAxis(), size = dataType.getDimSize(axis);
  auto [outer, inner] = aroundAxis(dataType.getShape(), axis);
  SmallVector<int64_t> positions;
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t p = i.getSExtValue();
    if (p < 0)
      p += size;
    if (p < 0 || p >= size)
      return {}; // an out-of-range index is a run-time error
    positions.push_back(p);
  }
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t p : positions)
      for (int64_t i = 0; i < inner; ++i)
        out.push_back((*data)[(o * size + p) * inner + i]);
  return DenseElementsAttr::get(result, out);
}

OpFoldResult GatherElementsOp::fold(FoldAdaptor adaptor) {
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getData());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  auto dataType = cast<RankedTensorType>(getData().getType());
  if (!result || !data || !indices || !dataType.hasStaticShape())
    return {};
  int64_t axis = getAxis(), size = dataType.getDimSize(axis);
  SmallVector<int64_t> dataStrides = stridesOf(dataType.getShape());
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t p = i.getSExtValue();
    if (p < 0)
      p += size;
    if (p < 0 || p >= size)
      return {}; // an out-of-range index is a run-time error
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += (r == axis ? p : index[r]) * dataStrides[r];
    out.push_back((*data)[at]);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

/// Scattering replaces (reduction none) or combines elements of a constant;
/// only replacement is folded, and only when no index repeats (the order of
/// repeated writes is unspecified).
OpFoldResult ScatterElementsOp::fold(FoldAdaptor adaptor) {
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> data = elementsOf(adaptor.getData());
  std::optional<SmallVector<Attribute>> updates =
      elementsOf(adaptor.getUpdates());
  auto indices = dyn_cast_or_null<DenseIntElementsAttr>(adaptor.getIndices());
  if (!result || !data || !updates || !indices ||
      getReduction() != ScatterReduction::none)
    return {};
  ArrayRef<int64_t> shape = result.getShape();
  ArrayRef<int64_t> indexShape =
      cast<ShapedType>(getIndices().getType()).getShape();
  int64_t axis = getAxis(), rank = shape.size();
  SmallVector<int64_t> strides = stridesOf(shape);
  SmallVector<int64_t> index(rank, 0);
  llvm::DenseSet<int64_t> written;
  SmallVector<Attribute> out(*data);
  int64_t n = 0;
  for (const APInt &i : indices.getValues<APInt>()) {
    int64_t p = i.getSExtValue();
    if (p < 0)
      p += shape[axis];
    if (p < 0 || p >= shape[axis])
      return {}; // an out-of-range index is a run-time error
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += (r == axis ? p : index[r]) * strides[r];
    if (!written.insert(at).second)
      return {};
    out[at] = (*updates)[n++];
    nextIndex(index, indexShape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult SliceOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType() && isStatic(getType()) &&
      llvm::all_of(getStarts(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getStrides(), [](int64_t s) { return s == 1; }))
    return getInput();
  if (Attribute splat = resplat(adaptor.getInput(), getType()))
    return splat;
  auto inputType = cast<RankedTensorType>(getInput().getType());
  if (!inputType.hasStaticShape())
    return {};
  // Clamp the starts as the op does.
  SmallVector<int64_t> starts;
  for (auto [size, start, stride] :
       llvm::zip(inputType.getShape(), getStarts(), getStrides()))
    starts.push_back(stride > 0 ? std::clamp<int64_t>(start, 0, size)
                                : std::clamp<int64_t>(start, -1, size - 1));
  SmallVector<int64_t> inStrides = stridesOf(inputType.getShape());
  if (std::optional<RawElements> raw = rawElementsOf(
          constantThroughReshapes(getInput(), adaptor.getInput()))) {
    int64_t base = 0;
    SmallVector<int64_t> steps;
    for (auto [start, stride, inStride] :
         llvm::zip(starts, getStrides(), inStrides)) {
      base += start * inStride;
      steps.push_back(stride * inStride);
    }
    if (auto result = dyn_cast<RankedTensorType>(getType()))
      if (ElementsAttr moved = moveConstant(result, *raw, base, steps))
        return moved;
  }
  // Walk the result positions of other small constants.
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> values = elementsOf(adaptor.getInput());
  if (!result || !values)
    return {};
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = result.getRank();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    int64_t at = 0;
    for (int64_t r = 0; r < rank; ++r)
      at += (starts[r] + index[r] * getStrides()[r]) * inStrides[r];
    out.push_back((*values)[at]);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult PadOp::fold(FoldAdaptor adaptor) {
  auto isZero = [](int64_t v) { return v == 0; };
  if (llvm::all_of(getLow(), isZero) && llvm::all_of(getHigh(), isZero))
    return ifSameType(getInput(), getType());
  // Constant padding of a constant: every result element either reads the
  // input or is the padding value.
  RankedTensorType result = foldableResult(getType());
  std::optional<SmallVector<Attribute>> values = elementsOf(adaptor.getInput());
  if (!result || !values || getMode() != PadMode::constant)
    return {};
  Type element = result.getElementType();
  Attribute fill;
  if (getValue()) {
    std::optional<SmallVector<Attribute>> v = elementsOf(adaptor.getValue());
    if (!v || v->size() != 1)
      return {};
    fill = (*v)[0];
  } else if (isa<FloatType>(element)) {
    fill = FloatAttr::get(element, 0.0);
  } else {
    fill = IntegerAttr::get(element, 0);
  }
  ArrayRef<int64_t> inShape = cast<ShapedType>(getInput().getType()).getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  ArrayRef<int64_t> shape = result.getShape();
  int64_t rank = shape.size();
  SmallVector<int64_t> index(rank, 0);
  SmallVector<Attribute> out;
  out.reserve(result.getNumElements());
  for (int64_t n = 0, e = result.getNumElements(); n < e; ++n) {
    int64_t at = 0;
    bool inside = true;
    for (int64_t r = 0; r < rank && inside; ++r) {
      int64_t i = index[r] - getLow()[r];
      inside = i >= 0 && i < inShape[r];
      at += i * inStrides[r];
    }
    out.push_back(inside ? (*values)[at] : fill);
    nextIndex(index, shape);
  }
  return DenseElementsAttr::get(result, out);
}

OpFoldResult TileOp::fold(FoldAdaptor adaptor) {
  if (llvm::all_of(getMultiples(), [](int64_t m) { return m == 1; }))
    return ifSameType(getInput(), getType());
  return resplat(adaptor.getInput(), getType());
}

//===----------------------------------------------------------------------===//
// Shape operations with sizes given at run time
//===----------------------------------------------------------------------===//

OpFoldResult ShapeOfOp::fold(FoldAdaptor) {
  auto input = cast<RankedTensorType>(getInput().getType());
  if (!input.hasStaticShape())
    return {};
  return DenseIntElementsAttr::get(cast<ShapedType>(getType()),
                                   input.getShape());
}

namespace {
/// Replaces `op` by `value`, cast back to the op's result type when the
/// replacement knows more sizes (--optc-infer-shapes refines the users).
void replaceWithCast(PatternRewriter &rewriter, Operation *op, Value value) {
  Type type = op->getResult(0).getType();
  if (value.getType() != type)
    value = tensor::CastOp::create(rewriter, op->getLoc(), type, value);
  rewriter.replaceOp(op, value);
}

/// The values of a constant 1-D i64 size operand.
std::optional<SmallVector<int64_t>> constantSizes(Value v) {
  DenseIntElementsAttr attr;
  if (!matchPattern(v, m_Constant(&attr)))
    return std::nullopt;
  return llvm::to_vector(
      llvm::map_range(attr.getValues<APInt>(),
                      [](const APInt &a) { return a.getSExtValue(); }));
}

/// Builds `OpTy` with inferred result types, or returns null when its shape
/// rule rejects the operands (they stay for run time to report).
template <typename OpTy, typename... Args>
Value buildChecked(PatternRewriter &rewriter, Location loc, Args &&...args) {
  OperationState state(loc, OpTy::getOperationName());
  OpTy::build(rewriter, state, Type(), std::forward<Args>(args)...);
  state.types.clear();
  SmallVector<Type> types;
  if (failed(OpTy::inferReturnTypes(
          rewriter.getContext(), std::nullopt, state.operands,
          state.attributes.getDictionary(rewriter.getContext()),
          state.getRawProperties(), state.regions, types)))
    return {};
  state.addTypes(types);
  return rewriter.create(state)->getResult(0);
}

/// Rewrites a dynamic_* op into its attribute form with `build`, which
/// returns null while the sizes are not constants or when the static rule
/// rejects them (then they stay for run time to report).
template <typename DynOp> struct ToStaticForm : OpRewritePattern<DynOp> {
  using Build = Value (*)(DynOp, PatternRewriter &);
  ToStaticForm(MLIRContext *context, Build build)
      : OpRewritePattern<DynOp>(context), build(build) {}
  LogicalResult matchAndRewrite(DynOp op,
                                PatternRewriter &rewriter) const override {
    Value v = build(op, rewriter);
    if (!v)
      return failure();
    replaceWithCast(rewriter, op, v);
    return success();
  }
  Build build;
};

Value staticReshape(DynamicReshapeOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> shape = constantSizes(op.getShape());
  // A static result needs no sizes: shape inference found that every valid
  // shape operand gives it (a rank-1 result holds all the elements).
  auto result = cast<RankedTensorType>(op.getType());
  if (!shape && result.hasStaticShape() &&
      cast<RankedTensorType>(op.getInput().getType()).hasStaticShape())
    shape = SmallVector<int64_t>(result.getShape());
  if (!shape)
    return {};
  return buildChecked<ReshapeOp>(rewriter, op.getLoc(), op.getInput(), *shape);
}

Value staticBroadcast(DynamicBroadcastOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> shape = constantSizes(op.getShape());
  if (!shape)
    return {};
  // The bidirectional result: where the target says 1 the input's size
  // stays, which optc.broadcast can only express when it is known.
  ArrayRef<int64_t> input =
      cast<RankedTensorType>(op.getInput().getType()).getShape();
  int64_t rank = std::max<int64_t>(shape->size(), input.size());
  SmallVector<int64_t> target(rank, 1);
  for (int64_t i = 0; i < rank; ++i) {
    int64_t inIndex = i - (rank - static_cast<int64_t>(input.size()));
    int64_t shIndex = i - (rank - static_cast<int64_t>(shape->size()));
    int64_t in = inIndex >= 0 ? input[inIndex] : 1;
    int64_t s = shIndex >= 0 ? (*shape)[shIndex] : 1;
    if (s < 0)
      return {};
    if (s == 1) {
      if (ShapedType::isDynamic(in))
        return {};
      target[i] = in;
    } else if (ShapedType::isDynamic(in) || in == 1 || in == s) {
      target[i] = s;
    } else {
      return {}; // incompatible: left for run time to report
    }
  }
  return buildChecked<BroadcastOp>(rewriter, op.getLoc(), op.getInput(),
                                   target);
}

Value staticSlice(DynamicSliceOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> starts = constantSizes(op.getStarts());
  std::optional<SmallVector<int64_t>> limits = constantSizes(op.getLimits());
  std::optional<SmallVector<int64_t>> strides = constantSizes(op.getStrides());
  if (!starts || !limits || !strides)
    return {};
  return buildChecked<SliceOp>(rewriter, op.getLoc(), op.getInput(), *starts,
                               *limits, *strides);
}

Value staticPad(DynamicPadOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> low = constantSizes(op.getLow());
  std::optional<SmallVector<int64_t>> high = constantSizes(op.getHigh());
  if (!low || !high)
    return {};
  return buildChecked<PadOp>(rewriter, op.getLoc(), op.getMode(), op.getInput(),
                             op.getValue(), *low, *high);
}

Value staticTile(DynamicTileOp op, PatternRewriter &rewriter) {
  std::optional<SmallVector<int64_t>> multiples =
      constantSizes(op.getMultiples());
  if (!multiples)
    return {};
  return buildChecked<TileOp>(rewriter, op.getLoc(), op.getInput(), *multiples);
}

/// optc.range of constants: the sequence, when it is short enough to fold.
struct ConstantRange : OpRewritePattern<RangeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RangeOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr start, limit, delta;
    if (!matchPattern(op.getStart(), m_Constant(&start)) ||
        !matchPattern(op.getLimit(), m_Constant(&limit)) ||
        !matchPattern(op.getDelta(), m_Constant(&delta)))
      return failure();
    Type element = getElementTypeOrSelf(op.getType());
    SmallVector<Attribute> values;
    if (isa<FloatType>(element)) {
      if (!isFoldableFloat(element))
        return failure();
      auto get = [](DenseElementsAttr a) {
        return (*a.getValues<APFloat>().begin()).convertToDouble();
      };
      double s = get(start), l = get(limit), d = get(delta);
      if (d == 0)
        return failure(); // left for run time to report
      double n = std::max(std::ceil((l - s) / d), 0.0);
      if (!std::isfinite(n) || n > kMaxFoldedElements)
        return failure();
      for (int64_t i = 0; i < static_cast<int64_t>(n); ++i)
        values.push_back(FloatAttr::get(element, s + i * d));
    } else {
      bool isUns = isUnsigned(element);
      auto get = [&](DenseElementsAttr a) -> __int128 {
        APInt v = *a.getValues<APInt>().begin();
        return isUns ? static_cast<__int128>(v.getZExtValue())
                     : static_cast<__int128>(v.getSExtValue());
      };
      __int128 s = get(start), l = get(limit), d = get(delta);
      if (d == 0)
        return failure(); // left for run time to report
      // ceil((l - s) / d), at least 0.
      __int128 span = l - s;
      __int128 n = span / d;
      if (span % d != 0 && ((span < 0) == (d < 0)))
        ++n;
      if (n > kMaxFoldedElements)
        return failure();
      unsigned width = element.getIntOrFloatBitWidth();
      for (__int128 i = 0; i < n; ++i)
        values.push_back(IntegerAttr::get(
            element, APInt(width, static_cast<uint64_t>(s + i * d),
                           /*isSigned=*/false, /*implicitTrunc=*/true)));
    }
    auto type =
        RankedTensorType::get({static_cast<int64_t>(values.size())}, element);
    Value constant = ConstantOp::create(
        rewriter, op.getLoc(),
        cast<ElementsAttr>(DenseElementsAttr::get(type, values)));
    replaceWithCast(rewriter, op, constant);
    return success();
  }
};
/// optc.non_zero of a constant: the constant indices.
struct ConstantNonZero : OpRewritePattern<NonZeroOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(NonZeroOp op,
                                PatternRewriter &rewriter) const override {
    DenseElementsAttr input;
    if (!matchPattern(op.getInput(), m_Constant(&input)) ||
        input.getNumElements() > kMaxFoldedElements)
      return failure();
    ArrayRef<int64_t> shape = input.getType().getShape();
    int64_t rank = shape.size();
    SmallVector<SmallVector<int64_t>> columns;
    SmallVector<int64_t> index(rank, 0);
    for (Attribute a : input.getValues<Attribute>()) {
      bool nonZero = isa<FloatAttr>(a)
                         ? !cast<FloatAttr>(a).getValue().isZero()
                         : !cast<IntegerAttr>(a).getValue().isZero();
      if (nonZero)
        columns.push_back(index);
      nextIndex(index, shape);
    }
    int64_t count = columns.size();
    SmallVector<int64_t> values(rank * count);
    for (int64_t j = 0; j < count; ++j)
      for (int64_t r = 0; r < rank; ++r)
        values[r * count + j] = columns[j][r];
    auto type = RankedTensorType::get({rank, count}, rewriter.getI64Type());
    Value constant = ConstantOp::create(
        rewriter, op.getLoc(),
        cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
    replaceWithCast(rewriter, op, constant);
    return success();
  }
};
} // namespace

void NonZeroOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                            MLIRContext *context) {
  patterns.add<ConstantNonZero>(context);
}
void DynamicReshapeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                   MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicReshapeOp>>(context, staticReshape);
}
void DynamicBroadcastOp::getCanonicalizationPatterns(
    RewritePatternSet &patterns, MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicBroadcastOp>>(context, staticBroadcast);
}
void DynamicSliceOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                 MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicSliceOp>>(context, staticSlice);
}
void DynamicPadOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                               MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicPadOp>>(context, staticPad);
}
void DynamicTileOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                                MLIRContext *context) {
  patterns.add<ToStaticForm<DynamicTileOp>>(context, staticTile);
}
void RangeOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                          MLIRContext *context) {
  patterns.add<ConstantRange>(context);
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
