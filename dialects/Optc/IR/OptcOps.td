//===- OptcOps.td - optc operations ----------------------------*- tablegen -*-===//
//
// The operations of the optc dialect. Every result type is computed by the
// shared shape rules in OptcShapes.h (through InferTypeOpInterface); the
// verifiers are those rules plus the constraints below.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCOPS_TD

include "dialects/Optc/IR/OptcDialect.td"
include "dialects/Optc/IR/OptcAttrs.td"
include "mlir/IR/BuiltinAttributeInterfaces.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/IR/SymbolInterfaces.td"
include "mlir/Interfaces/ControlFlowInterfaces.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Optc_IntElement : Type<CPred<"::mlir::optc::isIntegerElementType($_self)">,
    "integer (iN signed or uiN unsigned, N > 1)">;
def Optc_NumericElement : AnyTypeOf<[AnyFloat, Optc_IntElement]>;
def Optc_Element : AnyTypeOf<[AnyFloat, Optc_IntElement, I1]>;

def Optc_Tensor : RankedTensorOf<[Optc_Element]>;
def Optc_FloatTensor : RankedTensorOf<[AnyFloat]>;
def Optc_IntTensor : RankedTensorOf<[Optc_IntElement]>;
def Optc_BoolTensor : RankedTensorOf<[I1]>;
def Optc_IntOrBoolTensor : RankedTensorOf<[Optc_IntElement, I1]>;
def Optc_NumericTensor : RankedTensorOf<[Optc_NumericElement]>;
def Optc_IndexTensor : RankedTensorOf<[I32, I64]>;
def Optc_I64Tensor : RankedTensorOf<[I64]>;

//===----------------------------------------------------------------------===//
// Base classes
//===----------------------------------------------------------------------===//

class Optc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Optc_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Result-type inference
//
// An Optc_InferOp names its inference rule in `inference`, in one line, and
// mlir-tblgen generates its inferReturnTypes from it (into OptcOps.cpp.inc,
// which OptcOps.cpp includes after the helpers the generated bodies call:
// ErrorSink, inferBroadcast, inferFromOperands and windowOf, declared in its
// "Inference helpers" section). For example:
//
//   let inference = Optc_Broadcasting<["lhs", "rhs"]>;
//   let inference = Optc_FromInput<
//       "shape::transpose(input, adaptor.getPermutation(), sink.fn())">;
//   let inference = Optc_ShapeRule<["lhs", "rhs"],
//       "shape::matmul(lhs, rhs, sink.fn())", [0, 1]>;
//
// A rule is a C++ expression over the shapes of the listed operands
// (`ArrayRef<int64_t>`s named like the operands), `adaptor` (the op's
// adaptor, for attributes), `context` and `sink.fn()` (the error callback
// of the shape rules in OptcShapes.h). It gives a `FailureOr<shape::Shape>`
// (or a `shape::Shape`), or a `LogicalResult`: a check only, after which
// the result has the first operand's shape. An op whose inference fits no
// rule (several or data-dependent results, optional or variadic operands)
// keeps the default Optc_HandWrittenInference and defines inferReturnTypes
// in OptcOps.cpp.
//===----------------------------------------------------------------------===//

// The statements of a generated inferReturnTypes, which has the parameters
// `context`, `loc`, `adaptor` and `inferred`; empty: written by hand.
class Optc_Inference<code b> {
  code body = b;
}

def Optc_HandWrittenInference : Optc_Inference<"">;

