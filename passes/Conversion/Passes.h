//===- Passes.h - lowering passes of optc -----------------------*- C++ -*-===//
//
// Declarations and registration of the lowering-stage passes.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_CONVERSION_PASSES_H
#define OPTC_PASSES_CONVERSION_PASSES_H

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace mlir::optc {

#define GEN_PASS_DECL
#include "passes/Conversion/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Conversion/Passes.h.inc"

} // namespace mlir::optc

#endif // OPTC_PASSES_CONVERSION_PASSES_H
