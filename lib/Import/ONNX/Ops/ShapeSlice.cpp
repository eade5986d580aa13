//===- ShapeSlice.cpp - ONNX Slice, Pad, Tile, Crop, CenterCropPad --------===//
//
// Slice, Pad, Tile, the experimental Crop and CenterCropPad. Starts, ends,
// axes, steps, pads, repeats and CenterCropPad's sizes may be values known
// only at run time (run-time slices and pads, whose sizes on those axes are
// then unknown).
//
//===----------------------------------------------------------------------===//

#include "ShapeCommon.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// The axes input `i` of Slice and Pad: absent (the first `count`
/// dimensions), constants (normalised, in their order, distinct) or values
/// known only at run time (returned in `runtime`, entries unchecked).
LogicalResult orderedAxes(NodeContext &ctx, unsigned i, int64_t rank,
                          int64_t count, SmallVectorImpl<int64_t> &axes,
                          Value &runtime) {
  if (!ctx.input(i)) {
    llvm::append_range(axes, llvm::seq<int64_t>(0, count));
    return success();
  }
  if (std::optional<SmallVector<int64_t>> a = getConstantInts(ctx.input(i))) {
    for (int64_t raw : *a) {
      OPTC_TRY(axis, ctx.normalizeAxis(raw, rank));
      if (llvm::is_contained(axes, axis))
        return ctx.error() << "axis " << raw << " is repeated";
      axes.push_back(axis);
    }
    return success();
  }
  OPTC_TRY(given, ctx.runtimeInts(i, "axes"));
  runtime = given;
  return success();
}

/// Slice whose starts, ends, axes or steps are only known at run time.
LogicalResult runtimeSlice(NodeContext &ctx, Value x) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(starts, ctx.runtimeInts(1, "starts"));
  OPTC_TRY(ends, ctx.runtimeInts(2, "ends"));
  int64_t count = ctx.typeOf(starts).getDimSize(0);
  Value steps =
      ctx.input(4) ? Value() : ctx.i64s(SmallVector<int64_t>(count, 1));
  if (!steps) {
    OPTC_TRY(st, ctx.runtimeInts(4, "steps"));
    steps = st;
  }
  if (ctx.typeOf(ends).getDimSize(0) != count ||
      ctx.typeOf(steps).getDimSize(0) != count)
    return ctx.error() << "starts, ends and steps have different lengths";
  if (count > rank)
    return ctx.error() << "slices " << count << " axes of a rank-" << rank
                       << " tensor";
  // Which axes: all of them in order, constants, or run-time values.
  SmallVector<int64_t> axes;
  Value runtimeAxes;
  if (failed(orderedAxes(ctx, 3, rank, count, axes, runtimeAxes)))
    return failure();
  if (!runtimeAxes && static_cast<int64_t>(axes.size()) != count)
    return ctx.error() << "starts has " << count << " entries for "
                       << axes.size() << " axes";
  auto full = [&](Value v, int64_t fill) {
    return runtimeAxes ? ctx.perDimension(v, runtimeAxes, rank, fill)
                       : ctx.perDimension(v, axes, rank, fill);
  };
  // Negative positions count from the end; optc.dynamic_slice clamps the
  // rest like optc.slice.
  OPTC_TRY(dims, ctx.create<ShapeOfOp>(x));
  OPTC_TRY(s0, full(starts, 0));
  OPTC_TRY(e0, full(ends, INT64_MAX));
  OPTC_TRY(allStrides, full(steps, 1));
  OPTC_TRY(wrappedStarts, ctx.wrapNegative(s0, dims));
  OPTC_TRY(allEnds, ctx.wrapNegative(e0, dims));
  // Going backward, ONNX clamps a start before the first element to it
  // (optc.dynamic_slice, like NumPy, to -1: nothing).
  Type i64 = ctx.b.getI64Type();
  OPTC_TRY(backward, ctx.create<CompareOp>(ComparePredicate::lt, allStrides,
                                           ctx.scalar(i64, 0)));
  OPTC_TRY(atLeastZero, ctx.create<MaxOp>(wrappedStarts, ctx.scalar(i64, 0)));
  OPTC_TRY(allStarts,
           ctx.create<SelectOp>(backward, atLeastZero, wrappedStarts));
  OPTC_TRY(y, ctx.create<DynamicSliceOp>(x, allStarts, allEnds, allStrides));
  ctx.outputs = {runtimeAxes ? y
                             : ctx.refine(y, unknownAt(type.getShape(), axes))};
  return success();
}

