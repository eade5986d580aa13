//===- Random.cpp - ONNX random number ops and training Dropout -----------===//
//
// RandomUniform(Like) map to optc.random_uniform; RandomNormal(Like) use
// the Box-Muller transform of two uniform draws; Bernoulli compares a
// uniform draw with the probabilities. Dropout in training mode (a constant
// or a run-time training_mode) keeps each element with probability
// 1 - ratio and scales the kept ones by 1 / (1 - ratio). Seeds make the
// draws reproducible; they do not reproduce numpy's streams.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// A uniform draw on [low, high) of `type` (a float type); `seed` from
/// the node's attribute when it has one.
/// Draws from [low, high). `stream` tells apart the draws one node makes
/// with one seed (RandomNormal takes two), which must not repeat each other.
FailureOr<Value> uniform(NodeContext &ctx, RankedTensorType type, double low,
                         double high, int stream = 0) {
  if (!type.hasStaticShape())
    return ctx.error() << "random numbers need a static shape, found " << type;
  if (!isa<FloatType>(type.getElementType()))
    return ctx.error() << "random numbers need a float type, found "
                       << type.getElementType();
  // RandomX give the seed as a float, Dropout as an int.
  FloatAttr seed;
  if (const onnx::AttributeProto *a = ctx.attr("seed")) {
    if (a->type() == onnx::AttributeProto::INT) {
      seed = ctx.b.getF64FloatAttr(static_cast<double>(a->i()));
    } else {
      OPTC_TRY(s, ctx.floatAttr("seed", 0));
      seed = ctx.b.getF64FloatAttr(s);
    }
    if (stream)
      seed = ctx.b.getF64FloatAttr(seed.getValueAsDouble() + 0.5 * stream);
  }
  OperationState state(ctx.loc, RandomUniformOp::getOperationName());
  RandomUniformOp::build(ctx.b, state, type, ctx.b.getF64FloatAttr(low),
                         ctx.b.getF64FloatAttr(high), seed);
  Operation *op = ctx.b.create(state);
  if (failed(ctx.verifyNew(op)))
    return failure();
  return op->getResult(0);
}

/// The result type of RandomX (a `shape` attribute) or RandomXLike (the
/// input's shape, its element type unless `dtype` says otherwise).
FailureOr<RankedTensorType> randomType(NodeContext &ctx, bool like) {
  if (like) {
    OPTC_TRY(x, ctx.requiredInput(0, "input"));
    RankedTensorType t = ctx.typeOf(x);
    OPTC_TRY(element, ctx.dtypeAttr("dtype", t.getElementType()));
    return t.clone(element);
  }
  OPTC_TRY(shape, ctx.intsAttr("shape"));
  OPTC_TRY(element, ctx.dtypeAttr("dtype", ctx.b.getF32Type()));
  for (int64_t d : shape)
    if (d < 0)
      return ctx.error() << "shape has a negative size " << d;
  return RankedTensorType::get(shape, element);
}

LogicalResult randomUniform(NodeContext &ctx, bool like) {
  OPTC_TRY(type, randomType(ctx, like));
  OPTC_TRY(low, ctx.floatAttr("low", 0));
  OPTC_TRY(high, ctx.floatAttr("high", 1));
  OPTC_TRY(y, uniform(ctx, type, low, high));
  ctx.outputs = {y};
  return success();
}

LogicalResult randomNormal(NodeContext &ctx, bool like) {
  OPTC_TRY(type, randomType(ctx, like));
  OPTC_TRY(mean, ctx.floatAttr("mean", 0));
  OPTC_TRY(scale, ctx.floatAttr("scale", 1));
  Type t = type.getElementType();
  // Box-Muller: sqrt(-2 ln u1) cos(2 pi u2), with u1 in (0, 1].
  OPTC_TRY(u1, uniform(ctx, type, 0, 1));
  OPTC_TRY(u2, uniform(ctx, type, 0, 1, /*stream=*/1));
  OPTC_TRY(open, ctx.create<SubOp>(ctx.scalar(t, 1), u1));
  OPTC_TRY(l, ctx.create<LogOp>(open));
  OPTC_TRY(r2, ctx.create<MulOp>(l, ctx.scalar(t, -2)));
  OPTC_TRY(r, ctx.create<SqrtOp>(r2));
  OPTC_TRY(angle, ctx.create<MulOp>(u2, ctx.scalar(t, 2 * M_PI)));
  OPTC_TRY(c, ctx.create<CosOp>(angle));
  OPTC_TRY(z, ctx.create<MulOp>(r, c));
  OPTC_TRY(scaled, ctx.create<MulOp>(z, ctx.scalar(t, scale)));
  OPTC_TRY(y, ctx.create<AddOp>(scaled, ctx.scalar(t, mean)));
  ctx.outputs = {y};
  return success();
}

LogicalResult bernoulli(NodeContext &ctx) {
  OPTC_TRY(p, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(p);
  if (!isa<FloatType>(type.getElementType()))
    return ctx.error() << "the probabilities must be floats";
  OPTC_TRY(element, ctx.dtypeAttr("dtype", type.getElementType()));
  OPTC_TRY(u, uniform(ctx, type, 0, 1));
  OPTC_TRY(hit, ctx.create<CompareOp>(ComparePredicate::lt, u, p));
  ctx.outputs = {ctx.castTo(hit, element)};
  return success();
}

} // namespace

/// Dropout in training mode: drops each element with probability `ratio`.
/// Returns the output and the mask.
FailureOr<std::pair<Value, Value>>
onnx_import::trainingDropout(NodeContext &ctx, Value x, Value ratio) {
  RankedTensorType type = ctx.typeOf(x);
  Type t = type.getElementType();
  if (!isa<FloatType>(t))
    return ctx.error() << "training-mode Dropout needs a float input";
  Value r = ratio ? ctx.castTo(ratio, t) : ctx.scalar(t, 0.5);
  if (ctx.typeOf(r).getRank() != 0)
    r = ctx.reshape(r, {});
  if (!r)
    return failure();
  OPTC_TRY(u, uniform(ctx, type, 0, 1));
  OPTC_TRY(keep, ctx.create<CompareOp>(ComparePredicate::ge, u, r));
  OPTC_TRY(kept, ctx.create<SubOp>(ctx.scalar(t, 1), r));
  OPTC_TRY(scaled, ctx.create<DivOp>(x, kept));
  OPTC_TRY(y, ctx.create<SelectOp>(keep, scaled, ctx.scalar(t, 0)));
  return std::make_pair(y, keep);
}

void onnx_import::registerRandomOps(OpRegistry &r) {
  r.add("", "RandomUniform",
        [](NodeContext &ctx) { return randomUniform(ctx, false); });
  r.add("", "RandomUniformLike",
        [](NodeContext &ctx) { return randomUniform(ctx, true); });
  r.add("", "RandomNormal",
        [](NodeContext &ctx) { return randomNormal(ctx, false); });
  r.add("", "RandomNormalLike",
        [](NodeContext &ctx) { return randomNormal(ctx, true); });
  r.add("", "Bernoulli", bernoulli, 15);
}
