// RUN: optc-opt %s --optc-cpu-legalize-empty-buffers | FileCheck %s

// A buffer of no elements with a zero inside its shape crosses calls as
// memref<0xT>, cast back on both sides; other buffers are untouched.
// CHECK-LABEL: func.func private @kernel
// CHECK-SAME: (%[[E:.*]]: memref<0xf32>, %[[F:.*]]: memref<4xf32>)
// CHECK: %[[BACK:.*]] = memref.reinterpret_cast %[[E]] to offset: [0], sizes: [3, 0, 5], strides: [5, 5, 1] : memref<0xf32> to memref<3x0x5xf32>
// CHECK: memref.dim %[[BACK]]
// CHECK-LABEL: func.func @main
// CHECK-SAME: (%[[A:.*]]: memref<0xf32>, %[[B:.*]]: memref<4xf32>)
// CHECK: %[[MAIN:.*]] = memref.reinterpret_cast %[[A]]
// CHECK: %[[FLAT:.*]] = memref.reinterpret_cast %[[MAIN]] to offset: [0], sizes: [0], strides: [1] : memref<3x0x5xf32> to memref<0xf32>
// CHECK: call @kernel(%[[FLAT]], %[[B]])
func.func private @kernel(%e: memref<3x0x5xf32>, %f: memref<4xf32>) {
  %c1 = arith.constant 1 : index
  %d = memref.dim %e, %c1 : memref<3x0x5xf32>
  return
}
func.func @main(%a: memref<3x0x5xf32>, %b: memref<4xf32>) {
  call @kernel(%a, %b) : (memref<3x0x5xf32>, memref<4xf32>) -> ()
  return
}
