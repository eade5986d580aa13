//===- OptcOps.h - optc operations ------------------------------*- C++ -*-===//
//
// Declares the operations of the optc dialect and the type predicates their
// ODS constraints use.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECTS_OPTC_IR_OPTCOPS_H
#define OPTC_DIALECTS_OPTC_IR_OPTCOPS_H

#include "dialects/Optc/IR/OptcDialect.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/ControlFlowInterfaces.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/Optc/IR/OptcEnums.h.inc"

namespace mlir::optc {

/// True for the integer element types of optc: signless `iN` (signed) and
/// `uiN` (unsigned) with N > 1. `i1` is the boolean type, and `siN` is not
/// used by optc.
bool isIntegerElementType(Type type);

/// True when every type of `actual` equals the corresponding type of
/// `inferred` or refines it: the same element type and rank, and every size
/// that `inferred` knows is the same in `actual`.
bool isRefinementOf(TypeRange actual, TypeRange inferred);

} // namespace mlir::optc

#define GET_OP_CLASSES
#include "dialects/Optc/IR/OptcOps.h.inc"

#endif // OPTC_DIALECTS_OPTC_IR_OPTCOPS_H
