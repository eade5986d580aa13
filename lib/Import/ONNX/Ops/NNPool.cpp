//===- NNPool.cpp - ONNX pooling ------------------------------------------===//
//
// MaxPool (with its Indices output), AveragePool and LpPool over windows;
// GlobalAveragePool, GlobalMaxPool and GlobalLpPool as reductions over the
// spatial axes; MaxUnpool, which scatters values back to the positions
// MaxPool's indices name.
//
//===----------------------------------------------------------------------===//

#include "NNCommon.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// MaxPool's Indices output: for every window the flat index (over the
/// whole input, row-major, or column-major within each image with
/// storage_order) of its first maximum. Each kernel tap is one strided
/// slice of the input padded with -inf; a running maximum keeps the index
/// of the first tap that beats it.
FailureOr<Value> maxPoolIndices(NodeContext &ctx, Value x,
                                RankedTensorType resultType,
                                const WindowAttrs &win, bool columnMajor) {
  RankedTensorType xt = ctx.typeOf(x);
  int64_t rank = xt.getRank(), spatial = rank - 2;
  if (!xt.hasStaticShape() || !resultType.hasStaticShape() ||
      !isa<FloatType>(xt.getElementType()))
    return ctx.error() << "the Indices output needs static float shapes";
  // kernel_shape is an attribute: its product may overflow.
  std::optional<int64_t> tapCount = sizes::product(win.kernel);
  if (!tapCount || *tapCount > 4096)
    return ctx.error() << "the Indices output supports windows of at most "
                          "4096 taps, found "
                       << (tapCount ? std::to_string(*tapCount)
                                    : std::string("more than 2^63"));
  int64_t taps = *tapCount;
  ArrayRef<int64_t> in = xt.getShape(), out = resultType.getShape();
  // Pad so that every window (ceil mode included) lies inside.
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  for (int64_t i = 0; i < spatial; ++i) {
    low[2 + i] = win.pads[i];
    int64_t reach = (out[2 + i] - 1) * win.strides[i] +
                    (win.kernel[i] - 1) * win.dilations[i] + 1;
    high[2 + i] = std::max<int64_t>(0, reach - in[2 + i] - win.pads[i]);
  }
  Type t = xt.getElementType();
  OPTC_TRY(padded, ctx.create<PadOp>(PadMode::constant, x,
                                     ctx.scalar(t, -INFINITY), low, high));
  if (in[0] * in[1] > kMaxBuiltConstant)
    return ctx.error() << "the Indices output is too large to tabulate";
  // The flat offset of each image: (n * C + c) * prod(spatial).
  // Sizes of the verified input, within the limits per tensor.
  std::optional<int64_t> imageSize = sizes::product(in.drop_front(2));
  assert(imageSize && "a tensor within the limits per tensor");
  int64_t image = *imageSize;
  SmallVector<int64_t> bases;
  for (int64_t b = 0; b < in[0] * in[1]; ++b)
    bases.push_back(b * image);
  SmallVector<int64_t> baseShape{in[0], in[1]};
  baseShape.append(spatial, 1);
  Value base = ctx.reshape(ctx.i64s(bases), baseShape);
  if (!base)
    return failure();
  SmallVector<int64_t> outSpatial(out.drop_front(2));
  // Sizes of the verified result type, within the limits per tensor.
  std::optional<int64_t> pointCount = sizes::product(outSpatial);
  assert(pointCount && "a tensor within the limits per tensor");
  int64_t points = *pointCount;
  // One table of `points` input offsets per tap.
  if (points > kMaxBuiltConstant / taps)
    return ctx.error() << "the Indices output of " << points << " positions"
                       << " per image and " << taps
                       << " taps is too large to tabulate";
  Value best, bestIndex;
  SmallVector<int64_t> tap(spatial, 0);
  for (int64_t n = 0; n < taps; ++n) {
    // This tap's strided slice of the padded input, and the input position
    // every output reads at it.
    SmallVector<int64_t> starts(rank, 0), limits(rank), strides(rank, 1);
    limits[0] = in[0];
    limits[1] = in[1];
    SmallVector<SmallVector<int64_t>> coords(spatial);
    for (int64_t i = 0; i < spatial; ++i) {
      starts[2 + i] = tap[i] * win.dilations[i];
      strides[2 + i] = win.strides[i];
      limits[2 + i] = starts[2 + i] + (out[2 + i] - 1) * win.strides[i] + 1;
      for (int64_t o = 0; o < out[2 + i]; ++o)
        coords[i].push_back(o * win.strides[i] - win.pads[i] +
                            tap[i] * win.dilations[i]);
    }
    OPTC_TRY(cand, ctx.create<SliceOp>(padded, starts, limits, strides));
    SmallVector<int64_t> offsets;
    SmallVector<int64_t> at(spatial, 0);
    for (int64_t p = 0; p < points; ++p) {
      int64_t flat = 0;
      if (columnMajor) {
        for (int64_t i = spatial - 1; i >= 0; --i)
          flat = flat * in[2 + i] + coords[i][at[i]];
      } else {
        for (int64_t i = 0; i < spatial; ++i)
          flat = flat * in[2 + i] + coords[i][at[i]];
      }
      offsets.push_back(flat);
      for (int64_t i = spatial - 1; i >= 0 && ++at[i] == out[2 + i]; --i)
        at[i] = 0;
    }
    SmallVector<int64_t> offsetShape{1, 1};
    llvm::append_range(offsetShape, outSpatial);
    Value offset = ctx.reshape(ctx.i64s(offsets), offsetShape);
    if (!offset)
      return failure();
    OPTC_TRY(index, ctx.create<AddOp>(base, offset));
    if (!best) {
      best = cand;
      OPTC_TRY(full, ctx.create<BroadcastOp>(index, out));
      bestIndex = full;
    } else {
      OPTC_TRY(better, ctx.create<CompareOp>(ComparePredicate::gt, cand, best));
      OPTC_TRY(nb, ctx.create<SelectOp>(better, cand, best));
      OPTC_TRY(ni, ctx.create<SelectOp>(better, index, bestIndex));
      best = nb;
      bestIndex = ni;
    }
    for (int64_t i = spatial - 1; i >= 0 && ++tap[i] == win.kernel[i]; --i)
      tap[i] = 0;
  }
  return bestIndex;
}

