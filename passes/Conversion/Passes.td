//===- Passes.td - lowering passes of optc ---------------------*- tablegen -*-===//
//
// Passes of the lowering stage (DESIGN.md stage 6): optc.fusion regions
// become kernel functions, and optc operations become linalg, tensor, arith
// and math.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_CONVERSION_PASSES_TD
#define OPTC_PASSES_CONVERSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def OptcOutlineKernels : Pass<"optc-outline-kernels", "::mlir::ModuleOp"> {
  let summary = "Turns every optc.fusion region into a kernel function";
  let description = [{
    Moves the body of every `optc.fusion` region into a private function
    (a kernel) and calls it in the region's place. Kernels are named after
    their first operation and numbered in program order: `@k0_matmul`,
    `@k1_add`, ... Operands that are small constants (splats, or at most 16
    elements) are copied into the kernel, where code generation sees their
    values; larger ones stay arguments.

    A kernel whose computing ops are all elementwise is marked
    `optc.in_place = array<i64: ...>` with the arguments it may overwrite
    with its result: those of the result's shape and element size that
    only the op computing the result reads, at exactly the positions being
    written. The memory planner may then give
    the result the buffer of such an argument when nothing reads it later.

    Example:

    ```mlir
    %r = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
      %0 = optc.relu %a : tensor<4xf32>
      optc.yield %0 : tensor<4xf32>
    }
    ```

    becomes `%r = func.call @k0_relu(%x)` and

    ```mlir
    func.func private @k0_relu(%a: tensor<4xf32>) -> tensor<4xf32> attributes {optc.kernel} {
      %0 = optc.relu %a : tensor<4xf32>
      return %0 : tensor<4xf32>
    }
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
}

def OptcDecompose : Pass<"optc-decompose", "::mlir::ModuleOp"> {
  let summary = "Rewrites the normalisations into simpler optc ops";
  let description = [{
    Inside kernels, the normalisations become the reductions and
    elementwise ops they are made of, so that code generation needs no
    lowering of their own and their pieces stay in one kernel:

    - `layer_norm`: `d = x - mean(x)`, `d * rsqrt(mean(d * d) + eps) *
      scale + bias` over the dimensions from `axis` on;
    - `rms_norm`: `x * rsqrt(mean(x * x) + eps) * scale`;
    - `batch_norm`: `x * a + (bias - mean * a)` with
      `a = scale * rsqrt(variance + eps)`, the per-channel vectors reshaped
      to `C x 1 x ...` to broadcast;
    - `group_norm`: the layer norm of `x` reshaped to `N x G x rest`, then
      the per-channel scale and bias.

    Statistics are computed in the input's float type, like the reference
    implementations.
  }];
}

def OptcConvertToLinalg : Pass<"optc-convert-to-linalg", "::mlir::ModuleOp"> {
  let summary = "Lowers optc operations to linalg, tensor, arith and math";
  let description = [{
    Rewrites every optc operation into upstream dialects on tensors:
    elementwise operations become `linalg.generic` (broadcast operands are
    collapsed so that every indexing map is a projected permutation, which
    the vectoriser needs), matrix products `linalg.matmul`,
    `linalg.batch_matmul` or a contraction `linalg.generic`, reductions
    `linalg.reduce`, softmax its four-step decomposition, transposes
    `linalg.transpose`, reshapes `tensor.collapse_shape` and
    `tensor.expand_shape`, constants `arith.constant`.

    Integer types become signless (`ui8` becomes `i8`), with the signedness
    carried by the choice of arith operation (`arith.divui`, ...). What
    users exchange with the model, signedness included, is recorded before
    this pass by `--optc-record-interface`.

    An operation without a lowering yet is an error at its location naming
    it; nothing is left half converted.
  }];
  let dependentDialects = [
    "::mlir::arith::ArithDialect", "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect", "::mlir::tensor::TensorDialect"
  ];
}

def OptcFuseElementLoops : Pass<"optc-fuse-element-loops", "::mlir::ModuleOp"> {
  let summary = "Fuses a kernel's elementwise linalg ops into their consumers";
  let description = [{
    In every kernel (`optc.kernel` function), a `linalg.generic` whose loops
    are all parallel is fused into the `linalg.generic` consuming its result
    when that is its only use (upstream's elementwise fusion patterns): the
    ops of a fused region (`--optc-fuse-elementwise`) and of a decomposition
    (batch normalisation's multiply and add, the steps of a normalisation)
    become one loop, and the producer's tensor is never materialised. An
    elementwise producer also fuses into a reduction that consumes it.

    Then an elementwise op reading a matrix product through a
    `tensor.expand_shape` (a convolution's `N x F x HW` product seen as
    `N x F x H x W`) is collapsed to compute in the product's shape, its
    result expanded instead: the product and its epilogue share one
    iteration space, which the CPU schedule fuses block by block.

    Unlike upstream's `linalg-fuse-elementwise-ops` pass, reshapes are not
    propagated through other linalg ops: that turns named contractions into
    generics the CPU schedule no longer sees as matrix products.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

#endif // OPTC_PASSES_CONVERSION_PASSES_TD
