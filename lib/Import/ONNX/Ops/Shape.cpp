//===- Shape.cpp - ONNX shape and data-movement ops -----------------------===//
//
// Constant, Shape/Size/ConstantOfShape/Range (constants when the shapes are
// static), Reshape, Flatten, Squeeze/Unsqueeze, Transpose, Expand, Concat,
// Split, Slice, Pad, Tile, DepthToSpace/SpaceToDepth.
//
// Sizes, axes and pads given as inputs must be compile-time constants: optc
// has no ops that take them at run time yet.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "dialects/Optc/IR/OptcShapes.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// A 1-D (or 0-d) i64 constant.
Value i64Constant(NodeContext &ctx, ArrayRef<int64_t> values, bool scalar) {
  auto type = scalar
                  ? RankedTensorType::get({}, ctx.b.getI64Type())
                  : RankedTensorType::get({static_cast<int64_t>(values.size())},
                                          ctx.b.getI64Type());
  return ConstantOp::create(
      ctx.b, ctx.loc,
      cast<ElementsAttr>(DenseIntElementsAttr::get(type, values)));
}

LogicalResult constant(NodeContext &ctx) {
  auto setScalarOrList = [&](Type element, ArrayRef<Attribute> values,
                             bool list) {
    auto type = RankedTensorType::get(
        list ? ArrayRef<int64_t>{static_cast<int64_t>(values.size())}
             : ArrayRef<int64_t>{},
        element);
    ctx.outputs = {ConstantOp::create(
        ctx.b, ctx.loc,
        cast<ElementsAttr>(DenseElementsAttr::get(type, values)))};
    return success();
  };
  if (ctx.node.attribute_size() != 1)
    return ctx.error() << "must have exactly one attribute, found "
                       << ctx.node.attribute_size();
  const onnx::AttributeProto &a = ctx.node.attribute(0);
  llvm::StringRef name = a.name();
  if (name == "value") {
    OPTC_TRY(v, ctx.tensorAttr("value"));
    ctx.outputs = {v};
    return success();
  }
  Builder &b = ctx.b;
  if (name == "value_float") {
    OPTC_TRY(f, ctx.floatAttr(name, 0));
    return setScalarOrList(b.getF32Type(), {b.getF32FloatAttr(f)}, false);
  }
  if (name == "value_int") {
    OPTC_TRY(i, ctx.intAttr(name, 0));
    return setScalarOrList(b.getI64Type(), {b.getI64IntegerAttr(i)}, false);
  }
  if (name == "value_floats") {
    OPTC_TRY(fs, ctx.floatsAttr(name));
    SmallVector<Attribute> attrs;
    for (float f : fs)
      attrs.push_back(b.getF32FloatAttr(f));
    return setScalarOrList(b.getF32Type(), attrs, true);
  }
  if (name == "value_ints") {
    OPTC_TRY(is, ctx.intsAttr(name));
    SmallVector<Attribute> attrs;
    for (int64_t i : is)
      attrs.push_back(b.getI64IntegerAttr(i));
    return setScalarOrList(b.getI64Type(), attrs, true);
  }
  return ctx.error() << "attribute '" << name
                     << "' is not supported (strings and sparse tensors are "
                        "not optc tensors)";
}

LogicalResult shapeOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(start, ctx.intAttr("start", 0));
  OPTC_TRY(end, ctx.intAttr("end", rank));
  // Negative bounds count from the end; both are clamped to [0, rank].
  auto clampBound = [&](int64_t v) {
    if (v < 0)
      v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  start = clampBound(start);
  end = clampBound(end);
  SmallVector<int64_t> dims;
  for (int64_t i = start; i < end; ++i)
    dims.push_back(type.getDimSize(i));
  if (llvm::none_of(dims, ShapedType::isDynamic)) {
    ctx.outputs = {i64Constant(ctx, dims, false)};
    return success();
  }
  // Sizes known only at run time.
  OPTC_TRY(all, ctx.create<ShapeOfOp>(x));
  OPTC_TRY(y, ctx.create<SliceOp>(all, ArrayRef<int64_t>{start},
                                  ArrayRef<int64_t>{std::max(start, end)},
                                  ArrayRef<int64_t>{1}));
  ctx.outputs = {y};
  return success();
}

