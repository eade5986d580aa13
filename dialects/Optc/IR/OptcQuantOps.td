//===- OptcQuantOps.td - quantize and dequantize ---------------*- tablegen -*-===//
//
// The conversions between float tensors and quantized ones: tensors of
// packed codes with the #optc.quant encoding, whose scales (and zero
// points) are operands. They stay explicit through the graph and fusion
// stages, so that a dequantization can be folded into the kernel that
// consumes it, and are lowered late, per target.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCQUANTOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCQUANTOPS_TD

include "dialects/Optc/IR/OptcBase.td"

def Optc_QuantizeOp : Optc_Op<"quantize", [Pure, AttrSizedOperandSegments]> {
  let summary = "Float values to the codes of a quantized tensor";
  let description = [{
    ONNX's QuantizeLinear for the blocks of `#optc.quant`: each value is
    divided by its block's scale (and the tensor scale, when there is one)
    in f32, then rounded to nearest even and clamped to the codes' range
    with the block's zero point added (integer codes), or converted to the
    code format, saturating unless `saturate` is false (float codes; FP4
    and FP6 always saturate). The rules for NaN, infinities and overflow
    are those of `docs/low-precision.md`.

    Example:

    ```mlir
    %q = optc.quantize %x, %s zero_points %z
        : (tensor<64x256xf32>, tensor<64x8xf32>, tensor<64x8xui4>)
        -> tensor<64x256xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input, Optc_FloatTensor:$scales,
                       Optional<Optc_QuantTensor>:$zero_points,
                       Optional<Optc_FloatTensor>:$tensor_scale,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs Optc_QuantTensor:$output);
  let assemblyFormat = "$input `,` $scales (`zero_points` $zero_points^)? "
                       "(`tensor_scale` $tensor_scale^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Optc_DequantizeOp : Optc_Op<"dequantize", [Pure, AttrSizedOperandSegments]> {
  let summary = "The float values a quantized tensor stands for";
  let description = [{
    ONNX's DequantizeLinear for the blocks of `#optc.quant`: each code,
    minus its block's zero point, times its block's scale (times the
    tensor scale first, when there is one: NVFP4), computed in f32 and
    rounded to the result's float type.

    Example:

    ```mlir
    %w = optc.dequantize %q, %s
        : (tensor<4096x4096xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>,
           tensor<4096x128xf8E8M0FNU>) -> tensor<4096x4096xf32>
    ```
  }];
  let arguments = (ins Optc_QuantTensor:$input, Optc_FloatTensor:$scales,
                       Optional<Optc_QuantTensor>:$zero_points,
                       Optional<Optc_FloatTensor>:$tensor_scale);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scales (`zero_points` $zero_points^)? "
                       "(`tensor_scale` $tensor_scale^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Optc_PackOp : Optc_Op<"pack", [Pure]> {
  let summary = "Codes stored one per byte into the packed storage of #optc.quant";
  let description = [{
    The same codes, moved from a plain tensor (one code per byte, as model
    inputs, outputs and ONNX's unpacked views hold them) into a quantized
    tensor, whose codes share bytes (see `#optc.quant`). The result's
    encoding says which scales the codes will be read with; packing does
    not look at them. A constant operand folds to a packed constant, so
    that weights are packed at compile time.

    ```mlir
    %p = optc.pack %codes : tensor<64x256xi4>
        -> tensor<64x256xi4, #optc.quant<block = [1, 32], scale = f32>>
    ```
  }];
  let arguments = (ins Optc_QuantTensor:$input);
  let results = (outs Optc_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Optc_UnpackOp : Optc_Op<"unpack", [Pure]> {
  let summary = "The codes of a quantized tensor, one per byte";
  let description = [{
    The inverse of `optc.pack`: the codes of a quantized tensor in a plain
    tensor of the same shape and element type, as QuantizeLinear's output
    is seen outside the model.

    ```mlir
    %codes = optc.unpack %q
        : tensor<64x256xi4, #optc.quant<block = [1, 32], scale = f32>>
        -> tensor<64x256xi4>
    ```
  }];
  let arguments = (ins Optc_QuantTensor:$input);
  let results = (outs Optc_QuantTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Optc_QuantizedMatmulOp : Optc_Op<"quantized_matmul",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "A matrix product with quantized weights, dequantized inside";
  let description = [{
    `lhs` (float, `[..., K]`) times the weights `rhs` stand for:
    `matmul(lhs, dequantize(rhs))` for weights `[K, N]`, or, with
    `rhs_transposed`, `matmul(lhs, transpose(dequantize(rhs)))` for
    weights `[N, K]` (the layout of onnxruntime's MatMulNBits and of most
    LLM checkpoints). The scales, zero points and tensor scale are those of
    `optc.dequantize`. The result has `lhs`'s float type and shape
    `[..., N]`.

    `int8_activations` allows the product to quantize `lhs` to int8 per
    block of K at run time (symmetric, scale max|x| / 127) and sum the
    products in i32, as onnxruntime's MatMulNBits does at accuracy level 4,
    the model's opt-in to that approximation. Without it the product is
    computed in f32.

    `--optc-form-quantized-matmul` makes it from a dequantize feeding a
    matmul, so that code generation can keep the weights packed and
    dequantize them inside the product (a CPU micro-kernel, see
    docs/low-precision.md); the float weights never exist in memory.

    ```mlir
    %y = optc.quantized_matmul %x, %w, %s zero_points %z {rhs_transposed}
        : (tensor<1x4096xf32>,
           tensor<4096x4096xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>,
           tensor<4096x128xf32>, tensor<4096x128xui4>) -> tensor<1x4096xf32>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$lhs, Optc_QuantTensor:$rhs,
                       Optc_FloatTensor:$scales,
                       Optional<Optc_QuantTensor>:$zero_points,
                       Optional<Optc_FloatTensor>:$tensor_scale,
                       UnitAttr:$rhs_transposed, UnitAttr:$int8_activations);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "$lhs `,` $rhs `,` $scales (`zero_points` $zero_points^)? "
                       "(`tensor_scale` $tensor_scale^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
}

def Optc_IntegerMatmulOp : Optc_Op<"integer_matmul",
    [Pure, AttrSizedOperandSegments]> {
  let summary = "A product of 8-bit integer matrices, summed in i32";
  let description = [{
    ONNX's MatMulInteger for 2-D weights: `(lhs - lhs_zero_point) .
    (rhs - rhs_zero_point)` in i32, `lhs` `[..., M, K]` and `rhs` `[K, N]`
    (or `[N, K]` with `rhs_transposed`) of signed or unsigned bytes.
    `lhs_zero_point` is one value (`tensor<T>` or `tensor<1xT>`) or one a
    row of lhs (`[M]`); `rhs_zero_point` one value or one a column of the
    product (`[N]`); each of lhs's and rhs's element type. The result is
    `tensor<[..., M, N] x i32>`.

    With `rhs_panels`, `rhs` holds B `[K, N]` in panels, the layout of the
    CPU's 8-bit kernel (`OPTC_IGEMM_B_PANELS` in runtime_support.h),
    into which `--optc-pack-weights` packs constant weights at compile
    time: `tensor<ceil(N/16) x ceil(K/4) x 16 x 4 x T>`, B[k, n] at
    `[n floordiv 16, k floordiv 4, n mod 16, k mod 4]`, zeros in the
    padding. K is then lhs's last size and N the result's.

    It is the integer core of the 8-bit products onnxruntime's quantization
    tools write (MatMulInteger, QLinearMatMul), kept as one op so that code
    generation can run it on 8-bit dot-product instructions (on the CPU, a
    micro-kernel with AVX-512 VNNI; see docs/low-precision.md) instead of
    widening both operands to i32.

    ```mlir
    %y = optc.integer_matmul %a, %w lhs_zero_point %za rhs_zero_point %zw
        : (tensor<128x768xui8>, tensor<768x3072xi8>, tensor<ui8>, tensor<i8>)
        -> tensor<128x3072xi32>
    ```
  }];
  let arguments = (ins Optc_IntTensor:$lhs, Optc_IntTensor:$rhs,
                       Optional<Optc_IntTensor>:$lhs_zero_point,
                       Optional<Optc_IntTensor>:$rhs_zero_point,
                       UnitAttr:$rhs_transposed, UnitAttr:$rhs_panels);
  let results = (outs Optc_IntTensor:$output);
  let extraClassDeclaration = [{
    /// K and N of the product (dynamic where unknown).
    int64_t getDepth();
    int64_t getColumns();
    /// The offset of B[k, n] in the elements of rhs, whatever its layout.
    int64_t rhsOffset(int64_t k, int64_t n);
  }];
  let assemblyFormat = "$lhs `,` $rhs (`lhs_zero_point` $lhs_zero_point^)? "
                       "(`rhs_zero_point` $rhs_zero_point^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCQUANTOPS_TD
