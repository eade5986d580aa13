// RUN: optc-opt %s --optc-hoist-kernel-buffers | FileCheck %s

// A kernel's top-level temporary becomes a trailing argument; each caller
// allocates it just before the call (at the top level of its body, where
// the memory plan places it in the arena). A buffer allocated in a loop
// stays in the kernel.
// CHECK-LABEL: func.func private @k(
// CHECK-SAME: %[[A:.*]]: memref<4xf32>, %[[B:.*]]: memref<4xf32>, %[[T:.*]]: memref<8xf32>)
// CHECK-NOT: memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK: memref.subview %[[T]][0] [4] [1]
// CHECK: scf.for
// CHECK: memref.alloc() : memref<2xf32>
func.func private @k(%a: memref<4xf32>, %b: memref<4xf32>) attributes {optc.kernel} {
  %t = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
  %view = memref.subview %t[0] [4] [1] : memref<8xf32> to memref<4xf32, strided<[1]>>
  memref.copy %a, %view : memref<4xf32> to memref<4xf32, strided<[1]>>
  memref.copy %view, %b : memref<4xf32, strided<[1]>> to memref<4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  scf.for %i = %c0 to %c2 step %c1 {
    %s = memref.alloc() : memref<2xf32>
    memref.dealloc %s : memref<2xf32>
  }
  return
}

// CHECK-LABEL: func.func @main
// CHECK: %[[OUT:.*]] = memref.alloc() : memref<4xf32>
// CHECK: %[[T1:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK: call @k(%arg0, %[[OUT]], %[[T1]])
// CHECK: %[[T2:.*]] = memref.alloc() {alignment = 64 : i64} : memref<8xf32>
// CHECK-NEXT: scf.if
// CHECK: call @k(%[[OUT]], %arg1, %[[T2]])
func.func @main(%arg0: memref<4xf32>, %arg1: memref<4xf32>, %flag: i1) {
  %out = memref.alloc() : memref<4xf32>
  call @k(%arg0, %out) : (memref<4xf32>, memref<4xf32>) -> ()
  scf.if %flag {
    func.call @k(%out, %arg1) : (memref<4xf32>, memref<4xf32>) -> ()
  }
  return
}
