//===- Index.cpp - ONNX gathers and scatters ------------------------------===//
//
// Gather, GatherElements, GatherND, ScatterElements (and the deprecated
// Scatter), ScatterND.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "optc/Support/Sizes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// The runtime function that records the offending index of a failed
/// check (runtime_support.h), declared once in the module.
static constexpr llvm::StringLiteral kNoteIndex = "optc_note_index";

static void declareNoteIndex(NodeContext &ctx) {
  ModuleOp module = ctx.graph.module;
  if (!module || module.lookupSymbol(kNoteIndex))
    return;
  OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
  auto decl = func::FuncOp::create(top, module.getLoc(), kNoteIndex,
                                   top.getFunctionType({top.getI64Type()}, {}));
  decl.setPrivate();
}

/// One dimension an index component addresses: where it comes from in the
/// message and its size.
struct IndexBound {
  int64_t size;
  std::string what; // "axis 0 of 'data'"
};

/// Checks that every index in `indices` lies in [-size, size) of its
/// bound: the last dimension of `indices` picks the bound when `perComponent`
/// (GatherND, ScatterND), else one bound holds for all. Constant indices are
/// checked now, as a compile error naming the index and where it is; others
/// at run time, where a failure ends the run with an error naming the node,
/// the input and the index, leaving the outputs untouched (the lowering
/// reads clamped indices meanwhile, so nothing is read or written out of
/// bounds).
static LogicalResult checkIndices(NodeContext &ctx, Value indices,
                                  ArrayRef<IndexBound> bounds,
                                  bool perComponent) {
  RankedTensorType type = ctx.typeOf(indices);
  for (const IndexBound &bound : bounds)
    if (ShapedType::isDynamic(bound.size))
      return success(); // checked by the lowering's clamping only
  std::string input = ctx.node.input_size() > 1 ? ctx.node.input(1) : "";
  auto range = [](int64_t size) {
    return "[" + std::to_string(-size) + ", " + std::to_string(size) + ")";
  };
  if (std::optional<SmallVector<int64_t>> values = getConstantInts(indices)) {
    int64_t q = perComponent ? type.getShape().back() : 1;
    for (auto [position, value] : llvm::enumerate(*values)) {
      const IndexBound &bound =
          bounds[perComponent ? position % std::max<int64_t>(q, 1) : 0];
      if (value < -bound.size || value >= bound.size)
        return ctx.error() << "index " << value << " (element " << position
                           << " of input '" << input << "') is out of range "
                           << range(bound.size) << " for " << bound.what;
    }
    return success();
  }
  if (!type.hasStaticShape() || type.getNumElements() == 0)
    return success();
  // The smallest and largest index (per component): two reductions over
  // the indices, which are small beside the data they address.
  SmallVector<int64_t> axes;
  for (int64_t d = 0; d + (perComponent ? 1 : 0) < type.getRank(); ++d)
    axes.push_back(d);
  Value lows = indices, highs = indices;
  if (!axes.empty()) {
    OPTC_TRY(lo, ctx.create<ReduceMinOp>(indices, axes, false));
    OPTC_TRY(hi, ctx.create<ReduceMaxOp>(indices, axes, false));
    lows = lo;
    highs = hi;
  }
  declareNoteIndex(ctx);
  OpBuilder &b = ctx.b;
  Location loc = ctx.loc;
  auto extract = [&](Value tensor, int64_t k) -> Value {
    SmallVector<Value> at;
    if (perComponent || ctx.typeOf(tensor).getRank() > 0)
      at.push_back(arith::ConstantIndexOp::create(b, loc, k));
    Value v = tensor::ExtractOp::create(b, loc, tensor, at);
    if (v.getType() != b.getI64Type())
      v = arith::ExtSIOp::create(b, loc, b.getI64Type(), v);
    return v;
  };
  for (auto [k, bound] : llvm::enumerate(bounds)) {
    Value lo = extract(lows, k), hi = extract(highs, k);
    Value size = arith::ConstantIntOp::create(b, loc, bound.size, 64);
    Value negSize = arith::ConstantIntOp::create(b, loc, -bound.size, 64);
    Value tooHigh =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::sge, hi, size);
    Value tooLow =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, lo, negSize);
    Value bad = arith::OrIOp::create(b, loc, tooHigh, tooLow);
    Value offending = arith::SelectOp::create(b, loc, tooHigh, hi, lo);
    auto branch = scf::IfOp::create(b, loc, bad, /*withElseRegion=*/false);
    {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(branch.thenBlock());
      func::CallOp::create(b, loc, kNoteIndex, TypeRange{},
                           ValueRange{offending});
    }
    Value ok = arith::XOrIOp::create(
        b, loc, bad, arith::ConstantOp::create(b, loc, b.getBoolAttr(true)));
    std::string component =
        perComponent ? " in component " + std::to_string(k) : "";
    cf::AssertOp::create(b, loc, ok,
                         "node '" + ctx.node.name() + "' (#" +
                             std::to_string(ctx.index) + " " +
                             ctx.node.op_type() + "): input '" + input +
                             "' holds an index" + component + " out of range " +
                             range(bound.size) + " for " + bound.what);
  }
  return success();
}

