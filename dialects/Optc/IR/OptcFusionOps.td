//===- OptcFusionOps.td - fusion regions -----------------------*- tablegen -*-===//
//
// optc.fusion, a group of operations compiled as one kernel, and its
// terminator optc.yield.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_DIALECT_OPTC_IR_OPTCFUSIONOPS_TD
#define OPTC_DIALECT_OPTC_IR_OPTCFUSIONOPS_TD

include "dialects/Optc/IR/OptcBase.td"

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
  let arguments = (ins Variadic<Optc_AnyTensor>:$inputs);
  let results = (outs Variadic<Optc_AnyTensor>:$outputs);
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
  let arguments = (ins Variadic<Optc_AnyTensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

#endif // OPTC_DIALECT_OPTC_IR_OPTCFUSIONOPS_TD
