//===- NN.cpp - ONNX convolution, pooling, softmax, normalisations --------===//
//
// Resolves ONNX's auto_pad and defaults into the explicit attributes of the
// optc ops, and decomposes the normalisations optc has no op for.
//
//===----------------------------------------------------------------------===//

#include "../Calc.h"
#include "../ImportContext.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// strides, dilations and pads of a windowed op over `n` spatial dims.
struct WindowAttrs {
  SmallVector<int64_t> kernel, strides, dilations, pads;
};

/// Reads kernel_shape (or takes `kernel`), strides, dilations, pads and
/// auto_pad; SAME_UPPER/SAME_LOWER padding is computed from the input.
FailureOr<WindowAttrs> windowAttrs(NodeContext &ctx, RankedTensorType input,
                                   ArrayRef<int64_t> kernelFromWeight,
                                   bool transposed = false) {
  int64_t n = input.getRank() - 2;
  if (n < 1)
    return ctx.error() << "input must have rank >= 3, found " << input;
  WindowAttrs w;
  bool given = false;
  OPTC_TRY(kernel, ctx.intsAttr("kernel_shape", &given));
  w.kernel = given ? kernel : SmallVector<int64_t>(kernelFromWeight);
  if (static_cast<int64_t>(w.kernel.size()) != n)
    return ctx.error() << "kernel_shape has " << w.kernel.size()
                       << " entries for " << n << " spatial dimensions";
  OPTC_TRY(strides, ctx.intsAttr("strides", &given));
  w.strides = given ? strides : SmallVector<int64_t>(n, 1);
  OPTC_TRY(dilations, ctx.intsAttr("dilations", &given));
  w.dilations = given ? dilations : SmallVector<int64_t>(n, 1);
  OPTC_TRY(pads, ctx.intsAttr("pads", &given));
  w.pads = given ? pads : SmallVector<int64_t>(2 * n, 0);
  OPTC_TRY(autoPad, ctx.stringAttr("auto_pad", "NOTSET"));
  // Check the window before auto_pad divides by its strides.
  for (auto [name, values] :
       {std::pair<const char *, ArrayRef<int64_t>>{"strides", w.strides},
        {"dilations", w.dilations},
        {"kernel_shape", w.kernel}}) {
    if (static_cast<int64_t>(values.size()) != n)
      return ctx.error() << name << " has " << values.size() << " entries for "
                         << n << " spatial dimensions";
    for (int64_t v : values)
      if (v <= 0 || v > (int64_t(1) << 31))
        return ctx.error() << name << " must be positive (and below 2^31), "
                           << "found " << v;
  }
  if (static_cast<int64_t>(w.pads.size()) != 2 * n)
    return ctx.error() << "pads has " << w.pads.size() << " entries for " << n
                       << " spatial dimensions";
  if (autoPad == "VALID") {
    w.pads.assign(2 * n, 0);
  } else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER") {
    for (int64_t i = 0; i < n; ++i) {
      int64_t size = input.getDimSize(2 + i);
      if (ShapedType::isDynamic(size))
        return ctx.error() << "auto_pad " << autoPad
                           << " needs the spatial sizes at compile time";
      int64_t s = w.strides[i], k = (w.kernel[i] - 1) * w.dilations[i] + 1;
      int64_t total;
      if (transposed) {
        int64_t out = size * s;
        total = std::max<int64_t>(0, s * (size - 1) + k - out);
      } else {
        int64_t out = (size + s - 1) / s;
        total = std::max<int64_t>(0, (out - 1) * s + k - size);
      }
      int64_t small = total / 2, big = total - small;
      bool upper = autoPad == "SAME_UPPER";
      w.pads[i] = upper ? small : big;
      w.pads[n + i] = upper ? big : small;
    }
  } else if (autoPad != "NOTSET") {
    return ctx.error() << "auto_pad '" << autoPad << "' is not supported";
  }
  return w;
}

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
  OPTC_TRY(win, windowAttrs(ctx, ctx.typeOf(x), wt.getShape().drop_front(2)));
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
  OPTC_TRY(win, windowAttrs(ctx, xt, wt.getShape().drop_front(2),
                            /*transposed=*/true));
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
    int64_t span =
        image[d] + pads[d] + pads[n + d] - dilations[d] * (block[d] - 1) - 1;
    if (span < 0)
      return ctx.error() << "the block of dimension " << d
                         << " does not fit the padded image";
    counts.push_back(span / strides[d] + 1);
    remainders.push_back(span % strides[d]);
    kernel *= block[d];
    blocks *= counts.back();
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
  SmallVector<double> weights(columns * kernel, 0.0);
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
  OPTC_TRY(win, windowAttrs(ctx, ctx.typeOf(x), wt.getShape().drop_front(2)));
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
  Value xzp = ctx.input(2), wzp = ctx.input(5), yzp = ctx.input(7),
        bias = ctx.input(8);
  RankedTensorType wt = ctx.typeOf(w);
  OPTC_TRY(win, windowAttrs(ctx, ctx.typeOf(x), wt.getShape().drop_front(2)));
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
  int64_t taps = 1;
  for (int64_t k : win.kernel)
    taps *= k;
  if (taps > 4096)
    return ctx.error() << "the Indices output supports windows of at most "
                          "4096 taps, found "
                       << taps;
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
  int64_t image = 1;
  for (int64_t d : in.drop_front(2))
    image *= d;
  SmallVector<int64_t> bases;
  for (int64_t b = 0; b < in[0] * in[1]; ++b)
    bases.push_back(b * image);
  SmallVector<int64_t> baseShape{in[0], in[1]};
  baseShape.append(spatial, 1);
  Value base = ctx.reshape(ctx.i64s(bases), baseShape);
  if (!base)
    return failure();
  SmallVector<int64_t> outSpatial(out.drop_front(2));
  int64_t points = 1;
  for (int64_t d : outSpatial)
    points *= d;
  if (points > kMaxBuiltConstant || in[0] * in[1] > kMaxBuiltConstant)
    return ctx.error() << "the Indices output is too large to tabulate";
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

