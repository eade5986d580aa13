//===- Quant.cpp - ONNX QuantizeLinear and DequantizeLinear ---------------===//
//
// Linear (de)quantisation becomes optc.quantize / optc.dequantize on
// packed codes (#optc.quant) wherever the IR can say it: codes of up to 8
// bits or FP4/FP6/FP8 of static shape, scales of f32, f16, bf16, E8M0 or
// E4M3, computed in f32 as ONNX does for them. The codes cross into and
// out of packed storage through optc.pack and optc.unpack, which fold away
// between a QuantizeLinear and its DequantizeLinear, and fold to packed
// bytes for constant weights. What the ops cannot say (16-bit codes,
// unknown sizes, a division ONNX does in f16) is decomposed into core ops,
// per tensor, per axis or per block, with ONNX's meaning.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

#include "optc/Support/Sizes.h"

#include <cmath>

using namespace mlir;
using namespace mlir::optc;
using namespace mlir::optc::onnx_import;

namespace {

/// Reshapes (and for blocks repeats) a scale or zero point so that it
/// broadcasts against `x` of `type`: scalars stay, 1-D per-axis values go
/// to the axis, blocked values are repeated block_size times along it.
FailureOr<Value> alignToInput(NodeContext &ctx, Value v, RankedTensorType type,
                              int64_t axis, int64_t blockSize) {
  RankedTensorType vt = ctx.typeOf(v);
  if (vt.getRank() == 0 ||
      (vt.getRank() == 1 && vt.getDimSize(0) == 1 && blockSize == 0))
    return vt.getRank() == 0 ? v : ctx.reshape(v, {});
  int64_t rank = type.getRank();
  if (axis < 0 || axis >= rank)
    return ctx.error() << "axis " << axis << " is out of range for rank "
                       << rank;
  if (blockSize <= 0) {
    if (vt.getRank() != 1)
      return ctx.error() << "a per-axis scale must be 1-D, found " << vt;
    SmallVector<int64_t> shape(rank, 1);
    shape[axis] = -1;
    Value r = ctx.reshape(v, shape);
    if (!r)
      return failure();
    return r;
  }
  // Blocked: v has x's rank with ceil(d / block) along the axis.
  if (vt.getRank() != rank || !type.hasStaticShape() || !vt.hasStaticShape())
    return ctx.error() << "a blocked scale must have the input's rank and "
                          "static shapes, found "
                       << vt << " for " << type;
  SmallVector<int64_t> expanded(vt.getShape()), repeated(vt.getShape()),
      merged(vt.getShape());
  expanded.insert(expanded.begin() + axis + 1, 1);
  repeated.insert(repeated.begin() + axis + 1, blockSize);
  // block_size is an attribute: the blocked size may overflow.
  std::optional<int64_t> blocked = sizes::mul(merged[axis], blockSize);
  if (!blocked)
    return ctx.error() << "block_size " << blockSize << " times dimension "
                       << axis << " of the scale " << vt << " overflows int64";
  merged[axis] = *blocked;
  Value e = ctx.reshape(v, expanded);
  if (!e)
    return failure();
  OPTC_TRY(b, ctx.create<BroadcastOp>(e, repeated));
  Value m = ctx.reshape(b, merged);
  if (!m)
    return failure();
  if (merged[axis] == type.getDimSize(axis))
    return m;
  // The last block may be partial.
  SmallVector<int64_t> starts(rank, 0), limits(type.getShape()),
      strides(rank, 1);
  return ctx.create<SliceOp>(m, starts, limits, strides);
}

struct QuantAttrs {
  int64_t axis;
  int64_t blockSize;
};

FailureOr<QuantAttrs> quantAttrs(NodeContext &ctx, RankedTensorType type) {
  OPTC_TRY(axisAttr, ctx.intAttr("axis", 1));
  OPTC_TRY(blockSize, ctx.intAttr("block_size", 0));
  if (blockSize < 0)
    return ctx.error() << "block_size must not be negative";
  // The axis only matters for per-axis and blocked scales; alignToInput
  // checks it there.
  int64_t axis = axisAttr < 0 ? axisAttr + type.getRank() : axisAttr;
  return QuantAttrs{axis, blockSize};
}

/// The [min, max] of an integer type, as doubles.
std::pair<double, double> intRange(IntegerType type) {
  unsigned w = type.getWidth();
  if (type.isUnsigned())
    return {0, std::ldexp(1.0, w) - 1};
  return {-std::ldexp(1.0, w - 1), std::ldexp(1.0, w - 1) - 1};
}

/// Rounds half to even, clamps to `intType`'s range and converts.

/// The blocks of #optc.quant for ONNX scales of type `scale` on codes of
/// type `codes`: per tensor (a scalar or one-element scale), per axis (1-D
/// along the axis) or `blockSize` positions along the axis. nullopt where
/// the encoding cannot say it (unknown sizes) or the scale's shape does not
/// fit, for the decomposition to handle (and report).
std::optional<SmallVector<int64_t>> quantBlocks(RankedTensorType codes,
                                                RankedTensorType scale,
                                                const QuantAttrs &attrs) {
  if (!codes.hasStaticShape() || !scale.hasStaticShape())
    return std::nullopt;
  int64_t rank = codes.getRank();
  // A block covers at least one position, also along a dimension of 0.
  SmallVector<int64_t> whole;
  for (int64_t size : codes.getShape())
    whole.push_back(std::max<int64_t>(size, 1));
  if (scale.getRank() == 0 ||
      (scale.getRank() == 1 && scale.getDimSize(0) == 1 &&
       attrs.blockSize == 0))
    return whole;
  if (attrs.axis < 0 || attrs.axis >= rank)
    return std::nullopt;
  SmallVector<int64_t> blocks(rank, 1);
  if (attrs.blockSize == 0) {
    if (scale.getRank() != 1 ||
        scale.getDimSize(0) != codes.getDimSize(attrs.axis))
      return std::nullopt;
    blocks = whole;
    blocks[attrs.axis] = 1;
    return blocks;
  }
  blocks[attrs.axis] = attrs.blockSize;
  SmallVector<int64_t> expected(codes.getShape());
  expected[attrs.axis] =
      llvm::divideCeil(codes.getDimSize(attrs.axis), attrs.blockSize);
  if (scale.getShape() != ArrayRef<int64_t>(expected))
    return std::nullopt;
  return blocks;
}

/// Whether `zeroPoint` holds only zeros (a constant).
bool isZeroConstant(Value zeroPoint) {
  std::optional<SmallVector<double>> values = getConstantFloats(zeroPoint);
  return values && llvm::all_of(*values, [](double v) { return v == 0; });
}

/// The quantized tensor type of `codes` scaled by `scale` (and shifted by
/// `zeroPoint`), when the IR can say it; null otherwise. Float codes have
/// no zero point: ONNX requires FP8's to be zero, and DequantizeLinear
/// (`ignoresFP4Zero`) ignores FP4's, where QuantizeLinear adds it.
RankedTensorType quantTypeOf(RankedTensorType codes, Value scale,
                             Value &zeroPoint, const QuantAttrs &attrs,
                             bool ignoresFP4Zero) {
  Type code = codes.getElementType();
  auto scaleType = cast<RankedTensorType>(scale.getType());
  if (!isQuantCodeType(code) || !isQuantScaleType(scaleType.getElementType()))
    return {};
  if (zeroPoint) {
    Type zeroType =
        cast<RankedTensorType>(zeroPoint.getType()).getElementType();
    if (isa<FloatType>(code)) {
      if (!(ignoresFP4Zero && isa<Float4E2M1FNType>(code)) &&
          !isZeroConstant(zeroPoint))
        return {};
      zeroPoint = Value();
    } else if (zeroType != code) {
      return {};
    }
  }
  std::optional<SmallVector<int64_t>> blocks =
      quantBlocks(codes, scaleType, attrs);
  if (!blocks)
    return {};
  auto quant = QuantAttr::get(codes.getContext(), *blocks,
                              scaleType.getElementType(), bool(zeroPoint),
                              /*tensorScale=*/false);
  return RankedTensorType::get(codes.getShape(), code, quant);
}

/// Builds `OpTy` with the result type `type`: verified and folded.
template <typename OpTy, typename... Args>
FailureOr<Value> createTyped(NodeContext &ctx, Type type, Args &&...args) {
  return ctx.finish(
      OpTy::create(ctx.b, ctx.loc, type, std::forward<Args>(args)...));
}

/// The scales (or zero points) reshaped to the shape #optc.quant gives
/// them.
FailureOr<Value> blockValues(NodeContext &ctx, Value v,
                             RankedTensorType quantized) {
  if (!v)
    return Value();
  Value r = ctx.reshape(
      v, getQuantEncoding(quantized).getScaleShape(quantized.getShape()));
  if (!r)
    return failure();
  return r;
}

/// QuantizeLinear as optc.quantize, when the IR can say it (null
/// otherwise): the division in f32, which ONNX does unless both x and the
/// scale are 16-bit floats, or `precision` says otherwise.
FailureOr<Value> explicitQuantize(NodeContext &ctx, Value x, Value scale,
                                  Value zeroPoint, const QuantAttrs &attrs,
                                  Type outType) {
  OPTC_TRY(precision, ctx.intAttr("precision", 0));
  Type xType = ctx.typeOf(x).getElementType();
  Type scaleElement = ctx.typeOf(scale).getElementType();
  auto narrowFloat = [](Type t) { return t.isF16() || t.isBF16(); };
  if ((precision && precision != onnx::TensorProto::FLOAT) ||
      !(xType.isF32() || narrowFloat(xType)) || scaleElement.isF64() ||
      (narrowFloat(xType) && narrowFloat(scaleElement)))
    return Value();
  RankedTensorType codes =
      RankedTensorType::get(ctx.typeOf(x).getShape(), outType);
  RankedTensorType quantized =
      quantTypeOf(codes, scale, zeroPoint, attrs, /*ignoresFP4Zero=*/false);
  if (!quantized)
    return Value();
  OPTC_TRY(saturate, ctx.intAttr("saturate", 1));
  OPTC_TRY(scales, blockValues(ctx, scale, quantized));
  OPTC_TRY(zeros, blockValues(ctx, zeroPoint, quantized));
  OPTC_TRY(q, createTyped<QuantizeOp>(ctx, quantized, x, scales, zeros, Value(),
                                      saturate != 0));
  return createTyped<UnpackOp>(ctx, codes, q);
}

/// DequantizeLinear as optc.dequantize, when the IR can say it (null
/// otherwise): in f32, rounded to the output type, as ONNX does.
FailureOr<Value> explicitDequantize(NodeContext &ctx, Value x, Value scale,
                                    Value zeroPoint, const QuantAttrs &attrs,
                                    Type outType) {
  if (!isa<FloatType>(outType) || outType.getIntOrFloatBitWidth() < 16)
    return Value();
  RankedTensorType codes = ctx.typeOf(x);
  RankedTensorType quantized =
      quantTypeOf(codes, scale, zeroPoint, attrs, /*ignoresFP4Zero=*/true);
  if (!quantized)
    return Value();
  OPTC_TRY(packed, createTyped<PackOp>(ctx, quantized, x));
  OPTC_TRY(scales, blockValues(ctx, scale, quantized));
  OPTC_TRY(zeros, blockValues(ctx, zeroPoint, quantized));
  return createTyped<DequantizeOp>(
      ctx, RankedTensorType::get(codes.getShape(), outType), packed, scales,
      zeros, Value());
}

LogicalResult quantizeLinear(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  OPTC_TRY(scale, ctx.requiredInput(1, "y_scale"));
  if (failed(checkScales(ctx, scale, "y_scale")))
    return failure();
  Value zeroPoint = ctx.input(2);
  RankedTensorType type = ctx.typeOf(x);
  OPTC_TRY(attrs, quantAttrs(ctx, type));
  Type outType;
  if (zeroPoint) {
    outType = ctx.typeOf(zeroPoint).getElementType();
  } else {
    OPTC_TRY(dtype, ctx.intAttr("output_dtype", 0));
    std::string why;
    FailureOr<Type> t = convertElementType(dtype ? static_cast<int32_t>(dtype)
                                                 : onnx::TensorProto::UINT8,
                                           ctx.b.getContext(), why);
    if (failed(t))
      return ctx.error() << why;
    outType = *t;
  }
  OPTC_TRY(explicitOp,
           explicitQuantize(ctx, x, scale, zeroPoint, attrs, outType));
  if (explicitOp) {
    ctx.outputs = {explicitOp};
    return success();
  }
  // Compute in the scale's precision (x is converted to it).
  Type compute = ctx.typeOf(scale).getElementType();
  OPTC_TRY(s, alignToInput(ctx, scale, type, attrs.axis, attrs.blockSize));
  OPTC_TRY(scaled, ctx.create<DivOp>(ctx.castTo(x, compute), s));
  if (auto floatOut = dyn_cast<FloatType>(outType)) {
    OPTC_TRY(saturate, ctx.intAttr("saturate", 1));
    ctx.outputs = {ctx.castTo(scaled, floatOut, saturate != 0)};
    return success();
  }
  auto intOut = dyn_cast<IntegerType>(outType);
  if (!intOut || intOut.getWidth() == 1)
    return ctx.error() << "cannot quantise to " << outType;
  // Round before adding the zero point: x / scale + zp may round a tie
  // away (25.50000017 + 153 is 178.5 in f32).
  OPTC_TRY(rounded, ctx.create<RoundOp>(scaled));
  Value q = rounded;
  if (zeroPoint) {
    OPTC_TRY(zp, alignToInput(ctx, ctx.castTo(zeroPoint, compute), type,
                              attrs.axis, attrs.blockSize));
    OPTC_TRY(shifted, ctx.create<AddOp>(q, zp));
    q = shifted;
  }
  OPTC_TRY(y, saturateTo(ctx, q, intOut));
  ctx.outputs = {y};
  return success();
}

LogicalResult dequantizeLinear(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  OPTC_TRY(scale, ctx.requiredInput(1, "x_scale"));
  if (failed(checkScales(ctx, scale, "x_scale")))
    return failure();
  Value zeroPoint = ctx.input(2);
  RankedTensorType type = ctx.typeOf(x);
  OPTC_TRY(attrs, quantAttrs(ctx, type));
  Type outType = ctx.typeOf(scale).getElementType();
  OPTC_TRY(dtype, ctx.intAttr("output_dtype", 0));
  if (dtype) {
    std::string why;
    FailureOr<Type> t = convertElementType(static_cast<int32_t>(dtype),
                                           ctx.b.getContext(), why);
    if (failed(t))
      return ctx.error() << why;
    outType = *t;
  }
  OPTC_TRY(explicitOp,
           explicitDequantize(ctx, x, scale, zeroPoint, attrs, outType));
  if (explicitOp) {
    ctx.outputs = {explicitOp};
    return success();
  }
  Type compute = ctx.typeOf(scale).getElementType();
  Value v = ctx.castTo(x, compute);
  if (zeroPoint) {
    OPTC_TRY(zp, alignToInput(ctx, ctx.castTo(zeroPoint, compute), type,
                              attrs.axis, attrs.blockSize));
    OPTC_TRY(shifted, ctx.create<SubOp>(v, zp));
    v = shifted;
  }
  OPTC_TRY(s, alignToInput(ctx, scale, type, attrs.axis, attrs.blockSize));
  OPTC_TRY(y, ctx.create<MulOp>(v, s));
  ctx.outputs = {ctx.castTo(y, outType)};
  return success();
}

/// A per-row value of a matrix operand ([M]) as a column ([M, 1]); scalars
/// and per-column values broadcast as they are.
FailureOr<Value> asRows(NodeContext &ctx, Value v) {
  RankedTensorType t = ctx.typeOf(v);
  if (t.getRank() != 1 || t.getDimSize(0) == 1)
    return t.getRank() == 1 ? ctx.reshape(v, {}) : v;
  Value r = ctx.reshape(v, {-1, 1});
  if (!r)
    return failure();
  return r;
}

LogicalResult qlinearMatmul(NodeContext &ctx) {
  // (A - a_zp) . (B - b_zp) in i32, scaled by a_scale * b_scale / y_scale,
  // plus y_zp, saturated to y's integer type.
  OPTC_TRY(a, ctx.requiredInput(0, "a"));
  OPTC_TRY(as, ctx.requiredInput(1, "a_scale"));
  OPTC_TRY(b, ctx.requiredInput(3, "b"));
  OPTC_TRY(bs, ctx.requiredInput(4, "b_scale"));
  OPTC_TRY(ys, ctx.requiredInput(6, "y_scale"));
  if (failed(checkScales(ctx, as, "a_scale")) ||
      failed(checkScales(ctx, bs, "b_scale")) ||
      failed(checkScales(ctx, ys, "y_scale")))
    return failure();
  Value azp = ctx.input(2), bzp = ctx.input(5), yzp = ctx.input(7);
  OPTC_TRY(c, integerProduct(ctx, a, b, azp, bzp));
  Type f = ctx.typeOf(as).getElementType();
  OPTC_TRY(asr, asRows(ctx, as));
  OPTC_TRY(ab, ctx.create<MulOp>(asr, ctx.castTo(bs, f)));
  OPTC_TRY(factor, ctx.create<DivOp>(ab, ctx.castTo(ys, f)));
  OPTC_TRY(y, requantize(ctx, c, factor, yzp, ctx.typeOf(a).getElementType()));
  ctx.outputs = {y};
  return success();
}

LogicalResult dynamicQuantizeLinear(NodeContext &ctx) {
  // Scale and zero point from the data's range (widened to include 0),
  // then uint8 quantisation.
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  RankedTensorType t = ctx.typeOf(x);
  Type f = t.getElementType();
  SmallVector<int64_t> all =
      llvm::to_vector(llvm::seq<int64_t>(0, t.getRank()));
  auto scalar = [&](double v) { return ctx.scalar(f, v); };
  OPTC_TRY(mx, ctx.create<ReduceMaxOp>(x, all, false));
  OPTC_TRY(mn, ctx.create<ReduceMinOp>(x, all, false));
  OPTC_TRY(hi, ctx.create<MaxOp>(mx, scalar(0)));
  OPTC_TRY(lo, ctx.create<MinOp>(mn, scalar(0)));
  OPTC_TRY(range, ctx.create<SubOp>(hi, lo));
  OPTC_TRY(flat, ctx.create<CompareOp>(ComparePredicate::eq, range, scalar(0)));
  OPTC_TRY(span, ctx.create<SelectOp>(flat, scalar(1), range));
  OPTC_TRY(scale, ctx.create<DivOp>(span, scalar(255)));
  OPTC_TRY(loScaled, ctx.create<DivOp>(lo, scale));
  OPTC_TRY(zp0, ctx.create<SubOp>(scalar(0), loScaled));
  OPTC_TRY(zpHi, ctx.create<MinOp>(zp0, scalar(255)));
  OPTC_TRY(zpClamped, ctx.create<MaxOp>(zpHi, scalar(0)));
  OPTC_TRY(zp, ctx.create<RoundOp>(zpClamped));
  OPTC_TRY(q, ctx.create<DivOp>(x, scale));
  OPTC_TRY(qr, ctx.create<RoundOp>(q));
  OPTC_TRY(shifted, ctx.create<AddOp>(qr, zp));
  auto ui8 = IntegerType::get(ctx.b.getContext(), 8, IntegerType::Unsigned);
  OPTC_TRY(y, saturateTo(ctx, shifted, ui8));
  ctx.outputs = {y, scale, ctx.castTo(zp, ui8)};
  return success();
}

} // namespace

