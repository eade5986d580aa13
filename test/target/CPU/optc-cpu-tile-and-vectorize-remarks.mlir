// RUN: optc-opt %s --pass-pipeline='builtin.module(func.func(optc-cpu-tile-and-vectorize{remarks=true}))' -verify-diagnostics -mlir-print-op-on-diagnostic=false

// A 2-D gather (tensor.extract at a computed position) does not vectorise: it
// becomes scalar loops, which with `remarks` is said at the op and counted
// in a remark at the kernel. An elementwise op vectorises silently.
// expected-remark @below {{schedule fallbacks in 'gather': 0 unsplit remainders, 0 serial, 0 untiled, 1 scalar}}
func.func @gather(%table: tensor<8x8xf32>, %ids: tensor<16xi32>) -> tensor<16xf32> attributes {optc.kernel} {
  %init = tensor.empty() : tensor<16xf32>
  // expected-remark @below {{'linalg.generic' does not vectorise: scalar code}}
  %0 = linalg.generic {indexing_maps = [affine_map<(d0) -> (d0)>, affine_map<(d0) -> (d0)>], iterator_types = ["parallel"]} ins(%ids : tensor<16xi32>) outs(%init : tensor<16xf32>) {
  ^bb0(%id: i32, %out: f32):
    %i = arith.index_cast %id : i32 to index
    %v = tensor.extract %table[%i, %i] : tensor<8x8xf32>
    linalg.yield %v : f32
  } -> tensor<16xf32>
  return %0 : tensor<16xf32>
}

func.func @add(%a: tensor<16xf32>, %b: tensor<16xf32>) -> tensor<16xf32> attributes {optc.kernel} {
  %init = tensor.empty() : tensor<16xf32>
  %0 = linalg.add ins(%a, %b : tensor<16xf32>, tensor<16xf32>) outs(%init : tensor<16xf32>) -> tensor<16xf32>
  return %0 : tensor<16xf32>
}
