//===- OptcToLinalg.cpp - optc operations to linalg, tensor, arith, math --===//
//
// Implements --optc-convert-to-linalg, the lowering of the optc dialect to
// upstream dialects on tensors (DESIGN.md stage 6). One dialect conversion
// does everything, so that a model either lowers completely or fails with
// the location of the first operation that has no lowering yet.
//
// The signedness of optc's integer types (`ui8`, `si32`) moves from the
// types into the choice of operations: tensors become signless, and each
// lowering reads the original element type to pick `divui` or `divsi`.
// The host program's view of the signature (dtypes with their signedness)
// was recorded before this pass by --optc-record-interface.
//
// Broadcasting follows one rule: an operand's stretched size-1 dimensions
// are collapsed away before it enters a `linalg.generic`, so every indexing
// map is a projected permutation, which tiling and vectorisation need.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"
#include "passes/Conversion/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/Patterns.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/UB/IR/UBOps.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/BuiltinDialect.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/Transforms/DialectConversion.h"
#include "llvm/ADT/TypeSwitch.h"

#include <cmath>

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCONVERTTOLINALG
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::lowering;

namespace mlir::optc::lowering {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// The element type a tensor of `element` stores: signless integers, and
/// bools as bytes (0 or 1), as the runtime exchanges them. Vectors of i1
/// would otherwise be stored as packed bits.
Type storageElement(Type element) {
  if (element.isInteger(1) || isNarrow(element))
    return IntegerType::get(element.getContext(), 8);
  if (auto integer = dyn_cast<IntegerType>(element);
      integer && !integer.isSignless())
    return IntegerType::get(element.getContext(), integer.getWidth());
  return element;
}

/// `type` as lowered: tensors take their storage element type; scalar
/// integers become signless (an i1 scalar stays i1).
Type signless(Type type) {
  if (auto integer = dyn_cast<IntegerType>(type);
      integer && !integer.isSignless())
    return IntegerType::get(type.getContext(), integer.getWidth());
  if (auto tensor = dyn_cast<RankedTensorType>(type))
    return tensor.clone(storageElement(tensor.getElementType()));
  if (auto tensor = dyn_cast<UnrankedTensorType>(type))
    return UnrankedTensorType::get(storageElement(tensor.getElementType()));
  return type;
}

Type elementOf(Value value) {
  return cast<ShapedType>(value.getType()).getElementType();
}

RankedTensorType tensorOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}

//===----------------------------------------------------------------------===//
// Building blocks
//===----------------------------------------------------------------------===//

Value constantOf(OpBuilder &b, Location loc, Type type, double value) {
  if (isa<FloatType>(type))
    return arith::ConstantOp::create(b, loc, b.getFloatAttr(type, value));
  return arith::ConstantOp::create(
      b, loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type) {
  return tensor::EmptyOp::create(b, loc, type.getShape(),
                                 storageElement(type.getElementType()));
}

Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value scalar) {
  Value empty = emptyTensor(b, loc, type);
  return linalg::FillOp::create(b, loc, ValueRange{scalar}, ValueRange{empty})
      .getResult(0);
}

Value contraction(OpBuilder &b, Location loc, Value lhs, Value rhs, Value init,
                  ArrayRef<AffineMap> maps) {
  return linalg::ContractOp::create(b, loc, TypeRange{init.getType()},
                                    ValueRange{lhs, rhs}, ValueRange{init},
                                    b.getAffineMapArrayAttr(maps))
      .getResult(0);
}

/// Reassociation that groups every dimension of `keep` (the ones that stay)
/// with the unit dimensions around it; `rank` is the full rank.
SmallVector<ReassociationIndices> groupUnitDims(int64_t rank,
                                                ArrayRef<bool> keep) {
  SmallVector<ReassociationIndices> groups;
  ReassociationIndices pending;
  for (int64_t d = 0; d < rank; ++d) {
    pending.push_back(d);
    if (keep[d]) {
      groups.push_back(pending);
      pending.clear();
    }
  }
  if (!pending.empty()) {
    if (groups.empty())
      return {}; // everything is a unit dimension: collapse to rank 0
    groups.back().append(pending.begin(), pending.end());
  }
  return groups;
}

/// Drops the dimensions of `value` not in `keep` (all of size 1).
Value dropUnitDims(OpBuilder &b, Location loc, Value value,
                   ArrayRef<bool> keep) {
  RankedTensorType type = tensorOf(value);
  if (llvm::all_of(keep, [](bool k) { return k; }))
    return value;
  SmallVector<int64_t> shape;
  for (auto [size, k] : llvm::zip(type.getShape(), keep))
    if (k)
      shape.push_back(size);
  return tensor::CollapseShapeOp::create(b, loc, type.clone(shape), value,
                                         groupUnitDims(type.getRank(), keep));
}

/// Inserts unit dimensions into `value` to give it `type`, whose other
/// dimensions are `value`'s; `keep` marks those.
Value addUnitDims(OpBuilder &b, Location loc, Value value,
                  RankedTensorType type, ArrayRef<bool> keep) {
  if (tensorOf(value).getRank() == type.getRank())
    return value;
  return tensor::ExpandShapeOp::create(
      b, loc, type.clone(storageElement(type.getElementType())), value,
      groupUnitDims(type.getRank(), keep));
}

/// Prepares `value` (already converted) to be read at result positions of
/// `resultShape` under numpy broadcasting: collapses its stretched unit
/// dimensions and returns it with its projected-permutation indexing map.
std::pair<Value, AffineMap> broadcastOperand(OpBuilder &b, Location loc,
                                             Value value,
                                             ArrayRef<int64_t> resultShape) {
  RankedTensorType type = tensorOf(value);
  int64_t rank = resultShape.size(), offset = rank - type.getRank();
  SmallVector<bool> keep;
  SmallVector<AffineExpr> exprs;
  for (auto [d, size] : llvm::enumerate(type.getShape())) {
    bool stretched = size == 1 && resultShape[offset + d] != 1;
    keep.push_back(!stretched);
    if (!stretched)
      exprs.push_back(b.getAffineDimExpr(offset + d));
  }
  Value collapsed = dropUnitDims(b, loc, value, keep);
  return {collapsed, AffineMap::get(rank, 0, exprs, b.getContext())};
}

