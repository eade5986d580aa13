// RUN: optc-opt %s --optc-fold-qdq -split-input-file | FileCheck %s
// What the quantized products leave of the QDQ format: dequantized
// constants become f32 constants, and a quantize -> dequantize pair its
// float arithmetic, in one region.

// A round trip through unsigned 8-bit codes with zero points, per tensor:
// divide, round half to even, add the zero point, NaN to 0, clamp to
// [0, 255], subtract the zero point, multiply; one optc.fusion region.
// CHECK-LABEL: func.func @round_trip
// CHECK-DAG: %[[LO:.*]] = optc.constant dense<0.000000e+00> : tensor<f32>
// CHECK-DAG: %[[HI:.*]] = optc.constant dense<2.550000e+02> : tensor<f32>
// CHECK: %[[Y:.*]] = optc.fusion
// CHECK: %[[D:.*]] = optc.div %{{.*}}, %{{.*}} : (tensor<2x8xf32>, tensor<1x1xf32>) -> tensor<2x8xf32>
// CHECK: %[[R:.*]] = optc.round %[[D]]
// CHECK: %[[Z:.*]] = optc.cast %{{.*}} : tensor<1x1xui8> -> tensor<1x1xf32>
// CHECK: %[[A:.*]] = optc.add %[[R]], %[[Z]]
// CHECK: %[[N:.*]] = optc.is_nan %[[A]]
// CHECK: %[[MAX:.*]] = optc.max %[[A]], %{{.*}}
// CHECK: %[[MIN:.*]] = optc.min %[[MAX]], %{{.*}}
// CHECK: %[[S:.*]] = optc.select %[[N]], %{{.*}}, %[[MIN]]
// CHECK: %[[Z2:.*]] = optc.cast %{{.*}} : tensor<1x1xui8> -> tensor<1x1xf32>
// CHECK: %[[B:.*]] = optc.sub %[[S]], %[[Z2]]
// CHECK: %[[M:.*]] = optc.mul %[[B]], %{{.*}}
// CHECK: optc.yield %[[M]]
// CHECK-NOT: optc.quantize
// CHECK-NOT: optc.dequantize
// CHECK: return %[[Y]]
func.func @round_trip(%x: tensor<2x8xf32>, %s: tensor<1x1xf32>, %z: tensor<1x1xui8>) -> tensor<2x8xf32> {
  %q = optc.quantize %x, %s zero_points %z : (tensor<2x8xf32>, tensor<1x1xf32>, tensor<1x1xui8>) -> tensor<2x8xui8, #optc.quant<block = [2, 8], scale = f32, zero_point>>
  %y = optc.dequantize %q, %s zero_points %z : (tensor<2x8xui8, #optc.quant<block = [2, 8], scale = f32, zero_point>>, tensor<1x1xf32>, tensor<1x1xui8>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Signed codes without zero points, per axis (scales [1, 8] broadcast
// against [2, 8]): clamped to [-128, 127].
// CHECK-LABEL: func.func @per_axis
// CHECK-DAG: optc.constant dense<-1.280000e+02> : tensor<f32>
// CHECK-DAG: optc.constant dense<1.270000e+02> : tensor<f32>
// CHECK: optc.fusion
// CHECK-NOT: optc.add
// CHECK-NOT: optc.sub
// CHECK: optc.mul %{{.*}}, %{{.*}} : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xf32>
func.func @per_axis(%x: tensor<2x8xf32>, %s: tensor<1x8xf32>) -> tensor<2x8xf32> {
  %q = optc.quantize %x, %s : (tensor<2x8xf32>, tensor<1x8xf32>) -> tensor<2x8xi8, #optc.quant<block = [2, 1], scale = f32>>
  %y = optc.dequantize %q, %s : (tensor<2x8xi8, #optc.quant<block = [2, 1], scale = f32>>, tensor<1x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Blocks of 4 along the last axis do not broadcast: the pair stays.
// CHECK-LABEL: func.func @blocks
// CHECK: optc.quantize
// CHECK: optc.dequantize
func.func @blocks(%x: tensor<2x8xf32>, %s: tensor<2x2xf32>) -> tensor<2x8xf32> {
  %q = optc.quantize %x, %s : (tensor<2x8xf32>, tensor<2x2xf32>) -> tensor<2x8xi8, #optc.quant<block = [1, 4], scale = f32>>
  %y = optc.dequantize %q, %s : (tensor<2x8xi8, #optc.quant<block = [1, 4], scale = f32>>, tensor<2x2xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Dequantized constant codes in a blob (weights, which the op's folder
// leaves packed) fold to f32 values: (code - zero) * scale, here
// (10 - 2) * 0.5 = 4, (2 - 2) * 0.5 = 0, (0 - 2) * 0.5 = -1.
// CHECK-LABEL: func.func @constant
// CHECK: %[[C:.*]] = optc.constant dense_resource<w.dequantized> : tensor<3xf32>
// CHECK: return %[[C]]
// CHECK: w.dequantized: "0x040000000000804000000000000080BF"
func.func @constant() -> tensor<3xf32> {
  %w = optc.constant dense_resource<w> : tensor<3xui8, #optc.quant<block = [3], scale = f32, zero_point>>
  %s = optc.constant dense<0.5> : tensor<1xf32>
  %z = optc.constant dense<2> : tensor<1xui8>
  %y = optc.dequantize %w, %s zero_points %z : (tensor<3xui8, #optc.quant<block = [3], scale = f32, zero_point>>, tensor<1xf32>, tensor<1xui8>) -> tensor<3xf32>
  return %y : tensor<3xf32>
}

{-#
  dialect_resources: {
    builtin: {
      w: "0x010000000A0200"
    }
  }
#-}