LogicalResult size(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  if (type.hasStaticShape()) {
    ctx.outputs = {i64Constant(ctx, {type.getNumElements()}, true)};
    return success();
  }
  OPTC_TRY(dims, ctx.create<ShapeOfOp>(x));
  OPTC_TRY(y, ctx.create<ReduceProdOp>(dims, ArrayRef<int64_t>{0}, false));
  ctx.outputs = {y};
  return success();
}

LogicalResult constantOfShape(NodeContext &ctx) {
  Value shapeInput = ctx.input(0);
  bool runtime = shapeInput && !getConstantInts(shapeInput);
  SmallVector<int64_t> shape;
  if (!runtime) {
    OPTC_TRY(s, ctx.constantInts(0, "input"));
    shape = s;
  }
  for (int64_t d : shape)
    if (d < 0)
      return ctx.error() << "shape has a negative size " << d;
  Attribute value;
  Type element = ctx.b.getF32Type();
  if (ctx.attr("value")) {
    OPTC_TRY(v, ctx.tensorAttr("value"));
    auto elements =
        cast<ElementsAttr>(v.getDefiningOp<ConstantOp>().getValue());
    if (elements.getNumElements() != 1)
      return ctx.error() << "value must hold exactly one element";
    element = elements.getElementType();
    value = *elements.getValues<Attribute>().begin();
    v.getDefiningOp()->erase();
  } else {
    value = ctx.b.getF32FloatAttr(0);
  }
  if (runtime) {
    // A 0-d constant broadcast to the sizes computed at run time.
    OPTC_TRY(sizes, ctx.runtimeInts(0, "input"));
    Value scalar =
        ConstantOp::create(ctx.b, ctx.loc,
                           cast<ElementsAttr>(SplatElementsAttr::get(
                               RankedTensorType::get({}, element), value)));
    OPTC_TRY(y, ctx.create<DynamicBroadcastOp>(scalar, sizes));
    ctx.outputs = {y};
    return success();
  }
  auto type = RankedTensorType::get(shape, element);
  ctx.outputs = {ConstantOp::create(
      ctx.b, ctx.loc, cast<ElementsAttr>(SplatElementsAttr::get(type, value)))};
  return success();
}

/// Range with bounds known only at run time.
LogicalResult runtimeRange(NodeContext &ctx) {
  SmallVector<Value> operands;
  for (auto [i, name] :
       llvm::enumerate(ArrayRef<StringRef>{"start", "limit", "delta"})) {
    OPTC_TRY(v, ctx.requiredInput(i, name));
    RankedTensorType t = ctx.typeOf(v);
    if (!t.hasStaticShape() || t.getNumElements() != 1)
      return ctx.error() << name << " must hold one element, found " << t;
    if (t.getRank() != 0)
      v = ctx.reshape(v, {});
    if (!v)
      return failure();
    operands.push_back(v);
  }
  OPTC_TRY(y, ctx.create<RangeOp>(operands[0], operands[1], operands[2]));
  ctx.outputs = {y};
  return success();
}

