//===- Decompose.cpp - normalisations into reductions and elementwise ops ==//
//
// Implements --optc-decompose. The normalisations are optc ops so that the
// importer, shape inference and fusion see one op each; code generation
// sees what they are made of, inside the kernel of their region.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/OptcToLinalg/Lowering.h"
#include "passes/Conversion/Passes.h"

#include "dialects/Optc/IR/OptcOps.h"
#include "optc/Support/Sizes.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCDECOMPOSE
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

/// A rank-0 constant of `element`.
static Value scalar(PatternRewriter &b, Location loc, Type element,
                    double value) {
  auto type = RankedTensorType::get({}, element);
  return ConstantOp::create(
      b, loc, DenseElementsAttr::get(type, b.getFloatAttr(element, value)));
}

/// The type a normalisation computes in: the wider of its stash type and
/// the element type (a stash type never lowers the precision of the data:
/// f64 data with ONNX's default f32 stash type computes in f64, as
/// onnxruntime does); without a stash type, f32 for 16-bit floats.
static Type computeTypeOf(Type element, TypeAttr stash) {
  auto elementFloat = cast<FloatType>(element);
  FloatType wide = elementFloat;
  if (stash)
    wide = cast<FloatType>(stash.getValue());
  else if (element.isF16() || element.isBF16())
    wide = Float32Type::get(element.getContext());
  return wide.getWidth() >= elementFloat.getWidth() ? wide : elementFloat;
}

/// `value` with element type `element` (a cast when it differs).
static Value castTo(PatternRewriter &b, Location loc, Value value,
                    Type element) {
  auto type = cast<RankedTensorType>(value.getType());
  if (type.getElementType() == element)
    return value;
  return CastOp::create(b, loc, type.clone(element), value);
}

/// `x` normalised over `axes`: (x - mean) * rsqrt(var + eps), or without
/// centring (RMS) x * rsqrt(mean(x^2) + eps), computed in `compute` and
/// rounded back to x's element type.
static Value normalize(PatternRewriter &b, Location loc, Value x,
                       ArrayRef<int64_t> axes, double epsilon, bool center,
                       Type compute) {
  Type stored = cast<RankedTensorType>(x.getType()).getElementType();
  Type element = compute;
  x = castTo(b, loc, x, compute);
  Value d = x;
  if (center) {
    d = SubOp::create(b, loc, x, ReduceMeanOp::create(b, loc, x, axes, true));
    // Data widened from 16 bits spans more bits than the wider type's sum
    // keeps: the mean's rounding shows in rows of a large offset and a
    // small spread (3e4 +- 1 in f16). The corrected two-pass algorithm
    // subtracts the mean of the differences, which are exact.
    if (element != stored)
      d = SubOp::create(b, loc, d, ReduceMeanOp::create(b, loc, d, axes, true));
  }
  Value square = MulOp::create(b, loc, d, d);
  Value variance = ReduceMeanOp::create(b, loc, square, axes, true);
  Value shifted =
      AddOp::create(b, loc, variance, scalar(b, loc, element, epsilon));
  Value y = MulOp::create(b, loc, d, RsqrtOp::create(b, loc, shifted));
  return castTo(b, loc, y, stored);
}

static SmallVector<int64_t> trailingAxes(int64_t from, int64_t rank) {
  SmallVector<int64_t> axes;
  for (int64_t d = from; d < rank; ++d)
    axes.push_back(d);
  return axes;
}

/// A per-channel vector (shape C) reshaped to C x 1 x ... to broadcast
/// against an N x C x ... tensor of `rank`.
static Value perChannel(PatternRewriter &b, Location loc, Value vector,
                        int64_t rank) {
  auto type = cast<RankedTensorType>(vector.getType());
  SmallVector<int64_t> shape{type.getDimSize(0)};
  shape.append(rank - 2, 1);
  return ReshapeOp::create(b, loc, vector, shape);
}

namespace {

struct DecomposeLayerNorm : public OpRewritePattern<LayerNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(LayerNormOp op,
                                PatternRewriter &b) const override {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape())
      return failure();
    Location loc = op.getLoc();
    Value y = normalize(
        b, loc, op.getInput(), trailingAxes(op.getAxis(), type.getRank()),
        op.getEpsilon().convertToDouble(), /*center=*/true,
        computeTypeOf(type.getElementType(), op.getStashTypeAttr()));
    y = MulOp::create(b, loc, y, op.getScale());
    if (op.getBias())
      y = AddOp::create(b, loc, y, op.getBias());
    b.replaceOp(op, y);
    return success();
  }
};

struct DecomposeRmsNorm : public OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(RmsNormOp op,
                                PatternRewriter &b) const override {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape())
      return failure();
    Location loc = op.getLoc();
    Value y = normalize(
        b, loc, op.getInput(), trailingAxes(op.getAxis(), type.getRank()),
        op.getEpsilon().convertToDouble(), /*center=*/false,
        computeTypeOf(type.getElementType(), op.getStashTypeAttr()));
    b.replaceOp(op, MulOp::create(b, loc, y, op.getScale()));
    return success();
  }
};

struct DecomposeBatchNorm : public OpRewritePattern<BatchNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(BatchNormOp op,
                                PatternRewriter &b) const override {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    if (!type.hasStaticShape() || type.getRank() < 2)
      return failure();
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    Type element = type.getElementType();
    // a = scale * rsqrt(var + eps); y = x * a + (bias - mean * a).
    Value shifted = AddOp::create(
        b, loc, op.getVariance(),
        scalar(b, loc, element, op.getEpsilon().convertToDouble()));
    Value a =
        MulOp::create(b, loc, op.getScale(), RsqrtOp::create(b, loc, shifted));
    Value c = SubOp::create(b, loc, op.getBias(),
                            MulOp::create(b, loc, op.getMean(), a));
    if (rank > 2) {
      a = perChannel(b, loc, a, rank);
      c = perChannel(b, loc, c, rank);
    }
    Value y = AddOp::create(b, loc, MulOp::create(b, loc, op.getInput(), a), c);
    b.replaceOp(op, y);
    return success();
  }
};

