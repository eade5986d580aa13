// RUN: optc-opt %s --optc-convert-to-linalg -split-input-file | FileCheck %s

// A 2-D convolution: padding (a fill and a copy of the interior), an im2col (1 x 3x3x3 x 1x8x8) built from one
// vectorisable copy per kernel position (a window of the padded input,
// offset by that position), one matrix product, and reshapes back to
// N x F x H x W at batch 1.
// CHECK-LABEL: func.func @conv
// CHECK: %[[F:.*]] = linalg.fill {{.*}} -> tensor<1x3x10x10xf32>
// CHECK: %[[IN:.*]] = tensor.extract_slice %[[F]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: %[[CP:.*]] = linalg.generic {{.*}} ins(%arg0 : tensor<1x3x8x8xf32>) outs(%[[IN]] : tensor<1x3x8x8xf32>)
// CHECK: %[[P:.*]] = tensor.insert_slice %[[CP]] into %[[F]][0, 0, 1, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: %[[COL:.*]] = tensor.empty() : tensor<1x3x3x3x1x8x8xf32>
// CHECK: tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: linalg.generic {{.*}} outs(%{{.*}} : tensor<1x3x1x8x8xf32>)
// CHECK: tensor.insert_slice %{{.*}} into %[[COL]][0, 0, 0, 0, 0, 0, 0] [1, 3, 1, 1, 1, 8, 8]
// CHECK: tensor.extract_slice %[[P]][0, 0, 0, 1] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: tensor.extract_slice %[[P]][0, 0, 2, 2] [1, 3, 8, 8] [1, 1, 1, 1]
// CHECK: %[[COL3:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2, 3], [4, 5, 6]] : tensor<1x3x3x3x1x8x8xf32> into tensor<1x27x64xf32>
// CHECK: %[[Y:.*]] = linalg.contract {{.*}} ins(%{{.*}}, %[[COL3]] : tensor<1x4x27xf32>, tensor<1x27x64xf32>)
// CHECK: %[[Y2:.*]] = tensor.collapse_shape %[[Y]] {{\[}}[0, 1], [2]] : tensor<1x4x64xf32> into tensor<4x64xf32>
// CHECK: tensor.expand_shape %[[Y2]] {{\[}}[0, 1], [2, 3]] output_shape [1, 4, 8, 8]
// CHECK-NOT: linalg.transpose
func.func @conv(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  return %0 : tensor<1x4x8x8xf32>
}

// -----

// A 1x1 kernel of stride 1 at batch 1 needs no im2col: the input is the
// matrix already.
// CHECK-LABEL: func.func @pointwise
// CHECK-NOT: linalg.generic
// CHECK: %[[X:.*]] = tensor.collapse_shape %arg0 {{\[}}[0, 1], [2, 3]] : tensor<1x8x5x5xf32> into tensor<8x25xf32>
// CHECK: %[[X3:.*]] = tensor.expand_shape %[[X]]
// CHECK: linalg.contract {{.*}} ins(%{{.*}}, %[[X3]] : tensor<1x4x8xf32>, tensor<1x8x25xf32>)
func.func @pointwise(%x: tensor<1x8x5x5xf32>, %w: tensor<4x8x1x1xf32>) -> tensor<1x4x5x5xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 1, 1>, dilations = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, groups = 1 : i64} : (tensor<1x8x5x5xf32>, tensor<4x8x1x1xf32>) -> tensor<1x4x5x5xf32>
  return %0 : tensor<1x4x5x5xf32>
}

// -----

// A depthwise convolution is one weighted sum of the 9 strided windows of
// the input, each with its column of the kernel: no im2col, no product.
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[F:.*]] = linalg.fill {{.*}} -> tensor<1x4x9x9xf32>
// CHECK: %[[P:.*]] = tensor.insert_slice %{{.*}} into %[[F]][0, 0, 1, 1] [1, 4, 8, 8] [1, 1, 1, 1]
// CHECK: %[[W:.*]] = tensor.collapse_shape %arg1 {{\[}}[0], [1, 2, 3]] : tensor<4x1x3x3xf32> into tensor<4x9xf32>
// CHECK: tensor.extract_slice %[[P]][0, 0, 0, 0] [1, 4, 4, 4] [1, 1, 2, 2]
// CHECK: tensor.extract_slice %[[W]][0, 0] [4, 1] [1, 1] : tensor<4x9xf32> to tensor<4xf32>
// CHECK: tensor.extract_slice %[[P]][0, 0, 2, 2] [1, 4, 4, 4] [1, 1, 2, 2]
// CHECK: tensor.extract_slice %[[W]][0, 8] [4, 1] [1, 1] : tensor<4x9xf32> to tensor<4xf32>
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel", "parallel", "parallel"]
// CHECK-COUNT-9: arith.mulf
// CHECK-NOT: linalg.contract
func.func @depthwise(%x: tensor<1x4x8x8xf32>, %w: tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 0, 0>, groups = 4 : i64} : (tensor<1x4x8x8xf32>, tensor<4x1x3x3xf32>) -> tensor<1x4x4x4xf32>
  return %0 : tensor<1x4x4x4xf32>
}

