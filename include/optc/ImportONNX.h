//===- ImportONNX.h - ONNX models into the optc dialect ---------*- C++ -*-===//
//
// The front door of the compiler: an ONNX ModelProto, from a file or from
// bytes in memory, becomes a module with `func.func @main` in the optc
// dialect. Every failure is one diagnostic naming what was wrong and where
// (the node, its op type, domain and opset), never a crash.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_IMPORTONNX_H
#define OPTC_IMPORTONNX_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::optc {

/// A value fixed for a model input (`--input-value`).
struct InputValue {
  /// The element type, numbered like ONNX's TensorProto.DataType
  /// (1 float, 7 int64, ...).
  int32_t dataType = 0;
  llvm::SmallVector<int64_t> shape;
  /// The elements, dense row-major and little-endian, as a TensorProto's
  /// raw_data holds them (a bool is one byte).
  std::string rawData;
};

struct ImportOptions {
  /// Input dimensions that replace the model's (`--input-shape`), by input
  /// name. A size of -1 keeps the model's dimension.
  llvm::StringMap<llvm::SmallVector<int64_t>> inputShapes;
  /// Inputs fixed to a value (`--input-value`), by input name: each becomes
  /// a constant of the model and is no longer one of its inputs. This is
  /// how a model whose output shapes depend on input values (a Reshape's
  /// shape, a Resize's sizes, a reduction's axes) compiles ahead of time.
  llvm::StringMap<InputValue> inputValues;
  /// Graph inputs that also have an initializer (from ONNX IR version 4,
  /// inputs whose initializer is a default the caller may override, as
  /// onnxruntime lets it) stay constants unless named here
  /// (`--initializer-input`); those become ordinary inputs that the caller
  /// must pass, since a compiled model has no default inputs. "*" names
  /// them all.
  std::vector<std::string> initializerInputs;
  /// Tensors with at most this many bytes become inline `dense<...>`
  /// constants, larger ones `dense_resource` blobs.
  size_t inlineConstantBytes = 64;
};

/// Imports the model in `path`. External data files are looked up next to
/// it. On failure the reason has been emitted and the result is null.
OwningOpRef<ModuleOp> importONNXFile(llvm::StringRef path, MLIRContext &context,
                                     const ImportOptions &options = {});

/// Imports a model held in memory; `baseDir` is where external data files
/// are looked up, and `name` names the model in diagnostics.
OwningOpRef<ModuleOp> importONNXBytes(llvm::StringRef bytes,
                                      llvm::StringRef baseDir,
                                      llvm::StringRef name,
                                      MLIRContext &context,
                                      const ImportOptions &options = {});

/// One row of `optc model.onnx --op-stats`.
struct OpStat {
  std::string domain;
  std::string opType;
  int64_t opset = 0;
  unsigned count = 0;
  bool supported = false;
};

/// Counts the ops of the model in `path` (subgraphs and functions
/// included), with whether the importer supports each at its opset. On
/// failure to read the model the reason has been emitted.
LogicalResult collectONNXOpStats(llvm::StringRef path, MLIRContext &context,
                                 std::vector<OpStat> &stats);

/// Parses an `--input-shape` value `name=1x3x224x224` (a `?` keeps the
/// model's dimension) into `options`; returns an error message or "".
std::string parseInputShape(llvm::StringRef spec, ImportOptions &options);

} // namespace mlir::optc

#endif // OPTC_IMPORTONNX_H
