//===- NNNorm.cpp - ONNX normalisations -----------------------------------===//
//
// BatchNormalization (inference and training mode), InstanceNormalization,
// GroupNormalization, LayerNormalization and RMSNormalization (the last
// three with statistics in stash_type), LpNormalization,
// MeanVarianceNormalization, LRN and the experimental ImageScaler; the ones
// optc has no op for are decomposed.
//
//===----------------------------------------------------------------------===//

#include "NNCommon.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

LogicalResult batchNorm(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(scale, ctx.requiredInput(1, "scale"));
  OPTC_TRY(bias, ctx.requiredInput(2, "B"));
  OPTC_TRY(mean, ctx.requiredInput(3, "input_mean"));
  OPTC_TRY(var, ctx.requiredInput(4, "input_var"));
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-5f));
  OPTC_TRY(training, ctx.intAttr("training_mode", 0));
  // Before opset 9 `spatial` = 0 gives every element of a sample its own
  // statistics; before 7, `is_test` = 0 asked for training, which onnx's
  // version converter drops: inference, as onnxruntime runs it.
  OPTC_TRY(spatial, ctx.intAttr("spatial", 1));
  if (ctx.opset >= 9)
    spatial = 1;
  Type element = ctx.typeOf(x).getElementType();
  if (!spatial && !training) {
    // y = (x - mean) / sqrt(var + epsilon) * scale + B, the parameters
    // shaped like one sample ([C, D1, ...]).
    RankedTensorType xt = ctx.typeOf(x);
    if (xt.getRank() < 2)
      return ctx.error() << "X must have a batch and a channel dimension";
    SmallVector<int64_t> source;
    SmallVector<Value> params;
    for (Value v : {scale, bias, mean, var}) {
      Value p = ctx.castTo(v, element);
      int64_t rank = ctx.typeOf(p).getRank();
      if (rank > xt.getRank() - 1)
        return ctx.error() << "with spatial = 0 the parameters have at most "
                           << xt.getRank() - 1 << " dimensions, found "
                           << p.getType();
      // [C] lines up with the channels, [C, D1, ...] with a whole sample.
      SmallVector<int64_t> dims{-1};
      for (int64_t d = 0; d < rank; ++d)
        dims.push_back(d);
      dims.append(xt.getRank() - 1 - rank, -1);
      OPTC_TRY(shaped, ctx.reshapeDims(p, dims));
      params.push_back(shaped);
    }
    OPTC_TRY(centered, ctx.create<SubOp>(x, params[2]));
    OPTC_TRY(varEps,
             ctx.create<AddOp>(params[3], ctx.scalar(element, epsilon)));
    OPTC_TRY(std, ctx.create<SqrtOp>(varEps));
    OPTC_TRY(normed, ctx.create<DivOp>(centered, std));
    OPTC_TRY(scaled, ctx.create<MulOp>(normed, params[0]));
    OPTC_TRY(y, ctx.create<AddOp>(scaled, params[1]));
    ctx.outputs = {y};
    return success();
  }
  if (!spatial)
    return ctx.error() << "spatial = 0 in training mode is not supported";
  if (training) {
    if (ctx.opset < 14)
      return ctx.error() << "training_mode needs opset 14 or newer";
    // Normalise with the batch's own statistics (biased variance over all
    // dimensions but the channels) and update the running ones.
    OPTC_TRY(momentum, ctx.floatAttr("momentum", 0.9f));
    RankedTensorType type = ctx.typeOf(x);
    SmallVector<int64_t> axes;
    for (int64_t d = 0; d < type.getRank(); ++d)
      if (d != 1)
        axes.push_back(d);
    OPTC_TRY(m, ctx.create<ReduceMeanOp>(x, axes, true));
    OPTC_TRY(centered, ctx.create<SubOp>(x, m));
    OPTC_TRY(sq, ctx.create<MulOp>(centered, centered));
    OPTC_TRY(batchMean, ctx.create<ReduceMeanOp>(x, axes, false));
    OPTC_TRY(batchVar, ctx.create<ReduceMeanOp>(sq, axes, false));
    OPTC_TRY(y, ctx.create<BatchNormOp>(x, ctx.castTo(scale, element),
                                        ctx.castTo(bias, element), batchMean,
                                        batchVar,
                                        APFloat(static_cast<double>(epsilon))));
    auto running = [&](Value old, Value batchStat) -> FailureOr<Value> {
      Type t = ctx.typeOf(old).getElementType();
      OPTC_TRY(a, ctx.create<MulOp>(old, ctx.scalar(t, momentum)));
      OPTC_TRY(b, ctx.create<MulOp>(ctx.castTo(batchStat, t),
                                    ctx.scalar(t, 1 - double(momentum))));
      return ctx.create<AddOp>(a, b);
    };
    OPTC_TRY(runningMean, running(mean, batchMean));
    OPTC_TRY(runningVar, running(var, batchVar));
    ctx.outputs = {y, runningMean, runningVar};
    return success();
  }
  // In inference the other outputs (running and saved statistics, which
  // exporters before opset 14 often name) are not produced: using one is
  // an error.
  // Statistics may come in another precision (opset 15): bring them to X's.
  OPTC_TRY(y, ctx.create<BatchNormOp>(
                  x, ctx.castTo(scale, element), ctx.castTo(bias, element),
                  ctx.castTo(mean, element), ctx.castTo(var, element),
                  APFloat(static_cast<double>(epsilon))));
  ctx.outputs = {y};
  return success();
}

