//===- Resize.cpp - ONNX Resize and Upsample ------------------------------===//
//
// Resize is decomposed axis by axis, the way the ONNX reference computes it:
// for every resized axis the output positions are mapped to input
// coordinates (coordinate_transformation_mode), the neighbouring input
// indices ("taps") are gathered along the axis, clamped to the edge, and
// weighted (1 tap for nearest, 2 for linear, 4 for cubic). Scales and sizes
// may be constants or values known only at run time; coordinates are
// computed in f64 like the reference, the weighted sums in the input's
// float type (f32 for integer inputs).
//
// Antialiasing filters are stretched by 1 / scale, so their number of taps
// depends on a scale that may be known only at run time. They are applied
// as a dense [output, input] weight matrix built at run time: the filter at
// every virtual tap position around the input (taps beyond the edges read
// the edge, like the reference's edge padding), normalised per output.
//
//===----------------------------------------------------------------------===//

#include "../Calc.h"
#include "../ImportContext.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Coordinates {
  HalfPixel,
  HalfPixelSymmetric,
  PytorchHalfPixel,
  AlignCorners,
  Asymmetric,
  TfCropAndResize
};
enum class Rounding { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct Params {
  Mode mode = Mode::Nearest;
  Coordinates coordinates = Coordinates::HalfPixel;
  Rounding rounding = Rounding::RoundPreferFloor;
  double cubicA = -0.75;
  bool excludeOutside = false;
  double extrapolation = 0.0;
  /// Linear and cubic filters stretched by 1 / scale when downscaling.
  bool antialias = false;
};

/// What one resized axis needs at run time, as 0-d tensors.
struct AxisPlan {
  int64_t axis;
  Value scale;   // f64
  Value size;    // i64, the output size
  Value roiLow;  // f64, tf_crop_and_resize only
  Value roiHigh; // f64
};

FailureOr<Params> readParams(NodeContext &ctx, bool legacy) {
  Params p;
  OPTC_TRY(mode, ctx.stringAttr("mode", "nearest"));
  if (mode == "nearest")
    p.mode = Mode::Nearest;
  else if (mode == "linear" || mode == "bilinear")
    p.mode = Mode::Linear;
  else if (mode == "cubic" && !legacy)
    p.mode = Mode::Cubic;
  else
    return ctx.error() << "mode '" << mode << "' is not supported";
  if (legacy) {
    // Upsample and Resize-10: output position / scale, truncated for
    // nearest.
    p.coordinates = Coordinates::Asymmetric;
    p.rounding = Rounding::Floor;
    return p;
  }
  OPTC_TRY(coordinates,
           ctx.stringAttr("coordinate_transformation_mode", "half_pixel"));
  static const std::pair<const char *, Coordinates> coordinateNames[] = {
      {"half_pixel", Coordinates::HalfPixel},
      {"half_pixel_symmetric", Coordinates::HalfPixelSymmetric},
      {"pytorch_half_pixel", Coordinates::PytorchHalfPixel},
      {"align_corners", Coordinates::AlignCorners},
      {"asymmetric", Coordinates::Asymmetric},
      {"tf_crop_and_resize", Coordinates::TfCropAndResize}};
  auto c = llvm::find_if(coordinateNames,
                         [&](auto &e) { return coordinates == e.first; });
  if (c == std::end(coordinateNames))
    return ctx.error() << "coordinate_transformation_mode '" << coordinates
                       << "' is not supported";
  p.coordinates = c->second;
  OPTC_TRY(rounding, ctx.stringAttr("nearest_mode", "round_prefer_floor"));
  static const std::pair<const char *, Rounding> roundingNames[] = {
      {"round_prefer_floor", Rounding::RoundPreferFloor},
      {"round_prefer_ceil", Rounding::RoundPreferCeil},
      {"floor", Rounding::Floor},
      {"ceil", Rounding::Ceil}};
  auto r = llvm::find_if(roundingNames,
                         [&](auto &e) { return rounding == e.first; });
  if (r == std::end(roundingNames))
    return ctx.error() << "nearest_mode '" << rounding << "' is not supported";
  p.rounding = r->second;
  OPTC_TRY(a, ctx.floatAttr("cubic_coeff_a", -0.75f));
  OPTC_TRY(exclude, ctx.intAttr("exclude_outside", 0));
  OPTC_TRY(extrapolation, ctx.floatAttr("extrapolation_value", 0.0f));
  OPTC_TRY(antialias, ctx.intAttr("antialias", 0));
  p.antialias = antialias != 0 && p.mode != Mode::Nearest;
  p.cubicA = a;
  p.excludeOutside = exclude != 0;
  p.extrapolation = extrapolation;
  return p;
}

/// The input coordinate of every output position along one axis, and for
/// tf_crop_and_resize whether it falls outside the input.
std::pair<Value, Value> sourceCoordinates(Calc &c, const Params &p,
                                          const AxisPlan &plan, Value inSize) {
  Type f64 = c.ctx.b.getF64Type();
  // The output positions 0, 1, ..., size - 1.
  Value positions;
  if (std::optional<SmallVector<int64_t>> n = getConstantInts(plan.size)) {
    if ((*n)[0] < 0 || (*n)[0] > kMaxBuiltConstant) {
      c.ctx.error() << "the output size " << (*n)[0] << " along axis "
                    << plan.axis << " is out of range";
      return {};
    }
    positions = c.ctx.i64s(llvm::to_vector(llvm::seq<int64_t>(0, (*n)[0])));
  } else {
    positions = c.op<RangeOp>(c.i64(0), plan.size, c.i64(1));
  }
  Value o = c.cast(positions, f64);
  Value s = plan.scale;
  // The reference's "output width": scale * input size, not rounded.
  Value outWidth = c.mul(s, inSize);
  Value isOne = c.cmp(ComparePredicate::eq, outWidth, c.f64(1));
  Value halfPixel = c.sub(c.div(c.add(o, c.f64(0.5)), s), c.f64(0.5));
  Value inLast = c.sub(inSize, c.f64(1));
  switch (p.coordinates) {
  case Coordinates::HalfPixel:
    return {halfPixel, {}};
  case Coordinates::HalfPixelSymmetric: {
    Value adjustment = c.div(c.cast(plan.size, f64), outWidth);
    Value center = c.div(inSize, c.f64(2));
    Value offset = c.mul(center, c.sub(c.f64(1), adjustment));
    return {c.add(offset, halfPixel), {}};
  }
  case Coordinates::PytorchHalfPixel: {
    // ONNX (and onnxruntime): 0 where the output length is 1, whatever
    // scale * input size is (floor(1.5) is also 1).
    Value single =
        c.cmp(ComparePredicate::eq, c.cast(plan.size, f64), c.f64(1));
    return {c.select(single, c.f64(0), halfPixel), {}};
  }
  case Coordinates::AlignCorners: {
    Value stretched = c.div(c.mul(o, inLast), c.sub(outWidth, c.f64(1)));
    return {c.select(isOne, c.f64(0), stretched), {}};
  }
  case Coordinates::Asymmetric:
    return {c.div(o, s), {}};
  case Coordinates::TfCropAndResize: {
    Value extent = c.sub(plan.roiHigh, plan.roiLow);
    Value single = c.div(c.mul(extent, inLast), c.f64(2));
    Value spread =
        c.div(c.mul(c.mul(o, extent), inLast), c.sub(outWidth, c.f64(1)));
    Value x =
        c.add(c.select(isOne, single, spread), c.mul(plan.roiLow, inLast));
    Value below = c.cmp(ComparePredicate::lt, x, c.f64(0));
    Value above = c.cmp(ComparePredicate::gt, x, inLast);
    Value outside = below && above ? c.op<OrOp>(below, above) : Value();
    return {x, outside};
  }
  }
  llvm_unreachable("unknown coordinate mode");
}

/// Resizes `data` along one axis with a stretched (antialiasing) filter,
/// as the product with a run-time [output, input] weight matrix.
Value resizeAxisDense(Calc &c, const Params &p, const AxisPlan &plan,
                      Value data, Value x, Value outside) {
  NodeContext &ctx = c.ctx;
  Type f64 = ctx.b.getF64Type();
  RankedTensorType type = ctx.typeOf(data);
  int64_t rank = type.getRank(), length = type.getDimSize(plan.axis);
  if (ShapedType::isDynamic(length)) {
    ctx.error() << "antialiasing needs the size of axis " << plan.axis;
    return {};
  }
  // The output size is at least 1, so scale >= 1 / length and the filter
  // reaches at most 2 * length (cubic) positions beyond either edge.
  // length <= kMaxBuiltConstant first, so that the product cannot overflow.
  int64_t reach = 2 * length + 3;
  if (length > kMaxBuiltConstant ||
      (length + 2 * reach) * length > kMaxBuiltConstant) {
    ctx.error() << "antialiasing along axis " << plan.axis << " of size "
                << length << " needs too large a weight matrix";
    return {};
  }
  SmallVector<double> virtualTaps;
  for (int64_t j = -reach; j < length + reach; ++j)
    virtualTaps.push_back(double(j));
  int64_t count = virtualTaps.size();
  Value taps = ConstantOp::create(
      ctx.b, ctx.loc,
      cast<ElementsAttr>(DenseElementsAttr::get(
          RankedTensorType::get({1, count}, f64), ArrayRef(virtualTaps))));
  Value column = ctx.reshape(x, {-1, 1});
  if (!column)
    return {};
  Value stretch = c.min(plan.scale, c.f64(1));
  Value d = c.op<AbsOp>(c.mul(c.sub(taps, column), stretch));
  Value w;
  if (p.mode == Mode::Linear) {
    w = c.max(c.sub(c.f64(1), d), c.f64(0));
  } else {
    double a = p.cubicA;
    Value d2 = c.mul(d, d), d3 = c.mul(d2, d);
    Value nearW = c.add(c.sub(c.mul(c.f64(a + 2), d3), c.mul(c.f64(a + 3), d2)),
                        c.f64(1));
    Value farW =
        c.sub(c.add(c.sub(c.mul(c.f64(a), d3), c.mul(c.f64(5 * a), d2)),
                    c.mul(c.f64(8 * a), d)),
              c.f64(4 * a));
    w = c.select(
        c.cmp(ComparePredicate::le, d, c.f64(1)), nearW,
        c.select(c.cmp(ComparePredicate::lt, d, c.f64(2)), farW, c.f64(0)));
  }
  if (p.excludeOutside) {
    SmallVector<bool> inside;
    for (double j : virtualTaps)
      inside.push_back(j >= 0 && j < length);
    Value mask = ConstantOp::create(
        ctx.b, ctx.loc,
        cast<ElementsAttr>(DenseElementsAttr::get(
            RankedTensorType::get({1, count}, ctx.b.getI1Type()),
            ArrayRef(inside))));
    w = c.select(mask, w, c.f64(0));
  }
  Value total = c.op<ReduceSumOp>(w, ArrayRef<int64_t>{1}, true);
  total =
      c.select(c.cmp(ComparePredicate::eq, total, c.f64(0)), c.f64(1), total);
  w = c.div(w, total);
  // Virtual tap j reads input position clamp(j, 0, length - 1).
  SmallVector<double> toInput(count * length, 0.0);
  for (int64_t t = 0; t < count; ++t) {
    int64_t i = std::clamp<int64_t>(int64_t(virtualTaps[t]), 0, length - 1);
    toInput[t * length + i] = 1.0;
  }
  Value edge = ConstantOp::create(
      ctx.b, ctx.loc,
      cast<ElementsAttr>(DenseElementsAttr::get(
          RankedTensorType::get({count, length}, f64), ArrayRef(toInput))));
  Value weights = c.op<MatmulOp>(w, edge); // [output, input]
  Value weightsT = c.op<TransposeOp>(c.cast(weights, type.getElementType()),
                                     ArrayRef<int64_t>{1, 0});
  // The axis moves last, multiplies the weights and moves back.
  SmallVector<int64_t> toLast, back(rank);
  for (int64_t dim = 0; dim < rank; ++dim)
    if (dim != plan.axis)
      toLast.push_back(dim);
  toLast.push_back(plan.axis);
  for (int64_t dim = 0; dim < rank; ++dim)
    back[toLast[dim]] = dim;
  Value moved = c.op<TransposeOp>(data, toLast);
  Value product = moved && weightsT ? c.op<MatmulOp>(moved, weightsT) : Value();
  Value y = product ? c.op<TransposeOp>(product, back) : Value();
  if (outside && y) {
    SmallVector<int64_t> along(rank, 1);
    along[plan.axis] = -1;
    Value mask = ctx.reshape(outside, along);
    y = mask ? c.select(mask,
                        ctx.scalar(type.getElementType(), p.extrapolation), y)
             : Value();
  }
  return y;
}

/// Resizes `data` (of float type) along one axis.
Value resizeAxis(Calc &c, const Params &p, const AxisPlan &plan, Value data) {
  NodeContext &ctx = c.ctx;
  Type f64 = ctx.b.getF64Type(), i64 = ctx.b.getI64Type();
  RankedTensorType type = ctx.typeOf(data);
  Type element = type.getElementType();
  int64_t rank = type.getRank();

  Value dims = c.op<ShapeOfOp>(data);
  Value inSizeInt = c.entry(dims, plan.axis);
  Value inSize = c.cast(inSizeInt, f64);
  std::pair<Value, Value> coordinates = sourceCoordinates(c, p, plan, inSize);
  Value x = coordinates.first, outside = coordinates.second;
  if (p.antialias)
    return resizeAxisDense(c, p, plan, data, x, outside);
  Value xFloor = c.floor(x);
  Value ratio = c.sub(x, xFloor);
  Value base = c.cast(xFloor, i64);
  Value last = c.sub(inSizeInt, c.i64(1));
  auto clamp = [&](Value index) { return c.min(c.max(index, c.i64(0)), last); };
  auto gatherAt = [&](Value index) {
    Value clamped = clamp(index);
    if (!clamped)
      return Value();
    return c.op<GatherOp>(data, clamped, plan.axis);
  };

  SmallVector<int64_t> along(rank, 1);
  along[plan.axis] = -1;
  // tf_crop_and_resize: positions outside the input get the extrapolation
  // value.
  auto maskOutside = [&](Value y) -> Value {
    if (!outside || !y)
      return y;
    Value mask = ctx.reshape(outside, along);
    if (!mask)
      return {};
    return c.select(mask, ctx.scalar(element, p.extrapolation), y);
  };

  // Taps (offsets from floor(x)) and their f64 weights.
  SmallVector<int64_t> offsets;
  SmallVector<Value> weights;
  switch (p.mode) {
  case Mode::Nearest: {
    Value up;
    switch (p.rounding) {
    case Rounding::RoundPreferFloor:
      up = c.cmp(ComparePredicate::gt, ratio, c.f64(0.5));
      break;
    case Rounding::RoundPreferCeil:
      up = c.cmp(ComparePredicate::ge, ratio, c.f64(0.5));
      break;
    case Rounding::Floor:
      break;
    case Rounding::Ceil:
      up = c.cmp(ComparePredicate::gt, ratio, c.f64(0));
      break;
    }
    Value index = up ? c.add(base, c.cast(up, i64)) : base;
    return maskOutside(gatherAt(index));
  }
  case Mode::Linear:
    offsets = {0, 1};
    weights = {c.sub(c.f64(1), ratio), ratio};
    break;
  case Mode::Cubic: {
    double a = p.cubicA;
    // The cubic convolution kernel at distances 1 + r, r, 1 - r, 2 - r.
    auto far = [&](Value d) { // 1 <= d < 2
      return c.sub(
          c.mul(c.add(c.mul(c.sub(c.mul(c.f64(a), d), c.f64(5 * a)), d),
                      c.f64(8 * a)),
                d),
          c.f64(4 * a));
    };
    auto near = [&](Value d) { // 0 <= d <= 1
      return c.add(
          c.mul(c.mul(c.sub(c.mul(c.f64(a + 2), d), c.f64(a + 3)), d), d),
          c.f64(1));
    };
    Value oneMinus = c.sub(c.f64(1), ratio);
    offsets = {-1, 0, 1, 2};
    weights = {far(c.add(ratio, c.f64(1))), near(ratio), near(oneMinus),
               far(c.add(oneMinus, c.f64(1)))};
    break;
  }
  }
  if (p.excludeOutside) {
    // Taps outside the input get no weight; the rest are renormalised.
    Value total;
    for (auto [offset, w] : llvm::zip(offsets, weights)) {
      Value tap = c.add(base, c.i64(offset));
      Value inside = c.op<AndOp>(c.cmp(ComparePredicate::ge, tap, c.i64(0)),
                                 c.cmp(ComparePredicate::le, tap, last));
      w = c.select(inside, w, c.f64(0));
      total = total ? c.add(total, w) : w;
    }
    Value zero = c.cmp(ComparePredicate::eq, total, c.f64(0));
    total = c.select(zero, c.f64(1), total);
    for (Value &w : weights)
      w = c.div(w, total);
  }
  Value y;
  for (auto [offset, w] : llvm::zip(offsets, weights)) {
    Value weight = c.cast(w, element);
    if (!weight)
      return {};
    Value shaped = ctx.reshape(weight, along);
    Value term = c.mul(gatherAt(c.add(base, c.i64(offset))), shaped);
    y = y ? c.add(y, term) : term;
  }
  return maskOutside(y);
}

/// Resize (all opsets) and Upsample; `legacy` for Upsample and Resize-10.
LogicalResult resize(NodeContext &ctx, bool legacy) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(p, readParams(ctx, legacy));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  Calc c(ctx);
  Type f64 = ctx.b.getF64Type(), i64 = ctx.b.getI64Type();

