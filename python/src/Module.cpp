//===- Module.cpp - the optc Python extension: modules and lowering -------===//
//
// The `optc._optc` extension (nanobind) over the same C++ driver the `optc`
// command uses: importing ONNX models into modules, lowering them stage by
// stage (the stages of --emit-after), running optc-opt-style pipelines,
// printing. Every module owns its MLIRContext, so modules are independent
// and may be used from several Python threads at once (one thread per
// module at a time). The GIL is released while the compiler works.
// Compiler diagnostics become optc.CompileError, carrying the messages
// with their locations.
//
//===----------------------------------------------------------------------===//

#include "lib/Target/CPU/ObjectCode.h"
#include "optc/Driver.h"
#include "optc/ImportONNX.h"
#include "optc/InitAll.h"
#include "optc/Pipelines.h"
#include "optc/runtime.h"
#include "optc/runtime_support.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "llvm/Support/raw_ostream.h"

#include <nanobind/nanobind.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/vector.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nb = nanobind;
using namespace mlir;
using namespace mlir::optc;

namespace {

/// Raised for compiler errors; its message holds every diagnostic with its
/// location, one per line.
nb::object compileError;

/// Collects the diagnostics of `context` while alive.
class Diagnostics {
public:
  explicit Diagnostics(MLIRContext &context)
      : handler(&context, [this](Diagnostic &diagnostic) {
          std::string line;
          llvm::raw_string_ostream os(line);
          os << diagnostic.getLocation() << ": ";
          switch (diagnostic.getSeverity()) {
          case DiagnosticSeverity::Error:
            os << "error: ";
            break;
          case DiagnosticSeverity::Warning:
            os << "warning: ";
            break;
          default:
            os << "note: ";
            break;
          }
          os << diagnostic;
          for (const Diagnostic &note : diagnostic.getNotes())
            os << "\n  " << note.getLocation() << ": note: " << note;
          if (!text.empty())
            text += "\n";
          text += line;
          return success();
        }) {}

  /// Raises optc.CompileError with what was collected (or `fallback`).
  [[noreturn]] void raise(const std::string &fallback) const {
    std::string message = text.empty() ? fallback : text;
    PyErr_SetString(compileError.ptr(), message.c_str());
    throw nb::python_error();
  }

private:
  std::string text;
  ScopedDiagnosticHandler handler;
};

/// Dialects and passes registered once per process.
const DialectRegistry &registry() {
  static DialectRegistry *instance = [] {
    auto *registry = new DialectRegistry;
    registerAllDialects(*registry);
    registerAllPasses();
    registerPipelines();
    // The driver applies the pass manager's command-line options, which
    // must exist (with their defaults) even where nothing parses them.
    registerPassManagerCLOptions();
    return registry;
  }();
  return *instance;
}

/// An optc module and the context that owns it.
class Module {
public:
  Module() : context(std::make_unique<MLIRContext>(registry())) {
    context->loadAllAvailableDialects();
  }

  static Module
  importONNX(const nb::bytes &model, const std::string &name,
             const std::string &baseDir,
             const std::map<std::string, std::vector<int64_t>> &inputShapes) {
    std::string bytes(model.c_str(), model.size());
    Module module;
    ImportOptions options;
    for (const auto &[input, dims] : inputShapes)
      options.inputShapes[input] =
          llvm::SmallVector<int64_t>(dims.begin(), dims.end());
    Diagnostics diagnostics(*module.context);
    {
      nb::gil_scoped_release release;
      module.op =
          importONNXBytes(bytes, baseDir, name, *module.context, options);
    }
    if (!module.op)
      diagnostics.raise("optc: the model could not be imported");
    return module;
  }

  static Module parse(const std::string &text) {
    Module module;
    Diagnostics diagnostics(*module.context);
    {
      nb::gil_scoped_release release;
      module.op = parseSourceString<ModuleOp>(text, module.context.get());
    }
    if (!module.op)
      diagnostics.raise("optc: the text is not an MLIR module");
    return module;
  }

  /// Lowers in place to the end of stage `until` (a --emit-after name),
  /// from the stage reached so far.
  void lower(const std::string &until, const std::string &targetCPU,
             const std::string &targetTriple) {
    std::optional<Stage> stage = parseStage(until);
    if (!stage) {
      std::string names;
      for (llvm::StringRef name : stageNames())
        names += (names.empty() ? "" : ", ") + name.str();
      throw nb::value_error(
          ("'" + until + "' is not a stage; the stages are: " + names).c_str());
    }
    if (*stage < reached)
      throw nb::value_error(("the module is already lowered past '" + until +
                             "' (it is at '" + stageName(reached).str() + "')")
                                .c_str());
    if (*stage == reached)
      return;
    Diagnostics diagnostics(*context);
    bool ok;
    {
      nb::gil_scoped_release release;
      ok = [&] {
        FailureOr<CPUTarget> target =
            resolveCPUTarget(targetTriple, targetCPU, op->getLoc());
        if (failed(target))
          return false;
        CPUPipelineOptions options;
        options.target = *target;
        PassManager pm(context.get());
        buildCPUPipeline(pm, options, reached, *stage);
        return succeeded(pm.run(*op));
      }();
    }
    if (!ok)
      diagnostics.raise("optc: lowering to '" + until + "' failed");
    reached = *stage;
  }

