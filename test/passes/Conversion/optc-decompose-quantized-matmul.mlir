// RUN: optc-opt %s --optc-decompose -split-input-file | FileCheck %s
// Quantized products the CPU micro-kernel does not run (here: MXFP4's
// float codes and E8M0 scales) are dequantized, then multiplied; those it
// runs stay.

// CHECK-LABEL: func.func @mxfp4
// CHECK: %[[W:.*]] = optc.dequantize %{{.*}}, %{{.*}} : ({{.*}}) -> tensor<8x64xf32>
// CHECK: %[[T:.*]] = optc.transpose %[[W]] {permutation = array<i64: 1, 0>}
// CHECK: optc.matmul %{{.*}}, %[[T]] : (tensor<1x64xf32>, tensor<64x8xf32>) -> tensor<1x8xf32>
func.func @mxfp4(%x: tensor<1x64xf32>, %w: tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, %s: tensor<8x2xf8E8M0FNU>) -> tensor<1x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, tensor<8x2xf8E8M0FNU>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func.func @int4
// CHECK-NEXT: optc.quantized_matmul
func.func @int4(%x: tensor<1x64xf32>, %w: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<8x2xf32>) -> tensor<1x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<8x2xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}
