//===- OptcOps.td - optc operations ----------------------------*- tablegen -*-===//
//
// The operations of the optc dialect, by family, one file each; their base
// classes and type constraints are in OptcBase.td. Every result type is
// computed by the shared shape rules in OptcShapes.h (through
// InferTypeOpInterface); the verifiers are those rules plus the constraints
// in the op definitions. This is the root that mlir-tblgen reads.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCOPS_TD

include "dialects/Optc/IR/OptcBase.td"

// The operations, by family.
include "dialects/Optc/IR/OptcSourceOps.td"
include "dialects/Optc/IR/OptcElementwiseOps.td"
include "dialects/Optc/IR/OptcContractionOps.td"
include "dialects/Optc/IR/OptcReductionOps.td"
include "dialects/Optc/IR/OptcShapeOps.td"
include "dialects/Optc/IR/OptcIndexOps.td"
include "dialects/Optc/IR/OptcFusionOps.td"
include "dialects/Optc/IR/OptcQuantOps.td"

#endif // OPTC_DIALECT_OPTC_IR_OPTCOPS_TD
