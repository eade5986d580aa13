// RUN: optc-opt %s --optc-convert-to-linalg -split-input-file -verify-diagnostics | FileCheck %s

// The maps: (d0, d1, d2) -> (d0, d2) and -> (d1) for the broadcast add;
// lhs (d0, d2, d4), rhs (d1, d4, d3) for the broadcast batch matmul.
// CHECK: affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK: affine_map<(d0, d1, d2) -> (d1)>


// Stretched unit dimensions are collapsed away: every map is a projected
// permutation.
// CHECK-LABEL: func.func @broadcast_add
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0], [1, 2]] : tensor<4x1x8xf32> into tensor<4x8xf32>
// CHECK: %[[Y:.*]] = tensor.collapse_shape %arg1 {{\[}}[0, 1]] : tensor<3x1xf32> into tensor<3xf32>
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}], iterator_types = ["parallel", "parallel", "parallel"]} ins(%[[X]], %[[Y]] : tensor<4x8xf32>, tensor<3xf32>)
// CHECK: arith.addf
func.func @broadcast_add(%x: tensor<4x1x8xf32>, %y: tensor<3x1xf32>) -> tensor<4x3x8xf32> {
  %0 = optc.add %x, %y : (tensor<4x1x8xf32>, tensor<3x1xf32>) -> tensor<4x3x8xf32>
  return %0 : tensor<4x3x8xf32>
}

// -----

// Unsigned integers become signless; the op carries the signedness, and a
// zero divisor gives 0 instead of a trap.
// CHECK-LABEL: func.func @unsigned_div
// CHECK-SAME: (%{{.*}}: tensor<8xi8>, %{{.*}}: tensor<8xi8>) -> tensor<8xi8>
// CHECK: %[[ZERO:.*]] = arith.cmpi eq
// CHECK: %[[SAFE:.*]] = arith.select %[[ZERO]]
// CHECK: %[[Q:.*]] = arith.divui %{{.*}}, %[[SAFE]] : i8
// CHECK: arith.select %[[ZERO]], %{{.*}}, %[[Q]] : i8
func.func @unsigned_div(%x: tensor<8xui8>, %y: tensor<8xui8>) -> tensor<8xui8> {
  %0 = optc.div %x, %y : (tensor<8xui8>, tensor<8xui8>) -> tensor<8xui8>
  return %0 : tensor<8xui8>
}

// -----

// Bools are stored as bytes and computed as i1.
// CHECK-LABEL: func.func @bools
// CHECK-SAME: -> tensor<8xi8>
// CHECK: %[[LT:.*]] = arith.cmpi slt
// CHECK: arith.extui %[[LT]] : i1 to i8
// CHECK: %[[B:.*]] = arith.trunci %{{.*}} : i8 to i1
// CHECK: arith.xori %[[B]]
func.func @bools(%x: tensor<8xi32>, %y: tensor<8xi32>) -> tensor<8xi1> {
  %0 = optc.compare lt, %x, %y : (tensor<8xi32>, tensor<8xi32>) -> tensor<8xi1>
  %1 = optc.not %0 : tensor<8xi1>
  return %1 : tensor<8xi1>
}

// -----

// A plain matrix product is linalg.matmul; batch dimensions that broadcast
// make a linalg.contract with one map per operand.
// CHECK: affine_map<(d0, d1, d2, d3, d4) -> (d0, d2, d4)>
// CHECK: affine_map<(d0, d1, d2, d3, d4) -> (d1, d4, d3)>
// CHECK-LABEL: func.func @matmuls
// CHECK: linalg.fill
// CHECK: linalg.matmul ins(%arg0, %arg1 : tensor<4x5xf32>, tensor<5x6xf32>)
// CHECK: %[[C:.*]] = tensor.collapse_shape %arg2 {{\[}}[0], [1, 2], [3]] : tensor<2x1x4x5xf32> into tensor<2x4x5xf32>
// CHECK: linalg.contract indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}] ins(%[[C]], %arg3
func.func @matmuls(%a: tensor<4x5xf32>, %b: tensor<5x6xf32>, %c: tensor<2x1x4x5xf32>, %d: tensor<3x5x6xf32>) -> (tensor<4x6xf32>, tensor<2x3x4x6xf32>) {
  %0 = optc.matmul %a, %b : (tensor<4x5xf32>, tensor<5x6xf32>) -> tensor<4x6xf32>
  %1 = optc.matmul %c, %d : (tensor<2x1x4x5xf32>, tensor<3x5x6xf32>) -> tensor<2x3x4x6xf32>
  return %0, %1 : tensor<4x6xf32>, tensor<2x3x4x6xf32>
}

// -----

