// RUN: optc-opt %s --optc-cpu-outline-parallel | FileCheck %s

// The forall becomes a call of the thread pool with a body over a range of
// its 4 x 2 linearised iterations; the captured memref travels in a struct,
// the constant is copied into the body.
// CHECK: llvm.func @optc_parallel_for(i64, !llvm.ptr, !llvm.ptr)
// CHECK-LABEL: func.func @k0_fill
// CHECK: %[[CTX:.*]] = llvm.alloca %{{.*}} x !llvm.struct<(struct<(ptr, ptr, i64, array<2 x i64>, array<2 x i64>)>)>
// CHECK: %[[FIELD:.*]] = builtin.unrealized_conversion_cast %arg0 : memref<4x8xf32> to !llvm.struct
// CHECK: llvm.insertvalue %[[FIELD]]
// CHECK: llvm.store %{{.*}}, %[[CTX]]
// CHECK: %[[BODY:.*]] = constant @k0_fill_parallel0 : (i64, i64, !llvm.ptr) -> ()
// CHECK: %[[PTR:.*]] = builtin.unrealized_conversion_cast %[[BODY]]
// CHECK: %[[N:.*]] = llvm.mlir.constant(8 : i64) : i64
// CHECK: llvm.call @optc_parallel_for(%[[N]], %[[PTR]], %[[CTX]])
// CHECK-NOT: scf.forall
// CHECK-LABEL: func.func private @k0_fill_parallel0
// CHECK-SAME: (%[[BEGIN:.*]]: i64, %[[END:.*]]: i64, %[[ARG:.*]]: !llvm.ptr)
// CHECK: arith.constant 1.000000e+00 : f32
// CHECK: %[[LOADED:.*]] = llvm.load %[[ARG]]
// CHECK: llvm.extractvalue %[[LOADED]][0]
// CHECK: scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step
// CHECK: arith.remui %[[I]], %c2
// CHECK: arith.divui %[[I]], %c2
// CHECK: memref.subview
func.func @k0_fill(%out: memref<4x8xf32>) {
  %one = arith.constant 1.0 : f32
  scf.forall (%i, %j) = (0, 0) to (4, 8) step (1, 4) {
    %tile = memref.subview %out[%i, %j] [1, 4] [1, 1] : memref<4x8xf32> to memref<1x4xf32, strided<[8, 1], offset: ?>>
    linalg.fill ins(%one : f32) outs(%tile : memref<1x4xf32, strided<[8, 1], offset: ?>>)
  }
  return
}
