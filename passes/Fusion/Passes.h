//===- Passes.h - fusion passes of optc -------------------------*- C++ -*-===//
//
// Declarations and registration of the fusion-stage passes.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_FUSION_PASSES_H
#define OPTC_PASSES_FUSION_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::optc {

#define GEN_PASS_DECL
#include "passes/Fusion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Fusion/Passes.h.inc"

} // namespace mlir::optc

#endif // OPTC_PASSES_FUSION_PASSES_H
