//===- InferShapes.cpp - propagate shapes through optc ops ----------------===//
//
// Implements --optc-infer-shapes: every optc op's result types are
// re-inferred from its operands (through the shared shape rules) and made
// as static as the operands allow. Operands behind a tensor.cast that lost
// sizes (left by canonicalisation of the dynamic_* ops) are read from the
// cast's source.
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"
#include "optc/Support/Sizes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCINFERSHAPES
#include "passes/Graph/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;
using namespace mlir::optc;

/// The most static type that both `declared` and `inferred` describe, or
/// failure when they disagree on a size or on anything but sizes.
static FailureOr<Type> meet(Type declared, Type inferred) {
  if (declared == inferred)
    return declared;
  auto d = dyn_cast<RankedTensorType>(declared);
  auto i = dyn_cast<RankedTensorType>(inferred);
  if (!d || !i || d.getElementType() != i.getElementType() ||
      d.getEncoding() != i.getEncoding() || d.getRank() != i.getRank())
    return failure();
  SmallVector<int64_t> shape;
  for (auto [dd, id] : llvm::zip(d.getShape(), i.getShape())) {
    if (!ShapedType::isDynamic(dd) && !ShapedType::isDynamic(id) && dd != id)
      return failure();
    shape.push_back(ShapedType::isDynamic(dd) ? id : dd);
  }
  return Type(d.clone(shape));
}

/// True for users whose types follow ours: optc ops (they are refined in
/// turn) and returns (the function signature is updated at the end).
static bool followsRefinement(Operation *user) {
  return isa<OptcDialect>(user->getDialect()) || isa<func::ReturnOp>(user);
}

/// What the pass changed in a function, to undo when a later op of it
/// fails: a refinement that contradicts a declared type is the input's
/// error, and the pass must then leave the IR as it was (valid), not half
/// refined with operands more static than their users declare.
struct Journal {
  SmallVector<std::pair<Value, Type>> types;
  SmallVector<std::pair<OpOperand *, Value>> operands;
  SmallVector<Operation *> created;

  void setOperand(OpOperand &operand, Value value) {
    operands.emplace_back(&operand, operand.get());
    operand.set(value);
  }
  void undo() {
    for (auto &[operand, value] : llvm::reverse(operands))
      operand->set(value);
    for (auto &[value, type] : llvm::reverse(types))
      value.setType(type);
    for (Operation *op : llvm::reverse(created))
      op->erase();
    *this = Journal();
  }
};

/// Gives `value` the type `type`. Users of other dialects keep seeing the
/// old type through a tensor.cast, so they stay valid.
static void retype(Value value, Type type, Journal &journal) {
  Type old = value.getType();
  if (old == type)
    return;
  SmallVector<OpOperand *> foreign;
  for (OpOperand &use : value.getUses())
    if (!followsRefinement(use.getOwner()))
      foreign.push_back(&use);
  journal.types.emplace_back(value, old);
  value.setType(type);
  if (foreign.empty())
    return;
  OpBuilder builder(value.getContext());
  builder.setInsertionPointAfterValue(value);
  Value back = tensor::CastOp::create(builder, value.getLoc(), old, value);
  journal.created.push_back(back.getDefiningOp());
  for (OpOperand *use : foreign)
    journal.setOperand(*use, back);
}

/// Refines result `index` of `op` to its meet with `inferred`.
static LogicalResult refine(Operation *op, unsigned index, Type inferred,
                            Journal &journal) {
  Value result = op->getResult(index);
  FailureOr<Type> type = meet(result.getType(), inferred);
  if (failed(type))
    return op->emitOpError("result ")
           << index << " is declared " << result.getType()
           << " but its operands give " << inferred;
  // The verifier runs once per stage: a refined size beyond the limits per
  // tensor is refused here, before a later pass of the stage sizes it.
  if (auto shaped = dyn_cast<ShapedType>(*type))
    if (failed(checkTensorSize(
            shaped, [&] { return op->emitOpError(); },
            "result #" + Twine(index))))
      return failure();
  retype(result, *type, journal);
  return success();
}

static LogicalResult refineRegion(Region &region, Journal &journal);

