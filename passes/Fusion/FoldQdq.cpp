//===- FoldQdq.cpp - what the quantized products leave of the QDQ format --===//
//
// Implements --optc-fold-qdq. See the pass description.
//
// dequantize(quantize(x, s1, z1), s2, z2) with integer codes and scales
// per tensor or per axis (no blocks) is
//
//   r = roundeven(x / s1) + z1,  NaN -> 0,  clamped to the codes' range
//   y = (r - z2) * s2
//
// the quantize and dequantize lowerings' own arithmetic
// (passes/Conversion/OptcToLinalg/Quantized.cpp) in the same order on f32,
// so the result is bit for bit what the pair computes. The scales and zero
// points are shaped ceil(size / block) per dimension, which broadcasts
// against x exactly when every block is 1 or the whole dimension. The
// arithmetic is made one optc.fusion region, which --optc-form-regions
// leaves as it is and --optc-fuse-elementwise merges into its neighbours.
//
//===----------------------------------------------------------------------===//

#include "passes/Fusion/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/IR/DialectResourceBlobManager.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <cmath>

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCFOLDQDQ
#include "passes/Fusion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

namespace {

/// The value of `v` when a constant defines it; null for none (and for a
/// missing operand).
Attribute constantOf(Value v) {
  auto constant = v ? v.getDefiningOp<ConstantOp>() : ConstantOp();
  return constant ? constant.getValue() : Attribute();
}

/// dequantize(constant) -> an f32 constant (a blob).
struct FoldDequantizedConstant : public OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Attribute input = constantOf(op.getInput());
    Attribute scales = constantOf(op.getScales());
    Attribute zeros = constantOf(op.getZeroPoints());
    Attribute tensorScale = constantOf(op.getTensorScale());
    if (!type.getElementType().isF32() || !input || !scales ||
        (op.getZeroPoints() && !zeros) || (op.getTensorScale() && !tensorScale))
      return rewriter.notifyMatchFailure(op, "not constants of f32 values");
    std::optional<std::vector<float>> values =
        dequantizedValues(op, input, scales, zeros, tensorScale);
    if (!values)
      return rewriter.notifyMatchFailure(op, "unreadable constants");
    auto resource = dyn_cast<DenseResourceElementsAttr>(input);
    std::string key =
        (resource ? resource.getRawHandle().getKey() : StringRef("weights"))
            .str() +
        ".dequantized";
    ArrayRef<char> bytes(reinterpret_cast<const char *>(values->data()),
                         values->size() * sizeof(float));
    rewriter.replaceOpWithNewOp<ConstantOp>(
        op, DenseResourceElementsAttr::get(
                type, key,
                HeapAsmResourceBlob::allocateAndCopyWithAlign(bytes,
                                                              alignof(float))));
    return success();
  }
};

/// Whether scales of `codes`' encoding broadcast against a tensor of its
/// shape: every block 1 or the whole dimension.
bool broadcasts(RankedTensorType codes) {
  QuantAttr quant = getQuantEncoding(codes);
  if (!quant || !codes.hasStaticShape())
    return false;
  for (auto [size, block] : llvm::zip(codes.getShape(), quant.getBlock()))
    if (block != 1 && block != size)
      return false;
  return true;
}

/// dequantize(quantize(x)) -> the pair's float arithmetic.
struct FoldRoundTrip : public OpRewritePattern<DequantizeOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(DequantizeOp op,
                                PatternRewriter &rewriter) const override {
    auto quantize = op.getInput().getDefiningOp<QuantizeOp>();
    if (!quantize)
      return rewriter.notifyMatchFailure(op, "not a quantized value");
    RankedTensorType codes = quantize.getType();
    auto integer = dyn_cast<IntegerType>(codes.getElementType());
    Value x = quantize.getInput();
    auto f32 = rewriter.getF32Type();
    auto plain = [](Value v) { return !v || !getQuantEncoding(v.getType()); };
    if (!integer || !broadcasts(codes) || elementOf(x) != f32 ||
        elementOf(op.getResult()) != f32 || quantize.getTensorScale() ||
        op.getTensorScale() || elementOf(quantize.getScales()) != f32 ||
        elementOf(op.getScales()) != f32 || !plain(quantize.getZeroPoints()) ||
        !plain(op.getZeroPoints()))
      return rewriter.notifyMatchFailure(
          op, "not integer codes of f32 per tensor or per axis");
    Location loc = op.getLoc();
    auto scalar = [&](double v) -> Value {
      return ConstantOp::create(
          rewriter, loc,
          DenseElementsAttr::get(RankedTensorType::get({}, f32),
                                 static_cast<float>(v)));
    };
    unsigned w = integer.getWidth();
    double lo = integer.isUnsigned() ? 0 : -std::ldexp(1.0, w - 1);
    double hi = integer.isUnsigned() ? std::ldexp(1.0, w) - 1
                                     : std::ldexp(1.0, w - 1) - 1;
    // One region from the start: the arithmetic fans out (r feeds the NaN
    // test and the clamp), which --optc-fuse-elementwise does not merge.
    SmallVector<Value> inputs;
    auto input = [&](Value v) {
      if (!llvm::is_contained(inputs, v))
        inputs.push_back(v);
    };
    Value low = scalar(lo), high = scalar(hi), zero = scalar(0);
    for (Value v :
         SmallVector<Value>{x, quantize.getScales(), op.getScales(), low, high,
                            zero, quantize.getZeroPoints(), op.getZeroPoints()})
      if (v)
        input(v);
    auto fusion =
        FusionOp::create(rewriter, loc, TypeRange{op.getType()}, inputs);
    Block *body = rewriter.createBlock(&fusion.getBody());
    IRMapping args;
    for (Value v : inputs)
      args.map(v, body->addArgument(v.getType(), loc));
    auto asFloat = [&](Value zero) -> Value {
      auto type = cast<RankedTensorType>(zero.getType());
      return CastOp::create(rewriter, loc, type.clone(f32), args.lookup(zero));
    };
    Value r = DivOp::create(rewriter, loc, args.lookup(x),
                            args.lookup(quantize.getScales()));
    r = RoundOp::create(rewriter, loc, r);
    if (Value z = quantize.getZeroPoints())
      r = AddOp::create(rewriter, loc, r, asFloat(z));
    Value isNaN = IsNanOp::create(rewriter, loc, r);
    r = MaxOp::create(rewriter, loc, r, args.lookup(low));
    r = MinOp::create(rewriter, loc, r, args.lookup(high));
    r = SelectOp::create(rewriter, loc, isNaN, args.lookup(zero), r);
    if (Value z = op.getZeroPoints())
      r = SubOp::create(rewriter, loc, r, asFloat(z));
    r = MulOp::create(rewriter, loc, r, args.lookup(op.getScales()));
    YieldOp::create(rewriter, loc, r);
    rewriter.replaceOp(op, fusion->getResults());
    return success();
  }

  static Type elementOf(Value v) {
    return cast<ShapedType>(v.getType()).getElementType();
  }
};

struct FoldQdqPass : public mlir::optc::impl::OptcFoldQdqBase<FoldQdqPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldDequantizedConstant, FoldRoundTrip>(&getContext());
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
