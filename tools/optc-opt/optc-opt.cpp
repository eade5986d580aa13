//===- optc-opt.cpp - mlir-opt with the optc dialect and passes -----------===//
//
// Behaves like mlir-opt: every upstream dialect and pass plus the optc
// dialect and every optc pass, for lit tests and pass development.
//
//===----------------------------------------------------------------------===//

#include "optc/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  mlir::optc::registerAllDialects(registry);
  mlir::optc::registerAllPasses();
  return mlir::asMainReturnCode(mlir::MlirOptMain(
      argc, argv, "optc modular optimizer driver\n", registry));
}
