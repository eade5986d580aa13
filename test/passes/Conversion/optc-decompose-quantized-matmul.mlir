// RUN: optc-opt %s --optc-decompose -split-input-file | FileCheck %s
// Quantized products the CPU micro-kernel does not run (here: rows of 3-bit
// codes that do not start on a byte, f16 activations) are dequantized,
// then multiplied; those it runs (integer codes of 1 to 8 bits, MXFP4,
// MXFP6, MXFP8, NVFP4) stay.

// CHECK-LABEL: func.func @int3_unaligned_rows
// CHECK: %[[W:.*]] = optc.dequantize %{{.*}}, %{{.*}} : ({{.*}}) -> tensor<8x60xf32>
// CHECK: %[[T:.*]] = optc.transpose %[[W]] {permutation = array<i64: 1, 0>}
// CHECK: optc.matmul %{{.*}}, %[[T]] : (tensor<1x60xf32>, tensor<60x8xf32>) -> tensor<1x8xf32>
func.func @int3_unaligned_rows(%x: tensor<1x60xf32>, %w: tensor<8x60xi3, #optc.quant<block = [1, 20], scale = f32>>, %s: tensor<8x3xf32>) -> tensor<1x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x60xf32>, tensor<8x60xi3, #optc.quant<block = [1, 20], scale = f32>>, tensor<8x3xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func.func @f16_activations
// CHECK: optc.dequantize
// CHECK: optc.matmul
func.func @f16_activations(%x: tensor<1x64xf16>, %w: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f16>>, %s: tensor<8x2xf16>) -> tensor<1x8xf16> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x64xf16>, tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f16>>, tensor<8x2xf16>) -> tensor<1x8xf16>
  return %y : tensor<1x8xf16>
}

// -----

// CHECK-LABEL: func.func @mxfp6
// CHECK-NEXT: optc.quantized_matmul
func.func @mxfp6(%x: tensor<1x64xf32>, %w: tensor<8x64xf6E2M3FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, %s: tensor<8x2xf8E8M0FNU>) -> tensor<1x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xf6E2M3FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, tensor<8x2xf8E8M0FNU>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func.func @mxfp4
// CHECK-NEXT: optc.quantized_matmul
func.func @mxfp4(%x: tensor<1x64xf32>, %w: tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, %s: tensor<8x2xf8E8M0FNU>) -> tensor<1x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, tensor<8x2xf8E8M0FNU>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func.func @nvfp4
// CHECK-NEXT: optc.quantized_matmul
func.func @nvfp4(%x: tensor<1x64xf32>, %w: tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>>, %s: tensor<8x4xf8E4M3FN>, %t: tensor<f32>) -> tensor<1x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s tensor_scale %t {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>>, tensor<8x4xf8E4M3FN>, tensor<f32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// CHECK-LABEL: func.func @int4
// CHECK-NEXT: optc.quantized_matmul
func.func @int4(%x: tensor<1x64xf32>, %w: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<8x2xf32>) -> tensor<1x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<8x2xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

// An 8-bit integer product with a batched lhs and zero points per row:
// widened to i32, less the zero points (per row as a column), then an i32
// matmul. Without per-row zero points it stays for the kernel.
// CHECK-LABEL: func.func @integer_batched_rows
// CHECK: %[[A:.*]] = optc.cast %{{.*}} : tensor<2x4x64xui8> -> tensor<2x4x64xi32>
// CHECK: %[[Z:.*]] = optc.reshape %{{.*}} {shape = array<i64: 4, 1>}
// CHECK: %[[AZ:.*]] = optc.sub %[[A]], %[[Z]]
// CHECK: %[[W:.*]] = optc.cast %{{.*}} : tensor<8x64xi8> -> tensor<8x64xi32>
// CHECK: %[[T:.*]] = optc.transpose %[[W]] {permutation = array<i64: 1, 0>}
// CHECK: optc.matmul %[[AZ]], %[[T]] : (tensor<2x4x64xi32>, tensor<64x8xi32>) -> tensor<2x4x8xi32>
// CHECK-LABEL: func.func @integer_batched
// CHECK-NEXT: optc.integer_matmul
func.func @integer_batched_rows(%a: tensor<2x4x64xui8>, %w: tensor<8x64xi8>, %z: tensor<4xui8>) -> tensor<2x4x8xi32> {
  %y = optc.integer_matmul %a, %w lhs_zero_point %z {rhs_transposed} : (tensor<2x4x64xui8>, tensor<8x64xi8>, tensor<4xui8>) -> tensor<2x4x8xi32>
  return %y : tensor<2x4x8xi32>
}
func.func @integer_batched(%a: tensor<2x4x64xui8>, %w: tensor<8x64xi8>, %z: tensor<ui8>) -> tensor<2x4x8xi32> {
  %y = optc.integer_matmul %a, %w lhs_zero_point %z {rhs_transposed} : (tensor<2x4x64xui8>, tensor<8x64xi8>, tensor<ui8>) -> tensor<2x4x8xi32>
  return %y : tensor<2x4x8xi32>
}

// -----

// Panels (rhs_panels) are first put back in [K, N] order: [N/16, K/4, 16,
// 4] -> [K/4, 4, N/16, 16] -> [K4 * 4, N16] and the padding cut off.
// CHECK-LABEL: func.func @integer_panels
// CHECK: %[[T:.*]] = optc.transpose %{{.*}} {permutation = array<i64: 1, 3, 0, 2>} : (tensor<2x17x16x4xi8>) -> tensor<17x4x2x16xi8>
// CHECK: %[[R:.*]] = optc.reshape %[[T]] {shape = array<i64: 68, 32>}
// CHECK: %[[S:.*]] = optc.slice %[[R]] {limits = array<i64: 66, 20>, starts = array<i64: 0, 0>, strides = array<i64: 1, 1>}
// CHECK: %[[W:.*]] = optc.cast %[[S]] : tensor<66x20xi8> -> tensor<66x20xi32>
// CHECK: optc.matmul %{{.*}}, %[[W]] : (tensor<2x4x66xi32>, tensor<66x20xi32>) -> tensor<2x4x20xi32>
func.func @integer_panels(%a: tensor<2x4x66xui8>, %w: tensor<2x17x16x4xi8>, %z: tensor<4xui8>) -> tensor<2x4x20xi32> {
  %y = optc.integer_matmul %a, %w lhs_zero_point %z {rhs_panels} : (tensor<2x4x66xui8>, tensor<2x17x16x4xi8>, tensor<4xui8>) -> tensor<2x4x20xi32>
  return %y : tensor<2x4x20xi32>
}
