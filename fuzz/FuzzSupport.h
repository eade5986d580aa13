//===- FuzzSupport.h - what optc's libFuzzer harnesses share ----*- C++ -*-===//
//
// The compiler harnesses compile one input per call in a fresh MLIRContext
// and drop every diagnostic: a model's error is the expected outcome of
// most mutants. An *internal* error (a model the importer accepted that a
// later stage failed on, Driver.cpp's reportInternalError) is optc's bug,
// so it aborts and libFuzzer records the input like a crash; setting
// OPTC_FUZZ_ALLOW_INTERNAL_ERRORS=1 turns that off while hunting crashes.
// OPTC_FUZZ_VERBOSE=1 prints every diagnostic (for replaying one input).
//
//===----------------------------------------------------------------------===//
#ifndef OPTC_FUZZ_FUZZSUPPORT_H
#define OPTC_FUZZ_FUZZSUPPORT_H

#include "optc/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"

#include <memory>

namespace mlir::optc::fuzz {

/// A context with every dialect optc uses, single-threaded (a fuzzer needs
/// determinism more than speed per input), whose diagnostics are judged as
/// the file comment says.
class FuzzContext {
public:
  FuzzContext();
  ~FuzzContext();
  mlir::MLIRContext &get() { return *context; }

private:
  std::unique_ptr<mlir::MLIRContext> context;
  std::unique_ptr<mlir::ScopedDiagnosticHandler> handler;
};

/// Whether OPTC_FUZZ_VERBOSE is set: print every diagnostic and outcome.
bool verbose();

/// Runs every stage of the CPU pipeline on `module` for this machine, as
/// the driver does (weights embedded, verified after every stage); the
/// target on success.
FailureOr<CPUTarget> runPipelineToLLVMDialect(ModuleOp module);

/// Registers optc's passes and LLVM's targets once per process.
void initializeOnce();

} // namespace mlir::optc::fuzz

#endif // OPTC_FUZZ_FUZZSUPPORT_H
