//===- Shape.cpp - ONNX constants and shape queries -----------------------===//
//
// Constant, Shape, Size, ConstantOfShape and Range (constants when the
// shapes and bounds are known at compile time, optc ops that compute them
// at run time otherwise), EyeLike and Trilu; and registerShapeOps, which also
// registers the ops of ShapeReshape.cpp (reshapes, transposes, concatenation
// and splits) and ShapeSlice.cpp (slices, pads, tiles and crops).
//
//===----------------------------------------------------------------------===//

#include "ShapeCommon.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

SmallVector<int64_t> onnx_import::unknownAt(ArrayRef<int64_t> shape,
                                            ArrayRef<int64_t> axes) {
  SmallVector<int64_t> result(shape);
  for (int64_t axis : axes)
    result[axis] = ShapedType::kDynamic;
  return result;
}

namespace {

/// The longest Range the importer computes (a constant of the model).
constexpr int64_t kMaxRangeElements = int64_t(1) << 22;

/// `value` as an int64, saturated (NaN as 0), as a Range of integers
/// whose double arithmetic left the int64 range computes it.
int64_t saturatingInt64(double value) {
  if (std::isnan(value))
    return 0;
  if (value >= 0x1p63)
    return std::numeric_limits<int64_t>::max();
  if (value < -0x1p63)
    return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(value);
}

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
  // An array that outlives the loop: an ArrayRef of a braced list would
  // point at a temporary that dies before the first iteration.
  static constexpr StringLiteral kNames[] = {"start", "limit", "delta"};
  for (auto [i, name] : llvm::enumerate(kNames)) {
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
  int64_t count =
      steps > 0
          ? static_cast<int64_t>(std::min(steps, double(kMaxRangeElements + 1)))
          : 0;
  // The sequence becomes a constant of the model (optc has no run-time
  // sizes): one of 10^9 elements would take minutes and gigabytes here
  // and in the library.
  if (count > kMaxRangeElements)
    return ctx.error() << "the range from " << start << " to " << limit
                       << " by " << delta << " has more than 2^22 elements, "
                       << "too many to compute at compile time";
  auto type = RankedTensorType::get({count}, element);
  DenseElementsAttr values;
  // Built from APFloats or APInts: an attribute per element would be
  // uniqued one by one.
  if (auto f = dyn_cast<FloatType>(element)) {
    SmallVector<APFloat> floats;
    floats.reserve(count);
    for (int64_t i = 0; i < count; ++i) {
      APFloat a(start + static_cast<double>(i) * delta);
      bool lost;
      a.convert(f.getFloatSemantics(), APFloat::rmNearestTiesToEven, &lost);
      floats.push_back(a);
    }
    values = DenseElementsAttr::get(type, floats);
  } else {
    SmallVector<APInt> ints;
    ints.reserve(count);
    unsigned width = element.getIntOrFloatBitWidth();
    for (int64_t i = 0; i < count; ++i)
      ints.push_back(
          APInt(width, saturatingInt64(start + static_cast<double>(i) * delta),
                /*isSigned=*/true, /*implicitTrunc=*/true));
    values = DenseElementsAttr::get(type, ints);
  }
  ctx.outputs = {
      ConstantOp::create(ctx.b, ctx.loc, cast<ElementsAttr>(values))};
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
  OPTC_TRY(offsets, ctx.diagonals(n, m));
  Value k = ctx.i64(0);
  if (Value kInput = ctx.input(1)) {
    RankedTensorType kt = ctx.typeOf(kInput);
    if (!kt.hasStaticShape() || kt.getNumElements() != 1)
      return ctx.error() << "k must hold one value, found " << kt;
    k = ctx.reshape(ctx.castTo(kInput, ctx.b.getI64Type()), {});
  }
  if (!k)
    return failure();
  OPTC_TRY(mask, ctx.create<CompareOp>(upper ? ComparePredicate::ge
                                             : ComparePredicate::le,
                                       offsets, k));
  OPTC_TRY(y,
           ctx.create<SelectOp>(mask, x, ctx.scalar(type.getElementType(), 0)));
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
  OPTC_TRY(offsets, ctx.diagonals(type.getDimSize(0), type.getDimSize(1)));
  OPTC_TRY(mask,
           ctx.create<CompareOp>(ComparePredicate::eq, offsets, ctx.i64(k)));
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
  r.add("", "Trilu", trilu);
  r.add("", "EyeLike", eyeLike);
  registerReshapeOps(r);
  registerSliceOps(r);
}
