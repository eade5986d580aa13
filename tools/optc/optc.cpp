//===- optc.cpp - the optc compiler command -------------------------------===//
//
// `optc INPUT [-o OUTPUT] [--emit=KIND] ...` compiles; `optc run MODEL
// --input name=file ...` runs a compiled (or compiles, then runs) model.
// This file only parses flags; the work is done by the driver library
// (optc/Driver.h), which the Python API shares.
//
//===----------------------------------------------------------------------===//

#include "optc/Driver.h"
#include "optc/InitAll.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/Timing.h"
#include "llvm/Pass.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

static cl::OptionCategory category("optc options");
static cl::SubCommand
    runCommand("run",
               "Run a compiled model.so (or compile a model, then run it)");

// Flags of both commands: how a model is compiled.
static cl::list<std::string> inputShapes(
    "input-shape",
    cl::desc("Set the shape of a model input, e.g. input=1x3x224x224 "
             "(? keeps a dimension; repeatable)"),
    cl::value_desc("name=dims"), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));
static cl::list<std::string> inputValues(
    "input-value",
    cl::desc("Fix a model input to a value (.npy or .pb): it becomes a "
             "constant, no longer an input; for inputs that decide shapes, "
             "such as a Reshape's shape or a Resize's sizes (repeatable)"),
    cl::value_desc("name=file"), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));
static cl::list<std::string> initializerInputs(
    "initializer-input",
    cl::desc("Make a graph input that has an initializer (IR version 4 and "
             "newer) an input the caller passes, instead of a constant with "
             "the initializer's value; * for all of them (repeatable)"),
    cl::value_desc("name"), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));
static cl::opt<std::string> target("target",
                                   cl::desc("Device to compile for: cpu"),
                                   cl::init("cpu"), cl::cat(category),
                                   cl::sub(cl::SubCommand::getTopLevel()),
                                   cl::sub(runCommand));
static cl::opt<std::string> targetCPU(
    "target-cpu",
    cl::desc("CPU to compile for (LLVM names: skylake-avx512, znver4, ...); "
             "default: this machine's"),
    cl::value_desc("name"), cl::init(""), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));
static cl::opt<std::string>
    targetTriple("target-triple",
                 cl::desc("Target triple; default: this machine's"),
                 cl::value_desc("triple"), cl::init(""), cl::cat(category),
                 cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));
static cl::opt<unsigned> optLevel("O",
                                  cl::desc("Optimisation level 0 to 3 "
                                           "(default 2)"),
                                  cl::Prefix, cl::init(2), cl::cat(category),
                                  cl::sub(cl::SubCommand::getTopLevel()),
                                  cl::sub(runCommand));
static cl::opt<size_t> inlineConstantBytes(
    "inline-constant-bytes",
    cl::desc("Keep weights of up to this many bytes inline in the IR "
             "(dense<...>); larger ones become dense_resource blobs"),
    cl::value_desc("bytes"), cl::init(64), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));

static cl::opt<std::string> weightsMode(
    "weights",
    cl::desc("Where weights go: auto (a side file <output>.weights from "
             "--weights-limit bytes on), embed (in the library) or file"),
    cl::value_desc("auto|embed|file"), cl::init("auto"), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));
static cl::opt<int64_t> weightsLimit(
    "weights-limit",
    cl::desc("Total weight bytes from which --weights=auto uses a side file "
             "(default 64 MiB)"),
    cl::value_desc("bytes"), cl::init(64 << 20), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));

static cl::opt<bool> fastMath(
    "fast-math",
    cl::desc("Compute math functions with cheaper approximations that are "
             "accurate only near the origin (docs/accuracy.md gives their "
             "errors); the default is accurate over the whole domain"),
    cl::init(false), cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()),
    cl::sub(runCommand));

static cl::opt<std::string> quantizePolicy(
    "quantize",
    cl::desc("Quantize the constant weights of matrix products at compile "
             "time with this scheme: int<N>[-g<G>][-asym], uint<N>[-g<G>], "
             "mxfp4, mxfp6, mxfp8, mxint8, nvfp4, bfp<M>-b<B>, bfp12, bfp16; "
             "-a8 after a 4-bit integer scheme lets the products quantize "
             "their activations to int8 (docs/low-precision.md)"),
    cl::value_desc("policy"), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));

static cl::opt<bool> quantizeReport(
    "quantize-report",
    cl::desc("With --quantize: print each quantized weight's "
             "signal-to-quantization-noise ratio (dB) to stderr"),
    cl::init(false), cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()),
    cl::sub(runCommand));

