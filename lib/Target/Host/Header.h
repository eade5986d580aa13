//===- Header.h - the C header of a compiled model --------------*- C++ -*-===//
//
// Generates model.h: the runtime's public ABI (a copy of runtime.h, under
// its own include guard) plus the model's loader and the dtype and shape
// of every input and output.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_TARGET_HOST_HEADER_H
#define OPTC_LIB_TARGET_HOST_HEADER_H

#include "mlir/IR/BuiltinOps.h"

#include <string>

namespace mlir::optc {

/// The header of the model `name` (a C identifier) whose inputs and
/// outputs `module` records in its optc.interface attribute.
FailureOr<std::string> generateModelHeader(ModuleOp module,
                                           llvm::StringRef name);

/// Whether `name` is a C identifier (what --name accepts).
bool isCIdentifier(llvm::StringRef name);

} // namespace mlir::optc

#endif // OPTC_LIB_TARGET_HOST_HEADER_H
