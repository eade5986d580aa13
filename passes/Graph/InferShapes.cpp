//===- InferShapes.cpp - propagate shapes through optc ops ----------------===//
//
// Implements --optc-infer-shapes: every optc op's result types are
// re-inferred from its operands (through the shared shape rules) and made
// as static as the operands allow.
//
//===----------------------------------------------------------------------===//

#include "passes/Graph/Passes.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

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

/// Sets the type of `value` to its meet with `inferred`.
static LogicalResult refine(Value value, Type inferred, Operation *op,
                            unsigned index) {
  FailureOr<Type> type = meet(value.getType(), inferred);
  if (failed(type))
    return op->emitOpError("result ")
           << index << " is declared " << value.getType()
           << " but its operands give " << inferred;
  value.setType(*type);
  return success();
}

static LogicalResult refineBlock(Block &block);

static LogicalResult refineOp(Operation *op) {
  if (auto fusion = dyn_cast<FusionOp>(op)) {
    Block &body = fusion.getBodyBlock();
    for (auto [arg, input] : llvm::zip(body.getArguments(), fusion.getInputs()))
      arg.setType(input.getType());
    if (failed(refineBlock(body)))
      return failure();
    for (auto [i, result, yielded] :
         llvm::enumerate(fusion.getResults(), fusion.getYield().getValues()))
      if (failed(refine(result, yielded.getType(), op, i)))
        return failure();
    return success();
  }
  if (!isa<OptcDialect>(op->getDialect()))
    return success();

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
  for (auto [i, result, type] : llvm::enumerate(op->getResults(), inferred))
    if (failed(refine(result, type, op, i)))
      return failure();
  return success();
}

static LogicalResult refineBlock(Block &block) {
  for (Operation &op : block)
    if (failed(refineOp(&op)))
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
      for (Block &block : func.getBody())
        if (failed(refineBlock(block)))
          return signalPassFailure();
      updateResults(func, SymbolTable::symbolKnownUseEmpty(func, module));
    }
  }

  /// Makes the function's result types those of the values it returns.
  /// When callers rely on the declared types, or several returns disagree,
  /// the refined values are cast back to the declared type instead.
  static void updateResults(func::FuncOp func, bool mayChangeSignature) {
    SmallVector<func::ReturnOp> returns;
    func.walk([&](func::ReturnOp ret) { returns.push_back(ret); });
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
