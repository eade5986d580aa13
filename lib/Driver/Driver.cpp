//===- Driver.cpp - the optc compiler driver ------------------------------===//
//
// Reads the input, checks it and writes the requested stage. Failures are
// diagnostics; the output file is kept only when the run succeeded, so a
// failed run never leaves a partial output behind.
//
//===----------------------------------------------------------------------===//

#include "optc/Driver.h"

#include "lib/Driver/TensorFiles.h"
#include "optc/Pipelines.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "lib/Target/CPU/ObjectCode.h"
#include "lib/Target/Host/Header.h"
#include "lib/Target/Host/Weights.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatAdapters.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;
using namespace mlir::optc;

optc::InputKind optc::classifyInput(llvm::StringRef path,
                                    llvm::StringRef contents) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".mlir")
    return InputKind::MLIRText;
  if (ext == ".mlirbc")
    return InputKind::MLIRBytecode;
  if (ext == ".onnx")
    return InputKind::ONNX;
  if (contents.starts_with("ML\xEFR"))
    return InputKind::MLIRBytecode;
  // A serialised ModelProto starts with field 1 (ir_version) as a varint:
  // the byte 0x08, which no MLIR text starts with.
  if (contents.starts_with("\x08"))
    return InputKind::ONNX;
  return InputKind::Unknown;
}

std::string optc::parseInputValue(llvm::StringRef spec,
                                  ImportOptions &options) {
  auto [name, path] = spec.split('=');
  if (name.empty() || path.empty() || !spec.contains('='))
    return "--input-value expects NAME=FILE (a .npy or .pb tensor), got '" +
           spec.str() + "'";
  HostTensor tensor;
  std::string error;
  if (!readTensorFile(path, tensor, error))
    return "--input-value " + name.str() + ": " + error;
  InputValue &value = options.inputValues[name];
  value.dataType = tensor.dtype;
  value.shape.assign(tensor.shape.begin(), tensor.shape.end());
  value.rawData.assign(tensor.data.begin(), tensor.data.end());
  return "";
}

OwningOpRef<ModuleOp> optc::loadModule(llvm::StringRef path,
                                       MLIRContext &context,
                                       const ImportOptions &import) {
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> buffer = openInputFile(path, &error);
  Location fileLoc = FileLineColLoc::get(&context, path, 0, 0);
  if (!buffer) {
    emitError(fileLoc) << "cannot read input: " << error;
    return nullptr;
  }
  switch (classifyInput(path, buffer->getBuffer())) {
  case InputKind::MLIRText:
  case InputKind::MLIRBytecode:
    break;
  case InputKind::ONNX: {
    llvm::SmallString<256> baseDir(path == "-" ? "." : path);
    llvm::sys::path::remove_filename(baseDir);
    if (baseDir.empty())
      baseDir = ".";
    OwningOpRef<ModuleOp> module =
        importONNXBytes(buffer->getBuffer(), baseDir,
                        path == "-" ? "<stdin>" : path, context, import);
    if (module && failed(verify(*module)))
      return nullptr;
    return module;
  }
  case InputKind::Unknown:
    // stdin and files without a known extension are read as MLIR text; the
    // parser reports where they stop making sense.
    if (path != "-" && !llvm::sys::path::extension(path).empty()) {
      emitError(fileLoc) << "unrecognised input file type '"
                         << llvm::sys::path::extension(path)
                         << "': expected an ONNX model (.onnx) or optc IR "
                            "(.mlir, .mlirbc)";
      return nullptr;
    }
    break;
  }
  llvm::SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(buffer), llvm::SMLoc());
  context.loadDialect<OptcDialect, func::FuncDialect>();
  // The parser verifies the module it returns.
  return parseSourceFile<ModuleOp>(sourceMgr, ParserConfig(&context));
}

