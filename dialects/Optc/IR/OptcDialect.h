//===- OptcDialect.h - the optc dialect -------------------------*- C++ -*-===//
//
// Declares the optc dialect class.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H
#define OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/Optc/IR/OptcDialect.h.inc"

#endif // OPTC_DIALECTS_OPTC_IR_OPTCDIALECT_H
