//===- Driver.h - the optc compiler driver ----------------------*- C++ -*-===//
//
// The driver behind the `optc` command and (later) the Python API: it reads
// an input model, runs the pipeline up to the requested stage and writes
// the result. Every failure is reported as a diagnostic, never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DRIVER_H
#define OPTC_DRIVER_H

#include "optc/ImportONNX.h"
#include "optc/Pipelines.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/StringRef.h"

#include <string>
#include <vector>

namespace mlir::optc {

/// What kind of file an input is, judged by its name and first bytes.
enum class InputKind { MLIRText, MLIRBytecode, ONNX, Unknown };

/// Classifies `path` from its extension, falling back to its contents.
InputKind classifyInput(llvm::StringRef path, llvm::StringRef contents);

/// Reads `path` ("-" for stdin), an optc IR file or an ONNX model, into a
/// verified module of `context`. On failure the reason has been emitted as
/// a diagnostic and the result is null.
mlir::OwningOpRef<mlir::ModuleOp> loadModule(llvm::StringRef path,
                                             mlir::MLIRContext &context,
                                             const ImportOptions &import = {});

/// Parses an `--input-value` value `name=file` (.npy or an ONNX TensorProto
/// .pb) into `options`, reading the file; returns an error message or "".
std::string parseInputValue(llvm::StringRef spec, ImportOptions &options);

/// Options of one driver run; the command-line flags map one to one here.
struct DriverOptions {
  std::string inputPath;
  std::string outputPath = "-";
  /// What to write: "mlir", "llvm" (LLVM IR), "obj" or "lib" (model.so and
  /// model.h). Empty: judged from the output's extension (.so, .o, .ll;
  /// anything else is MLIR).
  std::string emit;
  /// With --emit=mlir, the stage after which to stop (optc/Pipelines.h);
  /// empty means "import".
  std::string emitAfter;
  /// The device to compile for; only "cpu" exists yet.
  std::string target = "cpu";
  /// Empty: this machine.
  std::string targetTriple, targetCPU;
  /// 0 to 3.
  unsigned optLevel = 2;
  /// The model's name, prefix of the exported loader; empty: the output
  /// file's stem made a C identifier.
  std::string modelName;
  /// Where weights go: "auto", "embed" or "file" (--weights), and the size
  /// from which "auto" puts them in a side file (--weights-limit).
  std::string weights = "auto";
  int64_t weightsLimit = 64 << 20;
  /// Cheaper, less accurate math functions (--fast-math).
  bool fastMath = false;
  /// Quantize the weights of matrix products with this scheme
  /// (--quantize=POLICY); empty: keep them as they are.
  std::string quantize;
  /// Print each quantized weight's SQNR (--quantize-report).
  bool quantizeReport = false;
  /// Weights kept in f32: names matching (--quantize-exclude), the first
  /// and last products (--quantize-keep-ends).
  std::string quantizeExclude;
  bool quantizeKeepEnds = false;
  /// Rotate weights and activations by Hadamard blocks before quantizing
  /// (--quantize-rotate).
  bool quantizeRotate = false;
  /// Remarks where a kernel's schedule fell back to serial, untiled or
  /// scalar code (--vectorize-remarks).
  bool vectorizeRemarks = false;
  /// How ONNX models are imported (--input-shape, ...).
  ImportOptions import;
  /// Print the model's op statistics instead of compiling (--op-stats).
  bool opStats = false;
  /// The runtime archive linked into libraries; empty: $OPTC_RUNTIME_LIB,
  /// else ../lib beside the executable (the Python package passes its own).
  std::string runtimeArchive;
  /// Print how long the import, every stage and pass, and the steps after
  /// MLIR took, to stderr (--time-passes; --mlir-timing also enables it).
  bool timePasses = false;
  /// The timing report's layout with timePasses: "tree" (stages and their
  /// passes) or "list" (flat, slowest first); empty: --mlir-timing-display.
  std::string timingDisplay = "tree";
  /// Verify the IR after every pass (--verify-each); off, it is verified
  /// after every stage only.
  bool verifyEachPass = true;
  /// Testing the internal-error path (--debug-inject-failure): a pass
  /// added at the end of stage `injectStage` breaks the IR ("invalid-ir")
  /// or fails without a message ("silent-fail").
  std::string injectStage, injectKind;
};

/// How runCPUPipeline runs.
struct PipelineRunOptions {
  /// Verify after every pass (MLIR's default), else after every stage.
  bool verifyEachPass = true;
  /// Where the stages' and passes' timers nest; null: not timed.
  mlir::TimingScope *timing = nullptr;
  /// See DriverOptions::injectStage.
  std::optional<Stage> injectStage;
  std::string injectKind;
};

/// Runs the CPU pipeline on `module` from the end of stage `from` to the
/// end of stage `until`, one pass manager per stage. A failure that is a
/// bug in optc rather than a problem of the model is reported as one
/// "internal error" naming the stage, the pass, the node (from the op's
/// location) and the op, with a note asking for a bug report: IR that
/// fails verification after a pass, a pass failing without an error, an
/// upstream pass failing, and any failure after the linalg stage (a model
/// the linalg stage accepted must compile). The errors optc's own passes
/// report up to the linalg stage (an op without a lowering, sizes unknown
/// at compile time) are the model's and are reported unchanged.
mlir::LogicalResult runCPUPipeline(mlir::ModuleOp module,
                                   const CPUPipelineOptions &options,
                                   Stage from, Stage until,
                                   const PipelineRunOptions &run = {});

/// Options of `optc run`.
struct RunOptions {
  /// A compiled model.so, or a model (.onnx, .mlir) to compile first.
  std::string modelPath;
  /// "name=file" or "file" (the next input not named), .npy or .pb.
  std::vector<std::string> inputs;
  /// Where outputs are written as <name>.npy; empty: not written.
  std::string outputDir;
  /// Runs to time; with more than one, a first run warms up.
  unsigned repeat = 1;
  /// The side file of weights; empty: beside the library.
  std::string weightsPath;
  /// How a model that is not a library is compiled.
  DriverOptions compile;
};

/// `optc run`: loads (or compiles, then loads) a model, runs it on the
/// inputs, prints a summary and the latency and writes the outputs. Errors
/// are diagnostics; outputs are written only after a successful run.
mlir::LogicalResult runModel(const RunOptions &options,
                             mlir::MLIRContext &context);

/// Runs the driver; returns failure after emitting diagnostics. The output
/// file is only written when everything succeeded.
mlir::LogicalResult runDriver(const DriverOptions &options,
                              mlir::MLIRContext &context);

} // namespace mlir::optc

#endif // OPTC_DRIVER_H