using ScalarBody =
    function_ref<Value(OpBuilder &, Location, ValueRange arguments)>;

/// A linalg.generic computing `body` elementwise over `inputs` (broadcast
/// to `resultType` by numpy rules).
Value elementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                  ValueRange inputs, ScalarBody body) {
  ArrayRef<int64_t> shape = resultType.getShape();
  SmallVector<Value> operands;
  SmallVector<AffineMap> maps;
  for (Value input : inputs) {
    auto [operand, map] = broadcastOperand(b, loc, input, shape);
    operands.push_back(operand);
    maps.push_back(map);
  }
  maps.push_back(b.getMultiDimIdentityMap(shape.size()));
  SmallVector<utils::IteratorType> iterators(shape.size(),
                                             utils::IteratorType::parallel);
  auto generic = linalg::GenericOp::create(
      b, loc, TypeRange{signless(resultType)}, operands,
      ValueRange{emptyTensor(b, loc, resultType)}, maps, iterators,
      [&](OpBuilder &nested, Location nestedLoc, ValueRange args) {
        Value result = body(nested, nestedLoc, args.drop_back());
        linalg::YieldOp::create(nested, nestedLoc, result);
      });
  return generic.getResult(0);
}

//===----------------------------------------------------------------------===//
// Scalar semantics of the elementwise operations
//===----------------------------------------------------------------------===//

/// Integer division and remainder that never trap: a zero divisor gives 0,
/// and the signed overflow MIN / -1 wraps, like the other integer ops.
Value safeIntegerDivision(OpBuilder &b, Location loc, Value x, Value y,
                          bool isSigned, bool remainder) {
  Type type = x.getType();
  Value zero = constantOf(b, loc, type, 0), one = constantOf(b, loc, type, 1);
  Value isZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq, y, zero);
  Value divisor = arith::SelectOp::create(b, loc, isZero, one, y);
  Value result;
  if (!isSigned) {
    result = remainder ? Value(arith::RemUIOp::create(b, loc, x, divisor))
                       : Value(arith::DivUIOp::create(b, loc, x, divisor));
  } else {
    // Divide by -1 as negation (and remainder 0) to avoid the overflow trap.
    Value minusOne = constantOf(b, loc, type, -1);
    Value isMinusOne = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::eq,
                                             divisor, minusOne);
    Value safe = arith::SelectOp::create(b, loc, isMinusOne, one, divisor);
    Value quotient = remainder ? Value(arith::RemSIOp::create(b, loc, x, safe))
                               : Value(arith::DivSIOp::create(b, loc, x, safe));
    Value negated =
        remainder ? zero : Value(arith::SubIOp::create(b, loc, zero, x));
    result = arith::SelectOp::create(b, loc, isMinusOne, negated, quotient);
  }
  return arith::SelectOp::create(b, loc, isZero, zero, result);
}

/// x^y for floats as C's pow: a negative base gives a real result only
/// for an integral exponent, negative when the exponent is odd. (The math
/// dialect's powf expands to exp(y * log(x)), NaN for every negative x.)
static Value floatPower(OpBuilder &b, Location loc, Value x, Value y) {
  Type type = x.getType();
  Value zero = constantOf(b, loc, type, 0), two = constantOf(b, loc, type, 2);
  Value magnitude =
      math::PowFOp::create(b, loc, math::AbsFOp::create(b, loc, x), y);
  Value integral = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ,
                                         math::FloorOp::create(b, loc, y), y);
  Value half = arith::DivFOp::create(b, loc, y, two);
  Value odd = arith::AndIOp::create(
      b, loc, integral,
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE,
                            math::FloorOp::create(b, loc, half), half));
  Value negativeResult = arith::SelectOp::create(
      b, loc, odd, arith::NegFOp::create(b, loc, magnitude), magnitude);
  Value nan = constantOf(b, loc, type, NAN);
  Value forNegative =
      arith::SelectOp::create(b, loc, integral, negativeResult, nan);
  Value negative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(b, loc, negative, forNegative, magnitude);
}

/// The remainder with the sign of the divisor (Python's %).
static Value flooredRemainder(OpBuilder &b, Location loc, Value x, Value y,
                              Kind kind) {
  Type type = x.getType();
  Value zero = constantOf(b, loc, type, 0);
  if (kind == Kind::Float) {
    Value r = arith::RemFOp::create(b, loc, x, y);
    Value nonZero =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::ONE, r, zero);
    Value rNeg =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, r, zero);
    Value yNeg =
        arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, y, zero);
    Value differ = arith::XOrIOp::create(b, loc, rNeg, yNeg);
    Value fix = arith::AndIOp::create(b, loc, nonZero, differ);
    return arith::SelectOp::create(b, loc, fix,
                                   arith::AddFOp::create(b, loc, r, y), r);
  }
  Value r = safeIntegerDivision(b, loc, x, y, kind == Kind::Signed, true);
  if (kind != Kind::Signed)
    return r;
  Value nonZero =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, r, zero);
  Value signs = arith::XOrIOp::create(b, loc, r, y);
  Value differ =
      arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, signs, zero);
  Value fix = arith::AndIOp::create(b, loc, nonZero, differ);
  return arith::SelectOp::create(b, loc, fix,
                                 arith::AddIOp::create(b, loc, r, y), r);
}

