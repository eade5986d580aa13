//===- Passes.td - fusion passes of optc -----------------------*- tablegen -*-===//
//
// Passes of the fusion stage (DESIGN.md stage 5): grouping optc operations
// into optc.fusion regions, the unit of code generation.
//
//===----------------------------------------------------------------------===//

#ifndef OPTC_PASSES_FUSION_PASSES_TD
#define OPTC_PASSES_FUSION_PASSES_TD

include "mlir/Pass/PassBase.td"

def OptcFormRegions : Pass<"optc-form-regions", "::mlir::ModuleOp"> {
  let summary = "Wraps every computing optc operation in an optc.fusion region";
  let description = [{
    Gives every optc operation that computes a tensor its own `optc.fusion`
    region, the unit code generation turns into one kernel. Operations that
    compute nothing stay outside: constants (they become weights) and
    reshapes (views of their input). Operations already inside a region
    are left alone, as are regions already formed.

    One operation per region is the baseline; fusing producers and
    consumers into shared regions is the job of later fusion passes, which
    then need no change in code generation.

    Example: `%r = optc.relu %x : tensor<4xf32>` becomes

    ```mlir
    %r = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
      %0 = optc.relu %a : tensor<4xf32>
      optc.yield %0 : tensor<4xf32>
    }
    ```
  }];
}

#endif // OPTC_PASSES_FUSION_PASSES_TD
