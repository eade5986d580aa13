// Round-trip test of every operation of the optc dialect: the custom form,
// the custom form printed and parsed again, and the generic form parsed back
// into the custom form all print the same IR.

// RUN: optc-opt %s | FileCheck %s
// RUN: optc-opt %s | optc-opt | FileCheck %s
// RUN: optc-opt %s --mlir-print-op-generic | optc-opt | FileCheck %s

// Constants: inline dense values (float, signless, unsigned, bool) and a
// dense_resource whose bytes live in the blob section at the end of the file.
// CHECK-LABEL: func.func @constant(
// CHECK-NEXT: %0 = optc.constant dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>
// CHECK-NEXT: %1 = optc.constant dense<7> : tensor<2x2xi32>
// CHECK-NEXT: %2 = optc.constant dense<[0, 128, 255]> : tensor<3xui8>
// CHECK-NEXT: %3 = optc.constant dense<true> : tensor<i1>
// CHECK-NEXT: %4 = optc.constant dense_resource<weight0> : tensor<4xf16>
// CHECK-NEXT: return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<2x2xi32>, tensor<3xui8>, tensor<i1>, tensor<4xf16>
func.func @constant() -> (tensor<2xf32>, tensor<2x2xi32>, tensor<3xui8>, tensor<i1>, tensor<4xf16>) {
  %0 = optc.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %1 = optc.constant dense<7> : tensor<2x2xi32>
  %2 = optc.constant dense<[0, 128, 255]> : tensor<3xui8>
  %3 = optc.constant dense<true> : tensor<i1>
  %4 = optc.constant dense_resource<weight0> : tensor<4xf16>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<2x2xi32>, tensor<3xui8>, tensor<i1>, tensor<4xf16>
}

// Float-only elementwise unary ops; gelu with and without the tanh
// approximation.
// CHECK-LABEL: func.func @unary(
// CHECK-NEXT: %0 = optc.exp %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %1 = optc.log %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %2 = optc.sqrt %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %3 = optc.rsqrt %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %4 = optc.reciprocal %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %5 = optc.sin %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %6 = optc.cos %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %7 = optc.tan %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %8 = optc.asin %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %9 = optc.acos %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %10 = optc.atan %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %11 = optc.sinh %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %12 = optc.cosh %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %13 = optc.tanh %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %14 = optc.asinh %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %15 = optc.acosh %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %16 = optc.atanh %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %17 = optc.erf %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %18 = optc.sigmoid %arg1 : tensor<?x3xf16>
// CHECK-NEXT: %19 = optc.softplus %arg1 : tensor<?x3xf16>
// CHECK-NEXT: %20 = optc.floor %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %21 = optc.ceil %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %22 = optc.round %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %23 = optc.gelu %arg0 : tensor<2x3xf32>
// CHECK-NEXT: %24 = optc.gelu %arg0 {tanh_approximation} : tensor<2x3xf32>
// CHECK-NEXT: return
func.func @unary(%x: tensor<2x3xf32>, %d: tensor<?x3xf16>) {
  %0 = optc.exp %x : tensor<2x3xf32>
  %1 = optc.log %x : tensor<2x3xf32>
  %2 = optc.sqrt %x : tensor<2x3xf32>
  %3 = optc.rsqrt %x : tensor<2x3xf32>
  %4 = optc.reciprocal %x : tensor<2x3xf32>
  %5 = optc.sin %x : tensor<2x3xf32>
  %6 = optc.cos %x : tensor<2x3xf32>
  %7 = optc.tan %x : tensor<2x3xf32>
  %8 = optc.asin %x : tensor<2x3xf32>
  %9 = optc.acos %x : tensor<2x3xf32>
  %10 = optc.atan %x : tensor<2x3xf32>
  %11 = optc.sinh %x : tensor<2x3xf32>
  %12 = optc.cosh %x : tensor<2x3xf32>
  %13 = optc.tanh %x : tensor<2x3xf32>
  %14 = optc.asinh %x : tensor<2x3xf32>
  %15 = optc.acosh %x : tensor<2x3xf32>
  %16 = optc.atanh %x : tensor<2x3xf32>
  %17 = optc.erf %x : tensor<2x3xf32>
  %18 = optc.sigmoid %d : tensor<?x3xf16>
  %19 = optc.softplus %d : tensor<?x3xf16>
  %20 = optc.floor %x : tensor<2x3xf32>
  %21 = optc.ceil %x : tensor<2x3xf32>
  %22 = optc.round %x : tensor<2x3xf32>
  %23 = optc.gelu %x : tensor<2x3xf32>
  %24 = optc.gelu %x {tanh_approximation} : tensor<2x3xf32>
  return
}

// Numeric, bool and integer unary ops, including unsigned and dynamic types.
// CHECK-LABEL: func.func @unary_numeric(
// CHECK-NEXT: %0 = optc.neg %arg1 : tensor<4xi32>
// CHECK-NEXT: %1 = optc.abs %arg0 : tensor<4xf32>
// CHECK-NEXT: %2 = optc.sign %arg4 : tensor<?xbf16>
// CHECK-NEXT: %3 = optc.relu %arg0 : tensor<4xf32>
// CHECK-NEXT: %4 = optc.not %arg3 : tensor<4xi1>
// CHECK-NEXT: %5 = optc.bitwise_not %arg2 : tensor<4xui8>
// CHECK-NEXT: %6 = optc.abs %arg2 : tensor<4xui8>
// CHECK-NEXT: return
func.func @unary_numeric(%f: tensor<4xf32>, %i: tensor<4xi32>, %u: tensor<4xui8>, %b: tensor<4xi1>, %h: tensor<?xbf16>) {
  %0 = optc.neg %i : tensor<4xi32>
  %1 = optc.abs %f : tensor<4xf32>
  %2 = optc.sign %h : tensor<?xbf16>
  %3 = optc.relu %f : tensor<4xf32>
  %4 = optc.not %b : tensor<4xi1>
  %5 = optc.bitwise_not %u : tensor<4xui8>
  %6 = optc.abs %u : tensor<4xui8>
  return
}

// is_nan / is_inf: i1 result of the input shape; is_inf attributes default
// to true and are elided when so. The result type is printed, so a result
// that knows more sizes than the input survives the round trip.
// CHECK-LABEL: func.func @classify(
// CHECK-NEXT: %0 = optc.is_nan %arg0 : tensor<8xf32> -> tensor<8xi1>
// CHECK-NEXT: %1 = optc.is_inf %arg0 {detect_negative = false} : tensor<8xf32> -> tensor<8xi1>
// CHECK-NEXT: %2 = optc.is_inf %arg1 : tensor<?x3xf16> -> tensor<?x3xi1>
// CHECK-NEXT: %3 = optc.is_nan %arg1 : tensor<?x3xf16> -> tensor<2x3xi1>
// CHECK-NEXT: return %0, %1, %2, %3 : tensor<8xi1>, tensor<8xi1>, tensor<?x3xi1>, tensor<2x3xi1>
func.func @classify(%x: tensor<8xf32>, %d: tensor<?x3xf16>) -> (tensor<8xi1>, tensor<8xi1>, tensor<?x3xi1>, tensor<2x3xi1>) {
  %0 = optc.is_nan %x : tensor<8xf32> -> tensor<8xi1>
  %1 = optc.is_inf %x {detect_negative = false} : tensor<8xf32> -> tensor<8xi1>
  %2 = optc.is_inf %d : tensor<?x3xf16> -> tensor<?x3xi1>
  %3 = optc.is_nan %d : tensor<?x3xf16> -> tensor<2x3xi1>
  return %0, %1, %2, %3 : tensor<8xi1>, tensor<8xi1>, tensor<?x3xi1>, tensor<2x3xi1>
}

