//===- NNConv.cpp - ONNX convolutions -------------------------------------===//
//
// Conv, ConvTranspose (output_shape resolved into pads and output padding),
// Col2Im (a grouped transposed convolution with one-hot weights),
// ConvInteger and QLinearConv (i32 convolutions of the zero-point-shifted
// operands), CausalConvWithState and DeformConv (bilinear samples at the
// offset taps, then an im2col product).
//
//===----------------------------------------------------------------------===//

#include "../Calc.h"
#include "NNCommon.h"

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

FailureOr<Value> addBias(NodeContext &ctx, Value y, Value bias) {
  if (!bias)
    return y;
  // Bias of shape [C] over N x C x D...: reshape to C x 1 x ... x 1.
  int64_t rank = ctx.typeOf(y).getRank();
  SmallVector<int64_t> shape(rank - 1, 1);
  shape[0] = -1;
  Value b = ctx.reshape(bias, shape);
  if (!b)
    return failure();
  return ctx.create<AddOp>(y, b);
}

LogicalResult conv(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(w, ctx.requiredInput(1, "W"));
  RankedTensorType wt = ctx.typeOf(w);
  OPTC_TRY(win, convWindowAttrs(ctx, ctx.typeOf(x), wt));
  OPTC_TRY(group, ctx.intAttr("group", 1));
  OPTC_TRY(
      y, ctx.create<ConvOp>(x, w, win.strides, win.dilations, win.pads, group));
  OPTC_TRY(out, addBias(ctx, y, ctx.input(2)));
  ctx.outputs = {out};
  return success();
}

LogicalResult convTranspose(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(w, ctx.requiredInput(1, "W"));
  RankedTensorType xt = ctx.typeOf(x), wt = ctx.typeOf(w);
  OPTC_TRY(win, convWindowAttrs(ctx, xt, wt, /*transposed=*/true));
  int64_t n = xt.getRank() - 2;
  OPTC_TRY(group, ctx.intAttr("group", 1));
  bool given = false;
  OPTC_TRY(outputPadding, ctx.intsAttr("output_padding", &given));
  if (!given)
    outputPadding.assign(n, 0);
  OPTC_TRY(outputShape, ctx.intsAttr("output_shape", &given));
  if (given) {
    // The pads follow from the requested output size.
    if (static_cast<int64_t>(outputShape.size()) != n)
      return ctx.error() << "output_shape has " << outputShape.size()
                         << " entries for " << n << " spatial dimensions";
    OPTC_TRY(autoPad, ctx.stringAttr("auto_pad", "NOTSET"));
    for (int64_t i = 0; i < n; ++i) {
      int64_t size = xt.getDimSize(2 + i);
      if (ShapedType::isDynamic(size))
        return ctx.error() << "output_shape needs static spatial sizes";
      int64_t total = win.strides[i] * (size - 1) + outputPadding[i] +
                      (win.kernel[i] - 1) * win.dilations[i] + 1 -
                      outputShape[i];
      if (total < 0) {
        outputPadding[i] -= total;
        total = 0;
      }
      int64_t small = total / 2, big = total - small;
      bool lower = autoPad == "SAME_LOWER";
      win.pads[i] = lower ? big : small;
      win.pads[n + i] = lower ? small : big;
    }
  }
  OPTC_TRY(y, ctx.create<ConvTransposeOp>(x, w, win.strides, win.dilations,
                                          win.pads, outputPadding, group));
  OPTC_TRY(out, addBias(ctx, y, ctx.input(2)));
  ctx.outputs = {out};
  return success();
}

