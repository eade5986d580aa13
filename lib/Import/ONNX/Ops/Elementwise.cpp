//===- Elementwise.cpp - ONNX elementwise ops -----------------------------===//
//
// Unary math, activations (decomposed into core ops where optc has none),
// broadcasting binary arithmetic, comparisons, logic, casts and the
// variadic Sum/Mean/Max/Min.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

template <typename OpTy> LogicalResult unary(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(y, ctx.create<OpTy>(x));
  ctx.outputs = {y};
  return success();
}

/// B as numpy broadcasting must see it to give the legacy broadcasting of
/// the binary ops before opset 7 (Add-1/6, Pow-1, And-1, Equal-1, ...):
/// with `broadcast = 1`, B broadcasts to A with its dimensions lined up
/// with A's from `axis` (by default with A's last ones, as numpy does), so
/// B gets trailing dimensions of size 1; a one-element B is a scalar.
/// Without `broadcast`, A and B should have one shape, and numpy
/// broadcasting, which onnx's version converter gives such a node, is a
/// superset of that.
FailureOr<Value> legacyBroadcastOperand(NodeContext &ctx, Value a, Value b) {
  if (ctx.opset >= 7)
    return b;
  OPTC_TRY(broadcast, ctx.intAttr("broadcast", 0));
  if (!broadcast)
    return b;
  RankedTensorType at = ctx.typeOf(a), bt = ctx.typeOf(b);
  int64_t rankA = at.getRank(), rankB = bt.getRank();
  if (bt.hasStaticShape() && bt.getNumElements() == 1 && rankB > 0) {
    Value scalar = ctx.reshape(b, {});
    if (!scalar)
      return failure();
    return scalar;
  }
  if (rankB > rankA)
    return ctx.error() << "broadcast = 1 broadcasts B to A, but B has rank "
                       << rankB << " and A rank " << rankA;
  if (!ctx.attr("axis"))
    return b;
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  int64_t axis = axisAttr < 0 ? axisAttr + rankA : axisAttr;
  if (axis < 0 || axis + rankB > rankA)
    return ctx.error() << "axis " << axisAttr << " does not place B (rank "
                       << rankB << ") inside A (rank " << rankA << ")";
  for (int64_t d = 0; d < rankB; ++d) {
    int64_t da = at.getDimSize(axis + d), db = bt.getDimSize(d);
    if (!ShapedType::isDynamic(da) && !ShapedType::isDynamic(db) && da != db &&
        db != 1)
      return ctx.error() << "B's dimension " << d << " (" << db
                         << ") does not match A's dimension " << axis + d
                         << " (" << da << ") it is broadcast along";
  }
  if (axis + rankB == rankA)
    return b;
  SmallVector<int64_t> source;
  for (int64_t d = 0; d < rankB; ++d)
    source.push_back(d);
  source.append(rankA - axis - rankB, -1);
  return ctx.reshapeDims(b, source);
}

template <typename OpTy> LogicalResult binary(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(rawB, ctx.requiredInput(1, "B"));
  OPTC_TRY(b, legacyBroadcastOperand(ctx, a, rawB));
  OPTC_TRY(y, ctx.create<OpTy>(a, b));
  ctx.outputs = {y};
  return success();
}

template <ComparePredicate P> LogicalResult compare(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(rawB, ctx.requiredInput(1, "B"));
  OPTC_TRY(b, legacyBroadcastOperand(ctx, a, rawB));
  OPTC_TRY(y, ctx.create<CompareOp>(P, a, b));
  ctx.outputs = {y};
  return success();
}

/// Folds the variadic inputs pairwise with `OpTy`.
template <typename OpTy> FailureOr<Value> foldInputs(NodeContext &ctx) {
  if (ctx.inputs.empty() || !ctx.inputs[0])
    return ctx.error() << "needs at least one input";
  Value acc = ctx.inputs[0];
  for (Value v : ArrayRef<Value>(ctx.inputs).drop_front()) {
    if (!v)
      return ctx.error() << "inputs may not be omitted";
    OPTC_TRY(next, ctx.create<OpTy>(acc, v));
    acc = next;
  }
  return acc;
}

