//===- FuseElementLoops.cpp - one loop for a kernel's elementwise ops -----===//
//
// Implements --optc-fuse-element-loops. See the pass description.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCFUSEELEMENTLOOPS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

namespace {
struct FuseElementLoopsPass
    : public mlir::optc::impl::OptcFuseElementLoopsBase<FuseElementLoopsPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    // A producer is fused only into its one user: nothing is computed
    // twice. The upstream pass also propagates reshapes through every
    // linalg op, which turns named contractions into generics the
    // vectoriser no longer sees as matrix products; that is left out.
    auto runsOnKernel = [](Operation *op) {
      auto generic = dyn_cast_or_null<linalg::GenericOp>(op);
      return generic && generic.getLibraryCallAttr();
    };
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [runsOnKernel](OpOperand *operand) {
          // Nor into or out of an op a micro-kernel runs (library_call).
          Operation *producer = operand->get().getDefiningOp();
          return producer && producer->hasOneUse() && !runsOnKernel(producer) &&
                 !runsOnKernel(operand->getOwner());
        });
    FrozenRewritePatternSet fusion(std::move(patterns));
    // Then (once the chains are one op), an elementwise op reading a matrix
    // product through an expand_shape
    // (a convolution's N x F x HW product seen as N x F x H x W) computes
    // in the product's shape instead, its result expanded: the product and
    // its epilogue then share one iteration space, and the CPU schedule
    // can compute the epilogue of each block of the product while the
    // block is in cache. Nothing else is reshaped.
    RewritePatternSet reshapes(&getContext());
    linalg::populateFoldReshapeOpsByCollapsingPatterns(
        reshapes, [](OpOperand *operand) {
          auto generic = dyn_cast<linalg::GenericOp>(operand->getOwner());
          auto expand = operand->get().getDefiningOp<tensor::ExpandShapeOp>();
          if (!generic || !expand ||
              generic.getNumLoops() != generic.getNumParallelLoops())
            return false;
          auto producer = expand.getSrc().getDefiningOp<linalg::LinalgOp>();
          return producer && linalg::isaContractionOpInterface(producer);
        });
    FrozenRewritePatternSet collapsing(std::move(reshapes));
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (!func->hasAttr("optc.kernel"))
        continue;
      // The fusion patterns also rebuild generics whose inputs are scalar
      // or splat constants (the constant moved into the body) without
      // their library_call and parameters: an op a micro-kernel runs must
      // not be rewritten, so where a kernel holds one, the patterns see
      // only the other ops.
      SmallVector<Operation *> others;
      bool holdsMicroKernel = false;
      func.walk([&](Operation *op) {
        if (runsOnKernel(op))
          holdsMicroKernel = true;
        else if (op != func)
          others.push_back(op);
      });
      LogicalResult fused = success();
      if (holdsMicroKernel) {
        GreedyRewriteConfig config;
        config.setStrictness(GreedyRewriteStrictness::ExistingAndNewOps);
        fused = applyOpPatternsGreedily(others, fusion, config);
      } else {
        fused = applyPatternsGreedily(func, fusion);
      }
      if (failed(fused) || failed(applyPatternsGreedily(func, collapsing)))
        return signalPassFailure();
    }
  }
};
} // namespace
