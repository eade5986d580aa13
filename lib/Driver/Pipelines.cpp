//===- Pipelines.cpp - the compilation pipelines of optc
//-------------------===//
//
// Assembles the CPU pipeline from registered passes, stage by stage. Upstream
// passes are named by their registered pipeline text, which keeps this file
// a readable list and each step reproducible with optc-opt.
//
//===----------------------------------------------------------------------===//

#include "optc/Pipelines.h"

#include "lib/Target/CPU/Passes.h"
#include "lib/Target/Host/Passes.h"
#include "passes/Conversion/Passes.h"
#include "passes/Fusion/Passes.h"
#include "passes/Graph/Passes.h"

#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

#include "llvm/Support/ErrorHandling.h"
#include <limits>

using namespace mlir;
using namespace mlir::optc;

static const llvm::StringRef kStageNames[] = {
    "import", "graph", "fusion", "linalg", "vector", "bufferized", "llvm"};

llvm::ArrayRef<llvm::StringRef> optc::stageNames() { return kStageNames; }

std::optional<Stage> optc::parseStage(llvm::StringRef name) {
  for (auto [index, stage] : llvm::enumerate(kStageNames))
    if (stage == name)
      return static_cast<Stage>(index);
  return std::nullopt;
}

llvm::StringRef optc::stageName(Stage stage) {
  return kStageNames[static_cast<unsigned>(stage)];
}

/// Adds upstream passes given as pipeline text; the text is fixed here, so
/// a parse error is a bug in this file.
static void addText(OpPassManager &pm, llvm::StringRef text) {
  if (failed(parsePassPipeline(text, pm, llvm::errs())))
    llvm::report_fatal_error(llvm::Twine("optc: bad built-in pipeline: ") +
                             text);
}

