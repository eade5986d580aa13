//===- TileAndVectorize.cpp - schedule CPU kernels ------------------------===//
//
// Implements --optc-cpu-tile-and-vectorize. Each linalg op of a kernel gets
// a schedule (tile sizes for threads, for the cache and for vector
// registers) and is tiled with upstream scf tiling, then vectorised with
// linalg::vectorize; an elementwise epilogue of a matrix product is fused
// into the product's thread blocks first. The schedule is computed by
// `scheduleFor` from static sizes and the vector width; it is the one place
// a tuned schedule will plug in.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/IR/LinalgInterfaces.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/TileUsingInterface.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Vector/Transforms/VectorTransforms.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/TilingInterface.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#include <array>

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPUTILEANDVECTORIZE
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

namespace {

/// Tile sizes of one linalg op, one per loop; 0 leaves a loop untiled.
struct Schedule {
  SmallVector<int64_t> threadTiles; // the scf.forall level; empty: serial
  SmallVector<int64_t> cacheTiles;  // an scf.for level; empty: none
  SmallVector<int64_t> vectorTiles; // the scf.for level, then vectorised
};

} // namespace

/// The largest divisor of `n` that is at most `limit` (at least 1).
static int64_t largestDivisorAtMost(int64_t n, int64_t limit) {
  for (int64_t d = std::min(n, limit); d > 1; --d)
    if (n % d == 0)
      return d;
  return 1;
}

/// The widest element of `op`'s operands, in bits (at least 8).
static unsigned widestElementBits(linalg::LinalgOp op) {
  unsigned bits = 8;
  for (OpOperand &operand : op->getOpOperands())
    if (auto shaped = dyn_cast<ShapedType>(operand.get().getType()))
      if (shaped.getElementType().isIntOrFloat())
        bits = std::max(bits, shaped.getElementType().getIntOrFloatBitWidth());
  return bits;
}

/// Whether `op`'s iterations are worth splitting over threads.
static bool worthThreads(ArrayRef<int64_t> ranges, int64_t minWork) {
  int64_t work = 1;
  for (int64_t range : ranges)
    work = work > (int64_t(1) << 40) / std::max<int64_t>(range, 1)
               ? int64_t(1) << 40
               : work * range;
  return work >= minWork;
}

/// The k slice of a matrix product's cache tile.
constexpr int64_t kCacheK = 256;

/// The largest multiple of `tile` that divides `range` and is at most
/// `limit` (at least `tile`); `range` is a multiple of `tile`.
static int64_t blockOf(int64_t range, int64_t tile, int64_t limit) {
  return tile *
         largestDivisorAtMost(range / tile, std::max<int64_t>(1, limit / tile));
}

/// Matrix products: threads take (batch, M-tile, N-tile) blocks; each block
/// walks a long k in L2-sized slices and runs register tiles of mr x nr
/// accumulators over k one step at a time. mr is 8 rows on AVX-512 (4
/// below), or the whole of a shorter M; nr is two vectors (up to 16 when M
/// has few rows), one, or the whole of a shorter N. Sizes these do not
/// divide are split off first (see `TileAndVectorizePass`).
static std::optional<Schedule>
contractionSchedule(linalg::LinalgOp op, ArrayRef<int64_t> ranges,
                    int64_t lanes, unsigned vectorBits, int64_t minWork) {
  if (!linalg::isaContractionOpInterface(op))
    return std::nullopt;
  FailureOr<linalg::ContractionDimensions> dims =
      linalg::inferContractionDims(op);
  if (failed(dims) || dims->m.size() != 1 || dims->n.size() != 1 ||
      dims->k.empty())
    return std::nullopt;
  unsigned m = dims->m[0], n = dims->n[0];
  Schedule schedule;
  int64_t mr = vectorBits >= 512 ? 8 : 4;
  schedule.vectorTiles.assign(ranges.size(), 1);
  schedule.vectorTiles[m] = std::min(ranges[m], mr);
  // Few rows (a matrix-vector product, a decode step) take wider tiles, up
  // to 16 accumulator vectors: each k step then reads a long contiguous
  // piece of a right-hand-side row instead of two vectors a row apart.
  int64_t vectors = std::clamp<int64_t>(16 / schedule.vectorTiles[m], 2, 16);
  int64_t nr = 1;
  while (nr * 2 <= vectors && nr * 2 * lanes <= ranges[n])
    nr *= 2;
  schedule.vectorTiles[n] = ranges[n] >= lanes ? nr * lanes : ranges[n];
  if (ranges[m] % schedule.vectorTiles[m] != 0 ||
      ranges[n] % schedule.vectorTiles[n] != 0)
    return schedule; // split before tiling for threads
  // A long k walks the block's columns of the right-hand side in slices
  // that stay in L2 (kc x blockN floats) while every row tile uses them.
  if (dims->k.size() == 1 && ranges[dims->k[0]] > 2 * kCacheK) {
    int64_t kc = largestDivisorAtMost(ranges[dims->k[0]], kCacheK);
    if (kc >= kCacheK / 2) {
      schedule.cacheTiles.assign(ranges.size(), 0);
      schedule.cacheTiles[dims->k[0]] = kc;
    }
  }
  if (worthThreads(ranges, minWork)) {
    schedule.threadTiles.assign(ranges.size(), 0);
    for (unsigned b : dims->batch)
      schedule.threadTiles[b] = 1;
    schedule.threadTiles[m] = blockOf(ranges[m], schedule.vectorTiles[m], 64);
    schedule.threadTiles[n] =
        blockOf(ranges[n], schedule.vectorTiles[n],
                std::max<int64_t>(16 * lanes, schedule.vectorTiles[n]));
    // Within a thread's block the vector tiles walk the whole block.
  } else {
    // Serial: the vector level walks the whole op.
  }
  return schedule;
}

