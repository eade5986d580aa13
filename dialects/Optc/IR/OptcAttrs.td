//===- OptcAttrs.td - optc enumerations ------------------------*- tablegen -*-===//
//
// Enumerations used as operation attributes of the optc dialect. They are
// integer enum attributes, so operations print them as bare keywords
// (`optc.compare lt, ...`).
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCATTRS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCATTRS_TD

include "mlir/IR/EnumAttr.td"

def Optc_ComparePredicate : I32EnumAttr<"ComparePredicate",
    "comparison predicate", [
      I32EnumAttrCase<"eq", 0>,
      I32EnumAttrCase<"ne", 1>,
      I32EnumAttrCase<"lt", 2>,
      I32EnumAttrCase<"le", 3>,
      I32EnumAttrCase<"gt", 4>,
      I32EnumAttrCase<"ge", 5>]> {
  let cppNamespace = "::mlir::optc";
}

def Optc_PadMode : I32EnumAttr<"PadMode", "padding mode", [
      I32EnumAttrCase<"constant", 0>,
      I32EnumAttrCase<"reflect", 1>,
      I32EnumAttrCase<"edge", 2>,
      I32EnumAttrCase<"wrap", 3>]> {
  let cppNamespace = "::mlir::optc";
}

def Optc_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how a scatter combines an update with the existing element", [
      I32EnumAttrCase<"none", 0>,
      I32EnumAttrCase<"add", 1>,
      I32EnumAttrCase<"mul", 2>,
      I32EnumAttrCase<"max", 3>,
      I32EnumAttrCase<"min", 4>]> {
  let cppNamespace = "::mlir::optc";
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCATTRS_TD
