//===- InputSources.cpp - which model inputs a value is computed from -----===//
//
// The walk behind the errors that name inputs to fix with --input-value:
// the importer runs it on a value an op needs as a constant, and
// --optc-record-interface on the sizes of an output that stayed unknown.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::optc;

void mlir::optc::traceInputSources(ValueRange roots, InputSources &sources) {
  SmallVector<Value> worklist(roots.begin(), roots.end());
  DenseSet<Value> seen;
  while (!worklist.empty()) {
    Value value = worklist.pop_back_val();
    if (!seen.insert(value).second)
      continue;
    if (auto arg = dyn_cast<BlockArgument>(value)) {
      Block *block = arg.getOwner();
      Operation *parent = block->getParentOp();
      unsigned n = arg.getArgNumber();
      if (!parent) // a detached block (the importer's probe of a loop body)
        continue;
      if (isa<func::FuncOp>(parent)) {
        sources.arguments.insert(arg);
      } else if (auto fusion = dyn_cast<FusionOp>(parent)) {
        worklist.push_back(fusion.getInputs()[n]);
      } else if (auto loop = dyn_cast<scf::WhileOp>(parent)) {
        // A loop-carried value: its first value and what each iteration
        // yields for it, not every value the loop carries.
        if (block->getParent() == &loop.getBefore()) {
          worklist.push_back(loop.getInits()[n]);
          worklist.push_back(loop.getYieldOp().getOperand(n));
        } else {
          worklist.push_back(loop.getConditionOp().getArgs()[n]);
        }
      } else if (auto loop = dyn_cast<scf::ForOp>(parent)) {
        if (n == 0) {
          llvm::append_range(worklist,
                             ValueRange{loop.getLowerBound(),
                                        loop.getUpperBound(), loop.getStep()});
        } else {
          worklist.push_back(loop.getInitArgs()[n - 1]);
          worklist.push_back(loop.getYieldedValues()[n - 1]);
        }
      } else {
        llvm::append_range(worklist, parent->getOperands());
      }
      continue;
    }
    Operation *op = value.getDefiningOp();
    if (hasDataDependentSizes(op)) {
      sources.dataOp = op;
      continue;
    }
    // A shape depends on its operand's sizes, not on its values.
    if (isa<ShapeOfOp, tensor::DimOp>(op))
      continue;
    // A fusion result is the value its body yields.
    if (auto fusion = dyn_cast<FusionOp>(op)) {
      worklist.push_back(
          fusion.getYield()
              .getValues()[cast<OpResult>(value).getResultNumber()]);
      continue;
    }
    llvm::append_range(worklist, op->getOperands());
    op->walk([&](Operation *nested) {
      if (nested != op && !isa<ShapeOfOp, tensor::DimOp>(nested))
        llvm::append_range(worklist, nested->getOperands());
    });
  }
}

std::string mlir::optc::fixInputsAdvice(ArrayRef<BlockArgument> arguments) {
  if (arguments.empty())
    return "";
  std::string names, flags;
  for (BlockArgument arg : arguments) {
    auto func = cast<func::FuncOp>(arg.getOwner()->getParentOp());
    auto name =
        func.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "optc.name");
    std::string label =
        name ? name.str() : "input" + std::to_string(arg.getArgNumber());
    names += (names.empty() ? "'" : ", '") + label + "'";
    flags += " --input-value " + label + "=FILE";
  }
  bool one = arguments.size() == 1;
  return std::string("the value") + (one ? "" : "s") + " of input" +
         (one ? " " : "s ") + names + ": fix " + (one ? "it" : "them") +
         " with" + flags;
}
