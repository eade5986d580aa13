//===- Passes.h - graph-level passes of optc --------------------*- C++ -*-===//
//
// Declarations and registration of the graph-stage passes.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_GRAPH_PASSES_H
#define OPTC_PASSES_GRAPH_PASSES_H

#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::optc {

#define GEN_PASS_DECL
#include "passes/Graph/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Graph/Passes.h.inc"

} // namespace mlir::optc

#endif // OPTC_PASSES_GRAPH_PASSES_H
