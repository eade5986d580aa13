//===- OptcDialect.td - the optc dialect ------------------------*- tablegen -*-===//
//
// The optc dialect: graph-level tensor operations into which ONNX models are
// imported and from which optc's fusion, quantisation, sharding and code
// generation start.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCDIALECT_TD
#define OPTC_DIALECT_OPTC_IR_OPTCDIALECT_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"

def Optc_Dialect : Dialect {
  let name = "optc";
  let cppNamespace = "::mlir::optc";
  let summary = "Graph-level tensor operations of the optc compiler";
  let description = [{
    The `optc` dialect is a small, orthogonal core of tensor operations on
    ranked tensors. ONNX operators are decomposed into it by the importer; it
    is not a copy of ONNX. Each operation has one meaning, independent of the
    ONNX opset it came from: attributes are explicit and normalised (axes are
    non-negative, paddings are given per side, defaults are spelled out).

    Element types:

    * floating point types of any format (`f64`, `f32`, `f16`, `bf16`, the
      `f8` and `f4` formats);
    * `iN` is a *signed* integer of N bits and `uiN` an unsigned one, the
      convention of StableHLO: the signedness that ONNX types carry is kept
      where it changes the meaning of division, comparison, shifts and casts;
    * `i1` is the boolean type.

    Shapes follow one shape computation per operation (`OptcShapes.h`), used
    by result-type inference, by the verifiers and by lowering, so the three
    cannot disagree. Dynamic dimensions are allowed wherever the rule does not
    need the size. A declared result type may know more sizes than the rule
    deduces, or fewer (`--optc-infer-shapes` fills them in), but never
    contradict it. Elementwise unary operations and softmax are the
    exception: their result type is exactly their operand's.

    Every operand and result of an optc operation is within optc's limits
    per tensor (the trait `Optc_TensorSizeLimit`, `optc/Support/Sizes.h`):
    at most 2^40 elements, counting a dimension of size 0 (and one of unknown
    size) as 1, and at most 2^42 bytes. A larger static size is a verifier
    error, so passes multiply the sizes of verified types without overflow.

    Sizes a model computes at run time are operands of the `dynamic_*`
    forms (`optc.dynamic_reshape`, `optc.dynamic_slice`, ...); they become
    the attribute forms once canonicalisation knows their values.

    `optc.fusion` groups operations into one kernel: it is the unit of code
    generation.

    Discardable attributes. optc's passes record what later stages need in
    attributes named `optc.*`; the dialect verifies where each sits, its
    type and its values, and rejects other `optc.*` names:

    | attribute | on | value |
    |-----------|----|-------|
    | `optc.name` | a function argument or result | string: the ONNX name of an input or output |
    | `optc.dim_names` | a function argument | array of strings, one per dimension of a shaped argument: the ONNX names of dimensions (`""`: none) |
    | `optc.kernel` | a function | unit: an outlined kernel |
    | `optc.in_place` | a function | `array<i64>`: strictly increasing indices of arguments the kernel's output may overwrite |
    | `optc.interface` | a module | `#optc.interface`: the model's inputs and outputs |
    | `optc.run_time_checks` | a module | unit: the code reports run-time errors |
    | `optc.arena_size` | a module | `i64` >= 0: the bytes of the arena |
    | `optc.weights` | a module | array of `[offset : i64, elements]` pairs: the side file's weights, at increasing 64-byte-aligned offsets that do not overlap, within `optc.weights_size` |
    | `optc.weights_size` | a module | `i64` >= 0, a multiple of 64: the side file's bytes |
    | `optc.weights_id` | a module | 16 lower-case hex digits: the hash the library checks the side file against |
    | `optc.int8_activations` | an `optc.dequantize` of weights | unit: the product it feeds may quantize its activations to int8 (`--quantize=...-a8`) |

    `optc.weights`, `optc.weights_size` and `optc.weights_id` come
    together.
  }];
  // Canonicalisation casts refined results back to their old types.
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let hasConstantMaterializer = 1;
  // #optc.interface and #optc.port (OptcAttrs.td).
  let useDefaultAttributePrinterParser = 1;
  // The discardable attributes optc's passes put on modules, functions and
  // their arguments (optc.kernel, optc.name, ...): verifyOperationAttribute
  // and friends check their place, type and values.
  let hasOperationAttrVerify = 1;
  let hasRegionArgAttrVerify = 1;
  let hasRegionResultAttrVerify = 1;
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCDIALECT_TD