// Broadcasting binary ops on float, signless, bool and unsigned tensors.
// CHECK-LABEL: func.func @binary(
// CHECK-NEXT: %0 = optc.add %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %1 = optc.sub %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %2 = optc.mul %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %3 = optc.div %arg2, %arg3 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: %4 = optc.pow %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %5 = optc.max %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %6 = optc.min %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %7 = optc.and %arg4, %arg5 : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
// CHECK-NEXT: %8 = optc.or %arg4, %arg5 : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
// CHECK-NEXT: %9 = optc.xor %arg4, %arg5 : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
// CHECK-NEXT: %10 = optc.bitwise_and %arg2, %arg3 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: %11 = optc.bitwise_or %arg2, %arg3 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: %12 = optc.bitwise_xor %arg6, %arg7 : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
// CHECK-NEXT: %13 = optc.shift_left %arg6, %arg7 : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
// CHECK-NEXT: %14 = optc.shift_right %arg6, %arg7 : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
// CHECK-NEXT: return
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %i: tensor<4xi32>, %j: tensor<4xi32>, %p: tensor<2x1xi1>, %q: tensor<3xi1>, %u: tensor<4xui8>, %v: tensor<1xui8>) {
  %0 = optc.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = optc.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = optc.mul %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %3 = optc.div %i, %j : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %4 = optc.pow %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %5 = optc.max %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %6 = optc.min %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %7 = optc.and %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %8 = optc.or %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %9 = optc.xor %p, %q : (tensor<2x1xi1>, tensor<3xi1>) -> tensor<2x3xi1>
  %10 = optc.bitwise_and %i, %j : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %11 = optc.bitwise_or %i, %j : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %12 = optc.bitwise_xor %u, %v : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
  %13 = optc.shift_left %u, %v : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
  %14 = optc.shift_right %u, %v : (tensor<4xui8>, tensor<1xui8>) -> tensor<4xui8>
  return
}

// Broadcasting with dynamic dimensions: a known size other than 1 fixes a
// dynamic one; 1 against ? stays ?.
// CHECK-LABEL: func.func @binary_dynamic(
// CHECK-NEXT: %0 = optc.add %arg0, %arg1 : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
// CHECK-NEXT: %1 = optc.mul %arg2, %arg3 : (tensor<?x1xf32>, tensor<4x?xf32>) -> tensor<4x?xf32>
// CHECK-NEXT: %2 = optc.sub %arg2, %arg4 : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
// CHECK-NEXT: return
func.func @binary_dynamic(%a: tensor<?x3xf32>, %b: tensor<3xf32>, %c: tensor<?x1xf32>, %d: tensor<4x?xf32>, %e: tensor<1x?xf32>) {
  %0 = optc.add %a, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = optc.mul %c, %d : (tensor<?x1xf32>, tensor<4x?xf32>) -> tensor<4x?xf32>
  %2 = optc.sub %c, %e : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<?x?xf32>
  return
}

// rem: integer with and without fmod, float with fmod.
// CHECK-LABEL: func.func @rem(
// CHECK-NEXT: %0 = optc.rem %arg0, %arg1 : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: %1 = optc.rem %arg0, %arg1 {fmod} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK-NEXT: %2 = optc.rem %arg2, %arg3 {fmod} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
// CHECK-NEXT: return
func.func @rem(%i: tensor<4xi32>, %j: tensor<4xi32>, %f: tensor<4xf32>, %g: tensor<1xf32>) {
  %0 = optc.rem %i, %j : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %1 = optc.rem %i, %j {fmod} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
  %2 = optc.rem %f, %g {fmod} : (tensor<4xf32>, tensor<1xf32>) -> tensor<4xf32>
  return
}

// compare with every predicate, on float, unsigned and bool operands.
// CHECK-LABEL: func.func @compare(
// CHECK-NEXT: %0 = optc.compare eq, %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK-NEXT: %1 = optc.compare ne, %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK-NEXT: %2 = optc.compare lt, %arg0, %arg1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
// CHECK-NEXT: %3 = optc.compare le, %arg2, %arg3 : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xi1>
// CHECK-NEXT: %4 = optc.compare gt, %arg2, %arg3 : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xi1>
// CHECK-NEXT: %5 = optc.compare ge, %arg4, %arg4 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: return
func.func @compare(%x: tensor<2x3xf32>, %y: tensor<3xf32>, %u: tensor<?xui8>, %v: tensor<?xui8>, %b: tensor<4xi1>) {
  %0 = optc.compare eq, %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %1 = optc.compare ne, %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %2 = optc.compare lt, %x, %y : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xi1>
  %3 = optc.compare le, %u, %v : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xi1>
  %4 = optc.compare gt, %u, %v : (tensor<?xui8>, tensor<?xui8>) -> tensor<?xi1>
  %5 = optc.compare ge, %b, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// select broadcasts its three operands.
// CHECK-LABEL: func.func @select(
// CHECK-NEXT: %0 = optc.select %arg0, %arg1, %arg2 : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// CHECK-NEXT: %1 = optc.select %arg3, %arg4, %arg4 : (tensor<2x1xi1>, tensor<?xi64>, tensor<?xi64>) -> tensor<2x?xi64>
// CHECK-NEXT: return
func.func @select(%c: tensor<4xi1>, %a: tensor<4xf32>, %b: tensor<f32>, %d: tensor<2x1xi1>, %e: tensor<?xi64>) {
  %0 = optc.select %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  %1 = optc.select %d, %e, %e : (tensor<2x1xi1>, tensor<?xi64>, tensor<?xi64>) -> tensor<2x?xi64>
  return
}

// cast between element types; saturate defaults to true.
// CHECK-LABEL: func.func @cast(
// CHECK-NEXT: %0 = optc.cast %arg0 : tensor<4xf32> -> tensor<4xbf16>
// CHECK-NEXT: %1 = optc.cast %arg0 {saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
// CHECK-NEXT: %2 = optc.cast %arg1 : tensor<?x3xui8> -> tensor<?x3xf32>
// CHECK-NEXT: %3 = optc.cast %arg2 : tensor<4xi1> -> tensor<4xi64>
// CHECK-NEXT: %4 = optc.cast %arg0 : tensor<4xf32> -> tensor<4xi1>
// CHECK-NEXT: return
func.func @cast(%x: tensor<4xf32>, %d: tensor<?x3xui8>, %b: tensor<4xi1>) {
  %0 = optc.cast %x : tensor<4xf32> -> tensor<4xbf16>
  %1 = optc.cast %x {saturate = false} : tensor<4xf32> -> tensor<4xf8E4M3FN>
  %2 = optc.cast %d : tensor<?x3xui8> -> tensor<?x3xf32>
  %3 = optc.cast %b : tensor<4xi1> -> tensor<4xi64>
  %4 = optc.cast %x : tensor<4xf32> -> tensor<4xi1>
  return
}

// matmul: broadcast batch dimensions, 1-D operands, dynamic sizes, integers.
// CHECK-LABEL: func.func @matmul(
// CHECK-NEXT: %0 = optc.matmul %arg0, %arg1 : (tensor<8x1x128x64xf32>, tensor<12x64x32xf32>) -> tensor<8x12x128x32xf32>
// CHECK-NEXT: %1 = optc.matmul %arg2, %arg3 : (tensor<64xf32>, tensor<64x32xf32>) -> tensor<32xf32>
// CHECK-NEXT: %2 = optc.matmul %arg4, %arg2 : (tensor<128x64xf32>, tensor<64xf32>) -> tensor<128xf32>
// CHECK-NEXT: %3 = optc.matmul %arg2, %arg2 : (tensor<64xf32>, tensor<64xf32>) -> tensor<f32>
// CHECK-NEXT: %4 = optc.matmul %arg0, %arg2 : (tensor<8x1x128x64xf32>, tensor<64xf32>) -> tensor<8x1x128xf32>
// CHECK-NEXT: %5 = optc.matmul %arg5, %arg6 : (tensor<?x?x64xf16>, tensor<64x?xf16>) -> tensor<?x?x?xf16>
// CHECK-NEXT: %6 = optc.matmul %arg7, %arg8 : (tensor<2x3xi8>, tensor<3x4xi8>) -> tensor<2x4xi8>
// CHECK-NEXT: return
func.func @matmul(%a: tensor<8x1x128x64xf32>, %b: tensor<12x64x32xf32>, %v: tensor<64xf32>, %m: tensor<64x32xf32>, %n: tensor<128x64xf32>, %d: tensor<?x?x64xf16>, %e: tensor<64x?xf16>, %i: tensor<2x3xi8>, %j: tensor<3x4xi8>) {
  %0 = optc.matmul %a, %b : (tensor<8x1x128x64xf32>, tensor<12x64x32xf32>) -> tensor<8x12x128x32xf32>
  // 1-D lhs: a row vector, the added dimension is removed.
  %1 = optc.matmul %v, %m : (tensor<64xf32>, tensor<64x32xf32>) -> tensor<32xf32>
  // 1-D rhs: a column vector.
  %2 = optc.matmul %n, %v : (tensor<128x64xf32>, tensor<64xf32>) -> tensor<128xf32>
  // Both 1-D: a dot product.
  %3 = optc.matmul %v, %v : (tensor<64xf32>, tensor<64xf32>) -> tensor<f32>
  // 1-D rhs with batch dimensions on lhs.
  %4 = optc.matmul %a, %v : (tensor<8x1x128x64xf32>, tensor<64xf32>) -> tensor<8x1x128xf32>
  %5 = optc.matmul %d, %e : (tensor<?x?x64xf16>, tensor<64x?xf16>) -> tensor<?x?x?xf16>
  %6 = optc.matmul %i, %j : (tensor<2x3xi8>, tensor<3x4xi8>) -> tensor<2x4xi8>
  return
}

// conv: 2-d strided and padded, 1-d depthwise dilated, dynamic input.
// CHECK-LABEL: func.func @conv(
// CHECK-NEXT: %0 = optc.conv %arg0, %arg1 {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>) -> tensor<1x64x112x112xf32>
// CHECK-NEXT: %1 = optc.conv %arg2, %arg3 {dilations = array<i64: 2>, groups = 32 : i64, padding = array<i64: 3, 1>, strides = array<i64: 1>} : (tensor<1x32x16xf32>, tensor<32x1x5xf32>) -> tensor<1x32x12xf32>
// CHECK-NEXT: %2 = optc.conv %arg4, %arg1 {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x3x?x?xf32>, tensor<64x3x3x3xf32>) -> tensor<?x64x?x?xf32>
// CHECK-NEXT: return
func.func @conv(%x: tensor<1x3x224x224xf32>, %w: tensor<64x3x3x3xf32>, %g: tensor<1x32x16xf32>, %gw: tensor<32x1x5xf32>, %d: tensor<?x3x?x?xf32>) {
  %0 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x3x224x224xf32>, tensor<64x3x3x3xf32>) -> tensor<1x64x112x112xf32>
  // Depthwise 1-d convolution with dilation 2 and asymmetric padding.
  %1 = optc.conv %g, %gw {dilations = array<i64: 2>, groups = 32 : i64, padding = array<i64: 3, 1>, strides = array<i64: 1>} : (tensor<1x32x16xf32>, tensor<32x1x5xf32>) -> tensor<1x32x12xf32>
  %2 = optc.conv %d, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<?x3x?x?xf32>, tensor<64x3x3x3xf32>) -> tensor<?x64x?x?xf32>
  return
}