Value compare(OpBuilder &b, Location loc, ComparePredicate predicate, Value x,
              Value y, Kind kind) {
  if (kind == Kind::Float) {
    arith::CmpFPredicate p;
    switch (predicate) {
    case ComparePredicate::eq:
      p = arith::CmpFPredicate::OEQ;
      break;
    case ComparePredicate::ne:
      p = arith::CmpFPredicate::UNE;
      break;
    case ComparePredicate::lt:
      p = arith::CmpFPredicate::OLT;
      break;
    case ComparePredicate::le:
      p = arith::CmpFPredicate::OLE;
      break;
    case ComparePredicate::gt:
      p = arith::CmpFPredicate::OGT;
      break;
    case ComparePredicate::ge:
      p = arith::CmpFPredicate::OGE;
      break;
    }
    return arith::CmpFOp::create(b, loc, p, x, y);
  }
  bool isSigned = kind == Kind::Signed;
  arith::CmpIPredicate p;
  switch (predicate) {
  case ComparePredicate::eq:
    p = arith::CmpIPredicate::eq;
    break;
  case ComparePredicate::ne:
    p = arith::CmpIPredicate::ne;
    break;
  case ComparePredicate::lt:
    p = isSigned ? arith::CmpIPredicate::slt : arith::CmpIPredicate::ult;
    break;
  case ComparePredicate::le:
    p = isSigned ? arith::CmpIPredicate::sle : arith::CmpIPredicate::ule;
    break;
  case ComparePredicate::gt:
    p = isSigned ? arith::CmpIPredicate::sgt : arith::CmpIPredicate::ugt;
    break;
  case ComparePredicate::ge:
    p = isSigned ? arith::CmpIPredicate::sge : arith::CmpIPredicate::uge;
    break;
  }
  return arith::CmpIOp::create(b, loc, p, x, y);
}

FailureOr<Value> castScalar(OpBuilder &b, Location loc, Value x, Type from,
                            Type to, bool saturate) {
  if (from == to)
    return x;
  // Narrow types go through f32 or an 8-bit integer. (From f64, rounding
  // to f32 first can, in rare ties, differ from rounding directly.)
  if (isNarrow(from)) {
    if (auto floatType = dyn_cast<FloatType>(from))
      return castScalar(b, loc, decodeNarrowFloat(b, loc, x, floatType),
                        b.getF32Type(), to, saturate);
    auto integer = cast<IntegerType>(from);
    Type byte = integer.isUnsigned()
                    ? IntegerType::get(b.getContext(), 8, IntegerType::Unsigned)
                    : b.getI8Type();
    return castScalar(b, loc, decodeNarrowInteger(b, loc, x, integer), byte, to,
                      saturate);
  }
  if (isNarrow(to)) {
    if (auto floatType = dyn_cast<FloatType>(to)) {
      FailureOr<Value> wide = castScalar(b, loc, x, from, b.getF32Type());
      if (failed(wide))
        return failure();
      return encodeNarrowFloat(b, loc, *wide, floatType, saturate);
    }
    // Through a signed i32 even for unsigned targets: -9.0 becomes 7 as a
    // uint4, as ONNX's reference (ml_dtypes) wraps it.
    FailureOr<Value> wide = castScalar(b, loc, x, from, b.getI32Type());
    if (failed(wide))
      return failure();
    return encodeNarrowInteger(b, loc, *wide, cast<IntegerType>(to));
  }
  Type target = signless(to);
  Kind source = kindOf(from);
  if (signless(from) == target)
    return x;
  if (auto toFloat = dyn_cast<FloatType>(to)) {
    if (toFloat.getWidth() < 16)
      return failure(); // f8/f4 need saturating rounding of their own
    if (auto fromFloat = dyn_cast<FloatType>(from)) {
      if (fromFloat.getWidth() < 16)
        return failure();
      if (fromFloat.getWidth() < toFloat.getWidth() ||
          (fromFloat.isF16() && toFloat.isBF16()) ||
          (fromFloat.isBF16() && toFloat.isF16())) {
        // f16 <-> bf16 go through f32: neither holds the other.
        if (fromFloat.getWidth() == toFloat.getWidth()) {
          Value wide = arith::ExtFOp::create(b, loc, b.getF32Type(), x);
          return Value(arith::TruncFOp::create(b, loc, target, wide));
        }
        return Value(arith::ExtFOp::create(b, loc, target, x));
      }
      return Value(arith::TruncFOp::create(b, loc, target, x));
    }
    if (source == Kind::Signed)
      return Value(arith::SIToFPOp::create(b, loc, target, x));
    return Value(arith::UIToFPOp::create(b, loc, target, x));
  }
  if (to.isInteger(1)) {
    Value zero = constantOf(b, loc, x.getType(), 0);
    if (source == Kind::Float)
      return Value(
          arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNE, x, zero));
    return Value(
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, zero));
  }
  auto toInt = cast<IntegerType>(to);
  if (auto fromFloat = dyn_cast<FloatType>(from)) {
    if (fromFloat.getWidth() < 16)
      return failure();
    if (toInt.isUnsigned())
      return Value(arith::FPToUIOp::create(b, loc, target, x));
    return Value(arith::FPToSIOp::create(b, loc, target, x));
  }
  unsigned fromWidth = cast<IntegerType>(from).getWidth();
  if (fromWidth > toInt.getWidth())
    return Value(arith::TruncIOp::create(b, loc, target, x));
  if (source == Kind::Signed)
    return Value(arith::ExtSIOp::create(b, loc, target, x));
  return Value(arith::ExtUIOp::create(b, loc, target, x));
}

/// 1 / (1 + e^-x), as e^x / (1 + e^x) for negative x: exp never
/// overflows, and tiny results keep their precision.
static Value sigmoidOf(OpBuilder &b, Location loc, Value x) {
  Type type = x.getType();
  Value one = constantOf(b, loc, type, 1), zero = constantOf(b, loc, type, 0);
  Value e = math::ExpOp::create(
      b, loc, arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x)));
  Value s =
      arith::DivFOp::create(b, loc, one, arith::AddFOp::create(b, loc, one, e));
  Value isNegative =
      arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, zero);
  return arith::SelectOp::create(b, loc, isNegative,
                                 arith::MulFOp::create(b, loc, e, s), s);
}