template <typename OpTy> LogicalResult variadic(NodeContext &ctx) {
  OPTC_TRY(y, foldInputs<OpTy>(ctx));
  ctx.outputs = {y};
  return success();
}

LogicalResult mean(NodeContext &ctx) {
  OPTC_TRY(sum, foldInputs<AddOp>(ctx));
  Value n = ctx.scalar(ctx.typeOf(sum).getElementType(),
                       static_cast<double>(ctx.inputs.size()));
  OPTC_TRY(y, ctx.create<DivOp>(sum, n));
  ctx.outputs = {y};
  return success();
}

/// select(x < 0, negative(x), x): the shape of the piecewise activations.
template <typename Negative>
LogicalResult piecewise(NodeContext &ctx, Value x, Negative &&negative,
                        ComparePredicate predicate = ComparePredicate::lt) {
  Value zero = ctx.scalar(ctx.typeOf(x).getElementType(), 0);
  OPTC_TRY(isNeg, ctx.create<CompareOp>(predicate, x, zero));
  OPTC_TRY(neg, negative(x));
  OPTC_TRY(y, ctx.create<SelectOp>(isNeg, neg, x));
  ctx.outputs = {y};
  return success();
}

FailureOr<Value> mulScalar(NodeContext &ctx, Value x, double c) {
  return ctx.create<MulOp>(x, ctx.scalar(ctx.typeOf(x).getElementType(), c));
}

FailureOr<Value> addScalar(NodeContext &ctx, Value x, double c) {
  return ctx.create<AddOp>(x, ctx.scalar(ctx.typeOf(x).getElementType(), c));
}

/// alpha * (exp(x) - 1)
FailureOr<Value> expm1Scaled(NodeContext &ctx, Value x, double alpha) {
  OPTC_TRY(m, ctx.create<Expm1Op>(x));
  return mulScalar(ctx, m, alpha);
}

/// max(lo, min(hi, x)) with scalar bounds.
FailureOr<Value> clampScalar(NodeContext &ctx, Value x, double lo, double hi) {
  Type element = ctx.typeOf(x).getElementType();
  OPTC_TRY(upper, ctx.create<MinOp>(x, ctx.scalar(element, hi)));
  return ctx.create<MaxOp>(upper, ctx.scalar(element, lo));
}

LogicalResult leakyRelu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 0.01f));
  return piecewise(ctx, x, [&](Value v) { return mulScalar(ctx, v, alpha); });
}

LogicalResult elu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  return piecewise(ctx, x, [&](Value v) { return expm1Scaled(ctx, v, alpha); });
}

LogicalResult selu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.67326319217681884765625f));
  OPTC_TRY(gamma, ctx.floatAttr("gamma", 1.05070102214813232421875f));
  if (failed(piecewise(
          ctx, x, [&](Value v) { return expm1Scaled(ctx, v, alpha); },
          ComparePredicate::le)))
    return failure();
  OPTC_TRY(y, mulScalar(ctx, ctx.outputs[0], gamma));
  ctx.outputs = {y};
  return success();
}

LogicalResult celu(NodeContext &ctx) {
  // max(0, x) + min(0, alpha * (exp(x / alpha) - 1))
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  if (alpha == 0)
    return ctx.error() << "alpha must not be 0";
  Type element = ctx.typeOf(x).getElementType();
  OPTC_TRY(scaled, mulScalar(ctx, x, 1.0 / alpha));
  OPTC_TRY(neg, expm1Scaled(ctx, scaled, alpha));
  OPTC_TRY(negPart, ctx.create<MinOp>(neg, ctx.scalar(element, 0)));
  OPTC_TRY(posPart, ctx.create<MaxOp>(x, ctx.scalar(element, 0)));
  OPTC_TRY(y, ctx.create<AddOp>(posPart, negPart));
  ctx.outputs = {y};
  return success();
}

