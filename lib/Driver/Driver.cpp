//===- Driver.cpp - the optc compiler driver ------------------------------===//
//
// Reads the input, checks it and writes the requested stage. Failures are
// diagnostics; the output file is kept only when the run succeeded, so a
// failed run never leaves a partial output behind.
//
// A failure inside the pipeline that is optc's own bug (IR a pass made
// that fails verification, a pass failing silently, anything after the
// linalg stage) is reported as an internal error naming the stage, the
// pass and the node, never as a bare MLIR verifier message.
//
//===----------------------------------------------------------------------===//

#include "optc/Driver.h"
#include "optc/Support/BlockScaling.h"

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
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/FormatAdapters.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"

#include <mutex>

using namespace mlir;
using namespace mlir::optc;

//===----------------------------------------------------------------------===//
// Internal errors
//===----------------------------------------------------------------------===//

namespace {
/// Holds the diagnostics emitted while it listens, to be passed on
/// unchanged or reported as an internal error once the step is over.
class DiagnosticBuffer {
public:
  explicit DiagnosticBuffer(MLIRContext *context)
      : handler(std::in_place, context, [this](Diagnostic &diagnostic) {
          diagnostics.push_back(std::move(diagnostic));
          return success();
        }) {}

  /// Stops listening; returns what was emitted, in order.
  std::vector<Diagnostic> take() {
    handler.reset();
    return std::move(diagnostics);
  }

private:
  std::vector<Diagnostic> diagnostics;
  std::optional<ScopedDiagnosticHandler> handler;
};

/// Records the first pass that failed or after which the IR failed to
/// verify (MLIR reports both as a failed pass). Nested pipelines run on
/// several threads; the first failure, the innermost pass, wins.
class FailedPassRecorder : public PassInstrumentation {
public:
  struct Failure {
    bool failed = false;
    /// The pass's flag ("optc-cpu-tile-and-vectorize"), else its name.
    std::string pass;
    bool optcPass = false;
    /// The function the pass ran on, when it ran on one.
    std::string function;
  };

  explicit FailedPassRecorder(Failure &failure) : failure(failure) {}

  void runAfterPassFailed(Pass *pass, Operation *op) override {
    std::lock_guard<std::mutex> lock(mutex);
    if (failure.failed)
      return;
    failure.failed = true;
    failure.pass = pass->getArgument().empty() ? pass->getName().str()
                                               : pass->getArgument().str();
    failure.optcPass = pass->getArgument().starts_with("optc-");
    if (auto func = dyn_cast<func::FuncOp>(op))
      failure.function = func.getSymName().str();
  }

private:
  std::mutex mutex;
  Failure &failure;
};

/// --debug-inject-failure: the pass that breaks the IR or fails, to test
/// how internal errors are reported.
struct InjectFailurePass
    : public PassWrapper<InjectFailurePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(InjectFailurePass)

  explicit InjectFailurePass(std::string kind) : kind(std::move(kind)) {}
  llvm::StringRef getArgument() const override {
    return "optc-debug-inject-failure";
  }
  llvm::StringRef getDescription() const override {
    return "Breaks the IR or fails (testing internal errors)";
  }

  void runOnOperation() override {
    if (kind != "invalid-ir")
      return signalPassFailure();
    // A func.return before the last op from a node (NameLoc) of the first
    // function body, or of the first kernel once there are kernels: IR the
    // verifier rejects, located at that node.
    Operation *before = nullptr;
    for (Operation &function : getOperation().getBody()->getOperations()) {
      auto body = dyn_cast<FunctionOpInterface>(function);
      if (!body || body.isExternal() ||
          (before && (before->getParentOp()->hasAttr("optc.kernel") ||
                      !function.hasAttr("optc.kernel"))))
        continue;
      for (Operation &op : body.getFunctionBody().front()) {
        bool fromNode = false;
        op.getLoc()->walk([&](Location loc) {
          fromNode |= isa<NameLoc>(loc);
          return WalkResult::advance();
        });
        if (fromNode && !op.hasTrait<OpTrait::IsTerminator>())
          before = &op;
      }
    }
    if (!before)
      return signalPassFailure();
    OpBuilder builder(before);
    func::ReturnOp::create(builder, before->getLoc());
  }

  std::string kind;
};
} // namespace

