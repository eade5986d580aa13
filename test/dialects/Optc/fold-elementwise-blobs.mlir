// RUN: optc-opt %s -canonicalize | FileCheck %s
// Elementwise ops fold on small blobs of whole-byte integers or floats as
// on dense<...> values: the importer keeps a QDQ model's int32 biases out
// of line, and their dequantization (cast, then multiply by the scale)
// must not cost a kernel on every call.

// CHECK-LABEL: func.func @dequantized_bias
// CHECK-NEXT: %[[C:.*]] = optc.constant dense<[-5.000000e-01, 0.000000e+00, 1.500000e+00]> : tensor<3xf32>
// CHECK-NEXT: return %[[C]]
func.func @dequantized_bias() -> tensor<3xf32> {
  %b = optc.constant dense_resource<bias> : tensor<3xi32>
  %s = optc.constant dense<0.5> : tensor<f32>
  %f = optc.cast %b : tensor<3xi32> -> tensor<3xf32>
  %y = optc.mul %f, %s : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

// Sub-byte codes stay as they are (their blob is packed).
// CHECK-LABEL: func.func @packed
// CHECK: optc.cast
func.func @packed() -> tensor<4xi8> {
  %b = optc.constant dense_resource<codes> : tensor<4xi4>
  %f = optc.cast %b : tensor<4xi4> -> tensor<4xi8>
  return %f : tensor<4xi8>
}

{-#
  dialect_resources: {
    builtin: {
      bias: "0x04000000FFFFFFFF0000000003000000",
      codes: "0x010000002143"
    }
  }
#-}