FailureOr<Value> hardSigmoidOf(NodeContext &ctx, Value x, double alpha,
                               double beta) {
  OPTC_TRY(ax, mulScalar(ctx, x, alpha));
  OPTC_TRY(axb, addScalar(ctx, ax, beta));
  return clampScalar(ctx, axb, 0.0, 1.0);
}

LogicalResult hardSigmoid(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 0.2f));
  OPTC_TRY(beta, ctx.floatAttr("beta", 0.5f));
  OPTC_TRY(y, hardSigmoidOf(ctx, x, alpha, beta));
  ctx.outputs = {y};
  return success();
}

LogicalResult hardSwish(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(s, hardSigmoidOf(ctx, x, 1.0 / 6.0, 0.5));
  OPTC_TRY(y, ctx.create<MulOp>(x, s));
  ctx.outputs = {y};
  return success();
}

LogicalResult softsign(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(a, ctx.create<AbsOp>(x));
  OPTC_TRY(d, addScalar(ctx, a, 1.0));
  OPTC_TRY(y, ctx.create<DivOp>(x, d));
  ctx.outputs = {y};
  return success();
}

LogicalResult mish(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(sp, ctx.create<SoftplusOp>(x));
  OPTC_TRY(t, ctx.create<TanhOp>(sp));
  OPTC_TRY(y, ctx.create<MulOp>(x, t));
  ctx.outputs = {y};
  return success();
}

LogicalResult swish(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  OPTC_TRY(ax, mulScalar(ctx, x, alpha));
  OPTC_TRY(s, ctx.create<SigmoidOp>(ax));
  OPTC_TRY(y, ctx.create<MulOp>(x, s));
  ctx.outputs = {y};
  return success();
}

LogicalResult swiGlu(NodeContext &ctx) {
  // swish(A, alpha) * B, with A and B of one shape.
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  if (a.getType() != b.getType())
    return ctx.error() << "A and B must have the same type, found "
                       << a.getType() << " and " << b.getType();
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  OPTC_TRY(scaled, mulScalar(ctx, a, alpha));
  OPTC_TRY(gate, ctx.create<SigmoidOp>(scaled));
  OPTC_TRY(swishA, ctx.create<MulOp>(a, gate));
  OPTC_TRY(y, ctx.create<MulOp>(swishA, b));
  ctx.outputs = {y};
  return success();
}

LogicalResult gelu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(approximate, ctx.stringAttr("approximate", "none"));
  if (approximate != "none" && approximate != "tanh")
    return ctx.error() << "approximate must be 'none' or 'tanh', found '"
                       << approximate << "'";
  OPTC_TRY(y, ctx.create<GeluOp>(x, approximate == "tanh"));
  ctx.outputs = {y};
  return success();
}

LogicalResult thresholdedRelu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  Type element = ctx.typeOf(x).getElementType();
  OPTC_TRY(above, ctx.create<CompareOp>(ComparePredicate::gt, x,
                                        ctx.scalar(element, alpha)));
  OPTC_TRY(y, ctx.create<SelectOp>(above, x, ctx.scalar(element, 0)));
  ctx.outputs = {y};
  return success();
}

LogicalResult shrink(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(bias, ctx.floatAttr("bias", 0.0f));
  OPTC_TRY(lambd, ctx.floatAttr("lambd", 0.5f));
  Type element = ctx.typeOf(x).getElementType();
  OPTC_TRY(low, ctx.create<CompareOp>(ComparePredicate::lt, x,
                                      ctx.scalar(element, -lambd)));
  OPTC_TRY(high, ctx.create<CompareOp>(ComparePredicate::gt, x,
                                       ctx.scalar(element, lambd)));
  OPTC_TRY(plus, addScalar(ctx, x, bias));
  OPTC_TRY(minus, addScalar(ctx, x, -bias));
  OPTC_TRY(inner, ctx.create<SelectOp>(high, minus, ctx.scalar(element, 0)));
  OPTC_TRY(y, ctx.create<SelectOp>(low, plus, inner));
  ctx.outputs = {y};
  return success();
}

