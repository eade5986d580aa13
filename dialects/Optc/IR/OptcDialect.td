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

    Sizes a model computes at run time are operands of the `dynamic_*`
    forms (`optc.dynamic_reshape`, `optc.dynamic_slice`, ...); they become
    the attribute forms once canonicalisation knows their values.

    `optc.fusion` groups operations into one kernel: it is the unit of code
    generation.
  }];
  // Canonicalisation casts refined results back to their old types.
  let dependentDialects = ["::mlir::tensor::TensorDialect"];
  let hasConstantMaterializer = 1;
  // #optc.interface and #optc.port (OptcAttrs.td).
  let useDefaultAttributePrinterParser = 1;
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCDIALECT_TD
