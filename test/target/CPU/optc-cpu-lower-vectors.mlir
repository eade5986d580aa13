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

// Math functions are left to --optc-cpu-expand-math.
// CHECK-LABEL: func.func @exp
// CHECK: math.exp {{.*}} : vector<16xf32>
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

// A read of every second element (a strided convolution window) is one
// contiguous load of the span and a shuffle, not eight scalar loads.
// CHECK-LABEL: func.func @strided_window
// CHECK: %[[BASE:[^,]*]], %[[OFF:[^,]*]], {{.*}} = memref.extract_strided_metadata
// CHECK: %[[VIEW:.*]] = memref.reinterpret_cast %[[BASE]] to offset: [%{{.*}}], sizes: [15], strides: [1]
// CHECK: %[[WIDE:.*]] = vector.load %[[VIEW]][%{{.*}}] : memref<15xf32, strided<[1], offset: ?>>, vector<15xf32>
// CHECK: vector.shuffle %[[WIDE]], %[[WIDE]] [0, 2, 4, 6, 8, 10, 12, 14]
// CHECK-NOT: vector.transfer_read
func.func @strided_window(%m: memref<4x64xf32>, %i: index, %j: index) -> vector<8xf32> {
  %s = memref.subview %m[0, 1] [4, 8] [1, 2] : memref<4x64xf32> to memref<4x8xf32, strided<[64, 2], offset: 1>>
  %pad = arith.constant 0.0 : f32
  %v = vector.transfer_read %s[%i, %j], %pad {in_bounds = [true]} : memref<4x8xf32, strided<[64, 2], offset: 1>>, vector<8xf32>
  return %v : vector<8xf32>
}