LogicalResult slice(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  SmallVector<int64_t> starts, ends, axes, steps;
  bool axesGiven = false;
  if (ctx.opset < 10) {
    OPTC_TRY(s, ctx.intsAttr("starts"));
    OPTC_TRY(e, ctx.intsAttr("ends"));
    OPTC_TRY(a, ctx.intsAttr("axes", &axesGiven));
    starts = s;
    ends = e;
    axes = a;
  } else {
    for (unsigned i = 1; i <= 4; ++i)
      if (ctx.input(i) && !getConstantInts(ctx.input(i)))
        return runtimeSlice(ctx, x);
    OPTC_TRY(s, ctx.constantInts(1, "starts"));
    OPTC_TRY(e, ctx.constantInts(2, "ends"));
    starts = s;
    ends = e;
    if (ctx.input(3)) {
      OPTC_TRY(a, ctx.constantInts(3, "axes"));
      axes = a;
      axesGiven = true;
    }
    if (ctx.input(4)) {
      OPTC_TRY(st, ctx.constantInts(4, "steps"));
      steps = st;
    }
  }
  if (!axesGiven)
    for (size_t i = 0; i < starts.size(); ++i)
      axes.push_back(i);
  if (steps.empty())
    steps.assign(starts.size(), 1);
  if (starts.size() != ends.size() || axes.size() != starts.size() ||
      steps.size() != starts.size())
    return ctx.error() << "starts, ends, axes and steps have different lengths "
                       << "(" << starts.size() << ", " << ends.size() << ", "
                       << axes.size() << ", " << steps.size() << ")";
  SmallVector<int64_t> allStarts(rank, 0), allLimits, allStrides(rank, 1);
  for (int64_t d = 0; d < rank; ++d)
    allLimits.push_back(std::numeric_limits<int64_t>::max());
  SmallVector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    OPTC_TRY(axis, ctx.normalizeAxis(axes[i], rank));
    if (seen[axis])
      return ctx.error() << "axis " << axes[i] << " is repeated";
    seen[axis] = true;
    if (steps[i] == 0)
      return ctx.error() << "step of axis " << axes[i] << " is 0";
    int64_t start = starts[i], end = ends[i];
    // Negative positions count from the end; optc.slice clamps the rest.
    if (start < 0 || end < 0) {
      if (type.isDynamicDim(axis))
        return ctx.error() << "negative bounds on dimension " << axis
                           << ", whose size is not known at compile time";
      int64_t dim = type.getDimSize(axis);
      auto fromEnd = [&](int64_t v) {
        return v < 0 ? (v < std::numeric_limits<int64_t>::min() + dim
                            ? std::numeric_limits<int64_t>::min()
                            : v + dim)
                     : v;
      };
      start = fromEnd(start);
      end = fromEnd(end);
    }
    // Going backward, ONNX clamps a start before the first element to it
    // (optc.slice, like NumPy, to -1: nothing).
    if (steps[i] < 0 && start < 0)
      start = 0;
    allStarts[axis] = start;
    allLimits[axis] = end;
    allStrides[axis] = steps[i];
  }
  // Axes not sliced keep everything: with a negative stride nowhere, the
  // defaults (0, max, 1) select the whole dimension.
  OPTC_TRY(y, ctx.create<SliceOp>(x, allStarts, allLimits, allStrides));
  ctx.outputs = {y};
  return success();
}

