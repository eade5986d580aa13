//===- LegalizeBF16.cpp - bf16 code that rounds and lowers as it should ---===//
//
// Implements --optc-cpu-legalize-bf16: the f32 emulation of bf16
// arithmetic rounds after every op (its ext/trunc pairs lose their
// `contract` flag), and arith.select of bf16 values (scalars or vectors)
// becomes a select of their i16 bits, which LLVM's instruction selection
// handles at every vector width. See the pass description.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULEGALIZEBF16
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// Whether `type` is bf16 or a shaped type of bf16.
static bool isBF16(Type type) { return getElementTypeOrSelf(type).isBF16(); }

namespace {
struct SelectOnBits : public OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::SelectOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!isBF16(type))
      return failure();
    Type bits = rewriter.getI16Type();
    if (auto shaped = dyn_cast<ShapedType>(type))
      bits = shaped.clone(bits);
    Location loc = op.getLoc();
    Value onTrue =
        arith::BitcastOp::create(rewriter, loc, bits, op.getTrueValue());
    Value onFalse =
        arith::BitcastOp::create(rewriter, loc, bits, op.getFalseValue());
    Value chosen = arith::SelectOp::create(rewriter, loc, op.getCondition(),
                                           onTrue, onFalse);
    rewriter.replaceOpWithNewOp<arith::BitcastOp>(op, type, chosen);
    return success();
  }
};

struct LegalizeBF16Pass
    : public mlir::optc::impl::OptcCPULegalizeBF16Base<LegalizeBF16Pass> {
  void runOnOperation() override {
    // arith-emulate-unsupported-floats marks the extf and truncf it wraps
    // around each op `contract`, which lets extf(truncf(x)) fold to x: the
    // bf16 result of a multiply would then reach the next add unrounded.
    getOperation()->walk([](Operation *op) {
      auto clear = [](auto cast) {
        cast.setFastmath(arith::FastMathFlags::none);
      };
      if (auto ext = dyn_cast<arith::ExtFOp>(op);
          ext && isBF16(ext.getIn().getType()))
        clear(ext);
      else if (auto trunc = dyn_cast<arith::TruncFOp>(op);
               trunc && isBF16(trunc.getType()))
        clear(trunc);
    });
    RewritePatternSet patterns(&getContext());
    patterns.add<SelectOnBits>(&getContext());
    // No folding: a bitcast of a select of bitcasts must not fold back.
    GreedyRewriteConfig config;
    config.enableFolding(false);
    if (failed(
            applyPatternsGreedily(getOperation(), std::move(patterns), config)))
      return signalPassFailure();
  }
};
} // namespace
