//===- FuzzSupport.cpp - what optc's libFuzzer harnesses share ------------===//

#include "FuzzSupport.h"

#include "lib/Target/CPU/ObjectCode.h"
#include "optc/Driver.h"
#include "optc/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>

using namespace mlir;

static bool envFlag(const char *name) {
  const char *value = std::getenv(name);
  return value && *value && *value != '0';
}

bool mlir::optc::fuzz::verbose() {
  static const bool flag = envFlag("OPTC_FUZZ_VERBOSE");
  return flag;
}

void mlir::optc::fuzz::initializeOnce() {
  static bool done = [] {
    // The driver applies these options to every pass manager (they stay
    // at their defaults: libFuzzer owns the command line).
    mlir::registerPassManagerCLOptions();
    mlir::registerDefaultTimingManagerCLOptions();
    mlir::optc::registerAllPasses();
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    return true;
  }();
  (void)done;
}

mlir::optc::fuzz::FuzzContext::FuzzContext() {
  initializeOnce();
  DialectRegistry registry;
  mlir::optc::registerAllDialects(registry);
  context =
      std::make_unique<MLIRContext>(registry, MLIRContext::Threading::DISABLED);
  static const bool allowInternal = envFlag("OPTC_FUZZ_ALLOW_INTERNAL_ERRORS");
  handler = std::make_unique<ScopedDiagnosticHandler>(
      context.get(), [](Diagnostic &diag) {
        if (verbose())
          llvm::errs() << diag.getLocation() << ": " << diag << "\n";
        if (!allowInternal && diag.getSeverity() == DiagnosticSeverity::Error &&
            llvm::StringRef(diag.str()).starts_with("internal error")) {
          llvm::errs() << "optc-fuzz: " << diag << "\n";
          for (const Diagnostic &note : diag.getNotes())
            llvm::errs() << "  note: " << note << "\n";
          std::abort();
        }
        return success();
      });
}

mlir::optc::fuzz::FuzzContext::~FuzzContext() = default;

FailureOr<mlir::optc::CPUTarget>
mlir::optc::fuzz::runPipelineToLLVMDialect(ModuleOp module) {
  FailureOr<CPUTarget> target = resolveCPUTarget("", "", module->getLoc());
  if (failed(target))
    return failure();
  CPUPipelineOptions pipeline;
  pipeline.target = *target;
  pipeline.modelName = "fuzz";
  pipeline.weights = "embed";
  PipelineRunOptions run;
  run.verifyEachPass = false; // verified after every stage instead: faster
  if (failed(runCPUPipeline(module, pipeline, Stage::Import, Stage::LLVM, run)))
    return failure();
  return target;
}
