//===- Reduce.cpp - ONNX reductions
//----------------------------------------===//
//
// ReduceSum/Mean/Max/Min/Prod directly, ReduceL1/L2/LogSum/LogSumExp/
// SumSquare decomposed, ArgMax/ArgMin. The axes moved from an attribute to
// an input at opset 13 (ReduceSum) and 18 (the others).
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// The axes of a reduction, normalised; empty axes mean all of them unless
/// noop_with_empty_axes asks for nothing (returned as std::nullopt).
FailureOr<std::optional<SmallVector<int64_t>>>
reductionAxes(NodeContext &ctx, int64_t rank, int64_t axesInputSince) {
  SmallVector<int64_t> axes;
  if (ctx.opset < axesInputSince) {
    OPTC_TRY(a, ctx.intsAttr("axes"));
    axes = a;
  } else if (ctx.input(1)) {
    OPTC_TRY(a, ctx.axesInput(1, rank, "axes"));
    axes = a;
  }
  if (axes.empty()) {
    OPTC_TRY(noop, ctx.intAttr("noop_with_empty_axes", 0));
    if (noop && ctx.opset >= axesInputSince)
      return std::optional<SmallVector<int64_t>>();
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
    return std::optional<SmallVector<int64_t>>(axes);
  }
  OPTC_TRY(normalized, ctx.normalizeAxes(axes, rank));
  return std::optional<SmallVector<int64_t>>(normalized);
}

/// The axes a reduction builder gets: sorted and non-negative, or
/// std::nullopt when noop_with_empty_axes makes the reduction the identity.
using AxesBuilder =
    llvm::function_ref<FailureOr<Value>(std::optional<ArrayRef<int64_t>> axes)>;

/// Sets the node's output to what `build` gives for the node's axes: built
/// once when they are known at compile time, once per possible set in an
/// index switch when they are a run-time input.
LogicalResult withReductionAxes(NodeContext &ctx, int64_t rank,
                                int64_t axesInputSince, AxesBuilder build) {
  if (ctx.opset >= axesInputSince && ctx.runtimeAxes(1, rank)) {
    OPTC_TRY(outs,
             ctx.switchOnAxes(
                 1, rank, "axes",
                 [&](ArrayRef<int64_t> axes) -> FailureOr<SmallVector<Value>> {
                   OPTC_TRY(v, build(axes));
                   return SmallVector<Value>{v};
                 }));
    ctx.outputs.assign(outs.begin(), outs.end());
    return success();
  }
  OPTC_TRY(axes, reductionAxes(ctx, rank, axesInputSince));
  OPTC_TRY(
      v, build(axes ? std::optional<ArrayRef<int64_t>>(*axes) : std::nullopt));
  ctx.outputs = {v};
  return success();
}

/// Applies `pre` to the input, reduces with `OpTy` and applies `post`.
template <typename OpTy>
LogicalResult reduce(NodeContext &ctx, int64_t axesInputSince,
                     llvm::function_ref<FailureOr<Value>(Value)> pre = {},
                     llvm::function_ref<FailureOr<Value>(Value)> post = {}) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  OPTC_TRY(keepDims, ctx.intAttr("keepdims", 1));
  // Composite reductions (L2, sum of squares, log-sum) of 16-bit floats
  // compute in f32: x^2 overflows f16 from |x| = 256 where the norm does not.
  Type stored = ctx.typeOf(x).getElementType();
  bool widen = (pre || post) && (stored.isF16() || stored.isBF16());
  Value v = widen ? ctx.castTo(x, ctx.b.getF32Type()) : x;
  if (pre) {
    OPTC_TRY(p, pre(v));
    v = p;
  }
  return withReductionAxes(
      ctx, ctx.typeOf(x).getRank(), axesInputSince,
      [&](std::optional<ArrayRef<int64_t>> axes) -> FailureOr<Value> {
        // noop_with_empty_axes: the reduction is the identity, but the
        // elementwise parts still apply.
        Value r = v;
        if (axes) {
          OPTC_TRY(reduced, ctx.create<OpTy>(v, *axes, keepDims != 0));
          r = reduced;
        }
        if (post) {
          OPTC_TRY(p, post(r));
          r = p;
        }
        return widen ? ctx.castTo(r, stored) : r;
      });
}

