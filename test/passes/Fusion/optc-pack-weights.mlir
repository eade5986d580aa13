// RUN: optc-opt %s --optc-pack-weights -split-input-file | FileCheck %s
// Constant weights of 8-bit integer products are rearranged into the
// kernel's panels: 16 columns by 4 consecutive k (B[k, n] at
// [n / 16, k / 4, n % 16, k % 4]), B's bytes as they are, zeros in the
// padding.

// A [5, 2] B: one panel, two steps of 4 k. Step 0 holds column 0's
// k 0-3 (1, 3, 5, 7), column 1's (2, 4, 6, 8), then 14 empty columns;
// step 1 column 0's k 4 (9) and column 1's (10).
// CHECK-LABEL: func.func @rows
// CHECK: %[[P:.*]] = optc.constant dense_resource<weights.panels> : tensor<1x2x16x4xui8>
// CHECK: optc.integer_matmul %{{.*}}, %[[P]] {rhs_panels} : (tensor<3x5xi8>, tensor<1x2x16x4xui8>) -> tensor<3x2xi32>
// CHECK: weights.panels: "0x40000000010305070204060800000000{{0+}}090000000A000000{{0+}}"
func.func @rows(%a: tensor<3x5xi8>) -> tensor<3x2xi32> {
  %w = optc.constant dense<[[1, 2], [3, 4], [5, 6], [7, 8], [9, 10]]> : tensor<5x2xui8>
  %y = optc.integer_matmul %a, %w : (tensor<3x5xi8>, tensor<5x2xui8>) -> tensor<3x2xi32>
  return %y : tensor<3x2xi32>
}

// -----

// The same B transposed ([N, K]) packs into the same panels; the zero
// points stay as they are, and a weight used twice is packed once.
// CHECK-LABEL: func.func @columns
// CHECK-COUNT-1: dense_resource<weights.panels>
// CHECK: optc.integer_matmul %{{.*}}, %[[P:.*]] rhs_zero_point %{{.*}} {rhs_panels}
// CHECK: optc.integer_matmul %{{.*}}, %[[P]] {rhs_panels}
// CHECK: weights.panels: "0x40000000010305070204060800000000{{0+}}090000000A000000{{0+}}"
func.func @columns(%a: tensor<3x5xi8>, %zb: tensor<2xui8>) -> (tensor<3x2xi32>, tensor<3x2xi32>) {
  %w = optc.constant dense<[[1, 3, 5, 7, 9], [2, 4, 6, 8, 10]]> : tensor<2x5xui8>
  %y = optc.integer_matmul %a, %w rhs_zero_point %zb {rhs_transposed} : (tensor<3x5xi8>, tensor<2x5xui8>, tensor<2xui8>) -> tensor<3x2xi32>
  %z = optc.integer_matmul %a, %w {rhs_transposed} : (tensor<3x5xi8>, tensor<2x5xui8>) -> tensor<3x2xi32>
  return %y, %z : tensor<3x2xi32>, tensor<3x2xi32>
}

// -----

// Weights that are not constants stay as they are.
// CHECK-LABEL: func.func @not_constant
// CHECK: optc.integer_matmul %{{.*}}, %{{.*}} : (tensor<3x5xi8>, tensor<5x2xi8>) -> tensor<3x2xi32>
func.func @not_constant(%a: tensor<3x5xi8>, %w: tensor<5x2xi8>) -> tensor<3x2xi32> {
  %y = optc.integer_matmul %a, %w : (tensor<3x5xi8>, tensor<5x2xi8>) -> tensor<3x2xi32>
  return %y : tensor<3x2xi32>
}
