//===- ObjectCode.cpp - from the LLVM dialect to a shared library ---------===//
//
// Object code is produced in-process: MLIR's translation to LLVM IR, LLVM's
// new pass manager at the requested level, and the TargetMachine's object
// emitter. Linking is the one external step: the system's compiler driver
// links the object with the runtime archive (whole, so that every runtime
// entry point is exported) into a self-contained shared library.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/ObjectCode.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;
using namespace mlir::optc;

static void initializeTargets() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeAllTargetInfos();
    llvm::InitializeAllTargets();
    llvm::InitializeAllTargetMCs();
    llvm::InitializeAllAsmPrinters();
  });
}

static llvm::CodeGenOptLevel codeGenLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return llvm::CodeGenOptLevel::None;
  case 1:
    return llvm::CodeGenOptLevel::Less;
  case 2:
    return llvm::CodeGenOptLevel::Default;
  default:
    return llvm::CodeGenOptLevel::Aggressive;
  }
}

static std::unique_ptr<llvm::TargetMachine>
createTargetMachine(const CPUTarget &target, unsigned optLevel,
                    std::string &error) {
  initializeTargets();
  llvm::Triple triple(target.triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return nullptr;
  std::string features;
  for (llvm::StringRef feature : llvm::split(target.features, ','))
    if (!feature.empty())
      features += (features.empty() ? "+" : ",+") + feature.str();
  llvm::TargetOptions options;
  return std::unique_ptr<llvm::TargetMachine>(llvmTarget->createTargetMachine(
      triple, target.cpu, features, options, llvm::Reloc::PIC_, std::nullopt,
      codeGenLevel(optLevel)));
}

FailureOr<CPUTarget> optc::resolveCPUTarget(llvm::StringRef tripleName,
                                            llvm::StringRef cpuName,
                                            Location loc) {
  initializeTargets();
  CPUTarget target;
  bool host = tripleName.empty() && cpuName.empty();
  target.triple = llvm::Triple::normalize(
      tripleName.empty() ? llvm::sys::getDefaultTargetTriple() : tripleName);
  std::string error;
  llvm::Triple triple(target.triple);
  const llvm::Target *llvmTarget =
      llvm::TargetRegistry::lookupTarget(triple, error);
  if (!llvmTarget)
    return emitError(loc) << "unknown --target-triple '" << tripleName
                          << "': " << error;
  target.cpu = cpuName.empty()
                   ? (tripleName.empty() ? llvm::sys::getHostCPUName().str()
                                         : std::string("generic"))
                   : cpuName.str();
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      llvmTarget->createMCSubtargetInfo(triple, target.cpu, ""));
  if (!subtarget || !subtarget->isCPUStringValid(target.cpu))
    return emitError(loc) << "unknown --target-cpu '" << target.cpu << "' for "
                          << target.triple;
  // The features: this machine's when compiling for it, else the CPU's.
  std::vector<std::string> features;
  if (host) {
    for (const auto &feature : llvm::sys::getHostCPUFeatures())
      if (feature.second)
        features.push_back(feature.first().str());
  } else {
    for (const llvm::SubtargetFeatureKV &kv :
         subtarget->getAllProcessorFeatures())
      if (subtarget->getFeatureBits().test(kv.Value))
        features.push_back(kv.Key);
  }
  llvm::sort(features);
  target.features = llvm::join(features, ",");
  auto has = [&](llvm::StringRef name) {
    return llvm::is_contained(features, name.str());
  };
  if (triple.isX86())
    target.vectorBits = has("avx512f") ? 512 : has("avx") ? 256 : 128;
  else
    target.vectorBits = 128;
  return target;
}

std::unique_ptr<llvm::Module>
optc::translateToLLVMIR(ModuleOp module, llvm::LLVMContext &context,
                        const CPUTarget &target, unsigned optLevel) {
  DialectRegistry registry;
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  module->getContext()->appendDialectRegistry(registry);
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, context, "optc");
  if (!llvmModule)
    return nullptr;
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, optLevel, error);
  if (!machine) {
    emitError(module.getLoc()) << "cannot create the target machine for "
                               << target.triple << ": " << error;
    return nullptr;
  }
  llvmModule->setTargetTriple(llvm::Triple(target.triple));
  llvmModule->setDataLayout(machine->createDataLayout());
  // The code was generated for this CPU: say so on every function, so that
  // LLVM's own passes may use its features too.
  std::string features;
  for (llvm::StringRef feature : llvm::split(target.features, ','))
    if (!feature.empty())
      features += (features.empty() ? "+" : ",+") + feature.str();
  for (llvm::Function &function : *llvmModule) {
    if (function.isDeclaration())
      continue;
    function.addFnAttr("target-cpu", target.cpu);
    if (!features.empty())
      function.addFnAttr("target-features", features);
  }
  if (optLevel == 0)
    return llvmModule;

  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgsccs;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(machine.get());
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgsccs);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgsccs, modules);
  llvm::OptimizationLevel level = optLevel == 1   ? llvm::OptimizationLevel::O1
                                  : optLevel == 2 ? llvm::OptimizationLevel::O2
                                                  : llvm::OptimizationLevel::O3;
  llvm::ModulePassManager passes = builder.buildPerModuleDefaultPipeline(level);
  passes.run(*llvmModule, modules);
  return llvmModule;
}

