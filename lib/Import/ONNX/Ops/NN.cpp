//===- NN.cpp - ONNX softmax, Binarizer, losses; NN registration ----------===//
//
// Softmax, LogSoftmax and Hardmax, Binarizer, and the losses
// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss; the window
// attributes (auto_pad and the defaults resolved into the explicit
// attributes of the optc ops) that the convolutions and pools share; and
// registerNNOps, which also registers the ops of NNConv.cpp (convolutions),
// NNPool.cpp (pooling) and NNNorm.cpp (normalisations).
//
//===----------------------------------------------------------------------===//

#include "NNCommon.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

FailureOr<WindowAttrs>
onnx_import::windowAttrs(NodeContext &ctx, RankedTensorType input,
                         ArrayRef<int64_t> kernelFromWeight, bool transposed) {
  int64_t n = input.getRank() - 2;
  if (n < 1)
    return ctx.error() << "input must have rank >= 3, found " << input;
  WindowAttrs w;
  bool given = false;
  OPTC_TRY(kernel, ctx.intsAttr("kernel_shape", &given));
  w.kernel = given ? kernel : SmallVector<int64_t>(kernelFromWeight);
  if (static_cast<int64_t>(w.kernel.size()) != n)
    return ctx.error() << "kernel_shape has " << w.kernel.size()
                       << " entries for " << n << " spatial dimensions";
  OPTC_TRY(strides, ctx.intsAttr("strides", &given));
  w.strides = given ? strides : SmallVector<int64_t>(n, 1);
  OPTC_TRY(dilations, ctx.intsAttr("dilations", &given));
  w.dilations = given ? dilations : SmallVector<int64_t>(n, 1);
  OPTC_TRY(pads, ctx.intsAttr("pads", &given));
  w.pads = given ? pads : SmallVector<int64_t>(2 * n, 0);
  OPTC_TRY(autoPad, ctx.stringAttr("auto_pad", "NOTSET"));
  // Check the window before auto_pad divides by its strides.
  for (auto [name, values] :
       {std::pair<const char *, ArrayRef<int64_t>>{"strides", w.strides},
        {"dilations", w.dilations},
        {"kernel_shape", w.kernel}}) {
    if (static_cast<int64_t>(values.size()) != n)
      return ctx.error() << name << " has " << values.size() << " entries for "
                         << n << " spatial dimensions";
    for (int64_t v : values)
      if (v <= 0 || v > (int64_t(1) << 31))
        return ctx.error() << name << " must be positive (and below 2^31), "
                           << "found " << v;
  }
  if (static_cast<int64_t>(w.pads.size()) != 2 * n)
    return ctx.error() << "pads has " << w.pads.size() << " entries for " << n
                       << " spatial dimensions";
  if (autoPad == "VALID") {
    w.pads.assign(2 * n, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < n; ++i) {
      int64_t size = input.getDimSize(2 + i);
      if (ShapedType::isDynamic(size))
        return ctx.error() << "auto_pad " << autoPad
                           << " needs the spatial sizes at compile time";
      int64_t s = w.strides[i], k = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total;
      if (transposed) {
        int64_t out = size * s;
        total = std::max<int64_t>(0, s * (size - 1) + k - out);
      } else {
        int64_t out = (size + s - 1) / s;
        total = std::max<int64_t>(0, (out - 1) * s + k - size);
      }
      int64_t small = total / 2, big = total - small;
      bool upper = autoPad == "SAME_UPPER";
      w.pads[i] = upper ? small : big;
      w.pads[n + i] = upper ? big : small;
    }
  } else if (autoPad != "NOTSET") {
    return ctx.error() << "auto_pad '" << autoPad << "' is not supported";
  }
  return w;
}

FailureOr<WindowAttrs> onnx_import::convWindowAttrs(NodeContext &ctx,
                                                    RankedTensorType input,
                                                    RankedTensorType weight,
                                                    bool transposed) {
  if (input.getRank() < 3 || weight.getRank() != input.getRank())
    return ctx.error() << "the weight must have the input's rank (at least "
                       << "3: M x C/group x kernel), found " << weight
                       << " for an input " << input;
  return windowAttrs(ctx, input, weight.getShape().drop_front(2), transposed);
}