LogicalResult prelu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(slope, ctx.requiredInput(1, "slope"));
  return piecewise(ctx, x,
                   [&](Value v) { return ctx.create<MulOp>(v, slope); });
}

LogicalResult clip(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  Type element = ctx.typeOf(x).getElementType();
  Value lo, hi;
  if (ctx.opset < 11) {
    bool hasMin = ctx.attr("min"), hasMax = ctx.attr("max");
    OPTC_TRY(minValue, ctx.floatAttr("min", 0));
    OPTC_TRY(maxValue, ctx.floatAttr("max", 0));
    if (hasMin)
      lo = ctx.scalar(element, minValue);
    if (hasMax)
      hi = ctx.scalar(element, maxValue);
  } else {
    lo = ctx.input(1);
    hi = ctx.input(2);
  }
  Value y = x;
  if (lo) {
    OPTC_TRY(v, ctx.create<MaxOp>(y, lo));
    y = v;
  }
  if (hi) {
    OPTC_TRY(v, ctx.create<MinOp>(y, hi));
    y = v;
  }
  ctx.outputs = {y};
  return success();
}

LogicalResult powOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(rawE, ctx.requiredInput(1, "Y"));
  OPTC_TRY(e, legacyBroadcastOperand(ctx, x, rawE));
  Type xe = ctx.typeOf(x).getElementType(), ee = ctx.typeOf(e).getElementType();
  if (xe == ee || isa<FloatType>(xe)) {
    OPTC_TRY(y, ctx.create<PowOp>(x, ctx.castTo(e, xe)));
    ctx.outputs = {y};
    return success();
  }
  // An integer base with a float exponent: compute in the exponent's type
  // and convert back, as ONNX defines the result in the base's type.
  OPTC_TRY(p, ctx.create<PowOp>(ctx.castTo(x, ee), e));
  ctx.outputs = {ctx.castTo(p, xe)};
  return success();
}

LogicalResult mod(NodeContext &ctx) {
  OPTC_TRY(a, ctx.requiredInput(0, "A"));
  OPTC_TRY(b, ctx.requiredInput(1, "B"));
  OPTC_TRY(fmod, ctx.intAttr("fmod", 0));
  OPTC_TRY(y, ctx.create<RemOp>(a, b, fmod != 0));
  ctx.outputs = {y};
  return success();
}

LogicalResult bitShift(NodeContext &ctx) {
  OPTC_TRY(direction, ctx.stringAttr("direction", ""));
  if (direction == "LEFT")
    return binary<ShiftLeftOp>(ctx);
  if (direction == "RIGHT")
    return binary<ShiftRightOp>(ctx);
  return ctx.error() << "direction must be 'LEFT' or 'RIGHT', found '"
                     << direction << "'";
}

LogicalResult isInf(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(pos, ctx.intAttr("detect_positive", 1));
  OPTC_TRY(neg, ctx.intAttr("detect_negative", 1));
  OPTC_TRY(y, ctx.create<IsInfOp>(x, pos != 0, neg != 0));
  ctx.outputs = {y};
  return success();
}

// The experimental ops of opsets 1 to 9 that onnxruntime still runs there
// (deprecated by opset 10; converters from Caffe2 and CoreML wrote them).

/// Scale: x * scale.
LogicalResult scaleOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(scale, ctx.floatAttr("scale", 1.0f));
  OPTC_TRY(y, mulScalar(ctx, x, scale));
  ctx.outputs = {y};
  return success();
}

/// Affine: alpha * x + beta.
LogicalResult affine(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  OPTC_TRY(beta, ctx.floatAttr("beta", 0.0f));
  OPTC_TRY(ax, mulScalar(ctx, x, alpha));
  OPTC_TRY(y, addScalar(ctx, ax, beta));
  ctx.outputs = {y};
  return success();
}

/// ScaledTanh: alpha * tanh(beta * x).
LogicalResult scaledTanh(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  OPTC_TRY(beta, ctx.floatAttr("beta", 1.0f));
  OPTC_TRY(bx, mulScalar(ctx, x, beta));
  OPTC_TRY(t, ctx.create<TanhOp>(bx));
  OPTC_TRY(y, mulScalar(ctx, t, alpha));
  ctx.outputs = {y};
  return success();
}

