//===- LegalizeEmptyBuffers.cpp - empty buffers across calls --------------===//
//
// Implements --optc-cpu-legalize-empty-buffers: function arguments of zero
// elements and rank above one become memref<0xT>, with reinterpret_casts on
// both sides of the call. See the pass description for why.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "optc/Support/Sizes.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULEGALIZEEMPTYBUFFERS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// memref<0xT> for a static memref of no elements and rank above one.
static MemRefType flatEmpty(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  // No elements: a size 0 (the other sizes may be large, their product is
  // not formed).
  if (!memref || !memref.hasStaticShape() || memref.getRank() < 2 ||
      !llvm::is_contained(memref.getShape(), 0))
    return nullptr;
  return MemRefType::get({0}, memref.getElementType());
}

/// A reinterpret_cast of `value` to `type` (both without elements); null
/// when the strides of `type` overflow int64.
static Value reinterpret(OpBuilder &b, Location loc, Value value,
                         MemRefType type) {
  SmallVector<int64_t> strides(type.getRank(), 0);
  if (type.getLayout().isIdentity() && type.getRank() > 0) {
    // The identity strides count a size 0 as 1, as the limits per tensor
    // do: a buffer of a checked tensor type has strides within them.
    std::optional<SmallVector<int64_t>> identity =
        optc::sizes::strides(type.getShape());
    if (!identity)
      return {};
    strides = std::move(*identity);
  }
  return memref::ReinterpretCastOp::create(b, loc, type, value, 0,
                                           type.getShape(), strides);
}

namespace {
struct LegalizeEmptyBuffersPass
    : public mlir::optc::impl::OptcCPULegalizeEmptyBuffersBase<
          LegalizeEmptyBuffersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    for (auto func : module.getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      SmallVector<Type> inputs(func.getArgumentTypes());
      bool changed = false;
      Block &entry = func.getBody().front();
      OpBuilder builder = OpBuilder::atBlockBegin(&entry);
      for (auto [index, type] : llvm::enumerate(func.getArgumentTypes())) {
        MemRefType flat = flatEmpty(type);
        if (!flat)
          continue;
        changed = true;
        inputs[index] = flat;
        BlockArgument arg = entry.getArgument(index);
        arg.setType(flat);
        Value original =
            reinterpret(builder, func.getLoc(), arg, cast<MemRefType>(type));
        if (!original) {
          func.emitError("argument ") << index << " has type " << type
                                      << ", whose strides overflow int64";
          return signalPassFailure();
        }
        arg.replaceAllUsesExcept(original, original.getDefiningOp());
      }
      if (!changed)
        continue;
      func.setFunctionType(
          builder.getFunctionType(inputs, func.getResultTypes()));
      // Every call passes the flat view.
      std::optional<SymbolTable::UseRange> uses = func.getSymbolUses(module);
      if (!uses)
        continue;
      for (SymbolTable::SymbolUse use : *uses) {
        auto call = dyn_cast<func::CallOp>(use.getUser());
        if (!call)
          continue;
        OpBuilder at(call);
        for (auto [index, type] : llvm::enumerate(inputs))
          if (call.getOperand(index).getType() != type)
            call->setOperand(index, reinterpret(at, call.getLoc(),
                                                call.getOperand(index),
                                                cast<MemRefType>(type)));
      }
    }
  }
};
} // namespace
