//===- OptcSourceOps.td - constants and random numbers ---------*- tablegen -*-===//
//
// The operations without tensor operands: optc.constant and
// optc.random_uniform.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCSOURCEOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCSOURCEOPS_TD

include "dialects/Optc/IR/OptcBase.td"

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
  let results = (outs AnyTypeOf<[Optc_Tensor, Optc_QuantTensor],
      "ranked tensor of floats, integers, bools or quantization codes">:$output);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
  let hasVerifier = 1;
  let builders = [
    OpBuilder<(ins "::mlir::ElementsAttr":$value), [{
      build($_builder, $_state, value.getType(), value);
    }]>];
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

#endif // OPTC_DIALECT_OPTC_IR_OPTCSOURCEOPS_TD