// conv_transpose: with output_padding, and grouped.
// CHECK-LABEL: func.func @conv_transpose(
// CHECK-NEXT: %0 = optc.conv_transpose %arg0, %arg1 {dilations = array<i64: 1, 1>, groups = 1 : i64, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x32x32xf32>
// CHECK-NEXT: %1 = optc.conv_transpose %arg2, %arg3 {dilations = array<i64: 1>, groups = 2 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: 3>} : (tensor<1x4x10xf32>, tensor<4x3x4xf32>) -> tensor<1x6x31xf32>
// CHECK-NEXT: return
func.func @conv_transpose(%x: tensor<1x8x16x16xf32>, %w: tensor<8x4x3x3xf32>, %g: tensor<1x4x10xf32>, %gw: tensor<4x3x4xf32>) {
  %0 = optc.conv_transpose %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, output_padding = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x8x16x16xf32>, tensor<8x4x3x3xf32>) -> tensor<1x4x32x32xf32>
  // Grouped: F = 3 * groups.
  %1 = optc.conv_transpose %g, %gw {dilations = array<i64: 1>, groups = 2 : i64, output_padding = array<i64: 0>, padding = array<i64: 0, 0>, strides = array<i64: 3>} : (tensor<1x4x10xf32>, tensor<4x3x4xf32>) -> tensor<1x6x31xf32>
  return
}