/// Pad whose pads or axes are only known at run time.
LogicalResult runtimePad(NodeContext &ctx, Value x, PadMode mode, Value value) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(pads, ctx.runtimeInts(1, "pads"));
  int64_t count = ctx.typeOf(pads).getDimSize(0);
  if (count % 2 != 0)
    return ctx.error() << "pads has an odd number of entries (" << count << ")";
  count /= 2;
  SmallVector<int64_t> axes;
  Value runtimeAxes;
  if (ctx.opset < 18) {
    llvm::append_range(axes, llvm::seq<int64_t>(0, rank));
  } else {
    if (failed(orderedAxes(ctx, 3, rank, rank, axes, runtimeAxes)))
      return failure();
    if (runtimeAxes && ctx.typeOf(runtimeAxes).getDimSize(0) != count)
      return ctx.error() << "expected "
                         << 2 * ctx.typeOf(runtimeAxes).getDimSize(0)
                         << " pads, found " << 2 * count;
  }
  if (!runtimeAxes && static_cast<int64_t>(axes.size()) != count)
    return ctx.error() << "expected " << 2 * axes.size() << " pads, found "
                       << 2 * count;
  auto half = [&](int64_t from) {
    return ctx.create<SliceOp>(pads, ArrayRef<int64_t>{from},
                               ArrayRef<int64_t>{from + count},
                               ArrayRef<int64_t>{1});
  };
  auto full = [&](Value v) {
    return runtimeAxes ? ctx.perDimension(v, runtimeAxes, rank, 0)
                       : ctx.perDimension(v, axes, rank, 0);
  };
  OPTC_TRY(lowPart, half(0));
  OPTC_TRY(highPart, half(count));
  OPTC_TRY(low, full(lowPart));
  OPTC_TRY(high, full(highPart));
  OPTC_TRY(y, ctx.create<DynamicPadOp>(mode, x, low, high, value));
  ctx.outputs = {runtimeAxes ? y
                             : ctx.refine(y, unknownAt(type.getShape(), axes))};
  return success();
}