/// The scalar computation of an elementwise optc op on converted operands;
/// failure when the op is not elementwise or has no lowering yet.
static FailureOr<Value> scalarOf(Operation *op, OpBuilder &b, Location loc,
                                 ValueRange args) {
  Type element = elementOf(op->getOperand(0));
  if (isa<SelectOp>(op))
    element = elementOf(op->getOperand(1));
  Kind kind = kindOf(element);
  Type type = args.empty() ? Type() : args.back().getType();
  auto c = [&](double value) { return constantOf(b, loc, type, value); };
  Value x = args.empty() ? Value() : args[0];
  Value y = args.size() > 1 ? args[1] : Value();
  bool isFloat = kind == Kind::Float, isSigned = kind == Kind::Signed;

  return TypeSwitch<Operation *, FailureOr<Value>>(op)
      // Float math.
      .Case([&](ExpOp) { return Value(math::ExpOp::create(b, loc, x)); })
      .Case([&](Expm1Op) { return Value(math::ExpM1Op::create(b, loc, x)); })
      .Case([&](LogOp) { return Value(math::LogOp::create(b, loc, x)); })
      .Case([&](SqrtOp) { return Value(math::SqrtOp::create(b, loc, x)); })
      .Case([&](RsqrtOp) { return Value(math::RsqrtOp::create(b, loc, x)); })
      .Case([&](ReciprocalOp) {
        return Value(arith::DivFOp::create(b, loc, c(1), x));
      })
      .Case([&](SinOp) { return Value(math::SinOp::create(b, loc, x)); })
      .Case([&](CosOp) { return Value(math::CosOp::create(b, loc, x)); })
      .Case([&](TanOp) { return Value(math::TanOp::create(b, loc, x)); })
      .Case([&](AsinOp) { return Value(math::AsinOp::create(b, loc, x)); })
      .Case([&](AcosOp) { return Value(math::AcosOp::create(b, loc, x)); })
      .Case([&](AtanOp) { return Value(math::AtanOp::create(b, loc, x)); })
      .Case([&](SinhOp) { return Value(math::SinhOp::create(b, loc, x)); })
      .Case([&](CoshOp) { return Value(math::CoshOp::create(b, loc, x)); })
      .Case([&](TanhOp) { return Value(math::TanhOp::create(b, loc, x)); })
      .Case([&](AsinhOp) { return Value(math::AsinhOp::create(b, loc, x)); })
      .Case([&](AcoshOp) { return Value(math::AcoshOp::create(b, loc, x)); })
      .Case([&](AtanhOp) { return Value(math::AtanhOp::create(b, loc, x)); })
      .Case([&](ErfOp) { return Value(math::ErfOp::create(b, loc, x)); })
      .Case([&](SigmoidOp) { return sigmoidOf(b, loc, x); })
      .Case([&](SoftplusOp) {
        // max(x, 0) + log1p(exp(-|x|)): no overflow for large |x|.
        Value negAbs =
            arith::NegFOp::create(b, loc, math::AbsFOp::create(b, loc, x));
        Value tail =
            math::Log1pOp::create(b, loc, math::ExpOp::create(b, loc, negAbs));
        return Value(arith::AddFOp::create(
            b, loc, arith::MaximumFOp::create(b, loc, x, c(0)), tail));
      })
      .Case([&](FloorOp) { return Value(math::FloorOp::create(b, loc, x)); })
      .Case([&](CeilOp) { return Value(math::CeilOp::create(b, loc, x)); })
      .Case(
          [&](RoundOp) { return Value(math::RoundEvenOp::create(b, loc, x)); })
      .Case([&](GeluOp gelu) -> Value {
        if (gelu.getTanhApproximation()) {
          // x (1 + tanh(u)) / 2 = x sigmoid(2u): no cancellation where
          // tanh(u) is close to -1.
          Value cube = arith::MulFOp::create(
              b, loc, x, arith::MulFOp::create(b, loc, x, x));
          Value sum = arith::AddFOp::create(
              b, loc, x, arith::MulFOp::create(b, loc, c(0.044715), cube));
          Value twoU = arith::MulFOp::create(
              b, loc, c(2 * std::sqrt(2.0 / M_PI)), sum);
          return arith::MulFOp::create(b, loc, x, sigmoidOf(b, loc, twoU));
        }
        // x (1 + erf(x / sqrt 2)) / 2 = x erfc(-x / sqrt 2) / 2: no
        // cancellation for negative x, where 1 + erf(x / sqrt 2) would.
        Value half = arith::MulFOp::create(b, loc, c(0.5), x);
        Value scaled = arith::MulFOp::create(b, loc, x, c(-M_SQRT1_2));
        return arith::MulFOp::create(b, loc, half,
                                     math::ErfcOp::create(b, loc, scaled));
      })
      // Numeric unary ops.
      .Case([&](NegOp) {
        return isFloat ? Value(arith::NegFOp::create(b, loc, x))
                       : Value(arith::SubIOp::create(b, loc, c(0), x));
      })
      .Case([&](AbsOp) -> Value {
        if (isFloat)
          return math::AbsFOp::create(b, loc, x);
        return isSigned ? Value(math::AbsIOp::create(b, loc, x)) : x;
      })
      .Case([&](SignOp) -> Value {
        if (isFloat) {
          // Zero and NaN stay themselves.
          Value pos =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OGT, x, c(0));
          Value neg =
              arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OLT, x, c(0));
          return arith::SelectOp::create(
              b, loc, pos, c(1),
              arith::SelectOp::create(b, loc, neg, c(-1), x));
        }
        Value nonZero =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ne, x, c(0));
        Value magnitude = arith::SelectOp::create(b, loc, nonZero, c(1), c(0));
        if (!isSigned)
          return magnitude;
        Value neg =
            arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, x, c(0));
        return arith::SelectOp::create(b, loc, neg, c(-1), magnitude);
      })
      .Case([&](ReluOp) -> Value {
        if (isFloat)
          return arith::MaximumFOp::create(b, loc, x, c(0));
        return isSigned ? Value(arith::MaxSIOp::create(b, loc, x, c(0))) : x;
      })
      .Case([&](NotOp) {
        return Value(arith::XOrIOp::create(
            b, loc, x, arith::ConstantOp::create(b, loc, b.getBoolAttr(true))));
      })
      .Case([&](BitwiseNotOp) {
        return Value(arith::XOrIOp::create(b, loc, x, c(-1)));
      })
      .Case([&](IsNanOp) {
        return Value(
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::UNO, x, x));
      })
      .Case([&](IsInfOp isInf) -> Value {
        Type xType = x.getType();
        Value inf = constantOf(b, loc, xType, INFINITY);
        Value ninf = constantOf(b, loc, xType, -INFINITY);
        Value pos =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, inf);
        Value neg =
            arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, x, ninf);
        Value no = arith::ConstantOp::create(b, loc, b.getBoolAttr(false));
        return arith::OrIOp::create(b, loc,
                                    isInf.getDetectPositive() ? pos : no,
                                    isInf.getDetectNegative() ? neg : no);
      })
      // Binary ops.
      .Case([&](AddOp) {
        return isFloat ? Value(arith::AddFOp::create(b, loc, x, y))
                       : Value(arith::AddIOp::create(b, loc, x, y));
      })
      .Case([&](SubOp) {
        return isFloat ? Value(arith::SubFOp::create(b, loc, x, y))
                       : Value(arith::SubIOp::create(b, loc, x, y));
      })
      .Case([&](MulOp) {
        return isFloat ? Value(arith::MulFOp::create(b, loc, x, y))
                       : Value(arith::MulIOp::create(b, loc, x, y));
      })
      .Case([&](DivOp) {
        return isFloat ? Value(arith::DivFOp::create(b, loc, x, y))
                       : safeIntegerDivision(b, loc, x, y, isSigned, false);
      })
      .Case([&](PowOp) {
        return isFloat ? floatPower(b, loc, x, y)
                       : Value(math::IPowIOp::create(b, loc, x, y));
      })
      .Case([&](MaxOp) -> Value {
        if (isFloat)
          return arith::MaximumFOp::create(b, loc, x, y);
        return isSigned ? Value(arith::MaxSIOp::create(b, loc, x, y))
                        : Value(arith::MaxUIOp::create(b, loc, x, y));
      })
      .Case([&](MinOp) -> Value {
        if (isFloat)
          return arith::MinimumFOp::create(b, loc, x, y);
        return isSigned ? Value(arith::MinSIOp::create(b, loc, x, y))
                        : Value(arith::MinUIOp::create(b, loc, x, y));
      })
      .Case<AndOp, BitwiseAndOp>([&](Operation *) {
        return Value(arith::AndIOp::create(b, loc, x, y));
      })
      .Case<OrOp, BitwiseOrOp>([&](Operation *) {
        return Value(arith::OrIOp::create(b, loc, x, y));
      })
      .Case<XorOp, BitwiseXorOp>([&](Operation *) {
        return Value(arith::XOrIOp::create(b, loc, x, y));
      })
      .Case([&](ShiftLeftOp) -> Value {
        // Shifting every bit out gives 0 (LLVM's shl would be poison).
        unsigned width = type.getIntOrFloatBitWidth();
        Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                              y, c(width));
        return arith::SelectOp::create(
            b, loc, inRange, arith::ShLIOp::create(b, loc, x, y), c(0));
      })
      .Case([&](ShiftRightOp) -> Value {
        unsigned width = type.getIntOrFloatBitWidth();
        Value inRange = arith::CmpIOp::create(b, loc, arith::CmpIPredicate::ult,
                                              y, c(width));
        if (isSigned) {
          Value amount =
              arith::SelectOp::create(b, loc, inRange, y, c(width - 1));
          return arith::ShRSIOp::create(b, loc, x, amount);
        }
        return arith::SelectOp::create(
            b, loc, inRange, arith::ShRUIOp::create(b, loc, x, y), c(0));
      })
      .Case([&](RemOp rem) -> Value {
        if (!rem.getFmod())
          return flooredRemainder(b, loc, x, y, kind);
        if (isFloat)
          return arith::RemFOp::create(b, loc, x, y);
        return safeIntegerDivision(b, loc, x, y, isSigned, true);
      })
      .Case([&](CompareOp cmp) {
        return compare(b, loc, cmp.getPredicate(), x, y, kind);
      })
      .Case([&](SelectOp) {
        return Value(
            arith::SelectOp::create(b, loc, args[0], args[1], args[2]));
      })
      .Case([&](CastOp cast) {
        return castScalar(b, loc, x, element, elementOf(cast.getOutput()),
                          cast.getSaturate());
      })
      .Case([&](BitcastOp bitcast) {
        // Narrow types are their storage bytes on either side.
        Type to = elementOf(bitcast.getOutput());
        Type target = isNarrow(to) ? storageElement(to) : signless(to);
        if (x.getType() == target)
          return x;
        return Value(arith::BitcastOp::create(b, loc, target, x));
      })
      .Default([](Operation *) { return failure(); });
}