template <typename OpTy> Converter simple(int64_t axesInputSince) {
  return [=](NodeContext &ctx) { return reduce<OpTy>(ctx, axesInputSince); };
}

LogicalResult reduceL1(NodeContext &ctx) {
  return reduce<ReduceSumOp>(ctx, 18,
                             [&](Value v) { return ctx.create<AbsOp>(v); });
}

LogicalResult reduceL2(NodeContext &ctx) {
  return reduce<ReduceSumOp>(
      ctx, 18, [&](Value v) { return ctx.create<MulOp>(v, v); },
      [&](Value v) { return ctx.create<SqrtOp>(v); });
}

LogicalResult reduceSumSquare(NodeContext &ctx) {
  return reduce<ReduceSumOp>(ctx, 18,
                             [&](Value v) { return ctx.create<MulOp>(v, v); });
}

LogicalResult reduceLogSum(NodeContext &ctx) {
  return reduce<ReduceSumOp>(ctx, 18, {},
                             [&](Value v) { return ctx.create<LogOp>(v); });
}

LogicalResult reduceLogSumExp(NodeContext &ctx) {
  // log(sum(exp(x - m))) + m with m the maximum, so exp cannot overflow.
  OPTC_TRY(input, ctx.requiredInput(0, "data"));
  // 16-bit floats compute in f32 (exp and the sum overflow f16 early).
  Type stored = ctx.typeOf(input).getElementType();
  bool widen = stored.isF16() || stored.isBF16();
  Value x = widen ? ctx.castTo(input, ctx.b.getF32Type()) : input;
  RankedTensorType type = ctx.typeOf(x);
  OPTC_TRY(keepDims, ctx.intAttr("keepdims", 1));
  return withReductionAxes(
      ctx, type.getRank(), 18,
      [&](std::optional<ArrayRef<int64_t>> axes) -> FailureOr<Value> {
        if (!axes)
          return input; // log(exp(x)) is x
        OPTC_TRY(m, ctx.create<ReduceMaxOp>(x, *axes, true));
        // Where the maximum is infinite, shifting would give NaN: shift by
        // 0.
        OPTC_TRY(infinite, ctx.create<IsInfOp>(m, true, true));
        Value zero = ctx.scalar(type.getElementType(), 0);
        OPTC_TRY(shift, ctx.create<SelectOp>(infinite, zero, m));
        OPTC_TRY(d, ctx.create<SubOp>(x, shift));
        OPTC_TRY(e, ctx.create<ExpOp>(d));
        OPTC_TRY(s, ctx.create<ReduceSumOp>(e, *axes, keepDims != 0));
        OPTC_TRY(l, ctx.create<LogOp>(s));
        Value shiftOut = shift;
        if (!keepDims) {
          OPTC_TRY(sq, ctx.create<ReduceMaxOp>(shift, *axes, false));
          shiftOut = sq;
        }
        OPTC_TRY(y, ctx.create<AddOp>(l, shiftOut));
        return widen ? ctx.castTo(y, stored) : y;
      });
}

template <typename OpTy> LogicalResult argReduce(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(x).getRank()));
  OPTC_TRY(keepDims, ctx.intAttr("keepdims", 1));
  OPTC_TRY(last, ctx.intAttr("select_last_index", 0));
  OPTC_TRY(y, ctx.create<OpTy>(x, axis, keepDims != 0, last != 0));
  ctx.outputs = {y};
  return success();
}

