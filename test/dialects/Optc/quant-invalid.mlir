// RUN: optc-opt %s -split-input-file -verify-diagnostics
// What #optc.quant, optc.quantize and optc.dequantize reject.

// expected-error @+1 {{block sizes are at least 1, found 0}}
func.func private @zero_block(tensor<4xi4, #optc.quant<block = [0], scale = f32>>)

// -----

// expected-error @+1 {{scales of 'i8'; expected f32, f16, bf16, f8E8M0FNU or f8E4M3FN}}
func.func private @integer_scale(tensor<4xi4, #optc.quant<block = [4], scale = i8>>)

// -----

// expected-error @+1 {{a tensor scale goes with f8E4M3FN block scales (NVFP4), not 'f16'}}
func.func private @tensor_scale(tensor<32xf4E2M1FN, #optc.quant<block = [16], scale = f16, tensor_scale>>)

// -----

// expected-error @+1 {{a quantized tensor holds codes of an integer of 1 to 8 bits or of f4E2M1FN, f6E2M3FN, f6E3M2FN, f8E4M3FN or f8E5M2, not 'f32'}}
func.func private @float_codes(tensor<4xf32, #optc.quant<block = [4], scale = f32>>)

// -----

// expected-error @+1 {{#optc.quant has 1 block sizes for a tensor of rank 2}}
func.func private @rank(tensor<4x4xi4, #optc.quant<block = [4], scale = f32>>)

// -----

// expected-error @+1 {{zero points are for integer codes, not 'f4E2M1FN'}}
func.func private @float_zero_point(tensor<4xf4E2M1FN, #optc.quant<block = [4], scale = f32, zero_point>>)

// -----

// expected-error @+1 {{expected zero_point or tensor_scale (once each), found 'packed'}}
func.func private @unknown_flag(tensor<4xi4, #optc.quant<block = [4], scale = f32, packed>>)

// -----

func.func @scale_shape(%q: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<8x3xf32>) {
  // expected-error @+1 {{'optc.dequantize' op needs scales of 'tensor<8x2xf32>' for codes of 'tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>', found 'tensor<8x3xf32>'}}
  %0 = optc.dequantize %q, %s : (tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<8x3xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @scale_type(%q: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f16>>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{needs scales of 'tensor<8x2xf16>'}}
  %0 = optc.dequantize %q, %s : (tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f16>>, tensor<8x2xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @missing_zero_points(%q: tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{needs zero points (#optc.quant has zero_point)}}
  %0 = optc.dequantize %q, %s : (tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @zero_point_type(%q: tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, %s: tensor<8x2xf32>, %z: tensor<8x2xi4>) {
  // expected-error @+1 {{needs zero points of 'tensor<8x2xui4>', found 'tensor<8x2xi4>'}}
  %0 = optc.dequantize %q, %s zero_points %z : (tensor<8x64xui4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>, tensor<8x2xi4>) -> tensor<8x64xf32>
  return
}

// -----

func.func @plain_codes(%q: tensor<8x64xi4>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{needs codes of a #optc.quant tensor type, found 'tensor<8x64xi4>'}}
  %0 = optc.dequantize %q, %s : (tensor<8x64xi4>, tensor<8x2xf32>) -> tensor<8x64xf32>
  return
}

// -----

func.func @narrow_values(%q: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{converts to or from f16, bf16, f32 or f64, found 'f8E4M3FN'}}
  %0 = optc.dequantize %q, %s : (tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<8x2xf32>) -> tensor<8x64xf8E4M3FN>
  return
}

// -----

func.func @shape(%x: tensor<8x60xf32>, %s: tensor<8x2xf32>) {
  // expected-error @+1 {{codes of shape 'tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>' for values of shape 'tensor<8x60xf32>'}}
  %0 = optc.quantize %x, %s : (tensor<8x60xf32>, tensor<8x2xf32>) -> tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>
  return
}

// -----

func.func @tensor_scale_shape(%x: tensor<32xf32>, %s: tensor<2xf8E4M3FN>, %t: tensor<1xf32>) {
  // expected-error @+1 {{needs a tensor scale of tensor<f32>, found 'tensor<1xf32>'}}
  %0 = optc.quantize %x, %s tensor_scale %t : (tensor<32xf32>, tensor<2xf8E4M3FN>, tensor<1xf32>) -> tensor<32xf4E2M1FN, #optc.quant<block = [16], scale = f8E4M3FN, tensor_scale>>
  return
}

// -----

func.func @computes_on_codes(%q: tensor<4xi4, #optc.quant<block = [4], scale = f32>>) {
  // expected-error @+1 {{'optc.neg' op takes the quantized tensor 'tensor<4xi4, #optc.quant<block = [4], scale = f32>>'; only optc.dequantize reads packed codes}}
  %0 = optc.neg %q : tensor<4xi4, #optc.quant<block = [4], scale = f32>>
  return
}

// -----

func.func @unpacked_blob() {
  // expected-error @+1 {{dense_resource 'codes' holds 4 bytes but 'tensor<4xi4, #optc.quant<block = [4], scale = f32>>' needs 2}}
  %0 = optc.constant dense_resource<codes> : tensor<4xi4, #optc.quant<block = [4], scale = f32>>
  return
}

{-#
  dialect_resources: {
    builtin: {
      codes: "0x0400000001020304"
    }
  }
#-}

// -----

func.func @pack_to_plain(%c: tensor<4xi4>) -> tensor<4xi4> {
  // expected-error @+1 {{'optc.pack' op needs a #optc.quant tensor on its packed side, found 'tensor<4xi4>'}}
  %p = optc.pack %c : tensor<4xi4> -> tensor<4xi4>
  return %p : tensor<4xi4>
}

// -----

func.func @pack_other_type(%c: tensor<4xi4>) -> tensor<4xui4, #optc.quant<block = [4], scale = f32>> {
  // expected-error @+1 {{'optc.pack' op moves codes between tensors of one shape and code type, found 'tensor<4xi4>' and 'tensor<4xui4, #optc.quant<block = [4], scale = f32>>'}}
  %p = optc.pack %c : tensor<4xi4> -> tensor<4xui4, #optc.quant<block = [4], scale = f32>>
  return %p : tensor<4xui4, #optc.quant<block = [4], scale = f32>>
}

// -----

func.func @unpack_to_packed(%q: tensor<4xi4, #optc.quant<block = [4], scale = f32>>) -> tensor<4xi4, #optc.quant<block = [2], scale = f32>> {
  // expected-error @+1 {{'optc.unpack' op needs a plain tensor on its unpacked side}}
  %u = optc.unpack %q : tensor<4xi4, #optc.quant<block = [4], scale = f32>> -> tensor<4xi4, #optc.quant<block = [2], scale = f32>>
  return %u : tensor<4xi4, #optc.quant<block = [2], scale = f32>>
}

// -----

func.func @qmatmul_k(%x: tensor<1x32xf32>, %w: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<8x2xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'optc.quantized_matmul' op multiplies 'tensor<1x32xf32>' by weights 'tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>' (transposed) into 'tensor<1x8xf32>'; expected 'tensor<1x8xf32>'}}
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x32xf32>, tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<8x2xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @qmatmul_scales(%x: tensor<1x64xf32>, %w: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<8x4xf32>) -> tensor<1x8xf32> {
  // expected-error @+1 {{'optc.quantized_matmul' op needs scales of 'tensor<8x2xf32>' for codes of 'tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>', found 'tensor<8x4xf32>'}}
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<1x64xf32>, tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<8x4xf32>) -> tensor<1x8xf32>
  return %y : tensor<1x8xf32>
}

// -----

func.func @integer_matmul_shapes(%a: tensor<4x64xui8>, %w: tensor<32x8xi8>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'optc.integer_matmul' op multiplies 'tensor<4x64xui8>' by 'tensor<32x8xi8>' into 'tensor<4x8xi32>'; expected 'tensor<4x8xi32>'}}
  %y = optc.integer_matmul %a, %w : (tensor<4x64xui8>, tensor<32x8xi8>) -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}

// -----

func.func @integer_matmul_bytes(%a: tensor<4x64xi16>, %w: tensor<64x8xi8>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'optc.integer_matmul' op multiplies [..., M, K] bytes by 2-D bytes, found 'tensor<4x64xi16>' and 'tensor<64x8xi8>'}}
  %y = optc.integer_matmul %a, %w : (tensor<4x64xi16>, tensor<64x8xi8>) -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}

// -----

func.func @integer_matmul_zero_point(%a: tensor<4x64xui8>, %w: tensor<64x8xi8>, %z: tensor<4xi8>) -> tensor<4x8xi32> {
  // expected-error @+1 {{'optc.integer_matmul' op needs rhs_zero_point of one 'i8' or one per column, found 'tensor<4xi8>'}}
  %y = optc.integer_matmul %a, %w rhs_zero_point %z : (tensor<4x64xui8>, tensor<64x8xi8>, tensor<4xi8>) -> tensor<4x8xi32>
  return %y : tensor<4x8xi32>
}

// -----

func.func @integer_matmul_panels_shape(%a: tensor<4x64xui8>, %w: tensor<1x8x16x4xi8>) -> tensor<4x20xi32> {
  // expected-error @+1 {{'optc.integer_matmul' op needs the panels of a [64, 20] rhs as tensor<2x16x16x4>, with K and N known; found 'tensor<1x8x16x4xi8>'}}
  %y = optc.integer_matmul %a, %w {rhs_panels} : (tensor<4x64xui8>, tensor<1x8x16x4xi8>) -> tensor<4x20xi32>
  return %y : tensor<4x20xi32>
}

// -----

func.func @integer_matmul_panels_transposed(%a: tensor<4x64xui8>, %w: tensor<2x16x16x4xi8>) -> tensor<4x20xi32> {
  // expected-error @+1 {{'optc.integer_matmul' op has rhs_panels and rhs_transposed: panels have one layout}}
  %y = optc.integer_matmul %a, %w {rhs_panels, rhs_transposed} : (tensor<4x64xui8>, tensor<2x16x16x4xi8>) -> tensor<4x20xi32>
  return %y : tensor<4x20xi32>
}

// -----

func.func @integer_matmul_panels_dynamic(%a: tensor<4x?xui8>, %w: tensor<2x16x16x4xi8>) -> tensor<4x20xi32> {
  // expected-error @+1 {{'optc.integer_matmul' op needs the panels of a}}
  %y = optc.integer_matmul %a, %w {rhs_panels} : (tensor<4x?xui8>, tensor<2x16x16x4xi8>) -> tensor<4x20xi32>
  return %y : tensor<4x20xi32>
}