/// The `p` of LpPool and GlobalLpPool: an int, a float before opset 2
/// (which must then be a whole number).
FailureOr<int64_t> lpOrder(NodeContext &ctx) {
  const onnx::AttributeProto *a = ctx.attr("p");
  if (ctx.opset < 2 && a && a->type() == onnx::AttributeProto::FLOAT) {
    float p = a->f();
    if (p != std::floor(p) || p < 1 || p > 64)
      return ctx.error() << "p = " << p
                         << " is not supported (a whole number from 1)";
    return static_cast<int64_t>(p);
  }
  return ctx.intAttr("p", 2);
}

template <typename OpTy> LogicalResult pool(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  RankedTensorType xt = ctx.typeOf(x);
  if (!ctx.attr("kernel_shape"))
    return ctx.error() << "attribute 'kernel_shape' is required";
  OPTC_TRY(win, windowAttrs(ctx, xt, {}));
  OPTC_TRY(ceilMode, ctx.intAttr("ceil_mode", 0));
  bool wantIndices = ctx.node.output_size() > 1 && !ctx.node.output(1).empty();
  OPTC_TRY(storageOrder, ctx.intAttr("storage_order", 0));
  if constexpr (std::is_same_v<OpTy, AvgPoolOp>) {
    OPTC_TRY(includePad, ctx.intAttr("count_include_pad", 0));
    OPTC_TRY(y,
             ctx.create<AvgPoolOp>(x, win.kernel, win.strides, win.dilations,
                                   win.pads, ceilMode != 0, includePad != 0));
    ctx.outputs = {y};
  } else if constexpr (std::is_same_v<OpTy, LpPoolOp>) {
    OPTC_TRY(p, lpOrder(ctx));
    OPTC_TRY(y, ctx.create<LpPoolOp>(x, win.kernel, win.strides, win.dilations,
                                     win.pads, ceilMode != 0, p));
    ctx.outputs = {y};
  } else {
    OPTC_TRY(y, ctx.create<MaxPoolOp>(x, win.kernel, win.strides, win.dilations,
                                      win.pads, ceilMode != 0));
    ctx.outputs = {y};
    if (wantIndices) {
      OPTC_TRY(indices,
               maxPoolIndices(ctx, x, ctx.typeOf(y), win, storageOrder != 0));
      ctx.outputs.push_back(indices);
    }
  }
  return success();
}

SmallVector<int64_t> spatialAxes(RankedTensorType type) {
  SmallVector<int64_t> axes;
  for (int64_t i = 2; i < type.getRank(); ++i)
    axes.push_back(i);
  return axes;
}

LogicalResult globalAveragePool(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(y, ctx.create<ReduceMeanOp>(x, spatialAxes(ctx.typeOf(x)), true));
  ctx.outputs = {y};
  return success();
}

LogicalResult globalMaxPool(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(y, ctx.create<ReduceMaxOp>(x, spatialAxes(ctx.typeOf(x)), true));
  ctx.outputs = {y};
  return success();
}

LogicalResult globalLpPool(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(p, lpOrder(ctx));
  if (p < 1)
    return ctx.error() << "p must be at least 1";
  Type element = ctx.typeOf(x).getElementType();
  OPTC_TRY(a, ctx.create<AbsOp>(x));
  OPTC_TRY(ap, ctx.create<PowOp>(a, ctx.scalar(element, p)));
  OPTC_TRY(s, ctx.create<ReduceSumOp>(ap, spatialAxes(ctx.typeOf(x)), true));
  OPTC_TRY(y, ctx.create<PowOp>(s, ctx.scalar(element, 1.0 / p)));
  ctx.outputs = {y};
  return success();
}

