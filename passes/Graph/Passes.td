//===- Passes.td - graph-level passes of optc ------------------*- tablegen -*-===//
//
// Passes of the graph stage (DESIGN.md stage 2): shape inference, folding
// and algebraic rewrites on the optc dialect.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_GRAPH_PASSES_TD
#define OPTC_PASSES_GRAPH_PASSES_TD

include "mlir/Pass/PassBase.td"

def OptcInferShapes : Pass<"optc-infer-shapes", "::mlir::ModuleOp"> {
  let summary = "Propagates the shapes the optc shape rules can deduce";
  let description = [{
    Re-infers the result types of every optc operation from its operands,
    in order, and makes each result as static as the operands allow: a size
    the declared type leaves unknown becomes known when the shape rule
    deduces it. This is what makes a model static once its input shapes are
    pinned, and what fills in the shapes an ONNX model does not declare.

    Block arguments of `optc.fusion` follow their operands and fusion
    results follow what the body yields. A function's result types are
    refined too when nothing calls it; otherwise the refined values are cast
    back to the declared result types with `tensor.cast`.

    Operations of other dialects keep their types: where they use a refined
    value, they see it through a `tensor.cast` to the type they had. Optc
    operations inside their regions (`scf.if`, ...) are refined as well.

    A size the rules deduce that contradicts a declared size is an error
    naming both.

    Example: after the pass,

    ```mlir
    %0 = optc.add %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<?x?xf32>
    ```

    declares `tensor<2x3xf32>`.
  }];
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
}

def OptcReleaseUnusedBlobs : Pass<"optc-release-unused-blobs", "::mlir::ModuleOp"> {
  let summary = "Frees the data of dense_resource blobs nothing refers to";
  let description = [{
    Folding a transpose, slice or split of a weight makes a new blob; the
    weight's own blob, and the blobs made on the way (an LSTM direction's
    weights are sliced, then transposed), stay in the context, unused, until
    it is destroyed: at compile time every such weight would be held twice
    or three times. The pass collects the blobs that the module's
    attributes refer to (nested attributes included) and empties every
    other blob of the builtin dialect, which frees its memory (or unmaps
    the external data file it came from).

    The module must be the only user of its context's blobs, as in optc's
    driver and Python API (a context per model); run it after the folds,
    at the end of the graph stage.
  }];
  let options = [
    Option<"report", "report", "bool", /*default=*/"false",
           "Emit a remark on the module for every blob freed">,
  ];
}

def OptcQuantizeWeights : Pass<"optc-quantize-weights", "::mlir::ModuleOp"> {
  let summary = "Quantizes and packs the constant weights of matrix products";
  let description = [{
    `optc --quantize=POLICY`: every matrix product whose right operand is
    a constant f32 matrix `[K, N]` gets that weight quantized now with the
    numerics library's scheme named `policy` (docs/low-precision.md:
    `int<N>[-g<G>][-asym]`, `uint<N>[-g<G>]`, `mxfp4`, `mxfp6`,
    `mxfp6e3m2`, `mxfp8`, `mxfp8e5m2`, `mxint8`, `nvfp4`, `bfp<M>-b<B>`,
    `bfp12`, `bfp16`), in the `[N, K]` layout with blocks along K, packed:

    `matmul(x, W)` becomes `matmul(x, transpose(dequantize(Wq, scales)))`,
    which the fusion stage makes one `optc.quantized_matmul`.

    A policy ending in `-a8` (`int4-g32-a8`, `uint4-g128-a8`, `mxfp4-a8`:
    4-bit integer or FP4 codes in blocks of 32 or a multiple of 64) marks
    the dequantize `optc.int8_activations`,
    and the product formed from it may quantize its activations to int8
    per block of K at run time (symmetric, as onnxruntime's MatMulNBits
    at accuracy level 4): on CPUs with AVX-512 VNNI, with blocks of 32 or
    a multiple of 64 and K a multiple of 64; elsewhere activations stay
    f32.

    With `rotate` (`--quantize-rotate`), each weight is quantized after a
    rotation that spreads outliers over their block: `x W = (x H)(H W)`
    with `H` block-diagonal, orthonormal Hadamard blocks of the scheme's
    block size along K (a power of two; symmetric, its own inverse).
    `H W` is quantized at compile time and `x H` computed at run time (a
    `[M K / B, B] x [B, B]` product, B multiply-adds per activation).

    An unknown policy, a K that is not a multiple of the scheme's block and
    a weight with a value that is not finite are errors naming the policy
    or the weight. Without `-a8`, activations stay f32. Filters keep weights
    in f32: `exclude` (`--quantize-exclude=REGEX`, on the weight's name)
    and `keep-ends` (`--quantize-keep-ends`: the first and last products
    in program order, often the most sensitive layers). With `report`
    (`--quantize-report`), a table of each weight's signal-to-quantization-
    noise ratio goes to stderr.
  }];
  let options = [
    Option<"policy", "policy", "std::string", /*default=*/"\"int8\"",
           "The quantization scheme (formats::schemeByName)">,
    Option<"report", "report", "bool", /*default=*/"false",
           "Print each weight's signal-to-quantization-noise ratio to stderr">,
    Option<"exclude", "exclude", "std::string", /*default=*/"",
           "Weights whose name matches this regular expression stay f32">,
    Option<"keepEnds", "keep-ends", "bool", /*default=*/"false",
           "The first and last matrix products of the program stay f32">,
    Option<"rotate", "rotate", "bool", /*default=*/"false",
           "Rotate each weight and its activations by a block-diagonal "
           "Hadamard matrix before quantizing (outlier smoothing)">
  ];
}

#endif // OPTC_PASSES_GRAPH_PASSES_TD
