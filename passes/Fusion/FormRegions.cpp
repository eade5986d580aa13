//===- FormRegions.cpp - one optc.fusion region per computing op ----------===//
//
// Implements --optc-form-regions: the baseline grouping, where every optc
// op that computes a tensor gets a region of its own. Code generation only
// ever sees regions, so fusion passes that group more ops into one region
// change what kernels contain, not how they are generated.
//
//===----------------------------------------------------------------------===//

#include "passes/Fusion/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCFORMREGIONS
#include "passes/Fusion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

/// Ops that compute nothing a kernel would: constants become weights,
/// reshapes are views of their input.
static bool staysOutside(Operation *op) {
  return isa<ConstantOp, ReshapeOp, FusionOp, YieldOp>(op) ||
         op->getParentOfType<FusionOp>() || op->getNumRegions() != 0 ||
         op->getNumResults() == 0;
}

/// Moves `op` into a new optc.fusion region in its place.
static void wrap(Operation *op) {
  OpBuilder builder(op);
  // One region argument per distinct operand.
  SmallVector<Value> inputs;
  for (Value operand : op->getOperands())
    if (!llvm::is_contained(inputs, operand))
      inputs.push_back(operand);
  auto fusion =
      FusionOp::create(builder, op->getLoc(), op->getResultTypes(), inputs);
  Block *body = builder.createBlock(&fusion.getBody());
  IRMapping mapping;
  for (Value input : inputs)
    mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
  Operation *inner = builder.clone(*op, mapping);
  YieldOp::create(builder, op->getLoc(), inner->getResults());
  op->replaceAllUsesWith(fusion->getResults());
  op->erase();
}

namespace {
struct FormRegionsPass
    : public mlir::optc::impl::OptcFormRegionsBase<FormRegionsPass> {
  void runOnOperation() override {
    SmallVector<Operation *> ops;
    getOperation()->walk([&](Operation *op) {
      if (isa<OptcDialect>(op->getDialect()) && !staysOutside(op))
        ops.push_back(op);
    });
    for (Operation *op : ops)
      wrap(op);
  }
};
} // namespace