/// The bound of an index along `axis` of `data`.
static IndexBound axisBound(NodeContext &ctx, Value data, int64_t axis) {
  std::string name = ctx.node.input_size() > 0 ? ctx.node.input(0) : "";
  return {ctx.typeOf(data).getDimSize(axis),
          "axis " + std::to_string(axis) + " of '" + name + "'"};
}

/// The bounds of the components of GatherND/ScatterND indices: the
/// dimensions after the batch dimensions.
static FailureOr<SmallVector<IndexBound>>
componentBounds(NodeContext &ctx, Value data, Value indices, int64_t batch) {
  RankedTensorType indexType = ctx.typeOf(indices);
  RankedTensorType dataType = ctx.typeOf(data);
  SmallVector<IndexBound> bounds;
  if (indexType.getRank() < 1 ||
      indexType.isDynamicDim(indexType.getRank() - 1))
    return bounds;
  int64_t q = indexType.getShape().back();
  for (int64_t k = 0; k < q && batch + k < dataType.getRank(); ++k)
    bounds.push_back(axisBound(ctx, data, batch + k));
  if (static_cast<int64_t>(bounds.size()) != q)
    return SmallVector<IndexBound>{};
  return bounds;
}

template <typename OpTy> LogicalResult gatherAlongAxis(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(data).getRank()));
  if (failed(checkIndices(ctx, indices, {axisBound(ctx, data, axis)}, false)))
    return failure();
  OPTC_TRY(y, ctx.create<OpTy>(data, indices, axis));
  ctx.outputs = {y};
  return success();
}

LogicalResult gatherNd(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(batchDims, ctx.intAttr("batch_dims", 0));
  OPTC_TRY(bounds, componentBounds(ctx, data, indices, batchDims));
  if (!bounds.empty() && failed(checkIndices(ctx, indices, bounds, true)))
    return failure();
  OPTC_TRY(y, ctx.create<GatherNdOp>(data, indices, batchDims));
  ctx.outputs = {y};
  return success();
}

FailureOr<ScatterReduction> reduction(NodeContext &ctx) {
  OPTC_TRY(name, ctx.stringAttr("reduction", "none"));
  std::optional<ScatterReduction> r = symbolizeScatterReduction(name);
  if (!r)
    return ctx.error() << "reduction '" << name << "' is not supported";
  return *r;
}

LogicalResult scatterElements(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(updates, ctx.requiredInput(2, "updates"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(data).getRank()));
  OPTC_TRY(r, reduction(ctx));
  if (failed(checkIndices(ctx, indices, {axisBound(ctx, data, axis)}, false)))
    return failure();
  OPTC_TRY(y, ctx.create<ScatterElementsOp>(r, data, indices, updates, axis));
  ctx.outputs = {y};
  return success();
}

LogicalResult scatterNd(NodeContext &ctx) {
  OPTC_TRY(data, ctx.requiredInput(0, "data"));
  OPTC_TRY(indices, ctx.requiredInput(1, "indices"));
  OPTC_TRY(updates, ctx.requiredInput(2, "updates"));
  OPTC_TRY(r, reduction(ctx));
  OPTC_TRY(bounds, componentBounds(ctx, data, indices, 0));
  if (!bounds.empty() && failed(checkIndices(ctx, indices, bounds, true)))
    return failure();
  OPTC_TRY(y, ctx.create<ScatterNdOp>(r, data, indices, updates));
  ctx.outputs = {y};
  return success();
}