/// Whether sums over `element` accumulate in f32: the 16-bit floats, whose
/// own precision loses whole digits over a few hundred terms.
bool accumulatesWide(Type element) {
  return element.isF16() || element.isBF16();
}

Value widenFloats(OpBuilder &b, Location loc, Value value) {
  RankedTensorType type = tensorOf(value);
  if (!accumulatesWide(type.getElementType()))
    return value;
  return elementwise(
      b, loc, type.clone(b.getF32Type()), {value},
      [](OpBuilder &nb, Location l, ValueRange args) {
        return Value(arith::ExtFOp::create(nb, l, nb.getF32Type(), args[0]));
      });
}

Value narrowFloats(OpBuilder &b, Location loc, Value value, Type element) {
  RankedTensorType type = tensorOf(value);
  if (type.getElementType() == element)
    return value;
  return elementwise(b, loc, type.clone(element), {value},
                     [&](OpBuilder &nb, Location l, ValueRange args) {
                       return Value(
                           arith::TruncFOp::create(nb, l, element, args[0]));
                     });
}

} // namespace mlir::optc::lowering

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

namespace {

/// Every elementwise optc op: one linalg.generic around its scalar form.
struct ElementwiseLowering : public ConversionPattern {
  ElementwiseLowering(const TypeConverter &converter, MLIRContext *context)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), 1, context) {}

  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (!isa<OptcDialect>(op->getDialect()) || op->getNumResults() != 1 ||
        !isa<RankedTensorType>(op->getResult(0).getType()))
      return failure();
    if (!isElementwise(op))
      return failure();
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (!resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    // Narrow types are stored bytes: only casts decode and encode them;
    // selects and bitcasts pass them through.
    bool passesBytes = isa<CastOp, SelectOp, BitcastOp>(op);
    if (!passesBytes && llvm::any_of(op->getOperandTypes(), [](Type t) {
          return isNarrow(cast<ShapedType>(t).getElementType());
        }))
      return rewriter.notifyMatchFailure(op, "no arithmetic on narrow types");
    if (!passesBytes && isNarrow(resultType.getElementType()))
      return rewriter.notifyMatchFailure(op, "no arithmetic on narrow types");
    bool unsupported = false;
    Value result = elementwise(
        rewriter, op->getLoc(), resultType, operands,
        [&](OpBuilder &b, Location loc, ValueRange stored) -> Value {
          // Bools are stored as bytes: compute on i1, store bytes.
          SmallVector<Value> args;
          for (auto [operand, value] : llvm::zip(op->getOperands(), stored))
            args.push_back(elementOf(operand).isInteger(1)
                               ? Value(arith::TruncIOp::create(
                                     b, loc, b.getI1Type(), value))
                               : value);
          FailureOr<Value> scalar = scalarOf(op, b, loc, args);
          if (failed(scalar)) {
            unsupported = true;
            return stored.empty() ? Value() : stored.front();
          }
          if (resultType.getElementType().isInteger(1))
            return arith::ExtUIOp::create(b, loc, b.getI8Type(), *scalar);
          return *scalar;
        });
    if (unsupported) {
      // Leave no half-built generic behind.
      rewriter.eraseOp(result.getDefiningOp());
      return rewriter.notifyMatchFailure(op, "no scalar lowering");
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// optc.random_uniform: element i is a hash (splitmix64) of a 64-bit key
/// and i, scaled into [low, high). With a seed the key comes from the seed,
/// so runs repeat; without one it comes from the runtime's
/// optc_random_key(), a fresh value on every call. Elements are
/// independent of each other and of the order they are computed in, so
/// the generic vectorises and splits across threads like any other.
struct RandomUniformLowering : public OpConversionPattern<RandomUniformOp> {
  using OpConversionPattern::OpConversionPattern;
  static constexpr llvm::StringLiteral kRandomKey = "optc_random_key";

  static Value splitmix64(OpBuilder &b, Location loc, Value x) {
    auto c = [&](uint64_t v) {
      return arith::ConstantOp::create(
          b, loc, b.getI64IntegerAttr(static_cast<int64_t>(v)));
    };
    auto mix = [&](Value z, int64_t shift, uint64_t factor) {
      Value shifted = arith::ShRUIOp::create(b, loc, z, c(shift));
      return arith::MulIOp::create(
          b, loc, arith::XOrIOp::create(b, loc, z, shifted), c(factor));
    };
    Value z = arith::AddIOp::create(b, loc, x, c(0x9E3779B97F4A7C15ull));
    z = mix(z, 30, 0xBF58476D1CE4E5B9ull);
    z = mix(z, 27, 0x94D049BB133111EBull);
    return arith::XOrIOp::create(b, loc, z,
                                 arith::ShRUIOp::create(b, loc, z, c(31)));
  }

  LogicalResult
  matchAndRewrite(RandomUniformOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    Type i64 = rewriter.getI64Type();
    Value key;
    if (std::optional<APFloat> seed = op.getSeed()) {
      uint64_t bits = seed->bitcastToAPInt().getZExtValue();
      key = arith::ConstantOp::create(
          rewriter, loc,
          rewriter.getI64IntegerAttr(static_cast<int64_t>(bits)));
    } else {
      auto module = op->getParentOfType<ModuleOp>();
      if (!module.lookupSymbol(kRandomKey)) {
        OpBuilder::InsertionGuard guard(rewriter);
        rewriter.setInsertionPointToStart(module.getBody());
        auto decl = func::FuncOp::create(rewriter, loc, kRandomKey,
                                         rewriter.getFunctionType({}, {i64}));
        decl.setPrivate();
      }
      key = func::CallOp::create(rewriter, loc, kRandomKey, TypeRange{i64},
                                 ValueRange{})
                .getResult(0);
    }
    // The key is hashed once, so nearby seeds give unrelated streams.
    key = splitmix64(rewriter, loc, key);
    auto element = cast<FloatType>(type.getElementType());
    // As many random bits as the type holds exactly: u in [0, 1).
    unsigned bits = element.isF64()   ? 53
                    : element.isF32() ? 24
                    : element.isF16() ? 11
                                      : 8;
    Type compute = element.isF64() ? Type(rewriter.getF64Type())
                                   : Type(rewriter.getF32Type());
    double low = op.getLow().convertToDouble();
    double span = op.getHigh().convertToDouble() - low;
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (int64_t d = type.getRank() - 2; d >= 0; --d)
      strides[d] = strides[d + 1] * type.getDimSize(d + 1);
    int64_t rank = type.getRank();
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{},
        ValueRange{emptyTensor(rewriter, loc, type)},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, parallel,
        [&](OpBuilder &b, Location l, ValueRange) {
          Value flat = arith::ConstantOp::create(b, l, b.getI64IntegerAttr(0));
          for (int64_t d = 0; d < rank; ++d) {
            Value i = arith::IndexCastOp::create(
                b, l, b.getI64Type(), linalg::IndexOp::create(b, l, d));
            flat = arith::AddIOp::create(
                b, l, flat,
                arith::MulIOp::create(
                    b, l, i,
                    arith::ConstantOp::create(
                        b, l, b.getI64IntegerAttr(strides[d]))));
          }
          Value h = splitmix64(b, l, arith::XOrIOp::create(b, l, key, flat));
          Value top = arith::ShRUIOp::create(
              b, l, h,
              arith::ConstantOp::create(b, l, b.getI64IntegerAttr(64 - bits)));
          // One op per statement: the IR's order does not depend on the
          // compiler's order of evaluating arguments.
          Value draw = arith::UIToFPOp::create(b, l, compute, top);
          Value ulp = arith::ConstantOp::create(
              b, l, b.getFloatAttr(compute, std::ldexp(1.0, -int(bits))));
          Value u = arith::MulFOp::create(b, l, draw, ulp);
          Value width =
              arith::ConstantOp::create(b, l, b.getFloatAttr(compute, span));
          Value scaled = arith::MulFOp::create(b, l, u, width);
          Value start =
              arith::ConstantOp::create(b, l, b.getFloatAttr(compute, low));
          Value v = arith::AddFOp::create(b, l, scaled, start);
          if (compute != element)
            v = arith::TruncFOp::create(b, l, element, v);
          linalg::YieldOp::create(b, l, v);
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct ConstantLowering : public OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<ShapedType>(signless(op.getType()));
    Attribute value = op.getValue();
    if (type != op.getType()) {
      auto dense = dyn_cast<DenseElementsAttr>(value);
      Type element = dense ? dense.getElementType() : Type();
      if (dense && isNarrowFloat(element))
        value = cast<DenseFPElementsAttr>(dense).mapValues(
            type.getElementType(),
            [](const APFloat &v) { return v.bitcastToAPInt().zext(8); });
      else if (dense && (element.isInteger(1) || isNarrow(element)))
        value = dense.mapValues(type.getElementType(),
                                [](const APInt &bits) { return bits.zext(8); });
      else if (dense)
        value = dense.bitcast(type.getElementType());
      else if (auto resource = dyn_cast<DenseResourceElementsAttr>(value))
        value = DenseResourceElementsAttr::get(type, resource.getRawHandle());
      else
        return rewriter.notifyMatchFailure(op, "unknown constant kind");
    }
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, type,
                                                   cast<TypedAttr>(value));
    return success();
  }
};

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
      int64_t rows = 1;
      for (int64_t d = 0; d + 1 < rank; ++d) {
        leading.push_back(d);
        rows *= full[d];
      }
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
      int64_t count = 1;
      for (int64_t axis : axes)
        count *= inputType.getDimSize(axis);
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

struct TransposeLowering : public OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Value init = emptyTensor(rewriter, op.getLoc(), op.getType());
    rewriter.replaceOp(op, linalg::TransposeOp::create(rewriter, op.getLoc(),
                                                       adaptor.getInput(), init,
                                                       op.getPermutation())
                               .getResult());
    return success();
  }
};