/// Col2Im: sums the columns of `input` (N x C*prod(block) x L) back into
/// images. It is the transposed convolution, in C groups, of the columns
/// (as N x C*K x L1 ... Ln) with one-hot weights: kernel position k of
/// channel c reads column c*K + k. The lowering of conv_transpose then does
/// the strided scatter-adds; the remainder of the block count's division
/// becomes output padding, so the result has exactly image_shape.
LogicalResult col2Im(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(image, ctx.constantInts(1, "image_shape"));
  OPTC_TRY(block, ctx.constantInts(2, "block_shape"));
  RankedTensorType xt = ctx.typeOf(x);
  int64_t n = image.size();
  if (xt.getRank() != 3 || !xt.hasStaticShape())
    return ctx.error() << "input must be N x C*prod(block_shape) x L with "
                          "static sizes, not "
                       << xt;
  if (static_cast<int64_t>(block.size()) != n || n == 0)
    return ctx.error() << "image_shape has " << n << " entries and block_shape "
                       << block.size()
                       << "; they need one per spatial dimension";
  bool given = false;
  OPTC_TRY(dilations, ctx.intsAttr("dilations", &given));
  if (!given)
    dilations.assign(n, 1);
  OPTC_TRY(strides, ctx.intsAttr("strides", &given));
  if (!given)
    strides.assign(n, 1);
  OPTC_TRY(pads, ctx.intsAttr("pads", &given));
  if (!given)
    pads.assign(2 * n, 0);
  if (static_cast<int64_t>(dilations.size()) != n ||
      static_cast<int64_t>(strides.size()) != n ||
      static_cast<int64_t>(pads.size()) != 2 * n)
    return ctx.error() << "dilations and strides need " << n
                       << " entries and pads " << 2 * n;
  int64_t kernel = 1, blocks = 1;
  SmallVector<int64_t> counts, remainders;
  for (int64_t d = 0; d < n; ++d) {
    if (block[d] < 1 || image[d] < 1 || strides[d] < 1 || dilations[d] < 1 ||
        pads[d] < 0 || pads[n + d] < 0)
      return ctx.error() << "image_shape, block_shape, strides and dilations "
                            "must be positive and pads not negative";
    // image_shape, block_shape, pads and dilations are inputs and
    // attributes: their sums and products may overflow.
    std::optional<int64_t> reach = sizes::mul(dilations[d], block[d] - 1);
    std::optional<int64_t> padded = sizes::add(image[d], pads[d]);
    padded = padded ? sizes::add(*padded, pads[n + d]) : std::nullopt;
    std::optional<int64_t> nextKernel = sizes::mul(kernel, block[d]);
    if (!reach || !padded || !nextKernel)
      return ctx.error() << "the padded image or the block of dimension " << d
                         << " overflows int64";
    // Both terms are non-negative: the difference cannot overflow.
    int64_t span = *padded - *reach - 1;
    if (span < 0)
      return ctx.error() << "the block of dimension " << d
                         << " does not fit the padded image";
    counts.push_back(span / strides[d] + 1);
    remainders.push_back(span % strides[d]);
    kernel = *nextKernel;
    std::optional<int64_t> nextBlocks = sizes::mul(blocks, counts.back());
    if (!nextBlocks)
      return ctx.error() << "the number of blocks overflows int64";
    blocks = *nextBlocks;
  }
  int64_t columns = xt.getDimSize(1);
  if (columns % kernel != 0 || xt.getDimSize(2) != blocks)
    return ctx.error() << "input " << xt << " does not hold C*" << kernel
                       << " rows of " << blocks
                       << " blocks for these image and block shapes";
  int64_t channels = columns / kernel;
  SmallVector<int64_t> shape{xt.getDimSize(0), columns};
  shape.append(counts);
  Value cols = ctx.reshape(x, shape);
  // Weight (C*K) x 1 x block: one-hot, position k of row c*K + k.
  SmallVector<int64_t> wShape{columns, 1};
  wShape.append(block);
  std::optional<int64_t> entries = sizes::mul(columns, kernel);
  if (!entries || *entries > kMaxBuiltConstant)
    return ctx.error() << "the one-hot weight of " << columns << " x " << kernel
                       << " entries that Col2Im builds is over "
                       << kMaxBuiltConstant;
  SmallVector<double> weights(*entries, 0.0);
  for (int64_t row = 0; row < columns; ++row)
    weights[row * kernel + row % kernel] = 1.0;
  auto f64 = RankedTensorType::get(wShape, ctx.b.getF64Type());
  Value w =
      ctx.castTo(ConstantOp::create(ctx.b, ctx.loc,
                                    cast<ElementsAttr>(DenseElementsAttr::get(
                                        f64, ArrayRef<double>(weights)))),
                 xt.getElementType());
  OPTC_TRY(y, ctx.create<ConvTransposeOp>(cols, w, strides, dilations, pads,
                                          remainders, channels));
  ctx.outputs = {y};
  return success();
}