// CHECK-LABEL: func.func @mean
// CHECK: %[[S:.*]] = linalg.reduce ins(%arg0 : tensor<4x6xf32>) {{.*}} dimensions = [1]
// CHECK: arith.constant 6.000000e+00 : f32
// CHECK: %[[M:.*]] = linalg.generic {{.*}} ins(%[[S]]
// CHECK: arith.divf
// CHECK: tensor.expand_shape %[[M]] {{\[}}[0, 1]] output_shape [4, 1]
func.func @mean(%x: tensor<4x6xf32>) -> tensor<4x1xf32> {
  %0 = optc.reduce_mean %x {axes = array<i64: 1>, keep_dims = true} : (tensor<4x6xf32>) -> tensor<4x1xf32>
  return %0 : tensor<4x1xf32>
}

// -----

// max (ignoring NaNs), exp(x - max), sum, one reciprocal per row, multiply.
// CHECK-LABEL: func.func @softmax
// CHECK: linalg.reduce {{.*}} dimensions = [1]
// CHECK: arith.maxnumf
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: linalg.reduce {{.*}} dimensions = [1]
// CHECK: arith.addf
// CHECK: linalg.generic {{.*}} ins(%{{.*}} : tensor<2xf32>) outs(%{{.*}} : tensor<2xf32>)
// CHECK: arith.divf %cst{{.*}}, %{{.*}} : f32
// CHECK: arith.mulf
func.func @softmax(%x: tensor<2x5xf32>) -> tensor<2x5xf32> {
  %0 = optc.softmax %x {axis = 1 : i64} : tensor<2x5xf32>
  return %0 : tensor<2x5xf32>
}

// -----

// A reshape is a view; a negative stride makes a slice a gather.
// CHECK-LABEL: func.func @views
// CHECK: %[[F:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1, 2]] : tensor<2x3x4xf32> into tensor<24xf32>
// CHECK: tensor.expand_shape %[[F]] {{\[}}[0, 1]] output_shape [6, 4]
// CHECK: linalg.generic
// CHECK: arith.constant -2 : index
// CHECK: tensor.extract %arg0
func.func @views(%x: tensor<2x3x4xf32>) -> (tensor<6x4xf32>, tensor<2x3x2xf32>) {
  %0 = optc.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %1 = optc.slice %x {starts = array<i64: 0, 0, 3>, limits = array<i64: 2, 3, -1>, strides = array<i64: 1, 1, -2>} : (tensor<2x3x4xf32>) -> tensor<2x3x2xf32>
  return %0, %1 : tensor<6x4xf32>, tensor<2x3x2xf32>
}

// -----

// An op without a CPU lowering yet is an error at its location.
func.func @no_lowering(%x: tensor<2x5xf32>) -> tensor<2x?xi64> {
  // expected-error @+1 {{failed to legalize operation 'optc.non_zero'}}
  %0 = optc.non_zero %x : (tensor<2x5xf32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// A matrix shared by every batch folds the batch into M: one linalg.matmul.
// CHECK-LABEL: func.func @linear_layer
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2]] : tensor<2x5x8xf32> into tensor<10x8xf32>
// CHECK: %[[Y:.*]] = linalg.matmul ins(%[[X]], %arg1 : tensor<10x8xf32>, tensor<8x3xf32>)
// CHECK: tensor.expand_shape %[[Y]] {{\[}}[0, 1], [2]] output_shape [2, 5, 3]
func.func @linear_layer(%x: tensor<2x5x8xf32>, %w: tensor<8x3xf32>) -> tensor<2x5x3xf32> {
  %0 = optc.matmul %x, %w : (tensor<2x5x8xf32>, tensor<8x3xf32>) -> tensor<2x5x3xf32>
  return %0 : tensor<2x5x3xf32>
}

// -----

// Narrow element types are stored as bytes. A cast to an 8-bit float rounds
// the f32 bits to nearest even (the normal path adds 0x7FFFF plus the odd
// bit and drops 20 bits; the subnormal path adds 2^14 in the float unit),
// and without saturation an overflow is the NaN code 0x7F.
// CHECK-LABEL: func.func @to_f8
// CHECK-SAME: (%{{.*}}: tensor<8xf32>) -> tensor<8xi8>
// CHECK: ^bb0(%[[IN:.*]]: f32, %{{.*}}: i8):
// CHECK: arith.bitcast %[[IN]] : f32 to i32
// CHECK: arith.constant 524287 : i32
// CHECK: arith.constant 1.638400e+04 : f32
// CHECK: arith.addf
// CHECK: arith.constant 127 : i32
// CHECK: arith.trunci %{{.*}} : i32 to i8
func.func @to_f8(%x: tensor<8xf32>) -> tensor<8xf8E4M3FN> {
  %y = optc.cast %x {saturate = false} : tensor<8xf32> -> tensor<8xf8E4M3FN>
  return %y : tensor<8xf8E4M3FN>
}