/// The nodes `loc` names (NameLoc: the importer's node names), " at node
/// 'a'", " at node #3" (unnamed) or " at nodes 'a', 'b'"; empty when it
/// names none.
static std::string describeNodes(Location loc) {
  llvm::SmallVector<std::string> names;
  loc->walk([&](Location inner) {
    if (auto name = dyn_cast<NameLoc>(inner))
      if (!llvm::is_contained(names, name.getName().str()))
        names.push_back(name.getName().str());
    return WalkResult::advance();
  });
  if (names.empty())
    return "";
  std::string text = names.size() == 1 ? " at node " : " at nodes ";
  // Unnamed nodes are "#<index>".
  for (auto [i, name] : llvm::enumerate(names))
    text += (i ? ", " : "") +
            (llvm::StringRef(name).starts_with("#") ? name : "'" + name + "'");
  return text;
}

/// Passes `diagnostics` on as an internal error in `where` ("stage
/// 'vector' (pass x)"): the first error gets the prefix, the node it is
/// located at and a note asking for a bug report; the others are passed on
/// unchanged. Without an error, one is made at `fallback`.
static void reportInternalError(MLIRContext *context,
                                std::vector<Diagnostic> diagnostics,
                                llvm::StringRef where, Location fallback,
                                llvm::StringRef reproduce) {
  auto bugNote = [&](InFlightDiagnostic &diag, Location loc) {
    Diagnostic &note = diag.attachNote(loc);
    note << "this is a bug in optc, not in the model: please report it with "
            "the model";
    if (!reproduce.empty())
      note << " (" << reproduce << ")";
  };
  bool reported = false;
  for (Diagnostic &diagnostic : diagnostics) {
    if (reported || diagnostic.getSeverity() != DiagnosticSeverity::Error) {
      context->getDiagEngine().emit(std::move(diagnostic));
      continue;
    }
    reported = true;
    Location loc = diagnostic.getLocation();
    InFlightDiagnostic diag = emitError(loc)
                              << "internal error in " << where
                              << describeNodes(loc) << ": " << diagnostic.str();
    for (Diagnostic &note : diagnostic.getNotes())
      diag.attachNote(note.getLocation()) << note.str();
    bugNote(diag, loc);
  }
  if (!reported) {
    InFlightDiagnostic diag = emitError(fallback)
                              << "internal error in " << where
                              << ": it failed without reporting an error";
    bugNote(diag, fallback);
  }
}

/// Passes diagnostics on unchanged.
static void emitAll(MLIRContext *context, std::vector<Diagnostic> diagnostics) {
  for (Diagnostic &diagnostic : diagnostics)
    context->getDiagEngine().emit(std::move(diagnostic));
}

/// Whether `op` verifies, without reporting why not.
static bool verifiesQuietly(Operation *op) {
  ScopedDiagnosticHandler quiet(op->getContext(),
                                [](Diagnostic &) { return success(); });
  return succeeded(verify(op));
}