  // The resized axes: all, or the `axes` attribute (opset 18).
  SmallVector<int64_t> axes;
  bool axesGiven = false;
  if (!legacy && ctx.opset >= 18) {
    OPTC_TRY(a, ctx.intsAttr("axes", &axesGiven));
    for (int64_t raw : a) {
      OPTC_TRY(axis, ctx.normalizeAxis(raw, rank));
      if (llvm::is_contained(axes, axis))
        return ctx.error() << "axis " << raw << " is repeated";
      axes.push_back(axis);
    }
  }
  if (!axesGiven)
    axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  int64_t count = axes.size();

  // Scales (an attribute of Upsample-7, an input after) or sizes.
  Value scales, sizes, roi;
  if (legacy && ctx.node.op_type() == "Upsample" && ctx.opset < 9) {
    SmallVector<double> values;
    if (ctx.opset < 7) {
      // Upsample-1 scales the last two dimensions of an NCHW tensor.
      if (rank != 4)
        return ctx.error() << "Upsample-1 needs a 4-D (NCHW) input, found "
                           << type;
      OPTC_TRY(h, ctx.floatAttr("height_scale", 1.0f));
      OPTC_TRY(w, ctx.floatAttr("width_scale", 1.0f));
      values = {1.0, 1.0, h, w};
    } else {
      OPTC_TRY(s, ctx.floatsAttr("scales"));
      values.assign(s.begin(), s.end());
    }
    auto t = RankedTensorType::get({static_cast<int64_t>(values.size())}, f64);
    scales = ConstantOp::create(
        ctx.b, ctx.loc,
        cast<ElementsAttr>(DenseElementsAttr::get(t, ArrayRef(values))));
  } else {
    unsigned scalesIndex = legacy ? 1 : 2;
    if (!legacy && ctx.opset >= 11)
      roi = ctx.input(1);
    Value s = ctx.input(scalesIndex);
    if (s && ctx.typeOf(s).hasStaticShape() &&
        ctx.typeOf(s).getNumElements() == 0)
      s = Value(); // an empty scales input means "use sizes"
    scales = s;
    if (!legacy)
      sizes = ctx.input(3);
  }
  if (!scales == !sizes)
    return ctx.error() << "exactly one of scales and sizes must be given";
  Value given = scales ? scales : sizes;
  RankedTensorType givenType = ctx.typeOf(given);
  if (givenType.getRank() != 1 || givenType.isDynamicDim(0) ||
      givenType.getDimSize(0) != count)
    return ctx.error() << (scales ? "scales" : "sizes") << " must hold "
                       << count << " values, found " << givenType;
  if (scales && !isa<FloatType>(givenType.getElementType()))
    return ctx.error() << "scales must be floats, found " << givenType;
  if (sizes && !isa<IntegerType>(givenType.getElementType()))
    return ctx.error() << "sizes must be integers, found " << givenType;

