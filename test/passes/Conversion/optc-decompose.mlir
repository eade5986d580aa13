// RUN: optc-opt %s --optc-decompose -split-input-file | FileCheck %s

// Layer norm: centre, variance, rsqrt, scale, bias.
// CHECK-LABEL: func.func @layer_norm
// CHECK: %[[EPS:.*]] = optc.constant dense<9.99999974E-6> : tensor<f32>
// CHECK: %[[MEAN:.*]] = optc.reduce_mean %arg0 {axes = array<i64: 2>, keep_dims = true}
// CHECK: %[[D:.*]] = optc.sub %arg0, %[[MEAN]]
// CHECK: %[[SQ:.*]] = optc.mul %[[D]], %[[D]]
// CHECK: %[[VAR:.*]] = optc.reduce_mean %[[SQ]] {axes = array<i64: 2>, keep_dims = true}
// CHECK: %[[SHIFT:.*]] = optc.add %[[VAR]], %[[EPS]]
// CHECK: %[[R:.*]] = optc.rsqrt %[[SHIFT]]
// CHECK: %[[N:.*]] = optc.mul %[[D]], %[[R]]
// CHECK: %[[S:.*]] = optc.mul %[[N]], %arg1
// CHECK: optc.add %[[S]], %arg2
// CHECK-NOT: optc.layer_norm
func.func @layer_norm(%x: tensor<2x3x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>) -> tensor<2x3x8xf32> {
  %0 = optc.layer_norm %x, %g, %b {axis = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x3x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  return %0 : tensor<2x3x8xf32>
}

// -----

// Batch norm folds its statistics into one multiply and one add per
// channel, the vectors reshaped to broadcast over N x C x H x W.
// CHECK-LABEL: func.func @batch_norm
// CHECK: %[[A:.*]] = optc.mul %arg1, %{{.*}} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[C:.*]] = optc.sub %arg2, %{{.*}} : (tensor<3xf32>, tensor<3xf32>) -> tensor<3xf32>
// CHECK: %[[A3:.*]] = optc.reshape %[[A]] {shape = array<i64: 3, 1, 1>}
// CHECK: %[[C3:.*]] = optc.reshape %[[C]] {shape = array<i64: 3, 1, 1>}
// CHECK: %[[Y:.*]] = optc.mul %arg0, %[[A3]]
// CHECK: optc.add %[[Y]], %[[C3]]
func.func @batch_norm(%x: tensor<2x3x4x4xf32>, %s: tensor<3xf32>, %b: tensor<3xf32>, %m: tensor<3xf32>, %v: tensor<3xf32>) -> tensor<2x3x4x4xf32> {
  %0 = optc.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-03 : f64} : (tensor<2x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3x4x4xf32>
  return %0 : tensor<2x3x4x4xf32>
}

// -----

// Group norm normalises N x G x rest.
// CHECK-LABEL: func.func @group_norm
// CHECK: %[[G:.*]] = optc.reshape %arg0 {shape = array<i64: 2, 2, 12>}
// CHECK: optc.reduce_mean %[[G]] {axes = array<i64: 2>, keep_dims = true}
// CHECK: optc.reshape %{{.*}} {shape = array<i64: 2, 6, 2, 2>}
func.func @group_norm(%x: tensor<2x6x2x2xf32>, %s: tensor<6xf32>, %b: tensor<6xf32>) -> tensor<2x6x2x2xf32> {
  %0 = optc.group_norm %x, %s, %b {num_groups = 2 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x6x2x2xf32>, tensor<6xf32>, tensor<6xf32>) -> tensor<2x6x2x2xf32>
  return %0 : tensor<2x6x2x2xf32>
}

// -----

// RMS norm does not centre.
// CHECK-LABEL: func.func @rms_norm
// CHECK-NOT: optc.sub
// CHECK: %[[SQ:.*]] = optc.mul %arg0, %arg0
// CHECK: optc.reduce_mean %[[SQ]] {axes = array<i64: 1>, keep_dims = true}
// CHECK: optc.rsqrt
func.func @rms_norm(%x: tensor<4x16xf32>, %g: tensor<16xf32>) -> tensor<4x16xf32> {
  %0 = optc.rms_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-06 : f64} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  return %0 : tensor<4x16xf32>
}

// -----

// f16 data normalises in f32 (no stash type: f32 for 16-bit floats), with
// the mean of the differences subtracted again (the corrected two-pass
// algorithm), and is rounded to f16 before the scale applies.
// CHECK-LABEL: func.func @layer_norm_f16
// CHECK: %[[X:.*]] = optc.cast %arg0 : tensor<2x8xf16> -> tensor<2x8xf32>
// CHECK: %[[MEAN:.*]] = optc.reduce_mean %[[X]] {axes = array<i64: 1>, keep_dims = true}
// CHECK: %[[D0:.*]] = optc.sub %[[X]], %[[MEAN]]
// CHECK: %[[CORR:.*]] = optc.reduce_mean %[[D0]] {axes = array<i64: 1>, keep_dims = true}
// CHECK: %[[D:.*]] = optc.sub %[[D0]], %[[CORR]]
// CHECK: %[[SQ:.*]] = optc.mul %[[D]], %[[D]] : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
// CHECK: %[[N:.*]] = optc.mul %[[D]], %{{.*}} : (tensor<2x8xf32>, tensor<2x1xf32>) -> tensor<2x8xf32>
// CHECK: %[[N16:.*]] = optc.cast %[[N]] : tensor<2x8xf32> -> tensor<2x8xf16>
// CHECK: optc.mul %[[N16]], %arg1
func.func @layer_norm_f16(%x: tensor<2x8xf16>, %g: tensor<8xf16>) -> tensor<2x8xf16> {
  %0 = optc.layer_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-05 : f64} : (tensor<2x8xf16>, tensor<8xf16>) -> tensor<2x8xf16>
  return %0 : tensor<2x8xf16>
}

// -----

// A stash type wider than the data is honoured; a narrower one is not
// (f64 data keeps f64).
// CHECK-LABEL: func.func @stash_types
// CHECK: optc.cast %arg0 : tensor<4x16xf32> -> tensor<4x16xf64>
// CHECK: optc.rsqrt %{{.*}} : tensor<4x1xf64>
// CHECK: optc.cast %{{.*}} : tensor<4x16xf64> -> tensor<4x16xf32>
// CHECK-NOT: optc.cast
// CHECK: optc.rsqrt %{{.*}} : tensor<4x1xf64>
// CHECK-NOT: optc.cast
// CHECK: return
func.func @stash_types(%x: tensor<4x16xf32>, %g: tensor<16xf32>, %y: tensor<4x16xf64>, %h: tensor<16xf64>) -> (tensor<4x16xf32>, tensor<4x16xf64>) {
  %0 = optc.rms_norm %x, %g {axis = 1 : i64, epsilon = 1.0e-06 : f64, stash_type = f64} : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
  %1 = optc.rms_norm %y, %h {axis = 1 : i64, epsilon = 1.0e-06 : f64, stash_type = f32} : (tensor<4x16xf64>, tensor<16xf64>) -> tensor<4x16xf64>
  return %0, %1 : tensor<4x16xf32>, tensor<4x16xf64>
}