/// A reshape of contiguous data is a view: collapse to 1-D, expand to the
/// result.
struct ReshapeLowering : public OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorOf(input);
    auto resultType = cast<RankedTensorType>(signless(op.getType()));
    if (!inputType.hasStaticShape() || !resultType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    if (inputType == resultType) {
      rewriter.replaceOp(op, input);
      return success();
    }
    auto flatType = RankedTensorType::get({inputType.getNumElements()},
                                          inputType.getElementType());
    auto allInOne = [](int64_t rank) {
      ReassociationIndices group;
      for (int64_t d = 0; d < rank; ++d)
        group.push_back(d);
      return SmallVector<ReassociationIndices>{group};
    };
    Value flat = input;
    if (inputType.getRank() == 0)
      flat = tensor::ExpandShapeOp::create(rewriter, loc, flatType, input,
                                           SmallVector<ReassociationIndices>{});
    else if (inputType.getRank() > 1)
      flat = tensor::CollapseShapeOp::create(rewriter, loc, flatType, input,
                                             allInOne(inputType.getRank()));
    Value result = flat;
    if (resultType.getRank() == 0)
      result = tensor::CollapseShapeOp::create(
          rewriter, loc, resultType, flat, SmallVector<ReassociationIndices>{});
    else if (resultType.getRank() > 1)
      result = tensor::ExpandShapeOp::create(rewriter, loc, resultType, flat,
                                             allInOne(resultType.getRank()));
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct BroadcastLowering : public OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    rewriter.replaceOp(op,
                       elementwise(rewriter, op.getLoc(), op.getType(),
                                   ValueRange{adaptor.getInput()},
                                   [](OpBuilder &, Location, ValueRange args) {
                                     return args[0];
                                   }));
    return success();
  }
};

