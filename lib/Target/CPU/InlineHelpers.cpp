//===- InlineHelpers.cpp - inline helpers the LLVM lowering cannot call ---===//
//
// Implements --optc-cpu-inline-helpers: private non-kernel functions that
// take memrefs of unknown shape (bufferisation's deallocation helper) are
// inlined at their calls, since bare-pointer calls need static shapes.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/Inliner.h"
#include "mlir/Transforms/InliningUtils.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPUINLINEHELPERS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// Whether calls of `func` must be inlined: a private function with a body,
/// not a kernel, with a memref argument whose shape is not static.
static bool mustInline(func::FuncOp func) {
  if (!func || !func.isPrivate() || func.isExternal() ||
      func->hasAttr("optc.kernel"))
    return false;
  return llvm::any_of(func.getArgumentTypes(), [](Type type) {
    auto memref = dyn_cast<MemRefType>(type);
    return memref && !memref.hasStaticShape();
  });
}

namespace {
struct InlineHelpersPass
    : public mlir::optc::impl::OptcCPUInlineHelpersBase<InlineHelpersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<std::pair<func::CallOp, func::FuncOp>> calls;
    module.walk([&](func::CallOp call) {
      auto callee = symbols.lookup<func::FuncOp>(call.getCallee());
      if (mustInline(callee))
        calls.push_back({call, callee});
    });
    InlinerInterface interface(&getContext());
    InlinerConfig config;
    llvm::SetVector<func::FuncOp> inlined;
    for (auto [call, callee] : calls) {
      if (failed(inlineCall(interface, config.getCloneCallback(), call, callee,
                            &callee.getBody()))) {
        call.emitError() << "cannot inline the call of @" << callee.getName()
                         << ", whose memref arguments of unknown shape have "
                            "no bare-pointer form";
        return signalPassFailure();
      }
      call.erase();
      inlined.insert(callee);
    }
    for (func::FuncOp callee : inlined)
      if (SymbolTable::symbolKnownUseEmpty(callee, module))
        callee.erase();
  }
};
} // namespace