static void addStage(OpPassManager &pm, Stage stage,
                     const CPUPipelineOptions &options) {
  switch (stage) {
  case Stage::Import:
    return;
  case Stage::Graph:
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createOptcInferShapes());
    pm.addPass(createCanonicalizerPass());
    // Folding a switch on now-known sizes (run-time axes) leaves new casts
    // to less static types: their users are refined once more.
    pm.addPass(createOptcInferShapes());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    if (!options.quantize.empty()) {
      OptcQuantizeWeightsOptions quantize;
      quantize.policy = options.quantize;
      quantize.report = options.quantizeReport;
      quantize.exclude = options.quantizeExclude;
      quantize.keepEnds = options.quantizeKeepEnds;
      quantize.rotate = options.quantizeRotate;
      pm.addPass(createOptcQuantizeWeights(quantize));
    }
    // Folding a transposed weight (or quantizing one) leaves the original
    // blob unused: free it rather than carry both through compilation.
    pm.addPass(createOptcReleaseUnusedBlobs());
    return;
  case Stage::Fusion:
    pm.addPass(createOptcFormQuantizedMatmul());
    pm.addPass(createOptcPackWeights());
    pm.addPass(createOptcFoldQdq());
    // The weights before packing or dequantizing.
    pm.addPass(createOptcReleaseUnusedBlobs());
    pm.addPass(createOptcFormRegions());
    pm.addPass(createOptcFuseElementwise());
    return;
  case Stage::Linalg:
    pm.addPass(createOptcRecordInterface());
    pm.addPass(createOptcOutlineKernels());
    pm.addPass(createOptcDecompose());
    pm.addPass(createOptcConvertToLinalg());
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    // The element loops of a kernel's ops become one loop.
    pm.addPass(createOptcFuseElementLoops());
    pm.addPass(createCanonicalizerPass());
    return;
  case Stage::Vector: {
    OptcCPUTileAndVectorizeOptions tiling;
    tiling.vectorBits = options.target.vectorBits;
    tiling.remarks = options.vectorizeRemarks;
    pm.addNestedPass<func::FuncOp>(createOptcCPUTileAndVectorize(tiling));
    pm.addPass(createCanonicalizerPass());
    // Accumulator tiles read and written in every k step become values
    // carried in registers by the loop.
    addText(pm, "loop-invariant-subset-hoisting");
    pm.addPass(createCanonicalizerPass());
    pm.addPass(createCSEPass());
    return;
  }
  case Stage::Bufferized:
    pm.addPass(createOptcUniqueKernelResults());
    // A tensor.empty a kernel fills and inserts into a slice of another
    // tensor (the im2col copies) becomes that slice: written in place.
    addText(pm, "eliminate-empty-tensors,"
                "one-shot-bufferize{bufferize-function-boundaries "
                "allow-return-allocs-from-loops "
                "function-boundary-type-conversion=identity-layout-map},"
                "drop-equivalent-buffer-results,"
                "buffer-results-to-out-params{hoist-static-allocs "
                "modify-public-functions},"
                "canonicalize,cse");
    pm.addPass(createOptcHoistKernelBuffers());
    pm.addPass(createOptcPlanMemory());
    {
      // "embed" keeps every weight in the library (flattened).
      OptcExternalizeWeightsOptions weights;
      weights.limit = options.weights == "embed"
                          ? std::numeric_limits<int64_t>::max()
                          : options.weightsLimit;
      weights.force = options.weights == "file";
      pm.addPass(createOptcExternalizeWeights(weights));
    }
    addText(pm, "func.func(ownership-based-buffer-deallocation),"
                "canonicalize,buffer-deallocation-simplification,"
                "bufferization-lower-deallocations,cse,canonicalize");
    pm.addPass(createOptcCPUInlineHelpers());
    pm.addPass(createOptcCPULowerCopies());
    pm.addPass(createOptcCPULowerMicroKernels());
    addText(pm, "func.func(convert-linalg-to-loops),"
                "math-extend-to-supported-types");
    pm.addPass(createOptcCPULowerVectors());
    {
      OptcCPUExpandMathOptions math;
      math.fastMath = options.fastMath;
      pm.addPass(createOptcCPUExpandMath(math));
    }
    pm.addPass(createOptcCPUOutlineParallel());
    pm.addPass(createOptcCPULegalizeEmptyBuffers());
    pm.addPass(createOptcCPULowerAsserts());
    pm.addPass(createCanonicalizerPass());
    return;
  case Stage::LLVM: {
    addText(pm, "convert-vector-to-scf{full-unroll=true target-rank=1},"
                "expand-strided-metadata,lower-affine,"
                // bf16 arithmetic in f32, rounded after each op (as
                // exact as native bf16: f32 holds 2 * 8 + 2 bits): LLVM's
                // instruction selection soft-promotes bf16 vectors of some
                // widths (9, 17, ...) only partly, and aborts.
                "arith-emulate-unsupported-floats{source-types=bf16 "
                "target-type=f32},"
                "optc-cpu-legalize-bf16,"
                "arith-expand{include-bf16=true},"
                // Everything but fma (whose point is its single rounding:
                // the accurate math of --optc-cpu-expand-math relies on
                // it) and roundeven, which LLVM has instructions for.
                "math-expand-ops{ops=ctlz,sinh,cosh,tan,tanh,asinh,acosh,"
                "atanh,ceil,exp2,powf,fpowi,round,rsqrt,clampf},"
                "convert-math-to-funcs,convert-scf-to-cf,"
                "convert-vector-to-llvm{vector-contract-lowering=outerproduct "
                "reassociate-fp-reductions=true},"
                // What LLVM has intrinsics for first; libm for the rest.
                "convert-math-to-llvm,convert-math-to-libm,"
                "convert-math-to-llvm,convert-arith-to-llvm,"
                "convert-index-to-llvm,finalize-memref-to-llvm,"
                "convert-func-to-llvm{use-bare-ptr-memref-call-conv=true},"
                "convert-cf-to-llvm,convert-ub-to-llvm,"
                "reconcile-unrealized-casts,canonicalize");
    OptcHostEntryOptions entry;
    entry.modelName = options.modelName;
    entry.triple = options.target.triple;
    entry.cpu = options.target.cpu;
    entry.features = options.target.features;
    entry.weightsFile = options.weightsFile;
    pm.addPass(createOptcHostEntry(entry));
    return;
  }
  }
}

void optc::buildCPUPipeline(OpPassManager &pm,
                            const CPUPipelineOptions &options, Stage from,
                            Stage until) {
  for (unsigned s = static_cast<unsigned>(from) + 1;
       s <= static_cast<unsigned>(until); ++s)
    addStage(pm, static_cast<Stage>(s), options);
}

namespace {
struct CPUPipelineCLOptions : public PassPipelineOptions<CPUPipelineCLOptions> {
  Option<unsigned> vectorBits{*this, "vector-bits",
                              llvm::cl::desc("Vector register width in bits"),
                              llvm::cl::init(256)};
  Option<std::string> name{*this, "name", llvm::cl::desc("Model name"),
                           llvm::cl::init("model")};
  Option<std::string> until{*this, "until", llvm::cl::desc("Last stage to run"),
                            llvm::cl::init("llvm")};
};
} // namespace

void optc::registerPipelines() {
  PassPipelineRegistration<CPUPipelineCLOptions>(
      "optc-cpu-pipeline",
      "The whole CPU pipeline from the imported optc dialect to the LLVM "
      "dialect (the stages of optc --emit-after)",
      [](OpPassManager &pm, const CPUPipelineCLOptions &cl) {
        CPUPipelineOptions options;
        options.target.vectorBits = cl.vectorBits;
        options.modelName = cl.name;
        std::optional<Stage> until = parseStage(cl.until);
        buildCPUPipeline(pm, options, Stage::Import,
                         until ? *until : Stage::LLVM);
      });
}