struct ConcatLowering : public OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    if (!type.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    int64_t axis = static_cast<int64_t>(op.getAxis()), offset = 0;
    Value result = emptyTensor(rewriter, loc, type);
    for (Value input : adaptor.getInputs()) {
      RankedTensorType inputType = tensorOf(input);
      int64_t size = inputType.getDimSize(axis);
      if (size == 0)
        continue;
      SmallVector<OpFoldResult> offsets(type.getRank(),
                                        rewriter.getIndexAttr(0));
      offsets[axis] = rewriter.getIndexAttr(offset);
      SmallVector<OpFoldResult> sizes,
          strides(type.getRank(), rewriter.getIndexAttr(1));
      for (int64_t dim : inputType.getShape())
        sizes.push_back(rewriter.getIndexAttr(dim));
      result = tensor::InsertSliceOp::create(rewriter, loc, input, result,
                                             offsets, sizes, strides);
      offset += size;
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Slices with positive strides are strided views; any negative stride
/// makes it a gather through linalg.index.
struct SliceLowering : public OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    RankedTensorType type = op.getType();
    Value input = adaptor.getInput();
    RankedTensorType inputType = tensorOf(input);
    if (!type.hasStaticShape() || !inputType.hasStaticShape())
      return rewriter.notifyMatchFailure(op, "dynamic shape");
    Location loc = op.getLoc();
    SmallVector<int64_t> starts;
    for (auto [size, start, stride] :
         llvm::zip(inputType.getShape(), op.getStarts(), op.getStrides()))
      starts.push_back(stride > 0 ? std::clamp<int64_t>(start, 0, size)
                                  : std::clamp<int64_t>(start, -1, size - 1));
    if (type.getNumElements() == 0) {
      rewriter.replaceOp(op, emptyTensor(rewriter, loc, type));
      return success();
    }
    ArrayRef<int64_t> strides = op.getStrides();
    if (llvm::all_of(strides, [](int64_t s) { return s > 0; })) {
      Value slice = tensor::ExtractSliceOp::create(
          rewriter, loc, cast<RankedTensorType>(signless(type)), input,
          getAsIndexOpFoldResult(rewriter.getContext(), starts),
          getAsIndexOpFoldResult(rewriter.getContext(), type.getShape()),
          getAsIndexOpFoldResult(rewriter.getContext(), strides));
      rewriter.replaceOp(op, slice);
      return success();
    }
    int64_t rank = type.getRank();
    SmallVector<utils::IteratorType> parallel(rank,
                                              utils::IteratorType::parallel);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{signless(type)}, ValueRange{},
        ValueRange{emptyTensor(rewriter, loc, type)},
        ArrayRef<AffineMap>{rewriter.getMultiDimIdentityMap(rank)}, parallel,
        [&](OpBuilder &b, Location l, ValueRange) {
          SmallVector<Value> indices;
          for (int64_t d = 0; d < rank; ++d) {
            Value i = linalg::IndexOp::create(b, l, d);
            Value scaled = arith::MulIOp::create(
                b, l, i, arith::ConstantIndexOp::create(b, l, strides[d]));
            indices.push_back(arith::AddIOp::create(
                b, l, scaled, arith::ConstantIndexOp::create(b, l, starts[d])));
          }
          linalg::YieldOp::create(
              b, l, Value(tensor::ExtractOp::create(b, l, input, indices)));
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

/// Reading one bool from a tensor: the byte, then the bit.
struct BoolExtractLowering : public OpConversionPattern<tensor::ExtractOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(tensor::ExtractOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (!op.getType().isInteger(1))
      return failure();
    Value byte = tensor::ExtractOp::create(
        rewriter, op.getLoc(), adaptor.getTensor(), adaptor.getIndices());
    rewriter.replaceOpWithNewOp<arith::TruncIOp>(op, rewriter.getI1Type(),
                                                 byte);
    return success();
  }
};

/// A poison tensor (the value of a branch that asserted) is an empty
/// tensor: bufferisation has no buffer for ub.poison.
struct PoisonTensorLowering : public OpConversionPattern<ub::PoisonOp> {
  using OpConversionPattern::OpConversionPattern;
  LogicalResult
  matchAndRewrite(ub::PoisonOp op, OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = dyn_cast<RankedTensorType>(op.getType());
    if (!type || !type.hasStaticShape())
      return failure();
    rewriter.replaceOp(op, emptyTensor(rewriter, op.getLoc(), type));
    return success();
  }
};

/// Any other operation whose types mention signed or unsigned integers is
/// rebuilt with signless ones (tensor.cast, tensor.extract, ...).
struct SignlessRebuild : public ConversionPattern {
  SignlessRebuild(const TypeConverter &converter, MLIRContext *context)
      : ConversionPattern(converter, MatchAnyOpTypeTag(), 0, context) {}
  LogicalResult
  matchAndRewrite(Operation *op, ArrayRef<Value> operands,
                  ConversionPatternRewriter &rewriter) const override {
    if (isa<OptcDialect>(op->getDialect()) || isa<func::FuncOp>(op))
      return failure();
    SmallVector<Type> resultTypes;
    if (failed(getTypeConverter()->convertTypes(op->getResultTypes(),
                                                resultTypes)))
      return failure();
    OperationState state(op->getLoc(), op->getName(), operands, resultTypes,
                         op->getAttrs(), op->getSuccessors());
    for (Region &region : op->getRegions()) {
      Region *moved = state.addRegion();
      rewriter.inlineRegionBefore(region, *moved, moved->end());
      if (failed(rewriter.convertRegionTypes(moved, *getTypeConverter())))
        return failure();
    }
    rewriter.replaceOp(op, rewriter.create(state)->getResults());
    return success();
  }
};

struct ConvertToLinalgPass
    : public mlir::optc::impl::OptcConvertToLinalgBase<ConvertToLinalgPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();

    TypeConverter converter;
    converter.addConversion([](Type type) { return signless(type); });
    auto materialize = [](OpBuilder &b, Type type, ValueRange inputs,
                          Location loc) -> Value {
      return UnrealizedConversionCastOp::create(b, loc, type, inputs)
          .getResult(0);
    };
    converter.addSourceMaterialization(materialize);
    converter.addTargetMaterialization(materialize);

    // Narrow types are only converted: say so rather than leave the
    // framework's "failed to legalize".
    WalkResult narrow = module.walk([](Operation *op) {
      if (!isa<OptcDialect>(op->getDialect()) ||
          isa<CastOp, SelectOp, BitcastOp>(op) || !isElementwise(op))
        return WalkResult::advance();
      for (Type type :
           llvm::concat<Type>(op->getOperandTypes(), op->getResultTypes())) {
        auto shaped = dyn_cast<ShapedType>(type);
        if (shaped && isNarrow(shaped.getElementType())) {
          op->emitOpError() << "computes on " << shaped.getElementType()
                            << ", which optc only converts: cast to a wider "
                               "type first";
          return WalkResult::interrupt();
        }
      }
      return WalkResult::advance();
    });
    if (narrow.wasInterrupted())
      return signalPassFailure();

    ConversionTarget target(*context);
    target.addIllegalDialect<OptcDialect>();
    target.addDynamicallyLegalOp<ub::PoisonOp>(
        [](ub::PoisonOp op) { return !isa<TensorType>(op.getType()); });
    target.markUnknownOpDynamicallyLegal([&](Operation *op) {
      if (auto func = dyn_cast<func::FuncOp>(op))
        return converter.isSignatureLegal(func.getFunctionType()) &&
               converter.isLegal(&func.getBody());
      return converter.isLegal(op);
    });

    RewritePatternSet patterns(context);
    patterns.add<ElementwiseLowering, SignlessRebuild>(converter, context);
    patterns.add<BoolExtractLowering, PoisonTensorLowering>(converter, context,
                                                            /*benefit=*/2);
    populateStructuredLoweringPatterns(converter, patterns);
    patterns.add<ConstantLowering, MatmulLowering, ReduceLowering<ReduceSumOp>,
                 ReduceLowering<ReduceMeanOp>, ReduceLowering<ReduceProdOp>,
                 ReduceLowering<ReduceMaxOp>, ReduceLowering<ReduceMinOp>,
                 SoftmaxLowering<SoftmaxOp>, SoftmaxLowering<LogSoftmaxOp>,
                 TransposeLowering, ReshapeLowering, BroadcastLowering,
                 ConcatLowering, SliceLowering, RandomUniformLowering>(
        converter, context);
    populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                   converter);
    populateCallOpTypeConversionPattern(patterns, converter);
    populateReturnOpTypeConversionPattern(patterns, converter);
    scf::populateSCFStructuralTypeConversionsAndLegality(converter, patterns,
                                                         target);

    // The framework names the first op it cannot lower, at its location.
    if (failed(applyPartialConversion(module, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