/// The type ONNX's `stash_type` attribute names (f32 when absent), for
/// the normalisations that compute their statistics in it.
FailureOr<TypeAttr> stashTypeOf(NodeContext &ctx) {
  OPTC_TRY(code, ctx.intAttr("stash_type", 1));
  std::string why;
  FailureOr<Type> stash =
      convertElementType(static_cast<int32_t>(code), ctx.b.getContext(), why);
  if (failed(stash) || !isa<FloatType>(*stash))
    return ctx.error() << "stash_type " << code << " is not a float type";
  return TypeAttr::get(*stash);
}

LogicalResult instanceNorm(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(scale, ctx.requiredInput(1, "scale"));
  OPTC_TRY(bias, ctx.requiredInput(2, "B"));
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-5f));
  RankedTensorType type = ctx.typeOf(x);
  int64_t channels =
      type.getRank() >= 2 ? type.getDimSize(1) : ShapedType::kDynamic;
  if (ShapedType::isDynamic(channels))
    channels = ctx.typeOf(scale).getRank() == 1
                   ? ctx.typeOf(scale).getDimSize(0)
                   : ShapedType::kDynamic;
  if (ShapedType::isDynamic(channels))
    return ctx.error() << "the channel count must be known at compile time";
  OPTC_TRY(y, ctx.create<GroupNormOp>(x, scale, bias, channels,
                                      APFloat(static_cast<double>(epsilon)),
                                      TypeAttr()));
  ctx.outputs = {y};
  return success();
}

LogicalResult groupNorm(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(scale, ctx.requiredInput(1, "scale"));
  OPTC_TRY(bias, ctx.requiredInput(2, "bias"));
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-5f));
  OPTC_TRY(groups, ctx.requiredIntAttr("num_groups"));
  RankedTensorType type = ctx.typeOf(x);
  if (ctx.opset < 21) {
    // Opset 18 gives one scale and bias per group: repeat each for the
    // channels of its group.
    if (type.getRank() < 2 || type.isDynamicDim(1))
      return ctx.error() << "the channel count must be known at compile time";
    int64_t channels = type.getDimSize(1);
    if (groups <= 0 || channels % groups != 0)
      return ctx.error() << "channels (" << channels
                         << ") are not divisible by num_groups (" << groups
                         << ")";
    auto perChannel = [&](Value v) -> FailureOr<Value> {
      Value g = ctx.reshape(v, {groups, 1});
      if (!g)
        return failure();
      OPTC_TRY(b, ctx.create<BroadcastOp>(
                      g, ArrayRef<int64_t>{groups, channels / groups}));
      Value r = ctx.reshape(b, {channels});
      if (!r)
        return failure();
      return r;
    };
    OPTC_TRY(s, perChannel(scale));
    OPTC_TRY(b, perChannel(bias));
    scale = s;
    bias = b;
  }
  TypeAttr stash;
  if (ctx.opset >= 21) {
    OPTC_TRY(attr, stashTypeOf(ctx));
    stash = attr;
  }
  OPTC_TRY(y, ctx.create<GroupNormOp>(x, scale, bias, groups,
                                      APFloat(static_cast<double>(epsilon)),
                                      stash));
  ctx.outputs = {y};
  return success();
}