/// MaxUnpool: X's values scattered into zeros at the flat positions
/// MaxPool's indices name; the output shape is the input's unpooled (or
/// the output_shape input, possibly known only at run time).
LogicalResult maxUnpool(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(indices, ctx.requiredInput(1, "I"));
  RankedTensorType xt = ctx.typeOf(x);
  if (!xt.hasStaticShape() || xt.getRank() < 3 ||
      ctx.typeOf(indices).getShape() != xt.getShape())
    return ctx.error() << "X and I must be static and of one shape, found "
                       << xt << " and " << ctx.typeOf(indices);
  int64_t rank = xt.getRank(), n = xt.getNumElements();
  OPTC_TRY(kernel, ctx.intsAttr("kernel_shape"));
  bool stridesGiven = false, padsGiven = false;
  OPTC_TRY(strides, ctx.intsAttr("strides", &stridesGiven));
  OPTC_TRY(pads, ctx.intsAttr("pads", &padsGiven));
  int64_t spatial = rank - 2;
  if (static_cast<int64_t>(kernel.size()) != spatial)
    return ctx.error() << "kernel_shape must have " << spatial << " entries";
  if (!stridesGiven)
    strides.assign(spatial, 1);
  if (!padsGiven)
    pads.assign(2 * spatial, 0);
  if (static_cast<int64_t>(strides.size()) != spatial ||
      static_cast<int64_t>(pads.size()) != 2 * spatial)
    return ctx.error() << "strides and pads must have " << spatial << " and "
                       << 2 * spatial << " entries";
  // The values land in the unpooled shape, which then takes the top-left
  // corner of output_shape (zeros elsewhere), like the reference.
  SmallVector<int64_t> inferred{xt.getDimSize(0), xt.getDimSize(1)};
  // strides, pads and kernel_shape are attributes: the unpooled sizes and
  // their product may overflow.
  auto overflow = [&] {
    return ctx.error() << "the unpooled shape of " << xt << " overflows int64";
  };
  for (int64_t i = 0; i < spatial; ++i) {
    if (pads[i] == INT64_MIN || pads[spatial + i] == INT64_MIN)
      return overflow();
    std::optional<int64_t> d = sizes::mul(xt.getDimSize(2 + i) - 1, strides[i]);
    for (int64_t term : {-pads[i], -pads[spatial + i], kernel[i]})
      d = d ? sizes::add(*d, term) : std::nullopt;
    if (!d)
      return overflow();
    if (*d <= 0)
      return ctx.error() << "the unpooled size of dimension " << 2 + i << " is "
                         << *d;
    inferred.push_back(*d);
  }
  std::optional<int64_t> totalCount = sizes::product(inferred);
  if (!totalCount)
    return overflow();
  int64_t total = *totalCount;
  Type i64 = ctx.b.getI64Type();
  Value flatX = ctx.reshape(x, {n});
  Value flatI = ctx.reshape(ctx.castTo(indices, i64), {n});
  if (!flatX || !flatI)
    return failure();
  Value zeros =
      ctx.splat(RankedTensorType::get({total}, xt.getElementType()), 0);
  OPTC_TRY(scattered,
           ctx.create<ScatterElementsOp>(ScatterReduction::none, zeros, flatI,
                                         flatX, int64_t(0)));
  OPTC_TRY(unpooled, ctx.create<ReshapeOp>(scattered, inferred));
  Value shape = ctx.input(2);
  if (!shape) {
    ctx.outputs = {unpooled};
    return success();
  }
  SmallVector<int64_t> low(rank, 0);
  if (std::optional<SmallVector<int64_t>> given = getConstantInts(shape)) {
    if (static_cast<int64_t>(given->size()) != rank)
      return ctx.error() << "output_shape must have " << rank << " entries";
    SmallVector<int64_t> high;
    for (auto [g, d] : llvm::zip(*given, inferred)) {
      if (g < d)
        return ctx.error() << "output_shape " << g
                           << " is smaller than the unpooled size " << d;
      high.push_back(g - d);
    }
    OPTC_TRY(
        y, ctx.create<PadOp>(PadMode::constant, unpooled, Value(), low, high));
    ctx.outputs = {y};
    return success();
  }
  OPTC_TRY(sizes, ctx.runtimeInts(2, "output_shape"));
  if (ctx.typeOf(sizes).getDimSize(0) != rank)
    return ctx.error() << "output_shape must have " << rank << " entries";
  OPTC_TRY(high, ctx.create<SubOp>(sizes, ctx.i64s(inferred)));
  OPTC_TRY(y, ctx.create<DynamicPadOp>(PadMode::constant, unpooled,
                                       ctx.i64s(low), high, Value()));
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerPoolOps(OpRegistry &r) {
  r.add("", "MaxPool", pool<MaxPoolOp>);
  // AveragePool-1 lacks count_include_pad (0); LpPool-1 and
  // GlobalLpPool-1 have a float p.
  r.add("", "AveragePool", pool<AvgPoolOp>, 1);
  r.add("", "LpPool", pool<LpPoolOp>, 1);
  r.add("", "GlobalAveragePool", globalAveragePool);
  r.add("", "GlobalMaxPool", globalMaxPool);
  r.add("", "GlobalLpPool", globalLpPool, 1);
  r.add("", "MaxUnpool", maxUnpool, 9);
}
