// RUN: optc-opt %s -canonicalize -split-input-file | FileCheck %s
// Q/DQ of constants fold through the numerics library. Packing a blob (a
// weight) folds to a blob of packed codes, which dequantize leaves alone:
// weights stay packed for the kernels that read them. Small constants,
// held inline, fold all the way.

// Codes 1, 2, -3 (0xD), 7 as one bit stream: 0x21, 0x7D.
// CHECK-LABEL: func.func @fold_pack_blob
// CHECK: %[[C:.*]] = optc.constant dense_resource<w{{.*}}> : tensor<4xi4, #optc.quant<block = [2], scale = f32>>
// CHECK-NOT: optc.pack
// CHECK: optc.dequantize %[[C]]
// CHECK: w{{.*}}: "0x01000000217D"
func.func @fold_pack_blob(%s: tensor<2xf32>) -> tensor<4xf32> {
  %c = optc.constant dense_resource<w> : tensor<4xi4>
  %p = optc.pack %c : tensor<4xi4> -> tensor<4xi4, #optc.quant<block = [2], scale = f32>>
  %d = optc.dequantize %p, %s : (tensor<4xi4, #optc.quant<block = [2], scale = f32>>, tensor<2xf32>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x010000000102FD07"
    }
  }
#-}

// -----

// (code - zero point) * scale per block of two: (1 - 1) * 0.5, (2 - 1) *
// 0.5, (-3 + 2) * 4, (7 + 2) * 4.
// CHECK-LABEL: func.func @fold_dequantize_inline
// CHECK-NEXT: %[[C:.*]] = optc.constant dense<[0.000000e+00, 5.000000e-01, -4.000000e+00, 3.600000e+01]> : tensor<4xf32>
// CHECK-NEXT: return %[[C]]
func.func @fold_dequantize_inline() -> tensor<4xf32> {
  %c = optc.constant dense<[1, 2, -3, 7]> : tensor<4xi4>
  %s = optc.constant dense<[0.5, 4.0]> : tensor<2xf32>
  %z = optc.constant dense<[1, -2]> : tensor<2xi4>
  %p = optc.pack %c : tensor<4xi4> -> tensor<4xi4, #optc.quant<block = [2], scale = f32, zero_point>>
  %d = optc.dequantize %p, %s zero_points %z : (tensor<4xi4, #optc.quant<block = [2], scale = f32, zero_point>>, tensor<2xf32>, tensor<2xi4>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}

// -----

// MXFP4 of constants: x / 2^-1 rounded to FP4 (ties to even: 2.5 -> 2),
// saturating at 6, -0.2 to -0, then unpacked.
// CHECK-LABEL: func.func @fold_quantize
// CHECK-NEXT: %[[C:.*]] = optc.constant dense<[1.000000e+00, 2.000000e+00, 6.000000e+00, -0.000000e+00]> : tensor<4xf4E2M1FN>
// CHECK-NEXT: return %[[C]]
func.func @fold_quantize() -> tensor<4xf4E2M1FN> {
  %x = optc.constant dense<[0.5, 1.25, 100.0, -0.1]> : tensor<4xf32>
  %s = optc.constant dense<[0.5]> : tensor<1xf8E8M0FNU>
  %q = optc.quantize %x, %s : (tensor<4xf32>, tensor<1xf8E8M0FNU>) -> tensor<4xf4E2M1FN, #optc.quant<block = [4], scale = f8E8M0FNU>>
  %u = optc.unpack %q : tensor<4xf4E2M1FN, #optc.quant<block = [4], scale = f8E8M0FNU>> -> tensor<4xf4E2M1FN>
  return %u : tensor<4xf4E2M1FN>
}

// -----

// CHECK-LABEL: func.func @unpack_of_pack
// CHECK-SAME: (%[[X:.*]]: tensor<5xf4E2M1FN>)
// CHECK-NEXT: return %[[X]]
func.func @unpack_of_pack(%x: tensor<5xf4E2M1FN>) -> tensor<5xf4E2M1FN> {
  %p = optc.pack %x : tensor<5xf4E2M1FN> -> tensor<5xf4E2M1FN, #optc.quant<block = [5], scale = f8E8M0FNU>>
  %u = optc.unpack %p : tensor<5xf4E2M1FN, #optc.quant<block = [5], scale = f8E8M0FNU>> -> tensor<5xf4E2M1FN>
  return %u : tensor<5xf4E2M1FN>
}

// -----

// An integer product of constants folds to its exact i32 sums: (A - za)
// times (B - zb) with B's zero point one a column.
// CHECK-LABEL: func.func @integer_matmul
// CHECK: %[[C:.*]] = optc.constant dense<{{\[\[}}-1, 0], [-4, 150]]> : tensor<2x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @integer_matmul() -> tensor<2x2xi32> {
  %a = optc.constant dense<[[1, 2], [4, 8]]> : tensor<2x2xui8>
  %b = optc.constant dense<[[1, 100], [-1, 50]]> : tensor<2x2xi8>
  %za = optc.constant dense<1> : tensor<ui8>
  %zb = optc.constant dense<[0, 50]> : tensor<2xi8>
  %y = optc.integer_matmul %a, %b lhs_zero_point %za rhs_zero_point %zb : (tensor<2x2xui8>, tensor<2x2xi8>, tensor<ui8>, tensor<2xi8>) -> tensor<2x2xi32>
  return %y : tensor<2x2xi32>
}

// -----

// The same product with B in panels (B[k, n] at [n / 16, k / 4, n % 16,
// k % 4]) folds to the same sums.
// CHECK-LABEL: func.func @integer_matmul_panels
// CHECK: %[[C:.*]] = optc.constant dense<{{\[\[}}-1, 0], [-4, 150]]> : tensor<2x2xi32>
// CHECK-NEXT: return %[[C]]
func.func @integer_matmul_panels() -> tensor<2x2xi32> {
  %a = optc.constant dense<[[1, 2], [4, 8]]> : tensor<2x2xui8>
  %b = optc.constant dense<[[[[1, -1, 0, 0], [100, 50, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]]]> : tensor<1x1x16x4xi8>
  %za = optc.constant dense<1> : tensor<ui8>
  %zb = optc.constant dense<[0, 50]> : tensor<2xi8>
  %y = optc.integer_matmul %a, %b lhs_zero_point %za rhs_zero_point %zb {rhs_panels} : (tensor<2x2xui8>, tensor<1x1x16x4xi8>, tensor<ui8>, tensor<2xi8>) -> tensor<2x2xi32>
  return %y : tensor<2x2xi32>
}