  // Per axis: the scale and the output size, both maybe known only at run
  // time.
  Value dims = c.op<ShapeOfOp>(x);
  SmallVector<AxisPlan> plans;
  SmallVector<Value> inSizes;
  for (auto [j, axis] : llvm::enumerate(axes)) {
    Value inSize = c.cast(c.entry(dims, axis), f64);
    inSizes.push_back(inSize);
    AxisPlan plan{axis, {}, {}, {}, {}};
    if (scales) {
      plan.scale = c.cast(c.entry(scales, j), f64);
      plan.size = c.cast(c.floor(c.mul(plan.scale, inSize)), i64);
    } else {
      plan.size = c.cast(c.entry(sizes, j), i64);
      plan.scale = c.div(c.cast(plan.size, f64), inSize);
    }
    plans.push_back(plan);
  }
  if (sizes) {
    OPTC_TRY(policy, ctx.stringAttr("keep_aspect_ratio_policy", "stretch"));
    if (policy != "stretch") {
      if (policy != "not_larger" && policy != "not_smaller")
        return ctx.error() << "keep_aspect_ratio_policy '" << policy
                           << "' is not supported";
      // One scale for all axes, and sizes rounded half up from it.
      Value scale = plans.front().scale;
      for (const AxisPlan &plan : ArrayRef(plans).drop_front())
        scale = policy == "not_larger" ? c.min(scale, plan.scale)
                                       : c.max(scale, plan.scale);
      for (auto [plan, inSize] : llvm::zip(plans, inSizes)) {
        plan.scale = scale;
        plan.size =
            c.cast(c.floor(c.add(c.mul(scale, inSize), c.f64(0.5))), i64);
      }
    }
  }
  if (p.coordinates == Coordinates::TfCropAndResize) {
    if (!roi)
      return ctx.error() << "tf_crop_and_resize needs the roi input";
    RankedTensorType roiType = ctx.typeOf(roi);
    if (roiType.getRank() != 1 || roiType.isDynamicDim(0) ||
        roiType.getDimSize(0) != 2 * count ||
        !isa<FloatType>(roiType.getElementType()))
      return ctx.error() << "roi must hold " << 2 * count << " floats, found "
                         << roiType;
    for (auto [j, plan] : llvm::enumerate(plans)) {
      plan.roiLow = c.cast(c.entry(roi, j), f64);
      plan.roiHigh = c.cast(c.entry(roi, j + count), f64);
    }
  }
  if (!c.ok())
    return failure();

