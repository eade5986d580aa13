//===- OptcElementwiseOps.td - elementwise operations ----------*- tablegen -*-===//
//
// Unary and binary (broadcasting) arithmetic, logic, bitwise operations,
// classification, comparison, select and the element type conversions.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCELEMENTWISEOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCELEMENTWISEOPS_TD

include "dialects/Optc/IR/OptcBase.td"

//===----------------------------------------------------------------------===//
// Elementwise unary operations
//===----------------------------------------------------------------------===//

class Optc_UnaryOp<string mnemonic, Type tensorType, string what,
                   string exampleType = "tensor<2x3xf32>", bit folder = 0,
                   list<Trait> traits = []>
    : Optc_Op<mnemonic, !listconcat(traits,
        [Pure, Elementwise, SameOperandsAndResultType])> {
  let summary = "Elementwise " # what;
  let description = "Computes " # what # " of every element of the input. "
    # "The result has the type of the input.\n\nExample:\n\n```mlir\n"
    # "%y = optc." # mnemonic # " %x : " # exampleType # "\n```\n";
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$output);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let hasFolder = folder;
}

class Optc_FloatUnaryOp<string mnemonic, string what, bit folder = 0>
    : Optc_UnaryOp<mnemonic, Optc_FloatTensor, what, "tensor<2x3xf32>",
                   folder>;

def Optc_ExpOp : Optc_FloatUnaryOp<"exp", "the exponential e^x", 1>;
def Optc_Expm1Op : Optc_FloatUnaryOp<"expm1",
    "e^x - 1 (accurate near 0, where exp(x) - 1 cancels)", 1>;
def Optc_LogOp : Optc_FloatUnaryOp<"log", "the natural logarithm", 1>;
def Optc_SqrtOp : Optc_FloatUnaryOp<"sqrt", "the square root", 1>;
def Optc_RsqrtOp : Optc_FloatUnaryOp<"rsqrt", "the reciprocal square root", 1>;
def Optc_ReciprocalOp : Optc_FloatUnaryOp<"reciprocal", "the reciprocal 1/x", 1>;
def Optc_SinOp : Optc_FloatUnaryOp<"sin", "the sine", 1>;
def Optc_CosOp : Optc_FloatUnaryOp<"cos", "the cosine", 1>;
def Optc_TanOp : Optc_FloatUnaryOp<"tan", "the tangent">;
def Optc_AsinOp : Optc_FloatUnaryOp<"asin", "the arc sine">;
def Optc_AcosOp : Optc_FloatUnaryOp<"acos", "the arc cosine">;
def Optc_AtanOp : Optc_FloatUnaryOp<"atan", "the arc tangent">;
def Optc_SinhOp : Optc_FloatUnaryOp<"sinh", "the hyperbolic sine">;
def Optc_CoshOp : Optc_FloatUnaryOp<"cosh", "the hyperbolic cosine">;
def Optc_TanhOp : Optc_FloatUnaryOp<"tanh", "the hyperbolic tangent", 1>;
def Optc_AsinhOp : Optc_FloatUnaryOp<"asinh", "the inverse hyperbolic sine">;
def Optc_AcoshOp : Optc_FloatUnaryOp<"acosh",
    "the inverse hyperbolic cosine">;
def Optc_AtanhOp : Optc_FloatUnaryOp<"atanh",
    "the inverse hyperbolic tangent">;
def Optc_ErfOp : Optc_FloatUnaryOp<"erf", "the error function", 1>;
def Optc_SigmoidOp : Optc_FloatUnaryOp<"sigmoid",
    "the logistic sigmoid 1/(1+e^-x)", 1>;
def Optc_SoftplusOp : Optc_FloatUnaryOp<"softplus", "softplus log(1+e^x)">;
def Optc_FloorOp : Optc_FloatUnaryOp<"floor",
    "the largest integral value not above x", 1>;
def Optc_CeilOp : Optc_FloatUnaryOp<"ceil",
    "the smallest integral value not below x", 1>;
def Optc_RoundOp : Optc_FloatUnaryOp<"round",
    "rounding to the nearest integral value, ties to even", 1>;