/// OneHot: on_value where the (wrapped) index equals the position along the
/// new axis, off_value elsewhere.
LogicalResult oneHot(NodeContext &ctx) {
  OPTC_TRY(indices, ctx.requiredInput(0, "indices"));
  OPTC_TRY(values, ctx.requiredInput(2, "values"));
  OPTC_TRY(depthInput, ctx.requiredInput(1, "depth"));
  RankedTensorType it = ctx.typeOf(indices);
  int64_t rank = it.getRank() + 1;
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -1));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, rank));
  Type i64 = ctx.b.getI64Type();
  // The depth: a constant, or a value known only at run time (then so is
  // the size of the new axis).
  Value depthValue;
  int64_t depth = ShapedType::kDynamic;
  if (std::optional<SmallVector<double>> d = getConstantFloats(depthInput)) {
    if (d->size() != 1)
      return ctx.error() << "depth must hold one value";
    // Compared as a double: a cast of one beyond int64 is undefined.
    if (!((*d)[0] >= 1 && (*d)[0] <= double(kMaxTensorElements)))
      return ctx.error() << "depth must be positive and at most "
                         << kMaxTensorElements << ", found " << (*d)[0];
    depth = static_cast<int64_t>((*d)[0]);
    depthValue = ctx.i64(depth);
  } else {
    RankedTensorType dt = ctx.typeOf(depthInput);
    if (!dt.hasStaticShape() || dt.getNumElements() != 1)
      return ctx.error() << "depth must hold one value, found " << dt;
    Value scalar = dt.getRank() == 0 ? depthInput : ctx.reshape(depthInput, {});
    if (!scalar)
      return failure();
    depthValue = ctx.castTo(scalar, i64);
  }
  Value idx = ctx.castTo(indices, i64);
  // Negative indices count from the end of the depth.
  OPTC_TRY(isNeg, ctx.create<CompareOp>(ComparePredicate::lt, idx,
                                        ctx.scalar(i64, 0)));
  OPTC_TRY(wrapped, ctx.create<AddOp>(idx, depthValue));
  OPTC_TRY(fixed, ctx.create<SelectOp>(isNeg, wrapped, idx));
  SmallVector<int64_t> withAxis;
  for (int64_t d : it.getShape())
    withAxis.push_back(ShapedType::isDynamic(d) ? -1 : d);
  withAxis.insert(withAxis.begin() + axis, 1);
  if (llvm::count(withAxis, -1) > 1)
    return ctx.error() << "indices may have one unknown dimension at most";
  Value expanded = ctx.reshape(fixed, withAxis);
  Value targets;
  if (ShapedType::isDynamic(depth)) {
    SmallVector<int64_t> positionShape(rank, 1);
    positionShape[axis] = -1;
    OPTC_TRY(r, ctx.create<RangeOp>(ctx.scalar(i64, 0), depthValue,
                                    ctx.scalar(i64, 1)));
    targets = ctx.reshape(r, positionShape);
  } else {
    OPTC_TRY(p, ctx.positions(depth, rank, axis));
    targets = p;
  }
  if (!expanded || !targets)
    return failure();
  OPTC_TRY(hit, ctx.create<CompareOp>(ComparePredicate::eq, expanded, targets));
  RankedTensorType vt = ctx.typeOf(values);
  if (vt.getRank() != 1 || vt.getDimSize(0) != 2)
    return ctx.error() << "values must be [off_value, on_value], found " << vt;
  auto pick = [&](int64_t i) -> FailureOr<Value> {
    OPTC_TRY(s, ctx.create<SliceOp>(values, ArrayRef<int64_t>{i},
                                    ArrayRef<int64_t>{i + 1},
                                    ArrayRef<int64_t>{1}));
    Value r = ctx.reshape(s, {});
    if (!r)
      return failure();
    return r;
  };
  OPTC_TRY(off, pick(0));
  OPTC_TRY(on, pick(1));
  OPTC_TRY(y, ctx.create<SelectOp>(hit, on, off));
  ctx.outputs = {y};
  return success();
}

/// `values` (1-D, along dimension `dim` of a rank-`rank` tensor) reshaped
/// to broadcast along the others.
Value alongDim(NodeContext &ctx, Value values, int64_t dim, int64_t rank) {
  SmallVector<int64_t> shape(rank, 1);
  shape[dim] = -1;
  return ctx.reshape(values, shape);
}

