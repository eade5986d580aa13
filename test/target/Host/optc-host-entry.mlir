// RUN: optc-opt %s --optc-host-entry="name=net triple=x86_64-unknown-linux-gnu cpu=znver4 features=avx2,fma weights-file=net.weights" --split-input-file | FileCheck %s

// @main becomes internal under a model-specific name; the entry unpacks the
// buffer array (input, output, arena); the descriptor points at the
// metadata and the entry; the loader calls the runtime.
// CHECK: llvm.func internal @optc_net_main(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr)
// CHECK: llvm.func internal @optc_net_entry(%[[BUFS:.*]]: !llvm.ptr)
// CHECK-COUNT-3: llvm.getelementptr %[[BUFS]]
// CHECK: llvm.call @optc_net_main(
// CHECK: llvm.mlir.global internal constant @optc_net_metadata("optc-model 1\0Aname net\0Atriple x86_64-unknown-linux-gnu\0Acpu znver4\0Afeatures avx2,fma\0Aarena 256\0Aweights embedded 0\0Ainput x f32 4\0Aoutput y f32 4\0A\00")
// CHECK: llvm.mlir.global external constant @optc_model_descriptor()
// CHECK: llvm.mlir.addressof @optc_net_metadata
// CHECK: llvm.mlir.addressof @optc_net_entry
// CHECK: llvm.func @net_load(%[[W:.*]]: !llvm.ptr, %[[M:.*]]: !llvm.ptr) -> !llvm.ptr
// CHECK: llvm.call @optc_model_create(%{{.*}}, %[[W]], %[[M]])

// With external weights the metadata names the side file, its size and id.
// CHECK: weights file net.weights 128 00112233aabbccdd
module attributes {optc.interface = ["input x f32 4", "output y f32 4"], optc.arena_size = 256 : i64} {
  llvm.func @main(%x: !llvm.ptr, %y: !llvm.ptr, %arena: !llvm.ptr) {
    llvm.return
  }
}

// -----

module attributes {optc.interface = ["input x f32 4", "output y f32 4"], optc.arena_size = 0 : i64, optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
  llvm.func @main(%x: !llvm.ptr, %y: !llvm.ptr, %arena: !llvm.ptr, %weights: !llvm.ptr) {
    llvm.return
  }
}
