//===- optc.cpp - the optc compiler command -------------------------------===//
//
// `optc INPUT [-o OUTPUT] [--emit=STAGE]`: the user's entry point. It only
// parses flags; the work is done by the driver library (optc/Driver.h),
// which the Python API shares.
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
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM init(argc, argv);
  static cl::OptionCategory category("optc options");
  static cl::opt<std::string> input(cl::Positional, cl::Required,
                                    cl::desc("<model.onnx or input.mlir>"),
                                    cl::cat(category));
  static cl::opt<std::string> output(
      "o", cl::desc("Output file ('-' for stdout)"), cl::value_desc("file"),
      cl::init("-"), cl::cat(category));
  static cl::opt<std::string> emit(
      "emit",
      cl::desc("What to write: mlir, llvm (LLVM IR), obj (object file) or "
               "lib (shared library and header). Default: from -o's "
               "extension (.so, .o, .ll; else mlir)"),
      cl::value_desc("kind"), cl::init(""), cl::cat(category));
  static cl::opt<std::string> emitAfter(
      "emit-after",
      cl::desc("Write the MLIR after this stage: import, graph, fusion, "
               "linalg, vector, bufferized, llvm"),
      cl::value_desc("stage"), cl::init(""), cl::cat(category));
  static cl::opt<std::string> target("target",
                                     cl::desc("Device to compile for: cpu"),
                                     cl::init("cpu"), cl::cat(category));
  static cl::opt<std::string> targetCPU(
      "target-cpu",
      cl::desc("CPU to compile for (LLVM names: skylake-avx512, znver4, ...); "
               "default: this machine's"),
      cl::value_desc("name"), cl::init(""), cl::cat(category));
  static cl::opt<std::string> targetTriple(
      "target-triple", cl::desc("Target triple; default: this machine's"),
      cl::value_desc("triple"), cl::init(""), cl::cat(category));
  static cl::opt<unsigned> optLevel(
      "O", cl::desc("Optimisation level 0 to 3 (default 2)"), cl::Prefix,
      cl::init(2), cl::cat(category));
  static cl::opt<std::string> modelName(
      "name",
      cl::desc("Model name, prefix of the exported loader <name>_load; "
               "default: the output file's stem"),
      cl::value_desc("identifier"), cl::init(""), cl::cat(category));
  static cl::list<std::string> inputShapes(
      "input-shape",
      cl::desc("Set the shape of a model input, e.g. input=1x3x224x224 "
               "(? keeps a dimension; repeatable)"),
      cl::value_desc("name=dims"), cl::cat(category));
  static cl::opt<size_t> inlineConstantBytes(
      "inline-constant-bytes",
      cl::desc("Keep weights of up to this many bytes inline in the IR "
               "(dense<...>); larger ones become dense_resource blobs"),
      cl::value_desc("bytes"), cl::init(64), cl::cat(category));
  static cl::opt<bool> opStats(
      "op-stats",
      cl::desc("List the model's ops with their counts and whether optc "
               "supports each"),
      cl::cat(category));

  mlir::registerAsmPrinterCLOptions();
  mlir::registerMLIRContextCLOptions();
  mlir::registerPassManagerCLOptions();
  mlir::optc::registerAllPasses();
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

  mlir::optc::DriverOptions options;
  options.inputPath = input;
  options.outputPath = output;
  options.emit = emit;
  options.emitAfter = emitAfter;
  options.target = target;
  options.targetCPU = targetCPU;
  options.targetTriple = targetTriple;
  options.optLevel = optLevel;
  options.modelName = modelName;
  options.opStats = opStats;
  options.import.inlineConstantBytes = inlineConstantBytes;
  for (const std::string &spec : inputShapes) {
    std::string error = mlir::optc::parseInputShape(spec, options.import);
    if (!error.empty()) {
      llvm::errs() << "optc: error: " << error << "\n";
      return 1;
    }
  }
  return mlir::failed(mlir::optc::runDriver(options, context)) ? 1 : 0;
}