/// ReverseSequence: the first sequence_lens[b] steps of batch entry b are
/// reversed along the time axis; out[t, b] = x[len_b - 1 - t, b] for
/// t < len_b, x[t, b] after.
LogicalResult reverseSequence(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(lens, ctx.requiredInput(1, "sequence_lens"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(timeAttr, ctx.intAttr("time_axis", 0));
  OPTC_TRY(batchAttr, ctx.intAttr("batch_axis", 1));
  if (rank < 2 || !type.hasStaticShape())
    return ctx.error() << "needs a static input of rank 2 or more, found "
                       << type;
  OPTC_TRY(timeAxis, ctx.normalizeAxis(timeAttr, rank, "time_axis"));
  OPTC_TRY(batchAxis, ctx.normalizeAxis(batchAttr, rank, "batch_axis"));
  if (timeAxis == batchAxis || timeAxis > 1 || batchAxis > 1)
    return ctx.error() << "time_axis and batch_axis must be 0 and 1";
  int64_t steps = type.getDimSize(timeAxis);
  if (steps > kMaxBuiltConstant)
    return ctx.error() << "the time axis has " << steps << " steps";
  Type i64 = ctx.b.getI64Type();
  Value t =
      alongDim(ctx, ctx.i64s(llvm::to_vector(llvm::seq<int64_t>(0, steps))),
               timeAxis, rank);
  Value len = alongDim(ctx, ctx.castTo(lens, i64), batchAxis, rank);
  if (!t || !len)
    return failure();
  OPTC_TRY(inside, ctx.create<CompareOp>(ComparePredicate::lt, t, len));
  OPTC_TRY(last, ctx.create<SubOp>(len, ctx.scalar(i64, 1)));
  OPTC_TRY(reversed, ctx.create<SubOp>(last, t));
  OPTC_TRY(source, ctx.create<SelectOp>(inside, reversed, t));
  OPTC_TRY(full, ctx.create<BroadcastOp>(source, type.getShape()));
  OPTC_TRY(y, ctx.create<GatherElementsOp>(x, full, timeAxis));
  ctx.outputs = {y};
  return success();
}

/// TensorScatter (opset 24): writes `update` into the cache along `axis`
/// from each batch entry's write index (0 without write_indices), modulo
/// the cache length in circular mode.
LogicalResult tensorScatter(NodeContext &ctx) {
  OPTC_TRY(cache, ctx.requiredInput(0, "past_cache"));
  OPTC_TRY(update, ctx.requiredInput(1, "update"));
  RankedTensorType ct = ctx.typeOf(cache), ut = ctx.typeOf(update);
  int64_t rank = ct.getRank();
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -2));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, rank));
  OPTC_TRY(mode, ctx.stringAttr("mode", "linear"));
  if (mode != "linear" && mode != "circular")
    return ctx.error() << "mode '" << mode << "' is not supported";
  if (axis == 0 || !ut.hasStaticShape() || !ct.hasStaticShape() ||
      ut.getRank() != rank)
    return ctx.error() << "needs static cache and update of one rank, and a "
                          "sequence axis after the batch, found "
                       << ct << " and " << ut;
  Type i64 = ctx.b.getI64Type();
  int64_t length = ut.getDimSize(axis);
  if (length > kMaxBuiltConstant)
    return ctx.error() << "the update has " << length << " positions";
  Value positions =
      alongDim(ctx, ctx.i64s(llvm::to_vector(llvm::seq<int64_t>(0, length))),
               axis, rank);
  if (!positions)
    return failure();
  Value index = positions;
  if (Value w = ctx.input(2)) {
    Value start = alongDim(ctx, ctx.castTo(w, i64), 0, rank);
    if (!start)
      return failure();
    OPTC_TRY(sum, ctx.create<AddOp>(start, positions));
    index = sum;
  }
  if (mode == "circular") {
    OPTC_TRY(wrapped, ctx.create<RemOp>(
                          index, ctx.scalar(i64, ct.getDimSize(axis)), false));
    index = wrapped;
  }
  OPTC_TRY(full, ctx.create<BroadcastOp>(index, ut.getShape()));
  OPTC_TRY(y, ctx.create<ScatterElementsOp>(ScatterReduction::none, cache, full,
                                            update, axis));
  ctx.outputs = {y};
  return success();
}

/// ArrayFeatureExtractor (ai.onnx.ml): the indexed entries of the last
/// dimension; a 1-D input gives a [1, k] result.
LogicalResult arrayFeatureExtractor(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(indices, ctx.requiredInput(1, "Y"));
  RankedTensorType it = ctx.typeOf(indices);
  if (!it.hasStaticShape())
    return ctx.error() << "the indices need a static shape, found " << it;
  Value flat = ctx.reshape(indices, {it.getNumElements()});
  RankedTensorType xt = ctx.typeOf(x);
  Value data = xt.getRank() == 1 ? ctx.reshape(x, {1, xt.getDimSize(0)}) : x;
  if (!flat || !data)
    return failure();
  OPTC_TRY(y, ctx.create<GatherOp>(data, flat, ctx.typeOf(data).getRank() - 1));
  ctx.outputs = {y};
  return success();
}

