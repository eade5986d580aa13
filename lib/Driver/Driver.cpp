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
                                       MLIRContext &context) {
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
  case InputKind::ONNX:
    emitError(fileLoc) << "this build of optc cannot import ONNX models yet: "
                          "the ONNX importer is not implemented; give an "
                          "optc IR file (.mlir) instead";
    return nullptr;
  case InputKind::Unknown:
    // stdin and files without a known extension are read as MLIR text; the
    // parser reports where they stop making sense.
    if (path != "-" && !llvm::sys::path::extension(path).empty()) {
      emitError(fileLoc) << "unrecognised input file type '"
                         << llvm::sys::path::extension(path)
                         << "': expected a .mlir or .mlirbc file";
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

LogicalResult optc::runDriver(const DriverOptions &options,
                              MLIRContext &context) {
  if (options.emit != "mlir") {
    emitError(UnknownLoc::get(&context))
        << "--emit=" << options.emit
        << " is not available yet: only --emit=mlir is implemented";
    return failure();
  }
  OwningOpRef<ModuleOp> module = loadModule(options.inputPath, context);
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
