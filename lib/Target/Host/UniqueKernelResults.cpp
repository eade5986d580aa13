//===- UniqueKernelResults.cpp - a kernel returns each value once ---------===//
//
// Implements --optc-unique-kernel-results: results of a kernel that repeat
// an earlier result are dropped, and their uses at every call take the
// earlier one. See the pass description for why.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Host/Passes.h"

#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/BitVector.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCUNIQUEKERNELRESULTS
#include "lib/Target/Host/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

namespace {
struct UniqueKernelResultsPass
    : public mlir::optc::impl::OptcUniqueKernelResultsBase<
          UniqueKernelResultsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    for (auto kernel : module.getOps<func::FuncOp>()) {
      if (!kernel->hasAttr("optc.kernel") || kernel.isExternal() ||
          !kernel.getBody().hasOneBlock())
        continue;
      auto ret = cast<func::ReturnOp>(kernel.getBody().front().getTerminator());
      // Each result's first occurrence among the returned values.
      SmallVector<unsigned> first(ret.getNumOperands());
      llvm::BitVector repeats(ret.getNumOperands());
      DenseMap<Value, unsigned> seen;
      for (auto [i, value] : llvm::enumerate(ret.getOperands())) {
        auto [it, inserted] = seen.try_emplace(value, i);
        first[i] = it->second;
        if (!inserted)
          repeats.set(i);
      }
      if (repeats.none())
        continue;
      // The index of each kept result among the new results.
      SmallVector<unsigned> newIndex(ret.getNumOperands());
      unsigned kept = 0;
      for (unsigned i = 0; i < ret.getNumOperands(); ++i)
        newIndex[i] = repeats.test(i) ? newIndex[first[i]] : kept++;

      std::optional<SymbolTable::UseRange> uses = kernel.getSymbolUses(module);
      if (!uses) {
        kernel.emitError("its uses cannot be found");
        return signalPassFailure();
      }
      for (const SymbolTable::SymbolUse &use : *uses) {
        auto call = dyn_cast<func::CallOp>(use.getUser());
        if (!call) {
          use.getUser()->emitError()
              << "uses kernel @" << kernel.getName() << " other than by a call";
          return signalPassFailure();
        }
        SmallVector<Type> types;
        for (unsigned i = 0; i < call.getNumResults(); ++i)
          if (!repeats.test(i))
            types.push_back(call.getResult(i).getType());
        OpBuilder builder(call);
        auto unique =
            func::CallOp::create(builder, call.getLoc(), call.getCallee(),
                                 types, call.getOperands());
        unique->setDiscardableAttrs(call->getDiscardableAttrDictionary());
        for (unsigned i = 0; i < call.getNumResults(); ++i)
          call.getResult(i).replaceAllUsesWith(unique.getResult(newIndex[i]));
        call.erase();
      }
      ret->eraseOperands(repeats);
      if (failed(kernel.eraseResults(repeats))) {
        kernel.emitError("its repeated results cannot be removed");
        return signalPassFailure();
      }
    }
  }
};
} // namespace
