//===- OptcReductionOps.td - reductions and normalisations -----*- tablegen -*-===//
//
// Reductions over axes, index reductions, scans, softmax and the
// normalisations.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCREDUCTIONOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCREDUCTIONOPS_TD

include "dialects/Optc/IR/OptcBase.td"

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

class Optc_ReduceOp<string mnemonic, string what, Type tensorType,
                    string exampleElem = "f32">
    : Optc_InferOp<mnemonic> {
  let summary = "Reduction by " # what # " over a set of axes";
  let description = "Reduces the input over `axes` (sorted, unique, "
    # "non-negative) by " # what # ". With `keep_dims` the reduced "
    # "dimensions stay as size 1. Empty `axes` reduce nothing.\n\n"
    # "Example:\n\n```mlir\n%s = optc." # mnemonic # " %x {axes = array<i64: 1>, "
    # "keep_dims = true} : (tensor<4x8x" # exampleElem # ">) -> tensor<4x1x"
    # exampleElem # ">\n```\n";
  let arguments = (ins tensorType:$input, DenseI64ArrayAttr:$axes,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      [{shape::reduce(input, adaptor.getAxes(), adaptor.getKeepDims(),
                      sink.fn())}]>;
}

def Optc_ReduceSumOp : Optc_ReduceOp<"reduce_sum", "sum", Optc_NumericTensor>;
def Optc_ReduceMeanOp : Optc_ReduceOp<"reduce_mean", "arithmetic mean",
                                      Optc_NumericTensor>;
def Optc_ReduceProdOp : Optc_ReduceOp<"reduce_prod", "product",
                                      Optc_NumericTensor, "i64">;
def Optc_ReduceMaxOp : Optc_ReduceOp<"reduce_max",
    "maximum (logical or on i1)", Optc_Tensor>;
def Optc_ReduceMinOp : Optc_ReduceOp<"reduce_min",
    "minimum (logical and on i1)", Optc_Tensor, "i1">;

class Optc_ArgReduceOp<string mnemonic, string what> : Optc_InferOp<mnemonic> {
  let summary = "Index of the " # what # " along an axis";
  let description = "The `i64` index of the " # what # " element along "
    # "`axis`; ties give the first index, or the last with "
    # "`select_last_index`. With `keep_dims` the axis stays as size 1.\n\n"
    # "Example:\n\n```mlir\n%i = optc." # mnemonic # " %x {axis = 1 : i64} "
    # ": (tensor<4x10xf32>) -> tensor<4xi64>\n```\n";
  let arguments = (ins Optc_NumericTensor:$input, I64Attr:$axis,
                       DefaultValuedAttr<BoolAttr, "false">:$keep_dims,
                       DefaultValuedAttr<BoolAttr, "false">:$select_last_index);
  let results = (outs Optc_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let inference = Optc_FromInput<
      [{shape::argReduce(input, adaptor.getAxis(), adaptor.getKeepDims(),
                         sink.fn())}], Optc_I64Result>;
}

def Optc_ArgMaxOp : Optc_ArgReduceOp<"arg_max", "largest">;
def Optc_ArgMinOp : Optc_ArgReduceOp<"arg_min", "smallest">;

class Optc_ScanReduceOp<string mnemonic, string what>
    : Optc_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = "Cumulative " # what # " along one axis";
  let description = "Element `i` along `axis` is the " # what # " of the "
    # "elements up to and including `i`; with `exclusive` it stops before "
    # "`i` (the first element is the identity), with `reverse` it runs from "
    # "the end.\n\nExample:\n\n```mlir\n%y = optc." # mnemonic
    # " %x {axis = 1 : i64, exclusive, reverse} : tensor<2x5xf32>\n```\n";
  let arguments = (ins Optc_NumericTensor:$input, I64Attr:$axis,
                       UnitAttr:$exclusive, UnitAttr:$reverse);
  let results = (outs Optc_NumericTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Optc_CumSumOp : Optc_ScanReduceOp<"cum_sum", "sum">;
def Optc_CumProdOp : Optc_ScanReduceOp<"cum_prod", "product">;

//===----------------------------------------------------------------------===//
// Softmax and normalisations
//===----------------------------------------------------------------------===//

class Optc_SoftmaxOp<string mnemonic, string what>
    : Optc_Op<mnemonic, [Pure, SameOperandsAndResultType]> {
  let summary = what # " along one axis";
  let description = "Computes " # what # " of the input along `axis`, "
    # "subtracting the maximum first so that large inputs do not overflow.\n\n"
    # "Example:\n\n```mlir\n%p = optc." # mnemonic
    # " %x {axis = 1 : i64} : tensor<2x10xf32>\n```\n";
  let arguments = (ins Optc_FloatTensor:$input, I64Attr:$axis);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasVerifier = 1;
}

def Optc_SoftmaxOp : Optc_SoftmaxOp<"softmax", "softmax">;
def Optc_LogSoftmaxOp : Optc_SoftmaxOp<"log_softmax", "log-softmax">;

def Optc_LayerNormOp : Optc_InferOp<"layer_norm"> {
  let summary = "Layer normalisation over the trailing dimensions";
  let description = [{
    Normalises the input over the dimensions from `axis` to the last one:
    `(x - mean) / sqrt(variance + epsilon) * scale + bias`. `scale` and the
    optional `bias` broadcast (numpy rules) to the normalised shape
    `input.shape[axis:]`.

    The statistics and the normalised values are computed in the wider of
    `stash_type` (ONNX's attribute) and the element type, then rounded to
    the element type before `scale` applies; without `stash_type`, 16-bit
    floats compute in f32. (In f16, `(x - mean)^2` overflows once
    |x - mean| > 256.)

    Example:

    ```mlir
    %y = optc.layer_norm %x, %gamma, %beta {axis = 2 : i64, epsilon = 1.0e-05 : f64}
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input, Optc_FloatTensor:$scale,
                       Optional<Optc_FloatTensor>:$bias, I64Attr:$axis,
                       F64Attr:$epsilon,
                       OptionalAttr<TypeAttrOf<AnyFloat>>:$stash_type);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale (`,` $bias^)? attr-dict `:` "
                       "functional-type(operands, results)";
}

def Optc_RmsNormOp : Optc_InferOp<"rms_norm"> {
  let summary = "Root-mean-square normalisation over the trailing dimensions";
  let description = [{
    `x / sqrt(mean(x^2) + epsilon) * scale`, with the mean over the
    dimensions from `axis` to the last one. `scale` broadcasts (numpy rules)
    to `input.shape[axis:]`.

    The statistics and the normalised values are computed in the wider of
    `stash_type` (ONNX's attribute) and the element type, then rounded to
    the element type before `scale` applies; without `stash_type`, 16-bit
    floats compute in f32. (In f16, `(x - mean)^2` overflows once
    |x - mean| > 256.)

    Example:

    ```mlir
    %y = optc.rms_norm %x, %gamma {axis = 2 : i64, epsilon = 1.0e-06 : f64}
        : (tensor<1x16x512xf16>, tensor<512xf16>) -> tensor<1x16x512xf16>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input, Optc_FloatTensor:$scale,
                       I64Attr:$axis, F64Attr:$epsilon,
                       OptionalAttr<TypeAttrOf<AnyFloat>>:$stash_type);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale attr-dict `:` "
                       "functional-type(operands, results)";
}

def Optc_BatchNormOp : Optc_InferOp<"batch_norm"> {
  let summary = "Batch normalisation with running statistics (inference)";
  let description = [{
    `(x - mean) / sqrt(variance + epsilon) * scale + bias` per channel of an
    `N x C x ...` input; `scale`, `bias`, `mean` and `variance` have shape
    `C`.

    Example:

    ```mlir
    %y = optc.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f64}
        : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>)
        -> tensor<1x64x56x56xf32>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input, Optc_FloatTensor:$scale,
                       Optc_FloatTensor:$bias, Optc_FloatTensor:$mean,
                       Optc_FloatTensor:$variance, F64Attr:$epsilon);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias `,` $mean `,` $variance "
                       "attr-dict `:` functional-type(operands, results)";
}

def Optc_GroupNormOp : Optc_InferOp<"group_norm"> {
  let summary = "Group normalisation (instance normalisation when groups = C)";
  let description = [{
    Splits the `C` channels of an `N x C x ...` input into `num_groups`
    groups, normalises each group of each sample over its channels and
    spatial positions, then applies the per-channel `scale` and `bias`
    (shape `C`). With `num_groups = C` this is instance normalisation.

    The statistics and the normalised values are computed in the wider of
    `stash_type` (ONNX's attribute) and the element type, then rounded to
    the element type before `scale` applies; without `stash_type`, 16-bit
    floats compute in f32. (In f16, `(x - mean)^2` overflows once
    |x - mean| > 256.)

    Example:

    ```mlir
    %y = optc.group_norm %x, %s, %b {num_groups = 8 : i64, epsilon = 1.0e-05 : f64}
        : (tensor<2x32x16x16xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<2x32x16x16xf32>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input, Optc_FloatTensor:$scale,
                       Optc_FloatTensor:$bias, I64Attr:$num_groups,
                       F64Attr:$epsilon,
                       OptionalAttr<TypeAttrOf<AnyFloat>>:$stash_type);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "$input `,` $scale `,` $bias attr-dict `:` "
                       "functional-type(operands, results)";
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCREDUCTIONOPS_TD