LogicalResult range(NodeContext &ctx) {
  OPTC_TRY(startV, ctx.requiredInput(0, "start"));
  Type element = ctx.typeOf(startV).getElementType();
  for (unsigned i = 0; i < 3; ++i)
    if (ctx.input(i) && !getConstantFloats(ctx.input(i)))
      return runtimeRange(ctx);
  auto get = [&](unsigned i, llvm::StringRef name) -> FailureOr<double> {
    std::optional<SmallVector<double>> v = getConstantFloats(ctx.input(i));
    if (!v || v->size() != 1)
      return ctx.error() << "input " << name
                         << " must be a scalar constant known at compile time";
    return (*v)[0];
  };
  OPTC_TRY(start, get(0, "start"));
  OPTC_TRY(limit, get(1, "limit"));
  OPTC_TRY(delta, get(2, "delta"));
  if (delta == 0)
    return ctx.error() << "delta must not be 0";
  double steps = std::ceil((limit - start) / delta);
  int64_t count = steps > 0 ? static_cast<int64_t>(steps) : 0;
  if (count > (int64_t(1) << 31))
    return ctx.error() << "the range has " << count << " elements";
  SmallVector<Attribute> values;
  for (int64_t i = 0; i < count; ++i) {
    double v = start + static_cast<double>(i) * delta;
    if (auto f = dyn_cast<FloatType>(element)) {
      APFloat a(v);
      bool lost;
      a.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      values.push_back(FloatAttr::get(element, a));
    } else {
      values.push_back(IntegerAttr::get(element, static_cast<int64_t>(v)));
    }
  }
  auto type = RankedTensorType::get({count}, element);
  ctx.outputs = {ConstantOp::create(
      ctx.b, ctx.loc,
      cast<ElementsAttr>(DenseElementsAttr::get(type, values)))};
  return success();
}

LogicalResult reshapeOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  SmallVector<int64_t> shape;
  OPTC_TRY(allowZero, ctx.intAttr("allowzero", 0));
  RankedTensorType type = ctx.typeOf(x);
  if (ctx.opset < 5) {
    OPTC_TRY(s, ctx.intsAttr("shape"));
    shape = s;
  } else if (ctx.input(1) && !getConstantInts(ctx.input(1))) {
    // A shape computed at run time; 0 copies the input's size there too.
    OPTC_TRY(sizes, ctx.runtimeInts(1, "shape"));
    if (!allowZero) {
      int64_t n = ctx.typeOf(sizes).getDimSize(0), rank = type.getRank();
      OPTC_TRY(dims, ctx.create<ShapeOfOp>(x));
      Value copied = dims;
      if (n < rank) {
        OPTC_TRY(c, ctx.create<SliceOp>(dims, ArrayRef<int64_t>{0},
                                        ArrayRef<int64_t>{n},
                                        ArrayRef<int64_t>{1}));
        copied = c;
      } else if (n > rank) {
        // Entries past the input's rank have nothing to copy: 0 stays 0.
        OPTC_TRY(c, ctx.create<ConcatOp>(
                        ValueRange{dims,
                                   ctx.i64s(SmallVector<int64_t>(n - rank, 0))},
                        int64_t(0)));
        copied = c;
      }
      Type i64 = ctx.b.getI64Type();
      OPTC_TRY(isZero, ctx.create<CompareOp>(ComparePredicate::eq, sizes,
                                             ctx.scalar(i64, 0)));
      OPTC_TRY(fixed, ctx.create<SelectOp>(isZero, copied, sizes));
      sizes = fixed;
    }
    OPTC_TRY(y, ctx.create<DynamicReshapeOp>(x, sizes));
    ctx.outputs = {y};
    return success();
  } else {
    OPTC_TRY(s, ctx.constantInts(1, "shape"));
    shape = s;
  }
  // ONNX: 0 copies the input's dimension (unless allowzero), -1 is
  // computed.
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (d == 0 && !allowZero) {
      if (static_cast<int64_t>(i) >= type.getRank())
        return ctx.error() << "shape entry " << i
                           << " is 0 (copy the input dimension) but the input "
                              "has rank "
                           << type.getRank();
      if (type.isDynamicDim(i))
        return ctx.error() << "shape entry " << i
                           << " copies an input dimension that is not known "
                              "at compile time";
      d = type.getDimSize(i);
    } else if (d < -1) {
      return ctx.error() << "shape entry " << i << " is " << d;
    }
  }
  OPTC_TRY(y, ctx.create<ReshapeOp>(x, shape));
  ctx.outputs = {y};
  return success();
}