// max_pool (also with ceil_mode, on integers), avg_pool, lp_pool.
// CHECK-LABEL: func.func @pool(
// CHECK-NEXT: %0 = optc.max_pool %arg0 {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
// CHECK-NEXT: %1 = optc.max_pool %arg1 {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xi8>) -> tensor<1x4x3x3xi8>
// CHECK-NEXT: %2 = optc.avg_pool %arg0 {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
// CHECK-NEXT: %3 = optc.lp_pool %arg2 {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, p = 2 : i64, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<?x?x?xf16>) -> tensor<?x?x?xf16>
// CHECK-NEXT: return
func.func @pool(%x: tensor<1x64x112x112xf32>, %i: tensor<1x4x5x5xi8>, %d: tensor<?x?x?xf16>) {
  %0 = optc.max_pool %x {dilations = array<i64: 1, 1>, kernel_shape = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %1 = optc.max_pool %i {ceil_mode = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x4x5x5xi8>) -> tensor<1x4x3x3xi8>
  %2 = optc.avg_pool %x {count_include_pad = true, dilations = array<i64: 1, 1>, kernel_shape = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 2, 2>} : (tensor<1x64x112x112xf32>) -> tensor<1x64x56x56xf32>
  %3 = optc.lp_pool %d {dilations = array<i64: 1>, kernel_shape = array<i64: 2>, p = 2 : i64, padding = array<i64: 0, 0>, strides = array<i64: 1>} : (tensor<?x?x?xf16>) -> tensor<?x?x?xf16>
  return
}

// Every reduce_* op, with and without keep_dims.
// CHECK-LABEL: func.func @reduce(
// CHECK-NEXT: %0 = optc.reduce_sum %arg0 {axes = array<i64: 1>, keep_dims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
// CHECK-NEXT: %1 = optc.reduce_mean %arg0 {axes = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<f32>
// CHECK-NEXT: %2 = optc.reduce_prod %arg1 {axes = array<i64: 0, 2>} : (tensor<2x3x4xi64>) -> tensor<3xi64>
// CHECK-NEXT: %3 = optc.reduce_max %arg2 {axes = array<i64: 1>} : (tensor<4x?xi1>) -> tensor<4xi1>
// CHECK-NEXT: %4 = optc.reduce_min %arg2 {axes = array<i64: 0>, keep_dims = true} : (tensor<4x?xi1>) -> tensor<1x?xi1>
// CHECK-NEXT: %5 = optc.reduce_sum %arg0 {axes = array<i64>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: return
func.func @reduce(%x: tensor<4x8xf32>, %i: tensor<2x3x4xi64>, %b: tensor<4x?xi1>) {
  %0 = optc.reduce_sum %x {axes = array<i64: 1>, keep_dims = true} : (tensor<4x8xf32>) -> tensor<4x1xf32>
  %1 = optc.reduce_mean %x {axes = array<i64: 0, 1>} : (tensor<4x8xf32>) -> tensor<f32>
  %2 = optc.reduce_prod %i {axes = array<i64: 0, 2>} : (tensor<2x3x4xi64>) -> tensor<3xi64>
  %3 = optc.reduce_max %b {axes = array<i64: 1>} : (tensor<4x?xi1>) -> tensor<4xi1>
  %4 = optc.reduce_min %b {axes = array<i64: 0>, keep_dims = true} : (tensor<4x?xi1>) -> tensor<1x?xi1>
  // Empty axes reduce nothing.
  %5 = optc.reduce_sum %x {axes = array<i64>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// arg_max / arg_min give i64 indices.
// CHECK-LABEL: func.func @arg_reduce(
// CHECK-NEXT: %0 = optc.arg_max %arg0 {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
// CHECK-NEXT: %1 = optc.arg_min %arg0 {axis = 0 : i64, keep_dims = true, select_last_index = true} : (tensor<4x10xf32>) -> tensor<1x10xi64>
// CHECK-NEXT: %2 = optc.arg_max %arg1 {axis = 0 : i64} : (tensor<?x3xui8>) -> tensor<3xi64>
// CHECK-NEXT: return
func.func @arg_reduce(%x: tensor<4x10xf32>, %u: tensor<?x3xui8>) {
  %0 = optc.arg_max %x {axis = 1 : i64} : (tensor<4x10xf32>) -> tensor<4xi64>
  %1 = optc.arg_min %x {axis = 0 : i64, keep_dims = true, select_last_index = true} : (tensor<4x10xf32>) -> tensor<1x10xi64>
  %2 = optc.arg_max %u {axis = 0 : i64} : (tensor<?x3xui8>) -> tensor<3xi64>
  return
}

// softmax / log_softmax keep the input type.
// CHECK-LABEL: func.func @softmax(
// CHECK-NEXT: %0 = optc.softmax %arg0 {axis = 1 : i64} : tensor<2x10xf32>
// CHECK-NEXT: %1 = optc.log_softmax %arg1 {axis = 0 : i64} : tensor<?x3xbf16>
// CHECK-NEXT: return
func.func @softmax(%x: tensor<2x10xf32>, %d: tensor<?x3xbf16>) {
  %0 = optc.softmax %x {axis = 1 : i64} : tensor<2x10xf32>
  %1 = optc.log_softmax %d {axis = 0 : i64} : tensor<?x3xbf16>
  return
}

// layer_norm with and without bias, rms_norm, batch_norm, group_norm.
// CHECK-LABEL: func.func @norms(
// CHECK-NEXT: %0 = optc.layer_norm %arg0, %arg1, %arg1 {axis = 2 : i64, epsilon = 1.000000e-05 : f64} : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
// CHECK-NEXT: %1 = optc.layer_norm %arg0, %arg1 {axis = 1 : i64, epsilon = 1.000000e-05 : f64} : (tensor<1x128x768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
// CHECK-NEXT: %2 = optc.rms_norm %arg2, %arg3 {axis = 2 : i64, epsilon = 9.9999999999999995E-7 : f64} : (tensor<1x16x512xf16>, tensor<512xf16>) -> tensor<1x16x512xf16>
// CHECK-NEXT: %3 = optc.batch_norm %arg4, %arg5, %arg5, %arg5, %arg5 {epsilon = 1.000000e-05 : f64} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
// CHECK-NEXT: %4 = optc.group_norm %arg6, %arg7, %arg7 {epsilon = 1.000000e-05 : f64, num_groups = 8 : i64} : (tensor<?x32x?xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x?xf32>
// CHECK-NEXT: return
func.func @norms(%x: tensor<1x128x768xf32>, %g: tensor<768xf32>, %h: tensor<1x16x512xf16>, %s: tensor<512xf16>, %n: tensor<1x64x56x56xf32>, %c: tensor<64xf32>, %d: tensor<?x32x?xf32>, %e: tensor<32xf32>) {
  %0 = optc.layer_norm %x, %g, %g {axis = 2 : i64, epsilon = 1.000000e-05 : f64} : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  %1 = optc.layer_norm %x, %g {axis = 1 : i64, epsilon = 1.000000e-05 : f64} : (tensor<1x128x768xf32>, tensor<768xf32>) -> tensor<1x128x768xf32>
  %2 = optc.rms_norm %h, %s {axis = 2 : i64, epsilon = 9.9999999999999995E-7 : f64} : (tensor<1x16x512xf16>, tensor<512xf16>) -> tensor<1x16x512xf16>
  %3 = optc.batch_norm %n, %c, %c, %c, %c {epsilon = 1.000000e-05 : f64} : (tensor<1x64x56x56xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>, tensor<64xf32>) -> tensor<1x64x56x56xf32>
  %4 = optc.group_norm %d, %e, %e {epsilon = 1.000000e-05 : f64, num_groups = 8 : i64} : (tensor<?x32x?xf32>, tensor<32xf32>, tensor<32xf32>) -> tensor<?x32x?xf32>
  return
}

// reshape, with a computed (-1) dimension on static and dynamic inputs.
// CHECK-LABEL: func.func @reshape(
// CHECK-NEXT: %0 = optc.reshape %arg0 {shape = array<i64: 2, -1>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
// CHECK-NEXT: %1 = optc.reshape %arg0 {shape = array<i64: 24>} : (tensor<2x3x4xf32>) -> tensor<24xf32>
// CHECK-NEXT: %2 = optc.reshape %arg1 {shape = array<i64: -1, 2, 2>} : (tensor<?x4xf32>) -> tensor<?x2x2xf32>
// CHECK-NEXT: %3 = optc.reshape %arg0 {shape = array<i64: 1, 2, 3, 4>} : (tensor<2x3x4xf32>) -> tensor<1x2x3x4xf32>
// CHECK-NEXT: return
func.func @reshape(%x: tensor<2x3x4xf32>, %d: tensor<?x4xf32>) {
  %0 = optc.reshape %x {shape = array<i64: 2, -1>} : (tensor<2x3x4xf32>) -> tensor<2x12xf32>
  %1 = optc.reshape %x {shape = array<i64: 24>} : (tensor<2x3x4xf32>) -> tensor<24xf32>
  %2 = optc.reshape %d {shape = array<i64: -1, 2, 2>} : (tensor<?x4xf32>) -> tensor<?x2x2xf32>
  %3 = optc.reshape %x {shape = array<i64: 1, 2, 3, 4>} : (tensor<2x3x4xf32>) -> tensor<1x2x3x4xf32>
  return
}

// transpose.
// CHECK-LABEL: func.func @transpose(
// CHECK-NEXT: %0 = optc.transpose %arg0 {permutation = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
// CHECK-NEXT: %1 = optc.transpose %arg1 {permutation = array<i64: 1, 0>} : (tensor<?x3xui8>) -> tensor<3x?xui8>
// CHECK-NEXT: return
func.func @transpose(%x: tensor<2x3x4xf32>, %d: tensor<?x3xui8>) {
  %0 = optc.transpose %x {permutation = array<i64: 0, 2, 1>} : (tensor<2x3x4xf32>) -> tensor<2x4x3xf32>
  %1 = optc.transpose %d {permutation = array<i64: 1, 0>} : (tensor<?x3xui8>) -> tensor<3x?xui8>
  return
}

// broadcast to an explicit shape; a dynamic input dimension takes the target size.
// CHECK-LABEL: func.func @broadcast(
// CHECK-NEXT: %0 = optc.broadcast %arg0 {shape = array<i64: 4, 2, 3>} : (tensor<2x1xf32>) -> tensor<4x2x3xf32>
// CHECK-NEXT: %1 = optc.broadcast %arg1 {shape = array<i64: 5, 6>} : (tensor<?x1xi32>) -> tensor<5x6xi32>
// CHECK-NEXT: return
func.func @broadcast(%x: tensor<2x1xf32>, %d: tensor<?x1xi32>) {
  %0 = optc.broadcast %x {shape = array<i64: 4, 2, 3>} : (tensor<2x1xf32>) -> tensor<4x2x3xf32>
  %1 = optc.broadcast %d {shape = array<i64: 5, 6>} : (tensor<?x1xi32>) -> tensor<5x6xi32>
  return
}

// concat: static, dynamic (propagated and refined from other inputs), one input.
// CHECK-LABEL: func.func @concat(
// CHECK-NEXT: %0 = optc.concat %arg0, %arg1 {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
// CHECK-NEXT: %1 = optc.concat %arg0, %arg2, %arg0 {axis = 0 : i64} : (tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
// CHECK-NEXT: %2 = optc.concat %arg3, %arg1 {axis = 1 : i64} : (tensor<?x?xf32>, tensor<2x5xf32>) -> tensor<2x?xf32>
// CHECK-NEXT: %3 = optc.concat %arg0 {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: return
func.func @concat(%a: tensor<2x3xf32>, %b: tensor<2x5xf32>, %c: tensor<?x3xf32>, %d: tensor<?x?xf32>) {
  %0 = optc.concat %a, %b {axis = 1 : i64} : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
  %1 = optc.concat %a, %c, %a {axis = 0 : i64} : (tensor<2x3xf32>, tensor<?x3xf32>, tensor<2x3xf32>) -> tensor<?x3xf32>
  %2 = optc.concat %d, %b {axis = 1 : i64} : (tensor<?x?xf32>, tensor<2x5xf32>) -> tensor<2x?xf32>
  %3 = optc.concat %a {axis = 0 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  return
}

// split into several, empty and single pieces.
// CHECK-LABEL: func.func @split(
// CHECK-NEXT: %0:2 = optc.split %arg0 {axis = 1 : i64, sizes = array<i64: 2, 6>} : (tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<4x6xf32>)
// CHECK-NEXT: %1:3 = optc.split %arg1 {axis = 0 : i64, sizes = array<i64: 1, 0, 3>} : (tensor<?x?xf32>) -> (tensor<1x?xf32>, tensor<0x?xf32>, tensor<3x?xf32>)
// CHECK-NEXT: %2 = optc.split %arg0 {axis = 0 : i64, sizes = array<i64: 4>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: return
func.func @split(%x: tensor<4x8xf32>, %d: tensor<?x?xf32>) {
  %0:2 = optc.split %x {axis = 1 : i64, sizes = array<i64: 2, 6>} : (tensor<4x8xf32>) -> (tensor<4x2xf32>, tensor<4x6xf32>)
  %1:3 = optc.split %d {axis = 0 : i64, sizes = array<i64: 1, 0, 3>} : (tensor<?x?xf32>) -> (tensor<1x?xf32>, tensor<0x?xf32>, tensor<3x?xf32>)
  %2 = optc.split %x {axis = 0 : i64, sizes = array<i64: 4>} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  return
}

// slice with positive and negative strides.
// CHECK-LABEL: func.func @slice(
// CHECK-NEXT: %0 = optc.slice %arg0 {limits = array<i64: 4, 8>, starts = array<i64: 1, 0>, strides = array<i64: 1, 3>} : (tensor<4x8xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: %1 = optc.slice %arg0 {limits = array<i64: 4, -1>, starts = array<i64: 0, 7>, strides = array<i64: 2, -1>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
// CHECK-NEXT: %2 = optc.slice %arg0 {limits = array<i64: 0, 2>, starts = array<i64: 3, 7>, strides = array<i64: -2, -2>} : (tensor<4x8xf32>) -> tensor<2x3xf32>
// CHECK-NEXT: %3 = optc.slice %arg1 {limits = array<i64: 5, 3>, starts = array<i64: 1, 3>, strides = array<i64: 2, 1>} : (tensor<?x3xf32>) -> tensor<2x0xf32>
// CHECK-NEXT: %4 = optc.slice %arg0 {limits = array<i64: 9223372036854775807, 1>, starts = array<i64: 2, 3>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<2x0xf32>
// CHECK-NEXT: %5 = optc.slice %arg0 {limits = array<i64: -9223372036854775808, -5>, starts = array<i64: 100, 9>, strides = array<i64: -1, -3>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
// CHECK-NEXT: %6 = optc.slice %arg1 {limits = array<i64: 9223372036854775807, 3>, starts = array<i64: 1, 0>, strides = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
// CHECK-NEXT: return
func.func @slice(%x: tensor<4x8xf32>, %d: tensor<?x3xf32>) {
  %0 = optc.slice %x {limits = array<i64: 4, 8>, starts = array<i64: 1, 0>, strides = array<i64: 1, 3>} : (tensor<4x8xf32>) -> tensor<3x3xf32>
  // Negative stride: the window runs backwards down to (excluding) limit.
  %1 = optc.slice %x {limits = array<i64: 4, -1>, starts = array<i64: 0, 7>, strides = array<i64: 2, -1>} : (tensor<4x8xf32>) -> tensor<2x8xf32>
  %2 = optc.slice %x {limits = array<i64: 0, 2>, starts = array<i64: 3, 7>, strides = array<i64: -2, -2>} : (tensor<4x8xf32>) -> tensor<2x3xf32>
  %3 = optc.slice %d {limits = array<i64: 5, 3>, starts = array<i64: 1, 3>, strides = array<i64: 2, 1>} : (tensor<?x3xf32>) -> tensor<2x0xf32>
  // Bounds are clamped like numpy's: "to the end" as INT64_MAX, a start past
  // the limit gives an empty dimension, backwards from anywhere past the end.
  %4 = optc.slice %x {limits = array<i64: 9223372036854775807, 1>, starts = array<i64: 2, 3>, strides = array<i64: 1, 1>} : (tensor<4x8xf32>) -> tensor<2x0xf32>
  %5 = optc.slice %x {limits = array<i64: -9223372036854775808, -5>, starts = array<i64: 100, 9>, strides = array<i64: -1, -3>} : (tensor<4x8xf32>) -> tensor<4x3xf32>
  // On an unknown size the clamping happens at run time.
  %6 = optc.slice %d {limits = array<i64: 9223372036854775807, 3>, starts = array<i64: 1, 0>, strides = array<i64: 1, 1>} : (tensor<?x3xf32>) -> tensor<?x3xf32>
  return
}

// pad in every mode: constant with a value operand, constant without one
// (cropping), reflect, edge, wrap.
// CHECK-LABEL: func.func @pad(
// CHECK-NEXT: %0 = optc.pad constant %arg0, %arg1 {high = array<i64: 0, 2>, low = array<i64: 0, 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x6xf32>
// CHECK-NEXT: %1 = optc.pad constant %arg0 {high = array<i64: -1, 1>, low = array<i64: 0, -3>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
// CHECK-NEXT: %2 = optc.pad reflect %arg0 {high = array<i64: 1, 2>, low = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<4x6xf32>
// CHECK-NEXT: %3 = optc.pad edge %arg0 {high = array<i64: 5, 0>, low = array<i64: 3, 0>} : (tensor<2x3xf32>) -> tensor<10x3xf32>
// CHECK-NEXT: %4 = optc.pad wrap %arg0 {high = array<i64: 2, 3>, low = array<i64: 0, 3>} : (tensor<2x3xf32>) -> tensor<4x9xf32>
// CHECK-NEXT: %5 = optc.pad reflect %arg2 {high = array<i64: 4, 1>, low = array<i64: 4, 0>} : (tensor<?x3xi8>) -> tensor<?x4xi8>
// CHECK-NEXT: %6 = optc.pad edge %arg3 {high = array<i64: 0, 1>, low = array<i64: 0, 0>} : (tensor<0x3xf32>) -> tensor<0x4xf32>
// CHECK-NEXT: return
func.func @pad(%x: tensor<2x3xf32>, %v: tensor<f32>, %d: tensor<?x3xi8>, %e: tensor<0x3xf32>) {
  %0 = optc.pad constant %x, %v {high = array<i64: 0, 2>, low = array<i64: 0, 1>} : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x6xf32>
  // Constant mode without a value pads with zero; negative pads crop.
  %1 = optc.pad constant %x {high = array<i64: -1, 1>, low = array<i64: 0, -3>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  %2 = optc.pad reflect %x {high = array<i64: 1, 2>, low = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<4x6xf32>
  %3 = optc.pad edge %x {high = array<i64: 5, 0>, low = array<i64: 3, 0>} : (tensor<2x3xf32>) -> tensor<10x3xf32>
  %4 = optc.pad wrap %x {high = array<i64: 2, 3>, low = array<i64: 0, 3>} : (tensor<2x3xf32>) -> tensor<4x9xf32>
  %5 = optc.pad reflect %d {high = array<i64: 4, 1>, low = array<i64: 4, 0>} : (tensor<?x3xi8>) -> tensor<?x4xi8>
  // Edge mode on a tensor with an empty dimension that is not padded.
  %6 = optc.pad edge %e {high = array<i64: 0, 1>, low = array<i64: 0, 0>} : (tensor<0x3xf32>) -> tensor<0x4xf32>
  return
}

// tile; a zero multiple gives an empty dimension even when dynamic.
// CHECK-LABEL: func.func @tile(
// CHECK-NEXT: %0 = optc.tile %arg0 {multiples = array<i64: 2, 3>} : (tensor<2x3xi64>) -> tensor<4x9xi64>
// CHECK-NEXT: %1 = optc.tile %arg1 {multiples = array<i64: 2, 0>} : (tensor<?x3xf32>) -> tensor<?x0xf32>
// CHECK-NEXT: return
func.func @tile(%x: tensor<2x3xi64>, %d: tensor<?x3xf32>) {
  %0 = optc.tile %x {multiples = array<i64: 2, 3>} : (tensor<2x3xi64>) -> tensor<4x9xi64>
  %1 = optc.tile %d {multiples = array<i64: 2, 0>} : (tensor<?x3xf32>) -> tensor<?x0xf32>
  return
}

// Results sized by the data.
// CHECK-LABEL: func.func @data_dependent(
// CHECK-NEXT: %0 = optc.non_zero %arg0 : (tensor<2x3xf32>) -> tensor<2x?xi64>
// CHECK-NEXT: %output, %first_indices, %inverse_indices, %counts = optc.unique %arg0 {axis = 1 : i64} : (tensor<2x3xf32>) -> (tensor<2x?xf32>, tensor<?xi64>, tensor<3xi64>, tensor<?xi64>)
// CHECK-NEXT: %output_0, %first_indices_1, %inverse_indices_2, %counts_3 = optc.unique %arg0 {sorted = false} : (tensor<2x3xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
// CHECK-NEXT: %1 = optc.non_max_suppression %arg1, %arg2, %arg3, %arg4, %arg4 {center_point_box} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
func.func @data_dependent(%x: tensor<2x3xf32>, %boxes: tensor<1x6x4xf32>, %scores: tensor<1x2x6xf32>, %max: tensor<i64>, %th: tensor<f32>) {
  %0 = optc.non_zero %x : (tensor<2x3xf32>) -> tensor<2x?xi64>
  %1:4 = optc.unique %x {axis = 1 : i64} : (tensor<2x3xf32>) -> (tensor<2x?xf32>, tensor<?xi64>, tensor<3xi64>, tensor<?xi64>)
  %2:4 = optc.unique %x {sorted = false} : (tensor<2x3xf32>) -> (tensor<?xf32>, tensor<?xi64>, tensor<6xi64>, tensor<?xi64>)
  %3 = optc.non_max_suppression %boxes, %scores, %max, %th, %th {center_point_box} : (tensor<1x6x4xf32>, tensor<1x2x6xf32>, tensor<i64>, tensor<f32>, tensor<f32>) -> tensor<?x3xi64>
  return
}

// Random draws, with and without a seed.
// CHECK-LABEL: func.func @random(
// CHECK-NEXT: %0 = optc.random_uniform {high = 1.000000e+00 : f64, low = 0.000000e+00 : f64, seed = 7.000000e+00 : f64} : tensor<2x3xf32>
// CHECK-NEXT: %1 = optc.random_uniform {high = 2.000000e+00 : f64, low = -2.000000e+00 : f64} : tensor<4xf16>
func.func @random() -> (tensor<2x3xf32>, tensor<4xf16>) {
  %0 = optc.random_uniform {high = 1.0 : f64, low = 0.0 : f64, seed = 7.0 : f64} : tensor<2x3xf32>
  %1 = optc.random_uniform {high = 2.0 : f64, low = -2.0 : f64} : tensor<4xf16>
  return %0, %1 : tensor<2x3xf32>, tensor<4xf16>
}

// Sizes given at run time: the results know what the sizes' lengths and
// the input tell, or a declared type may know more.
// CHECK-LABEL: func.func @dynamic_shapes(
// CHECK-NEXT: %0 = optc.shape_of %arg0 : (tensor<?x3xf32>) -> tensor<2xi64>
// CHECK-NEXT: %1 = optc.dynamic_reshape %arg0, %arg1 : (tensor<?x3xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
// CHECK-NEXT: %2 = optc.dynamic_reshape %arg2, %arg4 : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
// CHECK-NEXT: %3 = optc.dynamic_broadcast %arg2, %arg1 : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x2x3xf32>
// CHECK-NEXT: %4 = optc.dynamic_broadcast %arg0, %arg4 : (tensor<?x3xf32>, tensor<1xi64>) -> tensor<?x3xf32>
// CHECK-NEXT: %5 = optc.range %arg3, %arg3, %arg3 : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
// CHECK-NEXT: %6 = optc.dynamic_slice %arg2, %0, %0, %0 : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK-NEXT: %7 = optc.dynamic_pad constant %arg2, %0, %0, %arg5 : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<?x?xf32>
// CHECK-NEXT: %8 = optc.dynamic_pad edge %arg2, %0, %0 : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
// CHECK-NEXT: %9 = optc.dynamic_tile %arg6, %0 : (tensor<0x3xf32>, tensor<2xi64>) -> tensor<0x?xf32>
// CHECK-NEXT: %10 = optc.dynamic_reshape %arg2, %arg1 : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<1x6x1xf32>
// CHECK-NEXT: return
func.func @dynamic_shapes(%d: tensor<?x3xf32>, %s3: tensor<3xi64>, %x: tensor<2x3xf32>, %n: tensor<i64>, %s1: tensor<1xi64>, %v: tensor<f32>, %e: tensor<0x3xf32>) {
  %0 = optc.shape_of %d : (tensor<?x3xf32>) -> tensor<2xi64>
  %1 = optc.dynamic_reshape %d, %s3 : (tensor<?x3xf32>, tensor<3xi64>) -> tensor<?x?x?xf32>
  %2 = optc.dynamic_reshape %x, %s1 : (tensor<2x3xf32>, tensor<1xi64>) -> tensor<6xf32>
  %3 = optc.dynamic_broadcast %x, %s3 : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<?x2x3xf32>
  %4 = optc.dynamic_broadcast %d, %s1 : (tensor<?x3xf32>, tensor<1xi64>) -> tensor<?x3xf32>
  %5 = optc.range %n, %n, %n : (tensor<i64>, tensor<i64>, tensor<i64>) -> tensor<?xi64>
  %6 = optc.dynamic_slice %x, %0, %0, %0 : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  %7 = optc.dynamic_pad constant %x, %0, %0, %v : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>, tensor<f32>) -> tensor<?x?xf32>
  %8 = optc.dynamic_pad edge %x, %0, %0 : (tensor<2x3xf32>, tensor<2xi64>, tensor<2xi64>) -> tensor<?x?xf32>
  %9 = optc.dynamic_tile %e, %0 : (tensor<0x3xf32>, tensor<2xi64>) -> tensor<0x?xf32>
  %10 = optc.dynamic_reshape %x, %s3 : (tensor<2x3xf32>, tensor<3xi64>) -> tensor<1x6x1xf32>
  return
}

// gather (also with 0-d indices) and gather_elements with i32 indices.
// CHECK-LABEL: func.func @gather(
// CHECK-NEXT: %0 = optc.gather %arg0, %arg1 {axis = 0 : i64} : (tensor<50257x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
// CHECK-NEXT: %1 = optc.gather %arg2, %arg4 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3xf32>
// CHECK-NEXT: %2 = optc.gather_elements %arg2, %arg3 {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi32>) -> tensor<3x2xf32>
// CHECK-NEXT: return
func.func @gather(%t: tensor<50257x768xf32>, %ids: tensor<1x128xi64>, %x: tensor<3x4xf32>, %i: tensor<3x2xi32>, %s: tensor<i64>) {
  %0 = optc.gather %t, %ids {axis = 0 : i64} : (tensor<50257x768xf32>, tensor<1x128xi64>) -> tensor<1x128x768xf32>
  %1 = optc.gather %x, %s {axis = 1 : i64} : (tensor<3x4xf32>, tensor<i64>) -> tensor<3xf32>
  %2 = optc.gather_elements %x, %i {axis = 1 : i64} : (tensor<3x4xf32>, tensor<3x2xi32>) -> tensor<3x2xf32>
  return
}

// gather_nd with default and explicit batch_dims.
// CHECK-LABEL: func.func @gather_nd(
// CHECK-NEXT: %0 = optc.gather_nd %arg0, %arg1 : (tensor<4x5x6xf32>, tensor<3x2xi64>) -> tensor<3x6xf32>
// CHECK-NEXT: %1 = optc.gather_nd %arg0, %arg1 : (tensor<4x5x6xf32>, tensor<3x2xi64>) -> tensor<3x6xf32>
// CHECK-NEXT: %2 = optc.gather_nd %arg3, %arg2 {batch_dims = 1 : i64} : (tensor<?x5x6xf32>, tensor<4x7x1xi32>) -> tensor<4x7x6xf32>
// CHECK-NEXT: return
func.func @gather_nd(%x: tensor<4x5x6xf32>, %i: tensor<3x2xi64>, %b: tensor<4x7x1xi32>, %d: tensor<?x5x6xf32>) {
  %0 = optc.gather_nd %x, %i {batch_dims = 0 : i64} : (tensor<4x5x6xf32>, tensor<3x2xi64>) -> tensor<3x6xf32>
  // batch_dims defaults to 0 and is not printed.
  %1 = optc.gather_nd %x, %i : (tensor<4x5x6xf32>, tensor<3x2xi64>) -> tensor<3x6xf32>
  %2 = optc.gather_nd %d, %b {batch_dims = 1 : i64} : (tensor<?x5x6xf32>, tensor<4x7x1xi32>) -> tensor<4x7x6xf32>
  return
}

// scatter_elements and scatter_nd with several reductions.
// CHECK-LABEL: func.func @scatter(
// CHECK-NEXT: %0 = optc.scatter_elements none %arg0, %arg1, %arg2 {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: %1 = optc.scatter_elements add %arg0, %arg1, %arg2 {axis = 1 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: %2 = optc.scatter_elements mul %arg0, %arg1, %arg2 {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
// CHECK-NEXT: %3 = optc.scatter_nd none %arg3, %arg4, %arg5 : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
// CHECK-NEXT: %4 = optc.scatter_nd max %arg6, %arg7, %arg8 : (tensor<?x4xui8>, tensor<2x1xi32>, tensor<2x4xui8>) -> tensor<?x4xui8>
// CHECK-NEXT: %5 = optc.scatter_nd min %arg3, %arg4, %arg5 : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
// CHECK-NEXT: return
func.func @scatter(%x: tensor<3x3xf32>, %i: tensor<2x3xi64>, %u: tensor<2x3xf32>, %y: tensor<8xf32>, %j: tensor<4x1xi64>, %v: tensor<4xf32>, %z: tensor<?x4xui8>, %k: tensor<2x1xi32>, %w: tensor<2x4xui8>) {
  %0 = optc.scatter_elements none %x, %i, %u {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %1 = optc.scatter_elements add %x, %i, %u {axis = 1 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %2 = optc.scatter_elements mul %x, %i, %u {axis = 0 : i64} : (tensor<3x3xf32>, tensor<2x3xi64>, tensor<2x3xf32>) -> tensor<3x3xf32>
  %3 = optc.scatter_nd none %y, %j, %v : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  %4 = optc.scatter_nd max %z, %k, %w : (tensor<?x4xui8>, tensor<2x1xi32>, tensor<2x4xui8>) -> tensor<?x4xui8>
  %5 = optc.scatter_nd min %y, %j, %v : (tensor<8xf32>, tensor<4x1xi64>, tensor<4xf32>) -> tensor<8xf32>
  return
}

// A declared result type may know more sizes than the shape rule deduces
// (known from elsewhere) or fewer (before --optc-infer-shapes), but never
// contradict it.
// CHECK-LABEL: func.func @refinement(
// CHECK-NEXT: %0 = optc.add %arg0, %arg1 : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<5x7xf32>
// CHECK-NEXT: %1 = optc.reshape %arg2 {shape = array<i64: -1, 2, 2>} : (tensor<?x4xf32>) -> tensor<3x2x2xf32>
// CHECK-NEXT: %2 = optc.concat %arg2, %arg2 {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<6x4xf32>
// CHECK-NEXT: %3 = optc.matmul %arg3, %arg4 : (tensor<?x3xf16>, tensor<3x?xf16>) -> tensor<4x5xf16>
// CHECK-NEXT: %4:2 = optc.split %arg2 {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<?x4xf32>) -> (tensor<2x1xf32>, tensor<?x3xf32>)
// CHECK-NEXT: %5 = optc.matmul %arg4, %arg5 : (tensor<3x?xf16>, tensor<7x2xf16>) -> tensor<?x?xf16>
// CHECK-NEXT: %6 = optc.conv %arg6, %arg7 {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x?x6x?xf32>
// CHECK-NEXT: %7 = optc.compare ne, %arg6, %arg6 : (tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>) -> tensor<?x?x?x?xi1>
// CHECK-NEXT: return
func.func @refinement(%a: tensor<?x1xf32>, %b: tensor<1x?xf32>, %d: tensor<?x4xf32>, %f: tensor<?x3xf16>, %g: tensor<3x?xf16>, %g2: tensor<7x2xf16>, %x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  %0 = optc.add %a, %b : (tensor<?x1xf32>, tensor<1x?xf32>) -> tensor<5x7xf32>
  %1 = optc.reshape %d {shape = array<i64: -1, 2, 2>} : (tensor<?x4xf32>) -> tensor<3x2x2xf32>
  %2 = optc.concat %d, %d {axis = 0 : i64} : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<6x4xf32>
  %3 = optc.matmul %f, %g : (tensor<?x3xf16>, tensor<3x?xf16>) -> tensor<4x5xf16>
  %4:2 = optc.split %d {axis = 1 : i64, sizes = array<i64: 1, 3>} : (tensor<?x4xf32>) -> (tensor<2x1xf32>, tensor<?x3xf32>)
  // Fewer sizes than inferred.
  %5 = optc.matmul %g, %g2 : (tensor<3x?xf16>, tensor<7x2xf16>) -> tensor<?x?xf16>
  %6 = optc.conv %x, %w {dilations = array<i64: 1, 1>, groups = 1 : i64, padding = array<i64: 0, 0, 0, 0>, strides = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x?x6x?xf32>
  %7 = optc.compare ne, %x, %x : (tensor<1x3x8x8xf32>, tensor<1x3x8x8xf32>) -> tensor<?x?x?x?xi1>
  return
}

// fusion with several results, with no inputs, and with no results and an
// attribute dictionary; the block arguments print as %in.
// CHECK-LABEL: func.func @fusion(
// CHECK-NEXT: %0:2 = optc.fusion (%in = %arg0 : tensor<4x8xf32>, %in_0 = %arg1 : tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
// CHECK-NEXT: %2 = optc.add %in, %in_0 : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
// CHECK-NEXT: %3 = optc.relu %2 : tensor<4x8xf32>
// CHECK-NEXT: %4 = optc.reduce_sum %3 {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
// CHECK-NEXT: optc.yield %3, %4 : tensor<4x8xf32>, tensor<4xf32>
// CHECK-NEXT: }
// CHECK-NEXT: %1 = optc.fusion () -> tensor<2xi32> {
// CHECK-NEXT: %2 = optc.constant dense<[1, 2]> : tensor<2xi32>
// CHECK-NEXT: optc.yield %2 : tensor<2xi32>
// CHECK-NEXT: }
// CHECK-NEXT: optc.fusion (%in = %arg0 : tensor<4x8xf32>) attributes {kernel = "k0"} {
// CHECK-NEXT: optc.yield
// CHECK-NEXT: }
// CHECK-NEXT: return %0#0, %0#1, %1 : tensor<4x8xf32>, tensor<4xf32>, tensor<2xi32>
func.func @fusion(%x: tensor<4x8xf32>, %bias: tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>, tensor<2xi32>) {
  %0:2 = optc.fusion (%a = %x : tensor<4x8xf32>, %b = %bias : tensor<8xf32>) -> (tensor<4x8xf32>, tensor<4xf32>) {
    %s = optc.add %a, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    %t = optc.relu %s : tensor<4x8xf32>
    %u = optc.reduce_sum %t {axes = array<i64: 1>} : (tensor<4x8xf32>) -> tensor<4xf32>
    optc.yield %t, %u : tensor<4x8xf32>, tensor<4xf32>
  }
  // No inputs.
  %1 = optc.fusion () -> tensor<2xi32> {
    %c = optc.constant dense<[1, 2]> : tensor<2xi32>
    optc.yield %c : tensor<2xi32>
  }
  // No results, with attributes.
  optc.fusion (%a = %x : tensor<4x8xf32>) attributes {kernel = "k0"} {
    optc.yield
  }
  return %0#0, %0#1, %1 : tensor<4x8xf32>, tensor<4xf32>, tensor<2xi32>
}

// Sizes that stay unknown: a normalisation whose normalised size only the
// parameters know, or nobody knows; reflect padding that leaves an empty
// dimension alone; ordering comparisons of booleans (false < true).
// CHECK-LABEL: func.func @unknown_sizes(
// CHECK-NEXT: %0 = optc.layer_norm %arg0, %arg1, %arg2 {axis = 1 : i64, epsilon = 9.9999999999999995E-7 : f64} : (tensor<2x?xf32>, tensor<?xf32>, tensor<1xf32>) -> tensor<2x?xf32>
// CHECK-NEXT: %1 = optc.rms_norm %arg0, %arg2 {axis = 1 : i64, epsilon = 0.000000e+00 : f64} : (tensor<2x?xf32>, tensor<1xf32>) -> tensor<2x?xf32>
// CHECK-NEXT: %2 = optc.pad reflect %arg3 {high = array<i64: 0, 2>, low = array<i64: 0, 1>} : (tensor<0x3xf32>) -> tensor<0x6xf32>
// CHECK-NEXT: %3 = optc.compare lt, %arg4, %arg4 : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
// CHECK-NEXT: return
func.func @unknown_sizes(%x: tensor<2x?xf32>, %s: tensor<?xf32>, %one: tensor<1xf32>, %e: tensor<0x3xf32>, %b: tensor<4xi1>) {
  %0 = optc.layer_norm %x, %s, %one {axis = 1 : i64, epsilon = 1.0e-06 : f64} : (tensor<2x?xf32>, tensor<?xf32>, tensor<1xf32>) -> tensor<2x?xf32>
  %1 = optc.rms_norm %x, %one {axis = 1 : i64, epsilon = 0.0 : f64} : (tensor<2x?xf32>, tensor<1xf32>) -> tensor<2x?xf32>
  %2 = optc.pad reflect %e {high = array<i64: 0, 2>, low = array<i64: 0, 1>} : (tensor<0x3xf32>) -> tensor<0x6xf32>
  %3 = optc.compare lt, %b, %b : (tensor<4xi1>, tensor<4xi1>) -> tensor<4xi1>
  return
}

// Cumulative sums and products, top-k.
// CHECK-LABEL: func.func @scans_and_top_k(
// CHECK-NEXT: %0 = optc.cum_sum %arg0 {axis = 1 : i64} : tensor<2x5xf32>
// CHECK-NEXT: %1 = optc.cum_prod %arg0 {axis = 0 : i64, exclusive, reverse} : tensor<2x5xf32>
// CHECK-NEXT: %values, %indices = optc.top_k %arg0 {axis = 1 : i64, k = 3 : i64, largest = false} : (tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
// CHECK-NEXT: return
func.func @scans_and_top_k(%x: tensor<2x5xf32>) {
  %0 = optc.cum_sum %x {axis = 1 : i64} : tensor<2x5xf32>
  %1 = optc.cum_prod %x {axis = 0 : i64, exclusive, reverse} : tensor<2x5xf32>
  %v, %i = optc.top_k %x {axis = 1 : i64, k = 3 : i64, largest = false} : (tensor<2x5xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>)
  return
}

// bitcast between element types of one width.
// CHECK-LABEL: func.func @bitcast(
// CHECK-NEXT: %0 = optc.bitcast %arg0 : tensor<4xf32> -> tensor<4xui32>
// CHECK-NEXT: %1 = optc.bitcast %arg1 : tensor<?x2xbf16> -> tensor<?x2xi16>
// CHECK-NEXT: return
func.func @bitcast(%x: tensor<4xf32>, %y: tensor<?x2xbf16>) {
  %0 = optc.bitcast %x : tensor<4xf32> -> tensor<4xui32>
  %1 = optc.bitcast %y : tensor<?x2xbf16> -> tensor<?x2xi16>
  return
}

// The blob of the dense_resource constant survives the round trip.
// CHECK:      {-#
// CHECK-NEXT:   dialect_resources: {
// CHECK-NEXT:     builtin: {
// CHECK-NEXT:       weight0: "0x020000000000003C00400042"

{-#
  dialect_resources: {
    builtin: {
      weight0: "0x020000000000003C00400042"
    }
  }
#-}
