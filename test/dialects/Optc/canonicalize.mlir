// RUN: optc-opt %s -canonicalize -split-input-file | FileCheck %s
// Every folder and canonicalisation pattern of the optc dialect.

// CHECK-LABEL: func.func @neg_neg
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @neg_neg(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = optc.neg %x : tensor<4xf32>
  %1 = optc.neg %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// CHECK-LABEL: func.func @neg_const
// CHECK: %[[C:.*]] = optc.constant dense<[-1, 2]> : tensor<2xi32>
// CHECK-NEXT: return %[[C]]
func.func @neg_const() -> tensor<2xi32> {
  %c = optc.constant dense<[1, -2]> : tensor<2xi32>
  %0 = optc.neg %c : tensor<2xi32>
  return %0 : tensor<2xi32>
}

// CHECK-LABEL: func.func @abs_of_neg_and_abs
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[A:.*]] = optc.abs %[[X]] : tensor<4xf32>
// CHECK-NEXT: return %[[A]]
func.func @abs_of_neg_and_abs(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = optc.neg %x : tensor<4xf32>
  %1 = optc.abs %0 : tensor<4xf32>
  %2 = optc.abs %1 : tensor<4xf32>
  return %2 : tensor<4xf32>
}

// CHECK-LABEL: func.func @abs_relu_unsigned
// CHECK-SAME: (%[[X:.*]]: tensor<4xui8>)
// CHECK-NEXT: return %[[X]]
func.func @abs_relu_unsigned(%x: tensor<4xui8>) -> tensor<4xui8> {
  %0 = optc.abs %x : tensor<4xui8>
  %1 = optc.relu %0 : tensor<4xui8>
  return %1 : tensor<4xui8>
}

// CHECK-LABEL: func.func @abs_const
// CHECK: optc.constant dense<[1.500000e+00, 0.000000e+00]> : tensor<2xf16>
func.func @abs_const() -> tensor<2xf16> {
  %c = optc.constant dense<[-1.5, -0.0]> : tensor<2xf16>
  %0 = optc.abs %c : tensor<2xf16>
  return %0 : tensor<2xf16>
}

// CHECK-LABEL: func.func @relu_relu
// CHECK-NEXT: %[[R:.*]] = optc.relu
// CHECK-NEXT: return %[[R]]
func.func @relu_relu(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = optc.relu %x : tensor<4xf32>
  %1 = optc.relu %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}

// NaN stays NaN; negatives become zero.
// CHECK-LABEL: func.func @relu_const
// CHECK: optc.constant dense<[0.000000e+00, 2.000000e+00, 0x7FC00000]> : tensor<3xf32>
// CHECK: optc.constant dense<[0, 7]> : tensor<2xi8>
func.func @relu_const() -> (tensor<3xf32>, tensor<2xi8>) {
  %c = optc.constant dense<[-3.0, 2.0, 0x7FC00000]> : tensor<3xf32>
  %0 = optc.relu %c : tensor<3xf32>
  %i = optc.constant dense<[-5, 7]> : tensor<2xi8>
  %1 = optc.relu %i : tensor<2xi8>
  return %0, %1 : tensor<3xf32>, tensor<2xi8>
}

// CHECK-LABEL: func.func @not_not
// CHECK-SAME: (%[[X:.*]]: tensor<4xi1>, %[[Y:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]], %[[Y]]
func.func @not_not(%x: tensor<4xi1>, %y: tensor<4xi32>) -> (tensor<4xi1>, tensor<4xi32>) {
  %0 = optc.not %x : tensor<4xi1>
  %1 = optc.not %0 : tensor<4xi1>
  %2 = optc.bitwise_not %y : tensor<4xi32>
  %3 = optc.bitwise_not %2 : tensor<4xi32>
  return %1, %3 : tensor<4xi1>, tensor<4xi32>
}

// CHECK-LABEL: func.func @not_const
// CHECK-DAG: optc.constant dense<[false, true]> : tensor<2xi1>
// CHECK-DAG: optc.constant dense<[-1, -16]> : tensor<2xi8>
func.func @not_const() -> (tensor<2xi1>, tensor<2xi8>) {
  %c = optc.constant dense<[true, false]> : tensor<2xi1>
  %0 = optc.not %c : tensor<2xi1>
  %i = optc.constant dense<[0, 15]> : tensor<2xi8>
  %1 = optc.bitwise_not %i : tensor<2xi8>
  return %0, %1 : tensor<2xi1>, tensor<2xi8>
}

// -----

