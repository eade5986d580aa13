// RUN: optc-opt %s --optc-host-entry="name=net triple=x86_64-unknown-linux-gnu cpu=znver4 features=avx2,fma weights-file=net.weights" --split-input-file | FileCheck %s

// @main becomes internal under a model-specific name; the entry unpacks the
// buffer array (inputs, outputs, arena); the descriptor points at the
// metadata and the entry; the loader calls the runtime.
// CHECK: llvm.func internal @optc_net_main(%arg0: !llvm.ptr, %arg1: !llvm.ptr, %arg2: !llvm.ptr, %arg3: !llvm.ptr, %arg4: !llvm.ptr, %arg5: !llvm.ptr)
// CHECK: llvm.func internal @optc_net_entry(%[[BUFS:.*]]: !llvm.ptr)
// CHECK-COUNT-6: llvm.getelementptr %[[BUFS]]
// CHECK: llvm.call @optc_net_main(
// The interface becomes the runtime's metadata lines: names percent-encoded,
// the runtime's dtype names, "scalar" for rank 0.
// CHECK: llvm.mlir.global internal constant @optc_net_metadata("optc-model 1\0Aname net\0Atriple x86_64-unknown-linux-gnu\0Acpu znver4\0Afeatures avx2,fma\0Aarena 256\0Aweights embedded 0\0Ainput x f32 4\0Ainput ids%20in%25 u8 2,3\0Ainput flag bool scalar\0Aoutput y/z i64 4\0Aoutput %00 f8e4m3fn 0,2\0A\00")
// CHECK: llvm.mlir.global external constant @optc_model_descriptor()
// CHECK: llvm.mlir.addressof @optc_net_metadata
// CHECK: llvm.mlir.addressof @optc_net_entry
// CHECK: llvm.func @net_load(%[[W:.*]]: !llvm.ptr, %[[M:.*]]: !llvm.ptr) -> !llvm.ptr
// CHECK: llvm.call @optc_model_create(%{{.*}}, %[[W]], %[[M]])

// With external weights the metadata names the side file, its size and id.
// CHECK: weights file net.weights 128 00112233aabbccdd
module attributes {optc.interface = #optc.interface<inputs = ["x" : 4xf32, "ids in%" : 2x3xui8, "flag" : i1], outputs = ["y/z" : 4xi64, "" : 0x2xf8E4M3FN]>, optc.arena_size = 256 : i64} {
  llvm.func @main(%x: !llvm.ptr, %ids: !llvm.ptr, %flag: !llvm.ptr, %y: !llvm.ptr, %e: !llvm.ptr, %arena: !llvm.ptr) {
    llvm.return
  }
}

// -----

module attributes {optc.interface = #optc.interface<inputs = ["x" : 4xf32], outputs = ["y" : 4xf32]>, optc.arena_size = 0 : i64, optc.weights = [[0, dense<1.0> : tensor<16xf32>], [64, dense<2> : tensor<8xi64>]], optc.weights_size = 128 : i64, optc.weights_id = "00112233aabbccdd"} {
  llvm.func @main(%x: !llvm.ptr, %y: !llvm.ptr, %arena: !llvm.ptr, %weights: !llvm.ptr) {
    llvm.return
  }
}
