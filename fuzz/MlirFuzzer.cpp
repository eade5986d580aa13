//===- MlirFuzzer.cpp - MLIR text through the optc pipelines --------------===//
//
// libFuzzer harness `optc-fuzz-mlir`: an input is MLIR text. It is parsed
// and verified, and a module that verifies runs through every stage of the
// CPU pipeline to the LLVM dialect, as `optc x.mlir --emit=llvm` would.
//
// Only modules made of the optc, func and builtin dialects go on after
// parsing: they are what the pipeline starts from (the importer's output),
// and their verifiers are optc's. Debian's MLIR is built without
// assertions, so upstream verifiers fed IR upstream never meant to accept
// can crash in ways that say nothing about optc; those dialects are
// upstream's to fuzz.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mlir;

/// Whether every op of `module` is one the pipeline starts from.
static bool onlyInputDialects(ModuleOp module) {
  WalkResult result = module->walk([](Operation *op) {
    llvm::StringRef dialect = op->getName().getDialectNamespace();
    if (dialect == "optc" || dialect == "func" || dialect == "builtin")
      return WalkResult::advance();
    return WalkResult::interrupt();
  });
  return !result.wasInterrupted();
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  optc::fuzz::FuzzContext fuzzContext;
  MLIRContext &context = fuzzContext.get();
  // Ops of unknown dialects would parse as unregistered ops.
  context.allowUnregisteredDialects(false);
  ParserConfig config(&context, /*verifyAfterParse=*/false);
  // MLIR's lexer finds the end of its buffer by a NUL after it, as files
  // the driver reads have; libFuzzer's input has none.
  std::string text(reinterpret_cast<const char *>(data), size);
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, config, "fuzz.mlir");
  if (!module || !onlyInputDialects(*module) || failed(verify(*module)))
    return 0;
  (void)optc::fuzz::runPipelineToLLVMDialect(*module);
  return 0;
}
