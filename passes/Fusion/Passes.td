//===- Passes.td - fusion passes of optc -----------------------*- tablegen -*-===//
//
// Passes of the fusion stage (DESIGN.md stage 5): grouping optc operations
// into optc.fusion regions, the unit of code generation.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_FUSION_PASSES_TD
#define OPTC_PASSES_FUSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def OptcFormRegions : Pass<"optc-form-regions", "::mlir::ModuleOp"> {
  let summary = "Wraps every computing optc operation in an optc.fusion region";
  let description = [{
    Gives every optc operation that computes a tensor its own `optc.fusion`
    region, the unit code generation turns into one kernel. Operations that
    compute nothing stay outside: constants (they become weights) and
    reshapes (views of their input). Operations already inside a region
    are left alone, as are regions already formed.

    One operation per region is the baseline; fusing producers and
    consumers into shared regions is the job of later fusion passes, which
    then need no change in code generation.

    Example: `%r = optc.relu %x : tensor<4xf32>` becomes

    ```mlir
    %r = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
      %0 = optc.relu %a : tensor<4xf32>
      optc.yield %0 : tensor<4xf32>
    }
    ```
  }];
}

def OptcFuseElementwise : Pass<"optc-fuse-elementwise", "::mlir::ModuleOp"> {
  let summary = "Merges elementwise regions into the region producing their input";
  let description = [{
    A region whose ops all compute element by element (elementwise ops and
    inference batch normalisation) joins the region that produces one of its
    operands, when that operand has no other use. Chains fold into their
    head: `conv -> batch_norm -> relu` becomes one region, as do the ops of
    an erf GELU or a residual `add -> relu`. The merged region sits where
    the consumer was; the intermediate tensors become values inside one
    kernel, and code generation fuses their element loops, so they never
    travel through memory.

    The producer may be any region (a matrix product, a convolution, a
    reduction); an operand used by anything else is not fused, so no work
    is ever duplicated.

    Example:

    ```mlir
    %0 = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
      %e = optc.exp %a : tensor<4xf32>
      optc.yield %e : tensor<4xf32>
    }
    %1 = optc.fusion (%b = %0 : tensor<4xf32>) -> tensor<4xf32> {
      %n = optc.neg %b : tensor<4xf32>
      optc.yield %n : tensor<4xf32>
    }
    ```

    becomes one region computing `exp` then `neg`.
  }];
}

def OptcFormQuantizedMatmul
    : Pass<"optc-form-quantized-matmul", "::mlir::ModuleOp"> {
  let summary = "Makes a dequantize feeding a matmul one optc.quantized_matmul";
  let description = [{
    A matrix product whose right operand is dequantized for it alone, as
    `matmul(x, dequantize(w))` or `matmul(x, transpose(dequantize(w)))`
    (onnxruntime's MatMulNBits, ONNX's DequantizeLinear -> MatMul), becomes
    `optc.quantized_matmul`, whose weights stay packed: code generation
    dequantizes them inside the product. Constant weights of layout
    `[K, N]` are transposed at compile time to `[N, K]`, the layout the
    kernels read along K, with their scales and zero points.

    Example:

    ```mlir
    %w = optc.dequantize %q, %s : (tensor<64x256xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<64x8xf32>) -> tensor<64x256xf32>
    %t = optc.transpose %w {permutation = array<i64: 1, 0>} : (tensor<64x256xf32>) -> tensor<256x64xf32>
    %y = optc.matmul %x, %t : (tensor<1x256xf32>, tensor<256x64xf32>) -> tensor<1x64xf32>
    ```

    becomes

    ```mlir
    %y = optc.quantized_matmul %x, %q, %s {rhs_transposed} : (tensor<1x256xf32>, tensor<64x256xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<64x8xf32>) -> tensor<1x64xf32>
    ```
  }];
}

def OptcPackWeights : Pass<"optc-pack-weights", "::mlir::ModuleOp"> {
  let summary = "Packs constant 8-bit weights into the integer kernel's panels";
  let description = [{
    The constant weights of an `optc.integer_matmul` with static shapes
    are rearranged at compile time into the panels that the CPU's 8-bit
    kernel reads (`rhs_panels`: 16 columns by 4 consecutive k, one
    `vpdpbusd` operand a load; `OPTC_IGEMM_B_PANELS` in runtime_support.h),
    so that no call repacks them. Transposed weights are packed the same
    way. The layout is the CPU kernel's; the schedules of the tuning issue
    will decide it per target.

    Example:

    ```mlir
    %w = optc.constant dense<...> : tensor<768x3072xi8>
    %y = optc.integer_matmul %a, %w : (tensor<128x768xui8>, tensor<768x3072xi8>) -> tensor<128x3072xi32>
    ```

    becomes

    ```mlir
    %p = optc.constant dense_resource<w.panels> : tensor<192x192x16x4xi8>
    %y = optc.integer_matmul %a, %p {rhs_panels} : (tensor<128x768xui8>, tensor<192x192x16x4xi8>) -> tensor<128x3072xi32>
    ```
  }];
}

def OptcFoldQdq : Pass<"optc-fold-qdq", "::mlir::ModuleOp"> {
  let summary = "Folds what the quantized products leave of the QDQ format";
  let description = [{
    Runs after `--optc-form-quantized-matmul`, which turns the QDQ pairs
    around matrix products into quantized or integer products. What is
    left of the format then only costs passes over memory:
    - a `dequantize` of constants (the weights of a convolution, a bias)
      becomes an f32 constant, decoded once at compile time by the
      numerics library instead of on every call;
    - `dequantize(quantize(x))` with integer codes and scales per tensor
      or per axis becomes the pair's own float arithmetic (divide, round
      half to even, add the zero point, NaN to 0, clamp to the codes'
      range, subtract the zero point, multiply), elementwise ops that
      `--optc-fuse-elementwise` merges into the kernels around them; the
      values are bit for bit those of the pair.

    Example:

    ```mlir
    %q = optc.quantize %x, %s zero_points %z : (tensor<1x8xf32>, tensor<1x1xf32>, tensor<1x1xui8>) -> tensor<1x8xui8, #optc.quant<block = [1, 8], scale = f32, zero_point>>
    %y = optc.dequantize %q, %s zero_points %z : (tensor<1x8xui8, #optc.quant<block = [1, 8], scale = f32, zero_point>>, tensor<1x1xf32>, tensor<1x1xui8>) -> tensor<1x8xf32>
    ```

    becomes `optc.div`, `optc.round`, `optc.add`, `optc.is_nan`,
    `optc.max`, `optc.min`, `optc.select`, `optc.sub` and `optc.mul` on
    f32.
  }];
}

#endif // OPTC_PASSES_FUSION_PASSES_TD
