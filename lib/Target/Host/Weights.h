//===- Weights.h - the bytes of a model's weights ---------------*- C++ -*-===//
//
// Weights leave the library for a side file (--optc-externalize-weights);
// this is how their bytes are read from the attributes that hold them and
// how the side file is written.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_LIB_TARGET_HOST_WEIGHTS_H
#define OPTC_LIB_TARGET_HOST_WEIGHTS_H

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringRef.h"

namespace mlir::optc {

/// Calls `consume` with the bytes of `elements` in memory order, in one or
/// more pieces (a splat is repeated); false for an attribute whose bytes
/// cannot be read.
bool forEachWeightChunk(ElementsAttr elements,
                        llvm::function_ref<void(llvm::StringRef)> consume);

/// Writes the side file of `module`'s external weights (the optc.weights
/// attributes) to `path`; emits an error and fails otherwise. A module
/// without external weights writes nothing.
LogicalResult writeWeightsFile(ModuleOp module, llvm::StringRef path);

/// Whether `module` has external weights.
bool hasExternalWeights(ModuleOp module);

} // namespace mlir::optc

#endif // OPTC_LIB_TARGET_HOST_WEIGHTS_H