/// ParametricSoftplus: alpha * ln(exp(beta * x) + 1).
LogicalResult parametricSoftplus(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1.0f));
  OPTC_TRY(beta, ctx.floatAttr("beta", 1.0f));
  OPTC_TRY(bx, mulScalar(ctx, x, beta));
  OPTC_TRY(sp, ctx.create<SoftplusOp>(bx));
  OPTC_TRY(y, mulScalar(ctx, sp, alpha));
  ctx.outputs = {y};
  return success();
}

LogicalResult where(NodeContext &ctx) {
  OPTC_TRY(c, ctx.requiredInput(0, "condition"));
  OPTC_TRY(x, ctx.requiredInput(1, "X"));
  OPTC_TRY(y, ctx.requiredInput(2, "Y"));
  OPTC_TRY(r, ctx.create<SelectOp>(c, x, y));
  ctx.outputs = {r};
  return success();
}

/// Cast to f8E8M0FNU (a power of two, 2^(code - 127); 0xFF is NaN): the
/// f32 exponent field, rounded up when any fraction bit is set ("up", the
/// default), left ("down"), or rounded by the guard, round and sticky bits
/// ("nearest"), exactly as ONNX's reference does; the sign is dropped.
/// Saturation keeps the largest code from rounding into NaN. Built from
/// integer ops, then reinterpreted, since the rounding modes are ONNX's.
static LogicalResult castToE8M0(NodeContext &ctx, Value x, Type element,
                                bool saturate) {
  OPTC_TRY(mode, ctx.stringAttr("round_mode", "up"));
  if (mode != "up" && mode != "down" && mode != "nearest")
    return ctx.error() << "round_mode '" << mode
                       << "' is not one of up, down, nearest";
  RankedTensorType type = ctx.typeOf(x);
  MLIRContext *context = ctx.b.getContext();
  Type u32 = IntegerType::get(context, 32, IntegerType::Unsigned);
  auto c = [&](int64_t v) { return ctx.scalar(u32, static_cast<double>(v)); };
  auto reinterpret = [&](Value value, Type to) -> FailureOr<Value> {
    OperationState state(ctx.loc, BitcastOp::getOperationName());
    BitcastOp::build(ctx.b, state, type.clone(to), value);
    return ctx.finish(ctx.b.create(state));
  };
  Value f32 = ctx.castTo(x, Float32Type::get(context));
  OPTC_TRY(bits, reinterpret(f32, u32));
  OPTC_TRY(shifted, ctx.create<ShiftRightOp>(bits, c(23)));
  OPTC_TRY(exponent, ctx.create<BitwiseAndOp>(shifted, c(0xFF)));
  OPTC_TRY(special,
           ctx.create<CompareOp>(ComparePredicate::eq, exponent, c(0xFF)));
  Value code = exponent;
  if (mode != "down") {
    Value roundUp;
    if (mode == "up") {
      OPTC_TRY(fraction, ctx.create<BitwiseAndOp>(bits, c(0x7FFFFF)));
      OPTC_TRY(any,
               ctx.create<CompareOp>(ComparePredicate::ne, fraction, c(0)));
      roundUp = any;
    } else {
      auto bitSet = [&](int64_t mask) -> FailureOr<Value> {
        OPTC_TRY(masked, ctx.create<BitwiseAndOp>(bits, c(mask)));
        return ctx.create<CompareOp>(ComparePredicate::ne, masked, c(0));
      };
      OPTC_TRY(guard, bitSet(0x400000));
      OPTC_TRY(round, bitSet(0x200000));
      OPTC_TRY(sticky, bitSet(0x1FFFFF));
      OPTC_TRY(odd,
               ctx.create<CompareOp>(ComparePredicate::gt, exponent, c(0)));
      OPTC_TRY(either, ctx.create<OrOp>(round, sticky));
      OPTC_TRY(any, ctx.create<OrOp>(either, odd));
      OPTC_TRY(up, ctx.create<AndOp>(guard, any));
      roundUp = up;
    }
    if (saturate) {
      OPTC_TRY(below,
               ctx.create<CompareOp>(ComparePredicate::ne, exponent, c(0xFE)));
      OPTC_TRY(up, ctx.create<AndOp>(roundUp, below));
      roundUp = up;
    }
    OPTC_TRY(increment, ctx.create<SelectOp>(roundUp, c(1), c(0)));
    OPTC_TRY(sum, ctx.create<AddOp>(exponent, increment));
    code = sum;
  }
  OPTC_TRY(withNaN, ctx.create<SelectOp>(special, c(0xFF), code));
  Type u8 = IntegerType::get(context, 8, IntegerType::Unsigned);
  OPTC_TRY(result, reinterpret(ctx.castTo(withNaN, u8), element));
  ctx.outputs = {result};
  return success();
}

