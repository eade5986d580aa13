// RUN: optc-opt %s --optc-form-quantized-matmul -split-input-file | FileCheck %s
// A dequantize feeding a matmul becomes one optc.quantized_matmul, its
// weights still packed.

// MatMulNBits' form: [N, K] weights, transposed for the product.
// CHECK-LABEL: func.func @transposed
// CHECK-SAME: (%[[X:.*]]: tensor<1x64xf32>, %[[W:.*]]: tensor<8x64xui4, {{.*}}>, %[[S:.*]]: tensor<8x2xf32>, %[[Z:.*]]: tensor<8x2xui4>)
// CHECK-NEXT: %[[Y:.*]] = optc.quantized_matmul %[[X]], %[[W]], %[[S]] zero_points %[[Z]] {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>, tensor<8x2xui4>) -> tensor<1x8xf32>
// CHECK-NEXT: return %[[Y]]
func.func @transposed(%x: tensor<1x64xf32>, %w: tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, %s: tensor<8x2xf32>, %z: tensor<8x2xui4>) -> tensor<1x8xf32> {
  %d = optc.dequantize %w, %s zero_points %z : (tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>, tensor<8x2xui4>) -> tensor<8x64xf32>
  %t = optc.transpose %d {permutation = array<i64: 1, 0>} : (tensor<8x64xf32>) -> tensor<64x8xf32>
  %y = optc.matmul %x, %t : (tensor<1x64xf32>, tensor<64x8xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// ONNX's DequantizeLinear -> MatMul: constant [K, N] weights become [N, K]
// ones at compile time (codes 1 2 / 3 4 / 5 6 / 7 -8 by rows of K = 4,
// N = 2: columns 1 3 5 7 and 2 4 6 -8), their scales transposed with them.
// CHECK-LABEL: func.func @constant_k_by_n
// CHECK-DAG: %[[W:.*]] = optc.constant dense_resource<w{{.*}}> : tensor<2x4xi4, #optc.quant<block = [1, 2], scale = f32>>
// CHECK-DAG: %[[S:.*]] = optc.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00], [2.000000e+00, 4.000000e+00]]> : tensor<2x2xf32>
// CHECK: optc.quantized_matmul %{{.*}}, %[[W]], %[[S]] {rhs_transposed}
// CHECK: w{{.*}}: "0x0100000031754286"
func.func @constant_k_by_n(%x: tensor<3x4xf32>) -> tensor<3x2xf32> {
  %w = optc.constant dense_resource<w> : tensor<4x2xi4, #optc.quant<block = [2, 1], scale = f32>>
  %s = optc.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %d = optc.dequantize %w, %s : (tensor<4x2xi4, #optc.quant<block = [2, 1], scale = f32>>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %y = optc.matmul %x, %d : (tensor<3x4xf32>, tensor<4x2xf32>) -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x0100000021436587"
    }
  }
#-}

// -----

// Weights used twice are left alone (a product each would dequantize them
// twice).
// CHECK-LABEL: func.func @shared
// CHECK: optc.dequantize
// CHECK-NOT: optc.quantized_matmul
func.func @shared(%x: tensor<1x64xf32>, %w: tensor<64x8xi8, #optc.quant<block = [64, 1], scale = f32>>, %s: tensor<1x8xf32>) -> (tensor<1x8xf32>, tensor<64x8xf32>) {
  %d = optc.dequantize %w, %s : (tensor<64x8xi8, #optc.quant<block = [64, 1], scale = f32>>, tensor<1x8xf32>) -> tensor<64x8xf32>
  %y = optc.matmul %x, %d : (tensor<1x64xf32>, tensor<64x8xf32>) -> tensor<1x8xf32>
  return %y, %d : tensor<1x8xf32>, tensor<64x8xf32>
}

// -----

// A product of two dequantized 8-bit integer tensors (onnxruntime's QDQ
// format: activations per tensor, weights per column) is an integer product
// of the codes, rescaled once by the product of the scales.
// CHECK-LABEL: func.func @qdq
// CHECK-DAG: %[[A:.*]] = optc.unpack %arg0 : tensor<2x16x64xui8, #optc.quant<block = [2, 16, 64], scale = f32, zero_point>> -> tensor<2x16x64xui8>
// CHECK-DAG: %[[W:.*]] = optc.unpack %arg3 : tensor<64x8xi8, #optc.quant<block = [64, 1], scale = f32, zero_point>> -> tensor<64x8xi8>
// CHECK-DAG: %[[ZA:.*]] = optc.reshape %arg2 {shape = array<i64>} : (tensor<1x1x1xui8>) -> tensor<ui8>
// CHECK-DAG: %[[ZW:.*]] = optc.reshape %arg5 {shape = array<i64: 8>} : (tensor<1x8xi8>) -> tensor<8xi8>
// CHECK: %[[P:.*]] = optc.integer_matmul %[[A]], %[[W]] lhs_zero_point %[[ZA]] rhs_zero_point %[[ZW]] : (tensor<2x16x64xui8>, tensor<64x8xi8>, tensor<ui8>, tensor<8xi8>) -> tensor<2x16x8xi32>
// CHECK: %[[S:.*]] = optc.mul %{{.*}}, %{{.*}} : (tensor<f32>, tensor<8xf32>) -> tensor<8xf32>
// CHECK: %[[F:.*]] = optc.cast %[[P]] : tensor<2x16x8xi32> -> tensor<2x16x8xf32>
// CHECK: optc.mul %[[F]], %[[S]] : (tensor<2x16x8xf32>, tensor<8xf32>) -> tensor<2x16x8xf32>
// CHECK-NOT: optc.matmul
func.func @qdq(%a: tensor<2x16x64xui8, #optc.quant<block = [2, 16, 64], scale = f32, zero_point>>, %sa: tensor<1x1x1xf32>, %za: tensor<1x1x1xui8>, %w: tensor<64x8xi8, #optc.quant<block = [64, 1], scale = f32, zero_point>>, %sw: tensor<1x8xf32>, %zw: tensor<1x8xi8>) -> tensor<2x16x8xf32> {
  %x = optc.dequantize %a, %sa zero_points %za : (tensor<2x16x64xui8, #optc.quant<block = [2, 16, 64], scale = f32, zero_point>>, tensor<1x1x1xf32>, tensor<1x1x1xui8>) -> tensor<2x16x64xf32>
  %d = optc.dequantize %w, %sw zero_points %zw : (tensor<64x8xi8, #optc.quant<block = [64, 1], scale = f32, zero_point>>, tensor<1x8xf32>, tensor<1x8xi8>) -> tensor<64x8xf32>
  %y = optc.matmul %x, %d : (tensor<2x16x64xf32>, tensor<64x8xf32>) -> tensor<2x16x8xf32>
  return %y : tensor<2x16x8xf32>
}

// -----

// Activations per channel are not one integer product: the weights alone
// become a quantized product.
// CHECK-LABEL: func.func @per_channel_activations
// CHECK-NOT: optc.integer_matmul
// CHECK: optc.quantized_matmul
func.func @per_channel_activations(%a: tensor<16x64xi8, #optc.quant<block = [16, 1], scale = f32>>, %sa: tensor<1x64xf32>, %w: tensor<64x8xi8, #optc.quant<block = [64, 8], scale = f32>>, %sw: tensor<1x1xf32>) -> tensor<16x8xf32> {
  %x = optc.dequantize %a, %sa : (tensor<16x64xi8, #optc.quant<block = [16, 1], scale = f32>>, tensor<1x64xf32>) -> tensor<16x64xf32>
  %d = optc.dequantize %w, %sw : (tensor<64x8xi8, #optc.quant<block = [64, 8], scale = f32>>, tensor<1x1xf32>) -> tensor<64x8xf32>
  %y = optc.matmul %x, %d : (tensor<16x64xf32>, tensor<64x8xf32>) -> tensor<16x8xf32>
  return %y : tensor<16x8xf32>
}