// `adaptor.getOnTrue()` for the operand `on_true`.
class Optc_OperandGetter<string name> {
  string ret = "adaptor.get"
    # !foldl(!toupper(!substr(name, 0, 1)), !range(1, !size(name)), acc, i,
        !cond(!eq(!substr(name, i, 1), "_") : acc,
              !eq(!substr(name, !sub(i, 1), 1), "_")
                  : acc # !toupper(!substr(name, i, 1)),
              true : acc # !substr(name, i, 1)))
    # "()";
}

// The arguments `{adaptor.getLhs(), adaptor.getRhs()}, {"lhs", "rhs"},
// {0, 1}, <element>` of the inference helpers: the operands, their names,
// the indices of those that share an element type, and the result element
// type (nullptr: the operands').
class Optc_InferenceArgs<list<string> operands, list<int> sameType,
                         string element> {
  string ret = "{"
    # !interleave(!foreach(o, operands, Optc_OperandGetter<o>.ret), ", ")
    # "},\n      {"
    # !interleave(!foreach(o, operands, "\"" # o # "\""), ", ")
    # "}, {" # !interleave(sameType, ", ") # "}, " # element;
}

// Result element types other than the operands', as C++ expressions.
defvar Optc_I1Result = "::mlir::IntegerType::get(context, 1)";
defvar Optc_I64Result = "::mlir::IntegerType::get(context, 64)";

// Numpy broadcasting of `operands`, of which those at the indices `sameType`
// have one element type; the result has it too, or `element`.
class Optc_Broadcasting<list<string> operands, list<int> sameType = [0, 1],
                        string element = "nullptr">
    : Optc_Inference<"  return inferBroadcast("
        # Optc_InferenceArgs<operands, sameType, element>.ret
        # ",\n      ErrorSink(loc, getOperationName()), inferred);\n">;

// One result whose shape is `rule` over the shapes of `operands` (all ranked
// tensors; those at the indices `sameType` of one element type), and whose
// element type is the first operand's or `element`.
class Optc_ShapeRule<list<string> operands, code rule,
                     list<int> sameType = [], string element = "nullptr">
    : Optc_Inference<"  ErrorSink sink(loc, getOperationName());\n"
        # "  return inferFromOperands("
        # Optc_InferenceArgs<operands, sameType, element>.ret
        # ", sink, inferred,\n"
        # "      [&](::llvm::ArrayRef<::llvm::ArrayRef<int64_t>> shapes) {\n"
        # !interleave(!foreach(i, !range(operands),
            "        [[maybe_unused]] ::llvm::ArrayRef<int64_t> "
            # operands[i] # " = shapes[" # i # "];\n"), "")
        # "        return " # rule # ";\n      });\n">;

// The common case: the shape of the operand `input` through `rule`.
class Optc_FromInput<code rule, string element = "nullptr">
    : Optc_ShapeRule<["input"], rule, [], element>;

// An op whose result types come from its shape rule. A declared result type
// may know more sizes than the rule (from elsewhere) or fewer (before
// --optc-infer-shapes has run), but never contradict it.
class Optc_InferOp<string mnemonic, list<Trait> traits = []>
    : Optc_Op<mnemonic, !listconcat(traits,
        [Pure, InferTypeOpAdaptorWithIsCompatible])> {
  // How inferReturnTypes computes the result types (see above).
  Optc_Inference inference = Optc_HandWrittenInference;

  let extraClassDefinition = [{
    bool $cppClass::isCompatibleReturnTypes(::mlir::TypeRange inferred,
                                            ::mlir::TypeRange actual) {
      return ::mlir::optc::areCompatibleShapes(inferred, actual);
    }
  }] # !if(!empty(inference.body), "",
      "\n::llvm::LogicalResult $cppClass::inferReturnTypes(\n    "
      # "::mlir::MLIRContext *context, std::optional<::mlir::Location> loc,"
      # "\n    Adaptor adaptor, "
      # "::llvm::SmallVectorImpl<::mlir::Type> &inferred) {\n"
      # inference.body # "}\n");
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Optc_ConstantOp : Optc_Op<"constant",
    [ConstantLike, Pure, AllTypesMatch<["value", "output"]>]> {
  let summary = "A constant tensor";
  let description = [{
    Produces a tensor whose elements are given by an elements attribute:
    `dense<...>` for small values, `dense_resource<...>` for weights, whose
    bytes live in the module's resource blob section and are not copied.

    Example:

    ```mlir
    %c = optc.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %w = optc.constant dense_resource<weight0> : tensor<64x64xf16>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>];
}

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

def Optc_TopKOp : Optc_InferOp<"top_k"> {
  let summary = "The k largest or smallest elements along an axis";
  let description = [{
    Returns the `k` largest (or, with `largest = false`, smallest) elements
    along `axis` and their `i64` indices. With `sorted` (the default) they
    are in order, largest first (smallest first); ties keep the lower index
    first. `k` is at most the size of the axis.

    Example:

    ```mlir
    %v, %i = optc.top_k %x {axis = 1 : i64, k = 3 : i64}
        : (tensor<2x10xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$input, I64Attr:$axis, I64Attr:$k,
                       DefaultValuedAttr<BoolAttr, "true">:$largest,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Optc_NumericTensor:$values, Optc_I64Tensor:$indices);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

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

//===----------------------------------------------------------------------===//
// Shape operations
//===----------------------------------------------------------------------===//

def Optc_ReshapeOp : Optc_InferOp<"reshape"> {
  let summary = "Reinterprets a tensor with another shape";
  let description = [{
    Gives the elements of the input, in row-major order, the shape `shape`.
    At most one entry of `shape` may be -1: that dimension is computed from
    the element count. The element count does not change.

    Example:

    ```mlir
    %y = optc.reshape %x {shape = array<i64: 2, -1>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::reshape(input, adaptor.getShape(), sink.fn())">;
}

def Optc_TransposeOp : Optc_InferOp<"transpose"> {
  let summary = "Permutes the dimensions of a tensor";
  let description = [{
    Result dimension `i` is input dimension `permutation[i]`.

    Example:

    ```mlir
    %y = optc.transpose %x {permutation = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::transpose(input, adaptor.getPermutation(), sink.fn())">;
}

def Optc_BroadcastOp : Optc_InferOp<"broadcast"> {
  let summary = "Broadcasts a tensor to a given shape";
  let description = [{
    Stretches the input to exactly `shape` by numpy rules: the input's
    dimensions are aligned with the trailing entries of `shape` and each is
    1 or equal to its entry.

    Example:

    ```mlir
    %y = optc.broadcast %x {shape = array<i64: 4, 2, 3>} : (tensor<2x1xf32>) -> tensor<4x2x3xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::staticBroadcast(input, adaptor.getShape(), sink.fn())">;
}

def Optc_ConcatOp : Optc_InferOp<"concat"> {
  let summary = "Joins tensors along one axis";
  let description = [{
    Concatenates one or more tensors of the same element type and rank along
    `axis`; all other dimensions are equal.

    Example:

    ```mlir
    %y = optc.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Optc_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$inputs attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Optc_SplitOp : Optc_InferOp<"split"> {
  let summary = "Splits a tensor into pieces along one axis";
  let description = [{
    Cuts the input along `axis` into consecutive pieces of the given
    `sizes`, which add up to the size of that dimension.

    Example:

    ```mlir
    %a, %b = optc.split %x {axis = 1 : i64, sizes = array<i64: 2, 6>}
        : (tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<4x6xf32>)
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, I64Attr:$axis,
                       DenseI64ArrayAttr:$sizes);
  let results = (outs Variadic<Optc_Tensor>:$outputs);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
}

def Optc_SliceOp : Optc_InferOp<"slice"> {
  let summary = "A strided window of a tensor";
  let description = [{
    Takes, in every dimension `d`, the elements `starts[d]`,
    `starts[d] + strides[d]`, ... up to but excluding `limits[d]`. Bounds are
    positions from the start of the dimension, clamped like numpy's: with a
    positive stride into `[0, size]`, with a negative stride into
    `[-1, size - 1]` (the window then runs backwards, and -1 means "past the
    first element"). A stride is never zero. When a size is unknown the
    clamping happens at run time and the result size is unknown.

    Example:

    ```mlir
    %y = optc.slice %x {starts = array<i64: 0, 7>, limits = array<i64: 4, -1>, strides = array<i64: 2, -1>}
        : (tensor<4x8xf32>) -> tensor<2x8xf32>
    %z = optc.slice %x {starts = array<i64: 1, 0>, limits = array<i64: 9223372036854775807, 3>, strides = array<i64: 1, 1>}
        : (tensor<4x8xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$limits, DenseI64ArrayAttr:$strides);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      [{shape::slice(input, adaptor.getStarts(), adaptor.getLimits(),
                     adaptor.getStrides(), sink.fn())}]>;
}

def Optc_PadOp : Optc_InferOp<"pad"> {
  let summary = "Pads (or with negative pads, crops) a tensor";
  let description = [{
    Adds `low[d]` elements before and `high[d]` after every dimension `d`;
    negative amounts remove elements. The new elements are:

    * `constant`: the optional 0-d `value` operand, else zero;
    * `reflect`: the mirror image without repeating the edge
      (pads are at most `size - 1`);
    * `edge`: copies of the edge element;
    * `wrap`: the elements from the opposite end (pads at most `size`).

    Example:

    ```mlir
    %y = optc.pad constant %x, %v {low = array<i64: 0, 1>, high = array<i64: 0, 2>}
        : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x6xf32>
    %z = optc.pad reflect %x {low = array<i64: 1, 1>, high = array<i64: 1, 1>}
        : (tensor<2x3xf32>) -> tensor<4x5xf32>
    ```
  }];
  let arguments = (ins Optc_PadMode:$mode, Optc_Tensor:$input,
                       Optional<Optc_Tensor>:$value, DenseI64ArrayAttr:$low,
                       DenseI64ArrayAttr:$high);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$mode $input (`,` $value^)? attr-dict `:` "
                       "functional-type(operands, results)";
  let hasFolder = 1;
}

def Optc_TileOp : Optc_InferOp<"tile"> {
  let summary = "Repeats a tensor along every dimension";
  let description = [{
    Repeats the input `multiples[d]` times along each dimension `d`.

    Example:

    ```mlir
    %y = optc.tile %x {multiples = array<i64: 2, 3>} : (tensor<2x3xi64>) -> tensor<4x9xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, DenseI64ArrayAttr:$multiples);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<
      "shape::tile(input, adaptor.getMultiples(), sink.fn())">;
}

//===----------------------------------------------------------------------===//
// Results whose sizes depend on the data
//===----------------------------------------------------------------------===//

def Optc_NonZeroOp : Optc_InferOp<"non_zero"> {
  let summary = "The indices of the non-zero elements";
  let description = [{
    The `i64` indices of the input's non-zero (true) elements in row-major
    order, one column per element: the result is `rank x count`, `count`
    known only at run time. Canonicalises to a constant for a constant
    input.

    Example:

    ```mlir
    %i = optc.non_zero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input);
  let results = (outs Optc_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Optc_UniqueOp : Optc_InferOp<"unique"> {
  let summary = "The distinct elements (or slices along an axis)";
  let description = [{
    The distinct elements of the flattened input, or with `axis` the
    distinct slices along `axis`, in ascending order with `sorted` (the
    default) or in order of first occurrence. Also returns, in `i64`, the
    index of each one's first occurrence, for every input element (slice)
    the index of its distinct value, and how often each occurs. Slices are
    ordered lexicographically.

    Example:

    ```mlir
    %y, %first, %inverse, %counts = optc.unique %x {axis = 0 : i64}
        : (tensor<4x3xf32>) -> (tensor<?x3xf32>, tensor<?xi64>, tensor<4xi64>, tensor<?xi64>)
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, OptionalAttr<I64Attr>:$axis,
                       DefaultValuedAttr<BoolAttr, "true">:$sorted);
  let results = (outs Optc_Tensor:$output, Optc_I64Tensor:$first_indices,
                      Optc_I64Tensor:$inverse_indices, Optc_I64Tensor:$counts);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
}

def Optc_NonMaxSuppressionOp : Optc_InferOp<"non_max_suppression"> {
  let summary = "Greedy non-maximum suppression of boxes, per class";
  let description = [{
    For every batch entry and class, visits the boxes (`batch x boxes x 4`)
    from the highest score (`batch x classes x boxes`) down, skips those
    whose score is not above `score_threshold` and those whose
    intersection over union with an already selected box is above
    `iou_threshold`, and selects at most `max_per_class`. Boxes are
    `[y1, x1, y2, x2]` corners (in either order), or
    `[x_center, y_center, width, height]` with `center_point_box`. The
    thresholds and the maximum are 0-d operands; the result lists
    `[batch, class, box]` index triples (`count x 3`).

    Example:

    ```mlir
    %sel = optc.non_max_suppression %boxes, %scores, %max, %iou, %score
        : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
    ```
  }];
  let arguments = (ins Optc_FloatTensor:$boxes, Optc_FloatTensor:$scores,
                       Optc_I64Tensor:$max_per_class,
                       Optc_FloatTensor:$iou_threshold,
                       Optc_FloatTensor:$score_threshold,
                       UnitAttr:$center_point_box);
  let results = (outs Optc_I64Tensor:$selected);
  let assemblyFormat = "$boxes `,` $scores `,` $max_per_class `,` "
                       "$iou_threshold `,` $score_threshold attr-dict `:` "
                       "functional-type(operands, results)";
}

//===----------------------------------------------------------------------===//
// Random numbers
//===----------------------------------------------------------------------===//

def Optc_RandomUniformOp : Optc_Op<"random_uniform"> {
  let summary = "Random numbers drawn uniformly from [low, high)";
  let description = [{
    A tensor of independent draws from the uniform distribution on
    `[low, high)`. With a `seed` the sequence is reproducible from run to
    run; without one it differs each time. The op is not pure: two draws
    are never merged, and a draw is not moved across others.

    Example:

    ```mlir
    %r = optc.random_uniform {high = 1.0 : f64, low = 0.0 : f64, seed = 7.0 : f64} : tensor<2x3xf32>
    ```
  }];
  let arguments = (ins F64Attr:$low, F64Attr:$high,
                       OptionalAttr<F64Attr>:$seed);
  let results = (outs Optc_FloatTensor:$output);
  let assemblyFormat = "attr-dict `:` type($output)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Shape operations with sizes given at run time
//
// The forms of reshape, broadcast, slice, pad and tile whose sizes are
// operands (1-D i64 tensors of static length) rather than attributes, for
// models that compute them. Their results know only what the sizes' lengths
// and the input tell; canonicalisation turns each into the attribute form
// once its size operands are constants.
//===----------------------------------------------------------------------===//

def Optc_ShapeOfOp : Optc_InferOp<"shape_of"> {
  let summary = "The sizes of a tensor, as a 1-D i64 tensor";
  let description = [{
    The sizes of the input's dimensions at run time. Folds to a constant
    when they are all known.

    Example:

    ```mlir
    %s = optc.shape_of %x : (tensor<?x3xf32>) -> tensor<2xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input);
  let results = (outs Optc_I64Tensor:$output);
  let assemblyFormat = "$input attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_FromInput<"shape::Shape{int64_t(input.size())}",
                                 Optc_I64Result>;
}

def Optc_DynamicReshapeOp : Optc_InferOp<"dynamic_reshape"> {
  let summary = "Reshape to sizes given at run time";
  let description = [{
    `optc.reshape` with the shape as an operand: its length is the result's
    rank, and at most one entry may be -1 (computed from the element count).
    The element count does not change.

    Example:

    ```mlir
    %y = optc.dynamic_reshape %x, %s : (tensor<2x3x4xf32>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "shape"],
      "shape::dynamicReshape(input, shape, sink.fn())">;
}

def Optc_DynamicBroadcastOp : Optc_InferOp<"dynamic_broadcast"> {
  let summary = "Broadcasts a tensor with a shape given at run time";
  let description = [{
    Broadcasts the input and `shape` together by numpy rules (ONNX Expand):
    the result has the rank of the longer of the two, and each size is the
    one of the pair that is not 1. A result size is known when the input's
    size is known and not 1.

    Example:

    ```mlir
    %y = optc.dynamic_broadcast %x, %s : (tensor<3x1xf32>, tensor<3xi64>) -> tensor<?x3x?xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$shape);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $shape attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "shape"],
      "shape::dynamicBroadcast(input, shape, sink.fn())">;
}

def Optc_RangeOp : Optc_InferOp<"range"> {
  let summary = "An arithmetic sequence of run-time length";
  let description = [{
    The 1-D sequence `start, start + delta, ...` of every value before
    `limit`: `max(ceil((limit - start) / delta), 0)` elements. The three
    operands are 0-d tensors of one numeric element type; `delta` is not
    zero. Canonicalises to a constant when the operands are constants.

    Example:

    ```mlir
    %r = optc.range %start, %limit, %delta : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
    ```
  }];
  let arguments = (ins Optc_NumericTensor:$start, Optc_NumericTensor:$limit,
                       Optc_NumericTensor:$delta);
  let results = (outs Optc_NumericTensor:$output);
  let assemblyFormat = "$start `,` $limit `,` $delta attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["start", "limit", "delta"],
      "shape::range(start, limit, delta, sink.fn())", [0, 1, 2]>;
}

def Optc_DynamicSliceOp : Optc_InferOp<"dynamic_slice"> {
  let summary = "A strided window with bounds given at run time";
  let description = [{
    `optc.slice` with `starts`, `limits` and `strides` as operands, one
    entry per dimension each, clamped the same way. A stride is never zero.

    Example:

    ```mlir
    %y = optc.dynamic_slice %x, %starts, %limits, %strides
        : (tensor<4x8xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$starts,
                       Optc_I64Tensor:$limits, Optc_I64Tensor:$strides);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $starts `,` $limits `,` $strides attr-dict "
                       "`:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "starts", "limits", "strides"],
      [{shape::dynamicWindow(input, {{"starts", starts}, {"limits", limits},
                                     {"strides", strides}}, sink.fn())}]>;
}

def Optc_DynamicPadOp : Optc_InferOp<"dynamic_pad"> {
  let summary = "Pads (or crops) a tensor by amounts given at run time";
  let description = [{
    `optc.pad` with `low` and `high` as operands, one entry per dimension
    each, with the same modes and limits.

    Example:

    ```mlir
    %y = optc.dynamic_pad constant %x, %low, %high, %v
        : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<?x?xf32>
    ```
  }];
  let arguments = (ins Optc_PadMode:$mode, Optc_Tensor:$input,
                       Optc_I64Tensor:$low, Optc_I64Tensor:$high,
                       Optional<Optc_Tensor>:$value);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$mode $input `,` $low `,` $high (`,` $value^)? "
                       "attr-dict `:` functional-type(operands, results)";
  let hasCanonicalizer = 1;
}

def Optc_DynamicTileOp : Optc_InferOp<"dynamic_tile"> {
  let summary = "Repeats a tensor a number of times given at run time";
  let description = [{
    `optc.tile` with `multiples` as an operand, one non-negative entry per
    dimension.

    Example:

    ```mlir
    %y = optc.dynamic_tile %x, %m : (tensor<2x3xi64>, tensor<2xi64>) -> tensor<?x?xi64>
    ```
  }];
  let arguments = (ins Optc_Tensor:$input, Optc_I64Tensor:$multiples);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$input `,` $multiples attr-dict `:` "
                       "functional-type(operands, results)";
  let hasCanonicalizer = 1;
  let inference = Optc_ShapeRule<["input", "multiples"],
      "shape::dynamicTile(input, multiples, sink.fn())">;
}

//===----------------------------------------------------------------------===//
// Indexing
//===----------------------------------------------------------------------===//

def Optc_GatherOp : Optc_InferOp<"gather"> {
  let summary = "Gathers slices along one axis by index";
  let description = [{
    `output[i..., j..., k...] = data[i..., indices[j...], k...]` where the
    index replaces dimension `axis` of `data`: the result shape is
    `data.shape[:axis] + indices.shape + data.shape[axis+1:]`. Negative
    indices count from the end; indices out of range are a run-time error.

    Example:

    ```mlir
    %e = optc.gather %table, %ids {axis = 0 : i64}
        : (tensor<50257x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$data, Optc_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_ShapeRule<["data", "indices"],
      "shape::gather(data, indices, adaptor.getAxis(), sink.fn())">;
}

def Optc_GatherElementsOp : Optc_InferOp<"gather_elements"> {
  let summary = "Gathers single elements along one axis by index";
  let description = [{
    `output[p] = data[p with p[axis] replaced by indices[p]]`: `indices` and
    `data` have the same rank and the result has the shape of `indices`.

    Example:

    ```mlir
    %y = optc.gather_elements %x, %i {axis = 1 : i64}
        : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$data, Optc_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_ShapeRule<["data", "indices"],
      "shape::gatherElements(data, indices, adaptor.getAxis(), sink.fn())">;
}

def Optc_GatherNdOp : Optc_InferOp<"gather_nd"> {
  let summary = "Gathers slices addressed by index tuples";
  let description = [{
    The last dimension of `indices` (size `q`, static) holds tuples that
    address the `q` dimensions of `data` after its first `batch_dims`
    (shared) dimensions. The result shape is
    `indices.shape[:-1] + data.shape[batch_dims + q:]`.

    Example:

    ```mlir
    %y = optc.gather_nd %x, %i {batch_dims = 0 : i64}
        : (tensor<4x5x6xf32>, tensor<3x2xi64>) -> tensor<3x6xf32>
    ```
  }];
  let arguments = (ins Optc_Tensor:$data, Optc_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat =
      "$data `,` $indices attr-dict `:` functional-type(operands, results)";
  let inference = Optc_ShapeRule<["data", "indices"],
      "shape::gatherNd(data, indices, adaptor.getBatchDims(), sink.fn())">;
}

def Optc_ScatterElementsOp : Optc_InferOp<"scatter_elements"> {
  let summary = "Scatters single elements along one axis by index";
  let description = [{
    The inverse of `optc.gather_elements`: a copy of `data` in which, for
    every position `p` of `indices`, the element at `p` with `p[axis]`
    replaced by `indices[p]` is set to (or, with a reduction, combined with)
    `updates[p]`. `indices` and `updates` have the same shape and the rank
    of `data`. With `none`, duplicate indices leave an unspecified winner.

    Example:

    ```mlir
    %y = optc.scatter_elements add %x, %i, %u {axis = 0 : i64}
        : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
    ```
  }];
  let arguments = (ins Optc_ScatterReduction:$reduction, Optc_Tensor:$data,
                       Optc_IndexTensor:$indices, Optc_Tensor:$updates,
                       I64Attr:$axis);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$reduction $data `,` $indices `,` $updates attr-dict "
                       "`:` functional-type(operands, results)";
  let hasFolder = 1;
  let inference = Optc_ShapeRule<["data", "indices", "updates"],
      [{shape::scatterElements(data, indices, updates, adaptor.getAxis(),
                               sink.fn())}], [0, 2]>;
}

def Optc_ScatterNdOp : Optc_InferOp<"scatter_nd"> {
  let summary = "Scatters slices addressed by index tuples";
  let description = [{
    The inverse of `optc.gather_nd` (without batch dimensions): the last
    dimension of `indices` (size `q`, static) addresses the first `q`
    dimensions of `data`, and `updates` has shape
    `indices.shape[:-1] + data.shape[q:]`.

    Example:

    ```mlir
    %y = optc.scatter_nd none %x, %i, %u
        : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
    ```
  }];
  let arguments = (ins Optc_ScatterReduction:$reduction, Optc_Tensor:$data,
                       Optc_IndexTensor:$indices, Optc_Tensor:$updates);
  let results = (outs Optc_Tensor:$output);
  let assemblyFormat = "$reduction $data `,` $indices `,` $updates attr-dict "
                       "`:` functional-type(operands, results)";
  let inference = Optc_ShapeRule<["data", "indices", "updates"],
      "shape::scatterNd(data, indices, updates, sink.fn())", [0, 2]>;
}

//===----------------------------------------------------------------------===//
// Fusion regions
//===----------------------------------------------------------------------===//

def Optc_FusionOp : Optc_Op<"fusion", [IsolatedFromAbove, SingleBlock,
    RecursiveMemoryEffects, RecursivelySpeculatable,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmBlockArgumentNames"]>]> {
  let summary = "A group of operations compiled as one kernel";
  let description = [{
    Holds the operations of one kernel. The region is isolated from above:
    its block arguments stand for the operands, in order and with the same
    types, and `optc.yield` gives the results. Every fusion region becomes
    exactly one kernel in code generation; an unfused operation is a
    one-operation region.

    Example:

    ```mlir
    %r = optc.fusion (%a = %x : tensor<4x8xf32>, %b = %bias : tensor<8xf32>) -> tensor<4x8xf32> {
      %s = optc.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
      %t = optc.relu %s : tensor<4x8xf32>
      optc.yield %t : tensor<4x8xf32>
    }
    ```
  }];
  let arguments = (ins Variadic<Optc_Tensor>:$inputs);
  let results = (outs Variadic<Optc_Tensor>:$outputs);
  let regions = (region SizedRegion<1>:$body);
  let hasCustomAssemblyFormat = 1;
  let hasRegionVerifier = 1;
  let hasCanonicalizer = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    YieldOp getYield();
  }];
}

def Optc_YieldOp : Optc_Op<"yield", [Pure, ReturnLike, Terminator,
                                     HasParent<"FusionOp">]> {
  let summary = "Gives the results of an optc.fusion region";
  let description = [{
    Terminates the body of `optc.fusion`; its operands become the results of
    the region, in order and with the same types.

    Example:

    ```mlir
    optc.yield %t, %u : tensor<4x8xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins Variadic<Optc_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCOPS_TD