LogicalResult castTo(NodeContext &ctx, Value x, Type element) {
  OPTC_TRY(saturate, ctx.intAttr("saturate", 1));
  if (isa<Float8E8M0FNUType>(element) &&
      !isa<Float8E8M0FNUType>(ctx.typeOf(x).getElementType()))
    return castToE8M0(ctx, x, element, saturate != 0);
  ctx.outputs = {ctx.castTo(x, element, saturate != 0)};
  return success();
}

LogicalResult castOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  // Cast-1 names the type as a string ("FLOAT", "INT32", ...).
  const onnx::AttributeProto *toAttr = ctx.attr("to");
  if (ctx.opset < 6 && toAttr &&
      toAttr->type() == onnx::AttributeProto::STRING) {
    llvm::StringRef name = toAttr->s();
    for (int32_t code = 1; code <= onnx::TensorProto::DataType_MAX; ++code) {
      if (!name.equals_insensitive(dataTypeName(code)))
        continue;
      std::string why;
      FailureOr<Type> element =
          convertElementType(code, ctx.b.getContext(), why);
      if (failed(element))
        return ctx.error() << "cannot cast to " << name << ": " << why;
      return castTo(ctx, x, *element);
    }
    return ctx.error() << "'to' = '" << name << "' is not a data type";
  }
  OPTC_TRY(to, ctx.requiredIntAttr("to"));
  std::string why;
  FailureOr<Type> element =
      convertElementType(static_cast<int32_t>(to), ctx.b.getContext(), why);
  if (failed(element))
    return ctx.error() << "cannot cast to " << dataTypeName(to) << ": " << why;
  return castTo(ctx, x, *element);
}

LogicalResult bitcast(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(to, ctx.requiredIntAttr("to"));
  std::string why;
  FailureOr<Type> element =
      convertElementType(static_cast<int32_t>(to), ctx.b.getContext(), why);
  if (failed(element))
    return ctx.error() << "cannot bitcast to " << dataTypeName(to) << ": "
                       << why;
  RankedTensorType type = ctx.typeOf(x);
  if (type.getElementType() == *element) {
    ctx.outputs = {x};
    return success();
  }
  // ONNX stores a bool in a byte holding 0 or 1, so between bool and an
  // 8-bit type the bits are those of a cast.
  Type from = type.getElementType();
  if ((from.isInteger(1) && element->getIntOrFloatBitWidth() == 8) ||
      (element->isInteger(1) && from.getIntOrFloatBitWidth() == 8)) {
    ctx.outputs = {ctx.castTo(x, *element)};
    return success();
  }
  OperationState state(ctx.loc, BitcastOp::getOperationName());
  BitcastOp::build(ctx.b, state, type.clone(*element), x);
  OPTC_TRY(y, ctx.finish(ctx.b.create(state)));
  ctx.outputs = {y};
  return success();
}

LogicalResult castLike(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(target, ctx.requiredInput(1, "target_type"));
  return castTo(ctx, x, ctx.typeOf(target).getElementType());
}

LogicalResult identity(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  ctx.outputs = {x};
  return success();
}