LogicalResult optc::emitObject(llvm::Module &module, const CPUTarget &target,
                               unsigned optLevel, llvm::raw_pwrite_stream &os,
                               Location loc) {
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      createTargetMachine(target, optLevel, error);
  if (!machine)
    return emitError(loc) << "cannot create the target machine for "
                          << target.triple << ": " << error;
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, os, nullptr,
                                   llvm::CodeGenFileType::ObjectFile))
    return emitError(loc) << "the target machine cannot emit object files for "
                          << target.triple;
  passes.run(module);
  return success();
}

LogicalResult optc::emitObjectFile(llvm::Module &module,
                                   const CPUTarget &target, unsigned optLevel,
                                   llvm::StringRef path, Location loc) {
  std::error_code ec;
  llvm::ToolOutputFile output(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return emitError(loc) << "cannot open '" << path << "': " << ec.message();
  if (failed(emitObject(module, target, optLevel, output.os(), loc)))
    return failure();
  output.os().flush();
  if (output.os().has_error()) {
    output.os().clear_error();
    return emitError(loc) << "cannot write '" << path << "'";
  }
  output.keep();
  return success();
}

/// The runtime archive: $OPTC_RUNTIME_LIB, else ../lib beside the running
/// executable (the build tree's layout).
static std::string runtimeArchive() {
  if (const char *path = std::getenv("OPTC_RUNTIME_LIB"))
    return path;
  static int anchor;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, &anchor);
  llvm::SmallString<256> path(llvm::sys::path::parent_path(exe));
  llvm::sys::path::append(path, "..", "lib", "liboptc_runtime.a");
  return std::string(path);
}

LogicalResult optc::linkSharedLibrary(llvm::StringRef objectPath,
                                      llvm::StringRef outputPath, Location loc,
                                      llvm::StringRef runtime) {
  std::string archive = runtime.empty() ? runtimeArchive() : runtime.str();
  if (!llvm::sys::fs::exists(archive))
    return emitError(loc) << "the optc runtime library '" << archive
                          << "' is missing (set OPTC_RUNTIME_LIB)";
  std::string linker;
  for (const char *name : {"clang-22", "clang", "cc", "gcc"}) {
    llvm::ErrorOr<std::string> found = llvm::sys::findProgramByName(name);
    if (found) {
      linker = *found;
      break;
    }
  }
  if (linker.empty())
    return emitError(loc) << "no C compiler driver (clang-22, clang, cc or "
                             "gcc) found to link the shared library";
  llvm::SmallVector<llvm::StringRef> args = {
      linker, "-shared", "-o", outputPath, objectPath, "-Wl,--whole-archive",
      archive, "-Wl,--no-whole-archive",
      // Calls inside the library bind to its own definitions.
      "-Wl,-Bsymbolic", "-Wl,--no-undefined"};
#ifdef OPTC_COMPILER_RT_BUILTINS
  // Only the members the code calls (__truncdfbf2, ...) are taken.
  if (llvm::sys::fs::exists(OPTC_COMPILER_RT_BUILTINS))
    args.push_back(OPTC_COMPILER_RT_BUILTINS);
#endif
  args.append({"-lm", "-lpthread", "-ldl"});
  llvm::SmallString<128> errorFile;
  llvm::sys::fs::createTemporaryFile("optc-link", "txt", errorFile);
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, errorFile.str(),
                                                errorFile.str()};
  std::string error;
  int status = llvm::sys::ExecuteAndWait(linker, args, std::nullopt, redirects,
                                         /*SecondsToWait=*/300, 0, &error);
  auto output = llvm::MemoryBuffer::getFile(errorFile);
  std::string log = output ? (*output)->getBuffer().str() : "";
  llvm::sys::fs::remove(errorFile);
  if (status != 0)
    return emitError(loc) << "linking '" << outputPath << "' with " << linker
                          << " failed" << (error.empty() ? "" : ": ") << error
                          << (log.empty() ? "" : ":\n") << log;
  return success();
}