/// The product of dims [from, to), or -1 when one is unknown.
int64_t product(RankedTensorType type, int64_t from, int64_t to) {
  int64_t p = 1;
  for (int64_t i = from; i < to; ++i) {
    if (type.isDynamicDim(i))
      return -1;
    p *= type.getDimSize(i);
  }
  return p;
}

LogicalResult flatten(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 1));
  if (axisAttr < -rank || axisAttr > rank)
    return ctx.error() << "axis " << axisAttr << " is out of range for rank "
                       << rank;
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  int64_t outer = product(type, 0, axis), inner = product(type, axis, rank);
  if (outer < 0 && inner < 0)
    return ctx.error() << "flattening " << type
                       << " needs one side of the axis to be static";
  OPTC_TRY(y, ctx.create<ReshapeOp>(x, ArrayRef<int64_t>{outer, inner}));
  ctx.outputs = {y};
  return success();
}

/// The axes of Squeeze/Unsqueeze: an attribute before `attrUntil`, an input
/// after; `rank` is the rank the axes index.
FailureOr<SmallVector<int64_t>> axesInputOrAttr(NodeContext &ctx,
                                                int64_t attrUntil, bool *given,
                                                int64_t rank) {
  if (ctx.opset < attrUntil)
    return ctx.intsAttr("axes", given);
  *given = ctx.input(1) != nullptr;
  if (!*given)
    return SmallVector<int64_t>();
  return ctx.axesInput(1, rank, "axes");
}

/// `x` without the dimensions `axes` (sorted, non-negative); std::nullopt
/// when one of them is known not to be 1.
FailureOr<std::optional<Value>> squeezeAxes(NodeContext &ctx, Value x,
                                            ArrayRef<int64_t> axes) {
  RankedTensorType type = ctx.typeOf(x);
  SmallVector<int64_t> source;
  for (int64_t i = 0; i < type.getRank(); ++i) {
    if (llvm::is_contained(axes, i)) {
      if (!type.isDynamicDim(i) && type.getDimSize(i) != 1)
        return std::optional<Value>();
      continue;
    }
    source.push_back(i);
  }
  OPTC_TRY(y, ctx.reshapeDims(x, source));
  return std::optional<Value>(y);
}

LogicalResult squeeze(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  if (ctx.opset >= 13 && ctx.runtimeAxes(1, rank)) {
    OPTC_TRY(outs,
             ctx.switchOnAxes(
                 1, rank, "axes",
                 [&](ArrayRef<int64_t> axes) -> FailureOr<SmallVector<Value>> {
                   OPTC_TRY(y, squeezeAxes(ctx, x, axes));
                   if (!y)
                     return SmallVector<Value>();
                   return SmallVector<Value>{*y};
                 }));
    ctx.outputs.assign(outs.begin(), outs.end());
    return success();
  }
  bool given = false;
  OPTC_TRY(axesRaw, axesInputOrAttr(ctx, 13, &given, rank));
  SmallVector<int64_t> axes;
  if (given) {
    OPTC_TRY(a, ctx.normalizeAxes(axesRaw, rank));
    axes = a;
  } else {
    for (int64_t i = 0; i < rank; ++i) {
      if (type.isDynamicDim(i))
        return ctx.error() << "without axes, every dimension must be known "
                              "to find those of size 1"
                           << ctx.inputSizeHint(x);
      if (type.getDimSize(i) == 1)
        axes.push_back(i);
    }
  }
  OPTC_TRY(y, squeezeAxes(ctx, x, axes));
  if (!y) {
    int64_t bad = *llvm::find_if(axes, [&](int64_t i) {
      return !type.isDynamicDim(i) && type.getDimSize(i) != 1;
    });
    return ctx.error() << "cannot squeeze dimension " << bad << " of size "
                       << type.getDimSize(bad);
  }
  ctx.outputs = {*y};
  return success();
}

