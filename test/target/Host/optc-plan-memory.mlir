// RUN: optc-opt %s --optc-plan-memory -split-input-file | FileCheck %s

// Three buffers: %a dies when %c is born, so %c reuses its place; %b lives
// across both. The in-place kernel writes %d over %c, which dies there. The
// last result is computed in the output argument instead of copied there.
// CHECK: module attributes {optc.arena_size = 2048 : i64}
// CHECK-LABEL: func.func @main
// CHECK-SAME: %[[IN:[^:]*]]: memref<256xf32>, %[[OUT:[^:]*]]: memref<256xf32>, %[[ARENA:.*]]: memref<2048xi8>)
// CHECK: %[[A:.*]] = memref.view %[[ARENA]][%c0{{.*}}][] : memref<2048xi8> to memref<256xf32>
// CHECK: call @produce(%[[IN]], %[[A]])
// CHECK: %[[B:.*]] = memref.view %[[ARENA]][%c1024{{.*}}][]
// CHECK: call @produce(%[[A]], %[[B]])
// CHECK: %[[C:.*]] = memref.view %[[ARENA]][%c0{{.*}}][]
// CHECK: call @produce(%[[B]], %[[C]])
// CHECK: %[[D:.*]] = memref.view %[[ARENA]][%c0{{.*}}][]
// CHECK: call @inplace(%[[C]], %[[D]])
// CHECK: call @combine(%[[D]], %[[B]], %[[OUT]])
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.alloc
module {
  func.func private @produce(memref<256xf32>, memref<256xf32>)
  func.func private @inplace(memref<256xf32>, memref<256xf32>) attributes {optc.in_place = array<i64: 0>}
  func.func private @combine(memref<256xf32>, memref<256xf32>, memref<256xf32>)
  func.func @main(%in: memref<256xf32>, %out: memref<256xf32>) {
    %a = memref.alloc() : memref<256xf32>
    call @produce(%in, %a) : (memref<256xf32>, memref<256xf32>) -> ()
    %b = memref.alloc() : memref<256xf32>
    call @produce(%a, %b) : (memref<256xf32>, memref<256xf32>) -> ()
    %c = memref.alloc() : memref<256xf32>
    call @produce(%b, %c) : (memref<256xf32>, memref<256xf32>) -> ()
    %d = memref.alloc() : memref<256xf32>
    call @inplace(%c, %d) : (memref<256xf32>, memref<256xf32>) -> ()
    %e = memref.alloc() : memref<256xf32>
    call @combine(%d, %b, %e) : (memref<256xf32>, memref<256xf32>, memref<256xf32>) -> ()
    memref.copy %e, %out : memref<256xf32> to memref<256xf32>
    return
  }
}

// -----

// Buffers of unknown size and buffers inside loops stay heap allocations;
// nothing is planned and the arena is empty.
// CHECK: module attributes {optc.arena_size = 0 : i64}
// CHECK-LABEL: func.func @main
// CHECK-SAME: memref<0xi8>
// CHECK: memref.alloc(%{{.*}}) : memref<?xf32>
// CHECK: scf.for
// CHECK:   memref.alloc() : memref<4xf32>
module {
  func.func private @use(memref<?xf32>)
  func.func private @use4(memref<4xf32>)
  func.func @main(%n: index) {
    %a = memref.alloc(%n) : memref<?xf32>
    call @use(%a) : (memref<?xf32>) -> ()
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    scf.for %i = %c0 to %n step %c1 {
      %b = memref.alloc() : memref<4xf32>
      func.call @use4(%b) : (memref<4xf32>) -> ()
    }
    return
  }
}

// -----

// A kernel whose result is a reshaped view of the buffer it computed (a
// convolution's matrix product seen as N x F x H x W) computes it in the
// out-parameter, seen with the buffer's shape, instead of copying.
// CHECK-LABEL: func.func private @k0_conv
// CHECK-SAME: %[[OUT:[^:]*]]: memref<1x4x2x3xf32>
// CHECK: %[[FLAT:.*]] = memref.collapse_shape %[[OUT]] {{\[}}[0, 1, 2, 3]] : memref<1x4x2x3xf32> into memref<24xf32>
// CHECK: %[[BUF:.*]] = memref.expand_shape %[[FLAT]] {{\[}}[0, 1]] output_shape [4, 6] : memref<24xf32> into memref<4x6xf32>
// CHECK: linalg.fill ins(%{{.*}} : f32) outs(%[[BUF]] : memref<4x6xf32>)
// CHECK-NOT: memref.copy
// CHECK-NOT: memref.alloc
module {
  func.func private @k0_conv(%out: memref<1x4x2x3xf32>) attributes {optc.kernel} {
    %cst = arith.constant 1.0 : f32
    %buf = memref.alloc() : memref<4x6xf32>
    linalg.fill ins(%cst : f32) outs(%buf : memref<4x6xf32>)
    %view = memref.expand_shape %buf [[0, 1], [2, 3]] output_shape [1, 4, 2, 3] : memref<4x6xf32> into memref<1x4x2x3xf32>
    memref.copy %view, %out : memref<1x4x2x3xf32> to memref<1x4x2x3xf32>
    return
  }
}
