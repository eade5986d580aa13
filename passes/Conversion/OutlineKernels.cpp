//===- OutlineKernels.cpp - optc.fusion regions become kernel functions ---===//
//
// Implements --optc-outline-kernels. After it, the program is a host
// function calling kernels: each kernel is one function, the unit the CPU
// code generator tiles, vectorises and parallelises, and the host function
// is what the memory planner and the entry point see.
//
//===----------------------------------------------------------------------===//

#include "passes/Conversion/Passes.h"

#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCOUTLINEKERNELS
#include "passes/Conversion/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

/// Constants worth copying into a kernel: code generation then sees their
/// values (a splat becomes a scalar) instead of loading them.
static bool isSmallConstant(Value value) {
  auto constant = value.getDefiningOp<ConstantOp>();
  if (!constant)
    return false;
  auto elements = dyn_cast<DenseElementsAttr>(constant.getValue());
  return elements && (elements.isSplat() || elements.getNumElements() <= 16);
}

namespace {
struct OutlineKernelsPass
    : public mlir::optc::impl::OptcOutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<FusionOp> regions;
    module.walk([&](FusionOp fusion) { regions.push_back(fusion); });
    unsigned counter = 0;
    for (FusionOp fusion : regions) {
      Block &body = fusion.getBodyBlock();
      // Copy small constants in; the rest become arguments.
      OpBuilder inside = OpBuilder::atBlockBegin(&body);
      SmallVector<Value> arguments;
      llvm::BitVector dropped(body.getNumArguments());
      for (auto [index, operand] : llvm::enumerate(fusion.getInputs())) {
        if (!isSmallConstant(operand)) {
          arguments.push_back(operand);
          continue;
        }
        Operation *copy = inside.clone(*operand.getDefiningOp());
        body.getArgument(index).replaceAllUsesWith(copy->getResult(0));
        dropped.set(index);
      }
      body.eraseArguments(dropped);

      Operation *first = &body.front();
      while (isa<ConstantOp>(first) && first->getNextNode() &&
             !isa<YieldOp>(first->getNextNode()))
        first = first->getNextNode();
      std::string name =
          ("k" + Twine(counter++) + "_" + first->getName().stripDialect())
              .str();
      OpBuilder builder = OpBuilder::atBlockEnd(module.getBody());
      auto kernel = func::FuncOp::create(
          builder, fusion.getLoc(), name,
          builder.getFunctionType(ValueRange(arguments).getTypes(),
                                  fusion.getResultTypes()));
      kernel.setPrivate();
      kernel->setAttr("optc.kernel", builder.getUnitAttr());
      kernel.getBody().takeBody(fusion.getBody());
      YieldOp yield = cast<YieldOp>(kernel.getBody().front().getTerminator());
      builder.setInsertionPoint(yield);
      func::ReturnOp::create(builder, yield.getLoc(), yield->getOperands());
      yield.erase();
      symbols.insert(kernel); // renames on a clash

      builder.setInsertionPoint(fusion);
      auto call =
          func::CallOp::create(builder, fusion.getLoc(), kernel, arguments);
      fusion.replaceAllUsesWith(call.getResults());
      fusion.erase();
    }
  }
};
} // namespace
