//===- Driver.cpp - the optc compiler driver ------------------------------===//
//
// Reads the input, checks it and writes the requested stage. Failures are
// diagnostics; the output file is kept only when the run succeeded, so a
// failed run never leaves a partial output behind.
//
//===----------------------------------------------------------------------===//

#include "optc/Driver.h"

#include "dialects/Optc/IR/OptcDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
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

LogicalResult optc::runDriver(const DriverOptions &options,
                              MLIRContext &context) {
  if (options.emit != "mlir") {
    emitError(UnknownLoc::get(&context))
        << "--emit=" << options.emit
        << " is not available yet: only --emit=mlir is implemented";
    return failure();
  }
  if (options.opStats)
    return printOpStats(options, context);
  OwningOpRef<ModuleOp> module =
      loadModule(options.inputPath, context, options.import);
  if (!module)
    return failure();
  std::string error;
  std::unique_ptr<llvm::ToolOutputFile> output =
      openOutputFile(options.outputPath, &error);
  if (!output) {
    emitError(UnknownLoc::get(&context))
        << "cannot open output '" << options.outputPath << "': " << error;
    return failure();
  }
  module->print(output->os());
  output->os() << "\n";
  output->os().flush();
  if (output->os().has_error()) {
    emitError(UnknownLoc::get(&context))
        << "cannot write output '" << options.outputPath
        << "': " << output->os().error().message();
    output->os().clear_error();
    return failure();
  }
  output->keep();
  return success();
}