/// The i32 convolution of (x - x_zero_point) and (w - w_zero_point), the
/// latter per output channel or per tensor (ConvInteger, QLinearConv).
FailureOr<Value> integerConv(NodeContext &ctx, Value x, Value xzp, Value w,
                             Value wzp, const WindowAttrs &win, int64_t group) {
  Type i32 = ctx.b.getI32Type();
  Value x32 = ctx.castTo(x, i32), w32 = ctx.castTo(w, i32);
  if (xzp) {
    OPTC_TRY(d, ctx.create<SubOp>(x32, ctx.castTo(xzp, i32)));
    x32 = d;
  }
  if (wzp) {
    Value z = ctx.castTo(wzp, i32);
    RankedTensorType zt = ctx.typeOf(z);
    if (zt.getRank() == 1 && zt.getDimSize(0) != 1) {
      SmallVector<int64_t> shape(ctx.typeOf(w).getRank(), 1);
      shape[0] = -1;
      z = ctx.reshape(z, shape);
      if (!z)
        return failure();
    }
    OPTC_TRY(d, ctx.create<SubOp>(w32, z));
    w32 = d;
  }
  return ctx.create<ConvOp>(x32, w32, win.strides, win.dilations, win.pads,
                            group);
}

LogicalResult convInteger(NodeContext &ctx) {
  // (x - x_zp) conv (w - w_zp) in i32; w_zp may be per output channel.
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  OPTC_TRY(w, ctx.requiredInput(1, "w"));
  RankedTensorType wt = ctx.typeOf(w);
  OPTC_TRY(win, convWindowAttrs(ctx, ctx.typeOf(x), wt));
  OPTC_TRY(group, ctx.intAttr("group", 1));
  OPTC_TRY(y, integerConv(ctx, x, ctx.input(2), w, ctx.input(3), win, group));
  ctx.outputs = {y};
  return success();
}

/// A per-output-channel (1-D) or per-tensor value shaped to broadcast over
/// an N x M x D... result.
FailureOr<Value> perChannel(NodeContext &ctx, Value v, int64_t rank) {
  RankedTensorType t = ctx.typeOf(v);
  if (t.getRank() == 0)
    return v;
  if (t.getRank() != 1)
    return ctx.error() << "a per-channel value must be 1-D, found " << t;
  SmallVector<int64_t> shape(rank, 1);
  shape[1] = -1;
  Value r = ctx.reshape(v, shape);
  if (!r)
    return failure();
  return r;
}

/// QLinearConv: the i32 convolution of the zero-point-shifted operands
/// plus the i32 bias, scaled by x_scale * w_scale / y_scale, shifted by
/// y_zero_point and saturated to y's integer type.
LogicalResult qlinearConv(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  OPTC_TRY(xs, ctx.requiredInput(1, "x_scale"));
  OPTC_TRY(w, ctx.requiredInput(3, "w"));
  OPTC_TRY(ws, ctx.requiredInput(4, "w_scale"));
  OPTC_TRY(ys, ctx.requiredInput(6, "y_scale"));
  if (failed(checkScales(ctx, xs, "x_scale")) ||
      failed(checkScales(ctx, ws, "w_scale")) ||
      failed(checkScales(ctx, ys, "y_scale")))
    return failure();
  Value xzp = ctx.input(2), wzp = ctx.input(5), yzp = ctx.input(7),
        bias = ctx.input(8);
  RankedTensorType wt = ctx.typeOf(w);
  OPTC_TRY(win, convWindowAttrs(ctx, ctx.typeOf(x), wt));
  OPTC_TRY(group, ctx.intAttr("group", 1));
  Type i32 = ctx.b.getI32Type();
  OPTC_TRY(acc, integerConv(ctx, x, xzp, w, wzp, win, group));
  int64_t rank = ctx.typeOf(acc).getRank();
  if (bias) {
    OPTC_TRY(b, perChannel(ctx, ctx.castTo(bias, i32), rank));
    OPTC_TRY(withBias, ctx.create<AddOp>(acc, b));
    acc = withBias;
  }
  Type f32 = ctx.b.getF32Type();
  OPTC_TRY(wsc, perChannel(ctx, ctx.castTo(ws, f32), rank));
  Value xsc = ctx.castTo(xs, f32);
  if (ctx.typeOf(xsc).getRank() != 0)
    xsc = ctx.reshape(xsc, {});
  if (!xsc)
    return failure();
  OPTC_TRY(scale, ctx.create<MulOp>(xsc, wsc));
  Value ysc = ctx.castTo(ys, f32);
  if (ctx.typeOf(ysc).getRank() != 0)
    ysc = ctx.reshape(ysc, {});
  if (!ysc)
    return failure();
  OPTC_TRY(factor, ctx.create<DivOp>(scale, ysc));
  OPTC_TRY(y,
           requantize(ctx, acc, factor, yzp, ctx.typeOf(x).getElementType()));
  ctx.outputs = {y};
  return success();
}

