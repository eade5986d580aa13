//===- InitAll.h - registration of everything optc uses ---------*- C++ -*-===//
//
// One place that registers the dialects, extensions and passes that optc's
// tools and libraries use: the upstream ones and optc's own.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_INITALL_H
#define OPTC_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::optc {

/// Adds the upstream MLIR dialects and extensions and the optc dialect.
void registerAllDialects(mlir::DialectRegistry &registry);

/// Registers the upstream MLIR passes and every optc pass with the global
/// pass registry (for textual pipelines and command-line flags).
void registerAllPasses();

} // namespace mlir::optc

#endif // OPTC_INITALL_H