/// `x` with dimensions of size 1 inserted at `axes` (sorted, non-negative
/// positions in the result).
FailureOr<Value> unsqueezeAxes(NodeContext &ctx, Value x,
                               ArrayRef<int64_t> axes) {
  int64_t rank = ctx.typeOf(x).getRank() + axes.size();
  SmallVector<int64_t> source;
  int64_t next = 0;
  for (int64_t i = 0; i < rank; ++i)
    source.push_back(llvm::is_contained(axes, i) ? -1 : next++);
  return ctx.reshapeDims(x, source);
}

LogicalResult unsqueeze(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  RankedTensorType type = ctx.typeOf(x);
  // The output rank is the input's plus the number of axes, which the
  // axes input's length tells even when its values are not constant.
  int64_t count = 0;
  if (ctx.opset >= 13 && ctx.input(1) &&
      ctx.typeOf(ctx.input(1)).hasStaticShape())
    count = ctx.typeOf(ctx.input(1)).getNumElements();
  int64_t rank = type.getRank() + count;
  if (ctx.opset >= 13 && ctx.runtimeAxes(1, rank)) {
    OPTC_TRY(outs,
             ctx.switchOnAxes(
                 1, rank, "axes",
                 [&](ArrayRef<int64_t> axes) -> FailureOr<SmallVector<Value>> {
                   OPTC_TRY(y, unsqueezeAxes(ctx, x, axes));
                   return SmallVector<Value>{y};
                 }));
    ctx.outputs.assign(outs.begin(), outs.end());
    return success();
  }
  bool given = false;
  OPTC_TRY(axesRaw, axesInputOrAttr(ctx, 13, &given, rank));
  if (!given)
    return ctx.error() << "axes are required";
  OPTC_TRY(axes, ctx.normalizeAxes(axesRaw, type.getRank() + axesRaw.size()));
  OPTC_TRY(y, unsqueezeAxes(ctx, x, axes));
  ctx.outputs = {y};
  return success();
}

LogicalResult transposeOp(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "data"));
  int64_t rank = ctx.typeOf(x).getRank();
  bool given = false;
  OPTC_TRY(perm, ctx.intsAttr("perm", &given));
  if (!given)
    for (int64_t i = rank - 1; i >= 0; --i)
      perm.push_back(i);
  for (int64_t &p : perm)
    if (p < 0)
      p += rank;
  OPTC_TRY(y, ctx.create<TransposeOp>(x, perm));
  ctx.outputs = {y};
  return success();
}

LogicalResult expand(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  auto runtimeExpand = [&]() -> LogicalResult {
    OPTC_TRY(sizes, ctx.runtimeInts(1, "shape"));
    OPTC_TRY(y, ctx.create<DynamicBroadcastOp>(x, sizes));
    ctx.outputs = {y};
    return success();
  };
  if (ctx.input(1) && !getConstantInts(ctx.input(1)))
    return runtimeExpand();
  OPTC_TRY(shape, ctx.constantInts(1, "shape"));
  // Expand broadcasts both ways: the result is the broadcast of the two.
  FailureOr<shape::Shape> result =
      shape::broadcast({type.getShape(), ArrayRef<int64_t>(shape)},
                       [&] { return ctx.error() << "cannot expand: "; });
  if (failed(result))
    return failure();
  // An unknown input size that the shape keeps (1) is only known at run
  // time.
  if (llvm::any_of(*result, ShapedType::isDynamic))
    return runtimeExpand();
  OPTC_TRY(y, ctx.create<BroadcastOp>(x, ArrayRef<int64_t>(*result)));
  ctx.outputs = {y};
  return success();
}

LogicalResult concat(NodeContext &ctx) {
  if (ctx.inputs.empty())
    return ctx.error() << "needs at least one input";
  for (Value v : ctx.inputs)
    if (!v)
      return ctx.error() << "inputs may not be omitted";
  int64_t rank = ctx.typeOf(ctx.inputs[0]).getRank();
  OPTC_TRY(axisAttr, ctx.opset < 4 ? FailureOr<int64_t>(ctx.intAttr("axis", 1))
                                   : ctx.requiredIntAttr("axis"));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, rank));
  OPTC_TRY(y, ctx.create<ConcatOp>(ValueRange(ctx.inputs), axis));
  ctx.outputs = {y};
  return success();
}