/// Softmax, LogSoftmax and Hardmax. Before opset 13 they flatten the input
/// to 2-D at `axis` (default 1) and work on the second dimension.
template <typename Build>
LogicalResult softmaxLike(NodeContext &ctx, Build &&build) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  RankedTensorType type = ctx.typeOf(x);
  int64_t rank = type.getRank();
  OPTC_TRY(axisAttr, ctx.intAttr("axis", ctx.opset < 13 ? 1 : -1));
  if (ctx.opset >= 13 || rank == 0) {
    OPTC_TRY(axis, ctx.normalizeAxis(axisAttr, std::max<int64_t>(rank, 1)));
    OPTC_TRY(y, build(x, axis));
    ctx.outputs = {y};
    return success();
  }
  if (axisAttr < -rank || axisAttr > rank)
    return ctx.error() << "axis " << axisAttr << " is out of range";
  int64_t axis = axisAttr < 0 ? axisAttr + rank : axisAttr;
  if (!type.hasStaticShape())
    return ctx.error() << "before opset 13 this op needs a static shape";
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < rank; ++i)
    (i < axis ? outer : inner) *= type.getDimSize(i);
  OPTC_TRY(flat, ctx.create<ReshapeOp>(x, ArrayRef<int64_t>{outer, inner}));
  OPTC_TRY(s, build(flat, 1));
  OPTC_TRY(y, ctx.create<ReshapeOp>(s, type.getShape()));
  ctx.outputs = {y};
  return success();
}

LogicalResult softmax(NodeContext &ctx) {
  return softmaxLike(ctx, [&](Value x, int64_t axis) {
    return ctx.create<SoftmaxOp>(x, axis);
  });
}

LogicalResult logSoftmax(NodeContext &ctx) {
  return softmaxLike(ctx, [&](Value x, int64_t axis) {
    return ctx.create<LogSoftmaxOp>(x, axis);
  });
}