def Optc_GeluOp : Optc_UnaryOp<"gelu", Optc_FloatTensor,
    "the Gaussian error linear unit x*Phi(x)"> {
  let description = [{
    Computes `x * Phi(x)`, where `Phi` is the standard normal CDF. With the
    `tanh_approximation` unit attribute it uses
    `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))` instead.

    Example:

    ```mlir
    %y = optc.gelu %x : tensor<2x3xf32>
    %z = optc.gelu %x {tanh_approximation} : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input,
                       UnitAttr:$tanh_approximation);
}

def Optc_NegOp : Optc_UnaryOp<"neg", Optc_NumericTensor, "the negation",
                              "tensor<4xi32>", 1>;
def Optc_AbsOp : Optc_UnaryOp<"abs", Optc_NumericTensor, "the absolute value",
                              "tensor<4xf16>", 1>;
def Optc_SignOp : Optc_UnaryOp<"sign", Optc_NumericTensor,
    "the sign (-1, 0 or 1; NaN stays NaN)", "tensor<4xf32>">;
def Optc_ReluOp : Optc_UnaryOp<"relu", Optc_NumericTensor, "max(x, 0)",
                               "tensor<4xf32>", 1>;
def Optc_NotOp : Optc_UnaryOp<"not", Optc_BoolTensor, "the logical negation",
                              "tensor<4xi1>", 1>;
def Optc_BitwiseNotOp : Optc_UnaryOp<"bitwise_not", Optc_IntTensor,
    "the bitwise complement", "tensor<4xui8>", 1>;

class Optc_ClassifyOp<string mnemonic, string what>
    : Optc_InferOp<mnemonic, [Elementwise, SameOperandsAndResultShape]> {
  let summary = "Tests every element for " # what;
  let results = (outs Optc_BoolTensor:$output);
  let assemblyFormat =
      "$input attr-dict `:` type($input) `->` type($output)";
  // No rule to check: the result has the input's shape.
  let inference = Optc_FromInput<"::mlir::success()", Optc_I1Result>;
}

def Optc_IsNanOp : Optc_ClassifyOp<"is_nan", "NaN"> {
  let description = [{
    True where the element is a NaN.

    Example:

    ```mlir
    %m = optc.is_nan %x : tensor<8xf32> -> tensor<8xi1>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input);
}

def Optc_IsInfOp : Optc_ClassifyOp<"is_inf", "infinity"> {
  let description = [{
    True where the element is an infinity of a sign that is detected:
    `detect_positive` and `detect_negative` both default to true.

    Example:

    ```mlir
    %m = optc.is_inf %x {detect_negative = false} : tensor<8xf32> -> tensor<8xi1>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_positive,
                       DefaultValuedAttr<BoolAttr, "true">:$detect_negative);
}

//===----------------------------------------------------------------------===//
// Elementwise binary operations with numpy broadcasting
//===----------------------------------------------------------------------===//

class Optc_BinaryOp<string mnemonic, Type tensorType, string what,
                    string exampleElem = "f32", bit folder = 0,
                    list<Trait> traits = []>
    : Optc_InferOp<mnemonic, traits> {
  let summary = "Elementwise " # what # " with broadcasting";
  let description = "Computes " # what # " of the two operands element by "
    # "element. The operands have the same element type; their shapes "
    # "broadcast by numpy rules (dimensions are aligned from the right; a "
    # "dimension of 1 stretches) to the result shape.\n\nExample:\n\n"
    # "```mlir\n%z = optc." # mnemonic # " %x, %y : (tensor<2x3x" # exampleElem
    # ">, tensor<3x" # exampleElem # ">) -> tensor<2x3x" # exampleElem
    # ">\n```\n";
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = folder;
  let inference = Optc_Broadcasting<["lhs", "rhs"]>;
}

def Optc_AddOp : Optc_BinaryOp<"add", Optc_NumericTensor, "addition", "f32", 1,
                               [Commutative]>;
def Optc_SubOp : Optc_BinaryOp<"sub", Optc_NumericTensor, "subtraction",
                               "f32", 1>;
def Optc_MulOp : Optc_BinaryOp<"mul", Optc_NumericTensor, "multiplication",
                               "f32", 1, [Commutative]>;
def Optc_DivOp : Optc_BinaryOp<"div", Optc_NumericTensor,
    "division (integers truncate toward zero)", "i32", 1>;
def Optc_PowOp : Optc_BinaryOp<"pow", Optc_NumericTensor, "the power x^y",
                               "f32", 1>;
def Optc_MaxOp : Optc_BinaryOp<"max", Optc_NumericTensor,
    "maximum (NaN if either is NaN)", "f32", 1, [Commutative]>;
def Optc_MinOp : Optc_BinaryOp<"min", Optc_NumericTensor,
    "minimum (NaN if either is NaN)", "f32", 1, [Commutative]>;
def Optc_AndOp : Optc_BinaryOp<"and", Optc_BoolTensor, "logical and", "i1", 1,
                               [Commutative]>;
def Optc_OrOp : Optc_BinaryOp<"or", Optc_BoolTensor, "logical or", "i1", 1,
                              [Commutative]>;
def Optc_XorOp : Optc_BinaryOp<"xor", Optc_BoolTensor, "logical exclusive or",
                               "i1", 1, [Commutative]>;
def Optc_BitwiseAndOp : Optc_BinaryOp<"bitwise_and", Optc_IntTensor,
    "bitwise and", "i32", 1, [Commutative]>;
def Optc_BitwiseOrOp : Optc_BinaryOp<"bitwise_or", Optc_IntTensor,
    "bitwise or", "i32", 1, [Commutative]>;
def Optc_BitwiseXorOp : Optc_BinaryOp<"bitwise_xor", Optc_IntTensor,
    "bitwise exclusive or", "i32", 1, [Commutative]>;
def Optc_ShiftLeftOp : Optc_BinaryOp<"shift_left", Optc_IntTensor,
    "a left shift of lhs by rhs bits (0 when rhs >= the bit width; a "
    # "negative rhs of a signed type is undefined)", "ui8", 1>;
def Optc_ShiftRightOp : Optc_BinaryOp<"shift_right", Optc_IntTensor,
    "a right shift of lhs by rhs bits, arithmetic for signed and logical for "
    # "unsigned types (rhs >= the bit width shifts every bit out; a negative "
    # "rhs of a signed type is undefined)", "ui8", 1>;

def Optc_RemOp : Optc_InferOp<"rem"> {
  let summary = "Elementwise remainder with broadcasting";
  let description = [{
    The remainder of `lhs / rhs`. By default its sign is that of the divisor
    (Python's `%`, ONNX `Mod` with `fmod = 0`); with the `fmod` unit
    attribute its sign is that of the dividend (C's `fmod`). Both forms are
    defined for integers and floats. Operands broadcast by numpy rules.

    Example:

    ```mlir
    %r = optc.rem %x, %y : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
    %f = optc.rem %a, %b {fmod} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$lhs, Optc_NumericTensor:$rhs,
                       UnitAttr:$fmod);
  let results = (outs Optc_NumericTensor:$output);
  let assemblyFormat =
      "$lhs `,` $rhs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_Broadcasting<["lhs", "rhs"]>;
}

def Optc_CompareOp : Optc_InferOp<"compare"> {
  let summary = "Elementwise comparison with broadcasting";
  let description = [{
    Compares two tensors of the same element type element by element and
    yields `i1`. Operands broadcast by numpy rules. Integer comparisons
    follow the signedness of the type (`iN` signed, `uiN` unsigned) and `i1`
    orders `false < true`; float comparisons are ordered, so any comparison
    with NaN is false except `ne`.

    Example:

    ```mlir
    %m = optc.compare lt, %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
    ```
  }];
  let arguments = (ins Optc_ComparePredicate:$predicate, Optc_Tensor:$lhs,
                       Optc_Tensor:$rhs);
  let results = (outs Optc_BoolTensor:$output);
  let assemblyFormat = "$predicate `,` $lhs `,` $rhs attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_Broadcasting<["lhs", "rhs"], [0, 1], Optc_I1Result>;
}

def Optc_SelectOp : Optc_InferOp<"select"> {
  let summary = "Elementwise choice between two tensors";
  let description = [{
    Takes `on_true` where `condition` is true and `on_false` elsewhere. The
    three operands broadcast together by numpy rules.

    Example:

    ```mlir
    %r = optc.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    ```
  }];
  let arguments = (ins Optc_BoolTensor:$condition, Optc_Tensor:$on_true,
                       Optc_Tensor:$on_false);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$condition `,` $on_true `,` $on_false attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
  let inference =
      Optc_Broadcasting<["condition", "on_true", "on_false"], [1, 2]>;
}

def Optc_CastOp : Optc_Op<"cast",
    [Pure, Elementwise, SameOperandsAndResultShape]> {
  let summary = "Elementwise conversion to another element type";
  let description = [{
    Converts every element to the element type of the result. Float to
    float rounds to nearest even; float to integer truncates toward zero;
    integer to integer wraps; anything to `i1` is `x != 0`; `i1` to numbers
    gives 0 or 1. When the result is an 8-bit or narrower float format,
    `saturate` (the default) clamps out-of-range values to the largest finite
    value instead of producing infinity or NaN.

    Example:

    ```mlir
    %y = optc.cast %x : tensor<4xf32> -> tensor<4xbf16>
    %q = optc.cast %x {saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input,
                       DefaultValuedAttr<BoolAttr, "true">:$saturate);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasFolder = 1;
  let hasCanonicalizer = 1;
  let hasVerifier = 1;
}

def Optc_BitcastOp : Optc_Op<"bitcast",
    [Pure, Elementwise, SameOperandsAndResultShape]> {
  let summary = "Reinterprets the bits of every element as another type";
  let description = [{
    Gives every element the element type of the result without changing
    its bits; both element types have the same width.

    Example:

    ```mlir
    %bits = optc.bitcast %x : tensor<4xf32> -> tensor<4xui32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($output)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCELEMENTWISEOPS_TD