static LogicalResult refineOp(Operation *op, Journal &journal) {
  if (auto fusion = dyn_cast<FusionOp>(op)) {
    Block &body = fusion.getBodyBlock();
    for (auto [arg, input] : llvm::zip(body.getArguments(), fusion.getInputs()))
      retype(arg, input.getType(), journal);
    if (failed(refineRegion(fusion.getBody(), journal)))
      return failure();
    for (auto [i, yielded] : llvm::enumerate(fusion.getYield().getValues()))
      if (failed(refine(op, i, yielded.getType(), journal)))
        return failure();
    return success();
  }
  // Optc ops nested in other ops' regions (scf.if, ...) are refined too.
  if (!isa<OptcDialect>(op->getDialect())) {
    for (Region &region : op->getRegions())
      if (failed(refineRegion(region, journal)))
        return failure();
    return success();
  }

  // An operand that a tensor.cast made less static is read through the
  // cast: optc ops accept the more precise type, and refine their results
  // from it.
  if (isa<CastOp, InferTypeOpInterface>(op))
    for (OpOperand &operand : op->getOpOperands())
      if (auto cast = operand.get().getDefiningOp<tensor::CastOp>())
        if (meet(cast.getType(), cast.getSource().getType()) ==
            cast.getSource().getType())
          journal.setOperand(operand, cast.getSource());

  SmallVector<Type> inferred;
  if (auto cast = dyn_cast<CastOp>(op)) {
    inferred.push_back(
        cast.getInput().getType().clone(cast.getType().getElementType()));
  } else if (auto infer = dyn_cast<InferTypeOpInterface>(op)) {
    if (failed(infer.inferReturnTypes(
            op->getContext(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), inferred)))
      return failure();
  } else {
    return success();
  }
  for (auto [i, type] : llvm::enumerate(inferred))
    if (failed(refine(op, i, type, journal)))
      return failure();
  return success();
}

static LogicalResult refineRegion(Region &region, Journal &journal) {
  for (Block &block : region)
    for (Operation &op : block)
      if (failed(refineOp(&op, journal)))
        return failure();
  return success();
}

namespace {
struct OptcInferShapesPass
    : optc::impl::OptcInferShapesBase<OptcInferShapesPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      Journal journal;
      if (failed(refineRegion(func.getBody(), journal))) {
        journal.undo();
        return signalPassFailure();
      }
      updateResults(func, SymbolTable::symbolKnownUseEmpty(func, module));
    }
  }

  /// Makes the function's result types those of the values it returns.
  /// When callers rely on the declared types, or several returns disagree,
  /// the refined values are cast back to the declared type instead.
  static void updateResults(func::FuncOp func, bool mayChangeSignature) {
    SmallVector<func::ReturnOp> returns;
    for (Block &block : func.getBody())
      if (auto ret = dyn_cast<func::ReturnOp>(block.getTerminator()))
        returns.push_back(ret);
    // Returned values behind a shape-losing tensor.cast are returned as the
    // cast's source when the signature may change.
    if (mayChangeSignature)
      for (func::ReturnOp ret : returns)
        for (OpOperand &operand : ret->getOpOperands())
          if (auto cast = operand.get().getDefiningOp<tensor::CastOp>())
            if (meet(cast.getType(), cast.getSource().getType()) ==
                cast.getSource().getType())
              operand.set(cast.getSource());
    SmallVector<Type> results(func.getResultTypes());
    for (unsigned i = 0, e = results.size(); i < e; ++i) {
      Type declared = results[i];
      Type actual =
          returns.empty() ? declared : returns.front().getOperand(i).getType();
      bool agree = llvm::all_of(returns, [&](func::ReturnOp ret) {
        return ret.getOperand(i).getType() == actual;
      });
      if (mayChangeSignature && agree) {
        results[i] = actual;
        continue;
      }
      for (func::ReturnOp ret : returns) {
        Value value = ret.getOperand(i);
        if (value.getType() == declared)
          continue;
        OpBuilder builder(ret);
        ret.setOperand(
            i, tensor::CastOp::create(builder, ret.getLoc(), declared, value));
      }
    }
    func.setFunctionType(
        FunctionType::get(func.getContext(), func.getArgumentTypes(), results));
  }
};
} // namespace