LogicalResult hardmax(NodeContext &ctx) {
  // One-hot of the first maximum: arg_max, then compare with positions.
  return softmaxLike(ctx, [&](Value x, int64_t axis) -> FailureOr<Value> {
    RankedTensorType type = ctx.typeOf(x);
    if (type.isDynamicDim(axis))
      return ctx.error() << "the hardmax axis must have a static size";
    OPTC_TRY(idx, ctx.create<ArgMaxOp>(x, axis, true, false));
    int64_t n = type.getDimSize(axis);
    SmallVector<int64_t> positions;
    for (int64_t i = 0; i < n; ++i)
      positions.push_back(i);
    SmallVector<int64_t> shape(type.getRank(), 1);
    shape[axis] = n;
    Value pos = ctx.reshape(ctx.i64s(positions), shape);
    if (!pos)
      return failure();
    OPTC_TRY(hit, ctx.create<CompareOp>(ComparePredicate::eq, idx, pos));
    Type element = type.getElementType();
    OPTC_TRY(y, ctx.create<SelectOp>(hit, ctx.scalar(element, 1),
                                     ctx.scalar(element, 0)));
    // The select broadcasts to idx's shape, which is x's.
    return y;
  });
}

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
  int64_t total = xt.getDimSize(0) * xt.getDimSize(1);
  for (int64_t i = 0; i < spatial; ++i) {
    int64_t d = (xt.getDimSize(2 + i) - 1) * strides[i] - pads[i] -
                pads[spatial + i] + kernel[i];
    if (d <= 0)
      return ctx.error() << "the unpooled size of dimension " << 2 + i << " is "
                         << d;
    inferred.push_back(d);
    total *= d;
  }
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
  if (group <= 0 || offsetGroup <= 0 || c % group || oc % group ||
      c % offsetGroup || wt.getDimSize(1) * group != c ||
      ot.getDimSize(0) != n || ot.getDimSize(1) != offsetGroup * 2 * k ||
      strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    return ctx.error() << "inconsistent shapes or attributes: X " << xt
                       << ", W " << wt << ", offset " << ot;
  Calc cc(ctx);
  Type i64 = ctx.b.getI64Type();
  int64_t points = k * oh * ow, cg = c / offsetGroup;
  if (points > kMaxBuiltConstant)
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

/// Binarizer (ai.onnx.ml): 1 where x > threshold, else 0.
LogicalResult binarizer(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "X"));
  OPTC_TRY(threshold, ctx.floatAttr("threshold", 0));
  Type t = ctx.typeOf(x).getElementType();
  OPTC_TRY(above, ctx.create<CompareOp>(ComparePredicate::gt, x,
                                        ctx.scalar(t, threshold)));
  ctx.outputs = {ctx.castTo(above, t)};
  return success();
}

} // namespace

void onnx_import::registerNNOps(OpRegistry &r) {
  r.add("", "LRN", lrn);
  r.add("", "DeformConv", deformConv, 19);
  r.add("", "MaxUnpool", maxUnpool, 9);
  r.add("", "QLinearConv", qlinearConv, 10);
  r.add("ai.onnx.ml", "Binarizer", binarizer);
  r.add("", "Conv", conv);
  r.add("", "ConvTranspose", convTranspose);
  r.add("", "Col2Im", col2Im);
  r.add("", "ConvInteger", convInteger);
  r.add("", "CausalConvWithState", causalConvWithState);
  r.add("", "MaxPool", pool<MaxPoolOp>);
  // AveragePool-1 lacks count_include_pad (0); LpPool-1 and
  // GlobalLpPool-1 have a float p.
  r.add("", "AveragePool", pool<AvgPoolOp>, 1);
  r.add("", "LpPool", pool<LpPoolOp>, 1);
  r.add("", "GlobalAveragePool", globalAveragePool);
  r.add("", "GlobalMaxPool", globalMaxPool);
  r.add("", "GlobalLpPool", globalLpPool, 1);
  r.add("", "Softmax", softmax);
  r.add("", "LogSoftmax", logSoftmax);
  r.add("", "Hardmax", hardmax);
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
}

//===----------------------------------------------------------------------===//
// Losses and the extra outputs of LayerNormalization
//===----------------------------------------------------------------------===//

