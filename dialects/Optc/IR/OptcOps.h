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

/// True when the types of `lhs` and `rhs` pair up as the same ranked
/// tensor types up to unknown sizes: equal element types and ranks, and
/// every size known on both sides equal.
bool areCompatibleShapes(TypeRange lhs, TypeRange rhs);

/// Checks every shaped operand and result type of `op` against optc's
/// limits per tensor (checkTensorSize in optc/Support/Sizes.h).
LogicalResult verifyTensorSizeLimit(Operation *op);

/// The trait every optc op has (Optc_TensorSizeLimit in OptcBase.td).
template <typename ConcreteType>
class TensorSizeLimit
    : public OpTrait::TraitBase<ConcreteType, TensorSizeLimit> {
public:
  static LogicalResult verifyTrait(Operation *op) {
    return verifyTensorSizeLimit(op);
  }
};

} // namespace mlir::optc

#include "llvm/ADT/SetVector.h"

#include <string>

#define GET_OP_CLASSES
#include "dialects/Optc/IR/OptcOps.h.inc"

namespace mlir::optc {

/// Whether `op` computes each result element from the operand elements at
/// the same position (after numpy broadcasting): the ops with the
/// Elementwise trait and the broadcasting binary ops, compare, select and
/// rem.
bool isElementwise(Operation *op);

/// The operands whose values decide the result sizes of `op`: a dynamic_*
/// op's shape, bounds or amounts, and a range's operands. Empty for other
/// ops, whose result sizes follow from their operands' sizes.
SmallVector<Value> sizeOperands(Operation *op);

/// Whether the result sizes of `op` follow from operand data, which no
/// input can fix (non_zero, unique, non_max_suppression).
bool hasDataDependentSizes(Operation *op);

/// What values are computed from, as far as --input-value goes: the
/// function arguments (model inputs) they reach, and an op met on the way
/// whose result sizes follow from data.
struct InputSources {
  llvm::SetVector<BlockArgument> arguments;
  Operation *dataOp = nullptr;
};

/// Walks back from `roots` through operands, the operands of ops in
/// regions, out of fusion bodies (a block argument is the fusion's operand)
/// and loops (a carried value is its first and yielded values). It stops at
/// shape_of and tensor.dim, which read sizes, not values, and at ops whose
/// result sizes follow from data.
void traceInputSources(ValueRange roots, InputSources &sources);

/// "the value of input 'x': fix it with --input-value x=FILE" (or the
/// plural) for model inputs, named by their optc.name; "" for none.
std::string fixInputsAdvice(ArrayRef<BlockArgument> arguments);

} // namespace mlir::optc

#endif // OPTC_DIALECTS_OPTC_IR_OPTCOPS_H