LogicalResult pad(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(modeName, ctx.stringAttr("mode", "constant"));
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return ctx.error() << "mode '" << modeName << "' is not supported";
  SmallVector<int64_t> pads;
  Value value;
  if (ctx.opset < 11) {
    // Pad-1 calls them `paddings` (same layout: all begins, then ends).
    OPTC_TRY(p, ctx.intsAttr(ctx.opset < 2 ? "paddings" : "pads"));
    pads = p;
    OPTC_TRY(v, ctx.floatAttr("value", 0));
    if (v != 0)
      value = ctx.scalar(type.getElementType(), v);
  } else {
    if (Value v = ctx.input(2)) {
      RankedTensorType vt = ctx.typeOf(v);
      if (vt.hasStaticShape() && vt.getNumElements() != 1)
        return ctx.error() << "constant_value must have one element";
      if (vt.getRank() != 0)
        v = ctx.reshape(v, {});
      if (!v)
        return failure();
      value = v;
    }
    if (*mode != PadMode::constant)
      value = Value();
    if (!getConstantInts(ctx.input(1)) ||
        (ctx.opset >= 18 && ctx.input(3) && !getConstantInts(ctx.input(3))))
      return runtimePad(ctx, x, *mode, value);
    OPTC_TRY(p, ctx.constantInts(1, "pads"));
    pads = p;
  }
  SmallVector<int64_t> axes;
  if (ctx.opset >= 18 && ctx.input(3)) {
    OPTC_TRY(a, ctx.constantInts(3, "axes"));
    OPTC_TRY(n, ctx.normalizeAxes(a, rank));
    // normalizeAxes sorts; ONNX pairs pads with axes in the given order.
    for (int64_t axis : a)
      axes.push_back(axis < 0 ? axis + rank : axis);
    (void)n;
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  if (pads.size() != 2 * axes.size())
    return ctx.error() << "expected " << 2 * axes.size() << " pads, found "
                       << pads.size();
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (auto [i, axis] : llvm::enumerate(axes)) {
    low[axis] = pads[i];
    high[axis] = pads[axes.size() + i];
  }
  if (*mode != PadMode::constant)
    value = Value();
  OPTC_TRY(y, ctx.create<PadOp>(*mode, x, value, low, high));
  ctx.outputs = {y};
  return success();
}

LogicalResult tile(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  if (ctx.opset < 6) {
    // Tile-1: `tiles` copies along one axis, both scalar inputs.
    OPTC_TRY(tiles, ctx.constantInts(1, "tiles"));
    OPTC_TRY(axisValues, ctx.constantInts(2, "axis"));
    if (tiles.size() != 1 || axisValues.size() != 1)
      return ctx.error() << "tiles and axis must hold one value each";
    int64_t rank = ctx.typeOf(x).getRank();
    OPTC_TRY(axis, ctx.normalizeAxis(axisValues[0], rank));
    if (tiles[0] < 0)
      return ctx.error() << "tiles must not be negative, found " << tiles[0];
    SmallVector<int64_t> repeats(rank, 1);
    repeats[axis] = tiles[0];
    OPTC_TRY(y, ctx.create<TileOp>(x, repeats));
    ctx.outputs = {y};
    return success();
  }
  if (ctx.input(1) && !getConstantInts(ctx.input(1))) {
    OPTC_TRY(repeats, ctx.runtimeInts(1, "repeats"));
    OPTC_TRY(y, ctx.create<DynamicTileOp>(x, repeats));
    ctx.outputs = {y};
    return success();
  }
  OPTC_TRY(repeats, ctx.constantInts(1, "repeats"));
  OPTC_TRY(y, ctx.create<TileOp>(x, repeats));
  ctx.outputs = {y};
  return success();
}

/// Crop (experimental, opsets 1 to 9, as onnxruntime runs it): an NCHW
/// image without `border` = [left, top, right, bottom]; with `scale` =
/// [height, width], that many rows and columns from the top-left border.
LogicalResult crop(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  if (type.getRank() != 4 || !type.hasStaticShape())
    return ctx.error() << "needs a static 4-D (NCHW) input, found " << type;
  bool hasScale = false;
  OPTC_TRY(border, ctx.intsAttr("border"));
  OPTC_TRY(scale, ctx.intsAttr("scale", &hasScale));
  if (border.size() != 4)
    return ctx.error() << "border must hold 4 values (left, top, right, "
                          "bottom), found "
                       << border.size();
  if (hasScale && scale.size() != 2)
    return ctx.error() << "scale must hold 2 values (height, width), found "
                       << scale.size();
  int64_t h = type.getDimSize(2), w = type.getDimSize(3);
  int64_t left = border[0], top = border[1];
  int64_t bottom = hasScale ? top + scale[0] : h - border[3];
  int64_t right = hasScale ? left + scale[1] : w - border[2];
  if (left < 0 || top < 0 || bottom > h || right > w || top > bottom ||
      left > right)
    return ctx.error() << "the crop [" << top << ", " << bottom << ") x ["
                       << left << ", " << right << ") does not fit the " << h
                       << "x" << w << " image";
  OPTC_TRY(y, ctx.create<SliceOp>(x, ArrayRef<int64_t>{0, 0, top, left},
                                  ArrayRef<int64_t>{type.getDimSize(0),
                                                    type.getDimSize(1), bottom,
                                                    right},
                                  ArrayRef<int64_t>{1, 1, 1, 1}));
  ctx.outputs = {y};
  return success();
}

/// CenterCropPad: crops or zero-pads each axis to the target size around
/// the centre (the extra element goes to the end).
/// CenterCropPad to sizes known only at run time: a run-time slice that
/// crops the middle, then a run-time pad that centres.
LogicalResult runtimeCenterCropPad(NodeContext &ctx, Value x,
                                   ArrayRef<int64_t> axes) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(target, ctx.runtimeInts(1, "shape"));
  if (ctx.typeOf(target).getDimSize(0) != static_cast<int64_t>(axes.size()))
    return ctx.error() << "shape has " << ctx.typeOf(target).getDimSize(0)
                       << " sizes for " << axes.size() << " axes";
  Type i64 = ctx.b.getI64Type();
  Value zero = ctx.scalar(i64, 0), two = ctx.scalar(i64, 2);
  OPTC_TRY(allDims, ctx.create<ShapeOfOp>(x));
  OPTC_TRY(dims, ctx.create<GatherOp>(allDims, ctx.i64s(axes), int64_t(0)));
  OPTC_TRY(over, ctx.create<SubOp>(dims, target));
  OPTC_TRY(under, ctx.create<SubOp>(target, dims));
  OPTC_TRY(cropTotal, ctx.create<MaxOp>(over, zero));
  OPTC_TRY(padTotal, ctx.create<MaxOp>(under, zero));
  OPTC_TRY(kept, ctx.create<MinOp>(dims, target));
  OPTC_TRY(start, ctx.create<DivOp>(cropTotal, two));
  OPTC_TRY(limit, ctx.create<AddOp>(start, kept));
  OPTC_TRY(lowPart, ctx.create<DivOp>(padTotal, two));
  OPTC_TRY(highPart, ctx.create<SubOp>(padTotal, lowPart));
  OPTC_TRY(starts, ctx.perDimension(start, axes, rank, 0));
  OPTC_TRY(limits, ctx.perDimension(limit, axes, rank, INT64_MAX));
  OPTC_TRY(low, ctx.perDimension(lowPart, axes, rank, 0));
  OPTC_TRY(high, ctx.perDimension(highPart, axes, rank, 0));
  OPTC_TRY(cropped,
           ctx.create<DynamicSliceOp>(x, starts, limits,
                                      ctx.i64s(SmallVector<int64_t>(rank, 1))));
  OPTC_TRY(y, ctx.create<DynamicPadOp>(PadMode::constant, cropped, low, high,
                                       Value()));
  ctx.outputs = {ctx.refine(y, unknownAt(type.getShape(), axes))};
  return success();
}