/// CausalConvWithState: a depthwise 1-D convolution over the past state
/// (zeros when absent) followed by the input, an optional SiLU, and the
/// last k - 1 steps as the new state.
LogicalResult causalConvWithState(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(w, ctx.requiredInput(1, "weight"));
  Value bias = ctx.input(2), past = ctx.input(3);
  OPTC_TRY(activation, ctx.stringAttr("activation", "none"));
  if (activation != "none" && activation != "silu" && activation != "swish")
    return ctx.error() << "activation '" << activation
                       << "' is not one of none, silu, swish";
  RankedTensorType xt = ctx.typeOf(x), wt = ctx.typeOf(w);
  if (xt.getRank() != 3 || wt.getRank() != 3 || !xt.hasStaticShape() ||
      !wt.hasStaticShape())
    return ctx.error() << "needs static [batch, channels, length] input and "
                          "[channels, 1, k] weight, found "
                       << xt << " and " << wt;
  int64_t batch = xt.getDimSize(0), channels = xt.getDimSize(1),
          k = wt.getDimSize(2);
  if (!past)
    past = ctx.splat(xt.clone({batch, channels, k - 1}), 0);
  OPTC_TRY(padded, ctx.create<ConcatOp>(ValueRange{past, x}, 2));
  OPTC_TRY(y, ctx.create<ConvOp>(padded, w, ArrayRef<int64_t>{1},
                                 ArrayRef<int64_t>{1}, ArrayRef<int64_t>{0, 0},
                                 channels));
  OPTC_TRY(out, addBias(ctx, y, bias));
  if (activation != "none") {
    OPTC_TRY(sg, ctx.create<SigmoidOp>(out));
    OPTC_TRY(silu, ctx.create<MulOp>(out, sg));
    out = silu;
  }
  int64_t total = ctx.typeOf(padded).getDimSize(2);
  OPTC_TRY(state,
           ctx.create<SliceOp>(padded, ArrayRef<int64_t>{0, 0, total - (k - 1)},
                               ArrayRef<int64_t>{batch, channels, total},
                               ArrayRef<int64_t>{1, 1, 1}));
  ctx.outputs = {out, state};
  return success();
}

