//===- ObjectCode.h - from the LLVM dialect to a shared library -*- C++ -*-===//
//
// The steps of CPU compilation that leave MLIR: choosing the target
// machine, translating to LLVM IR, optimising, emitting object code with
// LLVM's TargetMachine in-process, and linking the object with the runtime
// into a shared library.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_TARGET_CPU_OBJECTCODE_H
#define OPTC_LIB_TARGET_CPU_OBJECTCODE_H

#include "optc/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"

#include <memory>

namespace mlir::optc {

/// The target for `triple` and `cpu`; empty strings mean this machine
/// (its CPU and every feature it has). Features are those the CPU implies.
/// Fails with an error at `loc` for an unknown triple or CPU.
FailureOr<CPUTarget> resolveCPUTarget(llvm::StringRef triple,
                                      llvm::StringRef cpu, Location loc);

/// Translates a module in the LLVM dialect to LLVM IR for `target` and
/// runs LLVM's optimisation pipeline at `optLevel` (0 to 3).
std::unique_ptr<llvm::Module> translateToLLVMIR(ModuleOp module,
                                                llvm::LLVMContext &context,
                                                const CPUTarget &target,
                                                unsigned optLevel);

/// Writes `module` as object code to `os`.
LogicalResult emitObject(llvm::Module &module, const CPUTarget &target,
                         unsigned optLevel, llvm::raw_pwrite_stream &os,
                         Location loc);

/// Writes `module` as an object file at `path`.
LogicalResult emitObjectFile(llvm::Module &module, const CPUTarget &target,
                             unsigned optLevel, llvm::StringRef path,
                             Location loc);

/// Links `objectPath` with the runtime archive into the shared library
/// `outputPath`, with the system's C compiler driver (clang-22, else cc).
/// An empty `runtimeArchive` means $OPTC_RUNTIME_LIB, else
/// ../lib/liboptc_runtime.a beside the running executable.
LogicalResult linkSharedLibrary(llvm::StringRef objectPath,
                                llvm::StringRef outputPath, Location loc,
                                llvm::StringRef runtimeArchive = {});

} // namespace mlir::optc

#endif // OPTC_LIB_TARGET_CPU_OBJECTCODE_H
