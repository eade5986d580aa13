//===- OptcDialect.h - the optc dialect -------------------------*- C++ -*-===//
//
// Declares the optc dialect class and its attributes (#optc.interface,
// #optc.port).
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H
#define OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/DialectImplementation.h"

#include "dialects/Optc/IR/OptcDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Optc/IR/OptcAttrs.h.inc"

namespace mlir::optc {

/// The runtime's name of `element` as a tensor's element type ("f32",
/// "u8", "bool": the dtype names of the model metadata), or "" for a type
/// the runtime cannot exchange.
llvm::StringRef runtimeDtypeName(Type element);

} // namespace mlir::optc

#endif // OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H
