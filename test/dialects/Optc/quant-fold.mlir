// RUN: optc-opt %s -canonicalize -split-input-file | FileCheck %s
// Packing a constant folds to a constant of packed codes, so that weights
// are packed at compile time; unpacking undoes packing.

// Codes 1, 2, -3 (0xD), 7 as one bit stream: 0x21, 0x7D.
// CHECK-LABEL: func.func @fold_pack
// CHECK: %[[C:.*]] = optc.constant dense_resource<codes> : tensor<4xi4, #optc.quant<block = [2], scale = f32>>
// CHECK-NOT: optc.pack
// CHECK: optc.dequantize %[[C]]
// CHECK: codes: "0x01000000217D"
func.func @fold_pack(%s: tensor<2xf32>) -> tensor<4xf32> {
  %c = optc.constant dense<[1, 2, -3, 7]> : tensor<4xi4>
  %p = optc.pack %c : tensor<4xi4> -> tensor<4xi4, #optc.quant<block = [2], scale = f32>>
  %d = optc.dequantize %p, %s : (tensor<4xi4, #optc.quant<block = [2], scale = f32>>, tensor<2xf32>) -> tensor<4xf32>
  return %d : tensor<4xf32>
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
