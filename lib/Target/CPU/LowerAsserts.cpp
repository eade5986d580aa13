//===- LowerAsserts.cpp - run-time checks become reported errors ---------===//
//
// Implements --optc-cpu-lower-asserts: cf.assert -> if (!cond)
// optc_report_error("message"). See the pass description.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/Passes.h"

#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/IR/Builders.h"

namespace mlir::optc {
#define GEN_PASS_DEF_OPTCCPULOWERASSERTS
#include "lib/Target/CPU/Passes.h.inc"
} // namespace mlir::optc

using namespace mlir;

static constexpr llvm::StringLiteral kReportError = "optc_report_error";

namespace {
struct LowerAssertsPass
    : public mlir::optc::impl::OptcCPULowerAssertsBase<LowerAssertsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<cf::AssertOp> asserts;
    module.walk([&](cf::AssertOp op) { asserts.push_back(op); });
    if (asserts.empty())
      return;
    MLIRContext *context = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(context);
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    if (!module.lookupSymbol(kReportError))
      LLVM::LLVMFuncOp::create(
          top, module.getLoc(), kReportError,
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(context), {ptr}));
    unsigned counter = 0;
    for (cf::AssertOp op : asserts) {
      // The message, NUL-terminated, as a private constant.
      std::string text = op.getMsg().str() + std::string(1, '\0');
      auto type =
          LLVM::LLVMArrayType::get(IntegerType::get(context, 8), text.size());
      std::string name = "optc_check_message_" + std::to_string(counter++);
      auto global = LLVM::GlobalOp::create(
          top, op.getLoc(), type, /*isConstant=*/true, LLVM::Linkage::Internal,
          name, top.getStringAttr(text));
      OpBuilder builder(op);
      Value failed = arith::XOrIOp::create(
          builder, op.getLoc(), op.getArg(),
          arith::ConstantOp::create(builder, op.getLoc(),
                                    builder.getBoolAttr(true)));
      auto branch = scf::IfOp::create(builder, op.getLoc(), failed,
                                      /*withElseRegion=*/false);
      builder.setInsertionPointToStart(branch.thenBlock());
      Value message = LLVM::AddressOfOp::create(builder, op.getLoc(), global);
      LLVM::CallOp::create(builder, op.getLoc(), TypeRange{}, kReportError,
                           ValueRange{message});
      op.erase();
    }
    module->setAttr("optc.run_time_checks", UnitAttr::get(context));
  }
};
} // namespace
