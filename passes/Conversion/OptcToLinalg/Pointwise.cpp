//===- Pointwise.cpp - elementwise ops to linalg.generic ------------------===//
//
// Every elementwise optc op becomes one linalg.generic around its scalar
// form: integer division that never traps, floored remainders, comparisons
// with ONNX's NaN rules, casts (narrow types through NarrowTypes.cpp), and
// the float math written to neither overflow nor cancel (sigmoid, GELU,
// softplus). optc.random_uniform is a counter-based hash per element.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
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

/// x^y for floats as C's pow (IEEE 754 pow, onnxruntime, NumPy): a
/// negative base gives a real result only for an integral exponent,
/// negative when the exponent is odd; -0 keeps its sign through odd
/// exponents (pow(-0, -3) = -inf); pow(x, +-0) = 1 and pow(+-1, y) = 1
/// for every x and y, NaN included (pow(-1, +-inf) = 1; pow(-1, NaN) is
/// NaN). (The math dialect's powf expands to exp(y * log(x)): NaN for
/// every negative x, and for 0^0 and 1^inf.)
static Value floatPower(OpBuilder &b, Location loc, Value x, Value y) {
  Type type = x.getType();
  Value zero = constantOf(b, loc, type, 0), one = constantOf(b, loc, type, 1),
        two = constantOf(b, loc, type, 2);
  auto cmp = [&](arith::CmpFPredicate predicate, Value lhs, Value rhs) {
    return arith::CmpFOp::create(b, loc, predicate, lhs, rhs);
  };
  auto select = [&](Value condition, Value onTrue, Value onFalse) {
    return arith::SelectOp::create(b, loc, condition, onTrue, onFalse);
  };
  Value absX = math::AbsFOp::create(b, loc, x);
  Value magnitude = math::PowFOp::create(b, loc, absX, y);
  // |x| = 1: 1 for every y (the sign, for x = -1, is decided below).
  magnitude = select(cmp(arith::CmpFPredicate::OEQ, absX, one), one, magnitude);
  Value integral =
      cmp(arith::CmpFPredicate::OEQ, math::FloorOp::create(b, loc, y), y);
  Value half = arith::DivFOp::create(b, loc, y, two);
  Value odd =
      arith::AndIOp::create(b, loc, integral,
                            cmp(arith::CmpFPredicate::ONE,
                                math::FloorOp::create(b, loc, half), half));
  Value negativeResult =
      select(odd, arith::NegFOp::create(b, loc, magnitude), magnitude);
  // A negative base and a fractional exponent: NaN, except for -0.
  Value fractional = select(cmp(arith::CmpFPredicate::OEQ, x, zero), magnitude,
                            constantOf(b, loc, type, NAN));
  Value forNegative = select(integral, negativeResult, fractional);
  // The sign bit, so that -0 counts as negative.
  Value signBit = cmp(arith::CmpFPredicate::OLT,
                      math::CopySignOp::create(b, loc, one, x), zero);
  Value result = select(signBit, forNegative, magnitude);
  Value xIsOne = cmp(arith::CmpFPredicate::OEQ, x, one);
  Value yIsZero = cmp(arith::CmpFPredicate::OEQ, y, zero);
  return select(arith::OrIOp::create(b, loc, xIsOne, yIsZero), one, result);
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
          Value twoU =
              arith::MulFOp::create(b, loc, c(2 * std::sqrt(2.0 / M_PI)), sum);
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
        if (!isSigned)
          return x;
        // max(x, -x), which wraps at the minimum as math.absi does: LLVM
        // matches it to vpabs, and unlike math.absi it lowers from vectors
        // of any rank.
        return arith::MaxSIOp::create(b, loc, x,
                                      arith::SubIOp::create(b, loc, c(0), x));
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

} // namespace mlir::optc::lowering

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

} // namespace

void mlir::optc::lowering::populatePointwiseLoweringPatterns(
    const TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ElementwiseLowering, RandomUniformLowering>(
      converter, patterns.getContext());
}
