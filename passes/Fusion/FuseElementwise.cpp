//===- FuseElementwise.cpp - elementwise consumers join their producer ----===//
//
// Implements --optc-fuse-elementwise. A region that only computes element
// by element (elementwise ops, inference batch normalisation) joins the
// region producing one of its operands when that operand has no other use:
// the intermediate tensor never reaches memory outside the kernel, and
// code generation fuses the element loops (linalg-fuse-elementwise-ops).
//
//===----------------------------------------------------------------------===//

#include "passes/Fusion/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCFUSEELEMENTWISE
#include "passes/Fusion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

/// Whether every op of `region` computes element by element.
static bool isElementwiseRegion(FusionOp region) {
  return llvm::all_of(
      region.getBody().front().without_terminator(),
      [](Operation &op) { return isElementwise(&op) || isa<BatchNormOp>(op); });
}

/// The producer region `consumer` can join: one that defines an operand of
/// `consumer`, in the same block, with one result used by `consumer` only.
static FusionOp producerOf(FusionOp consumer) {
  for (Value input : consumer.getInputs()) {
    auto producer = input.getDefiningOp<FusionOp>();
    if (producer && producer->getBlock() == consumer->getBlock() &&
        producer->getNumResults() == 1 &&
        llvm::all_of(input.getUsers(),
                     [&](Operation *user) { return user == consumer; }))
      return producer;
  }
  return nullptr;
}

/// Replaces `producer` and `consumer` by one region in `consumer`'s place:
/// the producer's ops, then the consumer's, reading the producer's result
/// directly. The producer's operands dominate it, hence the consumer too.
static void merge(FusionOp producer, FusionOp consumer) {
  Value link = producer->getResult(0);
  SmallVector<Value> inputs;
  for (Value input : producer.getInputs())
    if (!llvm::is_contained(inputs, input))
      inputs.push_back(input);
  for (Value input : consumer.getInputs())
    if (input != link && !llvm::is_contained(inputs, input))
      inputs.push_back(input);
  OpBuilder builder(consumer);
  auto fused = FusionOp::create(builder, consumer.getLoc(),
                                consumer->getResultTypes(), inputs);
  Block *body = builder.createBlock(&fused.getBody());
  IRMapping mapping;
  for (Value input : inputs)
    mapping.map(input, body->addArgument(input.getType(), input.getLoc()));
  // The producer's body, its block arguments mapped to the new ones.
  Block &first = producer.getBody().front();
  IRMapping inner;
  for (auto [arg, input] :
       llvm::zip(first.getArguments(), producer.getInputs()))
    inner.map(arg, mapping.lookup(input));
  for (Operation &op : first.without_terminator())
    builder.clone(op, inner);
  Value produced =
      inner.lookup(cast<YieldOp>(first.getTerminator()).getValues()[0]);
  // Then the consumer's, the link read from the producer's value.
  Block &second = consumer.getBody().front();
  for (auto [arg, input] :
       llvm::zip(second.getArguments(), consumer.getInputs()))
    inner.map(arg, input == link ? produced : mapping.lookup(input));
  for (Operation &op : second)
    builder.clone(op, inner);
  consumer->replaceAllUsesWith(fused->getResults());
  consumer->erase();
  producer->erase();
}

namespace {
struct FuseElementwisePass
    : public mlir::optc::impl::OptcFuseElementwiseBase<FuseElementwisePass> {
  void runOnOperation() override {
    // Consumers in program order: a chain folds into its head one region
    // at a time, each merge leaving the grown region where its last
    // consumer was.
    SmallVector<FusionOp> regions;
    getOperation()->walk([&](FusionOp region) { regions.push_back(region); });
    for (FusionOp consumer : regions) {
      if (!isElementwiseRegion(consumer))
        continue;
      if (FusionOp producer = producerOf(consumer))
        merge(producer, consumer);
    }
  }
};
} // namespace