LogicalResult onnx_import::checkScales(NodeContext &ctx, Value scale,
                                       StringRef name) {
  auto constant = scale ? scale.getDefiningOp<ConstantOp>() : nullptr;
  std::optional<std::vector<float>> values =
      constant ? constantFloatsOf(constant.getValue()) : std::nullopt;
  if (!values)
    return success();
  for (size_t i = 0; i < values->size(); ++i) {
    float v = (*values)[i];
    if (!(v > 0) || std::isinf(v))
      return ctx.error() << name
                         << " must hold positive, finite scales; element " << i
                         << " is " << v;
  }
  return success();
}

FailureOr<Value> onnx_import::saturateTo(NodeContext &ctx, Value x,
                                         IntegerType intType) {
  Type element = ctx.typeOf(x).getElementType();
  auto [lo, hi] = intRange(intType);
  OPTC_TRY(r, ctx.create<RoundOp>(x));
  OPTC_TRY(upper, ctx.create<MinOp>(r, ctx.scalar(element, hi)));
  OPTC_TRY(clamped, ctx.create<MaxOp>(upper, ctx.scalar(element, lo)));
  return ctx.castTo(clamped, intType);
}

FailureOr<Value> onnx_import::requantize(NodeContext &ctx, Value acc,
                                         Value factor, Value zeroPoint,
                                         Type fallback) {
  Type f = ctx.typeOf(factor).getElementType();
  OPTC_TRY(d, ctx.create<MulOp>(ctx.castTo(acc, f), factor));
  Type outType = fallback;
  if (zeroPoint) {
    outType = ctx.typeOf(zeroPoint).getElementType();
    RankedTensorType zt = ctx.typeOf(zeroPoint);
    Value z = ctx.castTo(zeroPoint, f);
    if (zt.getRank() == 1 && zt.getDimSize(0) == 1)
      z = ctx.reshape(z, {});
    if (!z)
      return failure();
    OPTC_TRY(shifted, ctx.create<AddOp>(d, z));
    d = shifted;
  }
  auto intOut = dyn_cast<IntegerType>(outType);
  if (!intOut)
    return ctx.error() << "y must be an integer type, found " << outType;
  return saturateTo(ctx, d, intOut);
}

void onnx_import::registerQuantOps(OpRegistry &r) {
  r.add("", "QuantizeLinear", quantizeLinear);
  r.add("", "DequantizeLinear", dequantizeLinear);
  r.add("", "QLinearMatMul", qlinearMatmul);
  r.add("", "DynamicQuantizeLinear", dynamicQuantizeLinear);
}
