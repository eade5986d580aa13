//===- GridSample.cpp - ONNX GridSample and AffineGrid --------------------===//
//
// GridSample over 1 to 3 spatial dimensions, the way the ONNX reference
// computes it: grid coordinates (innermost spatial dimension first) are
// denormalised to pixel positions, moved inside by the padding mode
// (border clamps, reflection mirrors), and interpolated from 1 (nearest),
// 2 (linear) or 4 (cubic) taps per dimension. Each combination of taps is
// one gather_elements over the flattened spatial dimensions, weighted by
// the product of the per-dimension weights; in zeros mode taps outside the
// input contribute nothing.
//
//===----------------------------------------------------------------------===//

#include "../Calc.h"
#include "../ImportContext.h"

#include "optc/Support/Sizes.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

enum class Mode { Nearest, Linear, Cubic };
enum class Padding { Zeros, Border, Reflection };

/// One tap along one spatial dimension: an integer position (unclamped)
/// and its weight (null for nearest).
struct Tap {
  Value index;
  Value weight;
};

/// Mirrors `v` into [lo, hi] as often as needed (the reference's
/// _gs_reflect); values inside stay.
Value reflect(Calc &c, Type t, Value v, double lo, double hi) {
  double range = hi - lo;
  auto fold = [&](Value distance, Value nearEdge, Value farEdge, bool fromLow) {
    Value turns = c.floor(c.div(distance, c.constant(t, range)));
    Value rest = c.sub(distance, c.mul(turns, c.constant(t, range)));
    Value half = c.floor(c.div(turns, c.constant(t, 2)));
    Value even =
        c.cmp(ComparePredicate::eq, c.mul(half, c.constant(t, 2)), turns);
    Value fromNear = fromLow ? c.add(nearEdge, rest) : c.sub(nearEdge, rest);
    Value fromFar = fromLow ? c.sub(farEdge, rest) : c.add(farEdge, rest);
    return c.select(even, fromNear, fromFar);
  };
  Value low = c.constant(t, lo), high = c.constant(t, hi);
  Value below = c.cmp(ComparePredicate::lt, v, low);
  Value above = c.cmp(ComparePredicate::gt, v, high);
  Value fromBelow = fold(c.sub(low, v), low, high, true);
  Value fromAbove = fold(c.sub(v, high), high, low, false);
  return c.select(below, fromBelow, c.select(above, fromAbove, v));
}

/// The cubic convolution weights (a = -0.75) of the taps at -1, 0, 1, 2
/// for a fraction f.
SmallVector<Value> cubicWeights(Calc &c, Type t, Value f) {
  const double a = -0.75;
  auto far = [&](Value d) {
    return c.sub(c.mul(c.add(c.mul(c.sub(c.mul(c.constant(t, a), d),
                                         c.constant(t, 5 * a)),
                                   d),
                             c.constant(t, 8 * a)),
                       d),
                 c.constant(t, 4 * a));
  };
  auto near = [&](Value d) {
    return c.add(
        c.mul(c.mul(c.sub(c.mul(c.constant(t, a + 2), d), c.constant(t, a + 3)),
                    d),
              d),
        c.constant(t, 1));
  };
  Value oneMinus = c.sub(c.constant(t, 1), f);
  return {far(c.add(f, c.constant(t, 1))), near(f), near(oneMinus),
          far(c.add(oneMinus, c.constant(t, 1)))};
}