namespace {

/// Softmax, LogSoftmax and Hardmax. Before opset 13 they flatten the input
/// to 2-D at `axis` (default 1) and work on the second dimension.
template <typename Build>
LogicalResult softmaxLike(NodeContext &ctx, Build &&build) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(axisAttr, ctx.intAttr("axis", ctx.opset < 13 ? 1 : -1));
  if (ctx.opset >= 13 || rank == 0) {
    OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, std::max<int64_t>(rank, 1)));
    OPTC_TRY(y, build(x, axis));
    ctx.outputs = {y};
    return success();
  }
  if (axisAttr < -rank || axisAttr > rank)
    return ctx.error() << "axis " << axisAttr << " is out of range";
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (!type.hasStaticShape())
    return ctx.error() << "before opset 13 this op needs a static shape";
  // `x` is a verified value's, within the limits per tensor.
  std::optional<int64_t> outer =
      sizes::product(type.getShape().take_front(axis));
  std::optional<int64_t> inner =
      sizes::product(type.getShape().drop_front(axis));
  assert(outer && inner && "a tensor within the limits per tensor");
  OPTC_TRY(flat, ctx.create<ReshapeOp>(x, ArrayRef<int64_t>{*outer, *inner}));
  OPTC_TRY(s, build(flat, 1));
  OPTC_TRY(y, ctx.create<ReshapeOp>(s, type.getShape()));
  ctx.outputs = {y};
  return success();
}

LogicalResult softmax(NodeContext &ctx) {
  return softmaxLike(ctx, [&](Value x, int64_t axis) {
    return ctx.create<SoftmaxOp>(x, axis);
  });
}

LogicalResult logSoftmax(NodeContext &ctx) {
  return softmaxLike(ctx, [&](Value x, int64_t axis) {
    return ctx.create<LogSoftmaxOp>(x, axis);
  });
}

LogicalResult hardmax(NodeContext &ctx) {
  // One-hot of the first maximum: arg_max, then compare with positions.
  return softmaxLike(ctx, [&](Value x, int64_t axis) -> FailureOr<Value> {
    RankedTensorType type = ctx.typeOf(x);
    if (type.isDynamicDim(axis))
      return ctx.error() << "the hardmax axis must have a static size";
    OPTC_TRY(idx, ctx.create<ArgMaxOp>(x, axis, true, false));
    OPTC_TRY(pos, ctx.positions(type.getDimSize(axis), type.getRank(), axis));
    OPTC_TRY(hit, ctx.create<CompareOp>(ComparePredicate::eq, idx, pos));
    Type element = type.getElementType();
    OPTC_TRY(y, ctx.create<SelectOp>(hit, ctx.scalar(element, 1),
                                     ctx.scalar(element, 0)));
    // The select broadcasts to idx's shape, which is x's.
    return y;
  });
}

/// Binarizer (ai.onnx.ml): 1 where x > threshold, else 0.
LogicalResult binarizer(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(threshold, ctx.floatAttr("threshold", 0));
  Type t = ctx.typeOf(x).getElementType();
  OPTC_TRY(above, ctx.create<CompareOp>(ComparePredicate::gt, x,
                                        ctx.scalar(t, threshold)));
  ctx.outputs = {ctx.castTo(above, t)};
  return success();
}

} // namespace

