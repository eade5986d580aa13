// RUN: optc-opt %s --optc-cpu-lower-copies | FileCheck %s

// A copy into a strided view (the interior of a padded image) becomes a
// linalg.copy, which the loop lowering makes a loop nest LLVM vectorises.
// CHECK-LABEL: func.func @pad_interior
// CHECK: %[[V:.*]] = memref.subview
// CHECK: linalg.copy ins(%arg0 : memref<2x8x8xf32>) outs(%[[V]] : memref<2x8x8xf32, strided<[100, 10, 1], offset: 11>>)
// CHECK-NOT: memref.copy
func.func @pad_interior(%x: memref<2x8x8xf32>, %padded: memref<2x10x10xf32>) {
  %v = memref.subview %padded[0, 1, 1] [2, 8, 8] [1, 1, 1] : memref<2x10x10xf32> to memref<2x8x8xf32, strided<[100, 10, 1], offset: 11>>
  memref.copy %x, %v : memref<2x8x8xf32> to memref<2x8x8xf32, strided<[100, 10, 1], offset: 11>>
  return
}

// Copies between contiguous buffers stay memref.copy (one memcpy), as do
// copies of unknown shape.
// CHECK-LABEL: func.func @contiguous
// CHECK: memref.copy %arg0, %arg1
// CHECK: memref.copy %arg2, %arg3
// CHECK-NOT: linalg.copy
func.func @contiguous(%a: memref<4x8xf32>, %b: memref<4x8xf32>, %c: memref<?xf32>, %d: memref<?xf32, strided<[2]>>) {
  memref.copy %a, %b : memref<4x8xf32> to memref<4x8xf32>
  memref.copy %c, %d : memref<?xf32> to memref<?xf32, strided<[2]>>
  return
}

// A copy of 32768 elements or more is split over threads along its first
// dimension longer than one: an scf.forall of slice copies.
// CHECK-LABEL: func.func @large
// CHECK: scf.forall (%[[C:.*]]) in (64) {
// CHECK: %[[S:.*]] = memref.subview %arg0[0, %[[C]], 0, 0] [1, 1, 32, 32] [1, 1, 1, 1]
// CHECK: %[[D:.*]] = memref.subview %{{.*}}[0, %[[C]], 0, 0] [1, 1, 32, 32] [1, 1, 1, 1]
// CHECK: linalg.copy ins(%[[S]] : {{.*}}) outs(%[[D]] : {{.*}})
// CHECK-NOT: memref.copy
func.func @large(%x: memref<1x64x32x32xf32>, %padded: memref<1x64x34x34xf32>) {
  %v = memref.subview %padded[0, 0, 1, 1] [1, 64, 32, 32] [1, 1, 1, 1] : memref<1x64x34x34xf32> to memref<1x64x32x32xf32, strided<[73984, 1156, 34, 1], offset: 35>>
  memref.copy %x, %v : memref<1x64x32x32xf32> to memref<1x64x32x32xf32, strided<[73984, 1156, 34, 1], offset: 35>>
  return
}
