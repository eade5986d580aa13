// RUN: optc-opt %s --optc-cpu-lower-vectors | FileCheck %s

// A register tile's contraction becomes one FMA per lhs element, each on a
// whole rhs row.
// CHECK-LABEL: func.func @contract
// CHECK-NOT: vector.contract
// CHECK-COUNT-4: vector.fma {{.*}} : vector<16xf32>
#lhs = affine_map<(m, n, k) -> (m, k)>
#rhs = affine_map<(m, n, k) -> (k, n)>
#acc = affine_map<(m, n, k) -> (m, n)>
func.func @contract(%a: vector<4x1xf32>, %b: vector<1x16xf32>, %c: vector<4x16xf32>) -> vector<4x16xf32> {
  %0 = vector.contract {indexing_maps = [#lhs, #rhs, #acc], iterator_types = ["parallel", "parallel", "reduction"], kind = #vector.kind<add>} %a, %b, %c : vector<4x1xf32>, vector<1x16xf32> into vector<4x16xf32>
  return %0 : vector<4x16xf32>
}

// f32 math on vectors becomes polynomial approximations, no libm calls.
// CHECK-LABEL: func.func @exp
// CHECK-NOT: math.exp
// CHECK: arith.mulf {{.*}} : vector<16xf32>
func.func @exp(%x: vector<16xf32>) -> vector<16xf32> {
  %0 = math.exp %x : vector<16xf32>
  return %0 : vector<16xf32>
}

// Reductions along the inner dimension become 1-D reductions.
// CHECK-LABEL: func.func @row_sums
// CHECK-NOT: vector.multi_reduction
// CHECK: vector.reduction <add>
func.func @row_sums(%x: vector<2x8xf32>, %init: vector<2xf32>) -> vector<2xf32> {
  %0 = vector.multi_reduction <add>, %x, %init [1] : vector<2x8xf32> to vector<2xf32>
  return %0 : vector<2xf32>
}
