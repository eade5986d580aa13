//===- HoistKernelBuffers.cpp - kernels' scratch buffers in the arena -----===//
//
// Implements --optc-hoist-kernel-buffers. A kernel's own temporaries (the
// padded input and the im2col matrix of a convolution, a reduction's
// partial results) are memref.allocs in the kernel: a malloc and a free on
// every run, hundreds of megabytes for a detection network at 736 x 736,
// most of it page faults. Each such buffer of a static shape allocated at
// the kernel's top level becomes an argument, allocated by the caller just
// before the call, where --optc-plan-memory gives it a place in the arena
// (short-lived, so it shares memory with other buffers). Buffers allocated
// inside loops stay: a parallel loop's iterations may each need their own.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/Host/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCHOISTKERNELBUFFERS
#include "lib/Target/Host/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

/// Top-level allocations of `kernel` that can come from the caller: static
/// shapes, not returned.
static SmallVector<memref::AllocOp> hoistable(func::FuncOp kernel) {
  SmallVector<memref::AllocOp> allocs;
  for (Operation &op : kernel.getBody().front()) {
    auto alloc = dyn_cast<memref::AllocOp>(op);
    if (!alloc || !alloc.getType().hasStaticShape() ||
        !alloc.getDynamicSizes().empty() || !alloc.getSymbolOperands().empty())
      continue;
    bool returned = llvm::any_of(alloc->getUsers(), [](Operation *user) {
      return isa<func::ReturnOp>(user);
    });
    if (!returned)
      allocs.push_back(alloc);
  }
  return allocs;
}

namespace {
struct HoistKernelBuffersPass
    : public mlir::optc::impl::OptcHoistKernelBuffersBase<
          HoistKernelBuffersPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTableCollection symbols;
    SymbolUserMap users(symbols, module);
    for (auto kernel : module.getOps<func::FuncOp>()) {
      if (!kernel->hasAttr("optc.kernel") || kernel.isExternal())
        continue;
      SmallVector<memref::AllocOp> allocs = hoistable(kernel);
      if (allocs.empty())
        continue;
      SmallVector<func::CallOp> calls;
      for (Operation *user : users.getUsers(kernel)) {
        auto call = dyn_cast<func::CallOp>(user);
        if (!call) // taken by address: its signature must stay
          break;
        calls.push_back(call);
      }
      if (calls.size() != users.getUsers(kernel).size())
        continue;
      // The buffers become trailing arguments (in-place attributes index
      // the leading ones, which keep their positions).
      unsigned first = kernel.getNumArguments();
      for (auto [i, alloc] : llvm::enumerate(allocs)) {
        if (failed(kernel.insertArgument(first + i, alloc.getType(),
                                         DictionaryAttr(), alloc.getLoc())))
          return signalPassFailure();
        alloc.replaceAllUsesWith(kernel.getArgument(first + i));
      }
      for (func::CallOp call : calls) {
        // The caller allocates before the call, at the level of its
        // function's body, where the memory plan sees it.
        Block *body = &call->getParentOfType<func::FuncOp>().getBody().front();
        Operation *anchor = body->findAncestorOpInBlock(*call);
        OpBuilder builder(anchor);
        SmallVector<Value> operands(call.getOperands());
        for (memref::AllocOp alloc : allocs) {
          auto buffer = memref::AllocOp::create(builder, call.getLoc(),
                                                alloc.getType());
          buffer.setAlignmentAttr(alloc.getAlignmentAttr());
          operands.push_back(buffer);
        }
        call->setOperands(operands);
      }
      for (memref::AllocOp alloc : allocs)
        alloc.erase();
    }
  }
};
} // namespace
