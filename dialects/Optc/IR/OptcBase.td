//===- OptcBase.td - optc operation base classes ---------------*- tablegen -*-===//
//
// What the operation files (Optc*Ops.td, included by OptcOps.td) share: the
// type constraints, Optc_Op, and Optc_InferOp with the inference rules that
// generate its inferReturnTypes.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCBASE_TD
#define OPTC_DIALECT_OPTC_IR_OPTCBASE_TD

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
// The codes of a quantized tensor (see #optc.quant): integers of 1 to 8
// bits and the float formats of 8 bits or fewer that quantization uses.
def Optc_QuantCodeElement : Type<CPred<"::mlir::optc::isQuantCodeType($_self)">,
    "quantization code (iN/uiN of up to 8 bits, f4E2M1FN, f6E2M3FN, "
    "f6E3M2FN, f8E4M3FN or f8E5M2)">;
def Optc_QuantTensor : RankedTensorOf<[Optc_QuantCodeElement]>;
// What a fusion region carries: any tensor an optc op takes or makes.
def Optc_AnyTensor : RankedTensorOf<[Optc_Element, Optc_QuantCodeElement]>;
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

// Every operand and result of an optc op is within optc's limits per tensor
// (at most 2^40 elements and 2^42 bytes, include/optc/Support/Sizes.h): an
// absurd size is an error before any pass multiplies sizes.
def Optc_TensorSizeLimit : NativeOpTrait<"TensorSizeLimit"> {
  let cppNamespace = "::mlir::optc";
}

class Optc_Op<string mnemonic, list<Trait> traits = []>
    : Op<Optc_Dialect, mnemonic, !listconcat([Optc_TensorSizeLimit], traits)>;

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

#endif // OPTC_DIALECT_OPTC_IR_OPTCBASE_TD
