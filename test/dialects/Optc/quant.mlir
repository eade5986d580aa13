// RUN: optc-opt %s | optc-opt | FileCheck %s
// The quantized tensor encoding and optc.quantize/optc.dequantize print
// and parse back.

// CHECK-LABEL: func.func @mx
// CHECK: optc.dequantize %{{.*}}, %{{.*}} : (tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, tensor<8x2xf8E8M0FNU>) -> tensor<8x64xf32>
func.func @mx(%q: tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>,
              %s: tensor<8x2xf8E8M0FNU>) -> tensor<8x64xf32> {
  %w = optc.dequantize %q, %s : (tensor<8x64xf4E2M1FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, tensor<8x2xf8E8M0FNU>) -> tensor<8x64xf32>
  return %w : tensor<8x64xf32>
}

// CHECK-LABEL: func.func @int4_zero_points
// CHECK: %[[Q:.*]] = optc.quantize %{{.*}}, %{{.*}} zero_points %{{.*}} : (tensor<4x256xf32>, tensor<4x2xf16>, tensor<4x2xui4>) -> tensor<4x256xui4, #optc.quant<block = [1, 128], scale = f16, zero_point>>
// CHECK: optc.dequantize %[[Q]], %{{.*}} zero_points %{{.*}} : ({{.*}}) -> tensor<4x256xbf16>
func.func @int4_zero_points(%x: tensor<4x256xf32>, %s: tensor<4x2xf16>, %z: tensor<4x2xui4>) -> tensor<4x256xbf16> {
  %q = optc.quantize %x, %s zero_points %z : (tensor<4x256xf32>, tensor<4x2xf16>, tensor<4x2xui4>) -> tensor<4x256xui4, #optc.quant<block = [1, 128], scale = f16, zero_point>>
  %y = optc.dequantize %q, %s zero_points %z : (tensor<4x256xui4, #optc.quant<block = [1, 128], scale = f16, zero_point>>, tensor<4x2xf16>, tensor<4x2xui4>) -> tensor<4x256xbf16>
  return %y : tensor<4x256xbf16>
}

// NVFP4: E4M3 block scales under an f32 tensor scale; a short last block
// (40 = 16 + 16 + 8).
// CHECK-LABEL: func.func @nvfp4
// CHECK: optc.quantize %{{.*}}, %{{.*}} tensor_scale %{{.*}} {saturate = false}
func.func @nvfp4(%x: tensor<3x40xf32>, %s: tensor<3x3xf8E4M3FN>, %t: tensor<f32>) -> tensor<3x40xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>> {
  %q = optc.quantize %x, %s tensor_scale %t {saturate = false} : (tensor<3x40xf32>, tensor<3x3xf8E4M3FN>, tensor<f32>) -> tensor<3x40xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>>
  return %q : tensor<3x40xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>>
}

// Per output channel of a convolution's weight; packed 2-bit codes held by
// a constant (7 x 2 bits in 2 bytes).
// CHECK-LABEL: func.func @per_channel
// CHECK: optc.constant dense_resource<codes> : tensor<7xi2, #optc.quant<block = [7], scale = f32>>
func.func @per_channel(%w: tensor<16x3x3x3xf32>, %s: tensor<16x1x1x1xf32>) -> (tensor<16x3x3x3xi8, #optc.quant<block = [1, 3, 3, 3], scale = f32>>, tensor<7xi2, #optc.quant<block = [7], scale = f32>>) {
  %q = optc.quantize %w, %s : (tensor<16x3x3x3xf32>, tensor<16x1x1x1xf32>) -> tensor<16x3x3x3xi8, #optc.quant<block = [1, 3, 3, 3], scale = f32>>
  %c = optc.constant dense_resource<codes> : tensor<7xi2, #optc.quant<block = [7], scale = f32>>
  return %q, %c : tensor<16x3x3x3xi8, #optc.quant<block = [1, 3, 3, 3], scale = f32>>, tensor<7xi2, #optc.quant<block = [7], scale = f32>>
}

{-#
  dialect_resources: {
    builtin: {
      codes: "0x04000000E41B"
    }
  }
#-}

// CHECK-LABEL: func.func @pack_unpack
// CHECK: %[[P:.*]] = optc.pack %{{.*}} : tensor<4x6xi3> -> tensor<4x6xi3, #optc.quant<block = [1, 3], scale = f32>>
// CHECK: optc.unpack %[[P]] : tensor<4x6xi3, #optc.quant<block = [1, 3], scale = f32>> -> tensor<4x6xi3>
func.func @pack_unpack(%c: tensor<4x6xi3>) -> tensor<4x6xi3> {
  %p = optc.pack %c : tensor<4x6xi3> -> tensor<4x6xi3, #optc.quant<block = [1, 3], scale = f32>>
  %u = optc.unpack %p : tensor<4x6xi3, #optc.quant<block = [1, 3], scale = f32>> -> tensor<4x6xi3>
  return %u : tensor<4x6xi3>
}

// CHECK-LABEL: func.func @quantized_matmul
// CHECK: optc.quantized_matmul %{{.*}}, %{{.*}}, %{{.*}} zero_points %{{.*}} {rhs_transposed} : (tensor<2x64xf32>, tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>, tensor<8x2xui4>) -> tensor<2x8xf32>
func.func @quantized_matmul(%x: tensor<2x64xf32>, %w: tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, %s: tensor<8x2xf32>, %z: tensor<8x2xui4>) -> tensor<2x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s zero_points %z {rhs_transposed} : (tensor<2x64xf32>, tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>, tensor<8x2xui4>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// CHECK-LABEL: func.func @integer_matmul
// CHECK: optc.integer_matmul %{{.*}}, %{{.*}} lhs_zero_point %{{.*}} rhs_zero_point %{{.*}} : (tensor<2x3x64xui8>, tensor<64x8xi8>, tensor<ui8>, tensor<8xi8>) -> tensor<2x3x8xi32>
// CHECK: optc.integer_matmul %{{.*}}, %{{.*}} {rhs_transposed} : (tensor<4x64xi8>, tensor<8x64xui8>) -> tensor<4x8xi32>
func.func @integer_matmul(%a: tensor<2x3x64xui8>, %w: tensor<64x8xi8>, %za: tensor<ui8>, %zw: tensor<8xi8>, %b: tensor<4x64xi8>, %v: tensor<8x64xui8>) -> (tensor<2x3x8xi32>, tensor<4x8xi32>) {
  %y = optc.integer_matmul %a, %w lhs_zero_point %za rhs_zero_point %zw : (tensor<2x3x64xui8>, tensor<64x8xi8>, tensor<ui8>, tensor<8xi8>) -> tensor<2x3x8xi32>
  %t = optc.integer_matmul %b, %v {rhs_transposed} : (tensor<4x64xi8>, tensor<8x64xui8>) -> tensor<4x8xi32>
  return %y, %t : tensor<2x3x8xi32>, tensor<4x8xi32>
}