LogicalResult dropout(NodeContext &ctx) {
  // Inference: the output is the input and the optional mask all true.
  // Training mode (opset 12) drops elements at random.
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  // Before opset 7 `is_test` = 0 asked for training; onnx's version
  // converter drops it, and inference is what onnxruntime runs.
  bool wantMask = ctx.node.output_size() > 1 && !ctx.node.output(1).empty();
  if (wantMask && !type.hasStaticShape())
    return ctx.error() << "the mask output needs a static input shape";
  // The mask is bool from opset 10, of the input's type before; every
  // element is kept.
  Value allTrue =
      wantMask ? ctx.splat(type.clone(ctx.opset < 10 ? type.getElementType()
                                                     : ctx.b.getI1Type()),
                           1)
               : Value();
  Value training = ctx.input(2);
  std::optional<SmallVector<int64_t>> mode =
      training ? getConstantInts(training) : std::nullopt;
  if (!training || (mode && mode->size() == 1 && (*mode)[0] == 0)) {
    ctx.outputs = {x};
    if (wantMask)
      ctx.outputs.push_back(allTrue);
    return success();
  }
  RankedTensorType tt = ctx.typeOf(training);
  if (!tt.hasStaticShape() || tt.getNumElements() != 1)
    return ctx.error() << "training_mode must hold one value, found " << tt;
  if (mode) {
    OPTC_TRY(dropped, trainingDropout(ctx, x, ctx.input(1)));
    ctx.outputs = {dropped.first};
    if (wantMask)
      ctx.outputs.push_back(dropped.second);
    return success();
  }
  // training_mode known only at run time: both behaviours under an scf.if.
  Value flagTensor = tt.getRank() == 0 ? training : ctx.reshape(training, {});
  if (!flagTensor)
    return failure();
  Value flag =
      tensor::ExtractOp::create(ctx.b, ctx.loc, flagTensor, ValueRange{});
  SmallVector<Type> types{type};
  if (wantMask)
    types.push_back(allTrue.getType());
  auto ifOp = scf::IfOp::create(ctx.b, ctx.loc, types, flag,
                                /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(ctx.b);
    ctx.b.setInsertionPointToStart(&ifOp.getThenRegion().front());
    FailureOr<std::pair<Value, Value>> dropped =
        trainingDropout(ctx, x, ctx.input(1));
    if (failed(dropped)) {
      ifOp->erase();
      return failure();
    }
    SmallVector<Value> yielded{dropped->first};
    if (wantMask)
      yielded.push_back(dropped->second);
    scf::YieldOp::create(ctx.b, ctx.loc, yielded);
    ctx.b.setInsertionPointToStart(&ifOp.getElseRegion().front());
    SmallVector<Value> kept{x};
    if (wantMask)
      kept.push_back(allTrue);
    scf::YieldOp::create(ctx.b, ctx.loc, kept);
  }
  ctx.outputs.assign(ifOp->result_begin(), ifOp->result_end());
  return success();
}

} // namespace