  // Axes whose scale is a constant 1 and whose size does not change are
  // left alone (outside tf_crop_and_resize, whose roi may still crop).
  Type element = type.getElementType();
  Type computeType = isa<FloatType>(element) ? element : ctx.b.getF32Type();
  Value y = ctx.castTo(x, computeType);
  SmallVector<int64_t> known(type.getShape());
  for (AxisPlan &plan : plans) {
    std::optional<SmallVector<double>> s = getConstantFloats(plan.scale);
    std::optional<SmallVector<int64_t>> n = getConstantInts(plan.size);
    if (p.coordinates != Coordinates::TfCropAndResize && s && n &&
        (*s)[0] == 1.0 && (*n)[0] == type.getDimSize(plan.axis))
      continue;
    y = resizeAxis(c, p, plan, y);
    if (!c.ok() || !y)
      return failure();
    known[plan.axis] = n ? (*n)[0] : ShapedType::kDynamic;
  }
  y = ctx.castTo(y, element);
  ctx.outputs = {ctx.refine(y, known)};
  return success();
}

} // namespace

void onnx_import::registerResizeOps(OpRegistry &r) {
  r.add("", "Resize", [](NodeContext &ctx) {
    return resize(ctx, /*legacy=*/ctx.opset < 11);
  });
  // Upsample-1: height_scale and width_scale, mode nearest or bilinear.
  r.add(
      "", "Upsample",
      [](NodeContext &ctx) { return resize(ctx, /*legacy=*/true); }, 1);
}