/// DeformConv (2-D): every kernel tap samples the input bilinearly (zero
/// outside) at its position moved by the learned offset, scaled by the
/// optional mask; the samples form the columns of an im2col product with
/// the weights, group by group.
LogicalResult deformConv(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(w, ctx.requiredInput(1, "W"));
  OPTC_TRY(offset, ctx.requiredInput(2, "offset"));
  Value bias = ctx.input(3), mask = ctx.input(4);
  RankedTensorType xt = ctx.typeOf(x), wt = ctx.typeOf(w),
                   ot = ctx.typeOf(offset);
  if (xt.getRank() != 4 || !xt.hasStaticShape() || !wt.hasStaticShape() ||
      !ot.hasStaticShape() || wt.getRank() != 4 || ot.getRank() != 4)
    return ctx.error() << "needs static 4-D X, W and offset, found " << xt
                       << ", " << wt << ", " << ot;
  Type t = xt.getElementType();
  if (!isa<FloatType>(t) || ot.getElementType() != t)
    return ctx.error() << "X and offset must have one float type";
  int64_t n = xt.getDimSize(0), c = xt.getDimSize(1), h = xt.getDimSize(2),
          wd = xt.getDimSize(3);
  int64_t oc = wt.getDimSize(0), kh = wt.getDimSize(2), kw = wt.getDimSize(3);
  int64_t oh = ot.getDimSize(2), ow = ot.getDimSize(3), k = kh * kw;
  OPTC_TRY(group, ctx.intAttr("group", 1));
  OPTC_TRY(offsetGroup, ctx.intAttr("offset_group", 1));
  bool given = false;
  OPTC_TRY(strides, ctx.intsAttr("strides", &given));
  if (!given)
    strides = {1, 1};
  OPTC_TRY(dilations, ctx.intsAttr("dilations", &given));
  if (!given)
    dilations = {1, 1};
  OPTC_TRY(pads, ctx.intsAttr("pads", &given));
  if (!given)
    pads = {0, 0, 0, 0};
  // group and offset_group are attributes: their products may overflow.
  std::optional<int64_t> offsetChannels =
      offsetGroup > 0 ? sizes::product({offsetGroup, 2, k}) : std::nullopt;
  std::optional<int64_t> weightChannels =
      group > 0 ? sizes::mul(wt.getDimSize(1), group) : std::nullopt;
  if (!offsetChannels || !weightChannels || c % group || oc % group ||
      c % offsetGroup || *weightChannels != c || ot.getDimSize(0) != n ||
      ot.getDimSize(1) != *offsetChannels || strides.size() != 2 ||
      dilations.size() != 2 || pads.size() != 4)
    return ctx.error() << "inconsistent shapes or attributes: X " << xt
                       << ", W " << wt << ", offset " << ot;
  Calc cc(ctx);
  Type i64 = ctx.b.getI64Type();
  std::optional<int64_t> pointCount = sizes::product({k, oh, ow});
  int64_t points = pointCount.value_or(0), cg = c / offsetGroup;
  if (!pointCount || points > kMaxBuiltConstant)
    return ctx.error() << "the kernel and output are too large to tabulate";
  // Offsets as [N, G, K, 2, OH, OW]: the row (0) and column (1) shifts.
  Value off = ctx.reshape(offset, {n, offsetGroup, k, 2, oh, ow});
  auto part = [&](int64_t which) {
    Value s =
        cc.op<SliceOp>(off, ArrayRef<int64_t>{0, 0, 0, which, 0, 0},
                       ArrayRef<int64_t>{n, offsetGroup, k, which + 1, oh, ow},
                       ArrayRef<int64_t>{1, 1, 1, 1, 1, 1});
    return s ? ctx.reshape(s, {n, offsetGroup, k, oh, ow}) : Value();
  };
  // The undeformed tap positions, [1, 1, K, OH, 1] and [1, 1, K, 1, OW].
  SmallVector<double> rows, cols;
  for (int64_t i = 0; i < kh; ++i)
    for (int64_t j = 0; j < kw; ++j) {
      for (int64_t y = 0; y < oh; ++y)
        rows.push_back(double(-pads[0] + strides[0] * y + i * dilations[0]));
      for (int64_t z = 0; z < ow; ++z)
        cols.push_back(double(-pads[1] + strides[1] * z + j * dilations[1]));
    }
  auto constant = [&](ArrayRef<double> v, ArrayRef<int64_t> shape) {
    auto f64 = RankedTensorType::get(shape, ctx.b.getF64Type());
    return ctx.castTo(
        ConstantOp::create(ctx.b, ctx.loc,
                           cast<ElementsAttr>(DenseElementsAttr::get(f64, v))),
        t);
  };
  Value py = cc.add(constant(rows, {1, 1, k, oh, 1}), part(0));
  Value px = cc.add(constant(cols, {1, 1, k, 1, ow}), part(1));
  Value y0 = cc.floor(py), x0 = cc.floor(px);
  Value fy = cc.sub(py, y0), fx = cc.sub(px, x0);
  Value iy = cc.cast(y0, i64), ix = cc.cast(x0, i64);
  Value flatX = ctx.reshape(x, {n, offsetGroup, cg, h * wd});
  Value sampled;
  for (int64_t dy = 0; dy < 2; ++dy)
    for (int64_t dx = 0; dx < 2; ++dx) {
      Value ty = cc.add(iy, cc.i64(dy)), tx = cc.add(ix, cc.i64(dx));
      Value inside = cc.op<AndOp>(
          cc.op<AndOp>(cc.cmp(ComparePredicate::ge, ty, cc.i64(0)),
                       cc.cmp(ComparePredicate::lt, ty, cc.i64(h))),
          cc.op<AndOp>(cc.cmp(ComparePredicate::ge, tx, cc.i64(0)),
                       cc.cmp(ComparePredicate::lt, tx, cc.i64(wd))));
      Value wy = dy ? fy : cc.sub(cc.constant(t, 1), fy);
      Value wx = dx ? fx : cc.sub(cc.constant(t, 1), fx);
      Value weight = cc.select(inside, cc.mul(wy, wx), cc.constant(t, 0));
      Value index = cc.add(
          cc.mul(cc.min(cc.max(ty, cc.i64(0)), cc.i64(h - 1)), cc.i64(wd)),
          cc.min(cc.max(tx, cc.i64(0)), cc.i64(wd - 1)));
      if (!cc.ok())
        return failure();
      Value idx = ctx.reshape(index, {n, offsetGroup, 1, points});
      Value wide = idx ? cc.op<BroadcastOp>(
                             idx, ArrayRef<int64_t>{n, offsetGroup, cg, points})
                       : Value();
      Value got = wide && flatX
                      ? cc.op<GatherElementsOp>(flatX, wide, int64_t(3))
                      : Value();
      Value wShaped = ctx.reshape(weight, {n, offsetGroup, 1, points});
      Value term = got && wShaped ? cc.mul(got, wShaped) : Value();
      if (!term)
        return failure();
      sampled = sampled ? cc.add(sampled, term) : term;
    }
  if (mask) {
    RankedTensorType mt = ctx.typeOf(mask);
    if (!mt.hasStaticShape() || mt.getNumElements() != n * offsetGroup * points)
      return ctx.error() << "mask must be [N, " << offsetGroup * k << ", " << oh
                         << ", " << ow << "], found " << mt;
    Value m = ctx.reshape(ctx.castTo(mask, t), {n, offsetGroup, 1, points});
    sampled = m ? cc.mul(sampled, m) : Value();
  }
  // Columns [N, group, C/group * K, OH*OW] times weights
  // [1, group, OC/group, C/group * K].
  int64_t cpg = c / group, opg = oc / group;
  Value columns =
      sampled ? ctx.reshape(sampled, {n, group, cpg * k, oh * ow}) : Value();
  Value weights = ctx.reshape(ctx.castTo(w, t), {1, group, opg, cpg * k});
  Value product =
      columns && weights ? cc.op<MatmulOp>(weights, columns) : Value();
  Value y = product ? ctx.reshape(product, {n, oc, oh, ow}) : Value();
  if (y && bias) {
    Value b = ctx.reshape(ctx.castTo(bias, t), {1, oc, 1, 1});
    y = b ? cc.add(y, b) : Value();
  }
  if (!cc.ok() || !y)
    return failure();
  ctx.outputs = {y};
  return success();
}

} // namespace

void onnx_import::registerConvOps(OpRegistry &r) {
  r.add("", "Conv", conv);
  r.add("", "ConvTranspose", convTranspose);
  r.add("", "Col2Im", col2Im);
  r.add("", "ConvInteger", convInteger);
  r.add("", "QLinearConv", qlinearConv, 10);
  r.add("", "CausalConvWithState", causalConvWithState);
  r.add("", "DeformConv", deformConv, 19);
}