LogicalResult gridSample(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(grid, ctx.requiredInput(1, "grid"));
  RankedTensorType xt = ctx.typeOf(x), gt = ctx.typeOf(grid);
  int64_t rank = xt.getRank(), spatial = rank - 2;
  if (spatial < 1 || spatial > 3 || !xt.hasStaticShape() ||
      !gt.hasStaticShape() || gt.getRank() != rank ||
      gt.getDimSize(rank - 1) != spatial ||
      gt.getDimSize(0) != xt.getDimSize(0))
    return ctx.error() << "needs a static [N, C, D1..Dk] input (k = 1 to 3) "
                          "and a static [N, O1..Ok, k] grid, found "
                       << xt << " and " << gt;
  if (!isa<FloatType>(xt.getElementType()) ||
      !isa<FloatType>(gt.getElementType()))
    return ctx.error() << "X and grid must be floats";
  OPTC_TRY(modeName,
           ctx.stringAttr("mode", ctx.opset < 20 ? "bilinear" : "linear"));
  OPTC_TRY(paddingName, ctx.stringAttr("padding_mode", "zeros"));
  OPTC_TRY(alignCorners, ctx.intAttr("align_corners", 0));
  Mode mode;
  if (modeName == "nearest")
    mode = Mode::Nearest;
  else if (modeName == "linear" || modeName == "bilinear")
    mode = Mode::Linear;
  else if (modeName == "cubic" || modeName == "bicubic")
    mode = Mode::Cubic;
  else
    return ctx.error() << "mode '" << modeName << "' is not supported";
  if (mode == Mode::Cubic && spatial != 2 && ctx.opset < 20)
    return ctx.error() << "bicubic needs a 4-D input";
  Padding padding;
  if (paddingName == "zeros")
    padding = Padding::Zeros;
  else if (paddingName == "border")
    padding = Padding::Border;
  else if (paddingName == "reflection")
    padding = Padding::Reflection;
  else
    return ctx.error() << "padding_mode '" << paddingName
                       << "' is not supported";

  Calc c(ctx);
  Type t = gt.getElementType(), i64 = ctx.b.getI64Type();
  int64_t batch = xt.getDimSize(0), channels = xt.getDimSize(1);
  SmallVector<int64_t> outSpatial(gt.getShape().drop_front().drop_back());
  // Static sizes of verified values, within the limits per tensor.
  std::optional<int64_t> pointCount = sizes::product(outSpatial);
  std::optional<int64_t> pixelCount =
      sizes::product(xt.getShape().drop_front(2));
  assert(pointCount && pixelCount && "tensors within the limits per tensor");
  int64_t points = *pointCount, pixels = *pixelCount;

  // Per spatial dimension: its taps.
  SmallVector<SmallVector<Tap>> taps(spatial);
  SmallVector<int64_t> sizes(xt.getShape().drop_front(2));
  for (int64_t i = 0; i < spatial; ++i) {
    double length = sizes[i];
    double lo = alignCorners ? 0.0 : -0.5;
    double hi = alignCorners ? length - 1 : length - 0.5;
    // grid[..., k] is the k-th innermost spatial dimension.
    SmallVector<int64_t> starts(rank, 0), limits(gt.getShape()),
        strides(rank, 1);
    starts[rank - 1] = spatial - 1 - i;
    limits[rank - 1] = spatial - i;
    Value g = c.op<SliceOp>(grid, starts, limits, strides);
    SmallVector<int64_t> coordShape{batch};
    llvm::append_range(coordShape, outSpatial);
    g = g ? ctx.reshape(g, coordShape) : Value();
    Value one = c.constant(t, 1);
    Value pos =
        alignCorners
            ? c.mul(c.div(c.add(g, one), c.constant(t, 2)),
                    c.constant(t, length - 1))
            : c.div(c.sub(c.mul(c.add(g, one), c.constant(t, length)), one),
                    c.constant(t, 2));
    if (mode == Mode::Nearest)
      pos = c.op<RoundOp>(pos); // np.rint: ties to even
    if (padding == Padding::Border) {
      Value outside =
          c.op<OrOp>(c.cmp(ComparePredicate::lt, pos, c.constant(t, lo)),
                     c.cmp(ComparePredicate::gt, pos, c.constant(t, hi)));
      Value clamped =
          c.min(c.max(pos, c.constant(t, 0)), c.constant(t, length - 1));
      pos = c.select(outside, clamped, pos);
    } else if (padding == Padding::Reflection) {
      pos = reflect(c, t, pos, lo, hi);
    }
    if (mode == Mode::Nearest) {
      taps[i].push_back({c.cast(pos, i64), Value()}); // truncation
      continue;
    }
    Value base = c.floor(pos);
    Value frac = c.sub(pos, base);
    Value baseIndex = c.cast(base, i64);
    SmallVector<int64_t> offsets;
    SmallVector<Value> weights;
    if (mode == Mode::Linear) {
      offsets = {0, 1};
      weights = {c.sub(c.constant(t, 1), frac), frac};
    } else {
      offsets = {-1, 0, 1, 2};
      weights = cubicWeights(c, t, frac);
    }
    for (auto [offset, w] : llvm::zip(offsets, weights))
      taps[i].push_back({c.add(baseIndex, c.i64(offset)), w});
  }

  // A tap's position inside the input, and whether it counts (zeros mode).
  auto place = [&](Value index, int64_t i) -> std::pair<Value, Value> {
    int64_t length = sizes[i];
    Value last = c.i64(length - 1);
    if (padding == Padding::Zeros) {
      Value inside = c.op<AndOp>(c.cmp(ComparePredicate::ge, index, c.i64(0)),
                                 c.cmp(ComparePredicate::le, index, last));
      return {c.min(c.max(index, c.i64(0)), last), inside};
    }
    if (padding == Padding::Border)
      return {c.min(c.max(index, c.i64(0)), last), Value()};
    double lo = alignCorners ? 0.0 : -0.5;
    double hi = alignCorners ? length - 1 : length - 0.5;
    Value mirrored = reflect(c, t, c.cast(index, t), lo, hi);
    // Truncated like the reference's int(); clamped for the half-pixel
    // edges.
    return {c.min(c.max(c.cast(mirrored, i64), c.i64(0)), last), Value()};
  };

  // Sum over every combination of taps.
  Type element = xt.getElementType();
  Value flatX = ctx.reshape(x, {batch, channels, pixels});
  SmallVector<int64_t> spatialStrides(spatial, 1);
  for (int64_t i = spatial - 2; i >= 0; --i)
    spatialStrides[i] = spatialStrides[i + 1] * sizes[i + 1];
  SmallVector<int64_t> outShape{batch, channels};
  llvm::append_range(outShape, outSpatial);
  SmallVector<int64_t> pick(spatial, 0);
  Value sum;
  while (c.ok() && flatX) {
    Value flatIndex, weight, valid;
    for (int64_t i = 0; i < spatial; ++i) {
      const Tap &tap = taps[i][pick[i]];
      auto [index, inside] = place(tap.index, i);
      Value scaled = c.mul(index, c.i64(spatialStrides[i]));
      flatIndex = flatIndex ? c.add(flatIndex, scaled) : scaled;
      if (tap.weight)
        weight = weight ? c.mul(weight, tap.weight) : tap.weight;
      if (inside)
        valid = valid ? c.op<AndOp>(valid, inside) : inside;
    }
    if (valid) {
      Value zero = mode == Mode::Nearest ? Value() : c.constant(t, 0);
      if (weight)
        weight = c.select(valid, weight, zero);
      else
        weight = c.cast(valid, t);
    }
    if (!c.ok())
      return failure();
    Value idx = ctx.reshape(flatIndex, {batch, 1, points});
    Value wide =
        idx ? c.op<BroadcastOp>(idx, ArrayRef<int64_t>{batch, channels, points})
            : Value();
    Value gathered =
        wide ? c.op<GatherElementsOp>(flatX, wide, int64_t(2)) : Value();
    Value term = gathered ? ctx.reshape(gathered, outShape) : Value();
    if (weight && term) {
      SmallVector<int64_t> weightShape{batch, 1};
      llvm::append_range(weightShape, outSpatial);
      Value w = ctx.reshape(c.cast(weight, element), weightShape);
      term = c.mul(term, w);
    }
    if (!term)
      return failure();
    sum = sum ? c.add(sum, term) : term;
    // Next combination.
    int64_t d = spatial - 1;
    while (d >= 0 && ++pick[d] == static_cast<int64_t>(taps[d].size()))
      pick[d--] = 0;
    if (d < 0)
      break;
  }
  if (!c.ok() || !sum)
    return failure();
  ctx.outputs = {sum};
  return success();
}