LogicalResult centerCropPad(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input_data"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  bool given = false;
  OPTC_TRY(axesRaw, ctx.intsAttr("axes", &given));
  SmallVector<int64_t> axes;
  if (given) {
    for (int64_t a : axesRaw) {
      OPTC_TRY(axis, ctx.normalizeAxis(a, rank));
      axes.push_back(axis);
    }
  } else {
    for (int64_t i = 0; i < rank; ++i)
      axes.push_back(i);
  }
  if (ctx.input(1) && !getConstantInts(ctx.input(1)))
    return runtimeCenterCropPad(ctx, x, axes);
  OPTC_TRY(shape, ctx.constantInts(1, "shape"));
  if (shape.size() != axes.size())
    return ctx.error() << "shape has " << shape.size() << " sizes for "
                       << axes.size() << " axes";
  SmallVector<int64_t> starts(rank, 0), limits(rank, INT64_MAX),
      strides(rank, 1), low(rank, 0), high(rank, 0);
  bool crop = false, pad = false;
  for (auto [axis, size] : llvm::zip(axes, shape)) {
    if (type.isDynamicDim(axis))
      return ctx.error() << "dimension " << axis
                         << " must be known at compile time";
    int64_t dim = type.getDimSize(axis);
    if (size < dim) {
      starts[axis] = (dim - size) / 2;
      limits[axis] = starts[axis] + size;
      crop = true;
    } else if (size > dim) {
      low[axis] = (size - dim) / 2;
      high[axis] = size - dim - low[axis];
      pad = true;
    }
  }
  Value y = x;
  if (crop) {
    OPTC_TRY(c, ctx.create<SliceOp>(y, starts, limits, strides));
    y = c;
  }
  if (pad) {
    OPTC_TRY(p, ctx.create<PadOp>(PadMode::constant, y, Value(), low, high));
    y = p;
  }
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerSliceOps(OpRegistry &r) {
  r.add("", "Slice", slice);
  // Pad-1 calls its pads `paddings`, Tile-1 repeats along one axis.
  r.add("", "Pad", pad, 1);
  r.add("", "Tile", tile, 1);
  r.add("", "Crop", crop, 1, 9);
  r.add("", "CenterCropPad", centerCropPad);
}