// A 4-bit integer is sign-extended from its byte's low bits.
// CHECK-LABEL: func.func @from_i4
// CHECK-SAME: (%{{.*}}: tensor<8xi8>) -> tensor<8xf32>
// CHECK: ^bb0(%[[B:.*]]: i8, %{{.*}}: f32):
// CHECK: %[[FOUR:.*]] = arith.constant 4 : i8
// CHECK: %[[HIGH:.*]] = arith.shli %[[B]], %[[FOUR]] : i8
// CHECK: %[[V:.*]] = arith.shrsi %[[HIGH]], %[[FOUR]] : i8
// CHECK: arith.sitofp %[[V]] : i8 to f32
func.func @from_i4(%x: tensor<8xi4>) -> tensor<8xf32> {
  %y = optc.cast %x : tensor<8xi4> -> tensor<8xf32>
  return %y : tensor<8xf32>
}

// -----

// Narrow types are only converted, never computed on.
func.func @add_f8(%x: tensor<8xf8E4M3FN>) -> tensor<8xf8E4M3FN> {
  // expected-error @+1 {{'optc.add' op computes on 'f8E4M3FN', which optc only converts: cast to a wider type first}}
  %y = optc.add %x, %x : (tensor<8xf8E4M3FN>, tensor<8xf8E4M3FN>) -> tensor<8xf8E4M3FN>
  return %y : tensor<8xf8E4M3FN>
}

// -----

// Nor by ops that are not elementwise: a sum stored as i8 would have
// lowered to arith.addf on integers (an internal error the ONNX fuzzer
// found through AveragePool).
func.func @sum_f8(%x: tensor<2x3xf8E5M2>) -> tensor<1x1xf8E5M2> {
  // expected-error @+1 {{'optc.reduce_sum' op computes on 'f8E5M2', which optc only converts: cast to a wider type first}}
  %y = optc.reduce_sum %x {axes = array<i64: 0, 1>, keep_dims = true} : (tensor<2x3xf8E5M2>) -> tensor<1x1xf8E5M2>
  return %y : tensor<1x1xf8E5M2>
}

// -----

// Narrow integers neither: stored as i8 with the high bits zero, an i4
// matmul reached linalg.fill with an i4 zero for an i8 accumulator (an
// internal error), and a reduction would compare bytes, not signed i4s.
func.func @matmul_i4(%x: tensor<2x3xi4>, %w: tensor<3x2xi4>) -> tensor<2x2xi4> {
  // expected-error @+1 {{'optc.matmul' op computes on 'i4', which optc only converts: cast to a wider type first}}
  %y = optc.matmul %x, %w : (tensor<2x3xi4>, tensor<3x2xi4>) -> tensor<2x2xi4>
  return %y : tensor<2x2xi4>
}

// -----

func.func @max_i4(%x: tensor<2x3xi4>) -> tensor<1x1xi4> {
  // expected-error @+1 {{'optc.reduce_max' op computes on 'i4', which optc only converts: cast to a wider type first}}
  %y = optc.reduce_max %x {axes = array<i64: 0, 1>, keep_dims = true} : (tensor<2x3xi4>) -> tensor<1x1xi4>
  return %y : tensor<1x1xi4>
}

// -----

// A scatter moves data unless it combines the update with the old element.
func.func @scatter_add_f8(%x: tensor<3xf8E4M3FN>, %i: tensor<2xi64>, %u: tensor<2xf8E4M3FN>) -> tensor<3xf8E4M3FN> {
  // expected-error @+1 {{'optc.scatter_elements' op computes on 'f8E4M3FN', which optc only converts: cast to a wider type first}}
  %y = optc.scatter_elements add %x, %i, %u {axis = 0 : i64} : (tensor<3xf8E4M3FN>, tensor<2xi64>, tensor<2xf8E4M3FN>) -> tensor<3xf8E4M3FN>
  return %y : tensor<3xf8E4M3FN>
}

// -----

// Random draws: each element hashes (splitmix64) a key and its flat index.
// A seed makes the key a constant; without one the key comes from the
// runtime, fresh at every call.
// The declaration comes first, made for @unseeded.
// CHECK: func.func private @optc_random_key() -> i64
// CHECK-LABEL: func.func @seeded
// CHECK-NOT: call @optc_random_key
// CHECK: arith.constant 4619567317775286272 : i64
// CHECK: linalg.generic
// CHECK: linalg.index 0
// CHECK: arith.constant -7046029254386353131 : i64
// CHECK: arith.uitofp %{{.*}} : i64 to f32
// CHECK: arith.constant 5.96046448E-8 : f32
func.func @seeded() -> tensor<2x3xf32> {
  %r = optc.random_uniform {high = 1.0 : f64, low = 0.0 : f64, seed = 7.0 : f64} : tensor<2x3xf32>
  return %r : tensor<2x3xf32>
}

// CHECK-LABEL: func.func @unseeded
// CHECK: %[[KEY:.*]] = call @optc_random_key() : () -> i64
// CHECK: linalg.generic
// CHECK: arith.constant 1.1102230246251565E-16 : f64
func.func @unseeded() -> tensor<4xf64> {
  %r = optc.random_uniform {high = 3.0 : f64, low = -1.0 : f64} : tensor<4xf64>
  return %r : tensor<4xf64>
}