LogicalResult layerNorm(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(scale, ctx.requiredInput(1, "Scale"));
  Value bias = ctx.input(2);
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -1));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(x).getRank()));
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-5f));
  OPTC_TRY(stashAttr, stashTypeOf(ctx));
  OPTC_TRY(y, ctx.create<LayerNormOp>(x, scale, bias, axis,
                                      APFloat(static_cast<double>(epsilon)),
                                      stashAttr));
  ctx.outputs = {y};
  bool wantsStats = false;
  for (int i = 1; i < ctx.node.output_size(); ++i)
    wantsStats |= !ctx.node.output(i).empty();
  if (!wantsStats)
    return success();
  // Mean and InvStdDev over the normalised dimensions, kept as size 1, in
  // the stash type.
  RankedTensorType type = ctx.typeOf(x);
  SmallVector<int64_t> axes;
  for (int64_t i = axis; i < type.getRank(); ++i)
    axes.push_back(i);
  Type stash = stashAttr.getValue();
  Value xs = ctx.castTo(x, stash);
  OPTC_TRY(mean, ctx.create<ReduceMeanOp>(xs, axes, true));
  OPTC_TRY(centered, ctx.create<SubOp>(xs, mean));
  OPTC_TRY(sq, ctx.create<MulOp>(centered, centered));
  OPTC_TRY(var, ctx.create<ReduceMeanOp>(sq, axes, true));
  OPTC_TRY(varEps, ctx.create<AddOp>(var, ctx.scalar(stash, epsilon)));
  OPTC_TRY(invStd, ctx.create<RsqrtOp>(varEps));
  ctx.outputs = {y, mean, invStd};
  return success();
}

LogicalResult rmsNorm(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(scale, ctx.requiredInput(1, "scale"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -1));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(x).getRank()));
  OPTC_TRY(epsilon, ctx.floatAttr("epsilon", 1e-5f));
  OPTC_TRY(stash, stashTypeOf(ctx));
  OPTC_TRY(y,
           ctx.create<RmsNormOp>(x, scale, axis,
                                 APFloat(static_cast<double>(epsilon)), stash));
  ctx.outputs = {y};
  return success();
}

LogicalResult lpNormalization(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(axisAttr, ctx.intAttr("axis", -1));
  OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, ctx.typeOf(x).getRank()));
  OPTC_TRY(p, ctx.intAttr("p", 2));
  Value norm;
  if (p == 1) {
    OPTC_TRY(a, ctx.create<AbsOp>(x));
    OPTC_TRY(s, ctx.create<ReduceSumOp>(a, ArrayRef<int64_t>{axis}, true));
    norm = s;
  } else if (p == 2) {
    OPTC_TRY(sq, ctx.create<MulOp>(x, x));
    OPTC_TRY(s, ctx.create<ReduceSumOp>(sq, ArrayRef<int64_t>{axis}, true));
    OPTC_TRY(r, ctx.create<SqrtOp>(s));
    norm = r;
  } else {
    return ctx.error() << "p must be 1 or 2, found " << p;
  }
  // A zero norm gives 0, not NaN (the reference's np.where).
  Type t = ctx.typeOf(x).getElementType();
  OPTC_TRY(q, ctx.create<DivOp>(x, norm));
  OPTC_TRY(isZero,
           ctx.create<CompareOp>(ComparePredicate::eq, norm, ctx.scalar(t, 0)));
  OPTC_TRY(y, ctx.create<SelectOp>(isZero, ctx.scalar(t, 0), q));
  ctx.outputs = {y};
  return success();
}