void onnx_import::registerNNOps(OpRegistry &r) {
  registerConvOps(r);
  registerPoolOps(r);
  registerNormalizationOps(r);
  r.add("", "Softmax", softmax);
  r.add("", "LogSoftmax", logSoftmax);
  r.add("", "Hardmax", hardmax);
  r.add("ai.onnx.ml", "Binarizer", binarizer);
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

namespace {

/// NegativeLogLikelihoodLoss of `x` ([N, C, d...] log-probabilities) for the
/// class indices `target` ([N, d...]).
FailureOr<Value> nllLoss(NodeContext &ctx, Value x, Value target,
                         Value weight) {
  RankedTensorType xt = ctx.typeOf(x), tt = ctx.typeOf(target);
  if (xt.getRank() < 2 || tt.getRank() != xt.getRank() - 1)
    return ctx.error() << "expects input [N, C, d...] and target [N, d...], "
                          "found "
                       << xt << " and " << tt;
  Type element = xt.getElementType(), indexType = tt.getElementType();
  OPTC_TRY(reduction, ctx.stringAttr("reduction", "mean"));
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.error() << "reduction must be none, sum or mean, found '"
                       << reduction << "'";
  const onnx::AttributeProto *ignoreAttr = ctx.attr("ignore_index");
  OPTC_TRY(ignoreIndex, ctx.intAttr("ignore_index", 0));
  Value ignored, safeTarget = target;
  if (ignoreAttr) {
    OPTC_TRY(eq, ctx.create<CompareOp>(ComparePredicate::eq, target,
                                       ctx.scalar(indexType, ignoreIndex)));
    ignored = eq;
    OPTC_TRY(safe,
             ctx.create<SelectOp>(ignored, ctx.scalar(indexType, 0), target));
    safeTarget = safe;
  }
  // -x[n, target[n, d...], d...] through gather_elements along axis 1.
  SmallVector<int64_t> withClass;
  for (auto [i, d] : llvm::enumerate(tt.getShape())) {
    withClass.push_back(ShapedType::isDynamic(d) ? -1 : d);
    if (i == 0)
      withClass.push_back(1);
  }
  if (llvm::count(withClass, -1) > 1)
    return ctx.error() << "the target shape " << tt
                       << " must be static apart from one dimension";
  Value index = ctx.reshape(safeTarget, withClass);
  if (!index)
    return failure();
  OPTC_TRY(picked, ctx.create<GatherElementsOp>(x, index, 1));
  SmallVector<int64_t> targetShape;
  for (int64_t d : tt.getShape())
    targetShape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  Value flat = ctx.reshape(picked, targetShape);
  if (!flat)
    return failure();
  OPTC_TRY(loss, ctx.create<NegOp>(flat));
  Value w;
  if (weight) {
    OPTC_TRY(g, ctx.create<GatherOp>(weight, safeTarget, 0));
    w = g;
  } else if (ignored) {
    w = ctx.splat(cast<RankedTensorType>(loss.getType()), 1);
  }
  if (w && ignored) {
    OPTC_TRY(masked, ctx.create<SelectOp>(ignored, ctx.scalar(element, 0), w));
    w = masked;
  }
  if (w) {
    OPTC_TRY(weighted, ctx.create<MulOp>(loss, w));
    loss = weighted;
  }
  if (reduction == "none")
    return loss;
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < tt.getRank(); ++i)
    all.push_back(i);
  OPTC_TRY(sum, ctx.create<ReduceSumOp>(loss, all, false));
  if (reduction == "sum")
    return sum;
  if (!w)
    return ctx.create<ReduceMeanOp>(loss, all, false);
  OPTC_TRY(total, ctx.create<ReduceSumOp>(w, all, false));
  return ctx.create<DivOp>(sum, total);
}

LogicalResult negativeLogLikelihoodLoss(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(target, ctx.requiredInput(1, "target"));
  OPTC_TRY(loss, nllLoss(ctx, x, target, ctx.input(2)));
  ctx.outputs = {loss};
  return success();
}

LogicalResult softmaxCrossEntropyLoss(NodeContext &ctx) {
  OPTC_TRY(scores, ctx.requiredInput(0, "scores"));
  OPTC_TRY(labels, ctx.requiredInput(1, "labels"));
  if (ctx.typeOf(scores).getRank() < 2)
    return ctx.error() << "scores must be [N, C, d...]";
  OPTC_TRY(logProb, ctx.create<LogSoftmaxOp>(scores, 1));
  OPTC_TRY(loss, nllLoss(ctx, logProb, labels, ctx.input(2)));
  ctx.outputs = {loss, logProb};
  return success();
}

} // namespace

void onnx_import::registerLossOps(OpRegistry &r) {
  r.add("", "NegativeLogLikelihoodLoss", negativeLogLikelihoodLoss);
  r.add("", "SoftmaxCrossEntropyLoss", softmaxCrossEntropyLoss);
}