static cl::opt<std::string> quantizeExclude(
    "quantize-exclude",
    cl::desc("With --quantize: weights whose name (the initializer's) "
             "matches this regular expression stay f32"),
    cl::value_desc("regex"), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()), cl::sub(runCommand));

static cl::opt<bool> quantizeKeepEnds(
    "quantize-keep-ends",
    cl::desc("With --quantize: the model's first and last matrix products "
             "stay f32"),
    cl::init(false), cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()),
    cl::sub(runCommand));

static cl::opt<bool> quantizeRotate(
    "quantize-rotate",
    cl::desc("With --quantize: rotate each weight and its activations by "
             "Hadamard blocks along K before quantizing (outlier smoothing)"),
    cl::init(false), cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()),
    cl::sub(runCommand));

static cl::opt<bool> verifyEach(
    "verify-each",
    cl::desc("Verify the IR after every pass (default on; =false verifies "
             "after every stage only)"),
    cl::init(true), cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()),
    cl::sub(runCommand));
// Testing how internal errors are reported: a pass at the end of a stage
// breaks the IR or fails.
static cl::opt<std::string> injectFailure(
    "debug-inject-failure",
    cl::desc("Testing: at the end of STAGE, make IR the verifier rejects "
             "(invalid-ir) or fail without a message (silent-fail)"),
    cl::value_desc("stage:invalid-ir|silent-fail"), cl::init(""), cl::Hidden,
    cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()),
    cl::sub(runCommand));

static cl::opt<bool> vectorizeRemarks(
    "vectorize-remarks",
    cl::desc("Report every operation whose CPU schedule could not be applied "
             "in full (it runs serially, untiled or as scalar code)"),
    cl::init(false), cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()),
    cl::sub(runCommand));

// Compiling.
static cl::opt<std::string> input(cl::Positional,
                                  cl::desc("<model.onnx or input.mlir>"),
                                  cl::cat(category),
                                  cl::sub(cl::SubCommand::getTopLevel()));
static cl::opt<std::string> output("o",
                                   cl::desc("Output file ('-' for stdout)"),
                                   cl::value_desc("file"), cl::init("-"),
                                   cl::cat(category),
                                   cl::sub(cl::SubCommand::getTopLevel()));
static cl::opt<std::string> emit(
    "emit",
    cl::desc("What to write: mlir, llvm (LLVM IR), obj (object file) or lib "
             "(shared library and header). Default: from -o's extension "
             "(.so, .o, .ll; else mlir)"),
    cl::value_desc("kind"), cl::init(""), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()));
static cl::opt<std::string> emitAfter(
    "emit-after",
    cl::desc("Write the MLIR after this stage: import, graph, fusion, "
             "linalg, vector, bufferized, llvm"),
    cl::value_desc("stage"), cl::init(""), cl::cat(category),
    cl::sub(cl::SubCommand::getTopLevel()));
static cl::opt<std::string>
    modelName("name",
              cl::desc("Model name, prefix of the exported loader <name>_load; "
                       "default: the output file's stem"),
              cl::value_desc("identifier"), cl::init(""), cl::cat(category),
              cl::sub(cl::SubCommand::getTopLevel()));
static cl::opt<bool>
    opStats("op-stats",
            cl::desc("List the model's ops with their counts and whether optc "
                     "supports each"),
            cl::cat(category), cl::sub(cl::SubCommand::getTopLevel()));

// Running.
static cl::opt<std::string> runModelPath(cl::Positional, cl::Required,
                                         cl::desc("<model.so or model.onnx>"),
                                         cl::cat(category),
                                         cl::sub(runCommand));
static cl::list<std::string> runInputs(
    "input",
    cl::desc("An input: name=file or file (.npy or ONNX TensorProto .pb); "
             "repeatable"),
    cl::value_desc("name=file"), cl::cat(category), cl::sub(runCommand));
static cl::opt<std::string>
    outputDir("output-dir", cl::desc("Write every output as DIR/<name>.npy"),
              cl::value_desc("dir"), cl::init(""), cl::cat(category),
              cl::sub(runCommand));
static cl::opt<unsigned>
    repeat("repeat",
           cl::desc("Run this many times after a warm-up run and report the "
                    "median latency"),
           cl::init(1), cl::cat(category), cl::sub(runCommand));
