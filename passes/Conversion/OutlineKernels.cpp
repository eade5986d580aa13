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

/// The bits an element of `type` occupies in memory (bools take a byte).
static unsigned storageBits(Type type) {
  Type element = cast<ShapedType>(type).getElementType();
  return element.isInteger(1) ? 8 : element.getIntOrFloatBitWidth();
}

/// The arguments a kernel may overwrite with its result: when every op it
/// computes is elementwise (a fused chain included), an argument of the
/// result's shape and element size that only the op computing the result
/// reads is read at exactly the positions being written, each before it is
/// written. (An argument other ops read too could be overwritten before
/// they read it, if one of them wrote the result's buffer.)
static SmallVector<int64_t> inPlaceArguments(func::FuncOp kernel) {
  Block &body = kernel.getBody().front();
  if (kernel.getNumResults() != 1)
    return {};
  Operation *last = nullptr;
  for (Operation &op : body.without_terminator()) {
    if (isa<ConstantOp>(op))
      continue;
    if (op.getNumResults() != 1 ||
        !(isElementwise(&op) || isa<BatchNormOp>(op)))
      return {};
    last = &op;
  }
  auto result = dyn_cast<RankedTensorType>(kernel.getResultTypes()[0]);
  if (!last || !result || !result.hasStaticShape() ||
      !result.getElementType().isIntOrFloat())
    return {};
  SmallVector<int64_t> indices;
  for (BlockArgument arg : body.getArguments()) {
    auto type = dyn_cast<RankedTensorType>(arg.getType());
    if (type && type.getShape() == result.getShape() &&
        type.getElementType().isIntOrFloat() &&
        storageBits(type) == storageBits(result) &&
        llvm::all_of(arg.getUsers(),
                     [&](Operation *user) { return user == last; }))
      indices.push_back(arg.getArgNumber());
  }
  return indices;
}

namespace {
struct OutlineKernelsPass
    : public mlir::optc::impl::OptcOutlineKernelsBase<OutlineKernelsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<FusionOp> regions;
    module.walk([&](FusionOp fusion) { regions.push_back(fusion); });
    // Kernels are called with bare pointers, so their buffers need static
    // shapes. A size still unknown here depends on the input data (NonZero)
    // or on a value shape inference could not see through: an error on
    // the model's op, not an internal one of the LLVM lowering.
    for (FusionOp fusion : regions) {
      auto unknown = [](Type type) {
        auto shaped = dyn_cast<ShapedType>(type);
        return shaped && !shaped.hasStaticShape();
      };
      auto types = llvm::concat<const Type>(
          ValueRange(fusion.getInputs()).getTypes(), fusion.getResultTypes());
      auto it = llvm::find_if(types, unknown);
      if (it == types.end())
        continue;
      Operation *op = &fusion.getBodyBlock().front();
      op->emitOpError() << "works on " << *it
                        << ", whose sizes are unknown at compile time; a "
                           "compiled kernel needs static shapes (sizes that "
                           "depend on the input data are not supported)";
      return signalPassFailure();
    }
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
      SmallVector<int64_t> inPlace = inPlaceArguments(kernel);
      if (!inPlace.empty())
        kernel->setAttr("optc.in_place", builder.getDenseI64ArrayAttr(inPlace));
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
