//===- Pipelines.h - the compilation pipelines of optc ----------*- C++ -*-===//
//
// The pass pipelines the driver assembles, stage by stage (DESIGN.md
// "Pipeline"). Every stage is a sequence of registered passes, so each can
// be reproduced with optc-opt; the driver only adds the steps that leave
// MLIR: LLVM IR, object code, linking.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PIPELINES_H
#define OPTC_PIPELINES_H

#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mlir::optc {

/// The stages of CPU compilation, in order. `--emit-after` names one.
enum class Stage {
  Import,     // the optc dialect as imported
  Graph,      // shapes inferred, folded, canonicalised
  Fusion,     // optc.fusion regions formed
  Linalg,     // kernels outlined and lowered to linalg on tensors
  Vector,     // kernels tiled and vectorised
  Bufferized, // memrefs, memory planned, parallel loops outlined
  LLVM,       // the LLVM dialect, with the entry points
};

/// Stage names as the command line spells them.
llvm::ArrayRef<llvm::StringRef> stageNames();
std::optional<Stage> parseStage(llvm::StringRef name);
llvm::StringRef stageName(Stage stage);

/// The target of CPU code generation.
struct CPUTarget {
  std::string triple;
  std::string cpu;
  /// Comma-separated LLVM features without '+' (what the code may use).
  std::string features;
  /// Width of the vector registers code generation targets.
  unsigned vectorBits = 128;
};

/// Options of the CPU pipeline.
struct CPUPipelineOptions {
  CPUTarget target;
  /// The model's name: the prefix of the exported loader.
  std::string modelName = "model";
  /// Where weights go: "auto" (a side file from `weightsLimit` bytes on),
  /// "embed" (always in the library) or "file" (always a side file).
  std::string weights = "auto";
  int64_t weightsLimit = 64 << 20;
  /// The side file's name, beside the library.
  std::string weightsFile = "model.weights";
  /// Math functions by MLIR's cheaper approximations, accurate only near
  /// the origin, instead of accurate ones (docs/accuracy.md).
  bool fastMath = false;
  /// Weight-only quantization scheme (--quantize); empty: none.
  std::string quantize;
  bool quantizeReport = false;
  std::string quantizeExclude;
  bool quantizeKeepEnds = false;
  bool quantizeRotate = false;
  /// Remarks at operations the CPU schedule could not apply in full.
  bool vectorizeRemarks = false;
};

/// Adds the passes that take a module from the end of stage `from` to the
/// end of stage `until` (from Import: the whole pipeline).
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options,
                      Stage from, Stage until);

/// Registers `optc-cpu-pipeline` (the whole pipeline) for optc-opt.
void registerPipelines();

} // namespace mlir::optc

#endif // OPTC_PIPELINES_H
