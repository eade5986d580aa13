//===- InitAll.cpp - registration of everything optc uses -----------------===//
//
// Registers the upstream MLIR dialects, extensions and passes together with
// optc's own, for optc-opt and the driver.
//
//===----------------------------------------------------------------------===//

#include "optc/InitAll.h"

#include "dialects/Optc/IR/OptcDialect.h"
#include "lib/Target/CPU/Passes.h"
#include "lib/Target/Host/Passes.h"
#include "optc/Pipelines.h"
#include "passes/Conversion/Passes.h"
#include "passes/Fusion/Passes.h"
#include "passes/Graph/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"

void mlir::optc::registerAllDialects(mlir::DialectRegistry &registry) {
  mlir::registerAllDialects(registry);
  mlir::registerAllExtensions(registry);
  registry.insert<mlir::optc::OptcDialect>();
}

void mlir::optc::registerAllPasses() {
  mlir::registerAllPasses();
  registerGraphPasses();
  registerFusionPasses();
  registerConversionPasses();
  registerCPUPasses();
  registerHostPasses();
  registerPipelines();
}
