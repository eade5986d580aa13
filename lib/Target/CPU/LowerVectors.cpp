//===- LowerVectors.cpp - vector and math lowering for the CPU ------------===//
//
// Implements --optc-cpu-lower-vectors, run on bufferised kernels: keeps the
// accumulators of matrix products in registers (hoisting their transfers
// out of the k loop), lowers the n-D vector operations the vectoriser made
// to the 1-D forms the LLVM lowering takes, and replaces f32 math functions
// by polynomial approximations that vectorise instead of calling libm per
// element.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/Math/Transforms/Passes.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULOWERVECTORS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

namespace {
struct LowerVectorsPass
    : public mlir::optc::impl::OptcCPULowerVectorsBase<LowerVectorsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *context = &getContext();
    module.walk(
        [](func::FuncOp func) { linalg::hoistRedundantVectorTransfers(func); });

    // Contractions become outer products (one FMA per lhs element and rhs
    // vector); reductions become 1-D reductions.
    {
      RewritePatternSet patterns(context);
      vector::populateVectorContractLoweringPatterns(
          patterns, vector::VectorContractLowering::OuterProduct);
      vector::populateVectorTransferPermutationMapLoweringPatterns(patterns);
      vector::populateVectorMultiReductionLoweringPatterns(
          patterns, vector::VectorMultiReductionLowering::InnerReduction);
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::Shuffle1D);
      vector::populateVectorBroadcastLoweringPatterns(patterns);
      vector::populateVectorOuterProductLoweringPatterns(patterns);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }
    {
      // vector<1x1x16xf32> computes as vector<16xf32>.
      RewritePatternSet patterns(context);
      vector::populateCastAwayVectorLeadingOneDimPatterns(patterns);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }
    {
      RewritePatternSet patterns(context);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      populateMathPolynomialApproximationPatterns(patterns);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }
  }
};
} // namespace