LogicalResult meanVarianceNormalization(NodeContext &ctx) {
  // (x - mean) / sqrt(mean(x^2) - mean^2 + 1e-9) over `axes`.
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  RankedTensorType type = ctx.typeOf(x);
  bool given = false;
  SmallVector<int64_t> axesRaw;
  bool normalizeVariance = true;
  if (ctx.opset < 9) {
    // The experimental MeanVarianceNormalization-1: per channel of an NCHW
    // tensor, or over everything with `across_channels`; the statistics
    // take in the whole batch, as onnxruntime computes them (and as
    // MeanVarianceNormalization-9's default axes do).
    OPTC_TRY(across, ctx.intAttr("across_channels", 0));
    OPTC_TRY(normalize, ctx.intAttr("normalize_variance", 1));
    normalizeVariance = normalize != 0;
    if (type.getRank() < 2)
      return ctx.error() << "X must be at least 2-D (N, C, ...)";
    axesRaw.push_back(0);
    for (int64_t d = across ? 1 : 2; d < type.getRank(); ++d)
      axesRaw.push_back(d);
  } else {
    OPTC_TRY(a, ctx.intsAttr("axes", &given));
    axesRaw = a;
    if (!given)
      axesRaw = {0, 2, 3};
  }
  OPTC_TRY(axes, ctx.normalizeAxes(axesRaw, type.getRank()));
  OPTC_TRY(mean, ctx.create<ReduceMeanOp>(x, axes, true));
  if (!normalizeVariance) {
    OPTC_TRY(y, ctx.create<SubOp>(x, mean));
    ctx.outputs = {y};
    return success();
  }
  OPTC_TRY(sq, ctx.create<MulOp>(x, x));
  OPTC_TRY(meanSq, ctx.create<ReduceMeanOp>(sq, axes, true));
  OPTC_TRY(mean2, ctx.create<MulOp>(mean, mean));
  OPTC_TRY(var, ctx.create<SubOp>(meanSq, mean2));
  OPTC_TRY(varEps,
           ctx.create<AddOp>(var, ctx.scalar(type.getElementType(), 1e-9)));
  OPTC_TRY(std, ctx.create<SqrtOp>(varEps));
  OPTC_TRY(centered, ctx.create<SubOp>(x, mean));
  OPTC_TRY(y, ctx.create<DivOp>(centered, std));
  ctx.outputs = {y};
  return success();
}

/// ImageScaler (experimental, opsets 1 to 9): x * scale + bias[c] on an
/// NCHW image.
LogicalResult imageScaler(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  OPTC_TRY(scale, ctx.floatAttr("scale", 1.0f));
  OPTC_TRY(bias, ctx.floatsAttr("bias"));
  if (type.getRank() != 4)
    return ctx.error() << "the input must be 4-D (NCHW), found " << type;
  Type element = type.getElementType();
  OPTC_TRY(y, ctx.create<MulOp>(x, ctx.scalar(element, scale)));
  if (!bias.empty()) {
    int64_t c = type.getDimSize(1);
    if (!ShapedType::isDynamic(c) && static_cast<int64_t>(bias.size()) != c)
      return ctx.error() << "bias has " << bias.size() << " values for " << c
                         << " channels";
    SmallVector<double> values(bias.begin(), bias.end());
    auto f64 = RankedTensorType::get(
        {1, static_cast<int64_t>(values.size()), 1, 1}, ctx.b.getF64Type());
    Value b = ConstantOp::create(
        ctx.b, ctx.loc,
        cast<ElementsAttr>(DenseElementsAttr::get(f64, ArrayRef(values))));
    OPTC_TRY(sum, ctx.create<AddOp>(y, ctx.castTo(b, element)));
    y = sum;
  }
  ctx.outputs = {y};
  return success();
}

