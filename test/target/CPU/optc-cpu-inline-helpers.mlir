// RUN: optc-opt %s --optc-cpu-inline-helpers -split-input-file | FileCheck %s

// The deallocation helper takes memrefs of unknown size: it is inlined and
// erased. The kernel, with static memrefs, stays a call.
// CHECK-LABEL: func.func @main
// CHECK-NOT: call @dealloc_helper
// CHECK: memref.load %{{.*}}[%{{.*}}] : memref<?xi1>
// CHECK: call @k0
// CHECK-NOT: func.func private @dealloc_helper
// CHECK: func.func private @k0
func.func @main(%flags: memref<?xi1>, %x: memref<4xf32>) {
  call @dealloc_helper(%flags) : (memref<?xi1>) -> ()
  call @k0(%x) : (memref<4xf32>) -> ()
  return
}
func.func private @dealloc_helper(%flags: memref<?xi1>) {
  %c0 = arith.constant 0 : index
  %f = memref.load %flags[%c0] : memref<?xi1>
  return
}
func.func private @k0(%x: memref<4xf32>) attributes {optc.kernel} {
  return
}

// -----

// A kernel is never inlined, whatever its arguments; neither is a public
// function.
// CHECK-LABEL: func.func @entry
// CHECK: call @k1
// CHECK: call @pub
func.func @entry(%x: memref<?xf32>) {
  call @k1(%x) : (memref<?xf32>) -> ()
  call @pub(%x) : (memref<?xf32>) -> ()
  return
}
func.func private @k1(%x: memref<?xf32>) attributes {optc.kernel} {
  return
}
func.func @pub(%x: memref<?xf32>) {
  return
}
