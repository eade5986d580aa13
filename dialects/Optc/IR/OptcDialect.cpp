//===- OptcDialect.cpp - the optc dialect ---------------------------------===//
//
// Registers the optc operations and materialises folded constants.
//
//===----------------------------------------------------------------------===//

#include "dialects/Optc/IR/OptcDialect.h"
#include "dialects/Optc/IR/OptcOps.h"

#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::optc;

#include "dialects/Optc/IR/OptcDialect.cpp.inc"

void OptcDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Optc/IR/OptcOps.cpp.inc"
      >();
}

Operation *OptcDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, elements);
}
