//===- Quant.cpp - ONNX QuantizeLinear and DequantizeLinear ---------------===//
//
// Decomposes linear (de)quantisation into core ops, per tensor, per axis or
// per block. The quantisation stage (DESIGN.md stage 3) recognises these
// patterns to keep weights packed; here they only have to mean the same as
// ONNX.
//
//===----------------------------------------------------------------------===//

#include "../ImportContext.h"

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
  merged[axis] *= blockSize;
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

LogicalResult quantizeLinear(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  OPTC_TRY(scale, ctx.requiredInput(1, "y_scale"));
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
  // Compute in the scale's precision (x is converted to it).
  Type compute = ctx.typeOf(scale).getElementType();
  OPTC_TRY(s, alignToInput(ctx, scale, type, attrs.axis, attrs.blockSize));
  OPTC_TRY(scaled, ctx.create<DivOp>(ctx.castTo(x, compute), s));
  if (auto floatOut = dyn_cast<FloatType>(outType)) {
    OPTC_TRY(saturate, ctx.intAttr("saturate", 1));
    RankedTensorType st = ctx.typeOf(scaled);
    OperationState state(ctx.loc, CastOp::getOperationName());
    CastOp::build(ctx.b, state, st.clone(floatOut), scaled,
                  floatOut.getWidth() <= 8 ? saturate != 0 : true);
    OPTC_TRY(y, ctx.finish(ctx.b.create(state)));
    ctx.outputs = {y};
    return success();
  }
  auto intOut = dyn_cast<IntegerType>(outType);
  if (!intOut || intOut.getWidth() == 1)
    return ctx.error() << "cannot quantise to " << outType;
  OPTC_TRY(rounded, ctx.create<RoundOp>(scaled));
  Value q = rounded;
  if (zeroPoint) {
    OPTC_TRY(zp, alignToInput(ctx, ctx.castTo(zeroPoint, compute), type,
                              attrs.axis, attrs.blockSize));
    OPTC_TRY(shifted, ctx.create<AddOp>(q, zp));
    q = shifted;
  }
  auto [lo, hi] = intRange(intOut);
  OPTC_TRY(upper, ctx.create<MinOp>(q, ctx.scalar(compute, hi)));
  OPTC_TRY(clamped, ctx.create<MaxOp>(upper, ctx.scalar(compute, lo)));
  ctx.outputs = {ctx.castTo(clamped, outType)};
  return success();
}

LogicalResult dequantizeLinear(NodeContext &ctx) {
  OPTC_TRY(x, ctx.requiredInput(0, "x"));
  OPTC_TRY(scale, ctx.requiredInput(1, "x_scale"));
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

} // namespace

void onnx_import::registerQuantOps(OpRegistry &r) {
  r.add("", "QuantizeLinear", quantizeLinear);
  r.add("", "DequantizeLinear", dequantizeLinear);
}