// x + (-0.0), x - 0.0, x * 1, x / 1 and x ^ 1 are x. x + 0.0 is not (-0.0
// would become +0.0).
// CHECK-LABEL: func.func @float_identities
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[Z:.*]] = optc.constant dense<0.000000e+00>
// CHECK: %[[A:.*]] = optc.add %[[X]], %[[Z]]
// CHECK: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]], %[[A]]
func.func @float_identities(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %nz = optc.constant dense<-0.0> : tensor<4xf32>
  %z = optc.constant dense<0.0> : tensor<4xf32>
  %one = optc.constant dense<1.0> : tensor<f32>
  %0 = optc.add %x, %nz : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = optc.sub %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = optc.mul %one, %x : (tensor<f32>, tensor<4xf32>) -> tensor<4xf32>
  %3 = optc.div %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %4 = optc.pow %x, %one : (tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %5 = optc.add %x, %z : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// An identity that would change the shape (broadcasting) does not fold.
// CHECK-LABEL: func.func @identity_keeps_broadcast
// CHECK: optc.add
func.func @identity_keeps_broadcast(%x: tensor<4xi32>) -> tensor<2x4xi32> {
  %z = optc.constant dense<0> : tensor<2x4xi32>
  %0 = optc.add %x, %z : (tensor<4xi32>, tensor<2x4xi32>) -> tensor<2x4xi32>
  return %0 : tensor<2x4xi32>
}

// CHECK-LABEL: func.func @int_identities
// CHECK-SAME: (%[[X:.*]]: tensor<4xi32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]]
func.func @int_identities(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>, tensor<4xi32>) {
  %z = optc.constant dense<0> : tensor<4xi32>
  %0 = optc.add %z, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = optc.sub %x, %z : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = optc.max %x, %x : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  return %0, %1, %2 : tensor<4xi32>, tensor<4xi32>, tensor<4xi32>
}

// CHECK-LABEL: func.func @arith_const
// CHECK-DAG: optc.constant dense<[5.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[-1.000000e+00, 3.000000e+00]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[6.000000e+00, -2.000000e+00]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[1.500000e+00, -5.000000e-01]> : tensor<2xf32>
func.func @arith_const() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %a = optc.constant dense<[2.0, 2.0]> : tensor<2xf32>
  %b = optc.constant dense<[3.0, -1.0]> : tensor<2xf32>
  %0 = optc.add %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %1 = optc.sub %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %2 = optc.mul %a, %b : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %3 = optc.div %b, %a : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// Signed division truncates toward zero; division by zero is left alone.
// CHECK-LABEL: func.func @int_div
// CHECK-DAG: optc.constant dense<[-3, 3]> : tensor<2xi32>
// CHECK-DAG: optc.div
func.func @int_div() -> (tensor<2xi32>, tensor<2xi32>) {
  %a = optc.constant dense<[-7, 7]> : tensor<2xi32>
  %b = optc.constant dense<[2, 2]> : tensor<2xi32>
  %z = optc.constant dense<[0, 1]> : tensor<2xi32>
  %0 = optc.div %a, %b : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  %1 = optc.div %a, %z : (tensor<2xi32>, tensor<2xi32>) -> tensor<2xi32>
  return %0, %1 : tensor<2xi32>, tensor<2xi32>
}

// max and min follow signedness and propagate NaN.
// CHECK-LABEL: func.func @max_min_const
// CHECK-DAG: optc.constant dense<[-1, 3]> : tensor<2xi8>
// CHECK-DAG: optc.constant dense<[1, 0]> : tensor<2xui8>
// CHECK-DAG: optc.constant dense<[0x7FC00000, 1.000000e+00]> : tensor<2xf32>
func.func @max_min_const() -> (tensor<2xi8>, tensor<2xui8>, tensor<2xf32>) {
  %a = optc.constant dense<[-1, 3]> : tensor<2xi8>
  %b = optc.constant dense<[-2, 1]> : tensor<2xi8>
  %0 = optc.max %a, %b : (tensor<2xi8>, tensor<2xi8>) -> tensor<2xi8>
  %ua = optc.constant dense<[1, 255]> : tensor<2xui8>
  %ub = optc.constant dense<[2, 255]> : tensor<2xui8>
  %sub = optc.sub %ua, %ub : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  %1 = optc.min %ua, %sub : (tensor<2xui8>, tensor<2xui8>) -> tensor<2xui8>
  %fa = optc.constant dense<[0x7FC00000, 1.0]> : tensor<2xf32>
  %fb = optc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %2 = optc.min %fa, %fb : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2 : tensor<2xi8>, tensor<2xui8>, tensor<2xf32>
}

// CHECK-LABEL: func.func @logic_identities
// CHECK-SAME: (%[[X:.*]]: tensor<4xi1>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]]
func.func @logic_identities(%x: tensor<4xi1>) -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %t = optc.constant dense<true> : tensor<4xi1>
  %f = optc.constant dense<false> : tensor<4xi1>
  %0 = optc.and %x, %t : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = optc.or %f, %x : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %2 = optc.xor %x, %f : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %3 = optc.and %x, %x : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0, %1, %2, %3 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: func.func @logic_const
// CHECK-DAG: optc.constant dense<[false, false, false, true]>
// CHECK-DAG: optc.constant dense<[false, true, true, true]>
// CHECK-DAG: optc.constant dense<[false, true, true, false]>
func.func @logic_const() -> (tensor<4xi1>, tensor<4xi1>, tensor<4xi1>) {
  %a = optc.constant dense<[false, false, true, true]> : tensor<4xi1>
  %b = optc.constant dense<[false, true, false, true]> : tensor<4xi1>
  %0 = optc.and %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %1 = optc.or %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  %2 = optc.xor %a, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return %0, %1, %2 : tensor<4xi1>, tensor<4xi1>, tensor<4xi1>
}

// CHECK-LABEL: func.func @select_folds
// CHECK-SAME: (%[[C:.*]]: tensor<4xi1>, %[[A:.*]]: tensor<4xf32>, %[[B:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[A]], %[[B]], %[[A]]
func.func @select_folds(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %t = optc.constant dense<true> : tensor<4xi1>
  %f = optc.constant dense<false> : tensor<i1>
  %0 = optc.select %t, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %1 = optc.select %f, %a, %b : (tensor<i1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %2 = optc.select %c, %a, %a : (tensor<4xi1>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @cast_identity
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-NEXT: return %[[X]]
func.func @cast_identity(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = optc.cast %x : tensor<4xf32> -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// Widening casts are exact, so a chain through them is one cast; a round
// trip through a wider type disappears.
// CHECK-LABEL: func.func @cast_widening_chain
// CHECK-SAME: (%[[X:.*]]: tensor<4xf16>, %[[I:.*]]: tensor<4xi8>, %[[U:.*]]: tensor<4xui8>)
// CHECK-DAG: %[[A:.*]] = optc.cast %[[X]] : tensor<4xf16> -> tensor<4xbf16>
// CHECK-DAG: %[[B:.*]] = optc.cast %[[I]] : tensor<4xi8> -> tensor<4xf32>
// CHECK-DAG: %[[C:.*]] = optc.cast %[[U]] : tensor<4xui8> -> tensor<4xi8>
// CHECK: return %[[A]], %[[X]], %[[B]], %[[C]]
func.func @cast_widening_chain(%x: tensor<4xf16>, %i: tensor<4xi8>, %u: tensor<4xui8>) -> (tensor<4xbf16>, tensor<4xf16>, tensor<4xf32>, tensor<4xi8>) {
  %0 = optc.cast %x : tensor<4xf16> -> tensor<4xf32>
  %1 = optc.cast %0 : tensor<4xf32> -> tensor<4xbf16>
  %2 = optc.cast %0 : tensor<4xf32> -> tensor<4xf16>
  %3 = optc.cast %i : tensor<4xi8> -> tensor<4xi32>
  %4 = optc.cast %3 : tensor<4xi32> -> tensor<4xf32>
  %5 = optc.cast %u : tensor<4xui8> -> tensor<4xi16>
  %6 = optc.cast %5 : tensor<4xi16> -> tensor<4xi8>
  return %1, %2, %4, %6 : tensor<4xbf16>, tensor<4xf16>, tensor<4xf32>, tensor<4xi8>
}

// Narrowing first changes values: the chain stays.
// CHECK-LABEL: func.func @cast_narrowing_chain
// CHECK: optc.cast %{{.*}} : tensor<4xf32> -> tensor<4xf16>
// CHECK: optc.cast %{{.*}} : tensor<4xf16> -> tensor<4xf32>
// CHECK: optc.cast %{{.*}} : tensor<4xi8> -> tensor<4xui8>
// CHECK: optc.cast %{{.*}} : tensor<4xui8> -> tensor<4xi32>
func.func @cast_narrowing_chain(%x: tensor<4xf32>, %i: tensor<4xi8>) -> (tensor<4xf32>, tensor<4xi32>) {
  %0 = optc.cast %x : tensor<4xf32> -> tensor<4xf16>
  %1 = optc.cast %0 : tensor<4xf16> -> tensor<4xf32>
  %2 = optc.cast %i : tensor<4xi8> -> tensor<4xui8>
  %3 = optc.cast %2 : tensor<4xui8> -> tensor<4xi32>
  return %1, %3 : tensor<4xf32>, tensor<4xi32>
}

// -----

// Float math folds through double precision, rounded to the element type.
// CHECK-LABEL: func.func @math_const
// CHECK-DAG: optc.constant dense<[1.000000e+00, 2.71828175]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[0.000000e+00, 1.000000e+00]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[5.000000e-01, 0.731058597]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[1.000000e+00, 8.000000e+00]> : tensor<2xf32>
// CHECK-NOT: optc.exp
func.func @math_const() -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %x = optc.constant dense<[0.0, 1.0]> : tensor<2xf32>
  %0 = optc.exp %x : tensor<2xf32>
  %1 = optc.sqrt %x : tensor<2xf32>
  %2 = optc.sigmoid %x : tensor<2xf32>
  %two = optc.constant dense<2.0> : tensor<f32>
  %e = optc.constant dense<[0.0, 3.0]> : tensor<2xf32>
  %3 = optc.pow %two, %e : (tensor<f32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @rounding_const
// CHECK-DAG: optc.constant dense<[-2.000000e+00, 2.000000e+00, 2.000000e+00, -1.000000e+00]> : tensor<4xf32>
// CHECK-DAG: optc.constant dense<[-1.000000e+00, 3.000000e+00, 2.000000e+00, -0.000000e+00]> : tensor<4xf32>
// CHECK-DAG: optc.constant dense<[-2.000000e+00, 2.000000e+00, 2.000000e+00, -0.000000e+00]> : tensor<4xf32>
func.func @rounding_const() -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %x = optc.constant dense<[-1.5, 2.5, 2.0, -0.25]> : tensor<4xf32>
  %0 = optc.floor %x : tensor<4xf32>
  %1 = optc.ceil %x : tensor<4xf32>
  // Ties go to the even neighbour.
  %2 = optc.round %x : tensor<4xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// -----

// CHECK-LABEL: func.func @bitwise_and_shift_const
// CHECK-DAG: optc.constant dense<[0, 4, 8, 0]> : tensor<4xui8>
// CHECK-DAG: optc.constant dense<[12, 14, 15, 12]> : tensor<4xui8>
// CHECK-DAG: optc.constant dense<[12, 10, 7, 12]> : tensor<4xui8>
// CHECK-DAG: optc.constant dense<[12, 24, 96, 0]> : tensor<4xui8>
// CHECK-DAG: optc.constant dense<[12, 6, 1, 0]> : tensor<4xui8>
// CHECK-DAG: optc.constant dense<[-8, -4, -1, -1]> : tensor<4xi8>
func.func @bitwise_and_shift_const() -> (tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi8>) {
  %a = optc.constant dense<12> : tensor<ui8>
  %n = optc.constant dense<[0, 1, 3, 8]> : tensor<4xui8>
  %m = optc.constant dense<[0, 6, 11, 0]> : tensor<4xui8>
  %0 = optc.bitwise_and %a, %m : (tensor<ui8>, tensor<4xui8>) -> tensor<4xui8>
  %1 = optc.bitwise_or %a, %m : (tensor<ui8>, tensor<4xui8>) -> tensor<4xui8>
  %2 = optc.bitwise_xor %a, %m : (tensor<ui8>, tensor<4xui8>) -> tensor<4xui8>
  // Shifting by the bit width or more shifts every bit out.
  %3 = optc.shift_left %a, %n : (tensor<ui8>, tensor<4xui8>) -> tensor<4xui8>
  %4 = optc.shift_right %a, %n : (tensor<ui8>, tensor<4xui8>) -> tensor<4xui8>
  // Signed right shifts are arithmetic and fill with the sign.
  %s = optc.constant dense<-16> : tensor<i8>
  %k = optc.constant dense<[1, 2, 4, 9]> : tensor<4xi8>
  %5 = optc.shift_right %s, %k : (tensor<i8>, tensor<4xi8>) -> tensor<4xi8>
  return %0, %1, %2, %3, %4, %5 : tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xui8>, tensor<4xi8>
}

// -----

// A negative shift of a signed type is undefined: it stays for run time.
// CHECK-LABEL: func.func @shift_negative_not_folded
// CHECK: optc.shift_left
func.func @shift_negative_not_folded() -> tensor<i32> {
  %a = optc.constant dense<1> : tensor<i32>
  %b = optc.constant dense<-1> : tensor<i32>
  %0 = optc.shift_left %a, %b : (tensor<i32>, tensor<i32>) -> tensor<i32>
  return %0 : tensor<i32>
}

// -----

// CHECK-LABEL: func.func @reduce_int_const
// CHECK-DAG: optc.constant dense<[5, 7, 9]> : tensor<3xi64>
// CHECK-DAG: optc.constant dense<{{\[}}[6], [120]]> : tensor<2x1xi64>
// CHECK-DAG: optc.constant dense<[-1, 6]> : tensor<2xi64>
// CHECK-DAG: optc.constant dense<-3> : tensor<i64>
// CHECK-DAG: optc.constant dense<[true, false]> : tensor<2xi1>
// CHECK-DAG: optc.constant dense<200> : tensor<ui8>
// CHECK-NOT: optc.reduce
func.func @reduce_int_const() -> (tensor<3xi64>, tensor<2x1xi64>, tensor<2xi64>, tensor<i64>, tensor<2xi1>, tensor<ui8>) {
  %x = optc.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %y = optc.constant dense<[[-1, -2, -3], [4, 5, 6]]> : tensor<2x3xi64>
  %b = optc.constant dense<[[true, false], [false, false]]> : tensor<2x2xi1>
  %u = optc.constant dense<[200, 100]> : tensor<2xui8>
  %0 = optc.reduce_sum %x {axes = array<i64: 0>} : (tensor<2x3xi64>) -> tensor<3xi64>
  %1 = optc.reduce_prod %x {axes = array<i64: 1>, keep_dims = true} : (tensor<2x3xi64>) -> tensor<2x1xi64>
  %2 = optc.reduce_max %y {axes = array<i64: 1>} : (tensor<2x3xi64>) -> tensor<2xi64>
  %3 = optc.reduce_min %y {axes = array<i64: 0, 1>} : (tensor<2x3xi64>) -> tensor<i64>
  // On i1, max is a logical or.
  %4 = optc.reduce_max %b {axes = array<i64: 1>} : (tensor<2x2xi1>) -> tensor<2xi1>
  %5 = optc.reduce_max %u {axes = array<i64: 0>} : (tensor<2xui8>) -> tensor<ui8>
  return %0, %1, %2, %3, %4, %5 : tensor<3xi64>, tensor<2x1xi64>, tensor<2xi64>, tensor<i64>, tensor<2xi1>, tensor<ui8>
}

// -----

// CHECK-LABEL: func.func @transpose_const
// CHECK: optc.constant dense<{{\[\[}}[1, 4]], {{\[\[}}2, 5]], {{\[\[}}3, 6]]]> : tensor<3x1x2xi32>
func.func @transpose_const() -> tensor<3x1x2xi32> {
  %x = optc.constant dense<[[[1, 2, 3]], [[4, 5, 6]]]> : tensor<2x1x3xi32>
  %0 = optc.transpose %x {permutation = array<i64: 2, 1, 0>} : (tensor<2x1x3xi32>) -> tensor<3x1x2xi32>
  return %0 : tensor<3x1x2xi32>
}

// -----

// CHECK-LABEL: func.func @gather_elements_const
// CHECK: optc.constant dense<{{\[}}[3, 1], [4, 6]]> : tensor<2x2xi32>
func.func @gather_elements_const() -> tensor<2x2xi32> {
  %x = optc.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi32>
  %i = optc.constant dense<[[2, 0], [0, -1]]> : tensor<2x2xi64>
  %0 = optc.gather_elements %x, %i {axis = 1 : i64} : (tensor<2x3xi32>, tensor<2x2xi64>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// -----

// CHECK-LABEL: func.func @matmul_const
// CHECK-DAG: optc.constant dense<{{\[}}[1.900000e+01, 2.200000e+01], [4.300000e+01, 5.000000e+01]]> : tensor<2x2xf32>
// CHECK-DAG: optc.constant dense<{{\[\[}}[5]], {{\[\[}}-6]]]> : tensor<2x1x1xi32>
// CHECK-DAG: optc.constant dense<{{\[\[}}[1, 2]], {{\[\[}}-1, 2]]]> : tensor<2x1x2xi32>
// CHECK-NOT: optc.matmul
func.func @matmul_const() -> (tensor<2x2xf32>, tensor<2x1x1xi32>, tensor<2x1x2xi32>) {
  %a = optc.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b = optc.constant dense<[[5.0, 6.0], [7.0, 8.0]]> : tensor<2x2xf32>
  %0 = optc.matmul %a, %b : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %c = optc.constant dense<[[[1, 2]], [[-1, 2]]]> : tensor<2x1x2xi32>
  %d = optc.constant dense<[[[1], [2]], [[2], [-2]]]> : tensor<2x2x1xi32>
  %1 = optc.matmul %c, %d : (tensor<2x1x2xi32>, tensor<2x2x1xi32>) -> tensor<2x1x1xi32>
  // A stack of matrices times one matrix.
  %e = optc.constant dense<[[1, 0], [0, 1]]> : tensor<2x2xi32>
  %2 = optc.matmul %c, %e : (tensor<2x1x2xi32>, tensor<2x2xi32>) -> tensor<2x1x2xi32>
  return %0, %1, %2 : tensor<2x2xf32>, tensor<2x1x1xi32>, tensor<2x1x2xi32>
}

// -----

// CHECK-LABEL: func.func @reduce_no_axes
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @reduce_no_axes(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = optc.reduce_sum %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = optc.reduce_mean %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = optc.reduce_prod %x {axes = array<i64>, keep_dims = true} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %3 = optc.reduce_max %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = optc.reduce_min %x {axes = array<i64>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>
}

// -----

// CHECK-LABEL: func.func @reshape_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-NEXT: %[[R:.*]] = optc.reshape %[[X]] {shape = array<i64: 4, -1>} : (tensor<2x3x4xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: return %[[X]], %[[R]]
func.func @reshape_folds(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<4x6xf32>) {
  %0 = optc.reshape %x {shape = array<i64: 2, 3, 4>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %1 = optc.reshape %x {shape = array<i64: 6, 4>} : (tensor<2x3x4xf32>) -> tensor<6x4xf32>
  %2 = optc.reshape %1 {shape = array<i64: 4, -1>} : (tensor<6x4xf32>) -> tensor<4x6xf32>
  return %0, %2 : tensor<2x3x4xf32>, tensor<4x6xf32>
}

// CHECK-LABEL: func.func @reshape_const
// CHECK-NEXT: %[[C:.*]] = optc.constant dense<{{\[\[}}1, 2], [3, 4]]> : tensor<2x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @reshape_const() -> tensor<2x2xi32> {
  %c = optc.constant dense<[1, 2, 3, 4]> : tensor<4xi32>
  %0 = optc.reshape %c {shape = array<i64: 2, 2>} : (tensor<4xi32>) -> tensor<2x2xi32>
  return %0 : tensor<2x2xi32>
}

// CHECK-LABEL: func.func @transpose_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK-DAG: %[[T:.*]] = optc.transpose %[[X]] {permutation = array<i64: 1, 0, 2>} : (tensor<2x3x4xf32>) -> tensor<3x2x4xf32>
// CHECK-DAG: %[[S:.*]] = optc.constant dense<7> : tensor<3x2xi8>
// CHECK: return %[[X]], %[[T]], %[[S]]
func.func @transpose_folds(%x: tensor<2x3x4xf32>) -> (tensor<2x3x4xf32>, tensor<3x2x4xf32>, tensor<3x2xi8>) {
  %0 = optc.transpose %x {permutation = array<i64: 0, 1, 2>} : (tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  // [2,0,1] then [2,1,0] is [1,0,2].
  %1 = optc.transpose %x {permutation = array<i64: 2, 0, 1>} : (tensor<2x3x4xf32>) -> tensor<4x2x3xf32>
  %2 = optc.transpose %1 {permutation = array<i64: 2, 1, 0>} : (tensor<4x2x3xf32>) -> tensor<3x2x4xf32>
  %c = optc.constant dense<7> : tensor<2x3xi8>
  %3 = optc.transpose %c {permutation = array<i64: 1, 0>} : (tensor<2x3xi8>) -> tensor<3x2xi8>
  return %0, %2, %3 : tensor<2x3x4xf32>, tensor<3x2x4xf32>, tensor<3x2xi8>
}

// CHECK-LABEL: func.func @broadcast_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[S:.*]] = optc.constant dense<1.500000e+00> : tensor<4x2x3xf32>
// CHECK-NEXT: return %[[X]], %[[S]]
func.func @broadcast_folds(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<4x2x3xf32>) {
  %0 = optc.broadcast %x {shape = array<i64: 2, 3>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = optc.constant dense<1.5> : tensor<3xf32>
  %1 = optc.broadcast %c {shape = array<i64: 4, 2, 3>} : (tensor<3xf32>) -> tensor<4x2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<4x2x3xf32>
}

// CHECK-LABEL: func.func @single_input_concat_and_split
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-NEXT: %[[S:.*]] = optc.constant dense<2> : tensor<1x3xi32>
// CHECK-NEXT: return %[[X]], %[[X]], %[[S]]
func.func @single_input_concat_and_split(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x3xi32>) {
  %0 = optc.concat %x {axis = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = optc.split %x {axis = 0 : i64, sizes = array<i64: 2>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = optc.constant dense<2> : tensor<2x3xi32>
  %2:2 = optc.split %c {axis = 0 : i64, sizes = array<i64: 1, 1>} : (tensor<2x3xi32>) -> (tensor<1x3xi32>, tensor<1x3xi32>)
  return %0, %1, %2#1 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x3xi32>
}

// A small constant splits into constant pieces, along any axis.
// CHECK-LABEL: func.func @split_constant
// CHECK-DAG: %[[A:.*]] = optc.constant dense<{{\[}}[1], [4]]> : tensor<2x1xi64>
// CHECK-DAG: %[[B:.*]] = optc.constant dense<{{\[}}[2, 3], [5, 6]]> : tensor<2x2xi64>
// CHECK: return %[[A]], %[[B]]
func.func @split_constant() -> (tensor<2x1xi64>, tensor<2x2xi64>) {
  %c = optc.constant dense<[[1, 2, 3], [4, 5, 6]]> : tensor<2x3xi64>
  %0:2 = optc.split %c {axis = 1 : i64, sizes = array<i64: 1, 2>} : (tensor<2x3xi64>) -> (tensor<2x1xi64>, tensor<2x2xi64>)
  return %0#0, %0#1 : tensor<2x1xi64>, tensor<2x2xi64>
}

// CHECK-LABEL: func.func @slice_pad_tile_folds
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG: %[[S:.*]] = optc.constant dense<3> : tensor<1x2xi64>
// CHECK-DAG: %[[T:.*]] = optc.constant dense<3> : tensor<4x6xi64>
// CHECK: return %[[X]], %[[X]], %[[X]], %[[S]], %[[T]]
func.func @slice_pad_tile_folds(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2xi64>, tensor<4x6xi64>) {
  %0 = optc.slice %x {starts = array<i64: 0, 0>, limits = array<i64: 2, 3>, strides = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %1 = optc.pad constant %x {low = array<i64: 0, 0>, high = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = optc.tile %x {multiples = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %c = optc.constant dense<3> : tensor<2x3xi64>
  %3 = optc.slice %c {starts = array<i64: 1, 2>, limits = array<i64: 2, 0>, strides = array<i64: 1, -1>} : (tensor<2x3xi64>) -> tensor<1x2xi64>
  %4 = optc.tile %c {multiples = array<i64: 2, 2>} : (tensor<2x3xi64>) -> tensor<4x6xi64>
  return %0, %1, %2, %3, %4 : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<1x2xi64>, tensor<4x6xi64>
}

// A slice that reverses is not an identity even when the type is kept.
// CHECK-LABEL: func.func @slice_reverse_stays
// CHECK: optc.slice
func.func @slice_reverse_stays(%x: tensor<3xf32>) -> tensor<3xf32> {
  %0 = optc.slice %x {starts = array<i64: 2>, limits = array<i64: -1>, strides = array<i64: -1>} : (tensor<3xf32>) -> tensor<3xf32>
  return %0 : tensor<3xf32>
}

// -----

// Forwarded operands, duplicate operands and unused results are removed
// from a fusion.
// CHECK-LABEL: func.func @fusion_simplify
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>, %[[Y:.*]]: tensor<4xf32>)
// CHECK-NEXT: %[[R:.*]] = optc.fusion (%[[IN:.*]] = %[[X]] : tensor<4xf32>) -> tensor<4xf32> {
// CHECK-NEXT:   %[[A:.*]] = optc.add %[[IN]], %[[IN]]
// CHECK-NEXT:   optc.yield %[[A]] : tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: return %[[R]], %[[Y]]
func.func @fusion_simplify(%x: tensor<4xf32>, %y: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %r:3 = optc.fusion (%a = %x : tensor<4xf32>, %b = %y : tensor<4xf32>, %c = %x : tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
    %s = optc.add %a, %c : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
    %t = optc.exp %s : tensor<4xf32>
    optc.yield %s, %b, %t : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
  }
  return %r#0, %r#1 : tensor<4xf32>, tensor<4xf32>
}

// A fusion whose results are all unused disappears.
// CHECK-LABEL: func.func @fusion_dead
// CHECK-NEXT: return
func.func @fusion_dead(%x: tensor<4xf32>) {
  %r = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
    %t = optc.exp %a : tensor<4xf32>
    optc.yield %t : tensor<4xf32>
  }
  return
}

// Constants in a fusion fold like anywhere else.
// CHECK-LABEL: func.func @fusion_body_folds
// CHECK: optc.fusion (%[[IN:.*]] = %{{.*}} : tensor<4xf32>)
// CHECK-NEXT: %[[E:.*]] = optc.exp %[[IN]] : tensor<4xf32>
// CHECK-NEXT: optc.yield %[[E]] : tensor<4xf32>
func.func @fusion_body_folds(%x: tensor<4xf32>) -> tensor<4xf32> {
  %r = optc.fusion (%a = %x : tensor<4xf32>) -> tensor<4xf32> {
    %n = optc.neg %a : tensor<4xf32>
    %m = optc.neg %n : tensor<4xf32>
    %e = optc.exp %m : tensor<4xf32>
    optc.yield %e : tensor<4xf32>
  }
  return %r : tensor<4xf32>
}

// -----

// With unknown sizes an identity is not an identity: the operand could be
// stretched, sliced or reshaped at run time. None of these fold.
// CHECK-LABEL: func.func @no_identity_with_unknown_sizes
// CHECK: optc.slice
// CHECK: optc.reshape
// CHECK: optc.broadcast
// CHECK: optc.add
// CHECK: optc.mul
// CHECK: optc.select
func.func @no_identity_with_unknown_sizes(%x: tensor<?xf32>, %y: tensor<?x?xf32>, %z: tensor<?x3xf32>, %c: tensor<4xi1>) -> (tensor<?xf32>, tensor<?x?xf32>, tensor<?x3xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>) {
  %0 = optc.slice %x {starts = array<i64: 0>, limits = array<i64: 3>, strides = array<i64: 1>} : (tensor<?xf32>) -> tensor<?xf32>
  %1 = optc.reshape %y {shape = array<i64: 3, -1>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = optc.broadcast %z {shape = array<i64: 4, 3>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  %nz = optc.constant dense<-0.0> : tensor<4xf32>
  %3 = optc.add %x, %nz : (tensor<?xf32>, tensor<4xf32>) -> tensor<?xf32>
  %one = optc.constant dense<1.0> : tensor<4xf32>
  %4 = optc.mul %x, %one : (tensor<?xf32>, tensor<4xf32>) -> tensor<?xf32>
  %5 = optc.select %c, %x, %x : (tensor<4xi1>, tensor<?xf32>, tensor<?xf32>) -> tensor<?xf32>
  return %0, %1, %2, %3, %4, %5 : tensor<?xf32>, tensor<?x?xf32>, tensor<?x3xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>
}

// Ops whose result has the operand's sizes whatever they are still fold.
// CHECK-LABEL: func.func @identity_with_unknown_sizes
// CHECK-SAME: (%[[X:.*]]: tensor<?x?xf32>)
// CHECK-NEXT: return %[[X]], %[[X]], %[[X]], %[[X]], %[[X]]
func.func @identity_with_unknown_sizes(%x: tensor<?x?xf32>) -> (tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>) {
  %0 = optc.transpose %x {permutation = array<i64: 0, 1>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %1 = optc.pad constant %x {low = array<i64: 0, 0>, high = array<i64: 0, 0>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %2 = optc.tile %x {multiples = array<i64: 1, 1>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %3 = optc.reduce_sum %x {axes = array<i64>} : (tensor<?x?xf32>) -> tensor<?x?xf32>
  %n = optc.neg %x : tensor<?x?xf32>
  %4 = optc.neg %n : tensor<?x?xf32>
  return %0, %1, %2, %3, %4 : tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>
}

// -----

// A cast chain folds only when the middle type keeps every value of the
// first, special values included.
// CHECK-LABEL: func.func @cast_chain_special_values
// CHECK-SAME: (%[[A:.*]]: tensor<4xf8E4M3FN>, %[[B:.*]]: tensor<4xf8E4M3>, %[[C:.*]]: tensor<4xf8E5M2>, %[[D:.*]]: tensor<4xf4E2M1FN>, %[[E:.*]]: tensor<4xi1>)
// f8E4M3FN -> f16 keeps NaN and -0: folds.
// CHECK: optc.cast %[[A]] : tensor<4xf8E4M3FN> -> tensor<4xf32>
// f8E4M3 has infinities, f8E4M3FN has none: stays.
// CHECK: optc.cast %[[B]] : tensor<4xf8E4M3> -> tensor<4xf8E4M3FN>
// f8E5M2 has infinities, f8E5M2FNUZ has none: stays.
// CHECK: optc.cast %[[C]] : tensor<4xf8E5M2> -> tensor<4xf8E5M2FNUZ>
// f4E2M1FN has -0, f8E4M3FNUZ has none: stays.
// CHECK: optc.cast %[[D]] : tensor<4xf4E2M1FN> -> tensor<4xf8E4M3FNUZ>
// f8E8M0FNU has no zero: stays.
// CHECK: optc.cast %[[E]] : tensor<4xi1> -> tensor<4xf8E8M0FNU>
func.func @cast_chain_special_values(%a: tensor<4xf8E4M3FN>, %b: tensor<4xf8E4M3>, %c: tensor<4xf8E5M2>, %d: tensor<4xf4E2M1FN>, %e: tensor<4xi1>) -> (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) {
  %a1 = optc.cast %a : tensor<4xf8E4M3FN> -> tensor<4xf16>
  %a2 = optc.cast %a1 : tensor<4xf16> -> tensor<4xf32>
  %b1 = optc.cast %b : tensor<4xf8E4M3> -> tensor<4xf8E4M3FN>
  %b2 = optc.cast %b1 : tensor<4xf8E4M3FN> -> tensor<4xf32>
  %c1 = optc.cast %c : tensor<4xf8E5M2> -> tensor<4xf8E5M2FNUZ>
  %c2 = optc.cast %c1 : tensor<4xf8E5M2FNUZ> -> tensor<4xf32>
  %d1 = optc.cast %d : tensor<4xf4E2M1FN> -> tensor<4xf8E4M3FNUZ>
  %d2 = optc.cast %d1 : tensor<4xf8E4M3FNUZ> -> tensor<4xf32>
  %e1 = optc.cast %e : tensor<4xi1> -> tensor<4xf8E8M0FNU>
  %e2 = optc.cast %e1 : tensor<4xf8E8M0FNU> -> tensor<4xf32>
  return %a2, %b2, %c2, %d2, %e2 : tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>
}

// The exponent-only scale format has no sign and no zero: its arithmetic
// is not folded.
// CHECK-LABEL: func.func @no_fold_e8m0
// CHECK: optc.neg
// CHECK: optc.sub
func.func @no_fold_e8m0() -> (tensor<2xf8E8M0FNU>, tensor<2xf8E8M0FNU>) {
  %c = optc.constant dense<[1.0, 4.0]> : tensor<2xf8E8M0FNU>
  %0 = optc.neg %c : tensor<2xf8E8M0FNU>
  %1 = optc.sub %c, %c : (tensor<2xf8E8M0FNU>, tensor<2xf8E8M0FNU>) -> tensor<2xf8E8M0FNU>
  return %0, %1 : tensor<2xf8E8M0FNU>, tensor<2xf8E8M0FNU>
}

// -----

// Constant evaluation: broadcasting arithmetic, comparisons (signedness,
// NaN), select, casts, concat, gather and slice of small constants.
// CHECK-LABEL: func.func @evaluate
// CHECK-DAG: optc.constant dense<{{\[\[}}11, 12], [21, 22]]> : tensor<2x2xi64>
// CHECK-DAG: optc.constant dense<[true, false, false]> : tensor<3xi1>
// CHECK-DAG: optc.constant dense<[false, true]> : tensor<2xi1>
// CHECK-DAG: optc.constant dense<[1.000000e+00, 2.000000e+00, 3.000000e+00]> : tensor<3xf32>
// CHECK-DAG: optc.constant dense<[-1, 2, 255]> : tensor<3xi32>
// CHECK-DAG: optc.constant dense<[1, 2, 3, 4, 5]> : tensor<5xi64>
// CHECK-DAG: optc.constant dense<[30, 10]> : tensor<2xi64>
// CHECK-DAG: optc.constant dense<[4, 2]> : tensor<2xi64>
// CHECK-NOT: optc.add
// CHECK-NOT: optc.compare
// CHECK-NOT: optc.select
// CHECK-NOT: optc.cast
// CHECK-NOT: optc.concat
// CHECK-NOT: optc.gather
// CHECK-NOT: optc.slice
func.func @evaluate() -> (tensor<2x2xi64>, tensor<3xi1>, tensor<2xi1>, tensor<3xf32>, tensor<3xi32>, tensor<5xi64>, tensor<2xi64>, tensor<2xi64>) {
  %col = optc.constant dense<[[10], [20]]> : tensor<2x1xi64>
  %row = optc.constant dense<[1, 2]> : tensor<2xi64>
  %0 = optc.add %col, %row : (tensor<2x1xi64>, tensor<2xi64>) -> tensor<2x2xi64>
  %u = optc.constant dense<[1, 200, 3]> : tensor<3xui8>
  %v = optc.constant dense<[2, 100, 3]> : tensor<3xui8>
  %1 = optc.compare lt, %u, %v : (tensor<3xui8>, tensor<3xui8>) -> tensor<3xi1>
  %f = optc.constant dense<[0x7FC00000, 1.0]> : tensor<2xf32>
  %g = optc.constant dense<1.0> : tensor<f32>
  %2 = optc.compare ge, %f, %g : (tensor<2xf32>, tensor<f32>) -> tensor<2xi1>
  %c = optc.constant dense<[true, false, true]> : tensor<3xi1>
  %a = optc.constant dense<[1.0, 5.0, 3.0]> : tensor<3xf32>
  %b = optc.constant dense<2.0> : tensor<f32>
  %3 = optc.select %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  %i8 = optc.constant dense<[-1, 2, -1]> : tensor<3xi8>
  %w = optc.cast %i8 : tensor<3xi8> -> tensor<3xi32>
  %ui = optc.cast %i8 : tensor<3xi8> -> tensor<3xui8>
  %wi = optc.cast %ui : tensor<3xui8> -> tensor<3xi32>
  %lo = optc.slice %w {starts = array<i64: 0>, limits = array<i64: 2>, strides = array<i64: 1>} : (tensor<3xi32>) -> tensor<2xi32>
  %hi = optc.slice %wi {starts = array<i64: 2>, limits = array<i64: 3>, strides = array<i64: 1>} : (tensor<3xi32>) -> tensor<1xi32>
  %4 = optc.concat %lo, %hi {axis = 0 : i64} : (tensor<2xi32>, tensor<1xi32>) -> tensor<3xi32>
  %p = optc.constant dense<[1, 2]> : tensor<2xi64>
  %q = optc.constant dense<[3, 4, 5]> : tensor<3xi64>
  %5 = optc.concat %p, %q {axis = 0 : i64} : (tensor<2xi64>, tensor<3xi64>) -> tensor<5xi64>
  %t = optc.constant dense<[10, 20, 30]> : tensor<3xi64>
  %idx = optc.constant dense<[-1, 0]> : tensor<2xi32>
  %6 = optc.gather %t, %idx {axis = 0 : i64} : (tensor<3xi64>, tensor<2xi32>) -> tensor<2xi64>
  %7 = optc.slice %5 {starts = array<i64: 3>, limits = array<i64: -1>, strides = array<i64: -2>} : (tensor<5xi64>) -> tensor<2xi64>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<2x2xi64>, tensor<3xi1>, tensor<2xi1>, tensor<3xf32>, tensor<3xi32>, tensor<5xi64>, tensor<2xi64>, tensor<2xi64>
}

// Casts that would saturate or are invalid, and out-of-range gathers, are
// left to run time.
// CHECK-LABEL: func.func @evaluate_later
// CHECK: optc.cast
// CHECK: optc.cast
// CHECK: optc.gather
func.func @evaluate_later() -> (tensor<1xf16>, tensor<1xi32>, tensor<1xi64>) {
  %big = optc.constant dense<1.0e+10> : tensor<1xf32>
  %0 = optc.cast %big : tensor<1xf32> -> tensor<1xf16>
  %nan = optc.constant dense<0x7FC00000> : tensor<1xf32>
  %1 = optc.cast %nan : tensor<1xf32> -> tensor<1xi32>
  %t = optc.constant dense<[10, 20, 30]> : tensor<3xi64>
  %idx = optc.constant dense<[3]> : tensor<1xi64>
  %2 = optc.gather %t, %idx {axis = 0 : i64} : (tensor<3xi64>, tensor<1xi64>) -> tensor<1xi64>
  return %0, %1, %2 : tensor<1xf16>, tensor<1xi32>, tensor<1xi64>
}

// -----

// rem folds with the divisor's sign by default and the dividend's with fmod;
// division by zero is left to run time.
// CHECK-LABEL: func.func @rem_const
// CHECK-DAG: optc.constant dense<[2, -2, 0]> : tensor<3xi32>
// CHECK-DAG: optc.constant dense<[-1, 1, 0]> : tensor<3xi32>
// CHECK-DAG: optc.constant dense<[-1.000000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[2.000000e+00, 1.500000e+00]> : tensor<2xf32>
// CHECK: optc.rem
func.func @rem_const() -> (tensor<3xi32>, tensor<3xi32>, tensor<2xf32>, tensor<1xi32>, tensor<2xf32>) {
  %a = optc.constant dense<[-7, 7, 6]> : tensor<3xi32>
  %b = optc.constant dense<[3, -3, 3]> : tensor<3xi32>
  %0 = optc.rem %a, %b : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %1 = optc.rem %a, %b {fmod} : (tensor<3xi32>, tensor<3xi32>) -> tensor<3xi32>
  %x = optc.constant dense<[-7.0, 5.5]> : tensor<2xf32>
  %y = optc.constant dense<[3.0, 2.0]> : tensor<2xf32>
  %2 = optc.rem %x, %y {fmod} : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  %p = optc.constant dense<[5]> : tensor<1xi32>
  %z = optc.constant dense<[0]> : tensor<1xi32>
  %3 = optc.rem %p, %z : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi32>
  %4 = optc.rem %x, %y : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3, %4 : tensor<3xi32>, tensor<3xi32>, tensor<2xf32>, tensor<1xi32>, tensor<2xf32>
}

// -----

// bitcast folds on constants, through chains and when it changes nothing.
// CHECK-LABEL: func.func @bitcast_folds
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK-DAG: %[[C:.*]] = optc.constant dense<1065353216> : tensor<2xi32>
// CHECK: return %[[C]], %[[X]]
func.func @bitcast_folds(%x: tensor<4xf32>) -> (tensor<2xi32>, tensor<4xf32>) {
  %one = optc.constant dense<1.0> : tensor<2xf32>
  %0 = optc.bitcast %one : tensor<2xf32> -> tensor<2xi32>
  %1 = optc.bitcast %x : tensor<4xf32> -> tensor<4xui32>
  %2 = optc.bitcast %1 : tensor<4xui32> -> tensor<4xf32>
  return %0, %2 : tensor<2xi32>, tensor<4xf32>
}

// -----

// Sizes given at run time become attributes once they are constants; the
// refined result is cast back to the declared type.
// CHECK-LABEL: func.func @dynamic_to_static
// CHECK-DAG: %[[R:.*]] = optc.reshape %arg0 {shape = array<i64: 3, 2>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK-DAG: tensor.cast %[[R]] : tensor<3x2xf32> to tensor<?x?xf32>
// CHECK-DAG: %[[B:.*]] = optc.broadcast %arg0 {shape = array<i64: 4, 2, 3>} : (tensor<2x3xf32>) -> tensor<4x2x3xf32>
// CHECK-DAG: tensor.cast %[[B]] : tensor<4x2x3xf32> to tensor<?x2x3xf32>
// CHECK-DAG: %[[S:.*]] = optc.slice %arg0 {limits = array<i64: 2, 3>, starts = array<i64: 1, 0>, strides = array<i64: 1, 2>} : (tensor<2x3xf32>) -> tensor<1x2xf32>
// CHECK-DAG: %[[P:.*]] = optc.pad reflect %arg0 {high = array<i64: 1, 2>, low = array<i64: 0, 1>} : (tensor<2x3xf32>) -> tensor<3x6xf32>
// CHECK-DAG: %[[T:.*]] = optc.tile %arg0 {multiples = array<i64: 1, 2>} : (tensor<2x3xf32>) -> tensor<2x6xf32>
// CHECK-DAG: optc.constant dense<[3, 5, 7]> : tensor<3xi64>
// CHECK-DAG: optc.constant dense<[1.000000e+00, 5.000000e-01, 0.000000e+00, -5.000000e-01]> : tensor<4xf32>
// CHECK-DAG: optc.constant dense<[2, 3]> : tensor<2xi64>
// CHECK-NOT: optc.dynamic
// CHECK-NOT: optc.range
func.func @dynamic_to_static(%x: tensor<2x3xf32>) -> (tensor<?x?xf32>, tensor<?x2x3xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<2xi64>) {
  %s = optc.constant dense<[3, 2]> : tensor<2xi64>
  %0 = optc.dynamic_reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %b = optc.constant dense<[4, 1, 1]> : tensor<3xi64>
  %1 = optc.dynamic_broadcast %x, %b : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x2x3xf32>
  %starts = optc.constant dense<[1, 0]> : tensor<2xi64>
  %limits = optc.constant dense<[2, 3]> : tensor<2xi64>
  %strides = optc.constant dense<[1, 2]> : tensor<2xi64>
  %2 = optc.dynamic_slice %x, %starts, %limits, %strides : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  %lo = optc.constant dense<[0, 1]> : tensor<2xi64>
  %hi = optc.constant dense<[1, 2]> : tensor<2xi64>
  %3 = optc.dynamic_pad reflect %x, %lo, %hi : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  %m = optc.constant dense<[1, 2]> : tensor<2xi64>
  %4 = optc.dynamic_tile %x, %m : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %i0 = optc.constant dense<3> : tensor<i64>
  %i1 = optc.constant dense<8> : tensor<i64>
  %i2 = optc.constant dense<2> : tensor<i64>
  %5 = optc.range %i0, %i1, %i2 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %f0 = optc.constant dense<1.0> : tensor<f32>
  %f1 = optc.constant dense<-0.75> : tensor<f32>
  %f2 = optc.constant dense<-0.5> : tensor<f32>
  %6 = optc.range %f0, %f1, %f2 : (tensor<f32>, tensor<f32>, tensor<f32>) -> tensor<?xf32>
  %7 = optc.shape_of %x : (tensor<2x3xf32>) -> tensor<2xi64>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<?x?xf32>, tensor<?x2x3xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?x?xf32>, tensor<?xi64>, tensor<?xf32>, tensor<2xi64>
}

// -----

// A reshape whose result shape is known needs no shape values: a rank-1
// result holds every element, whatever the operand says.
// CHECK-LABEL: func.func @dynamic_reshape_static_result
// CHECK: %[[R:.*]] = optc.reshape %arg0 {shape = array<i64: 6>} : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK: return %[[R]]
func.func @dynamic_reshape_static_result(%x: tensor<2x3xf32>, %s: tensor<1xi64>) -> tensor<6xf32> {
  %0 = optc.dynamic_reshape %x, %s : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
  return %0 : tensor<6xf32>
}

// -----

// Sizes the static rule rejects stay for run time to report; so do
// unknown sizes the attribute form cannot express, and a zero delta.
// CHECK-LABEL: func.func @dynamic_kept
// CHECK: optc.dynamic_reshape
// CHECK: optc.dynamic_broadcast
// CHECK: optc.dynamic_pad
// CHECK: optc.range
// CHECK: optc.shape_of
func.func @dynamic_kept(%x: tensor<2x3xf32>, %d: tensor<?x3xf32>) -> (tensor<?x?xf32>, tensor<?x3xf32>, tensor<?x?xf32>, tensor<?xi64>, tensor<2xi64>) {
  %s = optc.constant dense<[4, 2]> : tensor<2xi64>
  %0 = optc.dynamic_reshape %x, %s : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<?x?xf32>
  %b = optc.constant dense<[1, 3]> : tensor<2xi64>
  %1 = optc.dynamic_broadcast %d, %b : (tensor<?x3xf32>, tensor<2xi64>) -> tensor<?x3xf32>
  %lo = optc.constant dense<[0, 3]> : tensor<2xi64>
  %2 = optc.dynamic_pad reflect %x, %lo, %lo : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  %z = optc.constant dense<0> : tensor<i64>
  %3 = optc.range %z, %z, %z : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %4 = optc.shape_of %d : (tensor<?x3xf32>) -> tensor<2xi64>
  return %0, %1, %2, %3, %4 : tensor<?x?xf32>, tensor<?x3xf32>, tensor<?x?xf32>, tensor<?xi64>, tensor<2xi64>
}

// -----

// Saturating casts to narrow floats clamp infinities and out-of-range
// values to the largest finite value; without saturation an overflow stays
// for run time, and NaN never folds into a format without NaN.
// CHECK-LABEL: func.func @cast_saturation_const
// CHECK-DAG: optc.constant dense<[4.480000e+02, -4.480000e+02, 4.480000e+02, 1.000000e+00]> : tensor<4xf8E4M3FN>
// CHECK-DAG: optc.constant dense<[6.000000e+00, -6.000000e+00, 6.000000e+00, 1.000000e+00]> : tensor<4xf4E2M1FN>
// CHECK: optc.cast %{{.*}} {saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
// CHECK: optc.cast %{{.*}} : tensor<1xf32> -> tensor<1xf4E2M1FN>
func.func @cast_saturation_const() -> (tensor<4xf8E4M3FN>, tensor<4xf4E2M1FN>, tensor<4xf8E4M3FN>, tensor<1xf4E2M1FN>) {
  %x = optc.constant dense<[0x7F800000, 0xFF800000, 1.0e+06, 1.0]> : tensor<4xf32>
  %0 = optc.cast %x : tensor<4xf32> -> tensor<4xf8E4M3FN>
  %1 = optc.cast %x : tensor<4xf32> -> tensor<4xf4E2M1FN>
  %2 = optc.cast %x {saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
  %n = optc.constant dense<0x7FC00000> : tensor<1xf32>
  %3 = optc.cast %n : tensor<1xf32> -> tensor<1xf4E2M1FN>
  return %0, %1, %2, %3 : tensor<4xf8E4M3FN>, tensor<4xf4E2M1FN>, tensor<4xf8E4M3FN>, tensor<1xf4E2M1FN>
}

// -----

// CHECK-LABEL: func.func @non_zero_const
// CHECK: %[[C:.*]] = optc.constant dense<{{\[}}[0, 1, 1], [1, 0, 2]]> : tensor<2x3xi64>
// CHECK: tensor.cast %[[C]] : tensor<2x3xi64> to tensor<2x?xi64>
func.func @non_zero_const() -> tensor<2x?xi64> {
  %x = optc.constant dense<[[0, 5, 0], [-1, 0, 2]]> : tensor<2x3xi32>
  %0 = optc.non_zero %x : (tensor<2x3xi32>) -> tensor<2x?xi64>
  return %0 : tensor<2x?xi64>
}

// -----

// Float reductions fold in row-major order in the element type; max and
// min propagate NaN.
// CHECK-LABEL: func.func @reduce_float_const
// CHECK-DAG: optc.constant dense<[5.000000e+00, 7.000000e+00, 9.000000e+00]> : tensor<3xf32>
// CHECK-DAG: optc.constant dense<[2.000000e+00, 5.000000e+00]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[0x7FC00000, 6.000000e+00]> : tensor<2xf32>
// CHECK-DAG: optc.constant dense<[6.000000e+00, 1.200000e+02]> : tensor<2xf32>
// CHECK-NOT: optc.reduce
func.func @reduce_float_const() -> (tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %x = optc.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %y = optc.constant dense<[[1.0, 0x7FC00000, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %0 = optc.reduce_sum %x {axes = array<i64: 0>} : (tensor<2x3xf32>) -> tensor<3xf32>
  %1 = optc.reduce_mean %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %2 = optc.reduce_max %y {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  %3 = optc.reduce_prod %x {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %0, %1, %2, %3 : tensor<3xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}

// -----

// CHECK-LABEL: func.func @scatter_elements_const
// CHECK-DAG: optc.constant dense<{{\[}}[5, 7, 0], [9, 0, 8]]> : tensor<2x3xi32>
// A repeated index keeps the scatter for run time.
// CHECK-DAG: optc.scatter_elements none
func.func @scatter_elements_const() -> (tensor<2x3xi32>, tensor<3xi32>) {
  %z = optc.constant dense<0> : tensor<2x3xi32>
  %i = optc.constant dense<[[1], [-1]]> : tensor<2x1xi64>
  %u = optc.constant dense<[[7], [8]]> : tensor<2x1xi32>
  %0 = optc.scatter_elements none %z, %i, %u {axis = 1 : i64} : (tensor<2x3xi32>, tensor<2x1xi64>, tensor<2x1xi32>) -> tensor<2x3xi32>
  %j = optc.constant dense<[[1], [0]]> : tensor<2x1xi64>
  %v = optc.constant dense<[[9], [5]]> : tensor<2x1xi32>
  %1 = optc.scatter_elements none %0, %j, %v {axis = 0 : i64} : (tensor<2x3xi32>, tensor<2x1xi64>, tensor<2x1xi32>) -> tensor<2x3xi32>
  %z1 = optc.constant dense<0> : tensor<3xi32>
  %k = optc.constant dense<[1, 1]> : tensor<2xi64>
  %w = optc.constant dense<[1, 2]> : tensor<2xi32>
  %2 = optc.scatter_elements none %z1, %k, %w {axis = 0 : i64} : (tensor<3xi32>, tensor<2xi64>, tensor<2xi32>) -> tensor<3xi32>
  return %1, %2 : tensor<2x3xi32>, tensor<3xi32>
}

// -----

// Constant padding (and cropping) of a constant folds; other modes stay.
// CHECK-LABEL: func.func @pad_const
// CHECK-DAG: optc.constant dense<{{\[}}[9, 1, 2, 9], [9, 3, 4, 9]]> : tensor<2x4xi32>
// CHECK-DAG: optc.constant dense<{{\[}}[2], [4]]> : tensor<2x1xi32>
// CHECK-DAG: optc.pad edge
func.func @pad_const() -> (tensor<2x4xi32>, tensor<2x1xi32>, tensor<2x3xi32>) {
  %x = optc.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %v = optc.constant dense<9> : tensor<i32>
  %0 = optc.pad constant %x, %v {high = array<i64: 0, 1>, low = array<i64: 0, 1>} : (tensor<2x2xi32>, tensor<i32>) -> tensor<2x4xi32>
  %1 = optc.pad constant %x {high = array<i64: 0, 0>, low = array<i64: 0, -1>} : (tensor<2x2xi32>) -> tensor<2x1xi32>
  %2 = optc.pad edge %x {high = array<i64: 0, 1>, low = array<i64: 0, 0>} : (tensor<2x2xi32>) -> tensor<2x3xi32>
  return %0, %1, %2 : tensor<2x4xi32>, tensor<2x1xi32>, tensor<2x3xi32>
}
