// RUN: optc-opt %s --optc-convert-to-linalg -split-input-file -verify-diagnostics | FileCheck %s
// Packed quantized tensors become their bytes; dequantizing unpacks each
// code from the byte it lies in, then scales it by its block's scale;
// quantizing encodes each value, then gathers the codes of each byte.
// test/e2e/test_quantized_lowering.py runs these bit-exactly.

// CHECK-LABEL: func.func @dequantize_int4
// CHECK-SAME: (%[[Q:.*]]: tensor<256xi8>, %[[S:.*]]: tensor<8x2xf32>, %[[Z:.*]]: tensor<8x2xi8>) -> tensor<8x64xf32>
// The codes: byte i * 4 / 8, shifted by (i * 4) mod 8, low four bits.
// CHECK: %[[CODES:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<512xi8>)
// CHECK: tensor.extract %[[Q]]
// CHECK: arith.shrui
// CHECK: arith.andi %{{.*}}, %c15_i32
// CHECK: %[[SHAPED:.*]] = tensor.expand_shape %[[CODES]] {{\[\[}}0, 1]] output_shape [8, 64]
// The block of column j is j / 32; code and zero point sign-extend.
// CHECK: linalg.generic {{.*}} ins(%[[SHAPED]] : tensor<8x64xi8>) outs(%{{.*}} : tensor<8x64xf32>)
// CHECK: %[[ROW:.*]] = linalg.index 0
// CHECK: %[[COL:.*]] = linalg.index 1
// CHECK: %[[BLOCK:.*]] = arith.divui %[[COL]], %c32
// CHECK: %[[SCALE:.*]] = tensor.extract %[[S]][%[[ROW]], %[[BLOCK]]]
// CHECK: tensor.extract %[[Z]][%[[ROW]], %[[BLOCK]]]
// CHECK: arith.shrsi
// CHECK: %[[DIFF:.*]] = arith.subf
// CHECK: arith.mulf %[[DIFF]], %[[SCALE]]
func.func @dequantize_int4(%q: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, %s: tensor<8x2xf32>, %z: tensor<8x2xi4>) -> tensor<8x64xf32> {
  %0 = optc.dequantize %q, %s zero_points %z : (tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>, tensor<8x2xi4>) -> tensor<8x64xf32>
  return %0 : tensor<8x64xf32>
}

// -----

// MXFP4: E8M0 scales, FP4 codes encoded by integer arithmetic (never
// LLVM's f4 truncf), two codes a byte.
// CHECK-LABEL: func.func @quantize_mxfp4
// CHECK-SAME: -> tensor<32xi8>
// CHECK: %[[CODES:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<64xi8>)
// CHECK: arith.divf
// CHECK-NOT: arith.truncf
// CHECK: linalg.yield
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<32xi8>)
// CHECK-COUNT-2: tensor.extract %[[CODES]]
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @quantize_mxfp4(%x: tensor<64xf32>, %s: tensor<2xf8E8M0FNU>) -> tensor<64xf4E2M1FN, #optc.quant<block = [32], scale = f8E8M0FNU>> {
  %0 = optc.quantize %x, %s : (tensor<64xf32>, tensor<2xf8E8M0FNU>) -> tensor<64xf4E2M1FN, #optc.quant<block = [32], scale = f8E8M0FNU>>
  return %0 : tensor<64xf4E2M1FN, #optc.quant<block = [32], scale = f8E8M0FNU>>
}

// -----

// A constant of codes is its packed bytes: 1 | 2 << 4, then -3 (0xD).
// CHECK-LABEL: func.func @packed_constant
// CHECK: arith.constant dense<[33, 13]> : tensor<2xi8>
func.func @packed_constant() -> tensor<3xi4, #optc.quant<block = [3], scale = f32>> {
  %c = optc.constant dense<[1, 2, -3]> : tensor<3xi4, #optc.quant<block = [3], scale = f32>>
  return %c : tensor<3xi4, #optc.quant<block = [3], scale = f32>>
}

// -----

// 3-bit codes run across bytes: each of the two bytes gathers the up to
// four codes that touch it.
// CHECK-LABEL: func.func @pack_int3
// CHECK-SAME: (%[[X:.*]]: tensor<5xi8>) -> tensor<2xi8>
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<2xi8>)
// CHECK-COUNT-4: tensor.extract %[[X]]
// CHECK-NOT: tensor.extract
// CHECK: linalg.yield
func.func @pack_int3(%x: tensor<5xi3>) -> tensor<5xi3, #optc.quant<block = [5], scale = f32>> {
  %p = optc.pack %x : tensor<5xi3> -> tensor<5xi3, #optc.quant<block = [5], scale = f32>>
  return %p : tensor<5xi3, #optc.quant<block = [5], scale = f32>>
}

// -----

