//===- FuseElementLoops.cpp - one loop for a kernel's elementwise ops -----===//
//
// Implements --optc-fuse-element-loops. See the pass description.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
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
    linalg::populateElementwiseOpsFusionPatterns(
        patterns, [](OpOperand *operand) {
          Operation *producer = operand->get().getDefiningOp();
          return producer && producer->hasOneUse();
        });
    FrozenRewritePatternSet frozen(std::move(patterns));
    for (auto func : getOperation().getOps<func::FuncOp>())
      if (func->hasAttr("optc.kernel") &&
          failed(applyPatternsGreedily(func, frozen)))
        return signalPassFailure();
  }
};
} // namespace
