//===- OnnxFuzzer.cpp - ONNX bytes through the whole CPU pipeline ---------===//
//
// libFuzzer harness `optc-fuzz-onnx`: an input is a serialized ModelProto.
// It is imported, run through every stage of the CPU pipeline, translated
// to LLVM IR and compiled to object code in memory, as `optc -o x.o` would
// (weights embedded, nothing written). Any error is fine; a crash, a
// sanitizer report, an internal error (FuzzSupport.h), a hang or memory
// beyond libFuzzer's -rss_limit_mb is a finding.
//
// Random bytes rarely survive protobuf parsing, so mutation is structural
// (ModelMutator.h): mutants stay ModelProtos and reach the importer's
// checks and the passes. A tenth of the mutations, and every input that
// does not parse, fall back to libFuzzer's byte-level mutators.
//
//===----------------------------------------------------------------------===//

#include "FuzzSupport.h"
#include "ModelMutator.h"

#include "lib/Target/CPU/ObjectCode.h"
#include "optc/ImportONNX.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <cstddef>
#include <cstdint>

using namespace mlir;

extern "C" size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  optc::fuzz::FuzzContext fuzzContext;
  MLIRContext &context = fuzzContext.get();
  // External data is looked up in a folder that has none: a location is
  // checked, never read.
  OwningOpRef<ModuleOp> module = optc::importONNXBytes(
      llvm::StringRef(reinterpret_cast<const char *>(data), size),
      "/nonexistent/optc-fuzz", "fuzz.onnx", context);
  if (!module)
    return 0;
  FailureOr<optc::CPUTarget> target =
      optc::fuzz::runPipelineToLLVMDialect(*module);
  if (failed(target))
    return 0;
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      optc::translateToLLVMIR(*module, llvmContext, *target, /*optLevel=*/2);
  if (!llvmModule) {
    llvm::errs() << "optc-fuzz: the pipeline's LLVM dialect did not "
                    "translate to LLVM IR\n";
    abort();
  }
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream os(object);
  if (failed(optc::emitObject(*llvmModule, *target, /*optLevel=*/2, os,
                              module->getLoc())))
    abort();
  if (optc::fuzz::verbose())
    llvm::errs() << "optc-fuzz: " << object.size() << " bytes of object code\n";
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size,
                                          size_t maxSize, unsigned seed) {
  if (seed % 10 != 0)
    if (size_t mutated = optc::fuzz::mutateModel(data, size, maxSize, seed))
      return mutated;
  return LLVMFuzzerMutate(data, size, maxSize);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t *a, size_t aSize,
                                            const uint8_t *b, size_t bSize,
                                            uint8_t *out, size_t maxOutSize,
                                            unsigned seed) {
  return optc::fuzz::crossOverModels(a, aSize, b, bSize, out, maxOutSize, seed);
}