/// Everything else: vectors along the innermost loop (and the one before
/// it when the innermost is short), threads over the parallel loops. An
/// innermost loop longer than the vector tile (up to four vectors) takes
/// whole tiles, its remainder split off (see `TileAndVectorizePass`).
static Schedule genericSchedule(linalg::LinalgOp op, ArrayRef<int64_t> ranges,
                                int64_t lanes, int64_t minWork) {
  Schedule schedule;
  int64_t rank = ranges.size();
  if (rank == 0)
    return schedule;
  schedule.vectorTiles.assign(rank, 1);
  // Up to four vectors per operand, within about 16 vector registers: a
  // weighted sum of 9 windows takes one vector per window.
  int64_t perOperand = std::clamp<int64_t>(
      16 / std::max<int64_t>(1, op->getNumOperands()), 1, 4);
  // A divisor of the length when one is at least a vector long (no split),
  // else whole tiles and a remainder.
  int64_t limit = perOperand * lanes;
  int64_t divisor = largestDivisorAtMost(ranges[rank - 1], limit);
  int64_t inner = ranges[rank - 1] <= limit ? ranges[rank - 1]
                  : divisor >= lanes        ? divisor
                                            : limit;
  schedule.vectorTiles[rank - 1] = inner;
  if (inner < lanes && rank >= 2)
    schedule.vectorTiles[rank - 2] = largestDivisorAtMost(
        ranges[rank - 2], std::max<int64_t>(1, 4 * lanes / inner));
  if (ranges[rank - 1] % inner != 0 || !worthThreads(ranges, minWork))
    return schedule;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  schedule.threadTiles.assign(rank, 0);
  bool anyParallel = false;
  for (int64_t d = 0; d < rank; ++d) {
    if (iterators[d] != utils::IteratorType::parallel)
      continue;
    anyParallel = true;
    // A thread's tile: whole vector tiles, and at least a few of them
    // along the innermost dimension.
    schedule.threadTiles[d] =
        d == rank - 1
            ? blockOf(ranges[d], schedule.vectorTiles[d],
                      std::max<int64_t>(schedule.vectorTiles[d], 1024))
            : schedule.vectorTiles[d];
  }
  if (!anyParallel)
    schedule.threadTiles.clear();
  return schedule;
}

static Schedule scheduleFor(linalg::LinalgOp op, unsigned vectorBits,
                            int64_t minWork) {
  SmallVector<int64_t> ranges = op.getStaticLoopRanges();
  int64_t lanes = std::max<int64_t>(1, vectorBits / widestElementBits(op));
  if (std::optional<Schedule> schedule =
          contractionSchedule(op, ranges, lanes, vectorBits, minWork))
    return *schedule;
  return genericSchedule(op, ranges, lanes, minWork);
}

/// The first loop whose vector tile does not divide its size, if any.
static std::optional<unsigned> remainderDim(ArrayRef<int64_t> ranges,
                                            const Schedule &schedule) {
  for (auto [d, tile] : llvm::enumerate(schedule.vectorTiles))
    if (tile > 0 && tile < ranges[d] && ranges[d] % tile != 0)
      return d;
  return std::nullopt;
}