/// --op-stats: one row per op type with its count and support.
static LogicalResult printOpStats(const DriverOptions &options,
                                  MLIRContext &context) {
  std::vector<OpStat> stats;
  if (failed(collectONNXOpStats(options.inputPath, context, stats)))
    return failure();
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(options.outputPath, &error);
  if (!output) {
    emitError(UnknownLoc::get(&context))
        << "cannot open output '" << options.outputPath << "': " << error;
    return failure();
  }
  llvm::raw_ostream &os = output->os();
  size_t width = 2;
  for (const OpStat &s : stats)
    width = std::max(width, s.opType.size());
  os << llvm::left_justify("op", width) << "  "
     << llvm::left_justify("domain", 18) << "  opset  count  supported\n";
  unsigned nodes = 0, unsupportedNodes = 0;
  std::string unsupported;
  for (const OpStat &s : stats) {
    os << llvm::left_justify(s.opType, width) << "  "
       << llvm::left_justify(s.domain, 18) << "  "
       << llvm::right_justify(std::to_string(s.opset), 5) << "  "
       << llvm::right_justify(std::to_string(s.count), 5) << "  "
       << (s.supported ? "yes" : "no") << "\n";
    nodes += s.count;
    if (!s.supported) {
      unsupportedNodes += s.count;
      unsupported += (unsupported.empty() ? "" : ", ") + s.opType;
    }
  }
  os << stats.size() << " op types, " << nodes << " nodes";
  if (unsupported.empty())
    os << "; all supported\n";
  else
    os << "; unsupported: " << unsupported << " (" << unsupportedNodes
       << " nodes)\n";
  output->keep();
  return success();
}

/// Writes `module` as MLIR text to `path`.
static LogicalResult
writeText(llvm::StringRef path, MLIRContext &context,
          llvm::function_ref<void(llvm::raw_ostream &)> print) {
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output = openOutputFile(path, &error);
  if (!output)
    return emitError(UnknownLoc::get(&context))
           << "cannot open output '" << path << "': " << error;
  print(output->os());
  output->os().flush();
  if (output->os().has_error()) {
    output->os().clear_error();
    return emitError(UnknownLoc::get(&context))
           << "cannot write output '" << path << "'";
  }
  output->keep();
  return success();
}

/// What to write when --emit is not given: judged by the output's name.
static std::string emitFromOutput(llvm::StringRef path) {
  llvm::StringRef ext = llvm::sys::path::extension(path);
  if (ext == ".so")
    return "lib";
  if (ext == ".o")
    return "obj";
  if (ext == ".ll")
    return "llvm";
  return "mlir";
}

/// The output's stem as a C identifier ("my-model.so" -> "my_model").
static std::string nameFromOutput(llvm::StringRef path) {
  std::string name = llvm::sys::path::stem(path).str();
  for (char &c : name)
    if (!llvm::isAlnum(static_cast<unsigned char>(c)) && c != '_')
      c = '_';
  if (name.empty() || name == "_")
    return "model";
  if (llvm::isDigit(static_cast<unsigned char>(name[0])))
    name = "m" + name;
  return name;
}

/// Links `module` (in the LLVM dialect) into `outputPath` and writes the
/// header beside it. Both appear only when everything succeeded.
static LogicalResult writeLibrary(llvm::Module &llvmModule, ModuleOp module,
                                  const CPUTarget &target, unsigned optLevel,
                                  llvm::StringRef outputPath,
                                  llvm::StringRef name,
                                  llvm::StringRef runtimeArchive,
                                  Location loc) {
  FailureOr<std::string> header = generateModelHeader(module, name);
  if (failed(header))
    return failure();
  llvm::SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("optc-model", "o", object))
    return emitError(loc) << "cannot create a temporary file: " << ec.message();
  llvm::scope_exit removeObject([&] { llvm::sys::fs::remove(object); });
  if (failed(emitObjectFile(llvmModule, target, optLevel, object, loc)))
    return failure();
  // Link next to the output, then rename: no half-written library.
  llvm::SmallString<256> partial(outputPath);
  partial += ".partial";
  if (failed(linkSharedLibrary(object, partial, loc, runtimeArchive))) {
    llvm::sys::fs::remove(partial);
    return failure();
  }
  llvm::SmallString<256> headerPath(outputPath);
  llvm::sys::path::replace_extension(headerPath, ".h");
  if (failed(writeText(headerPath, *module.getContext(),
                       [&](llvm::raw_ostream &os) { os << *header; }))) {
    llvm::sys::fs::remove(partial);
    return failure();
  }
  if (std::error_code ec = llvm::sys::fs::rename(partial, outputPath)) {
    llvm::sys::fs::remove(partial);
    return emitError(loc) << "cannot write '" << outputPath
                          << "': " << ec.message();
  }
  return success();
}