template <typename OpTy> LogicalResult cumulative(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  int64_t rank = ctx.typeOf(x).getRank();
  OPTC_TRY(exclusive, ctx.intAttr("exclusive", 0));
  OPTC_TRY(reverse, ctx.intAttr("reverse", 0));
  auto build = [&](int64_t axis) {
    return ctx.create<OpTy>(x, axis, exclusive != 0, reverse != 0);
  };
  if (ctx.runtimeAxes(1, rank)) {
    // One case per axis; all give the input's type.
    OPTC_TRY(outs,
             ctx.switchOnAxes(
                 1, rank, "axis",
                 [&](ArrayRef<int64_t> axes) -> FailureOr<SmallVector<Value>> {
                   if (axes.size() != 1)
                     return ctx.error() << "axis must be a scalar";
                   OPTC_TRY(y, build(axes[0]));
                   return SmallVector<Value>{y};
                 }));
    ctx.outputs.assign(outs.begin(), outs.end());
    return success();
  }
  // The axis of a 1-D input can only be 0, whatever the input says.
  OPTC_TRY(axisValue, ctx.axesInput(1, rank, "axis"));
  if (axisValue.size() != 1)
    return ctx.error() << "axis must be a scalar";
  OPTC_TRY(axis, ctx.normalizeAxis(axisValue[0], rank));
  OPTC_TRY(y, build(axis));
  ctx.outputs = {y};
  return success();
}

/// TopK with K known only at run time: every element in order (a sort),
/// then the first K along the axis.
LogicalResult runtimeTopK(NodeContext &ctx, Value x) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -1));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, rank));
  OPTC_TRY(largest, ctx.intAttr("largest", 1));
  if (type.isDynamicDim(axis))
    return ctx.error() << "K is only known at run time and so is the size "
                          "of axis "
                       << axis << " of " << type;
  OPTC_TRY(k, ctx.runtimeInts(1, "K"));
  if (ctx.typeOf(k).getDimSize(0) != 1)
    return ctx.error() << "K must hold one value";
  // The sort is stable, as top_k's sorted order is, so the first K of it
  // are TopK's values and indices.
  OPTC_TRY(op, ctx.createMulti<TopKOp>(2, x, axis, type.getDimSize(axis),
                                       largest != 0, true));
  OPTC_TRY(limits, ctx.perDimension(k, {axis}, rank, INT64_MAX));
  Value starts = ctx.i64s(SmallVector<int64_t>(rank, 0));
  Value strides = ctx.i64s(SmallVector<int64_t>(rank, 1));
  SmallVector<int64_t> known(type.getShape());
  known[axis] = ShapedType::kDynamic;
  for (Value sorted : op->getResults()) {
    OPTC_TRY(y, ctx.create<DynamicSliceOp>(sorted, starts, limits, strides));
    ctx.outputs.push_back(ctx.refine(y, known));
  }
  return success();
}

LogicalResult topK(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  int64_t k;
  if (ctx.opset < 10) {
    OPTC_TRY(kAttr, ctx.requiredIntAttr("k"));
    k = kAttr;
  } else if (ctx.input(1) && !getConstantInts(ctx.input(1))) {
    return runtimeTopK(ctx, x);
  } else {
    OPTC_TRY(kValue, ctx.constantInts(1, "K"));
    if (kValue.size() != 1)
      return ctx.error() << "K must hold one value";
    k = kValue[0];
  }
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -1));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(x).getRank()));
  OPTC_TRY(largest, ctx.intAttr("largest", 1));
  OPTC_TRY(sorted, ctx.intAttr("sorted", 1));
  OPTC_TRY(op,
           ctx.createMulti<TopKOp>(2, x, axis, k, largest != 0, sorted != 0));
  ctx.outputs = {op->getResult(0), op->getResult(1)};
  return success();
}

} // namespace

void onnx_import::registerReduceOps(OpRegistry &r) {
  r.add("", "ReduceSum", simple<ReduceSumOp>(13));
  r.add("", "ReduceMean", simple<ReduceMeanOp>(18));
  r.add("", "ReduceMax", simple<ReduceMaxOp>(18));
  r.add("", "ReduceMin", simple<ReduceMinOp>(18));
  r.add("", "ReduceProd", simple<ReduceProdOp>(18));
  r.add("", "ReduceL1", reduceL1);
  r.add("", "ReduceL2", reduceL2);
  r.add("", "ReduceSumSquare", reduceSumSquare);
  r.add("", "ReduceLogSum", reduceLogSum);
  r.add("", "ReduceLogSumExp", reduceLogSumExp);
  r.add("", "ArgMax", argReduce<ArgMaxOp>);
  r.add("", "ArgMin", argReduce<ArgMinOp>);
  r.add("", "CumSum", cumulative<CumSumOp>);
  r.add("", "CumProd", cumulative<CumProdOp>);
  r.add("", "TopK", topK);
}