/// 0, 1, ..., n - 1 for a 0-d i64 `n` (a constant when n is one).
FailureOr<Value> positionsUpTo(NodeContext &ctx, Value n) {
  if (std::optional<SmallVector<int64_t>> c = getConstantInts(n)) {
    if ((*c)[0] < 0 || (*c)[0] > kMaxBuiltConstant)
      return ctx.error() << "size " << (*c)[0] << " is out of range";
    return ctx.i64s(llvm::to_vector(llvm::seq<int64_t>(0, (*c)[0])));
  }
  Type i64 = ctx.b.getI64Type();
  return ctx.create<RangeOp>(ctx.scalar(i64, 0), n, ctx.scalar(i64, 1));
}

LogicalResult affineGrid(NodeContext &ctx) {
  OPTC_TRY(theta, ctx.requiredInput(0, "theta"));
  OPTC_TRY(size, ctx.requiredInput(1, "size"));
  OPTC_TRY(alignCorners, ctx.intAttr("align_corners", 0));
  RankedTensorType tt = ctx.typeOf(theta), st = ctx.typeOf(size);
  if (st.getRank() != 1 || st.isDynamicDim(0) ||
      (st.getDimSize(0) != 4 && st.getDimSize(0) != 5))
    return ctx.error() << "size must hold 4 or 5 values, found " << st;
  int64_t spatial = st.getDimSize(0) - 2;
  if (tt.getRank() != 3 || tt.isDynamicDim(1) || tt.isDynamicDim(2) ||
      tt.getDimSize(1) != spatial || tt.getDimSize(2) != spatial + 1 ||
      !isa<FloatType>(tt.getElementType()))
    return ctx.error() << "theta must be float [N, " << spatial << ", "
                       << spatial + 1 << "], found " << tt;
  Calc c(ctx);
  Type t = tt.getElementType(), i64 = ctx.b.getI64Type();
  int64_t outRank = spatial + 2; // N, D.., components
  // Column k of theta, shaped [N, 1.., components].
  auto column = [&](int64_t k) -> Value {
    SmallVector<int64_t> starts{0, 0, k}, limits(tt.getShape()),
        strides{1, 1, 1};
    limits[2] = k + 1;
    Value col = c.op<SliceOp>(theta, starts, limits, strides);
    SmallVector<int64_t> shape(outRank, 1);
    shape[0] = -1;
    shape[outRank - 1] = spatial;
    return col ? ctx.reshape(col, shape) : Value();
  };
  // Column `spatial` multiplies 1; column j the coordinate of the j-th
  // innermost spatial dimension (x first).
  Value grid = column(spatial);
  Value sizes = ctx.castTo(size, i64);
  for (int64_t j = 0; j < spatial; ++j) {
    int64_t dim = 1 + spatial - j; // index in size: W, H, D
    Value n = c.entry(sizes, dim);
    if (!n)
      return failure();
    OPTC_TRY(pos, positionsUpTo(ctx, n));
    Value p = c.cast(pos, t), length = c.cast(n, t);
    Value coord;
    if (alignCorners) {
      // -1 + 2 i / (n - 1); a single position is -1.
      Value stretched = c.sub(
          c.div(c.mul(p, c.constant(t, 2)), c.sub(length, c.constant(t, 1))),
          c.constant(t, 1));
      coord = c.select(c.cmp(ComparePredicate::eq, length, c.constant(t, 1)),
                       c.constant(t, -1), stretched);
    } else {
      // Pixel centres: (2 i + 1) / n - 1.
      coord = c.sub(
          c.div(c.add(c.mul(p, c.constant(t, 2)), c.constant(t, 1)), length),
          c.constant(t, 1));
    }
    SmallVector<int64_t> shape(outRank, 1);
    shape[outRank - 2 - j] = -1;
    Value shaped = coord ? ctx.reshape(coord, shape) : Value();
    grid = c.add(grid, c.mul(column(j), shaped));
  }
  if (!c.ok() || !grid)
    return failure();
  ctx.outputs = {grid};
  return success();
}

} // namespace

void onnx_import::registerGridSampleOps(OpRegistry &r) {
  r.add("", "GridSample", gridSample, 16);
  r.add("", "AffineGrid", affineGrid, 20);
}