// -----

// Grouped convolutions (here 1-D at batch 2): the im2col has a group
// dimension, the product is batched over groups, and batches above 1 move
// the batch dimension back in front.
// CHECK-LABEL: func.func @grouped
// CHECK: %[[COL3:.*]] = tensor.collapse_shape %{{.*}} {{\[}}[0], [1, 2], [3, 4]] : tensor<2x2x3x2x4xf32> into tensor<2x6x8xf32>
// CHECK: %[[W3:.*]] = tensor.collapse_shape %{{.*}} : tensor<2x2x2x3xf32> into tensor<2x2x6xf32>
// CHECK: %[[P:.*]] = linalg.contract {{.*}} ins(%[[W3]], %[[COL3]] : tensor<2x2x6xf32>, tensor<2x6x8xf32>)
// CHECK: %[[E:.*]] = tensor.expand_shape %[[P]] {{\[}}[0], [1], [2, 3]] output_shape [2, 2, 2, 4]
// CHECK: %[[T:.*]] = linalg.transpose ins(%[[E]] : tensor<2x2x2x4xf32>) {{.*}} permutation = [2, 0, 1, 3]
// CHECK: tensor.collapse_shape %[[T]] {{\[}}[0], [1, 2], [3]] : tensor<2x2x2x4xf32> into tensor<2x4x4xf32>
func.func @grouped(%x: tensor<2x4x6xf32>, %w: tensor<4x2x3xf32>) -> tensor<2x4x4xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 1>, dilations = array<i64: 1>, padding = array<i64: 0, 0>, groups = 2 : i64} : (tensor<2x4x6xf32>, tensor<4x2x3xf32>) -> tensor<2x4x4xf32>
  return %0 : tensor<2x4x4xf32>
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
// CHECK: tensor.extract_slice %[[SPREAD]][0, 0, 0, 0] [1, 2, 7, 7] [1, 1, 1, 1]
// CHECK: linalg.contract
func.func @conv_transpose(%x: tensor<1x2x4x4xf32>, %w: tensor<2x3x3x3xf32>) -> tensor<1x3x7x7xf32> {
  %0 = optc.conv_transpose %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, output_padding = array<i64: 0, 0>, groups = 1 : i64} : (tensor<1x2x4x4xf32>, tensor<2x3x3x3xf32>) -> tensor<1x3x7x7xf32>
  return %0 : tensor<1x3x7x7xf32>
}

// -----

// A kernel of many positions (a strided 1-D convolution of 256 taps, as in
// audio front ends) builds its im2col matrix with one generic reading
// x[b, g*Cg + c, o*stride + k*dilation], not a copy per position (whose
// bufferisation took minutes for 256 of them).
// CHECK-DAG: #[[READ:.*]] = affine_map<(d0, d1, d2, d3, d4) -> (d3, d0 + d1, d4 * 128 + d2)>
// CHECK-LABEL: func.func @conv_many_taps
// CHECK-NOT: tensor.insert_slice
// CHECK: %[[COL:.*]] = linalg.generic {indexing_maps = [#[[READ]], {{.*}}]{{.*}} ins(%arg0 : tensor<1x1x640xf32>) outs(%{{.*}} : tensor<1x1x256x1x4xf32>)
// CHECK-NOT: tensor.insert_slice
// CHECK: linalg.contract
func.func @conv_many_taps(%x: tensor<1x1x640xf32>, %w: tensor<258x1x256xf32>) -> tensor<1x258x4xf32> {
  %0 = optc.conv %x, %w {strides = array<i64: 128>, dilations = array<i64: 1>, padding = array<i64: 0, 0>, groups = 1 : i64} : (tensor<1x1x640xf32>, tensor<258x1x256xf32>) -> tensor<1x258x4xf32>
  return %0 : tensor<1x258x4xf32>
}