/// `shape` with the sizes of `axes` unknown: what a run-time slice or pad
/// of those axes leaves known.
SmallVector<int64_t> unknownAt(ArrayRef<int64_t> shape,
                               ArrayRef<int64_t> axes) {
  SmallVector<int64_t> result(shape);
  for (int64_t axis : axes)
    result[axis] = ShapedType::kDynamic;
  return result;
}

/// Split into pieces whose sizes are only known at run time: one run-time
/// slice per piece, between the running sums of the sizes.
LogicalResult runtimeSplit(NodeContext &ctx, Value x, int64_t axis) {
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(sizes, ctx.runtimeInts(1, "split"));
  int64_t parts = ctx.typeOf(sizes).getDimSize(0);
  if (parts != ctx.node.output_size())
    return ctx.error() << "splits into " << parts << " parts but has "
                       << ctx.node.output_size() << " outputs";
  OPTC_TRY(ends, ctx.create<CumSumOp>(sizes, int64_t(0), false, false));
  OPTC_TRY(starts, ctx.create<CumSumOp>(sizes, int64_t(0), true, false));
  SmallVector<int64_t> ones(rank, 1);
  for (int64_t i = 0; i < parts; ++i) {
    auto pick = [&](Value v) {
      return ctx.create<SliceOp>(v, ArrayRef<int64_t>{i},
                                 ArrayRef<int64_t>{i + 1},
                                 ArrayRef<int64_t>{1});
    };
    OPTC_TRY(start, pick(starts));
    OPTC_TRY(end, pick(ends));
    OPTC_TRY(allStarts, ctx.perDimension(start, {axis}, rank, 0));
    OPTC_TRY(allEnds, ctx.perDimension(end, {axis}, rank, INT64_MAX));
    OPTC_TRY(piece,
             ctx.create<DynamicSliceOp>(x, allStarts, allEnds, ctx.i64s(ones)));
    ctx.outputs.push_back(
        ctx.refine(piece, unknownAt(type.getShape(), {axis})));
  }
  return success();
}

LogicalResult split(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 0));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, type.getRank()));
  SmallVector<int64_t> sizes;
  bool given = false;
  if (ctx.opset < 2 && ctx.input(1)) {
    // Split-1 may take the sizes as a second input instead.
    OPTC_TRY(s, ctx.constantInts(1, "split"));
    sizes = s;
    given = true;
  } else if (ctx.opset < 13) {
    OPTC_TRY(s, ctx.intsAttr("split", &given));
    sizes = s;
  } else if (ctx.input(1)) {
    if (!getConstantInts(ctx.input(1)))
      return runtimeSplit(ctx, x, axis);
    OPTC_TRY(s, ctx.constantInts(1, "split"));
    sizes = s;
    given = true;
  }
  int64_t outputs = ctx.node.output_size();
  if (!given) {
    if (type.isDynamicDim(axis))
      return ctx.error() << "splitting an unknown dimension needs the sizes";
    int64_t dim = type.getDimSize(axis);
    int64_t parts = outputs;
    if (ctx.opset >= 18) {
      OPTC_TRY(n, ctx.intAttr("num_outputs", outputs));
      parts = n;
    }
    if (parts <= 0 || parts != outputs)
      return ctx.error() << "cannot split into " << parts << " parts for "
                         << outputs << " outputs";
    // Equal parts; with opset 18 the last one may be smaller.
    int64_t chunk = (dim + parts - 1) / parts;
    if (ctx.opset < 18 && dim % parts != 0)
      return ctx.error() << "dimension " << axis << " of size " << dim
                         << " does not split into " << parts << " equal parts";
    for (int64_t i = 0, left = dim; i < parts; ++i) {
      sizes.push_back(std::min(chunk, left));
      left -= sizes.back();
    }
  }
  if (static_cast<int64_t>(sizes.size()) != outputs)
    return ctx.error() << "splits into " << sizes.size() << " parts but has "
                       << outputs << " outputs";
  OPTC_TRY(op, ctx.createMulti<SplitOp>(sizes.size(), x, axis, sizes));
  // The pieces of a constant are constants (shape computations split them).
  SmallVector<OpFoldResult> folded;
  if (succeeded(op->fold(folded)) && folded.size() == op->getNumResults() &&
      llvm::all_of(folded, [](OpFoldResult f) {
        return isa_and_nonnull<ElementsAttr>(dyn_cast<Attribute>(f));
      })) {
    for (auto [result, attr] : llvm::zip(op->getResults(), folded)) {
      auto elements = cast<ElementsAttr>(cast<Attribute>(attr));
      if (elements.getType() != result.getType())
        return ctx.error() << "a folded piece has type " << elements.getType()
                           << ", not " << result.getType();
      ctx.outputs.push_back(ConstantOp::create(ctx.b, ctx.loc, elements));
    }
    op->erase();
    return success();
  }
  ctx.outputs.assign(op->result_begin(), op->result_end());
  return success();
}

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