static cl::opt<std::string> weightsFile(
    "weights-file",
    cl::desc("The model's side file of weights (default: the one beside the "
             "library)"),
    cl::value_desc("file"), cl::init(""), cl::cat(category),
    cl::sub(runCommand));

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  // --mlir-timing, --mlir-timing-display=list|tree, --mlir-output-format.
  mlir::registerDefaultTimingManagerCLOptions();
  mlir::optc::registerAllPasses();
  // --time-passes is LLVM's flag (llvm::TimePassesIsEnabled); optc reads it
  // and prints MLIR's timing report of the whole compile instead of
  // LLVM's report of its own passes.
  auto &registered = cl::getRegisteredOptions();
  if (cl::Option *timePasses = registered.lookup("time-passes")) {
    timePasses->setDescription(
        "Print the time the import, every stage and pass, LLVM's "
        "optimisation and code generation and the link took, to stderr "
        "(a tree; --mlir-timing-display=list for a flat list)");
    timePasses->addCategory(category);
    timePasses->setHiddenFlag(cl::NotHidden);
  }
  // LLVM's and MLIR's own flags stay usable (--help-hidden lists them) but
  // do not crowd the help of the compiler's flags.
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(argc, argv,
                              "optc: ahead-of-time compiler for neural "
                              "networks\n");

  mlir::DialectRegistry registry;
  mlir::optc::registerAllDialects(registry);
  mlir::MLIRContext context(registry);

  // Diagnostics go to stderr with their source lines.
  llvm::SourceMgr sourceMgr;
  mlir::SourceMgrDiagnosticHandler handler(sourceMgr, &context);
  // Diagnostics about the command line itself (located at a name, "optc"
  // or "optc run") read like any tool's: "optc: error: ...".
  mlir::ScopedDiagnosticHandler commandLine(
      &context, [](mlir::Diagnostic &diag) -> mlir::LogicalResult {
        auto name = llvm::dyn_cast<mlir::NameLoc>(diag.getLocation());
        if (!name || !llvm::isa<mlir::UnknownLoc>(name.getChildLoc()))
          return mlir::failure();
        const char *severity =
            diag.getSeverity() == mlir::DiagnosticSeverity::Error ? "error"
            : diag.getSeverity() == mlir::DiagnosticSeverity::Warning
                ? "warning"
                : "note";
        llvm::errs() << name.getName().getValue() << ": " << severity << ": "
                     << diag << "\n";
        return mlir::success();
      });

  mlir::optc::DriverOptions options;
  options.emit = emit;
  options.emitAfter = emitAfter;
  options.target = target;
  options.targetCPU = targetCPU;
  options.targetTriple = targetTriple;
  options.optLevel = optLevel;
  options.modelName = modelName;
  options.weights = weightsMode;
  options.weightsLimit = weightsLimit;
  options.fastMath = fastMath;
  options.quantize = quantizePolicy;
  options.quantizeReport = quantizeReport;
  options.quantizeExclude = quantizeExclude;
  options.quantizeKeepEnds = quantizeKeepEnds;
  options.quantizeRotate = quantizeRotate;
  options.vectorizeRemarks = vectorizeRemarks;
  options.opStats = opStats;
  options.verifyEachPass = verifyEach;
  options.timePasses = llvm::TimePassesIsEnabled;
  llvm::TimePassesIsEnabled = false;
  if (cl::Option *display = registered.lookup("mlir-timing-display"))
    if (display->getNumOccurrences())
      options.timingDisplay.clear();
  if (!injectFailure.empty()) {
    auto [stage, kind] = llvm::StringRef(injectFailure).split(':');
    options.injectStage = stage.str();
    options.injectKind = kind.str();
  }
  options.import.inlineConstantBytes = inlineConstantBytes;
  for (const std::string &spec : inputShapes) {
    std::string error = mlir::optc::parseInputShape(spec, options.import);
    if (!error.empty()) {
      llvm::errs() << "optc: error: " << error << "\n";
      return 1;
    }
  }

  options.import.initializerInputs.assign(initializerInputs.begin(),
                                          initializerInputs.end());
  for (const std::string &spec : inputValues) {
    std::string error = mlir::optc::parseInputValue(spec, options.import);
    if (!error.empty()) {
      llvm::errs() << "optc: error: " << error << "\n";
      return 1;
    }
  }

  if (runCommand) {
    mlir::optc::RunOptions run;
    run.modelPath = runModelPath;
    run.inputs.assign(runInputs.begin(), runInputs.end());
    run.outputDir = outputDir;
    run.repeat = repeat;
    run.weightsPath = weightsFile;
    run.compile = options;
    return mlir::failed(mlir::optc::runModel(run, context)) ? 1 : 0;
  }
  if (input.empty()) {
    llvm::errs() << "optc: error: no input model; usage: optc MODEL [-o "
                    "OUTPUT] or optc run MODEL --input name=FILE (see "
                    "--help)\n";
    return 1;
  }
  options.inputPath = input;
  options.outputPath = output;
  return mlir::failed(mlir::optc::runDriver(options, context)) ? 1 : 0;
}