/// Tiles `op` with `tiles`, in an scf.forall or nested scf.for loops, and
/// returns the tiled op (or `op` itself when nothing is tiled).
static FailureOr<Operation *> tile(RewriterBase &rewriter, TilingInterface op,
                                   ArrayRef<int64_t> tiles, bool forall) {
  if (llvm::all_of(tiles, [](int64_t t) { return t == 0; }))
    return op.getOperation();
  scf::SCFTilingOptions options;
  options.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles));
  options.setLoopType(forall ? scf::SCFTilingOptions::LoopType::ForallOp
                             : scf::SCFTilingOptions::LoopType::ForOp);
  rewriter.setInsertionPoint(op);
  FailureOr<scf::SCFTilingResult> result =
      scf::tileUsingSCF(rewriter, op, options);
  if (failed(result))
    return failure();
  rewriter.replaceOp(op, result->replacements);
  return result->tiledOps.back();
}

namespace {
struct TileAndVectorizePass
    : public mlir::optc::impl::OptcCPUTileAndVectorizeBase<
          TileAndVectorizePass> {
  using Base::Base;

  /// Tiles and vectorises `op`. A loop its vector tile does not divide is
  /// first split into the part the tile divides and the remainder, each
  /// then scheduled on its own: every tile stays full and static (no masks,
  /// no partial tiles), and remainders take shorter vectors.
  void scheduleOp(RewriterBase &rewriter, linalg::LinalgOp op,
                  bool threaded = true) {
    if (op.getNumLoops() == 0)
      return; // scalar code after bufferisation
    SmallVector<int64_t> ranges = op.getStaticLoopRanges();
    Schedule schedule = scheduleFor(op, vectorBits, minParallelWork);
    if (!threaded)
      schedule.threadTiles.clear();
    if (std::optional<unsigned> d = remainderDim(ranges, schedule)) {
      int64_t tile = schedule.vectorTiles[*d];
      rewriter.setInsertionPoint(op);
      auto [head, tail] =
          linalg::splitOp(rewriter, cast<TilingInterface>(op.getOperation()),
                          *d, rewriter.getIndexAttr(ranges[*d] / tile * tile));
      if (head && tail) {
        scheduleOp(rewriter, cast<linalg::LinalgOp>(head.getOperation()),
                   threaded);
        scheduleOp(rewriter, cast<linalg::LinalgOp>(tail.getOperation()),
                   threaded);
        return;
      }
      // Not splittable: partial tiles are left to the loop lowering.
      fallback(op, Unsplit,
               "the remainder of loop " + std::to_string(*d) +
                   " could not be split off: no thread or vector tiles");
      schedule.threadTiles.clear();
      schedule.vectorTiles.clear();
    }
    auto tileable = cast<TilingInterface>(op.getOperation());
    Operation *current = op;
    if (!schedule.threadTiles.empty()) {
      // An op upstream tiling cannot split stays whole; it still runs.
      FailureOr<Operation *> tiled =
          tile(rewriter, tileable, schedule.threadTiles, /*forall=*/true);
      if (succeeded(tiled))
        current = *tiled;
      else
        fallback(op, Serial,
                 "could not be tiled for threads: runs on "
                 "one thread");
    }
    if (!schedule.cacheTiles.empty()) {
      FailureOr<Operation *> tiled =
          tile(rewriter, cast<TilingInterface>(current), schedule.cacheTiles,
               /*forall=*/false);
      if (succeeded(tiled))
        current = *tiled;
      else
        fallback(current, Untiled, "could not be tiled for the cache");
    }
    if (!schedule.vectorTiles.empty()) {
      // The vector tiles, clamped to what the thread tile left.
      auto linalgOp = cast<linalg::LinalgOp>(current);
      SmallVector<int64_t> left = linalgOp.getStaticLoopRanges();
      SmallVector<int64_t> tiles;
      for (auto [size, range] : llvm::zip(schedule.vectorTiles, left))
        tiles.push_back(size >= range ? 0 : size);
      FailureOr<Operation *> tiled = tile(
          rewriter, cast<TilingInterface>(current), tiles, /*forall=*/false);
      if (failed(tiled)) {
        fallback(current, Untiled,
                 "could not be tiled for vector registers: scalar code");
        return;
      }
      current = *tiled;
    }
    // Ops that do not vectorise stay scalar; they still run correctly.
    rewriter.setInsertionPoint(current);
    // Contractions become vector.contract with their own indexing maps
    // (not a broadcast product and a reduction), which lowers to outer
    // products.
    bool contraction =
        isa<linalg::LinalgOp>(current) &&
        linalg::isaContractionOpInterface(cast<linalg::LinalgOp>(current));
    FailureOr<linalg::VectorizationResult> vectorized = linalg::vectorize(
        rewriter, current, /*inputVectorSizes=*/{},
        /*inputScalableVecDims=*/{}, /*vectorizeNDExtract=*/false,
        /*flatten1DDepthwiseConv=*/false,
        /*assumeDynamicDimsMatchVecSizes=*/false,
        /*createNamedContraction=*/contraction);
    if (succeeded(vectorized))
      rewriter.replaceOp(current, vectorized->replacements);
    else
      fallback(current, Scalar, "does not vectorise: scalar code");
  }

  /// The kinds of schedule fallback, counted per kernel.
  enum Fallback { Unsplit, Serial, Untiled, Scalar, NumFallbacks };
  /// This kernel's fallbacks so far. (Not mlir::Pass::Statistic: Debian's
  /// LLVM is built with NDEBUG, where llvm::Statistic counts nothing, and a
  /// build of optc without NDEBUG would disagree with it on the class's
  /// layout.)
  std::array<int64_t, NumFallbacks> fallbacks{};

  /// Counts a schedule that could not be applied in full, and says so at
  /// the op with `remarks`.
  void fallback(Operation *op, Fallback kind, const std::string &what) {
    ++fallbacks[kind];
    if (remarks)
      op->emitRemark() << "'" << op->getName() << "' " << what;
  }

  static bool isMicroKernel(linalg::LinalgOp op) {
    auto generic = dyn_cast<linalg::GenericOp>(op.getOperation());
    return generic && generic.getLibraryCallAttr();
  }

  /// A fill whose result only initialises a micro-kernel's output: the
  /// kernels write their output whole, and --optc-cpu-lower-micro-kernels
  /// erases the fill, so it is not scheduled.
  static bool initialisesMicroKernel(linalg::LinalgOp op) {
    if (!isa<linalg::FillOp>(op.getOperation()) || !op->hasOneUse())
      return false;
    OpOperand &use = *op->use_begin();
    auto user = dyn_cast<linalg::LinalgOp>(use.getOwner());
    return user && isMicroKernel(user) && user.isDpsInit(&use);
  }

  /// The matrix product whose only result `op` reads at the positions it
  /// writes, when `op` is elementwise over the product's result space (an
  /// epilogue: bias, normalisation, activation), with static sizes.
  static linalg::LinalgOp contractionBehind(linalg::GenericOp op) {
    if (!op.hasPureTensorSemantics() || op.getNumResults() != 1 ||
        op.getNumLoops() != op.getNumParallelLoops() ||
        !op.getIndexingMapMatchingResult(op->getResult(0)).isIdentity())
      return nullptr;
    for (OpOperand *input : op.getDpsInputOperands()) {
      auto producer = input->get().getDefiningOp<linalg::LinalgOp>();
      if (!producer || isMicroKernel(producer) ||
          !linalg::isaContractionOpInterface(producer) ||
          !producer.hasPureTensorSemantics() ||
          producer->getNumResults() != 1 || !input->get().hasOneUse() ||
          !op.getMatchingIndexingMap(input).isIdentity() ||
          !producer.getIndexingMapMatchingResult(cast<OpResult>(input->get()))
               .isProjectedPermutation() ||
          llvm::any_of(producer.getStaticLoopRanges(),
                       [](int64_t r) { return ShapedType::isDynamic(r); }))
        continue;
      return producer;
    }
    return nullptr;
  }

  /// Computes `epilogue` block by block with the matrix product behind it:
  /// the product's thread blocks tile the epilogue, the product (and the
  /// fill of its accumulator) is fused into each block, and each of the
  /// three then gets its serial schedule inside the block. The block of
  /// the product is still in cache when the epilogue reads it, and one
  /// parallel loop replaces three.
  void fuseIntoBlocks(RewriterBase &rewriter, linalg::GenericOp epilogue) {
    linalg::LinalgOp product = contractionBehind(epilogue);
    SmallVector<int64_t> ranges = product.getStaticLoopRanges();
    Schedule schedule = scheduleFor(product, vectorBits, minParallelWork);
    if (schedule.threadTiles.empty() || remainderDim(ranges, schedule))
      return;
    // The product's result dims are (a permutation of) its parallel loops;
    // the epilogue's loops are the result dims.
    AffineMap resultMap =
        product.getIndexingMapMatchingResult(product->getResult(0));
    SmallVector<int64_t> tiles;
    for (AffineExpr expr : resultMap.getResults())
      tiles.push_back(
          schedule.threadTiles[cast<AffineDimExpr>(expr).getPosition()]);
    scf::SCFTileAndFuseOptions options;
    scf::SCFTilingOptions tiling;
    tiling.setTileSizes(getAsIndexOpFoldResult(rewriter.getContext(), tiles));
    tiling.setLoopType(scf::SCFTilingOptions::LoopType::ForallOp);
    options.setTilingOptions(tiling);
    rewriter.setInsertionPoint(epilogue);
    FailureOr<scf::SCFTileAndFuseResult> fused =
        scf::tileConsumerAndFuseProducersUsingSCF(
            rewriter, cast<TilingInterface>(epilogue.getOperation()), options);
    if (failed(fused))
      return;
    for (OpResult result : epilogue->getResults())
      if (Value replacement = fused->replacements.lookup(result))
        rewriter.replaceAllUsesWith(result, replacement);
    // Producers first (the fill, then the product), then the epilogue.
    SmallVector<linalg::LinalgOp> inBlock;
    for (Operation *op : llvm::reverse(fused->tiledAndFusedOps))
      if (auto linalgOp = dyn_cast<linalg::LinalgOp>(op))
        inBlock.push_back(linalgOp);
    for (linalg::LinalgOp op : inBlock)
      scheduleOp(rewriter, op, /*threaded=*/false);
  }

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (!func->hasAttr("optc.kernel"))
      return;
    fallbacks = {};
    IRRewriter rewriter(&getContext());
    SmallVector<linalg::GenericOp> epilogues;
    func.walk([&](linalg::GenericOp op) {
      if (contractionBehind(op))
        epilogues.push_back(op);
    });
    for (linalg::GenericOp op : epilogues)
      fuseIntoBlocks(rewriter, op);
    // Everything not scheduled with an epilogue above.
    SmallVector<linalg::LinalgOp> ops;
    func.walk([&](linalg::LinalgOp op) {
      if (!op->getParentOfType<scf::ForallOp>())
        ops.push_back(op);
    });
    for (linalg::LinalgOp op : ops) {
      // Dynamic sizes are not scheduled; an op with an empty loop does
      // nothing and is left to the loop lowering, as is a 0-d op (no loop
      // to tile; vectorising one that extracts at a computed position
      // made an invalid vector.gather with a scalar index).
      // Ops a micro-kernel runs (library_call) keep their one loop nest
      // for --optc-cpu-lower-micro-kernels, and the fills of their outputs
      // stay whole for it to erase.
      if (!op.hasPureTensorSemantics() || op.getNumLoops() == 0 ||
          isMicroKernel(op) || initialisesMicroKernel(op) ||
          llvm::any_of(op.getStaticLoopRanges(), [](int64_t r) {
            return ShapedType::isDynamic(r) || r == 0;
          }))
        continue;
      scheduleOp(rewriter, op);
    }

    // Clean up what tiling and vectorisation leave: folded slices, transfer
    // permutations, dead tensors.
    RewritePatternSet patterns(&getContext());
    linalg::populateLinalgTilingCanonicalizationPatterns(patterns);
    vector::populateVectorReductionToContractPatterns(patterns);
    vector::populateSinkVectorOpsPatterns(patterns);
    vector::TransferReadOp::getCanonicalizationPatterns(patterns,
                                                        &getContext());
    vector::TransferWriteOp::getCanonicalizationPatterns(patterns,
                                                         &getContext());
    if (failed(applyPatternsGreedily(func, std::move(patterns))))
      return signalPassFailure();
    // The kernel's count of each fallback, with `remarks`.
    if (remarks && llvm::any_of(fallbacks, [](int64_t n) { return n > 0; }))
      func.emitRemark() << "schedule fallbacks in '" << func.getSymName()
                        << "': " << fallbacks[Unsplit]
                        << " unsplit remainders, " << fallbacks[Serial]
                        << " serial, " << fallbacks[Untiled] << " untiled, "
                        << fallbacks[Scalar] << " scalar";
  }
};
} // namespace