/// DepthToSpace / SpaceToDepth through reshape-transpose-reshape.
LogicalResult depthSpace(NodeContext &ctx, bool toSpace) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  if (type.getRank() != 4 || !type.hasStaticShape())
    return ctx.error() << "needs a static 4-D input, found " << type;
  OPTC_TRY(bs, ctx.requiredIntAttr("blocksize"));
  if (bs <= 0)
    return ctx.error() << "blocksize must be positive";
  OPTC_TRY(mode, ctx.stringAttr("mode", "DCR"));
  int64_t n = type.getDimSize(0), c = type.getDimSize(1),
          h = type.getDimSize(2), w = type.getDimSize(3);
  Value y;
  if (toSpace) {
    if (c % (bs * bs) != 0)
      return ctx.error() << "channels " << c << " are not divisible by "
                         << bs * bs;
    int64_t oc = c / (bs * bs);
    SmallVector<int64_t> shape, perm;
    if (mode == "DCR") {
      shape = {n, bs, bs, oc, h, w};
      perm = {0, 3, 4, 1, 5, 2};
    } else if (mode == "CRD") {
      shape = {n, oc, bs, bs, h, w};
      perm = {0, 1, 4, 2, 5, 3};
    } else {
      return ctx.error() << "mode must be DCR or CRD, found '" << mode << "'";
    }
    OPTC_TRY(r, ctx.create<ReshapeOp>(x, shape));
    OPTC_TRY(t, ctx.create<TransposeOp>(r, perm));
    OPTC_TRY(
        o, ctx.create<ReshapeOp>(t, ArrayRef<int64_t>{n, oc, h * bs, w * bs}));
    y = o;
  } else {
    if (h % bs != 0 || w % bs != 0)
      return ctx.error() << "spatial sizes " << h << "x" << w
                         << " are not divisible by " << bs;
    // The inverse of DepthToSpace: blocks go before the channels (DCR) or
    // after them (CRD, opset 28).
    SmallVector<int64_t> perm;
    if (mode == "DCR")
      perm = {0, 3, 5, 1, 2, 4};
    else if (mode == "CRD")
      perm = {0, 1, 3, 5, 2, 4};
    else
      return ctx.error() << "mode must be DCR or CRD, found '" << mode << "'";
    OPTC_TRY(r, ctx.create<ReshapeOp>(
                    x, ArrayRef<int64_t>{n, c, h / bs, bs, w / bs, bs}));
    OPTC_TRY(t, ctx.create<TransposeOp>(r, perm));
    OPTC_TRY(o, ctx.create<ReshapeOp>(
                    t, ArrayRef<int64_t>{n, c * bs * bs, h / bs, w / bs}));
    y = o;
  }
  ctx.outputs = {y};
  return success();
}

