//===- OptcContractionOps.td - contractions and pooling --------*- tablegen -*-===//
//
// The operations over windows or contracted dimensions: matmul, conv,
// conv_transpose and the poolings.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCCONTRACTIONOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCCONTRACTIONOPS_TD

include "dialects/Optc/IR/OptcBase.td"

//===----------------------------------------------------------------------===//
// Linear algebra
//===----------------------------------------------------------------------===//

def Optc_MatmulOp : Optc_InferOp<"matmul"> {
  let summary = "Batched matrix product with numpy semantics";
  let description = [{
    The matrix product of `lhs` (`... x M x K`) and `rhs` (`... x K x N`),
    as numpy's `matmul`: batch dimensions broadcast; a 1-D `lhs` is a row
    vector and a 1-D `rhs` a column vector, and the added dimension is
    removed from the result. Both operands have the result's element type;
    mixed-precision products are expressed with `optc.cast`. Small products
    of constants fold, accumulating in the element type in order of `K`.

    Example:

    ```mlir
    %c = optc.matmul %a, %b : (tensor<8x1x128x64xf32>, tensor<12x64x32xf32>) -> tensor<8x12x128x32xf32>
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$lhs, Optc_NumericTensor:$rhs);
  let results = (outs Optc_NumericTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_ShapeRule<["lhs", "rhs"],
      "shape::matmul(lhs, rhs, sink.fn())", [0, 1]>;
}

def Optc_ConvOp : Optc_InferOp<"conv"> {
  let summary = "N-d grouped, strided, dilated, padded convolution";
  let description = [{
    Cross-correlation of `input` (`N x C x D1 ... Dn`) with `weight`
    (`F x C/groups x K1 ... Kn`) giving `N x F x O1 ... On`, where
    `Oi = floor((Di + low_i + high_i - dilation_i * (Ki - 1) - 1) / stride_i) + 1`.
    `padding` holds the `n` low pads then the `n` high pads; padded elements
    are zero. `F` is divisible by `groups`. Bias is a separate `optc.add`.

    Example:

    ```mlir
    %y = optc.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
                            padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64}
        : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>) -> tensor<1x64x112x112xf32>
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$input, Optc_NumericTensor:$weight,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$padding, I64Attr:$groups);
  let results = (outs Optc_NumericTensor:$output);
  let assemblyFormat =
      "$input `,` $weight attr-dict `:` functional-type(operands, results)";
  let inference = Optc_ShapeRule<["input", "weight"],
      [{shape::conv(input, weight, windowOf(adaptor), adaptor.getGroups(),
                    sink.fn())}], [0, 1]>;
}

def Optc_ConvTransposeOp : Optc_InferOp<"conv_transpose"> {
  let summary = "N-d transposed (fractionally strided) convolution";
  let description = [{
    The gradient of `optc.conv` with respect to its input: `input`
    (`N x C x D1 ... Dn`) and `weight` (`C x F/groups x K1 ... Kn`) give
    `N x F x O1 ... On` with
    `Oi = stride_i * (Di - 1) + output_padding_i + dilation_i * (Ki - 1) + 1 - low_i - high_i`.
    `padding` holds the `n` low pads then the `n` high pads removed from the
    full result; `output_padding_i` is smaller than `stride_i` or
    `dilation_i`.

    Example:

    ```mlir
    %y = optc.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>,
            padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 1, 1>, groups = 1 : i64}
        : (tensor<1x8x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x32x32xf32>
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$input, Optc_NumericTensor:$weight,
                       DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$padding,
                       DenseI64ArrayAttr:$output_padding, I64Attr:$groups);
  let results = (outs Optc_NumericTensor:$output);
  let assemblyFormat =
      "$input `,` $weight attr-dict `:` functional-type(operands, results)";
  let inference = Optc_ShapeRule<["input", "weight"],
      [{shape::convTranspose(input, weight, windowOf(adaptor),
                             adaptor.getOutputPadding(), adaptor.getGroups(),
                             sink.fn())}], [0, 1]>;
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

class Optc_PoolOp<string mnemonic, string what, Type tensorType,
                  dag extraArgs = (ins), string exampleAttrs = "",
                  string extraDoc = ""> : Optc_InferOp<mnemonic> {
  let summary = "N-d " # what # " pooling";
  let description = "Pools windows of `kernel_shape` over the spatial "
    # "dimensions of an `N x C x D1 ... Dn` input, taking the " # what
    # ". `padding` holds the `n` low pads then the `n` high pads; "
    # "`ceil_mode` rounds the number of windows up, dropping a last window "
    # "that would start in the high padding. Output sizes are "
    # "`floor_or_ceil((Di + low_i + high_i - dilation_i * (Ki - 1) - 1) / "
    # "stride_i) + 1`." # extraDoc # "\n\nExample:\n\n```mlir\n%y = optc."
    # mnemonic # " %x {kernel_shape = array<i64: 3, 3>, strides = array<i64: "
    # "2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>"
    # exampleAttrs # "}\n"
    # "    : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>\n```\n";
  let arguments = !con((ins tensorType:$input,
                            DenseI64ArrayAttr:$kernel_shape,
                            DenseI64ArrayAttr:$strides,
                            DenseI64ArrayAttr:$dilations,
                            DenseI64ArrayAttr:$padding,
                            DefaultValuedAttr<BoolAttr, "false">:$ceil_mode),
                       extraArgs);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let inference = Optc_FromInput<
      [{shape::pool(input, adaptor.getKernelShape(), windowOf(adaptor),
                    adaptor.getCeilMode(), sink.fn())}]>;
}

def Optc_MaxPoolOp : Optc_PoolOp<"max_pool", "maximum", Optc_NumericTensor>;
def Optc_AvgPoolOp : Optc_PoolOp<"avg_pool", "average", Optc_FloatTensor,
    (ins DefaultValuedAttr<BoolAttr, "false">:$count_include_pad),
    ", count_include_pad = true", " The divisor is the number of window "
    # "elements inside the input, or with `count_include_pad` also those in "
    # "the declared padding; positions a `ceil_mode` window reaches beyond "
    # "the padding never count.">;
def Optc_LpPoolOp : Optc_PoolOp<"lp_pool", "Lp norm (p-th root of the sum "
    # "of |x|^p)", Optc_FloatTensor, (ins I64Attr:$p), ", p = 2 : i64"> {
  let hasVerifier = 1;
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCCONTRACTIONOPS_TD