/// LRN: x / (bias + alpha / size * sum of x^2 over the channel window
/// [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta.
LogicalResult lrn(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  RankedTensorType type = ctx.typeOf(x);
  OPTC_TRY(size, ctx.requiredIntAttr("size"));
  OPTC_TRY(alpha, ctx.floatAttr("alpha", 1e-4f));
  OPTC_TRY(beta, ctx.floatAttr("beta", 0.75f));
  OPTC_TRY(bias, ctx.floatAttr("bias", 1.0f));
  if (type.getRank() < 3 || !type.hasStaticShape() ||
      !isa<FloatType>(type.getElementType()))
    return ctx.error() << "needs a static float [N, C, D1, ...] input, found "
                       << type;
  if (size <= 0)
    return ctx.error() << "size must be positive, found " << size;
  int64_t rank = type.getRank(), channels = type.getDimSize(1);
  // floor and ceil of (size - 1) / 2; a window reaching past every channel
  // only adds zeros, so it is cut to the channels (alpha still divides by
  // the full size).
  int64_t before = std::min((size - 1) / 2, channels - 1);
  int64_t after = std::min(size / 2, channels - 1);
  int64_t taps = before + after + 1;
  // One slice and one add per tap: a window wider than any real network's
  // (3 to 9 channels) would be unbounded compile-time work.
  constexpr int64_t kMaxTaps = 1024;
  if (taps > kMaxTaps)
    return ctx.error() << "a window of " << taps
                       << " channels is more than optc unrolls (" << kMaxTaps
                       << ")";
  Type t = type.getElementType();
  OPTC_TRY(sq, ctx.create<MulOp>(x, x));
  SmallVector<int64_t> low(rank, 0), high(rank, 0);
  low[1] = before;
  high[1] = after;
  OPTC_TRY(padded,
           ctx.create<PadOp>(PadMode::constant, sq, Value(), low, high));
  // The window sum: `size` shifted slices of the padded squares.
  Value sum;
  for (int64_t k = 0; k < taps; ++k) {
    SmallVector<int64_t> starts(rank, 0), limits(type.getShape()),
        strides(rank, 1);
    starts[1] = k;
    limits[1] = k + channels;
    OPTC_TRY(slice, ctx.create<SliceOp>(padded, starts, limits, strides));
    if (!sum) {
      sum = slice;
      continue;
    }
    OPTC_TRY(s, ctx.create<AddOp>(sum, slice));
    sum = s;
  }
  OPTC_TRY(scaled, ctx.create<MulOp>(sum, ctx.scalar(t, double(alpha) / size)));
  OPTC_TRY(base, ctx.create<AddOp>(scaled, ctx.scalar(t, bias)));
  OPTC_TRY(denominator, ctx.create<PowOp>(base, ctx.scalar(t, beta)));
  OPTC_TRY(y, ctx.create<DivOp>(x, denominator));
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerNormalizationOps(OpRegistry &r) {
  // BatchNormalization-1/6: is_test, spatial, consumed_inputs.
  r.add("", "BatchNormalization", batchNorm, 1);
  r.add("", "InstanceNormalization", instanceNorm, 1);
  r.add("", "GroupNormalization", groupNorm);
  r.add("", "LayerNormalization", layerNorm);
  r.add("", "RMSNormalization", rmsNorm);
  r.add("", "LpNormalization", lpNormalization);
  // Before opset 9, the experimental MeanVarianceNormalization-1.
  r.add("", "MeanVarianceNormalization", meanVarianceNormalization, 1);
  r.add("", "ImageScaler", imageScaler, 1, 9);
  r.add("", "LRN", lrn);
}