/// Trilu: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the
/// last two dimensions, zeroing the rest.
LogicalResult trilu(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  if (rank < 2 || type.isDynamicDim(rank - 1) || type.isDynamicDim(rank - 2))
    return ctx.error() << "needs static last two dimensions, found " << type;
  OPTC_TRY(upper, ctx.intAttr("upper", 1));
  int64_t n = type.getDimSize(rank - 2), m = type.getDimSize(rank - 1);
  // keep where (j - i) >= k (upper) or <= k (lower). With a constant k the
  // mask folds to a constant; otherwise k is compared at run time.
  SmallVector<int64_t> diagonal;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      diagonal.push_back(j - i);
  Value offsets = ctx.reshape(ctx.i64s(diagonal), {n, m});
  Value k = ctx.scalar(ctx.b.getI64Type(), 0);
  if (Value kInput = ctx.input(1)) {
    RankedTensorType kt = ctx.typeOf(kInput);
    if (!kt.hasStaticShape() || kt.getNumElements() != 1)
      return ctx.error() << "k must hold one value, found " << kt;
    k = ctx.reshape(ctx.castTo(kInput, ctx.b.getI64Type()), {});
  }
  if (!offsets || !k)
    return failure();
  OPTC_TRY(mask, ctx.create<CompareOp>(upper ? ComparePredicate::ge
                                             : ComparePredicate::le,
                                       offsets, k));
  OPTC_TRY(y,
           ctx.create<SelectOp>(mask, x, ctx.scalar(type.getElementType(), 0)));
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

/// EyeLike: ones on diagonal k of a 2-D tensor shaped like the input.
LogicalResult eyeLike(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  if (type.getRank() != 2 || !type.hasStaticShape())
    return ctx.error() << "needs a static 2-D input, found " << type;
  OPTC_TRY(k, ctx.intAttr("k", 0));
  OPTC_TRY(element, ctx.dtypeAttr("dtype", type.getElementType()));
  int64_t n = type.getDimSize(0), m = type.getDimSize(1);
  SmallVector<bool> diagonal;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < m; ++j)
      diagonal.push_back(j - i == k);
  auto maskType = RankedTensorType::get({n, m}, ctx.b.getI1Type());
  Value mask = ConstantOp::create(
      ctx.b, ctx.loc,
      cast<ElementsAttr>(DenseElementsAttr::get(maskType, diagonal)));
  ctx.outputs = {ctx.castTo(mask, element)};
  return success();
}

} // namespace

void onnx_import::registerShapeOps(OpRegistry &r) {
  r.add("", "Constant", constant);
  r.add("", "Shape", shapeOp);
  r.add("", "Size", size);
  r.add("", "ConstantOfShape", constantOfShape);
  r.add("", "Range", range);
  // Reshape-1 takes `shape` as an attribute, Concat-1 defaults axis to 1,
  // Split-1 may take the sizes as an input, Pad-1 calls its pads
  // `paddings`, Tile-1 repeats along one axis.
  r.add("", "Reshape", reshapeOp, 1);
  r.add("", "Flatten", flatten);
  r.add("", "Squeeze", squeeze);
  r.add("", "Unsqueeze", unsqueeze);
  r.add("", "Transpose", transposeOp);
  r.add("", "Expand", expand);
  r.add("", "Concat", concat, 1);
  r.add("", "Split", split, 1);
  r.add("", "Slice", slice);
  r.add("", "Pad", pad, 1);
  r.add("", "Tile", tile, 1);
  r.add("", "DepthToSpace", [](NodeContext &c) { return depthSpace(c, true); });
  r.add("", "Trilu", trilu);
  r.add("", "CenterCropPad", centerCropPad);
  r.add("", "Crop", crop, 1, 9);
  r.add("", "EyeLike", eyeLike);
  r.add("", "SpaceToDepth",
        [](NodeContext &c) { return depthSpace(c, false); });
}