LogicalResult optc::runCPUPipeline(ModuleOp module,
                                   const CPUPipelineOptions &options,
                                   Stage from, Stage until,
                                   const PipelineRunOptions &run) {
  MLIRContext *context = module.getContext();
  for (unsigned s = static_cast<unsigned>(from) + 1;
       s <= static_cast<unsigned>(until); ++s) {
    Stage stage = static_cast<Stage>(s);
    Stage previous = static_cast<Stage>(s - 1);
    PassManager pm(context);
    if (failed(applyPassManagerCLOptions(pm)))
      return failure();
    pm.enableVerifier(run.verifyEachPass);
    buildCPUPipeline(pm, options, previous, stage);
    if (run.injectStage == stage)
      pm.addPass(std::make_unique<InjectFailurePass>(run.injectKind));
    FailedPassRecorder::Failure failedPass;
    pm.addInstrumentation(std::make_unique<FailedPassRecorder>(failedPass));
    // Timing goes last, so that it times the passes and nothing else.
    std::string timerName = ("stage '" + stageName(stage) + "'").str();
    TimingScope stageTimer;
    if (run.timing) {
      stageTimer = run.timing->nest(llvm::StringRef(timerName));
      pm.enableTiming(stageTimer);
    }

    DiagnosticBuffer buffer(context);
    bool passed = succeeded(pm.run(module));
    // Without verification after every pass, once after the stage.
    bool verified = !passed || run.verifyEachPass || succeeded(verify(module));
    std::vector<Diagnostic> diagnostics = buffer.take();
    if (passed && verified) {
      emitAll(context, std::move(diagnostics));
      continue;
    }

    // A failure. optc's passes up to the linalg stage refuse what a model
    // asks for that optc cannot compile, with an error, leaving valid IR:
    // those errors are the model's. Everything else is optc's bug.
    bool hasError = llvm::any_of(diagnostics, [](const Diagnostic &d) {
      return d.getSeverity() == DiagnosticSeverity::Error;
    });
    if (passed || !hasError || stage > Stage::Linalg || !failedPass.optcPass ||
        !verifiesQuietly(module)) {
      std::string where = ("stage '" + stageName(stage) + "'").str();
      if (!verified)
        where += " (the IR it produced fails verification)";
      else if (!failedPass.pass.empty())
        where +=
            " (pass " + failedPass.pass +
            (failedPass.function.empty() ? "" : " on @" + failedPass.function) +
            ")";
      std::string reproduce = ("--emit-after=" + stageName(previous) +
                               " writes the IR the stage starts from")
                                  .str();
      reportInternalError(context, std::move(diagnostics), where,
                          module.getLoc(), reproduce);
      return failure();
    }
    emitAll(context, std::move(diagnostics));
    return failure();
  }
  return success();
}

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
    if (!module)
      return nullptr;
    // The importer builds valid IR; when it does not, that is its bug.
    DiagnosticBuffer buffer(&context);
    bool valid = succeeded(verify(*module));
    std::vector<Diagnostic> diagnostics = buffer.take();
    if (!valid) {
      reportInternalError(&context, std::move(diagnostics),
                          "stage 'import' (the ONNX importer)",
                          (*module)->getLoc(), "");
      return nullptr;
    }
    emitAll(&context, std::move(diagnostics));
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
/// header beside it. Both appear only when everything succeeded. Each step
/// is timed under `timing`.
static LogicalResult writeLibrary(llvm::Module &llvmModule, ModuleOp module,
                                  const CPUTarget &target, unsigned optLevel,
                                  llvm::StringRef outputPath,
                                  llvm::StringRef name,
                                  llvm::StringRef runtimeArchive, Location loc,
                                  TimingScope &timing) {
  TimingScope headerTimer = timing.nest("header");
  FailureOr<std::string> header = generateModelHeader(module, name);
  if (failed(header))
    return failure();
  headerTimer.stop();
  llvm::SmallString<128> object;
  if (std::error_code ec =
          llvm::sys::fs::createTemporaryFile("optc-model", "o", object))
    return emitError(loc) << "cannot create a temporary file: " << ec.message();
  llvm::scope_exit removeObject([&] { llvm::sys::fs::remove(object); });
  {
    TimingScope objectTimer = timing.nest("object code (LLVM code generation)");
    if (failed(emitObjectFile(llvmModule, target, optLevel, object, loc)))
      return failure();
  }
  // Link next to the output, then rename: no half-written library.
  llvm::SmallString<256> partial(outputPath);
  partial += ".partial";
  TimingScope linkTimer = timing.nest("link");
  if (failed(linkSharedLibrary(object, partial, loc, runtimeArchive))) {
    llvm::sys::fs::remove(partial);
    return failure();
  }
  linkTimer.stop();
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
  if (!options.quantize.empty())
    if (llvm::Expected<formats::Policy> policy =
            formats::policyByName(options.quantize);
        !policy)
      return emitError(cli) << "--quantize=" << options.quantize << ": "
                            << llvm::toString(policy.takeError());
  if (options.quantize.empty() &&
      (options.quantizeReport || options.quantizeKeepEnds ||
       options.quantizeRotate || !options.quantizeExclude.empty()))
    return emitError(cli) << "--quantize-report, --quantize-exclude, "
                             "--quantize-keep-ends and --quantize-rotate go "
                             "with --quantize=POLICY";
  if (std::string why; !options.quantizeExclude.empty() &&
                       !llvm::Regex(options.quantizeExclude).isValid(why))
    return emitError(cli) << "--quantize-exclude=" << options.quantizeExclude
                          << " is not a regular expression: " << why;
  if (!isCIdentifier(name))
    return emitError(cli) << "--name=" << name
                          << " is not a C identifier (letters, digits and _, "
                             "not starting with a digit)";

  PipelineRunOptions run;
  run.verifyEachPass = options.verifyEachPass;
  if (!options.injectStage.empty()) {
    run.injectStage = parseStage(options.injectStage);
    run.injectKind = options.injectKind;
    if (!run.injectStage || run.injectStage == Stage::Import ||
        (run.injectKind != "invalid-ir" && run.injectKind != "silent-fail"))
      return emitError(cli) << "--debug-inject-failure=" << options.injectStage
                            << ":" << options.injectKind
                            << " is not <stage>:invalid-ir or "
                               "<stage>:silent-fail with a stage after import";
  }

  // Timing (--time-passes, --mlir-timing): the report goes to stderr when
  // the manager is destroyed, after the root timer has stopped.
  DefaultTimingManager timingManager;
  applyDefaultTimingManagerCLOptions(timingManager);
  if (options.timePasses) {
    timingManager.setEnabled(true);
    if (options.timingDisplay == "list")
      timingManager.setDisplayMode(DefaultTimingManager::DisplayMode::List);
    else if (options.timingDisplay == "tree")
      timingManager.setDisplayMode(DefaultTimingManager::DisplayMode::Tree);
  }
  TimingScope timing = timingManager.getRootScope();
  if (timingManager.isEnabled())
    run.timing = &timing;

  TimingScope importTimer = timing.nest("import");
  OwningOpRef<ModuleOp> module =
      loadModule(options.inputPath, context, options.import);
  if (!module)
    return failure();
  importTimer.stop();

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
    pipeline.quantize = options.quantize;
    pipeline.quantizeReport = options.quantizeReport;
    pipeline.quantizeExclude = options.quantizeExclude;
    pipeline.quantizeKeepEnds = options.quantizeKeepEnds;
    pipeline.quantizeRotate = options.quantizeRotate;
    pipeline.vectorizeRemarks = options.vectorizeRemarks;
    llvm::SmallString<256> weightsPath(options.outputPath);
    llvm::sys::path::replace_extension(weightsPath, ".weights");
    pipeline.weightsFile = llvm::sys::path::filename(weightsPath).str();
    if (failed(runCPUPipeline(*module, pipeline, Stage::Import, until, run)))
      return failure();
    if (emit != "mlir") {
      // The side file of weights, beside the output; gone again if the
      // rest fails.
      bool external = hasExternalWeights(*module);
      llvm::scope_exit removeWeights([&] {
        if (external)
          llvm::sys::fs::remove(weightsPath);
      });
      TimingScope weightsTimer = timing.nest("weights file");
      if (external && failed(writeWeightsFile(*module, weightsPath)))
        return failure();
      weightsTimer.stop();
      llvm::LLVMContext llvmContext;
      TimingScope translateTimer =
          timing.nest("LLVM IR (translation and LLVM optimisation)");
      // The LLVM dialect the pipeline made that does not translate is
      // optc's bug too.
      DiagnosticBuffer buffer(&context);
      std::unique_ptr<llvm::Module> llvmModule =
          translateToLLVMIR(*module, llvmContext, *target, options.optLevel);
      std::vector<Diagnostic> diagnostics = buffer.take();
      if (!llvmModule) {
        reportInternalError(&context, std::move(diagnostics),
                            "the translation to LLVM IR", module->getLoc(),
                            "--emit-after=llvm writes the IR it starts from");
        return failure();
      }
      emitAll(&context, std::move(diagnostics));
      translateTimer.stop();
      LogicalResult written = success();
      if (emit == "llvm") {
        TimingScope outputTimer = timing.nest("output");
        written =
            writeText(options.outputPath, context, [&](llvm::raw_ostream &os) {
              llvmModule->print(os, nullptr);
            });
      } else if (emit == "obj") {
        TimingScope objectTimer =
            timing.nest("object code (LLVM code generation)");
        written = emitObjectFile(*llvmModule, *target, options.optLevel,
                                 options.outputPath, module->getLoc());
      } else {
        written = writeLibrary(*llvmModule, *module, *target, options.optLevel,
                               options.outputPath, name, options.runtimeArchive,
                               module->getLoc(), timing);
      }
      if (succeeded(written))
        removeWeights.release();
      return written;
    }
  }
  TimingScope outputTimer = timing.nest("output");
  return writeText(options.outputPath, context, [&](llvm::raw_ostream &os) {
    module->print(os);
    os << "\n";
  });
}
