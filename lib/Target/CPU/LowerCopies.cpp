//===- LowerCopies.cpp - strided buffer copies become loops ---------------===//
//
// Implements --optc-cpu-lower-copies. See the pass description.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULOWERCOPIES
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// Copies of at least this many elements are split over threads.
constexpr int64_t kParallelElements = 32768;

/// Whether `value` is a buffer whose elements are one contiguous run.
static bool isContiguous(Value value) {
  auto type = dyn_cast<MemRefType>(value.getType());
  return type && memref::isStaticShapeAndContiguousRowMajor(type);
}

namespace {
struct LowerCopiesPass
    : public mlir::optc::impl::OptcCPULowerCopiesBase<LowerCopiesPass> {
  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp op) {
      auto type = dyn_cast<MemRefType>(op.getSource().getType());
      if (type && type.hasStaticShape() && type.getRank() > 0 &&
          !(isContiguous(op.getSource()) && isContiguous(op.getTarget())))
        copies.push_back(op);
    });
    for (memref::CopyOp op : copies) {
      OpBuilder builder(op);
      Location loc = op.getLoc();
      Value source = op.getSource(), target = op.getTarget();
      auto type = cast<MemRefType>(source.getType());
      // A large copy is split over threads along its first dimension of
      // more than one element.
      int64_t rank = type.getRank();
      auto dim =
          llvm::find_if(type.getShape(), [](int64_t s) { return s > 1; });
      if (type.getNumElements() >= kParallelElements &&
          dim != type.getShape().end()) {
        int64_t d = dim - type.getShape().begin();
        auto forall = scf::ForallOp::create(
            builder, loc, ArrayRef<OpFoldResult>{builder.getIndexAttr(*dim)},
            ValueRange{}, std::nullopt);
        builder.setInsertionPointToStart(forall.getBody());
        SmallVector<OpFoldResult> offsets(rank, builder.getIndexAttr(0)), sizes,
            strides(rank, builder.getIndexAttr(1));
        for (int64_t size : type.getShape())
          sizes.push_back(builder.getIndexAttr(size));
        offsets[d] = forall.getInductionVar(0);
        sizes[d] = builder.getIndexAttr(1);
        source = memref::SubViewOp::create(builder, loc, source, offsets, sizes,
                                           strides);
        target = memref::SubViewOp::create(builder, loc, target, offsets, sizes,
                                           strides);
      }
      linalg::CopyOp::create(builder, loc, source, target);
      op.erase();
    }
  }
};
} // namespace