  /// Runs an optc-opt-style pipeline on the module: "builtin.module(...)"
  /// or the list of passes inside it.
  void runPasses(const std::string &pipeline) {
    Diagnostics diagnostics(*context);
    std::string parseErrors;
    bool ok;
    {
      nb::gil_scoped_release release;
      // "builtin.module(a,b)" as optc-opt's --pass-pipeline takes it, or
      // the list "a,b" run on the module.
      llvm::StringRef text = llvm::StringRef(pipeline).trim();
      if (text.consume_front("builtin.module(") && text.consume_back(")"))
        text = text.trim();
      else
        text = llvm::StringRef(pipeline).trim();
      PassManager pm(context.get());
      llvm::raw_string_ostream errors(parseErrors);
      ok = succeeded(parsePassPipeline(text, pm, errors)) &&
           succeeded(pm.run(*op));
    }
    if (!ok)
      diagnostics.raise(parseErrors.empty()
                            ? "optc: the pipeline failed"
                            : "optc: bad pipeline: " + parseErrors);
  }

  std::string str() {
    std::string text;
    llvm::raw_string_ostream os(text);
    op->print(os);
    return text;
  }

  std::string stage() const { return stageName(reached).str(); }

private:
  std::unique_ptr<MLIRContext> context;
  OwningOpRef<ModuleOp> op;
  Stage reached = Stage::Import;
};

/// Compiles the model at `input` into the library `output` (and its
/// header, and a side file of weights when they go to one), as
/// `optc input -o output` with the given flags does.
void compileFile(const std::string &input, const std::string &output,
                 const std::string &target, unsigned optLevel,
                 const std::string &targetCPU, const std::string &targetTriple,
                 const std::string &name, const std::string &weights,
                 int64_t weightsLimit, bool fastMath,
                 const std::string &quantize, bool timePasses,
                 const std::map<std::string, std::vector<int64_t>> &inputShapes,
                 const std::vector<std::string> &inputValues,
                 const std::vector<std::string> &initializerInputs,
                 const std::string &runtimeArchive) {
  DriverOptions options;
  options.runtimeArchive = runtimeArchive;
  options.inputPath = input;
  options.outputPath = output;
  options.emit = "lib";
  options.target = target;
  options.optLevel = optLevel;
  options.targetCPU = targetCPU;
  options.targetTriple = targetTriple;
  options.modelName = name;
  options.weights = weights;
  options.weightsLimit = weightsLimit;
  options.fastMath = fastMath;
  options.quantize = quantize;
  options.timePasses = timePasses;
  for (const auto &[in, dims] : inputShapes)
    options.import.inputShapes[in] =
        llvm::SmallVector<int64_t>(dims.begin(), dims.end());
  options.import.initializerInputs = initializerInputs;
  for (const std::string &spec : inputValues) {
    std::string error = parseInputValue(spec, options.import);
    if (!error.empty()) {
      PyErr_SetString(compileError.ptr(), error.c_str());
      throw nb::python_error();
    }
  }
  MLIRContext context(registry());
  context.loadAllAvailableDialects();
  Diagnostics diagnostics(context);
  bool ok;
  {
    nb::gil_scoped_release release;
    ok = succeeded(runDriver(options, context));
  }
  if (!ok)
    diagnostics.raise("optc: compiling " + input + " failed");
}

/// Why the file at `path` cannot be a whole library for this machine (see
/// optc_check_library_file), or "" when it can: dlopen maps a truncated
/// file and raises SIGBUS.
std::string checkLibraryFile(const std::string &path) {
  optc_status *status = optc_check_library_file(path.c_str());
  if (!status)
    return "";
  std::string message = optc_status_get_message(status);
  optc_status_free(status);
  return message;
}

} // namespace

void bindFormats(nb::module_ &m); // Formats.cpp

NB_MODULE(_optc, m) {
  m.doc() = "optc's compiler: import, lower and print modules";
  compileError = nb::borrow(
      PyErr_NewExceptionWithDoc("optc.CompileError",
                                "A model or module the compiler rejects; the "
                                "message holds the diagnostics.",
                                PyExc_RuntimeError, nullptr));
  m.attr("CompileError") = compileError;
  m.attr("stages") = [] {
    std::vector<std::string> names;
    for (llvm::StringRef name : stageNames())
      names.push_back(name.str());
    return names;
  }();

  nb::class_<Module>(m, "Module",
                     "An optc module: a model at one stage of lowering.")
      .def("lower", &Module::lower, nb::arg("until"),
           nb::arg("target_cpu") = "", nb::arg("target_triple") = "",
           "Lowers the module in place to the end of a stage (the names of "
           "--emit-after).")
      .def("run_passes", &Module::runPasses, nb::arg("pipeline"),
           "Runs an optc-opt-style pass pipeline on the module.")
      .def_prop_ro("stage", &Module::stage,
                   "The stage the module has been lowered to.")
      .def("__str__", &Module::str);

  m.def("import_onnx", &Module::importONNX, nb::arg("model_bytes"),
        nb::arg("name"), nb::arg("base_dir"), nb::arg("input_shapes"),
        "Imports a serialized ONNX model.");
  m.def("check_library_file", &checkLibraryFile, nb::arg("path"),
        "Why a file cannot be a whole optc library for this machine, or an "
        "empty string.");
  m.def("parse", &Module::parse, nb::arg("text"),
        "Parses a module in MLIR text (optc IR).");
  m.def("compile_file", &compileFile, nb::arg("input"), nb::arg("output"),
        nb::arg("target"), nb::arg("opt_level"), nb::arg("target_cpu"),
        nb::arg("target_triple"), nb::arg("name"), nb::arg("weights"),
        nb::arg("weights_limit"), nb::arg("fast_math"), nb::arg("quantize"),
        nb::arg("time_passes"), nb::arg("input_shapes"),
        nb::arg("input_values"), nb::arg("initializer_inputs"),
        nb::arg("runtime_archive"),
        "Compiles a model file into a library and header (optc -o x.so).");
  bindFormats(m);
}
