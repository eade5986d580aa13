//===- LowerCopies.cpp - strided buffer copies become loops ---------------===//
//
// Implements --optc-cpu-lower-copies. See the pass description.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Utils/MemRefUtils.h"
#include "mlir/IR/Builders.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULOWERCOPIES
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

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
      linalg::CopyOp::create(builder, op.getLoc(), op.getSource(),
                             op.getTarget());
      op.erase();
    }
  }
};
} // namespace
