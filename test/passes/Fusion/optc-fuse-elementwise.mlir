// RUN: optc-opt %s --optc-form-regions --optc-fuse-elementwise | FileCheck %s

// conv -> batch_norm -> relu: the elementwise consumers fold into the
// convolution's region one at a time; one region is left, where the relu
// was, reading every operand it needs.
// CHECK-LABEL: func.func @conv_bn_relu
// CHECK: %[[R:.*]] = optc.fusion (%{{.*}} = %arg0 : tensor<1x2x4x4xf32>, %{{.*}} = %arg1 : tensor<3x2x1x1xf32>, %{{.*}} = %arg2 : tensor<3xf32>) -> tensor<1x3x4x4xf32> {
// CHECK-NEXT: optc.conv
// CHECK-NEXT: optc.batch_norm
// CHECK-NEXT: optc.relu
// CHECK-NEXT: optc.yield
// CHECK-NEXT: }
// CHECK-NOT: optc.fusion
// CHECK: return %[[R]]
func.func @conv_bn_relu(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x1x1xf32>, %s: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>) -> tensor<1x3x4x4xf32>
  %1 = optc.batch_norm %0, %s, %s, %s, %s {epsilon = 1.0e-05 : f64} : (tensor<1x3x4x4xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %2 = optc.relu %1 : tensor<1x3x4x4xf32>
  return %2 : tensor<1x3x4x4xf32>
}

// A value used twice is not fused into either user: the matrix product
// stays alone, and the chain reading it twice (x * sigmoid(x)) is one
// region of its own with x as one argument.
// CHECK-LABEL: func.func @shared
// CHECK: %[[M:.*]] = optc.fusion
// CHECK-NEXT: optc.matmul
// CHECK-NEXT: optc.yield
// CHECK: optc.fusion (%[[A:.*]] = %[[M]] : tensor<2x4xf32>) -> tensor<2x4xf32> {
// CHECK-NEXT: %[[S:.*]] = optc.sigmoid %[[A]]
// CHECK-NEXT: optc.mul %[[A]], %[[S]]
// CHECK-NEXT: optc.yield
// CHECK-NOT: optc.fusion
func.func @shared(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>) -> tensor<2x4xf32> {
  %0 = optc.matmul %x, %w : (tensor<2x3xf32>, tensor<3x4xf32>) -> tensor<2x4xf32>
  %1 = optc.sigmoid %0 : tensor<2x4xf32>
  %2 = optc.mul %0, %1 : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  return %2 : tensor<2x4xf32>
}

// A region that is not elementwise (a reduction) does not join its
// producer.
// CHECK-LABEL: func.func @reduction
// CHECK: optc.fusion
// CHECK-NEXT: optc.exp
// CHECK-NEXT: optc.yield
// CHECK: optc.fusion
// CHECK-NEXT: optc.reduce_sum
func.func @reduction(%x: tensor<2x3xf32>) -> tensor<2xf32> {
  %0 = optc.exp %x : tensor<2x3xf32>
  %1 = optc.reduce_sum %0 {axes = array<i64: 1>, keepdims = false} : (tensor<2x3xf32>) -> tensor<2xf32>
  return %1 : tensor<2xf32>
}