struct DecomposeGroupNorm : public OpRewritePattern<GroupNormOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(GroupNormOp op,
                                PatternRewriter &b) const override {
    auto type = cast<RankedTensorType>(op.getInput().getType());
    int64_t groups = static_cast<int64_t>(op.getNumGroups());
    if (!type.hasStaticShape() || type.getRank() < 2 || groups <= 0 ||
        type.getDimSize(1) % groups != 0)
      return failure();
    Location loc = op.getLoc();
    int64_t rank = type.getRank();
    // The elements of one group of one sample: C / groups times the
    // spatial sizes (no division by N * groups, which is 0 for an empty
    // batch). A verified input, within the limits per tensor.
    std::optional<int64_t> spatial =
        sizes::product(type.getShape().drop_front(2));
    std::optional<int64_t> rest =
        spatial ? sizes::mul(type.getDimSize(1) / groups, *spatial)
                : std::nullopt;
    assert(rest && "a tensor within the limits per tensor");
    Value grouped = ReshapeOp::create(
        b, loc, op.getInput(),
        SmallVector<int64_t>{type.getDimSize(0), groups, *rest});
    Value y =
        normalize(b, loc, grouped, {2}, op.getEpsilon().convertToDouble(),
                  /*center=*/true,
                  computeTypeOf(type.getElementType(), op.getStashTypeAttr()));
    y = ReshapeOp::create(b, loc, y, type.getShape());
    Value scale = op.getScale(), bias = op.getBias();
    if (rank > 2) {
      scale = perChannel(b, loc, scale, rank);
      bias = perChannel(b, loc, bias, rank);
    }
    y = AddOp::create(b, loc, MulOp::create(b, loc, y, scale), bias);
    b.replaceOp(op, y);
    return success();
  }
};

/// A quantized matrix product the CPU micro-kernel does not run: its
/// weights dequantized, then a matrix product.
struct DecomposeQuantizedMatmul : public OpRewritePattern<QuantizedMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(QuantizedMatmulOp op,
                                PatternRewriter &b) const override {
    if (lowering::runsOnMicroKernel(op))
      return failure();
    Location loc = op.getLoc();
    RankedTensorType codes = op.getRhs().getType();
    Value w = DequantizeOp::create(
        b, loc,
        RankedTensorType::get(codes.getShape(),
                              op.getLhs().getType().getElementType()),
        op.getRhs(), op.getScales(), op.getZeroPoints(), op.getTensorScale());
    if (op.getRhsTransposed())
      w = TransposeOp::create(b, loc, w, SmallVector<int64_t>{1, 0});
    b.replaceOpWithNewOp<MatmulOp>(op, op.getType(), op.getLhs(), w);
    return success();
  }
};

/// An 8-bit integer product the CPU micro-kernel does not run: both
/// operands widened to i32, less their zero points (lhs's per row as a
/// column), then an i32 matrix product.
struct DecomposeIntegerMatmul : public OpRewritePattern<IntegerMatmulOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(IntegerMatmulOp op,
                                PatternRewriter &b) const override {
    if (lowering::runsOnIntegerKernel(op))
      return failure();
    Location loc = op.getLoc();
    Type i32 = b.getI32Type();
    // `value` widened, less `zero` (if any); zero points one a row of
    // `value` (lhs's; rhs's when transposed) broadcast as a column.
    auto shifted = [&](Value value, Value zero, bool perRow) -> Value {
      value = castTo(b, loc, value, i32);
      if (!zero)
        return value;
      zero = castTo(b, loc, zero, i32);
      auto type = cast<RankedTensorType>(zero.getType());
      if (perRow && type.getRank() == 1 && type.getDimSize(0) != 1)
        zero = ReshapeOp::create(b, loc, zero,
                                 SmallVector<int64_t>{type.getDimSize(0), 1});
      return SubOp::create(b, loc, value, zero);
    };
    Value lhs = shifted(op.getLhs(), op.getLhsZeroPoint(), true);
    Value rhs = op.getRhs();
    if (op.getRhsPanels()) {
      // [N/16, K/4, 16, 4] -> [K/4, 4, N/16, 16] -> [K, N] and the padding.
      ArrayRef<int64_t> panels = op.getRhs().getType().getShape();
      rhs = TransposeOp::create(b, loc, rhs, SmallVector<int64_t>{1, 3, 0, 2});
      rhs = ReshapeOp::create(
          b, loc, rhs, SmallVector<int64_t>{panels[1] * 4, panels[0] * 16});
      rhs =
          SliceOp::create(b, loc, rhs, SmallVector<int64_t>{0, 0},
                          SmallVector<int64_t>{op.getDepth(), op.getColumns()},
                          SmallVector<int64_t>{1, 1});
    }
    rhs = shifted(rhs, op.getRhsZeroPoint(), op.getRhsTransposed());
    if (op.getRhsTransposed())
      rhs = TransposeOp::create(b, loc, rhs, SmallVector<int64_t>{1, 0});
    b.replaceOpWithNewOp<MatmulOp>(op, op.getType(), lhs, rhs);
    return success();
  }
};

struct DecomposePass
    : public mlir::optc::impl::OptcDecomposeBase<DecomposePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<DecomposeLayerNorm, DecomposeRmsNorm, DecomposeBatchNorm,
                 DecomposeGroupNorm, DecomposeQuantizedMatmul,
                 DecomposeIntegerMatmul>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