void onnx_import::registerElementwiseOps(OpRegistry &r) {
  r.add("", "Abs", unary<AbsOp>, 1);
  r.add("", "Neg", unary<NegOp>, 1);
  r.add("", "Exp", unary<ExpOp>, 1);
  r.add("", "Log", unary<LogOp>, 1);
  r.add("", "Sqrt", unary<SqrtOp>, 1);
  r.add("", "Reciprocal", unary<ReciprocalOp>, 1);
  r.add("", "Sin", unary<SinOp>);
  r.add("", "Cos", unary<CosOp>);
  r.add("", "Tan", unary<TanOp>);
  r.add("", "Asin", unary<AsinOp>);
  r.add("", "Acos", unary<AcosOp>);
  r.add("", "Atan", unary<AtanOp>);
  r.add("", "Sinh", unary<SinhOp>);
  r.add("", "Cosh", unary<CoshOp>);
  r.add("", "Asinh", unary<AsinhOp>);
  r.add("", "Acosh", unary<AcoshOp>);
  r.add("", "Atanh", unary<AtanhOp>);
  r.add("", "Tanh", unary<TanhOp>, 1);
  r.add("", "Sigmoid", unary<SigmoidOp>, 1);
  r.add("", "Erf", unary<ErfOp>);
  r.add("", "Floor", unary<FloorOp>, 1);
  r.add("", "Ceil", unary<CeilOp>, 1);
  r.add("", "Round", unary<RoundOp>);
  r.add("", "Sign", unary<SignOp>);
  r.add("", "Relu", unary<ReluOp>, 1);
  r.add("", "Not", unary<NotOp>, 1);
  r.add("", "BitwiseNot", unary<BitwiseNotOp>);
  r.add("", "IsNaN", unary<IsNanOp>);
  r.add("", "Softplus", unary<SoftplusOp>);
  r.add("", "IsInf", isInf);
  // Opset 1 versions differ from 6 by `consumed_inputs`, an in-place hint
  // that is ignored.
  r.add("", "LeakyRelu", leakyRelu, 1);
  r.add("", "Elu", elu, 1);
  r.add("", "Selu", selu, 1);
  r.add("", "Celu", celu);
  r.add("", "HardSigmoid", hardSigmoid, 1);
  r.add("", "HardSwish", hardSwish);
  r.add("", "Softsign", softsign);
  r.add("", "Mish", mish);
  r.add("", "Swish", swish);
  r.add("", "SwiGLU", swiGlu);
  r.add("", "Gelu", gelu);
  // ThresholdedRelu before opset 10 is the experimental op of the same
  // meaning.
  r.add("", "ThresholdedRelu", thresholdedRelu, 1);
  r.add("", "Shrink", shrink);
  // PRelu-1/6's slope broadcasts as PRelu-7's does (onnx's version
  // converter changes nothing).
  r.add("", "PRelu", prelu, 1);
  r.add("", "Clip", clip, 1);
  // Binary ops before opset 7: legacy broadcasting (legacyBroadcastOperand).
  r.add("", "Add", binary<AddOp>, 1);
  r.add("", "Sub", binary<SubOp>, 1);
  r.add("", "Mul", binary<MulOp>, 1);
  r.add("", "Div", binary<DivOp>, 1);
  r.add("", "Pow", powOp, 1);
  r.add("", "Mod", mod);
  r.add("", "And", binary<AndOp>, 1);
  r.add("", "Or", binary<OrOp>, 1);
  r.add("", "Xor", binary<XorOp>, 1);
  r.add("", "BitwiseAnd", binary<BitwiseAndOp>);
  r.add("", "BitwiseOr", binary<BitwiseOrOp>);
  r.add("", "BitwiseXor", binary<BitwiseXorOp>);
  r.add("", "BitShift", bitShift);
  r.add("", "Equal", compare<ComparePredicate::eq>, 1);
  r.add("", "Less", compare<ComparePredicate::lt>, 1);
  r.add("", "LessOrEqual", compare<ComparePredicate::le>);
  r.add("", "Greater", compare<ComparePredicate::gt>, 1);
  r.add("", "GreaterOrEqual", compare<ComparePredicate::ge>);
  r.add("", "Where", where);
  // Before opset 8 the variadic ops take inputs of one shape; numpy
  // broadcasting is a superset of that.
  r.add("", "Max", variadic<MaxOp>, 1);
  r.add("", "Min", variadic<MinOp>, 1);
  r.add("", "Sum", variadic<AddOp>, 1);
  r.add("", "Mean", mean, 1);
  r.add("", "Cast", castOp, 1);
  r.add("", "CastLike", castLike);
  r.add("", "BitCast", bitcast);
  r.add("", "Identity", identity, 1);
  r.add("", "Dropout", dropout, 1);
  r.add("", "Scale", scaleOp, 1, 9);
  r.add("", "Affine", affine, 1, 9);
  r.add("", "ScaledTanh", scaledTanh, 1, 9);
  r.add("", "ParametricSoftplus", parametricSoftplus, 1, 9);
}
