//===- SelectBF16AsIntegers.cpp - bf16 selects on their bits ----------===//
//
// Implements --optc-cpu-select-bf16-as-integers: arith.select of bf16
// values (scalars or vectors) becomes a select of their i16 bits, which
// LLVM's instruction selection handles at every vector width. See the
// pass description.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPUSELECTBF16ASINTEGERS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

namespace {
struct SelectOnBits : public OpRewritePattern<arith::SelectOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(arith::SelectOp op,
                                PatternRewriter &rewriter) const override {
    Type type = op.getType();
    if (!getElementTypeOrSelf(type).isBF16())
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

struct SelectBF16AsIntegersPass
    : public mlir::optc::impl::OptcCPUSelectBF16AsIntegersBase<
          SelectBF16AsIntegersPass> {
  void runOnOperation() override {
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