namespace {

/// NegativeLogLikelihoodLoss of `x` ([N, C, d...] log-probabilities) for the
/// class indices `target` ([N, d...]).
FailureOr<Value> nllLoss(NodeContext &ctx, Value x, Value target,
                         Value weight) {
  RankedTensorType xt = ctx.typeOf(x), tt = ctx.typeOf(target);
  if (xt.getRank() < 2 || tt.getRank() != xt.getRank() - 1)
    return ctx.error() << "expects input [N, C, d...] and target [N, d...], "
                          "found "
                       << xt << " and " << tt;
  Type element = xt.getElementType(), indexType = tt.getElementType();
  OPTC_TRY(reduction, ctx.stringAttr("reduction", "mean"));
  if (reduction != "none" && reduction != "sum" && reduction != "mean")
    return ctx.error() << "reduction must be none, sum or mean, found '"
                       << reduction << "'";
  const onnx::AttributeProto *ignoreAttr = ctx.attr("ignore_index");
  OPTC_TRY(ignoreIndex, ctx.intAttr("ignore_index", 0));
  Value ignored, safeTarget = target;
  if (ignoreAttr) {
    OPTC_TRY(eq, ctx.create<CompareOp>(ComparePredicate::eq, target,
                                       ctx.scalar(indexType, ignoreIndex)));
    ignored = eq;
    OPTC_TRY(safe,
             ctx.create<SelectOp>(ignored, ctx.scalar(indexType, 0), target));
    safeTarget = safe;
  }
  // -x[n, target[n, d...], d...] through gather_elements along axis 1.
  SmallVector<int64_t> withClass;
  for (auto [i, d] : llvm::enumerate(tt.getShape())) {
    withClass.push_back(ShapedType::isDynamic(d) ? -1 : d);
    if (i == 0)
      withClass.push_back(1);
  }
  if (llvm::count(withClass, -1) > 1)
    return ctx.error() << "the target shape " << tt
                       << " must be static apart from one dimension";
  Value index = ctx.reshape(safeTarget, withClass);
  if (!index)
    return failure();
  OPTC_TRY(picked, ctx.create<GatherElementsOp>(x, index, 1));
  SmallVector<int64_t> targetShape;
  for (int64_t d : tt.getShape())
    targetShape.push_back(ShapedType::isDynamic(d) ? -1 : d);
  Value flat = ctx.reshape(picked, targetShape);
  if (!flat)
    return failure();
  OPTC_TRY(loss, ctx.create<NegOp>(flat));
  Value w;
  if (weight) {
    OPTC_TRY(g, ctx.create<GatherOp>(weight, safeTarget, 0));
    w = g;
  } else if (ignored) {
    w = ctx.splat(cast<RankedTensorType>(loss.getType()), 1);
  }
  if (w && ignored) {
    OPTC_TRY(masked, ctx.create<SelectOp>(ignored, ctx.scalar(element, 0), w));
    w = masked;
  }
  if (w) {
    OPTC_TRY(weighted, ctx.create<MulOp>(loss, w));
    loss = weighted;
  }
  if (reduction == "none")
    return loss;
  SmallVector<int64_t> all;
  for (int64_t i = 0; i < tt.getRank(); ++i)
    all.push_back(i);
  OPTC_TRY(sum, ctx.create<ReduceSumOp>(loss, all, false));
  if (reduction == "sum")
    return sum;
  if (!w)
    return ctx.create<ReduceMeanOp>(loss, all, false);
  OPTC_TRY(total, ctx.create<ReduceSumOp>(w, all, false));
  return ctx.create<DivOp>(sum, total);
}

LogicalResult negativeLogLikelihoodLoss(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "input"));
  OPTC_TRY(target, ctx.requiredInput(1, "target"));
  OPTC_TRY(loss, nllLoss(ctx, x, target, ctx.input(2)));
  ctx.outputs = {loss};
  return success();
}

LogicalResult softmaxCrossEntropyLoss(NodeContext &ctx) {
  OPTC_TRY(scores, ctx.requiredInput(0, "scores"));
  OPTC_TRY(labels, ctx.requiredInput(1, "labels"));
  if (ctx.typeOf(scores).getRank() < 2)
    return ctx.error() << "scores must be [N, C, d...]";
  OPTC_TRY(logProb, ctx.create<LogSoftmaxOp>(scores, 1));
  OPTC_TRY(loss, nllLoss(ctx, logProb, labels, ctx.input(2)));
  ctx.outputs = {loss, logProb};
  return success();
}

} // namespace

void onnx_import::registerLossOps(OpRegistry &r) {
  r.add("", "NegativeLogLikelihoodLoss", negativeLogLikelihoodLoss);
  r.add("", "SoftmaxCrossEntropyLoss", softmaxCrossEntropyLoss);
}