// Packing needs the element count.
func.func @dynamic(%q: tensor<?x64xi4, #optc.quant<block = [1, 32], scale = f32>>, %s: tensor<?x2xf32>) -> tensor<?x64xf32> {
  // expected-error @+1 {{'optc.dequantize' op packs the quantized tensor 'tensor<?x64xi4, #optc.quant<block = [1, 32], scale = f32>>' of unknown shape; the CPU lowering needs static shapes (--input-shape sets them)}}
  %0 = optc.dequantize %q, %s : (tensor<?x64xi4, #optc.quant<block = [1, 32], scale = f32>>, tensor<?x2xf32>) -> tensor<?x64xf32>
  return %0 : tensor<?x64xf32>
}

// -----

// A quantized product the micro-kernel runs: a generic over (m, n, k) that
// reads each code from its byte, marked for optc_qmatmul_f32; x [2, 3, 64]
// as [6, 64].
// CHECK-DAG: #[[X:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[BYTE:.*]] = affine_map<(d0, d1, d2) -> (d1 * 32 + (d2 * 4) floordiv 8)>
// CHECK-DAG: #[[BLOCK:.*]] = affine_map<(d0, d1, d2) -> (d1, d2 floordiv 32)>
// CHECK-DAG: #[[Y:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-LABEL: func.func @micro_kernel
// CHECK: %[[X6:.*]] = tensor.collapse_shape %{{.*}} {{\[\[}}0, 1], [2]] : tensor<2x3x64xf32> into tensor<6x64xf32>
// CHECK: %[[ZERO:.*]] = linalg.fill
// CHECK: %[[P:.*]] = linalg.generic {indexing_maps = [#[[X]], #[[BYTE]], #[[BLOCK]], #[[BLOCK]], #[[Y]]], iterator_types = ["parallel", "parallel", "reduction"], library_call = "optc_qmatmul_f32"} ins(%[[X6]], %{{.*}}, %{{.*}}, %{{.*}} : tensor<6x64xf32>, tensor<256xi8>, tensor<8x2xf32>, tensor<8x2xi8>) outs(%[[ZERO]] : tensor<6x8xf32>) attrs = {optc.qmatmul = {bits = 4 : i64, block = 32 : i64, int8_activations = false, scale_kind = 0 : i64, signed = true, straddles = false, tensor_scale = false, zero_points = true}}
// CHECK: tensor.expand_shape %[[P]] {{\[\[}}0, 1], [2]] output_shape [2, 3, 8]
func.func @micro_kernel(%x: tensor<2x3x64xf32>, %w: tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, %s: tensor<8x2xf32>, %z: tensor<8x2xi4>) -> tensor<2x3x8xf32> {
  %y = optc.quantized_matmul %x, %w, %s zero_points %z {rhs_transposed} : (tensor<2x3x64xf32>, tensor<8x64xi4, #optc.quant<block = [1, 32], scale = f32, zero_point>>, tensor<8x2xf32>, tensor<8x2xi4>) -> tensor<2x3x8xf32>
  return %y : tensor<2x3x8xf32>
}

// -----

// NVFP4 on the micro-kernel: FP4 codes and E4M3 scales decoded in the body
// (the body computes what the kernel does), their values as tables for
// the kernel; the tensor scale is an input read at every point.
// CHECK-DAG: #[[ONE:.*]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-LABEL: func.func @nvfp4
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #{{.*}}, #[[ONE]], #{{.*}}], {{.*}} library_call = "optc_qmatmul_f32"} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x64xf32>, tensor<32xi8>, tensor<1x4xi8>, tensor<f32>)
// CHECK-SAME: optc.qmatmul = {bits = 4 : i64, block = 16 : i64, code_values = array<f32: 0.000000e+00, 5.000000e-01, 1.000000e+00, 1.500000e+00, 2.000000e+00, 3.000000e+00, 4.000000e+00, 6.000000e+00, -0.000000e+00, -5.000000e-01, -1.000000e+00, -1.500000e+00, -2.000000e+00, -3.000000e+00, -4.000000e+00, -6.000000e+00>, int8_activations = false, scale_kind = 1 : i64, scale_values = array<f32: 0.000000e+00, 0.001953125, 3.906250e-03,
// CHECK-SAME: signed = false, straddles = false, tensor_scale = true, zero_points = false}
// CHECK: ^bb0(%{{.*}}: f32, %{{.*}}: i8, %{{.*}}: i8, %[[T:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[S:.*]] = arith.mulf %{{.*}}, %[[T]] : f32
// CHECK: arith.mulf %{{.*}}, %[[S]] : f32
func.func @nvfp4(%x: tensor<1x64xf32>, %w: tensor<1x64xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>>, %s: tensor<1x4xf8E4M3FN>, %t: tensor<f32>) -> tensor<1x1xf32> {
  %y = optc.quantized_matmul %x, %w, %s tensor_scale %t {rhs_transposed} : (tensor<1x64xf32>, tensor<1x64xf4E2M1FN, #optc.quant<block = [1, 16], scale = f8E4M3FN, tensor_scale>>, tensor<1x4xf8E4M3FN>, tensor<f32>) -> tensor<1x1xf32>
  return %y : tensor<1x1xf32>
}

// -----

// MXFP6 on the micro-kernel: 6-bit codes may run into the next byte, so
// the packed bytes are read twice, at the code's first and last bit; the
// body joins them (bytes [n * 48 + k * 6 / 8] and [(n * 384 + k * 6 + 5) / 8]).
// CHECK-DAG: #[[FIRST:.*]] = affine_map<(d0, d1, d2) -> (d1 * 48 + (d2 * 6) floordiv 8)>
// CHECK-DAG: #[[LAST:.*]] = affine_map<(d0, d1, d2) -> ((d1 * 384 + d2 * 6 + 5) floordiv 8)>
// CHECK-LABEL: func.func @mxfp6
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[FIRST]], #{{.*}}, #[[LAST]], #{{.*}}], {{.*}} library_call = "optc_qmatmul_f32"} ins(%{{.*}}, %[[W:.*]], %{{.*}}, %[[W]] : tensor<2x64xf32>, tensor<144xi8>, tensor<3x2xi8>, tensor<144xi8>)
// CHECK-SAME: optc.qmatmul = {bits = 6 : i64, block = 32 : i64, code_values = array<f32: 0.000000e+00, 1.250000e-01,
// CHECK-SAME: straddles = true
// CHECK: ^bb0(%{{.*}}: f32, %[[B0:.*]]: i8, %{{.*}}: i8, %[[B1:.*]]: i8, %{{.*}}: f32):
// CHECK: %[[LO:.*]] = arith.extui %[[B0]] : i8 to i32
// CHECK: %[[HI:.*]] = arith.extui %[[B1]] : i8 to i32
// CHECK: %[[UP:.*]] = arith.shli %[[HI]], %{{.*}} : i32
// CHECK: arith.ori %[[LO]], %[[UP]] : i32
func.func @mxfp6(%x: tensor<2x64xf32>, %w: tensor<3x64xf6E2M3FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, %s: tensor<3x2xf8E8M0FNU>) -> tensor<2x3xf32> {
  %y = optc.quantized_matmul %x, %w, %s {rhs_transposed} : (tensor<2x64xf32>, tensor<3x64xf6E2M3FN, #optc.quant<block = [1, 32], scale = f8E8M0FNU>>, tensor<3x2xf8E8M0FNU>) -> tensor<2x3xf32>
  return %y : tensor<2x3xf32>
}

// -----

// An 8-bit integer product on optc_igemm_i32: a generic over (m, n, k)
// widening each byte by its signedness, less its zero point (one value, or
// one a row / column), marked with the kernel's parameters.
// CHECK-DAG: #[[A:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-DAG: #[[B:.*]] = affine_map<(d0, d1, d2) -> (d2, d1)>
// CHECK-DAG: #[[ONE:.*]] = affine_map<(d0, d1, d2) -> ()>
// CHECK-DAG: #[[COL:.*]] = affine_map<(d0, d1, d2) -> (d1)>
// CHECK-LABEL: func.func @integer_matmul
// CHECK: linalg.generic {indexing_maps = [#[[A]], #[[B]], #[[ONE]], #[[COL]], #{{.*}}], {{.*}} library_call = "optc_igemm_i32"} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<6x64xi8>, tensor<64x8xi8>, tensor<i8>, tensor<8xi8>) outs(%{{.*}} : tensor<6x8xi32>) attrs = {optc.igemm = {a_signed = false, a_zero = 1 : i64, b_layout = 0 : i64, b_signed = true, b_zero = 2 : i64}}
// CHECK: arith.extui
// CHECK: arith.extsi
// CHECK: tensor.expand_shape %{{.*}} output_shape [2, 3, 8]
func.func @integer_matmul(%a: tensor<2x3x64xui8>, %w: tensor<64x8xi8>, %za: tensor<ui8>, %zw: tensor<8xi8>) -> tensor<2x3x8xi32> {
  %y = optc.integer_matmul %a, %w lhs_zero_point %za rhs_zero_point %zw : (tensor<2x3x64xui8>, tensor<64x8xi8>, tensor<ui8>, tensor<8xi8>) -> tensor<2x3x8xi32>
  return %y : tensor<2x3x8xi32>
}

// -----

// Weights in the kernel's panels (rhs_panels, from --optc-pack-weights)
// are read through the panel map, and the call is told their layout.
// CHECK-DAG: #[[PANEL:.*]] = affine_map<(d0, d1, d2) -> (d1 floordiv 16, d2 floordiv 4, d1 mod 16, d2 mod 4)>
// CHECK-LABEL: func.func @integer_matmul_panels
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[PANEL]], #{{.*}}], {{.*}} library_call = "optc_igemm_i32"} ins(%{{.*}}, %{{.*}} : tensor<3x5xi8>, tensor<1x2x16x4xi8>) {{.*}} attrs = {optc.igemm = {a_signed = false, a_zero = 0 : i64, b_layout = 2 : i64, b_signed = false, b_zero = 0 : i64}}
// CHECK: arith.extui
// CHECK: arith.extui
func.func @integer_matmul_panels(%a: tensor<3x5xui8>, %w: tensor<1x2x16x4xui8>) -> tensor<3x2xi32> {
  %y = optc.integer_matmul %a, %w {rhs_panels} : (tensor<3x5xui8>, tensor<1x2x16x4xui8>) -> tensor<3x2xi32>
  return %y : tensor<3x2xi32>
}
