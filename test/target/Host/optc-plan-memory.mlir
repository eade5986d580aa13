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
