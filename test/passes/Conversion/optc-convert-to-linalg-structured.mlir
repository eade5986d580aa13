// RUN: optc-opt %s --optc-convert-to-linalg -split-input-file | FileCheck %s

// A 2-D convolution: padding, our im2col (1 x 3x3x3 x 1x8x8), one matrix
// product, back to N x F x H x W.
// CHECK-LABEL: func.func @conv
// CHECK: %[[P:.*]] = tensor.pad %arg0 low[0, 0, 1, 1] high[0, 0, 1, 1]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x3x3x3x1x8x8xf32>)
// CHECK: tensor.extract %[[P]]
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%{{.*}}, %{{.*}} : tensor<1x4x27xf32>, tensor<1x27x64xf32>)
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// Other convolutions (here grouped and 1-D): an im2col of their own, then
// one matrix product per group (a contraction the CPU schedule tiles and
// vectorises), then back to N x F x O.
// CHECK-LABEL: func.func @grouped
// CHECK: %[[COL:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<2x2x3x1x4xf32>)
// CHECK: tensor.extract %arg0
// CHECK: %[[COL3:.*]] = tensor.collapse_shape %[[COL]] {{\[}}[0], [1, 2], [3, 4]] : tensor<2x2x3x1x4xf32> into tensor<2x6x4xf32>
// CHECK: %[[W3:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x2x2x3xf32> into tensor<2x2x6xf32>
// CHECK: %[[P:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "reduction"]} ins(%[[W3]], %[[COL3]] : tensor<2x2x6xf32>, tensor<2x6x4xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1], [2, 3]] output_shape [2, 2, 1, 4]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<2x2x1x4xf32>) {{.*}} permutation = [2, 0, 1, 3]
// CHECK: tensor.collapse_shape %[[T]] {{\[}}[0], [1, 2], [3]] : tensor<1x2x2x4xf32> into tensor<1x4x4xf32>
func.func @grouped(%x: tensor<1x4x6xf32>, %w: tensor<4x2x3xf32>) -> tensor<1x4x4xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, padding = array<i64: 0, 0>, groups = 2 : i64} : (tensor<1x4x6xf32>, tensor<4x2x3xf32>) -> tensor<1x4x4xf32>
  return %0 : tensor<1x4x4xf32>
}

// -----

// Pooling: a window reduction; the kernel-shaped operand fixes the window
// loops.
// CHECK-LABEL: func.func @maxpool
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<1x2x3x3xf32>)
// CHECK: linalg.generic {{.*}} ins(%arg0, %{{.*}} : tensor<1x2x6x6xf32>, tensor<2x2xf32>)
// CHECK: arith.maximumf
func.func @maxpool(%x: tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32> {
  %0 = optc.max_pool %x {kernel_shape = array<i64: 2, 2>, strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x2x6x6xf32>) -> tensor<1x2x3x3xf32>
  return %0 : tensor<1x2x3x3xf32>
}

// -----

// Gathers read the data at clamped, wrapped indices.
// CHECK-LABEL: func.func @gather
// CHECK: linalg.generic {{.*}} ins(%arg1 : tensor<2xi64>) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: arith.index_cast
// CHECK: arith.cmpi slt
// CHECK: arith.maxsi
// CHECK: arith.minsi
// CHECK: tensor.extract %arg0
func.func @gather(%d: tensor<5x3xf32>, %i: tensor<2xi64>) -> tensor<2x3xf32> {
  %0 = optc.gather %d, %i {axis = 0 : i64} : (tensor<5x3xf32>, tensor<2xi64>) -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Index reductions carry the value and its index.
// CHECK-LABEL: func.func @argmax
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%arg0 : tensor<3x7xf32>) outs(%{{.*}}, %{{.*}} : tensor<3xf32>, tensor<3xi64>)
// CHECK: linalg.index 1
// CHECK: arith.cmpf ogt
// CHECK: linalg.yield %{{.*}}, %{{.*}} : f32, i64
func.func @argmax(%x: tensor<3x7xf32>) -> tensor<3xi64> {
  %0 = optc.arg_max %x {axis = 1 : i64} : (tensor<3x7xf32>) -> tensor<3xi64>
  return %0 : tensor<3xi64>
}

// -----

// Scatters are ordered loops over the updates.
// CHECK-LABEL: func.func @scatter
// CHECK: scf.for {{.*}} iter_args(%[[ACC:.*]] = %arg0) -> (tensor<4xf32>)
// CHECK: tensor.extract %arg1
// CHECK: tensor.extract %arg2
// CHECK: %[[OLD:.*]] = tensor.extract %[[ACC]]
// CHECK: arith.addf %[[OLD]]
// CHECK: tensor.insert
func.func @scatter(%d: tensor<4xf32>, %i: tensor<2xi64>, %u: tensor<2xf32>) -> tensor<4xf32> {
  %0 = optc.scatter_elements add %d, %i, %u {axis = 0 : i64} : (tensor<4xf32>, tensor<2xi64>, tensor<2xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A transposed convolution is a convolution of the input spread by the
// stride, with the kernel flipped and its channel dimensions swapped.
// CHECK-LABEL: func.func @conv_transpose
// CHECK: %[[SPREAD:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x9x9xf32>)
// CHECK: arith.remsi
// CHECK: %[[FLIP:.*]] = linalg.generic {{.*}} outs(%{{.*}} : tensor<3x2x3x3xf32>)
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x2x3x3x1x7x7xf32>)
// CHECK: tensor.extract %[[SPREAD]]
func.func @conv_transpose(%x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x3x7x7xf32> {
  %0 = optc.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x7x7xf32>
  return %0 : tensor<1x3x7x7xf32>
}