LogicalResult optc::runDriver(const DriverOptions &options,
                              MLIRContext &context) {
  Location cli = NameLoc::get(StringAttr::get(&context, "optc"));
  if (options.opStats)
    return printOpStats(options, context);
  std::string emit = options.emit;
  if (emit.empty())
    emit =
        options.emitAfter.empty() ? emitFromOutput(options.outputPath) : "mlir";
  if (emit != "mlir" && emit != "llvm" && emit != "obj" && emit != "lib")
    return emitError(cli) << "--emit=" << emit
                          << " is not one of mlir, llvm, obj, lib";
  Stage until = Stage::LLVM;
  if (!options.emitAfter.empty()) {
    std::optional<Stage> stage = parseStage(options.emitAfter);
    if (!stage) {
      InFlightDiagnostic diag = emitError(cli)
                                << "--emit-after=" << options.emitAfter
                                << " is not a stage; the stages are: ";
      llvm::interleaveComma(stageNames(), diag);
      return diag;
    }
    if (emit != "mlir")
      return emitError(cli) << "--emit-after stops at an MLIR stage; it "
                               "needs --emit=mlir, not --emit="
                            << emit;
    until = *stage;
  } else if (emit == "mlir") {
    until = Stage::Import;
  }
  if (options.target != "cpu")
    return emitError(cli) << "--target=" << options.target
                          << " is not available yet; the targets are: cpu";
  if (options.optLevel > 3)
    return emitError(cli) << "-O" << options.optLevel
                          << " is not an optimisation level (0 to 3)";
  if ((emit == "obj" || emit == "lib") && options.outputPath == "-")
    return emitError(cli) << "--emit=" << emit
                          << " writes a binary file: name it with -o";
  std::string name = options.modelName.empty()
                         ? nameFromOutput(options.outputPath)
                         : options.modelName;
  if (options.weights != "auto" && options.weights != "embed" &&
      options.weights != "file")
    return emitError(cli) << "--weights=" << options.weights
                          << " is not one of auto, embed, file";
  if (options.weightsLimit < 0)
    return emitError(cli) << "--weights-limit must not be negative";
  if (!isCIdentifier(name))
    return emitError(cli) << "--name=" << name
                          << " is not a C identifier (letters, digits and _, "
                             "not starting with a digit)";

  OwningOpRef<ModuleOp> module =
      loadModule(options.inputPath, context, options.import);
  if (!module)
    return failure();

  if (until != Stage::Import) {
    FailureOr<CPUTarget> target = resolveCPUTarget(
        options.targetTriple, options.targetCPU, module->getLoc());
    if (failed(target))
      return failure();
    CPUPipelineOptions pipeline;
    pipeline.target = *target;
    pipeline.modelName = name;
    pipeline.weights = options.weights;
    pipeline.weightsLimit = options.weightsLimit;
    pipeline.fastMath = options.fastMath;
    llvm::SmallString<256> weightsPath(options.outputPath);
    llvm::sys::path::replace_extension(weightsPath, ".weights");
    pipeline.weightsFile = llvm::sys::path::filename(weightsPath).str();
    PassManager pm(&context);
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    buildCPUPipeline(pm, pipeline, Stage::Import, until);
    if (failed(pm.run(*module)))
      return failure();
    if (emit != "mlir") {
      // The side file of weights, beside the output; gone again if the
      // rest fails.
      bool external = hasExternalWeights(*module);
      llvm::scope_exit removeWeights([&] {
        if (external)
          llvm::sys::fs::remove(weightsPath);
      });
      if (external && failed(writeWeightsFile(*module, weightsPath)))
        return failure();
      llvm::LLVMContext llvmContext;
      std::unique_ptr<llvm::Module> llvmModule =
          translateToLLVMIR(*module, llvmContext, *target, options.optLevel);
      if (!llvmModule)
        return failure();
      LogicalResult written = success();
      if (emit == "llvm")
        written =
            writeText(options.outputPath, context, [&](llvm::raw_ostream &os) {
              llvmModule->print(os, nullptr);
            });
      else if (emit == "obj")
        written = emitObjectFile(*llvmModule, *target, options.optLevel,
                                 options.outputPath, module->getLoc());
      else
        written = writeLibrary(*llvmModule, *module, *target, options.optLevel,
                               options.outputPath, name, options.runtimeArchive,
                               module->getLoc());
      if (succeeded(written))
        removeWeights.release();
      return written;
    }
  }
  return writeText(options.outputPath, context, [&](llvm::raw_ostream &os) {
    module->print(os);
    os << "\n";
  });
}