LogicalResult nonZero(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(y, ctx.create<NonZeroOp>(x));
  ctx.outputs = {y};
  return success();
}

/// Compress: the slices along `axis` (of the flattened input without one)
/// where the 1-D condition holds.
LogicalResult compress(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(condition, ctx.requiredInput(1, "condition"));
  RankedTensorType ct = ctx.typeOf(condition);
  if (ct.getRank() != 1)
    return ctx.error() << "condition must be 1-D, found " << ct;
  Value data = x;
  int64_t axis = 0;
  if (ctx.attr("axis")) {
    OPTC_TRY(a, ctx.intAttr("axis", 0));
    OPTC_TRY(normalized, ctx.normalizeAxis(a, ctx.typeOf(x).getRank()));
    axis = normalized;
  } else {
    RankedTensorType t = ctx.typeOf(x);
    if (!t.hasStaticShape())
      return ctx.error() << "flattening needs a static input, found " << t;
    data = ctx.reshape(x, {t.getNumElements()});
    if (!data)
      return failure();
  }
  OPTC_TRY(where,
           ctx.create<NonZeroOp>(ctx.castTo(condition, ctx.b.getI1Type())));
  Value positions = ctx.reshape(where, {-1});
  if (!positions)
    return failure();
  OPTC_TRY(y, ctx.create<GatherOp>(data, positions, axis));
  ctx.outputs = {y};
  return success();
}

LogicalResult unique(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(sorted, ctx.intAttr("sorted", 1));
  IntegerAttr axis;
  if (ctx.attr("axis")) {
    OPTC_TRY(a, ctx.intAttr("axis", 0));
    OPTC_TRY(normalized, ctx.normalizeAxis(a, ctx.typeOf(x).getRank()));
    axis = ctx.b.getI64IntegerAttr(normalized);
  }
  OPTC_TRY(op, ctx.createMulti<UniqueOp>(4, x, axis, sorted != 0));
  ctx.outputs.assign(op->result_begin(), op->result_end());
  return success();
}

LogicalResult nonMaxSuppression(NodeContext &ctx) {
  OPTC_TRY(boxes, ctx.requiredInput(0, "boxes"));
  OPTC_TRY(scores, ctx.requiredInput(1, "scores"));
  OPTC_TRY(center, ctx.intAttr("center_point_box", 0));
  Type t = ctx.typeOf(boxes).getElementType();
  // Optional one-element inputs as 0-d tensors, with ONNX's defaults: no
  // boxes, IoU 0, no score threshold.
  auto scalarInput = [&](unsigned i, llvm::StringRef name, Type element,
                         double fallback) -> FailureOr<Value> {
    Value v = ctx.input(i);
    if (!v)
      return ctx.scalar(element, fallback);
    RankedTensorType vt = ctx.typeOf(v);
    if (!vt.hasStaticShape() || vt.getNumElements() != 1)
      return ctx.error() << name << " must hold one value, found " << vt;
    Value r = vt.getRank() == 0 ? v : ctx.reshape(v, {});
    if (!r)
      return failure();
    return ctx.castTo(r, element);
  };
  OPTC_TRY(maxPerClass,
           scalarInput(2, "max_output_boxes_per_class", ctx.b.getI64Type(), 0));
  OPTC_TRY(iou, scalarInput(3, "iou_threshold", t, 0));
  OPTC_TRY(scoreThreshold, scalarInput(4, "score_threshold", t, -INFINITY));
  OPTC_TRY(y, ctx.create<NonMaxSuppressionOp>(boxes, scores, maxPerClass, iou,
                                              scoreThreshold, center != 0));
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerIndexOps(OpRegistry &r) {
  r.add("", "Gather", gatherAlongAxis<GatherOp>);
  r.add("", "GatherElements", gatherAlongAxis<GatherElementsOp>);
  r.add("", "GatherND", gatherNd);
  r.add("", "ScatterElements", scatterElements);
  r.add("", "Scatter", scatterElements, 9, 10);
  r.add("", "ScatterND", scatterNd);
  r.add("", "OneHot", oneHot);
  r.add("", "ReverseSequence", reverseSequence, 10);
  r.add("", "TensorScatter", tensorScatter, 24);
  r.add("ai.onnx.ml", "ArrayFeatureExtractor", arrayFeatureExtractor);
  r.add("", "NonZero", nonZero, 9);
  r.add("", "Compress", compress, 9);
  r.add("", "Unique", unique, 11);
  r.add("", "NonMaxSuppression", nonMaxSuppression, 10);
}
