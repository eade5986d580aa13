//===- LowerVectors.cpp - vector and math lowering for the CPU ------------===//
//
// Implements --optc-cpu-lower-vectors, run on bufferised kernels: keeps the
// accumulators of matrix products in registers (hoisting their transfers
// out of the k loop), lowers the n-D vector operations the vectoriser made
// to the 1-D forms the LLVM lowering takes. Math functions are
// --optc-cpu-expand-math's.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/Transforms/Hoisting.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULOWERVECTORS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

namespace {

/// A 1-D read of every s-th element (a strided window: the im2col of a
/// strided convolution, a strided depthwise window) becomes one contiguous
/// load of the span and a shuffle picking every s-th element. The LLVM
/// lowering would otherwise read element by element.
struct StridedReadAsLoadAndShuffle
    : public OpRewritePattern<vector::TransferReadOp> {
  using OpRewritePattern::OpRewritePattern;
  LogicalResult matchAndRewrite(vector::TransferReadOp op,
                                PatternRewriter &rewriter) const override {
    auto source = dyn_cast<TypedValue<MemRefType>>(op.getBase());
    VectorType vectorType = op.getVectorType();
    if (!source || vectorType.getRank() != 1 || vectorType.isScalable() ||
        op.getMask() || !op.getPermutationMap().isMinorIdentity() ||
        !op.getInBoundsValues()[0])
      return failure();
    MemRefType type = source.getType();
    SmallVector<int64_t> strides;
    int64_t offset;
    if (failed(type.getStridesAndOffset(strides, offset)) ||
        ShapedType::isDynamic(strides.back()) || strides.back() < 2 ||
        strides.back() > 8 || !type.getElementType().isIntOrFloat())
      return failure();
    int64_t step = strides.back(), lanes = vectorType.getNumElements();
    int64_t span = (lanes - 1) * step + 1;
    Location loc = op.getLoc();
    auto metadata =
        memref::ExtractStridedMetadataOp::create(rewriter, loc, source);
    // The linear position of the first element read.
    Value linear = metadata.getOffset();
    for (auto [index, stride] :
         llvm::zip(op.getIndices(), metadata.getStrides())) {
      Value term = arith::MulIOp::create(rewriter, loc, index, stride);
      linear = arith::AddIOp::create(rewriter, loc, linear, term);
    }
    auto spanType = MemRefType::get(
        {span}, type.getElementType(),
        StridedLayoutAttr::get(getContext(), ShapedType::kDynamic, {1}));
    Value view = memref::ReinterpretCastOp::create(
        rewriter, loc, spanType, metadata.getBaseBuffer(), linear,
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(span)},
        ArrayRef<OpFoldResult>{rewriter.getIndexAttr(1)});
    Value zero = arith::ConstantIndexOp::create(rewriter, loc, 0);
    Value wide = vector::LoadOp::create(
        rewriter, loc, VectorType::get({span}, type.getElementType()), view,
        ValueRange{zero});
    SmallVector<int64_t> picks;
    for (int64_t i = 0; i < lanes; ++i)
      picks.push_back(i * step);
    rewriter.replaceOpWithNewOp<vector::ShuffleOp>(op, wide, wide, picks);
    return success();
  }
};

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
      patterns.add<StridedReadAsLoadAndShuffle>(context, /*benefit=*/2);
      vector::populateVectorShapeCastLoweringPatterns(patterns);
      vector::populateVectorTransferLoweringPatterns(patterns,
                                                     /*maxTransferRank=*/1);
      if (failed(applyPatternsGreedily(module, std::move(patterns))))
        return signalPassFailure();
    }
  }
};
} // namespace
